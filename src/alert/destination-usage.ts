/** The destination forms in one line, for errors and `watch --help` (a module of its own: help loads nothing else). */
export const DESTINATION_USAGE =
  'Destinations: webhook+https://…, slack+https://hooks.slack.com/…, teams+https://…, ' +
  'syslog+udp|tcp|tls://host:port[?format=cef], smtp[s]://host[:port]?to=a@b[&from=…], file:PATH';
