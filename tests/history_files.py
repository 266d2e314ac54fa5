"""Export files as Letterboxd, IMDb and Trakt write them, for the import tests."""

from __future__ import annotations

import io
import json
import zipfile

LETTERBOXD_RATINGS = (
    "Date,Name,Year,Letterboxd URI,Rating\n"
    "2023-01-05,Arrival,2016,https://boxd.it/dDzs,4.5\n"
    "2023-02-11,Inception,2010,https://boxd.it/1skk,5\n"
    "2023-02-12,A Film Nobody Made,1999,https://boxd.it/zzzz,3\n"
    "2023-02-13,Interstellar,2014,https://boxd.it/4VZ8,7\n"
)
LETTERBOXD_WATCHED = (
    "Date,Name,Year,Letterboxd URI\n"
    "2022-12-30,Arrival,2016,https://boxd.it/dDzs\n"
    "2023-03-01,Interstellar,2014,https://boxd.it/4VZ8\n"
)
LETTERBOXD_WATCHLIST = "Date,Name,Year,Letterboxd URI\n2023-04-01,Dune,2021,https://boxd.it/k1Q2\n"
LETTERBOXD_REVIEWS = (
    "Date,Name,Year,Letterboxd URI,Rating,Rewatch,Review,Tags,Watched Date\n"
    '2023-01-05,Arrival,2016,https://boxd.it/dDzs,4.5,,"Language, time, grief.",,2023-01-04\n'
)


def letterboxd_zip() -> bytes:
    """A Letterboxd export zip, with a list in a subfolder that the import ignores."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("ratings.csv", LETTERBOXD_RATINGS)
        archive.writestr("watched.csv", LETTERBOXD_WATCHED)
        archive.writestr("watchlist.csv", LETTERBOXD_WATCHLIST)
        archive.writestr("reviews.csv", LETTERBOXD_REVIEWS)
        archive.writestr("profile.csv", "Date Joined,Username\n2020-01-01,mo\n")
        archive.writestr("lists/favourites.csv", "Position,Name,Year\n1,Metropolis,1927\n")
    return buffer.getvalue()


IMDB_HEADER = (
    "Const,Your Rating,Date Rated,Title,Original Title,URL,Title Type,IMDb Rating,"
    "Runtime (mins),Year,Genres,Num Votes,Release Date,Directors\n"
)


def imdb_ratings(encoding: str = "utf-8-sig") -> bytes:
    """IMDb's ratings.csv: a film, a series, a video game, and a title TMDB lacks."""
    rows = (
        "tt0133093,8,2022-05-01,The Matrix,The Matrix,https://www.imdb.com/title/tt0133093/,"
        "Movie,8.7,136,1999,Action,2000000,1999-03-31,Lana Wachowski\n"
        "tt0903747,10,2022-06-01,Breaking Bad,Breaking Bad,https://www.imdb.com/title/tt0903747/,"
        "TV Series,9.5,49,2008,Drama,2000000,2008-01-20,\n"
        "tt0000001,7,2022-06-02,Carmencita,Carmencita,https://www.imdb.com/title/tt0000001/,"
        "Short,5.7,1,1894,Documentary,2000,1894-03-10,William K.L. Dickson\n"
        "tt9999999,6,2022-06-03,Pokémon Snap,Pokémon Snap,https://www.imdb.com/title/tt9999999/,"
        "Video Game,7.0,,1999,Adventure,1000,1999-03-21,\n"
    )
    return (IMDB_HEADER + rows).encode(encoding)


def trakt_files() -> dict[str, bytes]:
    """Trakt's JSON exports: watched movies, rated shows, an episode, a watchlist."""
    files = {
        "watched-movies.json": [
            {
                "plays": 2,
                "last_watched_at": "2023-05-01T20:11:00.000Z",
                "movie": {"title": "Blade Runner 2049", "year": 2017, "ids": {"tmdb": 335984}},
            }
        ],
        "ratings-shows.json": [
            {
                "rated_at": "2023-06-01T10:00:00.000Z",
                "rating": 9,
                "type": "show",
                "show": {"title": "Severance", "year": 2022, "ids": {"tmdb": 95396}},
            }
        ],
        "history-episodes.json": [
            {
                "id": 1,
                "watched_at": "2023-06-02T21:00:00.000Z",
                "action": "watch",
                "type": "episode",
                "episode": {"season": 1, "number": 1, "title": "Pilot", "ids": {"tmdb": 62085}},
                "show": {"title": "Better Call Saul", "year": 2015, "ids": {"tmdb": 60059}},
            }
        ],
        "watchlist-movies.json": [
            {
                "listed_at": "2023-07-01T00:00:00.000Z",
                "type": "movie",
                "movie": {"title": "Dune: Part Two", "year": 2024, "ids": {"imdb": "tt15239678"}},
            }
        ],
    }
    return {name: json.dumps(entries).encode() for name, entries in files.items()}


def zipped(files: dict[str, bytes]) -> bytes:
    """The files in one zip."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
