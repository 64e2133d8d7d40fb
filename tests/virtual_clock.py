"""A virtual monotonic clock for pacing tests: sleeping advances time instantly."""

from __future__ import annotations

import asyncio


class VirtualClock:
    """`clock()` reads the virtual time; `await sleep(d)` moves it forward by `d`."""

    def __init__(self, start: float = 1000.0) -> None:
        """Start at `start` seconds."""
        self.now = start
        self.slept: list[float] = []

    def __call__(self) -> float:
        """The current virtual time."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Advance the virtual time, yielding to the loop once."""
        self.slept.append(seconds)
        self.now += max(seconds, 0.0)
        await asyncio.sleep(0)
