"""A virtual monotonic clock for pacing tests: sleeping advances time instantly."""

from __future__ import annotations

import asyncio
import heapq
from collections.abc import Awaitable
from typing import TypeVar

from bot.app.channels import Pacing

T = TypeVar("T")


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


class ConcurrentClock:
    """A virtual clock for concurrent sleepers: time jumps to the earliest wake-up once every
    task is waiting, so two tasks sleeping one second each take one second, not two.

    `run` drives the awaitables; "every task is waiting" is taken as nothing new after a
    number of loop turns, which holds for in-memory code (pacers, locks, semaphores), not
    for code waiting on sockets.
    """

    def __init__(self, start: float = 1000.0, *, turns: int = 20) -> None:
        """Start at `start` seconds; `turns` loop turns without a new sleeper mean idle."""
        self.now = start
        self.turns = turns
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._count = 0

    def __call__(self) -> float:
        """The current virtual time."""
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Wait until the virtual time has moved `seconds` on."""
        future = asyncio.get_running_loop().create_future()
        self._count += 1
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), self._count, future))
        await future

    async def run(self, *awaitables: Awaitable[T]) -> list[T]:
        """Run `awaitables` together, moving time on whenever all of them wait; results."""
        tasks = [asyncio.ensure_future(awaitable) for awaitable in awaitables]
        while not all(task.done() for task in tasks):
            for _ in range(self.turns):
                await asyncio.sleep(0)
            if all(task.done() for task in tasks):
                break
            if not self._sleepers:  # nobody will ever wake them
                for task in tasks:
                    task.cancel()
                raise RuntimeError("every task waits, and on no sleep: a deadlock")
            until, _, future = heapq.heappop(self._sleepers)
            self.now = max(self.now, until)
            if not future.done():
                future.set_result(None)
        return [task.result() for task in tasks]


def virtual_pacing(start: float = 1000.0) -> Pacing:
    """Pacing for a whole Tagih and its stand-ins on one `VirtualClock`: the providers'
    limits hold (the stand-ins count on the same clock) and no wall time is slept.

    Sends to one scope must go one at a time (one customer, or `dispatch_concurrency=1`):
    the clock jumps while a request is on the wire, so of two concurrent requests the one
    paced first may reach the stand-in second, at the later time, and be refused.
    """
    clock = VirtualClock(start)
    return Pacing(clock, clock.sleep)
