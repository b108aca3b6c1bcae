"""Benchmark of the credit pages and the classes at 100,000 providers (issue 18)."""
