// Alert formats, one per file: CEF, e-mail, Slack, syslog and Teams renderings of the alert document.
