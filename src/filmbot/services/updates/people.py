"""Followed people in an update cycle: each fetched once, new titles announced once.

After the titles, a cycle loads the person follows of the guilds it owns (and the members'
personal ones, on the process that owns shard 0), fetches each followed person at most once
however many servers and members follow them, and compares their director and top-billed
cast credits with those the scope has already seen (`person_snapshots`). A person's first
fetch only records their credits; later fetches announce the credits not seen before
(`filmbot.domain.updates.credits`) to the followers who already followed at the fetch
before, so a follow added to a person others follow never hears of credits from before it.
Warm cycles fetch only people TMDB's `/person/changes` feed lists, people never fetched and
people older than FULL_REFRESH_HOURS. The new ledger rows and the new known credits are
written in one transaction, so a crash can lose both or neither: the next cycle then finds
the same credits new again and the ledger's unique key keeps each (recipient, title,
person) to one notification.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from filmbot.db.repositories.ledger import LedgerRepository, MemberLedgerRepository
from filmbot.db.repositories.person_follows import (
    PersonFollowRepository,
    PersonSnapshotRepository,
)
from filmbot.db.repositories.personal import MemberSettingsRepository
from filmbot.db.session import Session, Sessions, retrying
from filmbot.domain.person_follows import PersonFollow
from filmbot.domain.updates import (
    GuildPrefs,
    LedgerEntry,
    LedgerKey,
    ledger_entry,
    new_title_events,
    qualifying_credits,
)
from filmbot.services.updates.follows import member_prefs
from filmbot.services.updates.plan import REFRESH_TOLERANCE, CyclePlan, Windows
from filmbot.services.updates.sources import FETCH_CONCURRENCY, PersonSource, TitleSource
from filmbot.tmdb import MAX_CHANGES_WINDOW, TMDBError, TMDBNotFound

log = logging.getLogger(__name__)

Known = dict[int, tuple[frozenset[str], datetime]]


@dataclass(slots=True)
class PeopleFindings:
    """What the people step of a cycle did."""

    followed: int = 0
    fetched: int = 0
    failed: int = 0
    new_events: int = 0
    feed_used: bool = False
    guild_entries: list[LedgerEntry] = field(default_factory=list)
    member_entries: list[LedgerEntry] = field(default_factory=list)
    snapshots: list[tuple[int, str, list[str], datetime]] = field(default_factory=list)


class PeopleCycle:
    """Check the followed people of one engine scope."""

    def __init__(
        self, sessionmaker: Sessions, scope: str, windows: Windows, full_refresh: timedelta
    ) -> None:
        self._sessionmaker = sessionmaker
        self._scope = scope
        self._windows = windows
        self._full_refresh = full_refresh

    async def run(
        self,
        plan: CyclePlan,
        source: TitleSource,
        *,
        members: bool,
        known: set[LedgerKey],
        member_known: set[LedgerKey],
    ) -> PeopleFindings:
        """Fetch the followed people that may have changed; record their new titles."""
        findings = PeopleFindings()
        if not isinstance(source, PersonSource):
            return findings
        follows, seen, prefs = await self._load(plan, members=members)
        findings.followed = len(follows)
        fetch = await self._to_fetch(plan, source, follows, seen, findings)
        payloads = await _fetch_all(source, sorted(fetch), findings)
        for person_id, payload in sorted(payloads.items()):
            self._judge(plan, person_id, payload, follows[person_id], seen, prefs, findings)
        gone = [person_id for person_id in seen if person_id not in follows]
        await self._write(plan.now, findings, (known, member_known), gone)
        return findings

    async def _load(
        self, plan: CyclePlan, *, members: bool
    ) -> tuple[dict[int, list[PersonFollow]], Known, dict[int, GuildPrefs]]:
        """The scope's person follows by person, its known credits, the members' prefs."""
        async with self._sessionmaker() as session:
            every = await PersonFollowRepository(session).every()
            seen = await PersonSnapshotRepository(session).for_scope(self._scope)
            owned = [
                f
                for f in every
                if (f.guild_id is not None and f.guild_id in plan.guilds)
                or (members and f.user_id is not None)
            ]
            users = sorted({f.user_id for f in owned if f.user_id is not None})
            states = await MemberSettingsRepository(session).many(users) if users else {}
        by_person: dict[int, list[PersonFollow]] = defaultdict(list)
        for follow in owned:
            by_person[follow.person_id].append(follow)
        prefs = {
            uid: plan.member_prefs.get(uid) or member_prefs(states.get(uid), self._windows)
            for uid in users
        }
        return dict(by_person), seen, prefs

    async def _to_fetch(
        self,
        plan: CyclePlan,
        source: PersonSource,
        follows: dict[int, list[PersonFollow]],
        seen: Known,
        findings: PeopleFindings,
    ) -> set[int]:
        """Every followed person on a cold cycle; else the changed, stale and new ones."""
        people = set(follows)
        stale = {
            p
            for p in people
            if p not in seen or plan.now - seen[p][1] + REFRESH_TOLERANCE >= self._full_refresh
        }
        since = plan.state.changes_since if plan.state else None
        if since is None or plan.now - since > MAX_CHANGES_WINDOW or stale == people:
            return people
        try:
            changed = await source.changed_people(since.date(), plan.now.date())
        except TMDBError as exc:
            log.warning("TMDB person change feed unavailable, refetching every person: %s", exc)
            return people
        findings.feed_used = True
        return stale | (people & changed)

    def _judge(  # noqa: PLR0917 - one person's whole context
        self,
        plan: CyclePlan,
        person_id: int,
        payload: dict[str, Any],
        follows: list[PersonFollow],
        seen: Known,
        prefs: dict[int, GuildPrefs],
        findings: PeopleFindings,
    ) -> None:
        """Record the person's credits; announce those not seen before to every follower."""
        credits = qualifying_credits(payload)
        name = str(payload.get("name") or follows[0].name)
        previous = seen.get(person_id)
        known = set(credits) | (set(previous[0]) if previous else set())
        findings.snapshots.append((person_id, name, sorted(known), plan.now))
        if previous is None:
            return  # the first fetch after a follow: the back catalogue stays quiet
        new = [credits[key] for key in sorted(credits) if key not in previous[0]]
        if not new:
            return
        checked_at = previous[1]
        for follow in follows:
            if follow.followed_at is not None and follow.followed_at > checked_at:
                continue  # followed since the last check: these credits predate the follow
            if follow.guild_id is not None:
                guild_prefs = plan.prefs[follow.guild_id]
                for event in new_title_events(person_id, name, new, guild_prefs, plan.now):
                    entry = ledger_entry(follow.guild_id, event, guild_prefs, plan.now)
                    findings.guild_entries.append(entry)
            elif follow.user_id is not None:
                own = prefs[follow.user_id]
                for event in new_title_events(person_id, name, new, own, plan.now):
                    findings.member_entries.append(
                        ledger_entry(follow.user_id, event, own, plan.now)
                    )

    async def _write(
        self,
        now: datetime,
        findings: PeopleFindings,
        ledgers: tuple[set[LedgerKey], set[LedgerKey]],
        gone: list[int],
    ) -> None:
        """Store the new ledger rows and the known credits together."""
        known, member_known = ledgers
        guild_rows = [e for e in findings.guild_entries if e.key not in known]
        member_rows = [e for e in findings.member_entries if e.key not in member_known]
        if not (guild_rows or member_rows or findings.snapshots or gone):
            return

        async def write(session: Session) -> None:
            await LedgerRepository(session).record(guild_rows, now)
            await MemberLedgerRepository(session).record(member_rows, now)
            snapshots = PersonSnapshotRepository(session)
            await snapshots.save(self._scope, findings.snapshots)
            if gone:
                await snapshots.delete(self._scope, gone)

        await retrying(self._sessionmaker, write)
        findings.new_events = len(guild_rows) + len(member_rows)


async def _fetch_all(
    source: PersonSource, person_ids: list[int], findings: PeopleFindings
) -> dict[int, dict[str, Any]]:
    """Fetch the people concurrently; a person TMDB lost or could not send is skipped."""
    gate = asyncio.Semaphore(FETCH_CONCURRENCY)
    found: dict[int, dict[str, Any]] = {}

    async def one(person_id: int) -> None:
        async with gate:
            try:
                found[person_id] = await source.person(person_id)
            except TMDBNotFound:
                log.warning("TMDB no longer has followed person %s", person_id)
                return
            except TMDBError as exc:
                log.warning("Update check of person %s failed: %s", person_id, exc)
                findings.failed += 1
                return
            findings.fetched += 1

    await asyncio.gather(*(one(person_id) for person_id in person_ids))
    return found
