"""Small-area estimation simulation: ``python -m bench.small_area``."""
