"""Paging: pages, their claimed moves, targets, responses, records and notifier effects."""
