"""`python -m filmbot` is the `filmbot` command."""

import sys

from filmbot.python_version import require_supported_python

require_supported_python()

from filmbot.cli import main  # noqa: E402 (after the version check, which must come first)

sys.exit(main())
