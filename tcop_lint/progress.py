"""Progress of a long scan on standard error: files loaded of total, then checks run.

Nothing is shown for the first second, so short scans print nothing; the caller decides
whether progress may be shown at all (a terminal, not CI, not --quiet).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TextIO

# A callback the scan calls with its phase ("loading files", "running checks"), done and total.
Progress = Callable[[str, int, int], None]

DELAY_SECONDS = 1.0


def progress_allowed(stderr: TextIO, environ: dict[str, str], quiet: bool, machine_output_on_stdout: bool) -> bool:
    """Progress only for a person at a terminal: never on a pipe, in CI logs, with --quiet, or
    while a machine-readable report goes to standard output."""
    if quiet or machine_output_on_stdout or environ.get("CI", "").lower() not in ("", "0", "false"):
        return False
    isatty = getattr(stderr, "isatty", None)
    return bool(isatty and isatty())


def progress_bar(stderr: TextIO, delay: float | None = None) -> tuple[Progress, Callable[[], None]]:
    """A progress callback drawing click's progress bar on ``stderr`` once ``delay`` has passed,
    and a function that ends the last bar."""
    import click

    delay = DELAY_SECONDS if delay is None else delay
    started = time.monotonic()
    state: dict[str, Any] = {"phase": None, "bar": None, "done": 0}

    def close() -> None:
        bar = state["bar"]
        if bar is not None:
            bar.render_finish()
        state["bar"] = None

    def report(phase: str, done: int, total: int) -> None:
        if state["phase"] != phase:
            close()
            state["phase"], state["done"] = phase, 0
        if state["bar"] is None:
            if time.monotonic() - started < delay or total <= 0:
                state["done"] = done
                return
            state["bar"] = click.progressbar(length=total, label=f"tcop-lint: {phase}", file=stderr, show_pos=True)
            state["done"] = 0
        step = done - state["done"]
        if step > 0:
            state["bar"].update(step)
            state["done"] = done

    return report, close
