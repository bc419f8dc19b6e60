"""Tests of `firebell demo` and `firebell playground`."""
