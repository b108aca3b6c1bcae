"""Dashboard benchmark: ``python -m bench.dashboard``."""
