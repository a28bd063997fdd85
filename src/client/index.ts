// The DocSpace HTTP client: typed endpoints over layered sends (transport, pause, limit, retry), edge validation and redaction; re-exported by src/index.ts.
