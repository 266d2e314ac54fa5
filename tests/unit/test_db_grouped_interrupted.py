"""A round stopped by KeyboardInterrupt, SystemExit or cancellation leaves no caller waiting."""

from __future__ import annotations

import asyncio

import pytest

from filmbot.db.grouped import Grouped


class Interrupting:
    """Work whose first round ends in `stop`; later rounds return their items."""

    def __init__(self, stop: BaseException) -> None:
        self.stop: BaseException | None = stop

    async def __call__(self, items: dict[str, int]) -> dict[str, int]:
        await asyncio.sleep(0)
        if self.stop is not None:
            stop, self.stop = self.stop, None
            raise stop
        return dict(items)


@pytest.mark.parametrize(
    "stop", [KeyboardInterrupt(), SystemExit(3), asyncio.CancelledError()], ids=type
)
def test_every_caller_of_an_interrupted_round_is_cancelled_and_the_next_round_runs(
    stop: BaseException,
) -> None:
    grouped = Grouped(Interrupting(stop))
    loop = asyncio.new_event_loop()
    loop.set_exception_handler(lambda _loop, _context: None)  # the round task's own end
    try:
        callers = [loop.create_task(grouped(key, n)) for n, key in enumerate("abc")]
        if isinstance(stop, asyncio.CancelledError):
            loop.run_until_complete(asyncio.wait(callers))
        else:
            with pytest.raises(type(stop)):  # it ends the event loop's run, as asyncio does
                loop.run_until_complete(asyncio.wait(callers))
        for _ in range(5):  # a few turns: no more is needed to settle every caller
            loop.run_until_complete(asyncio.sleep(0))

        assert [caller.cancelled() for caller in callers] == [True, True, True]
        assert loop.run_until_complete(grouped("d", 4)) == {"d": 4}
    finally:
        loop.close()
