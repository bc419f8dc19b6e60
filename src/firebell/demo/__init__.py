"""Firebell without a Slack workspace: `firebell demo` (a scripted SEV1) and `firebell playground` (type
commands yourself), both running the real service against the built-in Slack emulator."""
