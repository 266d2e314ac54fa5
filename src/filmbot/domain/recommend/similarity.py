"""Item-item similarity from community ratings, updated incrementally.

A member's rating is a *signal* for a title when its score reaches
``signal_threshold``. The index keeps, for every pair of titles, how many members
gave both a signal (co-counts) and, for every title, how many members gave it one.
Similarity is the shrunk cosine of these binary vectors::

    sim(i, j) = co(i, j) / (n(i) ** alpha * n(j) ** (1 - alpha) + shrink)

The default threshold of 1 (every rating is a signal: "members who rated X also
rated Y") evaluated better than counting only likes (score >= 7); see
bench/RESULTS-recommend.md. Who *liked* a title (score >= 7) is kept as well, for
explanations such as "liked by 4 members who liked Inception".

Adding, changing or removing one rating touches only the co-counts of that member's
titles (O(k) for k rated titles), so the index is built once per community and kept
up to date instead of being rebuilt for every command. Each title's top neighbours
are computed on first use and cached; an update drops only the rows it can change.

This is the pure reference implementation. The bot uses a vectorised one with the
same results (``filmbot.services.recommend_index``); the recommender reads either
through the ``SimilarityIndex`` protocol.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from filmbot.domain.models import TitleRef

LIKE_THRESHOLD = 7


@dataclass(frozen=True, slots=True)
class CommunityRating:
    """One member's 1..10 score of a title, as seen by the recommender."""

    user_id: int
    ref: TitleRef
    score: int


@dataclass(frozen=True, slots=True)
class SimilarityParams:
    """Tuning of the item-item similarity (defaults chosen by bench/recommend_eval.py)."""

    signal_threshold: int = 1
    shrink: float = 10.0
    alpha: float = 0.5
    neighbours: int = 100


@dataclass(frozen=True, slots=True)
class Neighbour:
    """A title similar to another, with the evidence behind the similarity."""

    ref: TitleRef
    similarity: float
    co_count: int


class ItemSimilarityIndex:
    """Co-counts between titles, kept current one rating at a time."""

    def __init__(self, params: SimilarityParams | None = None) -> None:
        self.params = params or SimilarityParams()
        self._ids: dict[TitleRef, int] = {}
        self._refs: list[TitleRef] = []
        self._counts: list[int] = []
        self._fans: list[set[Hashable]] = []
        self._co: list[dict[int, int]] = []
        self._scores: dict[Hashable, dict[int, int]] = {}
        self._rows: dict[int, list[tuple[int, float, int]]] = {}

    def set_params(self, params: SimilarityParams) -> None:
        """Change shrink, alpha or neighbour count without recounting."""
        if params.signal_threshold != self.params.signal_threshold:
            raise ValueError("signal_threshold changes need a rebuild")
        self.params = params
        self._rows.clear()

    @classmethod
    def build(
        cls, ratings: Iterable[CommunityRating], params: SimilarityParams | None = None
    ) -> ItemSimilarityIndex:
        """Build an index from a community's ratings in one pass."""
        index = cls(params)
        index._bulk_load(ratings)
        return index

    def _bulk_load(self, ratings: Iterable[CommunityRating]) -> None:
        """Record every rating, then count co-signals member by member."""
        for rating in ratings:
            self._scores.setdefault(rating.user_id, {})[self._intern(rating.ref)] = rating.score
        threshold = self.params.signal_threshold
        for user, scores in self._scores.items():
            counted = [item for item, score in scores.items() if score >= threshold]
            for item in counted:
                self._counts[item] += 1
                row = self._co[item]
                for other in counted:
                    if other != item:
                        row[other] = row.get(other, 0) + 1
            for item, score in scores.items():
                if score >= LIKE_THRESHOLD:
                    self._fans[item].add(user)

    def _intern(self, ref: TitleRef) -> int:
        """Return the dense id of a title, allocating one if new."""
        item = self._ids.get(ref)
        if item is None:
            item = len(self._refs)
            self._ids[ref] = item
            self._refs.append(ref)
            self._counts.append(0)
            self._fans.append(set())
            self._co.append({})
        return item

    def set_rating(self, user_id: Hashable, ref: TitleRef, score: int) -> None:
        """Add or change one member's rating of a title."""
        item = self._intern(ref)
        scores = self._scores.setdefault(user_id, {})
        threshold = self.params.signal_threshold
        was_counted = scores.get(item, 0) >= threshold
        scores[item] = score
        if score >= threshold and not was_counted:
            self._change_signal(scores, item, +1)
        elif score < threshold and was_counted:
            self._change_signal(scores, item, -1)
        if score >= LIKE_THRESHOLD:
            self._fans[item].add(user_id)
        else:
            self._fans[item].discard(user_id)

    def remove_rating(self, user_id: Hashable, ref: TitleRef) -> None:
        """Forget one member's rating of a title (no-op if absent)."""
        item = self._ids.get(ref)
        scores = self._scores.get(user_id)
        if item is None or scores is None or item not in scores:
            return
        score = scores.pop(item)
        if score >= self.params.signal_threshold:
            self._change_signal(scores, item, -1)
        self._fans[item].discard(user_id)
        if not scores:
            del self._scores[user_id]

    def remove_user(self, user_id: Hashable) -> None:
        """Forget every rating of a member (e.g. they left the server)."""
        for item in list(self._scores.get(user_id, {})):
            self.remove_rating(user_id, self._refs[item])

    def _change_signal(self, scores: dict[int, int], item: int, delta: int) -> None:
        """Add (+1) or withdraw (-1) a signal for item against the member's other signals."""
        threshold = self.params.signal_threshold
        self._invalidate(item)
        row = self._co[item]
        for other, score in scores.items():
            if other == item or score < threshold:
                continue
            self._rows.pop(other, None)
            row[other] = row.get(other, 0) + delta
            back = self._co[other]
            back[item] = back.get(item, 0) + delta
            if row[other] == 0:
                del row[other]
                del back[item]
        self._counts[item] += delta

    def _invalidate(self, item: int) -> None:
        """Drop cached rows that depend on the signal count or co-counts of item."""
        self._rows.pop(item, None)
        for other in self._co[item]:
            self._rows.pop(other, None)

    def _row(self, item: int) -> list[tuple[int, float, int]]:
        """Return the cached top neighbours of an item as (id, similarity, co-count)."""
        row = self._rows.get(item)
        if row is None:
            row = self._compute_row(item)
            self._rows[item] = row
        return row

    def _compute_row(self, item: int) -> list[tuple[int, float, int]]:
        """Compute the top neighbours of one item from the co-counts."""
        alpha, shrink, counts = self.params.alpha, self.params.shrink, self._counts
        base = counts[item] ** alpha
        beta = 1.0 - alpha
        sims = (
            (other, count / (base * counts[other] ** beta + shrink), count)
            for other, count in self._co[item].items()
        )
        refs = self._refs
        return heapq.nlargest(
            self.params.neighbours, sims, key=lambda entry: (entry[1], _tie_key(refs[entry[0]]))
        )

    def neighbours(self, ref: TitleRef) -> list[Neighbour]:
        """Return the titles most similar to ref, best first."""
        item = self._ids.get(ref)
        if item is None:
            return []
        refs = self._refs
        return [Neighbour(refs[other], sim, co) for other, sim, co in self._row(item)]

    def score(self, seeds: Mapping[TitleRef, float]) -> dict[TitleRef, CollaborativeEvidence]:
        """Sum weighted similarities to every neighbour of the seeds, noting the strongest link."""
        totals: dict[int, float] = {}
        best: dict[int, tuple[float, int, int]] = {}
        for seed, weight in seeds.items():
            item = self._ids.get(seed)
            if item is None:
                continue
            for other, sim, co in self._row(item):
                part = sim * weight
                totals[other] = totals.get(other, 0.0) + part
                if other not in best or part > best[other][0]:
                    best[other] = (part, item, co)
        refs = self._refs
        return {
            refs[other]: CollaborativeEvidence(total, refs[best[other][1]], best[other][2])
            for other, total in totals.items()
        }

    def user_refs(self, user_id: Hashable) -> Iterator[TitleRef]:
        """Yield the titles a member has rated."""
        for item in self._scores.get(user_id, {}):
            yield self._refs[item]

    def title_stats(self, min_count: int) -> Iterator[tuple[TitleRef, float, int]]:
        """Yield (title, mean score, count) for titles rated at least min_count times."""
        sums: dict[int, int] = {}
        counts: dict[int, int] = {}
        for scores in self._scores.values():
            for item, score in scores.items():
                sums[item] = sums.get(item, 0) + score
                counts[item] = counts.get(item, 0) + 1
        for item, count in counts.items():
            if count >= min_count:
                yield self._refs[item], sums[item] / count, count

    def signal_count(self, ref: TitleRef) -> int:
        """Number of members whose rating of a title counts as a signal."""
        item = self._ids.get(ref)
        return 0 if item is None else self._counts[item]

    def co_signal_count(self, a: TitleRef, b: TitleRef) -> int:
        """Number of members whose ratings of both titles count as signals."""
        ia, ib = self._ids.get(a), self._ids.get(b)
        if ia is None or ib is None:
            return 0
        return self._co[ia].get(ib, 0)

    def liker_count(self, ref: TitleRef) -> int:
        """Number of members who rated a title 7/10 or more."""
        item = self._ids.get(ref)
        return 0 if item is None else len(self._fans[item])

    def co_like_count(self, a: TitleRef, b: TitleRef) -> int:
        """Number of members who rated both titles 7/10 or more."""
        ia, ib = self._ids.get(a), self._ids.get(b)
        if ia is None or ib is None:
            return 0
        return len(self._fans[ia] & self._fans[ib])


def _tie_key(ref: TitleRef) -> tuple[int, str]:
    """Order equal similarities by TMDB id, then type, the same way in every index."""
    return -ref.tmdb_id, ref.media_type.value


@dataclass(frozen=True, slots=True)
class CollaborativeEvidence:
    """Collaborative score of a candidate and the seed that supports it most."""

    score: float
    seed: TitleRef
    co_count: int


class SimilarityIndex(Protocol):
    """What the recommender reads from a community's similarity index."""

    def score(self, seeds: Mapping[TitleRef, float]) -> dict[TitleRef, CollaborativeEvidence]:
        """Sum weighted similarities to every neighbour of the seeds, noting the strongest link."""
        ...

    def title_stats(self, min_count: int) -> Iterator[tuple[TitleRef, float, int]]:
        """Yield (title, mean score, count) for titles rated at least min_count times."""
        ...

    def co_like_count(self, a: TitleRef, b: TitleRef) -> int:
        """Number of members who rated both titles 7/10 or more."""
        ...
