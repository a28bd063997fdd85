// The emulator's request pipeline, independent of the socket: context, middleware, auth, rate limits, responses, node:http and fetch adapters.
