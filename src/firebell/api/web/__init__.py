"""The internal web view: read-only HTML pages of every incident (`/incidents`), behind Sign in with Slack."""
