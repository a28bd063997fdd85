// Generated portals: people, their rhythms and travel, the events, attacks and labelled scenarios.
