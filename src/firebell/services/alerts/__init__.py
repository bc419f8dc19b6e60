"""Alert intake: ingesting webhooks into groups, triage, war-room notes and detection."""
