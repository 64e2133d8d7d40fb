"""`tagih demo` through the CLI: its summary against its database, every behaviour's record,
the report, and the same run for the same seed."""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest
from typer.testing import CliRunner

from bot.cli.main import app
from bot.demo.simulate import DemoResult, run_demo

#: Alerts and digests, logged as messages to colleagues.
TO_STAFF = "coalesce(template LIKE 'alert:%' OR template LIKE 'digest:%', 0)"
#: The issue's short demo: long enough for a promise to come due and break, a dispute to be
#: settled.
ARGS = ["--days", "30", "--customers", "10"]
#: Enough to tell two seeds apart (other customers, other messages) in a fraction of the time:
#: the determinism test runs three demos.
SHORT = ["--days", "5", "--customers", "4"]


@dataclass
class Run:
    """One demo run: its summary lines and its output folder."""

    summary: list[str]
    out: Path

    def line(self, prefix: str) -> str:
        """The summary line starting with `prefix`."""
        return next(line for line in self.summary if line.startswith(prefix))

    def rows(self, query: str) -> list[tuple[object, ...]]:
        """Rows of `query` on the run's database."""
        with sqlite3.connect(self.out / "demo.db") as db:
            return db.execute(query).fetchall()


def demo(out: Path, seed: int, args: list[str] = ARGS) -> Run:
    """Run `tagih demo` and keep its summary (the lines before `report:`)."""
    result = CliRunner().invoke(app, ["demo", *args, "--seed", str(seed), "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    return Run(lines[: next(i for i, text in enumerate(lines) if text.startswith("report:"))], out)


@pytest.fixture(scope="module")
def first(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return demo(tmp_path_factory.mktemp("demo1"), 1)


def test_summary_matches_the_database(first: Run) -> None:
    sent = dict(
        first.rows(
            "SELECT channel, count(*) FROM message WHERE direction = 'out' "
            f"AND customer_id IS NOT NULL AND NOT ({TO_STAFF}) GROUP BY channel"
        )
    )
    shown = re.search(r"messages sent: (\d+) \((.*)\)", first.line("messages sent"))
    assert shown is not None
    assert int(shown[1]) == sum(sent.values())  # type: ignore[arg-type]
    assert dict(p.rsplit(" ", 1) for p in shown[2].split(", ")) == {
        k: str(v) for k, v in sent.items()
    }
    [(replies,)] = first.rows("SELECT count(*) FROM message WHERE direction = 'in'")
    assert first.line("replies received") == f"replies received: {replies}"
    [(staff,)] = first.rows(f"SELECT count(*) FROM message WHERE direction = 'out' AND {TO_STAFF}")
    assert staff > 0  # type: ignore[operator]
    assert first.line("alerts and digests") == f"alerts and digests to staff: {staff}"
    status = dict(first.rows("SELECT status, count(*) FROM promise GROUP BY status"))
    made = sum(status.values())  # type: ignore[arg-type]
    assert first.line("promises").startswith(
        f"promises: made {made}, kept {status.get('kept', 0)}, broken {status.get('broken', 0)}"
    )
    [(cases,)] = first.rows('SELECT count(*) FROM "case"')
    assert first.line("cases").startswith(f"cases: {cases} (")


def test_every_behaviour_left_its_record(first: Run) -> None:
    kinds = {k for (k,) in first.rows('SELECT DISTINCT kind FROM "case"')}
    assert {"dispute", "instalment", "contact_research", "payment_claim"} <= kinds
    assert first.rows(
        "SELECT 1 FROM contact WHERE channel = 'whatsapp' AND opted_out_at IS NOT NULL"
    )
    statuses = {s for (s,) in first.rows("SELECT status FROM promise")}
    assert {"kept", "broken"} <= statuses
    # The claimed payment was verified and recorded, its case resolved.
    assert first.rows("SELECT 1 FROM \"case\" WHERE kind = 'payment_claim' AND status = 'resolved'")
    assert first.rows("SELECT 1 FROM payment WHERE source = 'manual'")
    # The customer answering by mail was heard on the email channel.
    assert first.rows("SELECT 1 FROM message WHERE direction = 'in' AND channel = 'email'")


def test_report_names_the_charts(first: Run) -> None:
    page = (first.out / "index.html").read_text(encoding="utf-8")
    for chart in ("aging.png", "sales.png", "promises.png"):
        assert f'src="{chart}"' in page
        assert (first.out / chart).stat().st_size > 0
    assert "DSO at end" in page


def test_same_seed_same_summary_other_seed_differs(tmp_path: Path) -> None:
    once, again = demo(tmp_path / "once", 1, SHORT), demo(tmp_path / "again", 1, SHORT)
    assert again.summary == once.summary
    other = demo(tmp_path / "other", 2, SHORT)
    # Past the heading, which names the seed: the figures themselves differ.
    assert other.summary[1:] != once.summary[1:]


async def test_serve_keeps_the_inbox_open_on_the_result_at_the_port_asked(tmp_path: Path) -> None:
    seen: dict[str, object] = {}

    async def look(result: DemoResult, url: str) -> None:
        async with aiohttp.ClientSession() as http, http.get(f"{url}/api/people") as answer:
            seen["status"] = answer.status
            seen["people"] = (await answer.json())["people"]
        seen["url"], seen["summary"] = url, result.summary

    result = await run_demo(
        days=2, customers=3, seed=1, out=tmp_path, progress=lambda *_: None, serve=look, port=0
    )
    url = str(seen["url"])
    assert url.startswith("http://127.0.0.1:") and url.endswith("/sandbox")
    assert not url.startswith("http://127.0.0.1:8080/")  # port 0: any free port, as asked
    assert seen["status"] == 200 and seen["summary"] is result.summary
    people = seen["people"]
    assert isinstance(people, list)
    assert sum(p["role"] == "customer" for p in people) == 3
