"""`python -m filmbot` is the `filmbot` command."""

import sys

from filmbot.cli import main

sys.exit(main())
