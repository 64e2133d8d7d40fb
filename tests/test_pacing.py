"""The pacer keeps a rate per scope and honours pauses, on a virtual clock."""

from __future__ import annotations

from bot.channels.pacing import Pacer
from tests.virtual_clock import VirtualClock


async def test_rate_per_scope() -> None:
    clock = VirtualClock()
    pacer = Pacer(2.0, clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(5):
        await pacer.wait("+6281")
        times.append(clock())
    assert [round(t - times[0], 3) for t in times] == [0.0, 0.5, 1.0, 1.5, 2.0]
    before = clock()
    await pacer.wait("+6282")  # another scope is not held back
    assert clock() == before


async def test_pause_blocks_scope_until_it_ends() -> None:
    clock = VirtualClock()
    pacer = Pacer(30.0, clock=clock, sleep=clock.sleep)
    await pacer.wait()
    pacer.pause(7.0)
    assert pacer.paused_until() == clock() + 7.0
    start = clock()
    await pacer.wait()
    assert clock() - start >= 7.0
    assert pacer.paused_until() is None
