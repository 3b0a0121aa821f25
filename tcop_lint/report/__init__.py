"""Reporters turn a Report into text; each format lives in its own module."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from tcop_lint.core.model import Report

# Formats a person reads on the pull request: in pull-request mode they list only what the branch
# introduced (and say how many findings were already there); SARIF, JSON and GitLab reports hold
# every finding of the head, since each upload is the whole state of the branch.
CHANGED_ONLY_FORMATS = ("text", "github", "markdown", "junit")


def changed_only(report: Report) -> Report:
    if report.diff_base is None:
        return report
    return replace(report, findings=tuple(f for f in report.findings if f.baseline_state != "unchanged"))


@dataclass(frozen=True)
class RenderOptions:
    color: bool = False
    quiet: bool = False
    show_suppressed: bool = False
    sarif_suppressed: bool = False
    framework: str = "tcop"  # the points the evidence formats (json, csv, html) group findings by


# Each reporter's module is imported only when its format is asked for, so that a scan that
# prints text never pays for the SARIF object model.
def _text(report: Report, options: RenderOptions) -> str:
    from tcop_lint.report.text import render_text

    return render_text(report, color=options.color, quiet=options.quiet, show_suppressed=options.show_suppressed)


def _json(report: Report, options: RenderOptions) -> str:
    from tcop_lint.report.json_format import render_json

    return render_json(report, options.framework)


def _csv(report: Report, options: RenderOptions) -> str:
    from tcop_lint.report.csv_format import render_csv

    return render_csv(report, options.framework)


def _html(report: Report, options: RenderOptions) -> str:
    from tcop_lint.report.html import render_html

    return render_html(report, options.framework)


def _sarif(report: Report, options: RenderOptions) -> str:
    from tcop_lint.report.sarif import render_sarif

    return render_sarif(report, include_suppressed=options.sarif_suppressed)


def _github(report: Report, options: RenderOptions) -> str:
    from tcop_lint.report.github import render_github

    return render_github(report)


def _markdown(report: Report, options: RenderOptions) -> str:
    from tcop_lint.report.markdown import render_markdown

    return render_markdown(report)


def _junit(report: Report, options: RenderOptions) -> str:
    from tcop_lint.report.junit import render_junit

    return render_junit(report)


def _gitlab(report: Report, options: RenderOptions) -> str:
    from tcop_lint.report.gitlab import render_gitlab

    return render_gitlab(report)


RENDERERS: Mapping[str, Callable[[Report, RenderOptions], str]] = {
    "text": _text,
    "json": _json,
    "sarif": _sarif,
    "github": _github,
    "markdown": _markdown,
    "junit": _junit,
    "gitlab": _gitlab,
    "csv": _csv,
    "html": _html,
}
# Formats that describe the repository (commit, remote) and so need its git metadata read.
EVIDENCE_FORMATS = ("json", "csv", "html")


def render(report: Report, output_format: str, options: RenderOptions = RenderOptions()) -> str:
    if output_format in CHANGED_ONLY_FORMATS:
        report = changed_only(report)
    return RENDERERS[output_format](report, options)
