// The emulated API's routes, one file per area of the DocSpace API (audit, authentication, people, keys, security, settings, portal) plus the control API.
