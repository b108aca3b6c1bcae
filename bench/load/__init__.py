"""Load benchmark: see ``python -m bench.load --help``."""
