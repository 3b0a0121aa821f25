"""Reporters turn a Report into text; each format lives in its own module."""

from __future__ import annotations

from dataclasses import replace

from tcop_lint.model import Report


# Formats a person reads on the pull request: in pull-request mode they list only what the branch
# introduced (and say how many findings were already there); SARIF, JSON and GitLab reports hold
# every finding of the head, since each upload is the whole state of the branch.
CHANGED_ONLY_FORMATS = ("text", "github", "markdown", "junit")


def changed_only(report: Report) -> Report:
    if report.diff_base is None:
        return report
    return replace(report, findings=tuple(f for f in report.findings if f.baseline_state != "unchanged"))


def render(
    report: Report,
    output_format: str,
    *,
    color: bool = False,
    quiet: bool = False,
    show_suppressed: bool = False,
    sarif_suppressed: bool = False,
) -> str:
    if output_format in CHANGED_ONLY_FORMATS:
        report = changed_only(report)
    if output_format == "sarif":
        from tcop_lint.reporters.sarif import render_sarif

        return render_sarif(report, include_suppressed=sarif_suppressed)
    if output_format in ("github", "markdown", "junit", "gitlab"):
        from importlib import import_module

        return getattr(import_module(f"tcop_lint.reporters.{output_format}"), f"render_{output_format}")(report)
    if output_format == "json":
        from tcop_lint.reporters.json_format import render_json

        return render_json(report)
    from tcop_lint.reporters.text import render_text

    return render_text(report, color=color, quiet=quiet, show_suppressed=show_suppressed)
