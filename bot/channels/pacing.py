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
#: Below this many remembered slots and pauses no sweep runs; above it a sweep runs each time
#: the count doubles since the last one (amortised O(1) per send, memory ~ scopes busy now).
_SWEEP_MIN = 1024


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
        self._next: dict[Hashable, float] = {}  # the scope's next slot on its grid
        self._paused: dict[Hashable, float] = {}  # when a pause the provider asked for ends
        # Only while someone holds or queues for it: one lock per chat ever would stay forever.
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._users: dict[Hashable, int] = {}
        self._sweep_at = _SWEEP_MIN

    def scopes(self) -> int:
        """How many scopes the pacer keeps state for (slots, pauses, waiters)."""
        return len(self._next.keys() | self._paused.keys() | self._locks.keys())

    async def wait(self, scope: Hashable = None) -> None:
        """Return when one more send in `scope` keeps to the rate and to any pause."""
        lock = self._locks.get(scope)
        if lock is None:
            lock = self._locks[scope] = asyncio.Lock()
        self._users[scope] = self._users.get(scope, 0) + 1
        try:
            async with lock:
                while True:
                    now = self.clock()
                    slot = max(self._next.get(scope, -math.inf), self._paused.get(scope, -math.inf))
                    if slot <= now:
                        break
                    await self.sleep(slot - now)
                # The next slot follows this slot, not the (late) wake-up: see LATENESS_CREDIT.
                base = now if slot == -math.inf else max(slot, now - self.lateness_credit)
                self._next[scope] = base + self.interval
        finally:
            self._release(scope)
        self._sweep()

    def _release(self, scope: Hashable) -> None:
        left = self._users[scope] - 1
        if left:
            self._users[scope] = left
        else:
            del self._users[scope], self._locks[scope]

    def _sweep(self) -> None:
        """Forget slots and pauses that no longer hold anything back, once their count has
        doubled since the last sweep.

        A slot more than the lateness credit in the past gives the same next slot as no slot
        at all (bar that credit, which is for late wake-ups, not for a scope that was idle),
        so a scope nobody waits on is dropped once its slot and pause are that far behind.
        """
        if len(self._next) + len(self._paused) < self._sweep_at:
            return
        horizon = self.clock() - self.lateness_credit
        for table in (self._next, self._paused):
            past = [s for s, t in table.items() if t <= horizon and s not in self._locks]
            for scope in past:
                del table[scope]
        self._sweep_at = max(_SWEEP_MIN, 2 * (len(self._next) + len(self._paused)))

    def pause(self, seconds: float, scope: Hashable = None) -> None:
        """Send nothing more in `scope` for `seconds` (the provider's retry_after)."""
        until = self.clock() + max(seconds, 0.0)
        self._paused[scope] = max(until, self._paused.get(scope, until))
        self._sweep()

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
