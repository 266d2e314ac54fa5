"""Why a title is recommended: structured reasons and their human wording."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from filmbot.domain.models import TitleRef

COLD_START_MESSAGE = (
    "You haven't rated anything yet, so here is what is trending and what this server loves."
)


class ReasonKind(enum.IntEnum):
    """Kinds of reasons, strongest first."""

    SIMILAR_TO = 0
    RATED_SEED = 1
    COMMUNITY = 2
    COMMUNITY_RATED = 3
    GENRE = 4
    SERVER_FAVOURITE = 5
    TRENDING = 6
    POPULAR = 7


@dataclass(frozen=True, slots=True)
class Reason:
    """One reason behind a recommendation."""

    kind: ReasonKind
    title: str = ""
    score: int | None = None
    count: int = 0
    mean: float = 0.0
    genres: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """Say the reason in words, lower case, without a full stop."""
        if self.kind is ReasonKind.SIMILAR_TO:
            return f"similar to {self.title}"
        if self.kind is ReasonKind.RATED_SEED:
            return f"because you rated {self.title} {self.score}/10"
        if self.kind is ReasonKind.COMMUNITY:
            who = "member" if self.count == 1 else "members"
            return f"liked by {self.count} {who} who liked {self.title}"
        if self.kind is ReasonKind.COMMUNITY_RATED:
            who = "member" if self.count == 1 else "members"
            return f"rated by {self.count} {who} who also rated {self.title}"
        if self.kind is ReasonKind.GENRE:
            return f"matches your taste for {' and '.join(self.genres)}"
        if self.kind is ReasonKind.SERVER_FAVOURITE:
            return f"rated {self.mean:.1f}/10 on average by {self.count} members of this server"
        if self.kind is ReasonKind.TRENDING:
            return "trending now"
        return "popular on TMDB"


@dataclass(frozen=True, slots=True)
class Recommendation:
    """A recommended title, its score and why."""

    ref: TitleRef
    title: str
    score: float
    reasons: tuple[Reason, ...]
    popularity: float = 0.0

    @property
    def explanation(self) -> str:
        """Join the two strongest reasons into one sentence."""
        text = "; ".join(r.text for r in self.reasons[:2])
        return text[:1].upper() + text[1:]


@dataclass(frozen=True, slots=True)
class RecommendationResult:
    """Recommendations for one request, with a note for the user when needed."""

    items: tuple[Recommendation, ...]
    cold_start: bool = False
    message: str = ""


def merge_reasons(first: tuple[Reason, ...], second: tuple[Reason, ...]) -> tuple[Reason, ...]:
    """Union two reason lists without repeats, strongest kind first."""
    seen: dict[Reason, None] = dict.fromkeys(first)
    seen.update(dict.fromkeys(second))
    return tuple(sorted(seen, key=lambda r: r.kind))


def merge(a: Recommendation, b: Recommendation) -> Recommendation:
    """Merge two recommendations of the same title, keeping the better score."""
    best = a if a.score >= b.score else b
    reasons = merge_reasons(a.reasons, b.reasons)
    return Recommendation(best.ref, best.title, best.score, reasons, best.popularity)


def dedupe(items: list[Recommendation]) -> list[Recommendation]:
    """Keep one entry per title, merging reasons of duplicates."""
    by_ref: dict[TitleRef, Recommendation] = {}
    for item in items:
        known = by_ref.get(item.ref)
        by_ref[item.ref] = item if known is None else merge(known, item)
    return list(by_ref.values())


def ranked(items: list[Recommendation], limit: int) -> tuple[Recommendation, ...]:
    """Dedupe, then sort by score (popularity, then id, breaking ties)."""
    unique = dedupe(items)
    unique.sort(key=lambda r: (-r.score, -r.popularity, r.ref.media_type.value, r.ref.tmdb_id))
    return tuple(unique[:limit])
