// One file per command (or group): its flags parsed into typed options, then a call into the library; run.ts registers them.
