"""`python main.py` starts FilmBot, like `filmbot run`."""

import sys

from filmbot.cli import main

if __name__ == "__main__":
    sys.exit(main(["run", *sys.argv[1:]]))
