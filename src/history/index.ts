// Reading a portal's login history: the reader, client-side filters, the one --user resolver and who logged in.
