"""Complaints benchmark: see ``python -m bench.complaints --help``."""
