"""Runbooks: Markdown guides with front matter, read from a directory, checked, and matched to incidents."""
