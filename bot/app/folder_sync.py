"""`tagih sync FOLDER`: import the exports an accounting package drops into a folder.

The folder is polled (no inotify: it works the same on every system and on network
shares). A file is imported once it is stable, its size and modification time unchanged
between two polls, so a half-written export is never read. Each import is one
transaction (`storage.importers.import_csv`): a bad file writes nothing. Then the file
moves to `done/` or, with its problems in `NAME.errors.txt` beside it, to `failed/`, both
under a timestamped name. A file imported but not yet moved (the process stopped in
between) is imported again on the next run, which changes nothing: imports are keyed
by invoice number, customer code and payment reference.

The kind of each file is `--kind`, else the `kind` of the folder's `mapping.toml`, else
the start of the file's name (`invoices-2026-10.csv`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import tomllib
import zoneinfo
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

from storage.db import Database
from storage.importers import (
    ImportKind,
    ImportReport,
    Mapping,
    MappingError,
    import_csv,
    load_mapping,
)
from storage.importers.detect import command as detect_command

#: The folder's own mapping file, used for every file in it.
MAPPING_FILE = "mapping.toml"
DONE, FAILED = "done", "failed"
#: Files the folder holds that are not exports.
_SKIPPED_SUFFIXES = (".toml", ".errors.txt", ".tmp", ".part", ".crdownload")


@dataclass(frozen=True)
class Outcome:
    """What happened to one file: where it went and, if it failed, why."""

    file: Path
    moved_to: Path
    ok: bool
    summary: str


@dataclass
class SyncFolder:
    """One watched folder: what it has seen at the last poll, and how it imports."""

    folder: Path
    db: Database
    kind: ImportKind | None = None
    full_export: bool = False
    confirmed: bool = False
    currency: str = "IDR"
    language: str = "id"
    timezone: str = "Asia/Jakarta"
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    seen: dict[str, tuple[int, int]] = field(default_factory=dict)

    def stable(self) -> list[Path]:
        """The exports unchanged since the last poll (size and mtime), oldest first."""
        current: dict[str, tuple[int, int]] = {}
        for path in self.folder.iterdir():
            if not path.is_file() or path.name.startswith("."):
                continue
            if path.name.endswith(_SKIPPED_SUFFIXES):
                continue
            info = path.stat()
            current[path.name] = (info.st_size, info.st_mtime_ns)
        ready = [
            self.folder / name
            for name, state in current.items()
            if self.seen.get(name) == state and state[0] > 0
        ]
        self.seen = current
        return sorted(ready, key=lambda p: (current[p.name][1], p.name))

    async def poll(self) -> list[Outcome]:
        """Import every stable file, moving each to `done/` or `failed/`."""
        outcomes = []
        for path in self.stable():
            outcomes.append(await self.process(path))
            self.seen.pop(path.name, None)
        return outcomes

    async def process(self, path: Path) -> Outcome:
        """Import one file with the folder's mapping, then move it away."""
        try:
            kind, mapping = self._layout(path)
        except MappingError as exc:
            return self._move(path, ok=False, summary="bad mapping", errors=str(exc))
        report = await import_csv(
            self.db,
            kind,
            path,
            full_export=self.full_export and kind is ImportKind.INVOICES,
            confirmed=self.confirmed,
            default_currency=self.currency,
            default_language=self.language,
            default_timezone=self.timezone,
            layout=mapping,
            today=self.clock().astimezone(_zone(self.timezone)).date(),
        )
        if report.ok:
            summary = (
                f"imported {report.rows} rows of {kind.value}: {report.created} new, "
                f"{report.updated} updated, {report.unchanged} unchanged"
                + (f"; closed {len(report.closed)} open invoices" if report.closed else "")
            )
            return self._move(path, ok=True, summary=summary)
        errors = _errors(report)
        if report.foreign_layout and mapping is None:
            errors += (
                f"\nhint: an accounting package's export? run `{detect_command(kind, path.name)}`"
                f" and save the mapping it proposes as {self.folder / MAPPING_FILE}"
            )
        return self._move(path, ok=False, summary="nothing imported", errors=errors)

    def _layout(self, path: Path) -> tuple[ImportKind, Mapping | None]:
        """The kind of `path` and the folder's mapping for it."""
        mapping_path = self.folder / MAPPING_FILE
        declared: str | None = None
        if mapping_path.is_file():
            try:
                declared = tomllib.loads(mapping_path.read_text(encoding="utf-8")).get("kind")
            except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
                raise MappingError(f"{mapping_path}: not valid TOML: {exc}") from None
        kind = self.kind or _kind(declared) or _kind_of_name(path.name)
        if kind is None:
            raise MappingError(
                f"{path.name}: cannot tell customers, invoices or payments: start the file "
                f"name with one of them, set kind in {mapping_path}, or run with --kind"
            )
        mapping = load_mapping(kind, mapping_path) if mapping_path.is_file() else None
        return kind, mapping

    def _move(self, path: Path, *, ok: bool, summary: str, errors: str = "") -> Outcome:
        """Move `path` into `done/` or `failed/` under a timestamped name (errors beside it)."""
        target = self.folder / (DONE if ok else FAILED)
        target.mkdir(exist_ok=True)
        stamp = self.clock().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        moved = target / f"{stamp}-{path.name}"
        counter = 1
        while moved.exists():
            counter += 1
            moved = target / f"{stamp}-{counter}-{path.name}"
        path.replace(moved)
        if not ok:
            moved.with_name(moved.name + ".errors.txt").write_text(
                f"{path.name}: {summary}\n{errors}\n", encoding="utf-8"
            )
        return Outcome(path, moved, ok, summary)


def _zone(name: str) -> dt.tzinfo:
    return zoneinfo.ZoneInfo(name)


def _kind(text: object) -> ImportKind | None:
    values = {kind.value for kind in ImportKind}
    return ImportKind(text) if isinstance(text, str) and text in values else None


def _kind_of_name(name: str) -> ImportKind | None:
    lowered = name.casefold()
    return next((kind for kind in ImportKind if lowered.startswith(kind.value)), None)


def _errors(report: ImportReport) -> str:
    """The report's problems, one `FILE:LINE: column: reason` a line."""
    lines = [str(error) for error in report.errors]
    if report.needs_confirmation:
        lines.append(
            f"would close {len(report.closed)} of {report.open_before} open invoices: more "
            "than allowed without confirmation (tagih sync --yes), or is the export cut short?"
        )
    return "\n".join(lines)


async def watch(
    folder: SyncFolder,
    *,
    interval: float,
    report: Callable[[Outcome], None],
    stop: asyncio.Event,
    sleep: Callable[[float], Awaitable[object]] | None = None,
) -> None:
    """Poll `folder` every `interval` seconds until `stop` is set."""
    while not stop.is_set():
        for outcome in await folder.poll():
            report(outcome)
        if sleep is not None:
            await sleep(interval)
            continue
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
