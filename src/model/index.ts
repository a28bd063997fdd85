// The normalised login event and what it is made of: the action catalogue, ids, people, times, zones and attribution.
