"""Every provider ceiling kept: the real channels against the real stand-ins, on the wall clock.

Each case drives one real channel (`TelegramChannel`, `TwilioSmsChannel`,
`TwilioWhatsAppChannel`, `TwilioVoiceChannel`) over loopback HTTP against its sandbox, the
way the dispatcher does: every message handed over at once, `TAGIH_DISPATCH_CONCURRENCY`
(16) sends under way together. The stand-ins enforce the providers' limits and answer 429
past them (Telegram: 30/s overall and 1/s per chat; Twilio: per-sender MPS, WhatsApp 80/s,
calls 1/s), so a channel that paces too fast is caught, and one that paces too slow shows in
the rate. The rate is read on the stand-in's clock, what the provider saw: the slope of the
accepted requests' arrival times over their number (least squares).

Each stand-in runs in a child process of its own, as a provider runs elsewhere: in the
channel's process its request handling (~5 ms of CPU a request) would take the event loop
from the channel's pacing, and the figure would be the bench's, not the channel's.

    .venv/bin/python -m bench ceilings
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from bench.common import ROOT, Report
from bot.channels.pacing import Pacer
from bot.channels.telegram import SANDBOX_TOKEN, TelegramChannel
from bot.channels.twilio_sms import TwilioSmsChannel
from bot.channels.twilio_voice import TwilioVoiceChannel
from bot.channels.twilio_whatsapp import TwilioWhatsAppChannel
from bot.sandbox.telegram import TelegramSandbox
from bot.sandbox.telegram_api import CHAT_INTERVAL, GLOBAL_PER_SECOND
from bot.sandbox.twilio import SANDBOX_ACCOUNT_SID, SANDBOX_AUTH_TOKEN, TwilioSandbox
from bot.sandbox.twilio_limits import SenderLimits
from scheduler.messages import Address, DeliveryResult, Outbound

#: As the dispatcher's default (TAGIH_DISPATCH_CONCURRENCY).
CONCURRENCY = 16
#: The share of each ceiling to reach (issue 10, goal 2).
GOAL = 0.95
LIMITS = SenderLimits()  # Twilio's defaults: SMS 1/s, WhatsApp 80/s, calls 1/s
#: Each Twilio channel is paced at the stand-in's limit for it (TAGIH_*_RATE = the ceiling).
_CEILINGS = {
    "sms": LIMITS.sms or 1.0,
    "whatsapp": LIMITS.whatsapp or 80.0,
    "voice": LIMITS.calls or 1.0,
}
SENDERS = {"sms": "+622150000001", "whatsapp": "+622150000002", "voice": "+622150000003"}
CONTENT_SID = "HX" + "1d" * 16


@dataclass
class Case:
    """What one case measured: accepted arrival times per scope, 429s, time, peak in flight."""

    name: str
    ceiling: float
    arrivals: dict[Any, list[float]]
    sent: int
    total: int
    refused: int
    seconds: float
    peak_in_flight: int
    in_flight_bound: int

    def rates(self) -> list[float]:
        """Requests per second in each scope (see `_rate`), on the stand-in's clock."""
        return [_rate(times) for times in self.arrivals.values()]

    def as_json(self) -> dict[str, Any]:
        """The raw figures (arrival times left out: thousands of floats)."""
        return {
            "ceiling": self.ceiling,
            "rates": self.rates(),
            "sent": self.sent,
            "total": self.total,
            "refused_429": self.refused,
            "seconds": self.seconds,
            "peak_in_flight": self.peak_in_flight,
            "in_flight_bound": self.in_flight_bound,
        }


def _rate(times: Sequence[float]) -> float:
    """Requests per second: the least-squares slope of arrival time over request number.

    Not (n - 1) / span: the first requests also open connections and arrive late, which
    shortens the span (voice read 101 % over 7 calls, WhatsApp 100.8 % over 400).
    """
    ordered = sorted(times)
    n = len(ordered)
    if n < 3:
        return 0.0
    mean_k, mean_t = (n - 1) / 2, sum(ordered) / n
    covariance = sum((k - mean_k) * (t - mean_t) for k, t in enumerate(ordered))
    variance = sum((k - mean_k) ** 2 for k in range(n))
    seconds_per_request = covariance / variance
    return 1.0 / seconds_per_request if seconds_per_request > 0 else 0.0


async def _drive(
    send: Callable[[Outbound], Awaitable[DeliveryResult]], outbounds: list[Outbound]
) -> tuple[int, float]:
    """Send all at once, `CONCURRENCY` under way, as the dispatcher does; (sent, seconds)."""
    gate = asyncio.Semaphore(CONCURRENCY)

    async def one(outbound: Outbound) -> DeliveryResult:
        async with gate:
            return await send(outbound)

    started = time.perf_counter()
    results = await asyncio.gather(*(one(outbound) for outbound in outbounds))
    return sum(result.ok for result in results), time.perf_counter() - started


def _outbound(channel: str, to: str, n: int) -> Outbound:
    return Outbound(
        to=Address(channel, to, "Budi"),
        body=f"Yth. Budi, tagihan INV-{n:05d} Rp5.000.000 lewat jatuh tempo.",
        idempotency_key=f"C-{n:05d}:2026-11-23:1:{channel}",
        template="reminder",
        variables=(("1", "Budi"), ("2", "Rp5.000.000")),
    )


# --- the stand-ins, each in a child process ------------------------------------------------


async def _serve(provider: str) -> None:
    """Child side: run a stand-in, print its URL, and what it saw once stdin says "done"."""
    loop = asyncio.get_running_loop()
    if provider == "telegram":
        bot_api = TelegramSandbox(SANDBOX_TOKEN)
        await bot_api.start()
        print(json.dumps({"url": bot_api.url}), flush=True)
        await loop.run_in_executor(None, sys.stdin.readline)
        seen = {
            "accepted": [(message.chat_id, message.at) for message in bot_api.sent],
            "refused": sum(request.status == 429 for request in bot_api.requests),
        }
        await bot_api.stop()
    else:
        twilio_api = TwilioSandbox(limits=LIMITS)
        url = await twilio_api.start()
        print(json.dumps({"url": url}), flush=True)
        await loop.run_in_executor(None, sys.stdin.readline)
        seen = {
            "accepted": [
                (None, request.at) for request in twilio_api.requests if request.status == 201
            ],
            "refused": len(twilio_api.throttled),
        }
        await twilio_api.stop()
    print(json.dumps(seen), flush=True)


class StandIn:
    """A stand-in in a child process (`python -m bench.ceilings --serve PROVIDER`)."""

    def __init__(self, provider: str) -> None:
        """Not started yet."""
        self.provider = provider
        self.url = ""
        self._child: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> StandIn:
        """Start the child and read its URL."""
        self._child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.ceilings",
            "--serve",
            self.provider,
            cwd=ROOT,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        self.url = json.loads(await self._line())["url"]
        return self

    async def _line(self) -> bytes:
        assert self._child is not None and self._child.stdout is not None
        line = await asyncio.wait_for(self._child.stdout.readline(), 60)
        if not line:
            raise RuntimeError(f"the {self.provider} stand-in exited")
        return line

    async def seen(self) -> dict[str, Any]:
        """What the stand-in accepted (scope, time) and how many 429s it answered."""
        assert self._child is not None and self._child.stdin is not None
        self._child.stdin.write(b"done\n")
        await self._child.stdin.drain()
        result: dict[str, Any] = json.loads(await self._line())
        return result

    async def __aexit__(self, *_exc: object) -> None:
        """Wait for the child (it exits after reporting); kill it if it does not."""
        if self._child is None:
            return
        try:
            await asyncio.wait_for(self._child.wait(), 10)
        except TimeoutError:
            self._child.kill()
            await self._child.wait()


def _arrivals(accepted: list[list[Any]], per_scope: bool) -> dict[Any, list[float]]:
    arrivals: dict[Any, list[float]] = {}
    for scope, at in accepted:
        arrivals.setdefault(scope if per_scope else None, []).append(at)
    return arrivals


# --- the cases ------------------------------------------------------------------------------


async def telegram(name: str, chats: int, each: int) -> Case:
    """`chats` x `each` messages through TelegramChannel to the sandbox Bot API."""
    async with StandIn("telegram") as stand_in:
        channel = TelegramChannel(token=SANDBOX_TOKEN, api_base=stand_in.url)
        try:
            await channel.start()
            outbounds = [
                _outbound("telegram", str(10_000_000 + chat), chat * each + k)
                for k in range(each)
                for chat in range(chats)
            ]
            sent, seconds = await _drive(channel.send, outbounds)
        finally:
            await channel.stop()
        seen = await stand_in.seen()
    arrivals = _arrivals(seen["accepted"], per_scope=each > 1)
    refused = int(seen["refused"])
    ceiling = 1.0 / CHAT_INTERVAL if each > 1 else float(GLOBAL_PER_SECOND)
    return Case(
        name,
        ceiling,
        arrivals,
        sent,
        len(outbounds),
        refused,
        seconds,
        channel.in_flight.peak,
        channel.in_flight.limit,
    )


async def twilio(kind: str, n: int, *, naive: bool = False) -> Case:
    """`n` messages (calls) from one sender through the real channel to the Twilio sandbox.

    `naive`: the baseline, a pacer that counts each next slot from when its sleep returned
    (the pacer before the grid; asyncio wakes sleepers late, and each lateness is lost).
    """
    async with StandIn("twilio") as stand_in:
        channel = _twilio_channel(kind, stand_in.url)
        if naive:
            channel.pacer = Pacer(_CEILINGS[kind], lateness_credit=0.0)
        outbounds = [_outbound(kind, f"+62812{k:07d}", k) for k in range(n)]
        try:
            sent, seconds = await _drive(channel.send, outbounds)
        finally:
            await channel.close()
        seen = await stand_in.seen()
    return Case(
        kind,
        _CEILINGS[kind],
        _arrivals(seen["accepted"], per_scope=False),
        sent,
        n,
        int(seen["refused"]),
        seconds,
        channel.in_flight.peak,
        channel.in_flight.limit,
    )


def _twilio_channel(
    kind: str, api_base: str
) -> TwilioSmsChannel | TwilioWhatsAppChannel | TwilioVoiceChannel:
    """The channel of `kind`, paced at the stand-in's limit for it."""
    common: dict[str, Any] = {
        "account_sid": SANDBOX_ACCOUNT_SID,
        "auth_token": SANDBOX_AUTH_TOKEN,
        "sender": SENDERS[kind],
        "api_base": api_base,
        "rate": _CEILINGS[kind],
    }
    if kind == "sms":
        return TwilioSmsChannel(**common)
    if kind == "whatsapp":
        return TwilioWhatsAppChannel(templates={"reminder:id": CONTENT_SID}, **common)
    return TwilioVoiceChannel(**common)


CASES: tuple[tuple[str, str, Callable[[], Coroutine[Any, Any, Case]]], ...] = (
    ("telegram", "Telegram 30/s overall, 300 chats x 1", lambda: telegram("all", 300, 1)),
    ("telegram_chat", "Telegram 1/s per chat, 8 chats x 7", lambda: telegram("chat", 8, 7)),
    ("whatsapp", "WhatsApp 80/s, one sender x 400", lambda: twilio("whatsapp", 400)),
    ("sms", "SMS 1/s, one sender x 7", lambda: twilio("sms", 7)),
    ("voice", "voice 1 call/s, one caller x 7", lambda: twilio("voice", 7)),
)
#: The baseline in the same run: WhatsApp through a pacer without the grid (no goal).
BASELINE = ("whatsapp_naive", "baseline: WhatsApp, wake-up-based pacer x 400")


def run(names: Sequence[str] = ()) -> Report:
    """Run every case (or those named), one figure per ceiling and one per 429 count."""
    report = Report("ceilings", "provider ceilings, real channels vs real stand-ins")
    for key, label, case in CASES:
        if names and key not in names:
            continue
        measured = asyncio.run(case())
        rates = measured.rates()
        worst = min(rates) if rates else 0.0
        share = worst / measured.ceiling
        scope = " (min)" if len(rates) > 1 else ""  # the slowest chat
        report.add(
            f"{key}_share",
            f"{label}: rate/ceiling{scope}",
            round(share * 100, 1),
            "%",
            f">= {GOAL:.0%}",
            share >= GOAL,
            note=f"{worst:.2f}/s of {measured.ceiling:g}/s",
        )
        report.add(
            f"{key}_429",
            f"{label}: 429s from stand-in",
            measured.refused,
            "",
            "0",
            measured.refused == 0,
            note=f"{measured.sent}/{measured.total} sent in {measured.seconds:.1f} s, "
            f"peak {measured.peak_in_flight}/{measured.in_flight_bound} in flight",
        )
        report.raw[key] = measured.as_json()
    if not names or BASELINE[0] in names:
        key, label = BASELINE
        naive = asyncio.run(twilio("whatsapp", 400, naive=True))
        rate = min(naive.rates())
        report.add(
            f"{key}_share",
            f"{label}: rate/ceiling",
            round(rate / naive.ceiling * 100, 1),
            "%",
            note=f"{rate:.2f}/s of {naive.ceiling:g}/s, {naive.refused} x 429",
        )
        report.raw[key] = naive.as_json()
    report.notes.append(
        f"{CONCURRENCY} sends under way at once, as the dispatcher; rate = least-squares "
        "slope of the accepted requests' arrival times on the stand-in's clock"
    )
    return report


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        asyncio.run(_serve(sys.argv[2]))
    else:
        print(run(sys.argv[1:]).text())
