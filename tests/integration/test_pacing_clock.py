"""The pacing clock is injected whole: Tagih's channels and the stand-ins count on one clock.

On a virtual clock a conversation paced at the providers' limits takes no wall time, and the
limits still hold: the stand-ins, counting on the same clock, would refuse a faster pace.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from bot.app.channels import Pacing
from bot.app.tagih import Tagih
from bot.config import load_settings
from scheduler.messages import Address, DeliveryOutcome, Outbound
from tests.support.virtual_clock import VirtualClock

CHAT = 424242


def outbound(channel: str, to: str, n: int) -> Outbound:
    """Message `n` to `to` on `channel`."""
    return Outbound(to=Address(channel, to, "PT Maju"), body=f"pesan {n}", idempotency_key=f"k{n}")


async def test_one_virtual_clock_paces_the_channels_and_the_stand_ins(tmp_path: Path) -> None:
    clock = VirtualClock(start=5000.0)
    settings = load_settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}",
        sandbox_dir=tmp_path / "sandbox",
        load_examples=False,
        sms_rate=2,
    )
    app = Tagih(settings, pacing=Pacing(clock, clock.sleep))
    await app.open()
    try:
        telegram, sms = app.channels["telegram"], app.channels["sms"]
        sandbox = app.providers.telegram_sandbox
        assert sandbox is not None
        # One at a time, as `virtual_pacing` says: the clock jumps while a request is out.
        results = [await telegram.send(outbound("telegram", str(CHAT), n)) for n in range(3)]
        results += [await sms.send(outbound("sms", "+6281234567890", n)) for n in range(3, 7)]
    finally:
        await app.close()
    assert [r.outcome for r in results] == [DeliveryOutcome.SENT] * 7  # no 429 anywhere
    sends = [r for r in sandbox.requests if r.method == "sendMessage"]
    assert [r.status for r in sends] == [200] * 3
    # The stand-in saw one message a second in the chat, on the virtual clock...
    gaps = [b.at - a.at for a, b in itertools.pairwise(sends)]
    assert all(gap >= 1.0 - 1e-6 for gap in gaps), gaps
    # ...which the channels' sleeps moved on: Telegram's two waits of a second, SMS's
    # 2 per second for four messages (1.5 s), and nothing on the wall clock.
    assert clock.now - 5000.0 >= 2.0 + 1.5 - 1e-6
