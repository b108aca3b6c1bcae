"""Submission benchmark: see ``python -m bench.submit --help``."""
