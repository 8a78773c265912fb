"""Benchmark of the key pages (`make bench`); not part of the test suite."""
