"""`python -m deliberation`: the same command line as the `deliberation` script."""

import sys

from deliberation.cli import main

sys.exit(main())
