"""Watch history from other services: parsing their export files, matching titles, exporting."""

from filmbot.domain.history.files import MAX_FILE_BYTES, MAX_ROWS, parse_history
from filmbot.domain.history.matching import Candidate, Choice, choose, normalise_title
from filmbot.domain.history.rows import (
    HistoryFileError,
    HistoryRow,
    ParsedHistory,
    SkippedLine,
    Source,
    merge_rows,
)

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "Candidate",
    "Choice",
    "HistoryFileError",
    "HistoryRow",
    "ParsedHistory",
    "SkippedLine",
    "Source",
    "choose",
    "merge_rows",
    "normalise_title",
    "parse_history",
]
