"""Firebell benchmarks: not part of the test run; see README "Performance"."""
