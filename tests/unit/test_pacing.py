"""The pacer keeps a rate per scope and honours pauses, scopes never wait for each other, and
the requests under way stay bounded per scope — on virtual clocks."""

from __future__ import annotations

import pytest

from bot.channels.pacing import InFlight, Pacer
from tests.support.virtual_clock import ConcurrentClock, VirtualClock


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


async def test_the_first_send_of_a_scope_waits_for_nothing() -> None:
    clock = ConcurrentClock()
    pacer = Pacer(1.0, clock=clock, sleep=clock.sleep)

    async def send(scope: str) -> float:
        await pacer.wait(scope)
        return clock()

    # Ten scopes at once: each first slot is now (no interval lost before the first send).
    assert await clock.run(*(send(f"+62812{n}") for n in range(10))) == [1000.0] * 10


async def test_a_late_wake_up_keeps_the_rate() -> None:
    """asyncio wakes sleepers a little late; the slots stay 1/rate apart on average."""
    clock = VirtualClock()

    async def late_sleep(seconds: float) -> None:
        await clock.sleep(seconds + 0.004)  # every wake-up 4 ms late

    pacer = Pacer(80.0, clock=clock, sleep=late_sleep)
    start = clock()
    for _ in range(81):
        await pacer.wait()
    # 80 intervals of 12.5 ms: 1 s, plus the last wake-up's lateness (not 80 x 4 ms more).
    assert clock() - start == pytest.approx(1.0 + 0.004)


async def test_after_a_stall_no_burst_beyond_the_credit() -> None:
    clock = VirtualClock()
    pacer = Pacer(10.0, clock=clock, sleep=clock.sleep)
    await pacer.wait()
    clock.now += 5.0  # the loop was busy for 5 s: 50 slots went by unused
    times = []
    for _ in range(3):
        await pacer.wait()
        times.append(clock())
    # One send at once, then the rate again: the missed slots are not made up in a burst.
    assert times[1] - times[0] == pytest.approx(0.1 - pacer.lateness_credit)
    assert times[2] - times[1] == pytest.approx(0.1)


async def test_a_pause_holds_its_scope_only_while_others_go_on() -> None:
    clock = ConcurrentClock()
    pacer = Pacer(1.0, clock=clock, sleep=clock.sleep)
    await pacer.wait("chat-a")
    await pacer.wait("chat-b")
    pacer.pause(30.0, "chat-a")  # chat A was flooded: retry after 30 s

    async def sends(scope: str, count: int) -> list[float]:
        times = []
        for _ in range(count):
            await pacer.wait(scope)
            times.append(clock() - 1000.0)
        return times

    held, free = await clock.run(sends("chat-a", 1), sends("chat-b", 3))
    assert held == [30.0]
    assert free == [1.0, 2.0, 3.0]  # chat B keeps its own pace meanwhile


async def test_waiters_of_one_scope_never_hold_up_another() -> None:
    clock = ConcurrentClock()
    pacer = Pacer(0.5, clock=clock, sleep=clock.sleep)
    order: list[tuple[str, float]] = []

    async def send(scope: str) -> None:
        await pacer.wait(scope)
        order.append((scope, clock() - 1000.0))

    # Five sends queued on one sender (2 s apart), then one on another sender.
    await clock.run(*(send("busy") for _ in range(5)), send("idle"))
    assert ("idle", 0.0) in order
    assert [at for scope, at in order if scope == "busy"] == [0.0, 2.0, 4.0, 6.0, 8.0]


async def test_in_flight_is_bounded_per_scope() -> None:
    clock = ConcurrentClock()
    bound = InFlight(3)
    under_way: dict[str, int] = {"a": 0, "b": 0}
    most: dict[str, int] = {"a": 0, "b": 0}

    async def request(scope: str, seconds: float) -> None:
        async with bound.hold(scope):
            under_way[scope] += 1
            most[scope] = max(most[scope], under_way[scope])
            await clock.sleep(seconds)  # a slow provider
            under_way[scope] -= 1

    await clock.run(*(request("a", 10.0) for _ in range(9)), *(request("b", 1.0) for _ in range(3)))
    assert most == {"a": 3, "b": 3} and bound.peak == 3
    # Scope B's three went at once, not behind A's nine: they were done after 1 s, and A's
    # took three rounds of 10 s.
    assert clock() - 1000.0 == 30.0
    assert bound.busy("a") == bound.busy("b") == 0


def test_limits_are_checked() -> None:
    with pytest.raises(ValueError, match="rate"):
        Pacer(0)
    with pytest.raises(ValueError, match="limit"):
        InFlight(0)


async def test_state_stays_flat_over_100000_chats() -> None:
    """As TelegramChannel paces: a chat's turn, the global rate, the chat's second held. A
    chat's state goes once its slot is past, so 100,000 chats take no more than a few."""
    clock = VirtualClock()

    async def sleep(seconds: float) -> None:  # one task: no loop turn per send (twice as fast)
        clock.now += seconds

    chats = Pacer(1.0, clock=clock, sleep=sleep)
    overall = Pacer(30.0, clock=clock, sleep=sleep)
    most = 0
    for chat in range(100_000):
        await chats.wait(chat)
        await overall.wait()
        chats.pause(chats.interval, chat)
        most = max(most, chats.scopes())
    assert most <= 2 * 1024 + 30  # the sweep's floor, doubled, and the chats of one second
    assert overall.scopes() == 1
    # A forgotten chat is paced as before: its next send waits out its second.
    await chats.wait(99_999)
    start = clock()
    await chats.wait(99_999)
    assert clock() - start == pytest.approx(1.0)


async def test_a_pause_outlives_the_sweep() -> None:
    """Pauses still in force are kept however many other chats come and go."""
    clock = VirtualClock()
    pacer = Pacer(1.0, clock=clock, sleep=clock.sleep)
    pacer.pause(3600.0, "flooded")
    for chat in range(5000):
        await pacer.wait(chat)
        clock.now += 0.01
    assert pacer.paused_until("flooded") == pytest.approx(1000.0 + 3600.0)
    assert pacer.scopes() < 5000
