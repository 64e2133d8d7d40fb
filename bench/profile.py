"""Profile Tagih's side with pyinstrument: a cold planning pass and a dispatch tick.

    .venv/bin/python -m bench.profile [--invoices 100000] [--reminders 10000]

Writes the call trees to `bench/results/profile-{plan,hourly,tick}.{txt,html}` (git-ignored)
and prints the hotspots: self time by function, and the cumulative time of Tagih's own
functions. pyinstrument samples the event-loop thread: SQL executed by aiosqlite's worker
thread shows up as time awaited (`[await]`), not as sqlite3 frames.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from bench.common import RESULTS, ROOT, Shape, build, open_tagih, sqlite_url, wib

OWN = tuple(f"{ROOT}/{package}/" for package in ("bot", "scheduler", "storage"))


def _walk(frame: Any, depth: int = 0) -> Any:
    yield frame
    for child in frame.children:
        yield from _walk(child, depth + 1)


def hotspots(session: Any, top: int = 25) -> dict[str, list[tuple[str, float]]]:
    """Self time per function, and cumulative time per own function (outermost call only)."""
    root = session.root_frame()
    self_time: dict[str, float] = defaultdict(float)
    own_total: dict[str, float] = defaultdict(float)

    def name(frame: Any) -> str:
        return f"{frame.function} ({frame.file_path_short}:{frame.line_no})"

    def visit(frame: Any, open_own: frozenset[str]) -> None:
        if not frame.is_synthetic:
            self_time[name(frame)] += frame.total_self_time
        path = (frame.file_path or "").replace("\\", "/")
        key = name(frame)
        if path.startswith(OWN) and key not in open_own:  # recursion counts once
            own_total[key] += frame.time
            open_own = open_own | {key}
        for child in frame.children:
            visit(child, open_own)

    if root is not None:
        visit(root, frozenset())
    total = root.time if root is not None else 0.0
    awaited = root.await_time() if root is not None else 0.0
    return {
        "total_s": [("total", total), ("awaited (SQL in aiosqlite's thread, I/O)", awaited)],
        "self": sorted(self_time.items(), key=lambda item: -item[1])[:top],
        "own_cumulative": sorted(own_total.items(), key=lambda item: -item[1])[:top],
    }


def _print(title: str, spots: dict[str, list[tuple[str, float]]]) -> str:
    lines = [f"== profile: {title}"]
    for label, value in spots["total_s"]:
        lines.append(f"  {label}: {value:.2f} s")
    lines.append("  top self time:")
    lines += [f"    {value:7.2f} s  {key}" for key, value in spots["self"]]
    lines.append("  Tagih's functions, cumulative:")
    lines += [f"    {value:7.2f} s  {key}" for key, value in spots["own_cumulative"]]
    return "\n".join(lines)


async def _session(app: Any, label: str, title: str, phase: Any) -> str:
    """Profile one awaited phase; write its call tree; the hotspots as text."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001, async_mode="enabled")
    profiler.start()
    await phase()
    profiler.stop()
    (RESULTS / f"profile-{label}.txt").write_text(
        profiler.output_text(unicode=False, color=False, show_all=False)
    )
    (RESULTS / f"profile-{label}.html").write_text(profiler.output_html())
    assert profiler.last_session is not None
    return _print(title, hotspots(profiler.last_session))


async def _profile(invoices: int, reminders: int, folder: Path, what: str) -> str:
    RESULTS.mkdir(exist_ok=True)
    out = []
    if what in ("plan", "both"):
        db_file = folder / "plan.db"
        await build(sqlite_url(db_file), Shape(customers=invoices // 4))
        app, _channels = await open_tagih(sqlite_url(db_file), folder / "sandbox")
        try:
            title = f"cold plan_pass, {invoices:,} invoices"
            out.append(await _session(app, "plan", title, lambda: app.plan(wib(6, 0))))
            title = f"hourly plan_pass, nothing changed, {invoices:,} invoices"
            out.append(await _session(app, "hourly", title, lambda: app.plan(wib(7, 0))))
        finally:
            await app.close()
    if what in ("tick", "both"):
        db_file = folder / "tick.db"
        await build(sqlite_url(db_file), Shape(customers=reminders, kind="reminders"))
        app, _channels = await open_tagih(sqlite_url(db_file), folder / "sandbox")
        try:
            await app.plan(wib(8, 55))
            dispatcher = await app.dispatcher()
            title = f"dispatch tick, {reminders:,} reminders"
            out.append(await _session(app, "tick", title, lambda: dispatcher.tick(wib(9, 5))))
        finally:
            await app.close()
    return "\n".join(out)


def main() -> None:
    """Build both data sets, profile, print the hotspots."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--invoices", type=int, default=100_000)
    parser.add_argument("--reminders", type=int, default=10_000)
    parser.add_argument("--what", choices=("plan", "tick", "both"), default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="tagih-profile-") as tmp:
        print(asyncio.run(_profile(args.invoices, args.reminders, Path(tmp), args.what)))


if __name__ == "__main__":
    main()
