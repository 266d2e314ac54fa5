"""Speed of the domain's pure reference recommender for one busy server (synthetic data).

The bot runs the vectorised index (`filmbot.services.recommend_index`); its speed on
real data is measured by bench/recommend_service.py on MovieLens. This bench keeps
timing the pure reference implementation on synthetic members, who rate far fewer
titles each than MovieLens users do, so its figures understate a real server's cost.

A server of 1,000 members with 100 ratings each, drawn from a catalogue of 4,000
titles (70% movies, 30% TV) with genre structure: each member leans towards 2-3
genres and rates those titles higher; title popularity follows a Zipf law.
Measures the similarity index build, one incremental rating update, and the
server-side work of one /recommend (plan + scoring + explanations), p50/p95.

    python bench/recommend_speed.py [--members 1000] [--ratings 100] [--titles 4000]
"""

from __future__ import annotations

import argparse
import itertools
import random
import resource
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from filmbot.domain.models import MediaType, TitleRef
from filmbot.domain.recommend import (
    Candidate,
    CommunityRating,
    ItemSimilarityIndex,
    RecommendRequest,
    UserRating,
    plan,
    recommend,
)

GENRES = list(range(1, 20))


@dataclass
class World:
    """Synthetic catalogue and ratings of one server."""

    titles: dict[TitleRef, Candidate]
    ratings: dict[int, list[UserRating]]
    genre_names: dict[int, str]


def make_world(members: int, per_member: int, n_titles: int, seed: int = 1) -> World:
    """Build a catalogue and each member's ratings."""
    rng = random.Random(seed)
    titles: dict[TitleRef, Candidate] = {}
    for i in range(n_titles):
        kind = MediaType.MOVIE if rng.random() < 0.7 else MediaType.TV
        ref = TitleRef(kind, 1000 + i)
        genres = tuple(rng.sample(GENRES, rng.randint(1, 3)))
        pop = 1000.0 / (i + 1) ** 0.8
        titles[ref] = Candidate(ref, f"Title {i}", genres, rng.uniform(4, 9), pop)
    refs = list(titles)
    cum = list(itertools.accumulate(c.popularity for c in titles.values()))
    ratings = {u: _member_ratings(rng, refs, cum, titles, per_member) for u in range(members)}
    return World(titles, ratings, {g: f"Genre {g}" for g in GENRES})


def _member_ratings(
    rng: random.Random,
    refs: list[TitleRef],
    cum_weights: list[float],
    titles: dict[TitleRef, Candidate],
    count: int,
) -> list[UserRating]:
    """Sample one member's ratings, favouring titles of their genres."""
    taste = set(rng.sample(GENRES, rng.randint(2, 3)))
    chosen: dict[TitleRef, None] = {}
    while len(chosen) < count:
        for ref in rng.choices(refs, cum_weights=cum_weights, k=count):
            if len(chosen) < count and (taste & set(titles[ref].genre_ids) or rng.random() < 0.3):
                chosen[ref] = None
    out = []
    for ref in chosen:
        fit = bool(taste & set(titles[ref].genre_ids))
        score = max(1, min(10, round(rng.gauss(7.5 if fit else 5.0, 1.5))))
        out.append(UserRating(ref, score, titles[ref].title, titles[ref].genre_ids))
    return out


def timed(fn: Callable[[], object]) -> float:
    """Seconds taken by one call."""
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def one_recommend(world: World, index: ItemSimilarityIndex, user: int) -> None:
    """Do the server-side work of one /recommend with TMDB candidates already fetched."""
    ratings = world.ratings[user]
    base = RecommendRequest(ratings=ratings, genre_names=world.genre_names)
    todo = plan(base, index)
    rng = random.Random(user)
    refs = list(world.titles)
    tmdb = [_from(world.titles[r], seed) for seed in todo.tmdb_seeds for r in rng.sample(refs, 40)]
    request = RecommendRequest(
        ratings=ratings,
        watchlist=[r.ref for r in ratings[:5]],
        candidates=tmdb,
        trending=[world.titles[r] for r in refs[:20]],
        catalogue={r: world.titles[r] for r in todo.details_needed},
        genre_names=world.genre_names,
    )
    result = recommend(request, index)
    assert len(result.items) == 10


def _from(candidate: Candidate, seed: TitleRef) -> Candidate:
    """The candidate as TMDB would return it for a seed title."""
    return Candidate(
        candidate.ref,
        candidate.title,
        candidate.genre_ids,
        candidate.vote_average,
        candidate.popularity,
        seed,
    )


def pct(values: list[float], q: float) -> float:
    """The q-quantile of values, in milliseconds."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def main() -> int:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--ratings", type=int, default=100)
    parser.add_argument("--titles", type=int, default=4000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    world = make_world(args.members, args.ratings, args.titles)
    community = [CommunityRating(u, r.ref, r.score) for u, rs in world.ratings.items() for r in rs]
    started = time.perf_counter()
    index = ItemSimilarityIndex.build(community)
    build_s = time.perf_counter() - started
    rng = random.Random(5)
    users = rng.sample(sorted(world.ratings), min(args.queries, args.members))
    cold = [timed(lambda u=u: one_recommend(world, index, u)) for u in users]
    started = time.perf_counter()
    for ref in world.titles:
        index.neighbours(ref)
    rows_s = time.perf_counter() - started
    warm = [timed(lambda u=u: one_recommend(world, index, u)) for u in users]
    refs = list(world.titles)
    updates, after = [], []
    for u in users:
        ref, score = rng.choice(refs), rng.randint(1, 10)
        updates.append(timed(lambda u=u, ref=ref, score=score: index.set_rating(u, ref, score)))
        after.append(timed(lambda u=u: one_recommend(world, index, u)))
    print(
        f"FilmBot /recommend speed: {args.members} members x {args.ratings} ratings, "
        f"{args.titles} titles, {len(community)} ratings, pure Python, 1 core"
    )
    print("| step | p50 ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|")
    print(f"| build similarity index (once) | {build_s * 1000:.0f} | - | - |")
    print(
        f"| compute every title's neighbour row (optional warm-up) | {rows_s * 1000:.0f} | - | - |"
    )
    for name, values in (
        ("one /recommend, first queries after build (rows computed lazily)", cold),
        ("one /recommend, rows cached", warm),
        ("incremental update: one new/changed rating", updates),
        ("one /recommend right after that member's update", after),
    ):
        row = f"| {name} | {pct(values, 0.5):.2f} | {pct(values, 0.95):.2f} |"
        print(f"{row} {max(values) * 1000:.2f} |")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nqueries: {len(users)} distinct members; target: /recommend p95 under 1 s.")
    print(f"peak memory of the whole benchmark process: {peak:.0f} MiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
