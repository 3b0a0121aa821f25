"""Reporters turn a Report into text; each format lives in its own module."""

from __future__ import annotations

from tcop_lint.model import Report


def render(
    report: Report,
    output_format: str,
    *,
    color: bool = False,
    quiet: bool = False,
    show_suppressed: bool = False,
    sarif_suppressed: bool = False,
) -> str:
    if output_format == "sarif":
        from tcop_lint.reporters.sarif import render_sarif

        return render_sarif(report, include_suppressed=sarif_suppressed)
    if output_format in ("github", "markdown", "junit"):
        from importlib import import_module

        return getattr(import_module(f"tcop_lint.reporters.{output_format}"), f"render_{output_format}")(report)
    if output_format == "json":
        from tcop_lint.reporters.json_format import render_json

        return render_json(report)
    from tcop_lint.reporters.text import render_text

    return render_text(report, color=color, quiet=quiet, show_suppressed=show_suppressed)
