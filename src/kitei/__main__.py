"""`python -m kitei` runs the kitei command."""

import sys

from kitei.cli import main

sys.exit(main())
