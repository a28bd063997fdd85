// Where the tool keeps its files (XDG paths) and the config file of named portal profiles.
