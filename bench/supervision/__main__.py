"""``python -m bench.supervision``: see :mod:`.run`."""

import sys

from .run import main

sys.exit(main())
