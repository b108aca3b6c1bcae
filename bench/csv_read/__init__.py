"""Benchmark of reading RESPONSES.csv: column-wise against the former row loop (``python -m bench.csv_read``)."""
