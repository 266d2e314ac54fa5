"""`python main.py` starts FilmBot, like `filmbot run`."""

import sys

from filmbot.python_version import require_supported_python

if __name__ == "__main__":
    require_supported_python()

    from filmbot.cli import main

    sys.exit(main(["run", *sys.argv[1:]]))
