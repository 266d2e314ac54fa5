"""FilmBot's Discord extensions, and the command tree they share."""

from filmbot.exts._ui.errors import FilmBotTree

__all__ = ["FilmBotTree"]
