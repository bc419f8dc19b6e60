"""Firebell: a self-hosted, Slack-native incident management service."""

__version__ = "0.1.0"
