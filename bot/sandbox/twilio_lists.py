"""List reads of the Twilio sandbox: Twilio's filters (dates compared as GMT days) and paging.

`GET …/Messages.json` and `GET …/Calls.json` answer with Twilio's list shape — the records
under `messages` / `calls`, then `start`, `end`, `page`, `page_size`, `uri`, `first_page_uri`,
`next_page_uri`, `previous_page_uri` — and page with a `PageToken` as Twilio does: `PA<sid>`
continues after the record with that SID, `PB<sid>` goes back before it. `Page` is the
client's own count, echoed and never used to position.
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode

from bot.sandbox.twilio_rules import ApiError

Query = Sequence[tuple[str, str]]

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
#: The query parameters that page rather than filter.
_PAGING = ("PageSize", "Page", "PageToken")
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:$|[T ])")
_US_DAY = re.compile(r"(\d{2})/(\d{2})/(\d{4})(?:$| )")
#: `Name` (that day), `Name<` (on or before), `Name>` (on or after): how a date filter reads
#: once a query string like `DateSent>=2026-03-28` is split at its first "=".
_COMPARISONS: tuple[tuple[str, Callable[[dt.date, dt.date], bool]], ...] = (
    ("", operator.eq),
    ("<", operator.le),
    (">", operator.ge),
)


def _invalid(name: str, value: str) -> ApiError:
    return ApiError(400, 20001, f"Invalid value for {name}: {value!r}")


def parse_day(name: str, value: str) -> dt.date:
    """The GMT day a date filter names.

    Twilio documents `YYYY-MM-DD`; it also takes a timestamp (the twilio client sends
    `YYYY-MM-DDTHH:MM:SSZ` for a datetime), `MM/DD/YYYY hh:mm:ss TZ` and RFC 2822 dates. Only
    the day counts: Twilio filters by date, not by time.
    """
    try:
        if match := _ISO_DAY.match(value):
            year, month, day = (int(part) for part in match.groups())
            return dt.date(year, month, day)
        if match := _US_DAY.match(value):
            month, day, year = (int(part) for part in match.groups())
            return dt.date(year, month, day)
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        raise _invalid(name, value) from None
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    return moment.date()


def validate_list(query: Query, dates: Sequence[str]) -> None:
    """Raise the ApiError for a list read whose paging or date parameters are malformed."""
    params = dict(query)
    size = params.get("PageSize")
    if size is not None and not (size.isdecimal() and 1 <= int(size) <= MAX_PAGE_SIZE):
        raise ApiError(400, 20001, f"PageSize must be between 1 and {MAX_PAGE_SIZE}: {size!r}")
    page = params.get("Page")
    if page is not None and not page.isdecimal():
        raise _invalid("Page", page)
    for name in dates:
        for suffix, _ in _COMPARISONS:
            value = params.get(name + suffix)
            if value is not None:
                parse_day(name + suffix, value)


def dated(query: Query, name: str, moment: dt.datetime | None) -> bool:
    """Whether a record dated `moment` passes the `name` filters of the query.

    A record without that date (a message not sent yet, a call not started) passes only
    when the query does not filter on it.
    """
    params = dict(query)
    for suffix, compare in _COMPARISONS:
        value = params.get(name + suffix)
        if value is None:
            continue
        if moment is None or not compare(moment.astimezone(dt.UTC).date(), parse_day(name, value)):
            return False
    return True


def matches(query: Query, fields: Mapping[str, str | None]) -> bool:
    """Whether a record's `fields` equal every one of them the query filters on."""
    params = dict(query)
    return all(params[name] == value for name, value in fields.items() if name in params)


def list_page(
    resources: Sequence[Mapping[str, Any]], query: Query, *, path: str, key: str
) -> dict[str, Any]:
    """One page of `resources` (filtered, newest first) in Twilio's list JSON."""
    params = dict(query)
    size = int(params.get("PageSize") or DEFAULT_PAGE_SIZE)
    number = int(params.get("Page") or 0)
    token = params.get("PageToken")
    sids = [resource["sid"] for resource in resources]
    first = 0
    if token:
        direction, sid = token[:2], token[2:]
        if direction not in ("PA", "PB") or sid not in sids:
            raise ApiError(400, 20001, f"Invalid PageToken: {token!r}")
        at = sids.index(sid)
        first = at + 1 if direction == "PA" else max(at - size, 0)
    records = list(resources[first : first + size])
    filters = [(name, value) for name, value in query if name not in _PAGING]

    def uri(page: int, page_token: str | None = None) -> str:
        pairs = [*filters, ("PageSize", str(size)), ("Page", str(page))]
        if page_token:
            pairs.append(("PageToken", page_token))
        return f"{path}?{urlencode(pairs)}"

    start = number * size
    more = first + size < len(resources)
    return {
        key: records,
        "end": start + len(records) - 1 if records else 0,
        "first_page_uri": uri(0),
        "next_page_uri": uri(number + 1, "PA" + records[-1]["sid"]) if more and records else None,
        "page": number,
        "page_size": size,
        "previous_page_uri": (
            uri(max(number - 1, 0), "PB" + records[0]["sid"]) if first and records else None
        ),
        "start": start,
        "uri": uri(number, token),
    }
