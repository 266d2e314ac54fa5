"""Recommendation engine: scoring rules, exclusions, dedupe, cold start and explanations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.recommend import (
    BlendWeights,
    Candidate,
    CommunityRating,
    ContentWeights,
    ItemSimilarityIndex,
    ReasonKind,
    RecommendConfig,
    RecommendRequest,
    UserRating,
    plan,
    recommend,
    seed_weights,
)
from filmbot.domain.recommend.content import build_profile, content_score

SCIFI, DRAMA, COMEDY, HORROR = 878, 18, 35, 27
GENRES = {SCIFI: "Science Fiction", DRAMA: "Drama", COMEDY: "Comedy", HORROR: "Horror"}
ARRIVAL = TitleRef(MediaType.MOVIE, 329865)
INCEPTION = TitleRef(MediaType.MOVIE, 27205)
CONTENT_ONLY = RecommendConfig(blend=BlendWeights(content=1.0, collaborative=0.0, popularity=0.0))


def movie(n: int) -> TitleRef:
    return TitleRef(MediaType.MOVIE, n)


def tv(n: int) -> TitleRef:
    return TitleRef(MediaType.TV, n)


def cand(
    ref: TitleRef,
    genres: tuple[int, ...] = (),
    vote: float = 0.0,
    pop: float = 1.0,
    source: TitleRef | None = None,
    title: str = "",
) -> Candidate:
    return Candidate(ref, title or f"Title {ref}", genres, vote, pop, source)


def arrival_fan() -> list[UserRating]:
    """A movie fan who loves science fiction; average rating 7.0."""
    return [
        UserRating(ARRIVAL, 9, "Arrival", (SCIFI, DRAMA)),
        UserRating(INCEPTION, 8, "Inception", (SCIFI,)),
        UserRating(movie(3), 4, "Bad Comedy", (COMEDY,)),
    ]


def empty_index() -> ItemSimilarityIndex:
    return ItemSimilarityIndex()


def community(pairs: list[tuple[int, TitleRef, int]]) -> ItemSimilarityIndex:
    return ItemSimilarityIndex.build(CommunityRating(u, r, s) for u, r, s in pairs)


# --- content rule -------------------------------------------------------------------------


def test_profile_takes_genres_average_and_type_from_ratings() -> None:
    profile = build_profile(arrival_fan())
    assert SCIFI in profile.preferred_genres
    assert COMEDY not in profile.preferred_genres
    assert profile.average_rating == pytest.approx(7.0)
    assert profile.preferred_types == {MediaType.MOVIE}


def test_preferred_type_tie_prefers_both_types() -> None:
    profile = build_profile([UserRating(movie(1), 8, "A"), UserRating(tv(2), 8, "B")])
    assert profile.preferred_types == {MediaType.MOVIE, MediaType.TV}


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        (cand(tv(1), (HORROR,), vote=6.9), 0.0),
        (cand(tv(1), (HORROR, SCIFI), vote=6.9), 0.4),
        (cand(tv(1), (HORROR,), vote=7.0), 0.3),
        (cand(movie(1), (HORROR,), vote=6.9), 0.3),
        (cand(movie(1), (SCIFI,), vote=8.0), 1.0),
    ],
    ids=["none", "genre-only", "rating-at-average", "type-only", "all-three"],
)
def test_each_weight_applies_exactly_when_its_rule_holds(
    candidate: Candidate, expected: float
) -> None:
    profile = build_profile(arrival_fan())
    assert content_score(candidate, profile, ContentWeights()).score == pytest.approx(expected)


def test_content_weights_are_configurable() -> None:
    profile = build_profile(arrival_fan())
    weights = ContentWeights(genre=1.0, rating=0.0, media_type=2.0)
    match = content_score(cand(movie(1), (SCIFI,), vote=9), profile, weights)
    assert match.score == pytest.approx(3.0)


def test_graded_genres_scale_with_the_share_of_preferred_genres() -> None:
    profile = build_profile(arrival_fan())
    weights = ContentWeights(genre=1.0, rating=0.0, media_type=0.0)
    pure = content_score(cand(tv(1), (SCIFI,)), profile, weights, graded=True).score
    mixed = content_score(cand(tv(1), (SCIFI, HORROR)), profile, weights, graded=True).score
    assert pure == pytest.approx(1.0)
    assert 0.0 < mixed < pure


def test_higher_content_score_ranks_first() -> None:
    request = RecommendRequest(
        ratings=arrival_fan(),
        candidates=[cand(movie(10), (HORROR,), 5.0), cand(movie(11), (SCIFI,), 8.0)],
    )
    result = recommend(request, empty_index(), CONTENT_ONLY)
    assert [r.ref for r in result.items] == [movie(11), movie(10)]


# --- exclusions, dedupe, limits -------------------------------------------------------------


def test_owned_titles_are_never_recommended() -> None:
    watchlisted = movie(50)
    index = community([(u, ARRIVAL, 9) for u in (1, 2)] + [(u, INCEPTION, 9) for u in (1, 2)])
    request = RecommendRequest(
        ratings=[UserRating(ARRIVAL, 9, "Arrival", (SCIFI,))],
        watchlist=[watchlisted],
        candidates=[cand(watchlisted, (SCIFI,), 9), cand(ARRIVAL, (SCIFI,), 9)],
        trending=[cand(watchlisted), cand(movie(51))],
        catalogue={INCEPTION: cand(INCEPTION, (SCIFI,), 8)},
    )
    refs = [r.ref for r in recommend(request, index).items]
    assert refs
    assert watchlisted not in refs
    assert ARRIVAL not in refs


def test_duplicates_keep_the_best_score_and_merge_reasons() -> None:
    target = movie(20)
    request = RecommendRequest(
        ratings=arrival_fan(),
        candidates=[
            cand(target, (SCIFI,), vote=5.0, source=ARRIVAL),
            cand(target, (SCIFI,), vote=8.0, source=INCEPTION),
        ],
    )
    [item] = recommend(request, empty_index(), CONTENT_ONLY).items
    assert item.score == pytest.approx(1.0)
    seeds = {r.title for r in item.reasons if r.kind is ReasonKind.RATED_SEED}
    assert seeds == {"Arrival", "Inception"}


def test_one_entry_per_type_and_id() -> None:
    request = RecommendRequest(
        ratings=arrival_fan(), candidates=[cand(movie(7)), cand(tv(7)), cand(movie(7))]
    )
    refs = [r.ref for r in recommend(request, empty_index()).items]
    assert sorted(refs, key=str) == [movie(7), tv(7)]


def test_top_ten_by_default() -> None:
    request = RecommendRequest(
        ratings=arrival_fan(), candidates=[cand(movie(100 + i)) for i in range(25)]
    )
    assert len(recommend(request, empty_index()).items) == 10


def test_media_type_filter_keeps_only_that_type() -> None:
    index = community([(1, ARRIVAL, 9), (1, tv(5), 9), (1, movie(6), 9)])
    request = RecommendRequest(
        ratings=arrival_fan(),
        candidates=[cand(tv(1)), cand(movie(2), source=ARRIVAL)],
        trending=[cand(movie(3)), cand(tv(4))],
        catalogue={tv(5): cand(tv(5)), movie(6): cand(movie(6))},
        media_type=MediaType.TV,
    )
    refs = {r.ref for r in recommend(request, index).items}
    assert refs == {tv(1), tv(4), tv(5)}
    assert all(r.media_type is MediaType.TV for r in plan(request, index).details_needed)


# --- collaborative stage ----------------------------------------------------------------------


def test_community_likes_lift_a_candidate_and_explain_it() -> None:
    liked_together, other = movie(30), movie(31)
    index = community(
        [(u, ARRIVAL, 9) for u in (1, 2, 3, 4)] + [(u, liked_together, 8) for u in (1, 2, 3, 4)]
    )
    request = RecommendRequest(
        ratings=arrival_fan(),
        candidates=[cand(other, (SCIFI,), 8.0, pop=5.0)],
        catalogue={liked_together: cand(liked_together, (HORROR,), 5.0, title="Contact")},
    )
    items = recommend(request, index).items
    assert items[0].ref == liked_together
    assert items[0].explanation == "Liked by 4 members who liked Arrival"


def test_guild_isolation_other_guilds_ratings_have_no_influence() -> None:
    target, rival = movie(40), movie(41)
    guild_a = [(u, ARRIVAL, 9) for u in (1, 2)] + [(u, rival, 9) for u in (1, 2)]
    guild_b = [(u, ARRIVAL, 9) for u in range(10, 20)] + [(u, target, 9) for u in range(10, 20)]
    request = RecommendRequest(
        ratings=[UserRating(ARRIVAL, 9, "Arrival")],
        catalogue={target: cand(target), rival: cand(rival)},
    )
    only_a = recommend(request, community(guild_a)).items
    both = recommend(request, community(guild_a + guild_b)).items
    assert [r.ref for r in only_a] == [rival]
    assert both[0].ref == target
    assert plan(request, community(guild_a)).details_needed == (rival,)


def test_plan_names_top_rated_seeds_and_community_titles_to_fetch() -> None:
    index = community([(1, ARRIVAL, 9), (1, movie(60), 9), (1, movie(3), 9)])
    result = plan(RecommendRequest(ratings=arrival_fan()), index)
    assert result.tmdb_seeds == (ARRIVAL, INCEPTION)
    assert result.details_needed == (movie(60),)


def test_recent_seeds_weigh_more_than_old_ones() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    ratings = [
        UserRating(movie(1), 8, "Old", rated_at=now - timedelta(days=300)),
        UserRating(movie(2), 8, "New", rated_at=now),
        UserRating(movie(3), 3, "Between", rated_at=now - timedelta(days=1)),
    ]
    weights = seed_weights(RecommendRequest(ratings=ratings), half_life=1.0)
    assert weights == {movie(2): 1.0, movie(1): 0.25}
    assert seed_weights(RecommendRequest(ratings=ratings), None) == {movie(2): 1.0, movie(1): 1.0}


# --- based on one title -------------------------------------------------------------------------


def test_based_on_a_title_uses_it_as_the_only_seed() -> None:
    seed = cand(tv(70), (COMEDY,), 8.0, title="Severance")
    index = community(
        [(u, tv(70), 9) for u in (1, 2)]
        + [(u, tv(71), 9) for u in (1, 2)]
        + [(u, ARRIVAL, 9) for u in (3, 4)]
        + [(u, movie(72), 9) for u in (3, 4)]
    )
    request = RecommendRequest(
        ratings=arrival_fan(),
        seed=seed,
        candidates=[cand(tv(73), (COMEDY,), 8.0, source=tv(70)), cand(tv(70), (COMEDY,), 9.0)],
        catalogue={tv(71): cand(tv(71)), movie(72): cand(movie(72))},
    )
    assert plan(request, index).tmdb_seeds == (tv(70),)
    items = recommend(request, index).items
    refs = [r.ref for r in items]
    assert tv(70) not in refs
    assert movie(72) not in refs
    assert set(refs) == {tv(71), tv(73)}
    by_ref = {r.ref: r for r in items}
    assert by_ref[tv(73)].explanation.startswith("Similar to Severance")
    assert by_ref[tv(71)].reasons[0].text == "liked by 2 members who liked Severance"


def test_based_on_a_title_prefers_its_genres_and_type() -> None:
    seed = cand(tv(70), (COMEDY,), 8.0, title="Severance")
    request = RecommendRequest(
        ratings=arrival_fan(),
        seed=seed,
        candidates=[cand(movie(80), (SCIFI,), 9.0), cand(tv(81), (COMEDY,), 9.0)],
    )
    assert recommend(request, empty_index(), CONTENT_ONLY).items[0].ref == tv(81)


# --- cold start -----------------------------------------------------------------------------


def test_cold_start_mixes_trending_and_server_favourites_and_says_so() -> None:
    loved = movie(90)
    index = community([(u, loved, 9) for u in range(3)] + [(0, movie(91), 10)])
    request = RecommendRequest(
        watchlist=[movie(2)],
        trending=[cand(movie(1), title="Dune"), cand(movie(2), title="Owned")],
        catalogue={loved: cand(loved, title="Paddington 2"), movie(91): cand(movie(91))},
    )
    result = recommend(request, index)
    assert result.cold_start
    assert result.message == (
        "You haven't rated anything yet, so here is what is trending and what this server loves."
    )
    texts = {r.title: r.explanation for r in result.items}
    assert texts == {
        "Dune": "Trending now",
        "Paddington 2": "Rated 9.0/10 on average by 3 members of this server",
    }


def test_cold_start_plan_asks_for_details_of_server_favourites() -> None:
    index = community([(u, movie(90), 9) for u in range(3)])
    assert plan(RecommendRequest(), index).details_needed == (movie(90),)


def test_a_user_with_ratings_is_not_a_cold_start() -> None:
    request = RecommendRequest(ratings=arrival_fan(), trending=[cand(movie(1))])
    result = recommend(request, empty_index())
    assert not result.cold_start
    assert result.message == ""


# --- explanations ---------------------------------------------------------------------------


def test_explanation_names_the_rated_seed_and_matching_genres() -> None:
    request = RecommendRequest(
        ratings=arrival_fan(),
        candidates=[cand(movie(20), (SCIFI,), 8.0, source=ARRIVAL)],
        genre_names=GENRES,
    )
    [item] = recommend(request, empty_index()).items
    assert item.explanation == (
        "Because you rated Arrival 9/10; matches your taste for Science Fiction"
    )
    assert [r.kind for r in item.reasons] == [ReasonKind.RATED_SEED, ReasonKind.GENRE]


def test_trending_candidate_for_a_rated_user_says_trending() -> None:
    request = RecommendRequest(ratings=arrival_fan(), trending=[cand(movie(1), (HORROR,))])
    [item] = recommend(request, empty_index()).items
    assert item.explanation == "Trending now"


def test_candidate_without_any_link_falls_back_to_popular() -> None:
    request = RecommendRequest(ratings=arrival_fan(), candidates=[cand(movie(1), (HORROR,))])
    [item] = recommend(request, empty_index()).items
    assert item.explanation == "Popular on TMDB"


def test_single_member_wording() -> None:
    index = community([(1, ARRIVAL, 9), (1, movie(5), 9)])
    request = RecommendRequest(ratings=arrival_fan(), catalogue={movie(5): cand(movie(5))})
    [item] = recommend(request, index).items
    assert item.explanation == "Liked by 1 member who liked Arrival"


def test_co_rated_but_not_co_liked_title_says_rated_by() -> None:
    index = community([(u, ARRIVAL, 9) for u in (1, 2)] + [(u, movie(5), 5) for u in (1, 2)])
    request = RecommendRequest(ratings=arrival_fan(), catalogue={movie(5): cand(movie(5))})
    [item] = recommend(request, index).items
    assert item.explanation == "Rated by 2 members who also rated Arrival"
    assert item.reasons[0].kind is ReasonKind.COMMUNITY_RATED
