"""Benchmark of the risk-based inspection draw: does it find more violations, and how fast?"""
