"""Benchmark of :mod:`analysis.provider_scores`: the simulation at scale and the recompute time."""
