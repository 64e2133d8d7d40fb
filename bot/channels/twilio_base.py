"""Shared by the Twilio channels: the real client on a configurable API base, pacing, outcomes."""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode

import aiohttp
from twilio.base.exceptions import TwilioException, TwilioRestException
from twilio.http.async_http_client import AsyncTwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from bot.channels.pacing import Clock, InFlight, Pacer, Sleep
from bot.logmask import mask_address, mask_phones
from scheduler.messages import DeliveryOutcome, DeliveryResult, Outbound

if TYPE_CHECKING:
    pass

TWILIO_API_BASE = "https://api.twilio.com"
#: Twilio's "Too Many Requests" error code, sent with HTTP 429.
TOO_MANY_REQUESTS = 20429
#: How long a sender pauses after a 429 that did not say how long (Twilio often does not).
DEFAULT_PAUSE = 1.0
#: How long before its reservation a provider record may be dated and still be the message:
#: our clock and Twilio's may disagree a little.
RECONCILE_SKEW = dt.timedelta(minutes=2)
#: How many of the newest records a reconcile reads without a date filter (see `_lookup`).
RECENT = 50
#: Twilio statuses of a message or call that exists but did not reach the customer.
FAILED_STATUSES = frozenset({"failed", "undelivered", "canceled", "busy", "no-answer"})

log = logging.getLogger(__name__)
#: "+62812…" in Twilio's texts, or a bare run of digits long enough to be a number.


@dataclass
class _Exchange:
    """The HTTP response of one send, seen by the HTTP client, read back by the channel."""

    response: Response | None = None


# Error replies reach us as TwilioRestException, which drops the headers (Retry-After);
# the HTTP client leaves the response here for the send running in this task.
_exchange: contextvars.ContextVar[_Exchange | None] = contextvars.ContextVar(
    "twilio_exchange", default=None
)


class _HttpClient(AsyncTwilioHttpClient):  # type: ignore[misc]
    """twilio's aiohttp client with its timeout applied and the last response kept."""

    async def request(self, method: str, url: str, **kwargs: Any) -> Response:
        """Make the request; keep the response for the caller's classification."""
        auth = kwargs.pop("auth", None)
        if auth is not None:
            # twilio wraps credentials in aiohttp.BasicAuth, deprecated since aiohttp 3.14:
            # send the very same header ourselves instead.
            headers = kwargs.get("headers") or {}
            kwargs["headers"] = {**headers, "Authorization": aiohttp.encode_basic_auth(*auth)}
        if kwargs.get("timeout") is None:
            # create_async passes timeout=None, which aiohttp reads as "no timeout at all":
            # without this the constructor's timeout would never apply (twilio 9.13).
            kwargs["timeout"] = self.timeout
        response: Response = await super().request(method, url, **kwargs)
        exchange = _exchange.get()
        if exchange is not None:
            exchange.response = response
        return response


def make_client(account_sid: str, auth_token: str, *, api_base: str, timeout: float) -> Any:
    """The real twilio REST client, talking to `api_base`; build it inside the running loop."""
    client = Client(account_sid, auth_token, http_client=_HttpClient(timeout=timeout))
    base = api_base.rstrip("/")
    if base != TWILIO_API_BASE:
        # Every Messages/Calls URL is built by the Api domain's Domain.absolute_url from its
        # public `base_url` attribute, so replacing it moves the whole 2010-04-01 API (paths,
        # auth, parsing unchanged). Edge/region settings (TWILIO_EDGE, TWILIO_REGION in the
        # environment) would rewrite the host again, so they are off for a custom base.
        client.api.base_url = base
        client.edge = client.region = None
    return client


def webhook_url(public_url: str | None, path: str, key: str, **params: str) -> str | None:
    """`<public_url><path>?key=…` (URL-encoded), or None without a public URL."""
    if not public_url:
        return None
    # ":" stays literal so that a key like C-0042:2026-03-28:3:sms reads the same
    # in our URL and in the one a web framework rebuilds (which decodes %3A).
    query = urlencode({"key": key, **params}, safe=":")
    return f"{public_url.rstrip('/')}{path}?{query}"


def retry_after_seconds(value: str | None) -> float | None:
    """Parse a Retry-After header given in seconds (the form Twilio uses); else None."""
    try:
        return max(float(value), 0.0) if value else None
    except ValueError:
        return None  # an HTTP date: the default pause applies


def _outcome(exc: BaseException) -> tuple[DeliveryOutcome, str]:
    """The outcome and error code for what a create call raised."""
    if isinstance(exc, TwilioRestException):
        status = int(exc.status)
        code = exc.code if exc.code is not None else status
        if status == 429 or code == TOO_MANY_REQUESTS:
            return DeliveryOutcome.RETRYABLE, str(code)
        if status >= 500:  # Twilio may have created the message before failing
            return DeliveryOutcome.UNKNOWN, str(code)
        if status == 401:  # bad credentials: the operator's to fix, not the address's fault
            return DeliveryOutcome.RETRYABLE, str(code)
        return DeliveryOutcome.PERMANENT, str(code)
    if isinstance(exc, aiohttp.ConnectionTimeoutError | aiohttp.ClientConnectorError):
        # Refused, unresolvable or too slow to connect: no byte of the request went out.
        return DeliveryOutcome.RETRYABLE, "connect"
    if isinstance(exc, TimeoutError):
        return DeliveryOutcome.UNKNOWN, "timeout"
    if isinstance(exc, aiohttp.ClientError | OSError):  # reset or closed after sending
        return DeliveryOutcome.UNKNOWN, "disconnected"
    # A 2xx whose body was not the JSON resource: accepted, but we lack its SID.
    return DeliveryOutcome.UNKNOWN, "bad-response"


def lookup_failure(exc: BaseException) -> DeliveryResult:
    """What a failed list read (reconcile) means: nothing known, ask again later (UNKNOWN)."""
    if isinstance(exc, TwilioRestException):
        code, message = str(exc.code if exc.code is not None else exc.status), str(exc.msg)
    elif isinstance(exc, TwilioException):
        # A list page answered with an error status: the client raises this with the response.
        response = exc.args[1] if len(exc.args) > 1 else None
        code, message = "bad-response", str(exc.args[0]) if exc.args else type(exc).__name__
        if isinstance(response, Response):
            code = str(response.status_code)
            try:
                body = json.loads(response.text)
                code, message = str(body.get("code") or code), str(body.get("message") or message)
            except (ValueError, AttributeError):  # not Twilio's JSON error
                pass
    else:
        _, code = _outcome(exc)
        message = str(exc) or type(exc).__name__
    return DeliveryResult(DeliveryOutcome.UNKNOWN, error_code=code, error_message=message)


def classify(exc: BaseException, headers: Mapping[str, str] | None = None) -> DeliveryResult:
    """Turn what a create call raised (and the reply's headers) into a DeliveryResult."""
    outcome, code = _outcome(exc)
    if isinstance(exc, TwilioRestException):  # drop the client's "Unable to create record: "
        message = str(exc.msg).partition(": ")[2] or str(exc.msg)
    else:
        message = str(exc) or type(exc).__name__
    retry_after = None
    if code in ("429", str(TOO_MANY_REQUESTS)):
        retry_after = retry_after_seconds((headers or {}).get("Retry-After"))
    # Unreachable, or our credentials refused: no send on this account can succeed now.
    down = code == "connect" or (isinstance(exc, TwilioRestException) and int(exc.status) == 401)
    return DeliveryResult(
        outcome,
        error_code=code,
        error_message=message,
        retry_after=retry_after,
        provider_down=down,
    )


class TwilioChannel:
    """What the Twilio channels share: a lazy client, a per-sender pacer, classification."""

    name: ClassVar[str] = "twilio"
    #: The settings naming this channel's sender number and its rate.
    sender_setting: ClassVar[str] = ""
    rate_setting: ClassVar[str] = ""
    #: The constructor's arguments of this kind alone, each with the setting that holds it:
    #: what the factory (bot/app/channels.py) passes besides the shared ones.
    extra_settings: ClassVar[Mapping[str, str]] = {}
    #: The client's list of what this channel creates, and its "dated on or after" filter.
    listing: ClassVar[str] = "messages"
    dated_after: ClassVar[str] = "date_sent_after"
    #: Requests under way at once per sender: 80/s at a ~0.4 s round trip to api.twilio.com
    #: (Little's law); a hanging API holds this many connections, no more.
    max_in_flight: ClassVar[int] = 32

    def __init__(
        self,
        *,
        account_sid: str,
        auth_token: str,
        sender: str,
        api_base: str = TWILIO_API_BASE,
        public_url: str | None = None,
        timeout: float = 15.0,
        rate: float = 1.0,
        max_in_flight: int | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        """Send from `sender` (E.164) through the API at `api_base`, `rate` per second."""
        self.account_sid = account_sid
        self.sender = sender.removeprefix("whatsapp:")
        self.api_base = api_base
        self.public_url = public_url.rstrip("/") if public_url else None
        self.timeout = timeout
        self.pacer = Pacer(rate, clock=clock, sleep=sleep)
        self.in_flight = InFlight(max_in_flight or self.max_in_flight)
        self._auth_token = auth_token
        self._client: Any = None

    def client(self) -> Any:
        """The twilio client, built on first use (its aiohttp session binds to the loop)."""
        if self._client is None:
            self._client = make_client(
                self.account_sid, self._auth_token, api_base=self.api_base, timeout=self.timeout
            )
        return self._client

    def callback(self, path: str, key: str) -> str | None:
        """A webhook URL of ours carrying the idempotency key, if we have a public URL."""
        return webhook_url(self.public_url, path, key)

    async def create(
        self, to: str, key: str, call: Callable[[Any], Awaitable[Any]]
    ) -> DeliveryResult:
        """Pace, run one create call on the client, classify it, log it (phones masked)."""
        # A place first, then the slot: a send that waits for a place would otherwise
        # spend its slot waiting, and the sends behind it would reach Twilio bunched.
        async with self.in_flight.hold(self.sender):
            await self.pacer.wait(self.sender)
            result = await self._attempt(call)
        if result.error_code in ("429", str(TOO_MANY_REQUESTS)):
            # The whole sender is throttled: hold its next sends, not just this message.
            self.pacer.pause(result.retry_after or DEFAULT_PAUSE, self.sender)
        self._log(to, key, result)
        return result

    async def _attempt(self, call: Callable[[Any], Awaitable[Any]]) -> DeliveryResult:
        """Run one create call on the client and classify what it returned or raised."""
        exchange = _Exchange()
        token = _exchange.set(exchange)
        try:
            instance = await call(self.client())
        except (TwilioRestException, aiohttp.ClientError, OSError, ValueError) as exc:
            response = exchange.response
            return classify(exc, response.headers if response is not None else None)
        finally:
            _exchange.reset(token)
        return DeliveryResult(DeliveryOutcome.SENT, provider_id=str(instance.sid))

    def addresses(self, message: Outbound) -> tuple[str, str]:
        """(To, From) of `message` as this channel writes them to Twilio."""
        return message.to.value, self.sender

    async def reconcile(
        self, message: Outbound, *, reserved_at: dt.datetime, known: frozenset[str]
    ) -> DeliveryResult | None:
        """What became of `message`, reserved at `reserved_at` by a worker that died.

        Twilio is asked for what went from our sender to the recipient since the
        reservation (less `RECONCILE_SKEW`); the earliest record whose SID is not in `known`
        (ids our log already holds) is taken as the message: SENT with its SID, or
        PERMANENT with Twilio's error when it failed. None when there is no such record (the
        request never reached Twilio: the dispatcher sends it); UNKNOWN when Twilio cannot
        be asked now (the dispatcher asks again later, never resending blindly).
        """
        to, sender = self.addresses(message)
        since = reserved_at - RECONCILE_SKEW
        try:
            records = await self._lookup(self.client(), to, sender, since)
        except (TwilioException, aiohttp.ClientError, OSError, ValueError) as exc:
            result: DeliveryResult | None = lookup_failure(exc)
        else:
            ours = [
                record
                for record in reversed(records)
                if str(record.sid) not in known
                and record.date_created is not None
                and record.date_created >= since
            ]
            # The earliest candidate is the one sent right after the reservation; a later one
            # would be another send to the same customer. (Lists come newest first: reversed,
            # and the sort being stable, records of the same second stay oldest first.)
            ours.sort(key=lambda record: record.date_created)
            result = self._found(ours[0]) if ours else None
        self._log_reconcile(to, message.idempotency_key, result)
        return result

    async def _lookup(self, client: Any, to: str, sender: str, since: dt.datetime) -> list[Any]:
        """Messages (calls) from `sender` to `to` that may have been created since `since`.

        Two reads of the `listing`: all those sent (DateSent; calls: StartTime) on or after
        the day of `since` — Twilio's date filters take days; and the newest `RECENT` without
        a date filter, since a message still queued (a call not started yet) has no such
        date and a date filter passes it over. Twilio lists newest first.
        """
        listing = getattr(client, self.listing)
        day = since.astimezone(dt.UTC).date().isoformat()
        dated = await listing.list_async(to=to, from_=sender, **{self.dated_after: day})
        recent = await listing.list_async(to=to, from_=sender, limit=RECENT)
        return _unique((*dated, *recent))

    def _found(self, record: Any) -> DeliveryResult:
        """The outcome a message or call Twilio has stands for (failed: try the next channel)."""
        sid, status = str(record.sid), str(record.status)
        if status in FAILED_STATUSES:
            code = getattr(record, "error_code", None)  # calls carry no error code
            return DeliveryResult(
                DeliveryOutcome.PERMANENT,
                provider_id=sid,
                error_code=str(code) if code is not None else status,
                error_message=str(getattr(record, "error_message", None) or status),
            )
        return DeliveryResult(DeliveryOutcome.SENT, provider_id=sid)

    def _log_reconcile(self, to: str, key: str, result: DeliveryResult | None) -> None:
        """One line per reconcile; numbers masked."""
        who = mask_address(to.removeprefix("whatsapp:"))
        if result is None:
            log.warning("%s to %s: not at Twilio, to be sent (key %s)", self.name, who, key)
        elif result.outcome is DeliveryOutcome.UNKNOWN:
            log.warning(
                "%s to %s: cannot ask Twilio now: %s %s (key %s)",
                self.name,
                who,
                result.error_code,
                mask_phones(result.error_message or ""),
                key,
            )
        else:
            log.info(
                "%s to %s found at Twilio as %s, %s (key %s)",
                self.name,
                who,
                result.provider_id,
                result.outcome.value,
                key,
            )

    def _log(self, to: str, key: str, result: DeliveryResult) -> None:
        """One line per send; numbers masked, in the address and in Twilio's message."""
        who = mask_address(to.removeprefix("whatsapp:"))
        if result.ok:
            log.info("%s to %s sent as %s (key %s)", self.name, who, result.provider_id, key)
            return
        log.warning(
            "%s to %s %s: %s %s (key %s)",
            self.name,
            who,
            result.outcome.value,
            result.error_code,
            mask_phones(result.error_message or ""),
            key,
        )

    async def close(self) -> None:
        """Close the HTTP session; the next send opens a new one."""
        client, self._client = self._client, None
        if client is not None:
            await client.http_client.close()


def _unique(records: Iterable[Any]) -> list[Any]:
    """Records in order, each SID once."""
    seen: dict[str, Any] = {}
    for record in records:
        seen.setdefault(str(record.sid), record)
    return list(seen.values())
