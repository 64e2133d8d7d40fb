"""Headless Chromium driven over the DevTools protocol (aiohttp's WebSocket client): enough
to open a page, run script in it, wait for a condition and take screenshots. No browser is
downloaded: Debian's `chromium` package is used where it is installed."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import re
import shutil
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,900",
    "--remote-debugging-port=0",
)
_LISTENING = re.compile(r"DevTools listening on (ws://\S+)")


def find_chromium() -> str | None:
    """The Chromium binary on PATH (Debian's `chromium`), or None."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Page:
    """One tab: commands by id over its WebSocket."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        """Talk to the tab behind `ws`."""
        self._ws = ws
        self._ids = itertools.count(1)

    async def send(self, method: str, **params: Any) -> dict[str, Any]:
        """Run one DevTools command and return its result (events in between are skipped)."""
        command_id = next(self._ids)
        await self._ws.send_str(json.dumps({"id": command_id, "method": method, "params": params}))
        while True:
            message = await self._ws.receive_json()
            if message.get("id") == command_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                result: dict[str, Any] = message.get("result", {})
                return result

    async def eval(self, script: str) -> Any:
        """The value of a JavaScript expression in the page (promises awaited)."""
        result = await self.send(
            "Runtime.evaluate", expression=script, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"{script!r}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def wait_for(self, script: str, *, within: float = 20.0) -> Any:
        """Poll a JavaScript expression until it is truthy; fail after `within` seconds."""
        deadline = time.monotonic() + within
        while True:
            value = await self.eval(script)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"the page never showed {script!r}")
            await asyncio.sleep(0.1)  # polling the page, bounded by the deadline

    async def open(self, url: str) -> None:
        """Navigate and wait for the document to load."""
        await self.send("Page.navigate", url=url)
        await self.wait_for("document.readyState === 'complete'")

    async def screenshot(self, path: Path) -> Path:
        """Save a PNG of the viewport."""
        shot = await self.send("Page.captureScreenshot", format="png")
        await asyncio.to_thread(path.write_bytes, base64.b64decode(shot["data"]))
        return path


@asynccontextmanager
async def chromium(binary: str, profile: Path) -> AsyncIterator[Page]:
    """A headless Chromium with a fresh profile, and its first tab."""
    process = await asyncio.create_subprocess_exec(
        binary,
        *FLAGS,
        f"--user-data-dir={profile}",
        "about:blank",
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stderr is not None
        endpoint = None
        while endpoint is None:
            line = await asyncio.wait_for(process.stderr.readline(), timeout=30)
            if not line:
                raise RuntimeError("chromium exited before opening DevTools")
            found = _LISTENING.search(line.decode(errors="replace"))
            endpoint = found.group(1) if found else None
        # Keep reading stderr so that the browser never blocks on a full pipe.
        drain = asyncio.create_task(process.stderr.read())
        http_base = "http://" + endpoint.split("/")[2]
        async with aiohttp.ClientSession() as session:
            async with session.get(f"{http_base}/json/list") as response:
                targets = await response.json()
            tab = next(t for t in targets if t["type"] == "page")
            async with session.ws_connect(tab["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                page = Page(ws)
                await page.send("Page.enable")
                yield page
        drain.cancel()
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()
