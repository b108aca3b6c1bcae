"""Personal-data rules (PIPL-minded): what is kept, for how long, and what is masked."""
