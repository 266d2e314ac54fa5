"""Open an uploaded export safely: size limits, zips (and zip bombs), encodings, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import Any

from filmbot.domain.history.rows import (
    HistoryFileError,
    HistoryRow,
    ParsedHistory,
    SkippedLine,
    Source,
)

MAX_FILE_BYTES = 8 * 1024 * 1024
MAX_ROWS = 20_000
MAX_UNPACKED_BYTES = 4 * MAX_FILE_BYTES
MAX_ZIP_MEMBERS = 200
MAX_COMPRESSION_RATIO = 100
MAX_CELL_CHARS = 20_000
ZIP_MAGIC = b"PK\x03\x04"
IGNORED_FOLDERS = frozenset({"likes", "lists", "deleted", "orphaned"})

CsvLines = Iterator[tuple[int, dict[str, str]]]
LineResult = HistoryRow | SkippedLine | None


def parse_history(source: Source, filename: str, data: bytes) -> ParsedHistory:
    """Read an export (a zip or one file) of `source`; HistoryFileError when it cannot be."""
    if len(data) > MAX_FILE_BYTES:
        raise HistoryFileError(f"That file is over the {MAX_FILE_BYTES // (1024 * 1024)} MB limit.")
    if not data.strip():
        raise HistoryFileError("That file is empty.")
    parsed = ParsedHistory(source)
    in_zip = data.startswith(ZIP_MAGIC)
    members = _unzip(data) if in_zip else iter([(filename, data)])
    read_any = False
    for name, content in members:
        read_any |= _parse_member(source, name, content, parsed, in_zip)
        if len(parsed.rows) + len(parsed.skipped) > MAX_ROWS:
            raise HistoryFileError(f"That file has more than {MAX_ROWS:,} rows; split it up.")
    if not read_any:
        raise HistoryFileError(f"That upload holds no {source.label} export file.")
    return parsed


def _parse_member(
    source: Source, name: str, content: bytes, parsed: ParsedHistory, in_zip: bool
) -> bool:
    """Parse one file of the upload; False when a zip member is not an export file."""
    from filmbot.domain.history import imdb, letterboxd, trakt

    base = PurePosixPath(name).name.lower()
    if source is Source.TRAKT:
        if in_zip and not base.endswith(".json"):
            return False
        trakt.parse(base, load_json(content, source), parsed)
        return True
    if in_zip and not base.endswith(".csv"):
        return False
    header, lines = csv_lines(base, content, source)
    if source is Source.IMDB:
        imdb.parse(base, header, lines, parsed)
        return True
    folders = {part.lower() for part in PurePosixPath(name).parts[:-1]}
    if in_zip and folders & IGNORED_FOLDERS:
        return False
    kind = letterboxd.kind_of(base, header, by_name_only=in_zip)
    if kind is None:
        return False
    letterboxd.parse(base, kind, header, lines, parsed)
    return True


def _unzip(data: bytes) -> Iterator[tuple[str, bytes]]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError) as exc:
        raise HistoryFileError("That zip is damaged and cannot be opened.") from exc
    with archive:
        infos = [i for i in archive.infolist() if not i.is_dir() and "__MACOSX" not in i.filename]
        if len(infos) > MAX_ZIP_MEMBERS:
            raise HistoryFileError(f"That zip holds more than {MAX_ZIP_MEMBERS} files.")
        unpacked = 0
        for info in infos:
            ratio = info.file_size / max(info.compress_size, 1)
            if ratio > MAX_COMPRESSION_RATIO or info.file_size > MAX_FILE_BYTES:
                raise HistoryFileError("That zip unpacks to far more than it holds; refused.")
            content = _read_capped(archive, info)
            unpacked += len(content)
            if unpacked > MAX_UNPACKED_BYTES:
                raise HistoryFileError("That zip unpacks to more than FilmBot reads; refused.")
            yield info.filename, content


def _read_capped(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Read one member, never more than the limit whatever its header claims."""
    try:
        with archive.open(info) as member:
            content = member.read(MAX_FILE_BYTES + 1)
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as exc:
        raise HistoryFileError(f"{info.filename} in that zip cannot be read.") from exc
    if len(content) > MAX_FILE_BYTES:
        raise HistoryFileError("That zip unpacks to far more than it holds; refused.")
    return content


def decode(content: bytes, source: Source) -> str:
    """Text of a file: UTF-8 (with or without BOM), else Windows-1252 or Latin-1."""
    if b"\x00" in content[:65536]:
        raise HistoryFileError(f"That is binary data, not a {source.label} export.")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


def csv_lines(name: str, content: bytes, source: Source) -> tuple[list[str], CsvLines]:
    """The header of a CSV, and its rows as dicts keyed by header with their line numbers."""
    text = decode(content, source)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader, [])]
    except csv.Error as exc:
        raise HistoryFileError(f"{name} is not a readable CSV file.") from exc
    return header, _rows(name, reader, header)


def _rows(name: str, reader: Any, header: list[str]) -> CsvLines:
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise HistoryFileError(f"{name} line {line + 1} is not valid CSV.") from exc
        line += 1
        if not any(c.strip() for c in cells):
            continue
        yield line, {h: c.strip()[:MAX_CELL_CHARS] for h, c in zip(header, cells, strict=False)}


def require_columns(name: str, header: list[str], needed: tuple[str, ...], label: str) -> None:
    """Refuse a file that lacks the columns an export of `label` has."""
    missing = [column for column in needed if column not in header]
    if missing:
        raise HistoryFileError(
            f"{name} does not look like a {label} export (no {', '.join(missing)} column)."
        )


def load_json(content: bytes, source: Source) -> Any:
    """Parse a JSON file; HistoryFileError when it is not JSON."""
    try:
        return json.loads(decode(content, source))
    except (json.JSONDecodeError, RecursionError) as exc:
        raise HistoryFileError(f"That is not a {source.label} JSON export.") from exc


def each_line(
    name: str,
    lines: CsvLines,
    parsed: ParsedHistory,
    read: Callable[[str, dict[str, str]], LineResult],
) -> None:
    """Feed every CSV line through `read`, keeping its row or why it was skipped."""
    for number, cells in lines:
        where = f"{name}:{number}"
        result = read(where, cells)
        if isinstance(result, HistoryRow):
            parsed.rows.append(result)
        elif isinstance(result, SkippedLine):
            parsed.skipped.append(result)
        if len(parsed.rows) + len(parsed.skipped) > MAX_ROWS:
            raise HistoryFileError(f"That file has more than {MAX_ROWS:,} rows; split it up.")
