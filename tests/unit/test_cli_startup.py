"""The command line starts light: `tagih --help` imports no provider, database or chart library.

Timings differ from machine to machine; the set of imported modules does not. Each check runs
a fresh interpreter with `-X importtime`, which lists every module imported on stderr.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: What `import bot.cli.main` (so `tagih --help`) must not import: each costs tenths of a second.
HEAVY = frozenset(
    {
        "telegram",
        "twilio",
        "matplotlib",
        "aiohttp",
        "sqlalchemy",
        "sqlmodel",
        "aiosmtplib",
        "aioimaplib",
        "jinja2",
        "babel",
    }
)
#: What `tagih preview` must not import: it needs the database and the calendar, no provider.
PROVIDERS = frozenset({"telegram", "twilio", "matplotlib"})


def imported(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> set[str]:
    """The top-level packages a fresh `python -X importtime ARGS` imports."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=True,
    )
    lines = (line.rpartition("|")[2] for line in done.stderr.splitlines())
    return {name.strip().split(".")[0] for name in lines if name.strip()}


def test_importing_the_cli_loads_no_heavy_library() -> None:
    """`import bot.cli.main` is all `tagih --help` needs: no provider, database or chart library."""
    modules = imported("-c", "import bot.cli.main")
    assert "typer" in modules  # the listing works
    assert modules & HEAVY == set()


def test_preview_loads_no_provider(tmp_path: Path) -> None:
    """`tagih preview` opens the database and the calendar, but no channel and no chart."""
    env = {
        **os.environ,
        "TAGIH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'tagih.db'}",
        "TAGIH_LOAD_EXAMPLES": "false",
    }
    modules = imported("-m", "bot", "preview", "--json", env=env, cwd=tmp_path)
    assert "sqlalchemy" in modules  # it did open the database
    assert modules & PROVIDERS == set()
