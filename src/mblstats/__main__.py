"""Allow ``python -m mblstats``."""

import sys

from mblstats.cli import main

sys.exit(main())
