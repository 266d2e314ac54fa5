"""Choosing the TMDB title an export line means, from search candidates; never a guess.

A candidate's title matches at one of two levels: exactly once normalised (case, accents,
punctuation, '&', and a leading or trailing article ignored) against its title, original
title or an alternative title; or nearly (a close spelling of the same words). Its year
matches exactly or within one year (festival premiere versus release). The best level wins
only when a single candidate holds it; two candidates tied at the top are ambiguous.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from filmbot.domain.models import TitleRef

ARTICLES = frozenset(
    {"the", "a", "an", "le", "la", "les", "l", "el", "los", "las", "il", "lo", "gli", "der", "das"}
)
NEAR_RATIO = 0.92
_PUNCTUATION = re.compile(r"[^\w\s]")
_SPACES = re.compile(r"\s+")


def normalise_title(title: str) -> str:
    """Casefolded words without accents, punctuation or a leading/trailing article."""
    text = unicodedata.normalize("NFKD", title.replace("&", " and "))
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = _SPACES.sub(" ", _PUNCTUATION.sub(" ", text.replace("'", " "))).strip()
    words = text.split()
    if len(words) > 1 and words[0] in ARTICLES:
        words = words[1:]
    elif len(words) > 1 and words[-1] in ARTICLES and "," in title:
        words = words[:-1]
    return " ".join(words)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A TMDB search result as the matcher sees it."""

    ref: TitleRef
    title: str
    original_title: str = ""
    year: int | None = None
    alternative_titles: tuple[str, ...] = ()

    def names(self) -> set[str]:
        """Every normalised name of the title."""
        names = (self.title, self.original_title, *self.alternative_titles)
        return {normalise_title(n) for n in names if n}


@dataclass(frozen=True, slots=True)
class Choice:
    """The matcher's answer: a title, or why there is none."""

    ref: TitleRef | None
    reason: str = ""
    tied: tuple[TitleRef, ...] = field(default=())

    @property
    def matched(self) -> bool:
        """Whether one title was chosen."""
        return self.ref is not None


def title_level(wanted: str, candidate: Candidate) -> int:
    """2 for the same normalised name, 1 for a near spelling, 0 otherwise."""
    names = candidate.names()
    if wanted in names:
        return 2
    if any(_near(wanted, name) for name in names):
        return 1
    return 0


def _near(a: str, b: str) -> bool:
    if not a or not b or abs(len(a) - len(b)) > max(3, len(a) // 5):
        return False
    return SequenceMatcher(None, a, b).ratio() >= NEAR_RATIO


def year_level(wanted: int | None, year: int | None) -> int:
    """2 for the same year (or none to compare), 1 for one year apart, -1 otherwise."""
    if wanted is None:
        return 2
    if year is None:
        return 1
    gap = abs(wanted - year)
    return 2 if gap == 0 else 1 if gap == 1 else -1


def choose(title: str, year: int | None, candidates: Iterable[Candidate]) -> Choice:
    """The one candidate that best fits title and year, or no choice with the reason."""
    wanted = normalise_title(title)
    scored: dict[TitleRef, tuple[int, int]] = {}
    for candidate in candidates:
        level, when = title_level(wanted, candidate), year_level(year, candidate.year)
        if level and when > 0:
            scored[candidate.ref] = max(scored.get(candidate.ref, (0, 0)), (level, when))
    if not scored:
        return Choice(None, "no TMDB title with that name and year")
    best = max(scored.values())
    top = tuple(ref for ref, score in scored.items() if score == best)
    if len(top) > 1:
        return Choice(None, f"ambiguous: {len(top)} TMDB titles fit equally well", top)
    if best[0] == 1 and best[1] < 2:
        return Choice(None, "only a near name in a neighbouring year")
    return Choice(top[0])


def refs_in(candidates: Sequence[Candidate]) -> list[TitleRef]:
    """The distinct titles among candidates."""
    return list(dict.fromkeys(c.ref for c in candidates))
