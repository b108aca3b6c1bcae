"""Benchmark of the monitoring bulletin: six sectors x ten districts x four periods."""
