"""``python -m bench.credit``: see :mod:`.run`."""

import sys

from .run import main

sys.exit(main())
