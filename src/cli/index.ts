// The command line: run.ts declares the commands (commands/), the helpers here parse their flags into typed options once and call the library; nothing here is part of the package's API.
