"""Benchmark of :func:`analysis.run` against R's survey package (``python -m bench.analysis``)."""
