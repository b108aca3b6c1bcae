"""Benchmark of the 15-minute circle coverage (``python -m bench.circle``)."""
