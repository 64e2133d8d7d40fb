"""`python -m bot.sandbox`: the Twilio, Telegram and SMTP stand-ins in a process of their own.

Prints one JSON line once listening — where each stand-in is, the control API's URL and
the TAGIH_* settings that point a Tagih at them — then serves until SIGTERM or SIGINT.
The control API reads what the stand-ins accepted and injects faults (see
`bot/sandbox/standins.py` and the README's "Stand-ins in their own process").
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.channels.telegram import SANDBOX_TOKEN
from bot.sandbox import SANDBOX_SENDERS, SANDBOX_TEMPLATES
from bot.sandbox.standins import build
from bot.sandbox.twilio_limits import SenderLimits


def _rate(text: str) -> float | None:
    """A rate option: requests per second, 0 for no limit."""
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError("a rate is 0 (no limit) or more")
    return value or None


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The command line (every option has a default: no option is needed)."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.sandbox",
        description="Run the Twilio API, Telegram Bot API and SMTP stand-ins on loopback.",
    )
    for name in ("twilio", "telegram", "smtp", "control"):
        parser.add_argument(f"--{name}-port", type=int, default=0, help="0: any free port")
    parser.add_argument("--mail-dir", type=Path, default=Path("sandbox/mail"))
    parser.add_argument("--telegram-token", default=SANDBOX_TOKEN)
    parser.add_argument(
        "--webhook-base", help="the app's public URL: Twilio callbacks and replies go there"
    )
    limits = SenderLimits()
    parser.add_argument("--sms-rate", type=_rate, default=limits.sms, help="per sender; 0: none")
    parser.add_argument("--whatsapp-rate", type=_rate, default=limits.whatsapp)
    parser.add_argument("--call-rate", type=_rate, default=limits.calls)
    parser.add_argument(
        "--clock-offset",
        type=float,
        default=0.0,
        help="seconds added to the wall clock when dating Twilio records (to agree with "
        "a Tagih whose clock is injected)",
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    return parser.parse_args(argv)


def clock_with(offset: float) -> Callable[[], dt.datetime]:
    """The wall clock moved by `offset` seconds."""

    def now() -> dt.datetime:
        return dt.datetime.now(dt.UTC) + dt.timedelta(seconds=offset)

    return now


async def serve(args: argparse.Namespace) -> None:
    """Start the stand-ins, announce them on stdout, serve until a stop signal."""
    senders = {f"TAGIH_{name.upper()}": number for name, number in SANDBOX_SENDERS.items()} | {
        "TAGIH_WHATSAPP_TEMPLATES": json.dumps(SANDBOX_TEMPLATES)
    }
    standins = build(
        telegram_token=args.telegram_token,
        mail_dir=args.mail_dir,
        twilio={
            "webhook_base": args.webhook_base,
            "now": clock_with(args.clock_offset),
            "limits": SenderLimits(
                sms=args.sms_rate, whatsapp=args.whatsapp_rate, calls=args.call_rate
            ),
        },
        ports={
            "twilio": args.twilio_port,
            "telegram": args.telegram_port,
            "smtp": args.smtp_port,
            "control": args.control_port,
        },
        extra_settings=senders,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await standins.start()
    try:
        print(json.dumps(standins.where()), flush=True)
        await stop.wait()
    finally:
        await standins.stop()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of `python -m bot.sandbox`."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    asyncio.run(serve(args))


if __name__ == "__main__":
    main()
