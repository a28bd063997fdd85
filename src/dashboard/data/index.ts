// The dashboard's queries over the archive: scope and filters, events, overview, health, people, findings.
