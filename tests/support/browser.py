"""Headless Chromium for the browser tests and the README screenshots, driven by Playwright.

No browser is downloaded (never `playwright install`; set PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
when installing): Playwright launches Debian's `chromium` package through `executable_path`.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from playwright.async_api import Page, ViewportSize, async_playwright

#: The flags the sandbox needs: no setuid sandbox as root, no GPU, nothing fetched from outside.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
#: A laptop-sized window: what the screenshots show.
VIEWPORT: ViewportSize = {"width": 1200, "height": 800}


def find_chromium() -> str | None:
    """Debian's Chromium binary on PATH, or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


@asynccontextmanager
async def chromium_page(binary: str, timeout_ms: float = 15_000) -> AsyncIterator[Page]:
    """A page in a fresh headless Chromium; every wait on it gives up after `timeout_ms`."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=binary, headless=True, args=FLAGS
        )
        try:
            page = await browser.new_page(viewport=VIEWPORT)
            page.set_default_timeout(timeout_ms)
            yield page
        finally:
            await browser.close()
