"""The web dashboard, end to end: a real browser against `filmbot web` and a fake Discord."""
