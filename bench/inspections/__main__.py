"""``python -m bench.inspections``: see :mod:`.run`."""

import sys

from .run import main

sys.exit(main())
