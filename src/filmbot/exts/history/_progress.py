"""An import's progress in its reply, and its summary wherever the member can still see it."""

from __future__ import annotations

import io
import logging
import time
from datetime import UTC, datetime, timedelta

import discord

from filmbot.domain.history.export import unmatched_csv
from filmbot.services.history import ImportProgress, ImportReport

log = logging.getLogger(__name__)

EDIT_EVERY_SECONDS = 2.0
TOKEN_LIFETIME = timedelta(minutes=15)
TOKEN_MARGIN = timedelta(seconds=30)


def progress_line(progress: ImportProgress) -> str:
    """E.g. '312 of 1,204 · 4 unmatched'."""
    return f"{progress.done:,} of {progress.total:,} · {progress.unmatched:,} unmatched"


def summary(report: ImportReport, limit: int) -> str:
    """The import's outcome in a few lines."""
    lines = [
        f"**Import from {report.source.label} finished.** "
        f"{report.added:,} added, {report.updated:,} updated, {report.unchanged:,} unchanged, "
        f"{len(report.unmatched):,} unmatched."
    ]
    if report.over_limit:
        lines.append(
            f"{report.over_limit:,} titles were left out: your watchlist here is full "
            f"({limit:,} titles, the server's MAX_WATCHLIST_ITEMS)."
        )
    if report.unmatched:
        lines.append("The attached file lists every unmatched line and why.")
    if report.stopped_at:
        lines[0] = lines[0].replace("finished", "stopped early")
        lines.append(
            f"It stopped at {report.stopped_at} ({report.error}). Everything before was saved; "
            "import the same file again to continue, nothing is added twice."
        )
    return "\n".join(lines)


def unmatched_file(report: ImportReport) -> discord.File | None:
    """The unmatched lines as a CSV attachment, if any."""
    if not report.unmatched:
        return None
    data = unmatched_csv(report.unmatched)
    return discord.File(io.BytesIO(data), filename=f"unmatched-{report.source.value}.csv")


class ImportReply:
    """Edit the deferred reply with progress, then post the summary where it can be seen."""

    def __init__(self, interaction: discord.Interaction, lifetime: timedelta = TOKEN_LIFETIME):
        self.interaction = interaction
        self.expires = interaction.created_at + lifetime - TOKEN_MARGIN
        self._last_edit = 0.0

    def token_alive(self) -> bool:
        """Whether the interaction's webhook token still works."""
        return datetime.now(UTC) < self.expires

    async def update(self, progress: ImportProgress) -> None:
        """Show progress, at most every two seconds, while the token lives."""
        now = time.monotonic()
        if now - self._last_edit < EDIT_EVERY_SECONDS or not self.token_alive():
            return
        self._last_edit = now
        try:
            await self.interaction.edit_original_response(content=progress_line(progress))
        except discord.HTTPException as exc:
            log.info("Could not show import progress: %s", exc)

    async def finish(self, text: str, report: ImportReport) -> None:
        """Post the summary: as the reply, else by DM, else in the channel."""
        if self.token_alive():
            try:
                await self.interaction.edit_original_response(
                    content=text, attachments=_files(report)
                )
                return
            except discord.HTTPException as exc:
                log.info("The import's reply is gone (%s); sending the summary by DM", exc)
        await self._elsewhere(text, report)

    async def _elsewhere(self, text: str, report: ImportReport) -> None:
        user = self.interaction.user
        try:
            await user.send(text, files=_files(report))
            return
        except discord.Forbidden:
            log.info("DMs closed; posting the import summary in the channel")
        channel = self.interaction.channel
        if isinstance(channel, discord.abc.Messageable):
            await channel.send(
                f"{user.mention} {text}",
                files=_files(report),
                allowed_mentions=discord.AllowedMentions(users=[user]),
            )


def _files(report: ImportReport) -> list[discord.File]:
    file = unmatched_file(report)
    return [file] if file is not None else []
