"""Publications: immutable editions, corrections as new editions, a public listing.

What is issued in the bureau's name is archived exactly as issued: the file with its
SHA-256, the inputs it was made from, who published it and when (audit log).  A
published edition is never changed or deleted (the model refuses); a correction is a
new edition naming the one it replaces, and every edition can be replaced once.
The monitoring bulletin is the first publication; complaint publicity and inspection
results use the same archive.
"""

from .archive import *  # noqa: F403  (the archive's public names)
from .archive import __all__ as __all__
