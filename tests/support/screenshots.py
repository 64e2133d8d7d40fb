"""Re-make the README's screenshots under docs/screenshots/: `python -m tests.support.screenshots`.

The inbox pictures are the ones the browser test takes (tests/e2e/test_sandbox_browser.py: a
WhatsApp reminder answered "saya bayar besok", a Telegram thread with its buttons, a
collector's thread after /queue); the demo picture is the report of
`tagih demo --days 30 --customers 10 --seed 1`, opened in the same headless Chromium.
Needs Debian's `chromium`; nothing is downloaded.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.support.browser import chromium_page, find_chromium

ROOT = Path(__file__).resolve().parents[2]
TARGET = ROOT / "docs" / "screenshots"
#: The browser test's screenshots that the README shows.
INBOX = ("inbox-whatsapp.png", "inbox-telegram.png", "inbox-collector.png")


def inbox_shots(folder: Path) -> None:
    """Run the browser test, keeping its screenshots in `folder`."""
    os.environ["TAGIH_SCREENSHOTS"] = str(folder)
    test = str(ROOT / "tests" / "test_sandbox_browser.py")
    if pytest.main(["-q", "-p", "no:cacheprovider", test]) != 0:
        sys.exit("the browser test failed: no screenshots")
    for name in INBOX:
        shutil.copyfile(folder / name, TARGET / name)


def run_demo(out: Path) -> None:
    """A short demo, its HTML report in `out`."""
    tagih = Path(sys.executable).with_name("tagih")
    args = ["demo", "--days", "30", "--customers", "10", "--seed", "1", "--out", str(out)]
    subprocess.run([str(tagih), *args], check=True, stdout=subprocess.DEVNULL)


async def report_shot(binary: str, out: Path) -> None:
    """Screenshot the top of the demo's HTML report in `out`."""
    async with chromium_page(binary) as page:
        await page.goto((out / "index.html").as_uri())
        await page.locator("img").last.wait_for()
        await page.screenshot(path=TARGET / "demo-report.png")


def main() -> None:
    binary = find_chromium()
    if binary is None:
        sys.exit("chromium is not installed (apt-get install chromium)")
    TARGET.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        inbox_shots(Path(scratch) / "inbox")
        run_demo(Path(scratch) / "demo")
        asyncio.run(report_shot(binary, Path(scratch) / "demo"))
    for name in (*INBOX, "demo-report.png"):
        print(f"{TARGET / name}: {(TARGET / name).stat().st_size // 1024} kB")


if __name__ == "__main__":
    main()
