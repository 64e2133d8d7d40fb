"""The Twilio sandbox's throughput limits: messages per second per sender, calls per second.

Twilio's documented defaults: WhatsApp 80 messages per second per sender; SMS a per-sender
MPS that depends on the number type and country (1 for a US long code); outbound calls 1
per second (CPS) for the account. Real Twilio mostly *queues* what goes past MPS and CPS and
answers HTTP 429 / error 20429 "Too Many Requests" when a client pushes harder than the
account takes; the sandbox is stricter on purpose: every create past its sender's rate is
refused with that 429 and a `Retry-After`, so a client that does not keep the pace is seen
at once (a queue would hide it).

The check is a token bucket in its GCRA form: each sender's requests are due `1 / rate`
apart, and one may come up to `jitter` seconds early, since requests paced exactly arrive
a little bunched (network and scheduling). The sustained rate stays `rate`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

#: A request paced on time may arrive this much early (as the Telegram sandbox's per chat).
JITTER = 0.1


@dataclass(frozen=True, slots=True)
class SenderLimits:
    """Requests per second the sandbox takes per sender (None: no limit)."""

    #: SMS messages per second from one sender number (MPS).
    sms: float | None = 1.0
    #: WhatsApp messages per second from one `whatsapp:` sender.
    whatsapp: float | None = 80.0
    #: Calls per second (CPS), for the whole account as Twilio counts them.
    calls: float | None = 1.0
    #: Per-sender overrides of the message rates, keyed by `From` (`whatsapp:+62…` or `+62…`).
    senders: Mapping[str, float] = field(default_factory=dict)
    #: How early a request may arrive on its due time, in seconds.
    jitter: float = JITTER

    @classmethod
    def unlimited(cls) -> SenderLimits:
        """No limit at all (a test that is about something else)."""
        return cls(sms=None, whatsapp=None, calls=None)

    def message_rate(self, sender: str) -> float | None:
        """The rate of a Messages create from `sender` (a `From` or a Messaging Service)."""
        if sender in self.senders:
            return self.senders[sender]
        return self.whatsapp if sender.startswith("whatsapp:") else self.sms


@dataclass(frozen=True, slots=True)
class Throttled:
    """A create refused for going past its scope's rate."""

    at: float
    scope: str
    retry_after: float


class RateLimits:
    """Decides, per scope, whether a create arriving now keeps to the scope's rate."""

    def __init__(self, limits: SenderLimits) -> None:
        """Enforce `limits`; nothing has been sent yet."""
        self.limits = limits
        self._due: dict[str, float] = {}
        #: Every refusal, in order (how many 429s a bench or test provoked).
        self.refused: list[Throttled] = []

    def admit(self, scope: str, rate: float | None, now: float) -> Throttled | None:
        """Count a create in `scope` at `now`, or the refusal (nothing counted) if too soon."""
        if rate is None:
            return None
        due = self._due.get(scope, now)
        if now < due - self.limits.jitter:
            refusal = Throttled(now, scope, due - self.limits.jitter - now)
            self.refused.append(refusal)
            return refusal
        self._due[scope] = max(due, now) + 1.0 / rate
        return None


def retry_after_header(seconds: float) -> str:
    """`Retry-After` in whole seconds (HTTP's delta-seconds), rounded up, at least 1."""
    return str(max(math.ceil(seconds), 1))
