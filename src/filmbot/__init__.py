"""FilmBot: a Discord bot that follows films and TV shows through TMDB."""

__version__ = "0.1.0"
