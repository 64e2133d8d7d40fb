"""Pacing: keep to a provider's rate per scope, honour its "retry after" pauses, and bound the
requests under way at once per scope."""

from __future__ import annotations

import asyncio
import math
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]

#: How late a wake-up may be and still keep its slot's place in the schedule, in seconds.
#: asyncio wakes a sleeper up to a millisecond late (epoll rounds timeouts up), more on a
#: busy loop; counting the next slot from the wake-up would lose that much every interval
#: (WhatsApp reached 57-71/s of 80). Credit beyond this is not given: after a stall, no
#: burst of make-up sends.
LATENESS_CREDIT = 0.01
#: Past this many scopes, those with nothing pending are forgotten (one per chat otherwise).
_PRUNE_AT = 4096


class Pacer:
    """At most `rate` sends per second in each scope (a sender, a chat, or everything).

    Slots are `1 / rate` apart and the first one is free (no first-interval loss). Time is
    injected (`clock`, `sleep`) so tests can run on a virtual clock. A pause asked by the
    provider (HTTP 429 with `retry_after`) blocks its scope, and only its scope, until it
    ends. Waiters in one scope queue in arrival order; scopes never wait for each other.
    """

    def __init__(
        self,
        rate: float,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
        lateness_credit: float = LATENESS_CREDIT,
    ) -> None:
        """Allow `rate` sends per second per scope."""
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.interval = 1.0 / rate
        self.clock = clock
        self.sleep = sleep
        self.lateness_credit = min(max(lateness_credit, 0.0), self.interval)
        self._next: dict[Hashable, float] = {}
        self._paused: dict[Hashable, float] = {}
        self._locks: dict[Hashable, asyncio.Lock] = {}

    def _lock(self, scope: Hashable) -> asyncio.Lock:
        lock = self._locks.get(scope)
        if lock is None:
            if len(self._locks) >= _PRUNE_AT:
                self._prune()
            lock = self._locks[scope] = asyncio.Lock()
        return lock

    def _prune(self) -> None:
        """Forget scopes whose slot and pause are past and that nobody holds or waits on."""
        now = self.clock()
        for scope, lock in list(self._locks.items()):
            ready = max(self._next.get(scope, -math.inf), self._paused.get(scope, -math.inf))
            if ready <= now and not lock.locked():
                del self._locks[scope]
                self._next.pop(scope, None)
                self._paused.pop(scope, None)

    async def wait(self, scope: Hashable = None) -> None:
        """Return when one more send in `scope` keeps to the rate and to any pause."""
        async with self._lock(scope):
            while True:
                now = self.clock()
                slot = max(self._next.get(scope, -math.inf), self._paused.get(scope, -math.inf))
                if slot <= now:
                    break
                await self.sleep(slot - now)
            # The next slot follows this slot, not the (late) wake-up: see LATENESS_CREDIT.
            base = now if slot == -math.inf else max(slot, now - self.lateness_credit)
            self._next[scope] = base + self.interval

    def pause(self, seconds: float, scope: Hashable = None) -> None:
        """Send nothing more in `scope` for `seconds` (the provider's retry_after)."""
        until = self.clock() + max(seconds, 0.0)
        self._paused[scope] = max(until, self._paused.get(scope, until))

    def paused_until(self, scope: Hashable = None) -> float | None:
        """When the pause of `scope` ends (clock time), if one is in force."""
        until = self._paused.get(scope)
        return until if until is not None and until > self.clock() else None


class InFlight:
    """At most `limit` requests under way at once in each scope (a channel, a sender).

    A slow or hanging provider then holds `limit` connections and no more, and the requests
    of other scopes never queue behind its. The peak per scope is kept for tests and benches.
    """

    def __init__(self, limit: int) -> None:
        """Allow `limit` requests at once per scope."""
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.peak = 0
        self._gates: dict[Hashable, asyncio.Semaphore] = {}
        self._busy: dict[Hashable, int] = {}

    def busy(self, scope: Hashable = None) -> int:
        """How many requests of `scope` are under way now."""
        return self._busy.get(scope, 0)

    @asynccontextmanager
    async def hold(self, scope: Hashable = None) -> AsyncIterator[None]:
        """Wait for a free place in `scope`, keep it for the block's duration."""
        gate = self._gates.get(scope)
        if gate is None:
            gate = self._gates[scope] = asyncio.Semaphore(self.limit)
        async with gate:
            busy = self._busy[scope] = self._busy.get(scope, 0) + 1
            self.peak = max(self.peak, busy)
            try:
                yield
            finally:
                self._busy[scope] -= 1
