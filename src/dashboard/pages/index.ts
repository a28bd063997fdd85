// The dashboard's pages, one per file: overview, events, user, IP, findings, health.
