"""Taste profile and the designed content score of a candidate title."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from filmbot.domain.models import MediaType, TitleRef

HIGH_SCORE = 7
PREFERRED_GENRE_COUNT = 3


@dataclass(frozen=True, slots=True)
class UserRating:
    """One of the user's own ratings, with what the recommender needs of the title."""

    ref: TitleRef
    score: int
    title: str
    genre_ids: tuple[int, ...] = ()
    rated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Candidate:
    """A title that may be recommended, with the TMDB facts used to score it."""

    ref: TitleRef
    title: str
    genre_ids: tuple[int, ...] = ()
    vote_average: float = 0.0
    popularity: float = 0.0
    source: TitleRef | None = None

    @property
    def tmdb_id(self) -> int:
        """The TMDB id of the title."""
        return self.ref.tmdb_id

    @property
    def media_type(self) -> MediaType:
        """Movie or TV."""
        return self.ref.media_type


@dataclass(frozen=True, slots=True)
class ContentWeights:
    """Weights of the designed content rule (Settings.recommend_*_weight)."""

    genre: float = 0.4
    rating: float = 0.3
    media_type: float = 0.3


@dataclass(frozen=True, slots=True)
class TasteProfile:
    """What a user likes: genres, rating bar and kind of title."""

    preferred_genres: frozenset[int] = frozenset()
    genre_affinity: dict[int, float] = field(default_factory=dict)
    average_rating: float = 0.0
    preferred_types: frozenset[MediaType] = frozenset()

    @property
    def is_empty(self) -> bool:
        """True when nothing is known about the user's taste."""
        return not self.preferred_genres and not self.preferred_types


def highly_rated(ratings: Iterable[UserRating]) -> list[UserRating]:
    """Return ratings of at least HIGH_SCORE, best first (most recent first on a tie)."""
    liked = most_recent_first(r for r in ratings if r.score >= HIGH_SCORE)
    return sorted(liked, key=lambda r: -r.score)


def most_recent_first(ratings: Iterable[UserRating]) -> list[UserRating]:
    """Order ratings newest first; undated ones follow in their given order."""
    items = list(ratings)
    dated = [r for r in items if r.rated_at is not None]
    dated.sort(key=_rated_at, reverse=True)
    return dated + [r for r in items if r.rated_at is None]


def _rated_at(rating: UserRating) -> datetime:
    """Return when a rating was given (datetime.min when unknown)."""
    return rating.rated_at or datetime.min


def build_profile(
    ratings: Sequence[UserRating], genre_count: int = PREFERRED_GENRE_COUNT
) -> TasteProfile:
    """Derive a taste profile from the user's ratings."""
    if not ratings:
        return TasteProfile()
    liked = highly_rated(ratings) or [max(ratings, key=lambda r: r.score)]
    genres = Counter(g for r in liked for g in r.genre_ids)
    top = frozenset(g for g, _ in genres.most_common(genre_count))
    total = sum(genres.values()) or 1
    affinity = {g: n / total for g, n in genres.items()}
    average = sum(r.score for r in ratings) / len(ratings)
    return TasteProfile(top, affinity, average, _preferred_types(liked))


def profile_from_seed(seed: Candidate, average_rating: float | None) -> TasteProfile:
    """Profile for 'more like this': the seed's genres and type are the taste."""
    genres = frozenset(seed.genre_ids)
    affinity = {g: 1 / len(genres) for g in genres}
    bar = seed.vote_average if average_rating is None else average_rating
    return TasteProfile(genres, affinity, bar, frozenset({seed.media_type}))


def _preferred_types(liked: Sequence[UserRating]) -> frozenset[MediaType]:
    """Return the most common media type(s) among liked titles (both on a tie)."""
    counts = Counter(r.ref.media_type for r in liked)
    top = max(counts.values())
    return frozenset(t for t, n in counts.items() if n == top)


@dataclass(frozen=True, slots=True)
class ContentMatch:
    """Which rules of the content score a candidate met."""

    score: float
    genres: tuple[int, ...]
    rating_ok: bool
    type_ok: bool


def content_score(
    candidate: Candidate, profile: TasteProfile, weights: ContentWeights, *, graded: bool = False
) -> ContentMatch:
    """Score a candidate: genre, rating and type weights, each when its rule holds.

    The designed rule adds ``weights.genre`` when any of the candidate's genres is
    preferred; the graded variant adds it in proportion to the user's affinity for
    the candidate's genres instead.
    """
    matched = tuple(g for g in candidate.genre_ids if g in profile.preferred_genres)
    if graded:
        genre_part = weights.genre * _genre_fraction(candidate.genre_ids, profile)
    else:
        genre_part = weights.genre if matched else 0.0
    rating_ok = candidate.vote_average >= profile.average_rating
    type_ok = candidate.media_type in profile.preferred_types
    score = genre_part + (weights.rating if rating_ok else 0.0)
    score += weights.media_type if type_ok else 0.0
    return ContentMatch(score, matched, rating_ok, type_ok)


def _genre_fraction(genre_ids: Sequence[int], profile: TasteProfile) -> float:
    """Return the candidate's genre affinity relative to the user's favourite genre."""
    if not genre_ids or not profile.genre_affinity:
        return 0.0
    peak = max(profile.genre_affinity.values())
    mean = sum(profile.genre_affinity.get(g, 0.0) for g in genre_ids) / len(genre_ids)
    return min(1.0, mean / peak)
