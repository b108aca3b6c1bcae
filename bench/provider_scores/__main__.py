"""``python -m bench.provider_scores``: see :mod:`.run`."""

import sys

from .run import main

sys.exit(main())
