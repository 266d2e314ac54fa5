"""The GraphQL API applies the pages' rules in every resolver, and limits what a query costs."""

from __future__ import annotations

import aiohttp
import pytest

from tests.e2e.web import seed
from tests.e2e.web.conftest import Dashboard, graphql, http_log_in

PEOPLE = {"admin": seed.ADMIN, "member": seed.MEMBER, "outsider": seed.OUTSIDER, "nobody": None}
SERVER_FIELDS = {
    "name": "member",
    "subscriptionCount": "member",
    "subscriptions { title nextNotification }": "member",
    "ratingDistribution { score count mine }": "member",
    "upcoming { day title label }": "member",
    "activity { weekday hour count }": "member",
    "subscriptionTrend { week added total }": "member",
    "watchedGenres { genreId name count }": "member",
    "settings { timezone language subscribePermission }": "admin",
    "deliveryHealth { problem pending delivered missed failed }": "admin",
    "notificationLog { title status }": "admin",
}
ALLOWED = {"member": {"member", "admin"}, "admin": {"admin"}}


async def _as(client: aiohttp.ClientSession, dashboard: Dashboard, who: str) -> None:
    if PEOPLE[who] is not None:
        await http_log_in(client, dashboard, PEOPLE[who])


@pytest.mark.parametrize("who", list(PEOPLE))
@pytest.mark.parametrize("field", list(SERVER_FIELDS))
async def test_each_server_field_answers_only_those_allowed(
    dashboard: Dashboard, client: aiohttp.ClientSession, who: str, field: str
) -> None:
    await _as(client, dashboard, who)
    query = "query($id: ID!) { server(id: $id) { " + field + " } }"
    status, answer = await graphql(client, dashboard, query, id=str(seed.FILM_CLUB))
    assert status == 200
    name = field.split(maxsplit=1)[0]
    if who in ALLOWED[SERVER_FIELDS[field]]:
        assert "errors" not in answer, answer
        assert answer["data"]["server"][name] is not None
    else:
        assert answer["errors"], answer
        assert not answer["data"] or not (answer["data"].get("server") or {}).get(name)


async def test_numbers_match_the_pages(dashboard: Dashboard, client: aiohttp.ClientSession) -> None:
    await http_log_in(client, dashboard, seed.ADMIN)
    query = """query($id: ID!) { server(id: $id) { subscriptionCount
        ratingDistribution { score count mine } activity { weekday hour count }
        deliveryHealth { problem pending delivered missed }
        watchedGenres { genreId name count } settings { timezone } } }"""
    _, answer = await graphql(client, dashboard, query, id=str(seed.FILM_CLUB))
    server = answer["data"]["server"]
    assert server["subscriptionCount"] == 3
    scores = {s["score"]: (s["count"], s["mine"]) for s in server["ratingDistribution"]}
    assert scores[8] == (3, 1)  # the admin rated one of the three eights
    assert scores[3] == (1, 1)
    busy = {(c["weekday"], c["hour"]): c["count"] for c in server["activity"] if c["count"]}
    assert busy == {(0, 11): 7, (2, 23): 4}
    assert server["deliveryHealth"] == {
        "problem": seed.PROBLEM,
        "pending": 1,
        "delivered": 2,
        "missed": 1,
    }
    assert server["settings"] == {"timezone": "Europe/Berlin"}
    genres = [(g["name"], g["count"]) for g in server["watchedGenres"]]
    assert genres == seed.WATCHED_GENRES
    assert server["watchedGenres"][0]["genreId"] == seed.DRAMA


async def test_charts_json_gives_the_pages_numbers(
    dashboard: Dashboard, client: aiohttp.ClientSession
) -> None:
    await http_log_in(client, dashboard, seed.MEMBER)
    async with client.get(f"{dashboard.base_url}/servers/{seed.FILM_CLUB}/charts.json") as r:
        assert r.status == 200
        data = await r.json()
    assert [(g["name"], g["count"]) for g in data["genres"]] == seed.WATCHED_GENRES
    assert data["genres"][0]["genre_id"] == seed.DRAMA
    scores = {s["score"]: (s["count"], s["mine"]) for s in data["scores"] if s["count"]}
    assert scores == {3: (1, 0), 8: (3, 2), 9: (1, 1)}
    assert data["heatmap"]["timezone"] == "Europe/Berlin"
    assert data["heatmap"]["cells"][0][11] == 7
    assert data["trend"][0] == {"week": "2026-01-05", "added": 2, "total": 2}


async def test_watched_genres_count_only_the_servers_own_items(
    dashboard: Dashboard, client: aiohttp.ClientSession
) -> None:
    await http_log_in(client, dashboard, seed.OUTSIDER)
    query = "query($id: ID!) { server(id: $id) { watchedGenres { genreId name count } } }"
    _, answer = await graphql(client, dashboard, query, id=str(seed.OTHER_CLUB))
    assert answer["data"]["server"]["watchedGenres"] == [
        {"genreId": seed.DRAMA, "name": "Drama", "count": 1}
    ]


@pytest.mark.parametrize("who", list(PEOPLE))
async def test_me_and_servers_follow_the_session(
    dashboard: Dashboard, client: aiohttp.ClientSession, who: str
) -> None:
    await _as(client, dashboard, who)
    _, answer = await graphql(client, dashboard, "{ me { id } servers { id name } }")
    if who == "nobody":
        assert answer["errors"][0]["message"] == "Log in with Discord first."
        assert answer["data"] is None
        _, me = await graphql(client, dashboard, "{ me { id } }")
        assert me == {"data": {"me": None}}
        return
    assert answer["data"]["me"]["id"] == str(PEOPLE[who])
    expected = ["Other Club"] if who == "outsider" else ["Film Club"]
    assert [s["name"] for s in answer["data"]["servers"]] == expected


async def test_another_servers_id_in_a_query_is_refused(
    dashboard: Dashboard, client: aiohttp.ClientSession
) -> None:
    await http_log_in(client, dashboard, seed.MEMBER)
    for guild in (seed.OTHER_CLUB, seed.NO_BOT_CLUB, 0):
        query = "query($id: ID!) { server(id: $id) { name subscriptions { title } } }"
        _, answer = await graphql(client, dashboard, query, id=str(guild))
        assert answer["data"] is None
        assert "not a member" in answer["errors"][0]["message"]


async def test_introspection_stays_on(dashboard: Dashboard, client: aiohttp.ClientSession) -> None:
    from graphql import get_introspection_query

    status, answer = await graphql(client, dashboard, get_introspection_query())
    assert status == 200
    names = {t["name"] for t in answer["data"]["__schema"]["types"]}
    assert {"Server", "ScoreCount", "DeliveryHealth"} <= names


async def test_deeply_nested_and_oversized_queries_are_refused(
    dashboard: Dashboard, client: aiohttp.ClientSession
) -> None:
    await http_log_in(client, dashboard, seed.ADMIN)
    nested = "{ __schema { types { fields { type { fields { type { fields { type { name }"
    nested += " } } } } } } } }"
    _, answer = await graphql(client, dashboard, nested)
    assert "depth" in answer["errors"][0]["message"]
    many = "{ me { " + "id " * 2500 + "} }"
    _, answer = await graphql(client, dashboard, many)
    assert "token" in answer["errors"][0]["message"]
    aliases = "{ " + " ".join(f"a{i}: me {{ id }}" for i in range(30)) + " }"
    _, answer = await graphql(client, dashboard, aliases)
    assert "aliases" in answer["errors"][0]["message"]
    huge = "{ me { id } }" + " " * 20_000
    status, answer = await graphql(client, dashboard, huge)
    assert status == 413
    async with client.post(f"{dashboard.base_url}/graphql", data="query=x") as r:
        assert r.status == 415
    async with client.get(f"{dashboard.base_url}/graphql?query=%7Bme%7Bid%7D%7D") as r:
        assert r.status == 405
