"""Customer replies through the durable inbox under load (goal 4).

Runs the load tool of the tests (`tests/support/inbox_load.py`): the web app, the inbox
worker and the database in one process; signed Twilio `/twilio/messages` requests from a
separate client process, so the client's work is not counted as the server's.

- SQLite: 50 senders at once, closed loop (each posts again as soon as it is answered): every
  request must be answered 200, none lost.
- PostgreSQL (a throwaway cluster, as the tests start one): open loop at 550 requests/s for
  10 s; the webhook must keep ≥ 500 replies/s with a p99 under 100 ms. Skipped with a note
  when PostgreSQL is not installed.

Every reply is then applied by the inbox worker; the time to apply them all is reported.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from bench.common import ROOT, Report, at_least

SQLITE_SENDERS = 50
SQLITE_REQUESTS = 2_000
PG_RATE = 550.0
PG_SECONDS = 10.0


def _load(*args: str) -> dict[str, Any] | None:
    """One run of the load tool; None when its database cannot be had (no PostgreSQL)."""
    command = [sys.executable, "-m", "tests.support.inbox_load", *args]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=900)
    if done.returncode:
        if "not installed" in done.stderr + done.stdout:
            return None
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def run() -> Report:
    """Both databases; the figures beside goal 4."""
    report = Report("inbox", "Customer replies through the durable inbox (goal 4)")
    lite = _load(
        "--backend",
        "sqlite",
        "--rate",
        "0",
        "--concurrency",
        str(SQLITE_SENDERS),
        "--requests",
        str(SQLITE_REQUESTS),
    )
    assert lite is not None
    report.raw["sqlite"] = lite
    errors = sum(lite["errors"].values())
    report.add(
        "inbox_sqlite_errors",
        f"SQLite, {SQLITE_SENDERS} concurrent senders: failed requests",
        errors,
        "",
        "0",
        errors == 0,
        note=(
            f"{lite['requests']:,} requests, {lite['replies_per_s']:,.0f}/s, "
            f"p99 {lite['p99_ms']:.0f} ms; all applied after {lite['applied_all_after_s']} s"
        ),
    )
    pg = _load("--backend", "postgresql", "--rate", str(PG_RATE), "--seconds", str(PG_SECONDS))
    if pg is None:
        report.notes.append("PostgreSQL is not installed: its inbox figures are skipped")
        return report
    report.raw["postgresql"] = pg
    pg_errors = sum(pg["errors"].values())
    report.add(
        "inbox_pg_rate",
        f"PostgreSQL, offered {PG_RATE:.0f}/s: replies/s answered",
        pg["replies_per_s"],
        "/s",
        ">= 500/s",
        at_least(pg["replies_per_s"], 500) and pg_errors == 0,
        note=f"{pg['requests']:,} requests, {pg_errors} failed",
    )
    report.add(
        "inbox_pg_p99",
        "PostgreSQL: webhook p99 latency",
        pg["p99_ms"],
        "ms",
        "< 100 ms",
        pg["p99_ms"] < 100,
        note=(
            f"p50 {pg['p50_ms']:.0f} ms, max {pg['max_ms']:.0f} ms; "
            f"all applied after {pg['applied_all_after_s']} s"
        ),
    )
    return report
