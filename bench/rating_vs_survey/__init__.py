"""Rating versus survey submission benchmark: see ``python -m bench.rating_vs_survey --help``."""
