"""Refuse an interpreter older than FilmBot supports, in one line, before anything else loads.

Kept free of newer syntax and of imports beyond `sys` so that old interpreters can run it.
"""

from __future__ import annotations

import sys

REQUIRED = (3, 11)
EXIT_UNSUPPORTED = 2


def unsupported_python(version: tuple[int, ...], executable: str) -> str | None:
    """Say which Python FilmBot needs when `version` is too old; None when it is fine."""
    if tuple(version[:2]) >= REQUIRED:
        return None
    found = ".".join(str(part) for part in version[:3])
    needed = ".".join(str(part) for part in REQUIRED)
    return f"filmbot: FilmBot needs Python {needed} or newer; {executable} is Python {found}"


def require_supported_python() -> None:
    """Exit with one line on stderr when this interpreter is too old."""
    version = (sys.version_info[0], sys.version_info[1], sys.version_info[2])
    message = unsupported_python(version, sys.executable)
    if message is not None:
        print(message, file=sys.stderr)
        raise SystemExit(EXIT_UNSUPPORTED)
