"""`tagih demo`: an accelerated, reproducible simulation on a temporary database."""

from __future__ import annotations

import logging
import signal
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

if TYPE_CHECKING:
    from bot.demo.simulate import DemoResult


def show(result: DemoResult) -> None:
    """Print the summary and where the report and the database are."""
    for line in result.summary.lines():
        typer.echo(line)
    typer.echo(f"report: {result.report}")
    typer.echo(f"database: {result.database}")


def demo_command(
    days: Annotated[int, typer.Option("--days", min=1, max=730, help="Days simulated.")] = 90,
    customers: Annotated[
        int, typer.Option("--customers", min=1, max=1000, help="Customers generated.")
    ] = 40,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same run.")] = 1,
    out: Annotated[
        Path, typer.Option("--out", file_okay=False, help="Where the HTML report goes.")
    ] = Path("demo-report"),
    serve: Annotated[
        bool,
        typer.Option("--serve", help="Then keep the sandbox inbox open on the result."),
    ] = False,
    port: Annotated[
        int,
        typer.Option(
            "--port", min=0, max=65535, help="The inbox's port with --serve (0: any free one)."
        ),
    ] = 8080,
) -> None:
    """Simulate days of collections on a fresh temporary database, every provider in its
    sandbox: customers pay, promise, dispute, ask for instalments, opt out, answer by mail;
    staff work their queue. Prints a summary and writes an HTML report with the charts.

    Nothing in .env or the environment is used: no real provider is ever contacted.
    """
    import asyncio

    # The simulation pulls in every channel, flow and matplotlib: loaded only when asked.
    from bot.demo.simulate import run_demo

    err = Console(stderr=True)
    _quiet_logging()
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    with _progress_bar(err) as bar:
        task = bar.add_task("simulated days", total=days)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        async def keep_open(result: DemoResult, url: str) -> None:
            bar.stop()
            await _show_and_wait(result, url)

        result = asyncio.run(
            run_demo(
                days=days,
                customers=customers,
                seed=seed,
                out=out,
                progress=progress,
                serve=keep_open if serve else None,
                port=port,
            )
        )
    if not serve:
        show(result)
    # On stderr: the wall time differs between runs, the summary above does not.
    err.print(f"simulated {days} days in {time.monotonic() - started:.1f} s", highlight=False)


def _quiet_logging() -> None:
    """Log warnings and worse only, unless -v asked for debug logging."""
    root = logging.getLogger()
    if root.level > logging.DEBUG:  # not -v: a log line per message would bury the bar
        root.setLevel(logging.WARNING)


def _progress_bar(console: Console) -> Progress:
    """The bar of simulated days, gone once the run ends."""
    return Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    )


async def _show_and_wait(result: DemoResult, url: str) -> None:
    """Print the summary and the inbox's address, then keep it open until Ctrl-C."""
    show(result)
    typer.echo(f">>> Sandbox inbox: {url} <<< the demo's customers and staff; Ctrl-C stops")
    await _until_stopped()


async def _until_stopped() -> None:
    """Wait for SIGINT or SIGTERM (Ctrl-C), then give the signals back."""
    import asyncio

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
