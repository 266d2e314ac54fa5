"""Recommendation engine core: blend of content score and community similarity.

Flow for the service layer:

1. ``plan(request, index)`` says which seed titles to fetch TMDB similar /
   recommendations for and which community titles to fetch details of.
2. ``recommend(request, index)`` ranks the fetched candidates and explains each.

Pure code: the caller supplies the user's ratings and watchlist, TMDB candidates,
trending titles, a catalogue of title details and the community's
``SimilarityIndex`` (built from the ratings of one server, or of all servers).
"""

from __future__ import annotations

import heapq
import logging
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field

from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.recommend.content import (
    Candidate,
    ContentWeights,
    TasteProfile,
    UserRating,
    build_profile,
    content_score,
    highly_rated,
    most_recent_first,
    profile_from_seed,
)
from filmbot.domain.recommend.explain import (
    COLD_START_MESSAGE,
    Reason,
    ReasonKind,
    Recommendation,
    RecommendationResult,
    ranked,
)
from filmbot.domain.recommend.similarity import (
    CollaborativeEvidence,
    SimilarityIndex,
)

log = logging.getLogger(__name__)

# Seeds lose half their weight every this many ratings back; tuned on the validation
# split by bench/recommend_eval.py (results in bench/RESULTS-recommend.md).
RECENCY_HALF_LIFE = 2.0


@dataclass(frozen=True, slots=True)
class BlendWeights:
    """How much each signal counts in the final score.

    Tuned on a validation split of MovieLens by bench/recommend_eval.py (see
    bench/RESULTS-recommend.md); the test split numbers there use these values.
    """

    content: float = 0.2
    collaborative: float = 1.0
    popularity: float = 0.1


def blend_score(
    weights: BlendWeights, content: float, collaborative: float, popularity: float
) -> float:
    """Combine the three signals, each already scaled to 0..1."""
    return (
        weights.content * content
        + weights.collaborative * collaborative
        + weights.popularity * popularity
    )


@dataclass(frozen=True, slots=True)
class RecommendConfig:
    """Knobs of the recommender."""

    content: ContentWeights = field(default_factory=ContentWeights)
    blend: BlendWeights = field(default_factory=BlendWeights)
    graded_genres: bool = False
    recency_half_life: float | None = RECENCY_HALF_LIFE
    tmdb_seed_count: int = 5
    collaborative_pool: int = 50
    favourite_min_count: int = 3
    limit: int = 10


@dataclass(frozen=True, slots=True)
class RecommendRequest:
    """Everything known about one user's /recommend call."""

    ratings: Sequence[UserRating] = ()
    watchlist: Collection[TitleRef] = ()
    candidates: Sequence[Candidate] = ()
    trending: Sequence[Candidate] = ()
    catalogue: Mapping[TitleRef, Candidate] = field(default_factory=dict)
    genre_names: Mapping[int, str] = field(default_factory=dict)
    seed: Candidate | None = None
    media_type: MediaType | None = None

    @property
    def owned(self) -> frozenset[TitleRef]:
        """Titles the user already has: watchlist and rated."""
        return frozenset(self.watchlist) | {r.ref for r in self.ratings}

    @property
    def is_cold_start(self) -> bool:
        """True when there is neither a rating nor a seed title to go on."""
        return not self.ratings and self.seed is None

    def allows(self, ref: TitleRef) -> bool:
        """True when ref passes the media type filter."""
        return self.media_type is None or ref.media_type is self.media_type


@dataclass(frozen=True, slots=True)
class Plan:
    """What the service must fetch before calling recommend()."""

    tmdb_seeds: tuple[TitleRef, ...]
    details_needed: tuple[TitleRef, ...]


def seed_refs(request: RecommendRequest) -> list[TitleRef]:
    """Return the titles the recommendations grow from, best rated first."""
    if request.seed is not None:
        return [request.seed.ref]
    liked = highly_rated(request.ratings)
    if liked:
        return [r.ref for r in liked]
    top = max((r.score for r in request.ratings), default=None)
    return [r.ref for r in request.ratings if r.score == top]


def seed_weights(request: RecommendRequest, half_life: float | None) -> dict[TitleRef, float]:
    """Weight each seed by how recently it was rated: halved every half_life ratings.

    Recent taste predicts the next title best (see bench/RESULTS-recommend.md); with
    no dates or half_life None every seed weighs 1.
    """
    seeds = set(seed_refs(request))
    weights: dict[TitleRef, float] = {}
    dated = any(r.rated_at is not None for r in request.ratings)
    for rank, rating in enumerate(most_recent_first(request.ratings)):
        if rating.ref in seeds:
            decay = 0.5 ** (rank / half_life) if half_life and dated else 1.0
            weights[rating.ref] = decay
    return weights or dict.fromkeys(seeds, 1.0)


def plan(
    request: RecommendRequest, index: SimilarityIndex, config: RecommendConfig | None = None
) -> Plan:
    """Say which TMDB seeds and which community titles the service should fetch."""
    config = config or RecommendConfig()
    allowed = _wanted(request)
    if request.is_cold_start:
        favourites = server_favourites(index, config.favourite_min_count, config.limit * 2)
        return Plan((), tuple(ref for ref, _, _ in favourites if allowed(ref)))
    evidence = index.score(seed_weights(request, config.recency_half_life))
    best = heapq.nsmallest(
        config.collaborative_pool,
        (ref for ref in evidence if allowed(ref)),
        key=lambda ref: (-evidence[ref].score, ref.media_type.value, ref.tmdb_id),
    )
    return Plan(tuple(seed_refs(request)[: config.tmdb_seed_count]), tuple(best))


def _wanted(request: RecommendRequest) -> Callable[[TitleRef], bool]:
    """Return a test for titles that may be recommended: not owned, not the seed, right type."""
    blocked = set(request.owned)
    if request.seed is not None:
        blocked.add(request.seed.ref)
    return lambda ref: ref not in blocked and request.allows(ref)


def server_favourites(
    index: SimilarityIndex, min_count: int, limit: int
) -> list[tuple[TitleRef, float, int]]:
    """Return the community's best-rated titles with at least min_count ratings."""
    stats = sorted(index.title_stats(min_count), key=lambda s: (-s[1], -s[2], str(s[0])))
    return stats[:limit]


def recommend(
    request: RecommendRequest,
    index: SimilarityIndex,
    config: RecommendConfig | None = None,
) -> RecommendationResult:
    """Rank candidates for the user and explain each one."""
    config = config or RecommendConfig()
    if request.is_cold_start:
        return _cold_start(request, index, config)
    return RecommendationResult(_warm(request, index, config))


def _warm(
    request: RecommendRequest, index: SimilarityIndex, config: RecommendConfig
) -> tuple[Recommendation, ...]:
    """Score candidates with the blend of content, community and popularity."""
    scorer = _Scorer(request, index, config)
    return ranked([scorer.score(c) for c in scorer.pool], config.limit)


def _profile(request: RecommendRequest) -> TasteProfile:
    """Taste from the seed title when given, else from the user's ratings."""
    if request.seed is None:
        return build_profile(request.ratings)
    ratings = request.ratings
    average = sum(r.score for r in ratings) / len(ratings) if ratings else None
    return profile_from_seed(request.seed, average)


def _candidate_pool(
    request: RecommendRequest, evidence: Mapping[TitleRef, CollaborativeEvidence]
) -> list[Candidate]:
    """Collect TMDB, trending and community candidates the user may be shown."""
    community = (request.catalogue[ref] for ref in evidence if ref in request.catalogue)
    pool = [*request.candidates, *community, *request.trending]
    wanted = _wanted(request)
    return [c for c in pool if wanted(c.ref)]


class _Scorer:
    """Scores and explains candidates of one request."""

    def __init__(
        self, request: RecommendRequest, index: SimilarityIndex, config: RecommendConfig
    ) -> None:
        self.request, self.index, self.config = request, index, config
        self.profile = _profile(request)
        self.evidence = evidence = index.score(seed_weights(request, config.recency_half_life))
        self.pool = pool = _candidate_pool(request, evidence)
        self.rated = {r.ref: r for r in request.ratings}
        self.trending = {c.ref for c in request.trending}
        self.top_collab = max((evidence[c.ref].score for c in pool if c.ref in evidence), default=0)
        self.top_pop = math.log1p(max((c.popularity for c in pool), default=0.0))
        weights = config.content
        self.content_total = (weights.genre + weights.rating + weights.media_type) or 1.0

    def score(self, candidate: Candidate) -> Recommendation:
        """Blend the signals for one candidate and give the reasons."""
        match = content_score(
            candidate, self.profile, self.config.content, graded=self.config.graded_genres
        )
        found = self.evidence.get(candidate.ref)
        collab = found.score / self.top_collab if found and self.top_collab else 0.0
        pop = math.log1p(candidate.popularity) / self.top_pop if self.top_pop else 0.0
        total = blend_score(self.config.blend, match.score / self.content_total, collab, pop)
        reasons = self._reasons(candidate, found, match.genres)
        return Recommendation(candidate.ref, candidate.title, total, reasons, candidate.popularity)

    def _reasons(
        self,
        candidate: Candidate,
        found: CollaborativeEvidence | None,
        genres: tuple[int, ...],
    ) -> tuple[Reason, ...]:
        """List why the candidate fits, strongest first."""
        source = self._source_reason(candidate.source)
        reasons = [] if source is None else [source]
        if found is not None and found.co_count > 0:
            reasons.append(self._community_reason(found, candidate.ref))
        names = tuple(self.request.genre_names[g] for g in genres if g in self.request.genre_names)
        if names:
            reasons.append(Reason(ReasonKind.GENRE, genres=names[:2]))
        if candidate.ref in self.trending:
            reasons.append(Reason(ReasonKind.TRENDING))
        return tuple(reasons) or (Reason(ReasonKind.POPULAR),)

    def _source_reason(self, source: TitleRef | None) -> Reason | None:
        """Say which of the user's titles produced a TMDB candidate."""
        seed = self.request.seed
        if seed is not None and source == seed.ref:
            return Reason(ReasonKind.SIMILAR_TO, title=seed.title)
        rating = self.rated.get(source) if source is not None else None
        if rating is None:
            return None
        return Reason(ReasonKind.RATED_SEED, title=rating.title, score=rating.score)

    def _community_reason(self, found: CollaborativeEvidence, ref: TitleRef) -> Reason:
        """Say how many members who liked (or rated) the user's title also liked this one."""
        seed = self.request.seed
        if seed is not None and found.seed == seed.ref:
            title = seed.title
        else:
            title = self.rated[found.seed].title if found.seed in self.rated else "a title you like"
        likes = self.index.co_like_count(found.seed, ref)
        if likes:
            return Reason(ReasonKind.COMMUNITY, title=title, count=likes)
        return Reason(ReasonKind.COMMUNITY_RATED, title=title, count=found.co_count)


def _cold_start(
    request: RecommendRequest, index: SimilarityIndex, config: RecommendConfig
) -> RecommendationResult:
    """Interleave trending titles with the server's favourites."""
    items: list[Recommendation] = []
    wanted = _wanted(request)
    trending = [c for c in request.trending if wanted(c.ref)]
    for rank, cand in enumerate(trending):
        reason = Reason(ReasonKind.TRENDING)
        items.append(
            Recommendation(cand.ref, cand.title, 1 / (rank + 1), (reason,), cand.popularity)
        )
    favourites = server_favourites(index, config.favourite_min_count, config.limit * 2)
    kept = [f for f in favourites if wanted(f[0]) and f[0] in request.catalogue]
    for rank, (ref, mean, count) in enumerate(kept):
        cand = request.catalogue[ref]
        reason = Reason(ReasonKind.SERVER_FAVOURITE, count=count, mean=mean)
        items.append(Recommendation(ref, cand.title, 1 / (rank + 1), (reason,), cand.popularity))
    if len(kept) < len(favourites):
        log.debug("cold start: %s favourites lacked details or were filtered", len(favourites))
    return RecommendationResult(ranked(items, config.limit), True, COLD_START_MESSAGE)
