"""Pacing: keep to a provider's rate per scope, and honour its "retry after" pauses."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class Pacer:
    """At most `rate` sends per second in each scope (a sender, a chat, or everything).

    Time is injected (`clock`, `sleep`) so tests can run on a virtual clock. A pause
    asked by the provider (HTTP 429 with `retry_after`) blocks its scope until it ends.
    """

    def __init__(
        self, rate: float, *, clock: Clock = time.monotonic, sleep: Sleep = asyncio.sleep
    ) -> None:
        """Allow `rate` sends per second per scope."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self.clock = clock
        self.sleep = sleep
        self._next: dict[Hashable, float] = {}
        self._paused: dict[Hashable, float] = {}
        self._locks: dict[Hashable, asyncio.Lock] = {}

    def _lock(self, scope: Hashable) -> asyncio.Lock:
        lock = self._locks.get(scope)
        if lock is None:
            lock = self._locks[scope] = asyncio.Lock()
        return lock

    async def wait(self, scope: Hashable = None) -> None:
        """Return when one more send in `scope` keeps to the rate and to any pause."""
        async with self._lock(scope):
            while True:
                now = self.clock()
                ready = max(self._next.get(scope, now), self._paused.get(scope, now))
                if ready <= now:
                    break
                await self.sleep(ready - now)
            self._next[scope] = self.clock() + self.interval

    def pause(self, seconds: float, scope: Hashable = None) -> None:
        """Send nothing more in `scope` for `seconds` (the provider's retry_after)."""
        until = self.clock() + max(seconds, 0.0)
        self._paused[scope] = max(until, self._paused.get(scope, until))

    def paused_until(self, scope: Hashable = None) -> float | None:
        """When the pause of `scope` ends (clock time), if one is in force."""
        until = self._paused.get(scope)
        return until if until is not None and until > self.clock() else None
