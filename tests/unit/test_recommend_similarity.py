"""Item-item similarity index: counts, similarity formula and incremental updates.

Every rule is checked on both implementations: the domain's pure reference and the
vectorised index the bot uses; a randomised test checks they agree exactly.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from filmbot.db.repositories.community import MEDIA_TYPES, RatingColumns
from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.recommend.similarity import (
    CommunityRating,
    ItemSimilarityIndex,
    SimilarityParams,
)
from filmbot.services.recommend_index import SparseSimilarityIndex

Index = ItemSimilarityIndex | SparseSimilarityIndex


def movie(n: int) -> TitleRef:
    return TitleRef(MediaType.MOVIE, n)


def tv(n: int) -> TitleRef:
    return TitleRef(MediaType.TV, n)


class Build:
    """Builds one implementation of the index, as named by the test parameter."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def __call__(
        self, ratings: list[CommunityRating], params: SimilarityParams | None = None
    ) -> Index:
        if self.kind == "reference":
            return ItemSimilarityIndex.build(ratings, params)
        return SparseSimilarityIndex.build(((r.user_id, r.ref, r.score) for r in ratings), params)

    def empty(self, params: SimilarityParams | None = None) -> Index:
        if self.kind == "reference":
            return ItemSimilarityIndex(params)
        return SparseSimilarityIndex(params)


@pytest.fixture(params=["reference", "vectorised"])
def build(request: pytest.FixtureRequest) -> Build:
    return Build(str(request.param))


def snapshot(index: Index, refs: list[TitleRef]) -> dict[TitleRef, object]:
    return {
        r: (
            index.signal_count(r),
            index.liker_count(r),
            [index.co_like_count(r, other) for other in refs],
            [(n.ref, round(n.similarity, 12), n.co_count) for n in index.neighbours(r)],
        )
        for r in refs
    }


LIKES_ONLY = SimilarityParams(signal_threshold=7)


def test_co_counts_track_raters_and_likers_of_both_titles(build: Build) -> None:
    index = build(
        [
            CommunityRating(1, movie(1), 9),
            CommunityRating(1, movie(2), 8),
            CommunityRating(2, movie(1), 7),
            CommunityRating(2, movie(2), 10),
            CommunityRating(3, movie(1), 9),
            CommunityRating(3, movie(2), 3),
        ]
    )
    assert index.co_signal_count(movie(1), movie(2)) == 3
    assert index.co_like_count(movie(1), movie(2)) == 2
    assert index.liker_count(movie(1)) == 3
    assert index.liker_count(movie(2)) == 2
    assert index.signal_count(movie(2)) == 3


def test_scores_below_the_signal_threshold_are_not_counted(build: Build) -> None:
    ratings = [CommunityRating(1, movie(1), 6), CommunityRating(1, movie(2), 6)]
    likes_only = build(ratings, LIKES_ONLY)
    assert likes_only.co_signal_count(movie(1), movie(2)) == 0
    assert likes_only.neighbours(movie(1)) == []
    every_rating = build(ratings)
    assert [n.ref for n in every_rating.neighbours(movie(1))] == [movie(2)]
    assert every_rating.co_like_count(movie(1), movie(2)) == 0


def test_similarity_is_shrunk_cosine_of_like_vectors(build: Build) -> None:
    params = SimilarityParams(shrink=2.0, alpha=0.5, neighbours=10)
    ratings = [CommunityRating(u, movie(1), 8) for u in range(4)]
    ratings += [CommunityRating(u, movie(2), 8) for u in range(2)]
    index = build(ratings, params)
    [neighbour] = index.neighbours(movie(1))
    assert neighbour.ref == movie(2)
    assert neighbour.co_count == 2
    assert neighbour.similarity == pytest.approx(2 / (math.sqrt(4 * 2) + 2.0))


def test_asymmetric_alpha_weights_the_two_popularities_differently(build: Build) -> None:
    params = SimilarityParams(shrink=0.0, alpha=0.75, neighbours=10)
    ratings = [CommunityRating(u, movie(1), 8) for u in range(4)]
    ratings += [CommunityRating(u, movie(2), 8) for u in range(2)]
    index = build(ratings, params)
    assert index.neighbours(movie(1))[0].similarity == pytest.approx(2 / (4**0.75 * 2**0.25))
    assert index.neighbours(movie(2))[0].similarity == pytest.approx(2 / (2**0.75 * 4**0.25))


def test_neighbour_list_is_capped_and_best_first(build: Build) -> None:
    ratings = [CommunityRating(u, movie(0), 9) for u in range(10)]
    ratings += [CommunityRating(u, movie(k), 9) for k in range(1, 6) for u in range(k)]
    index = build(ratings, SimilarityParams(neighbours=3))
    refs = [n.ref for n in index.neighbours(movie(0))]
    assert refs == [movie(5), movie(4), movie(3)]


@pytest.mark.parametrize("threshold", [1, 7])
def test_incremental_updates_equal_a_full_rebuild(build: Build, threshold: int) -> None:
    params = SimilarityParams(signal_threshold=threshold, neighbours=5)
    rng = random.Random(7)
    refs = [movie(i) for i in range(12)] + [tv(i) for i in range(6)]
    live = build.empty(params)
    state: dict[tuple[int, TitleRef], int] = {}
    for step in range(600):
        user, ref = rng.randrange(15), rng.choice(refs)
        if rng.random() < 0.2:
            live.remove_rating(user, ref)
            state.pop((user, ref), None)
        else:
            score = rng.randint(1, 10)
            live.set_rating(user, ref, score)
            state[(user, ref)] = score
        if step % 50 == 0:
            live.neighbours(rng.choice(refs))  # fill the row cache mid-way
    rebuilt = build([CommunityRating(u, r, s) for (u, r), s in state.items()], params)
    assert snapshot(live, refs) == snapshot(rebuilt, refs)
    assert any(snapshot(rebuilt, refs)[r][3] for r in refs)


def test_changing_a_rating_below_the_threshold_withdraws_the_signal(build: Build) -> None:
    index = build([CommunityRating(1, movie(1), 9), CommunityRating(1, movie(2), 9)], LIKES_ONLY)
    assert index.neighbours(movie(1))[0].ref == movie(2)
    index.set_rating(1, movie(2), 4)
    assert index.neighbours(movie(1)) == []
    assert index.signal_count(movie(2)) == 0
    assert index.liker_count(movie(2)) == 0


def test_lowering_a_rating_keeps_the_co_rating_but_drops_the_co_like(build: Build) -> None:
    index = build([CommunityRating(1, movie(1), 9), CommunityRating(1, movie(2), 9)])
    index.set_rating(1, movie(2), 4)
    assert index.co_signal_count(movie(1), movie(2)) == 1
    assert index.co_like_count(movie(1), movie(2)) == 0


def test_removing_a_member_drops_all_their_likes(build: Build) -> None:
    index = build(
        [CommunityRating(1, movie(1), 9), CommunityRating(1, movie(2), 9)]
        + [CommunityRating(2, movie(1), 9), CommunityRating(2, movie(3), 9)]
    )
    index.remove_user(1)
    assert index.co_signal_count(movie(1), movie(2)) == 0
    assert index.co_like_count(movie(1), movie(2)) == 0
    assert index.co_like_count(movie(1), movie(3)) == 1
    assert list(index.user_refs(1)) == []


def test_removing_an_unknown_rating_changes_nothing(build: Build) -> None:
    index = build([CommunityRating(1, movie(1), 9)])
    index.remove_rating(2, movie(1))
    index.remove_rating(1, movie(99))
    assert index.liker_count(movie(1)) == 1
    assert index.signal_count(movie(1)) == 1


def test_score_sums_weighted_similarity_and_names_strongest_seed(build: Build) -> None:
    ratings = [CommunityRating(u, movie(1), 9) for u in range(3)]
    ratings += [CommunityRating(u, movie(2), 9) for u in range(3)]
    ratings += [CommunityRating(u, movie(3), 9) for u in (0,)]
    ratings += [CommunityRating(u, movie(9), 9) for u in range(3)]
    index = build(ratings, SimilarityParams(shrink=0.0))
    evidence = index.score({movie(1): 1.0, movie(3): 0.5})
    target = evidence[movie(9)]
    sim_1_9 = 3 / 3
    sim_3_9 = 1 / math.sqrt(1 * 3)
    assert target.score == pytest.approx(sim_1_9 + 0.5 * sim_3_9)
    assert target.seed == movie(1)
    assert target.co_count == 3


def test_set_params_keeps_counts_but_refuses_a_new_signal_threshold(build: Build) -> None:
    index = build([CommunityRating(1, movie(1), 9), CommunityRating(1, movie(2), 9)])
    before = index.neighbours(movie(1))[0].similarity
    index.set_params(SimilarityParams(shrink=0.0))
    assert index.neighbours(movie(1))[0].similarity == pytest.approx(1.0)
    assert before != pytest.approx(1.0)
    with pytest.raises(ValueError):
        index.set_params(SimilarityParams(signal_threshold=8))


def test_title_stats_respect_minimum_count(build: Build) -> None:
    index = build(
        [CommunityRating(u, movie(1), 8 + u % 2) for u in range(4)]
        + [CommunityRating(1, movie(2), 10)]
    )
    assert list(index.title_stats(min_count=3)) == [(movie(1), 8.5, 4)]


@pytest.mark.parametrize("threshold", [1, 7])
def test_vectorised_index_agrees_exactly_with_the_reference(threshold: int) -> None:
    params = SimilarityParams(signal_threshold=threshold, neighbours=6)
    rng = random.Random(threshold)
    refs = [movie(i) for i in range(40)] + [tv(i) for i in range(20)]
    reference, vectorised = ItemSimilarityIndex(params), SparseSimilarityIndex(params)
    seeds = {ref: rng.random() for ref in rng.sample(refs, 8)}
    for step in range(1200):
        user, ref = rng.randrange(30), rng.choice(refs)
        if rng.random() < 0.2:
            reference.remove_rating(user, ref)
            vectorised.remove_rating(user, ref)
        else:
            score = rng.randint(1, 10)
            reference.set_rating(user, ref, score)
            vectorised.set_rating(user, ref, score)
        if step % 40 == 0:
            assert vectorised.score(seeds) == reference.score(seeds), step
    assert snapshot(vectorised, refs) == snapshot(reference, refs)
    assert vectorised.score(seeds) == reference.score(seeds)
    assert sorted(vectorised.title_stats(2), key=str) == sorted(reference.title_stats(2), key=str)
    assert any(snapshot(reference, refs)[r][3] for r in refs)


def test_vectorised_index_applies_a_batch_where_the_last_change_wins() -> None:
    index = SparseSimilarityIndex.build([(1, movie(1), 9), (1, movie(2), 9), (2, movie(1), 8)])
    index.apply([(2, movie(2), 9), (2, movie(2), 3), (1, movie(2), None), (3, movie(9), None)])
    assert index.rating_count == 3
    assert index.co_like_count(movie(1), movie(2)) == 0
    assert index.co_signal_count(movie(1), movie(2)) == 1
    assert list(index.user_refs(1)) == [movie(1)]
    assert index.score({movie(9): 1.0}) == {}


def columns(ratings: list[tuple[int, TitleRef, int]]) -> RatingColumns:
    """Ratings as the database's bulk read returns them."""
    return RatingColumns(
        np.array([user for user, _, _ in ratings], np.int64),
        np.array([MEDIA_TYPES.index(ref.media_type) for _, ref, _ in ratings], np.int64),
        np.array([ref.tmdb_id for _, ref, _ in ratings], np.int64),
        np.array([score for _, _, score in ratings], np.int64),
    )


@pytest.mark.parametrize("threshold", [1, 7])
def test_ratings_read_as_columns_build_the_same_index_as_triples(threshold: int) -> None:
    params = SimilarityParams(signal_threshold=threshold, neighbours=6)
    rng = random.Random(100 + threshold)
    # Films and shows share TMDB ids: the media type must keep them apart.
    refs = [movie(i) for i in range(40)] + [tv(i) for i in range(40)]
    batches = [
        [(rng.randrange(30), rng.choice(refs), rng.randint(1, 10)) for _ in range(300)]
        for _ in range(4)
    ]
    triples, columnar = SparseSimilarityIndex(params), SparseSimilarityIndex(params)
    reference = ItemSimilarityIndex(params)
    seeds = {ref: rng.random() for ref in rng.sample(refs, 8)}
    for batch in batches:
        triples.apply(batch)
        columnar.apply_columns(columns(batch))
        for user, ref, score in batch:
            reference.set_rating(user, ref, score)
        assert list(columnar.score(seeds).items()) == list(triples.score(seeds).items())
    assert columnar.score(seeds) == reference.score(seeds)
    assert snapshot(columnar, refs) == snapshot(reference, refs)
    assert [list(columnar.user_refs(u)) for u in range(30)] == [
        list(triples.user_refs(u)) for u in range(30)
    ]
    assert (
        columnar.rating_count
        == triples.rating_count
        == len({(user, ref) for batch in batches for user, ref, _ in batch})
    )
