"""A Markdown report for a GitHub job summary or a pull-request comment.

Counts per TCoP point, then the most severe findings as a table (capped, so a comment stays
well under GitHub's 65,536-character limit and a job summary under its 1 MiB). Text from the
scanned repository is escaped so that it renders literally: no tables broken by ``|``, no
links, HTML or emphasis injected by a message, and no ``@mention`` pinging anyone.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import groupby

from tcop_lint.core.model import LEVEL_RANK, Check, Finding, Report
from tcop_lint.core.tcop import CODE_URL, POINTS, point_label
from tcop_lint.core.text import plural as _plural

MAX_ROWS = 50
MAX_MESSAGE = 300
MAX_PROBLEMS = 20
VERDICT = (
    "Findings are evidence signals for a spend-control or service assessment, "
    "not a verdict of compliance with the Technology Code of Practice."
)
LEVEL_ORDER = ("error", "warning", "note")
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#!|~&$])")
_MENTION = re.compile(r"@(?=\w)")


def escape(text: str, limit: int | None = None) -> str:
    """Plain text as inline Markdown that renders literally, on one line, safe in a table cell."""
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    text = _SPECIAL.sub(r"\\\1", text)
    return _MENTION.sub("@\u200b", text)


def code(text: str, *, in_table: bool = True) -> str:
    """A code span holding ``text`` literally (in a table cell, GFM needs ``|`` escaped)."""
    text = " ".join(text.split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    padded = f" {text} " if text.startswith("`") or text.endswith("`") else text
    span = f"{fence}{padded}{fence}"
    return span.replace("|", "\\|") if in_table else span


def _counts_text(findings: list[Finding]) -> str:
    counts: Counter[str] = Counter(f.level for f in findings)
    return ", ".join(_plural(counts[level], level) for level in LEVEL_ORDER if counts[level]) or "no findings"


def _where(finding: Finding) -> str:
    if finding.file is None:
        return "(repository)"
    return code(f"{finding.file}:{finding.position.line}" if finding.position else finding.file)


def _check_link(finding: Finding, checks: dict[str, Check]) -> str:
    check = checks.get(finding.check_id)
    uri = check.help_uri if check else CODE_URL
    return f"[{escape(finding.check_id)}](<{uri.replace('>', '%3E')}>)"


def _point_cell(point: int) -> str:
    _, uri = POINTS.get(point, ("", CODE_URL))
    return f"[{escape(point_label(point))}]({uri})"


def render_markdown(report: Report, *, max_rows: int = MAX_ROWS) -> str:
    checks = {check.id: check for check in report.checks}
    visible = [f for f in report.findings if f.suppressed is None]
    suppressed = len(report.findings) - len(visible)
    lines = [
        f"## tcop-lint: {_counts_text(visible)}",
        "",
        f"> {VERDICT}",
        "",
        f"{_plural(len(report.checks), 'check')} ran on {_plural(report.files_scanned, 'file')}"
        + (f"; {_plural(suppressed, 'suppressed finding')} not shown" if suppressed else "")
        + ".",
        "",
    ]
    if report.diff_base is not None:
        lines += [
            f"Pull-request mode (changes since `{escape(report.diff_base)}`): "
            f"{_plural(len(visible), 'new finding')} on changed lines, listed here and gated; "
            f"{_plural(report.diff_hidden, 'finding')} already there before this branch, "
            "kept in the SARIF report (code scanning) but not gated.",
            "",
        ]
    if visible:
        lines += ["| TCoP point | Errors | Warnings | Notes |", "| --- | ---: | ---: | ---: |"]
        for point, group in groupby(sorted(visible, key=lambda f: f.tcop_point), key=lambda f: f.tcop_point):
            counts = Counter(f.level for f in group)
            lines.append(f"| {_point_cell(point)} | {counts['error']} | {counts['warning']} | {counts['note']} |")
        lines.append("")
        ranked = sorted(visible, key=lambda f: (-LEVEL_RANK.get(f.level, 0), f.sort_key(), f.fingerprint))
        shown = ranked[:max_rows]
        heading = "Most severe findings" if len(shown) < len(ranked) else "Findings"
        count = f" ({len(shown)} of {len(ranked)})" if len(shown) < len(ranked) else ""
        lines += [f"### {heading}{count}", "", "| Level | Check | Location | Message |", "| --- | --- | --- | --- |"]
        for finding in shown:
            lines.append(
                f"| {finding.level} | {_check_link(finding, checks)} | {_where(finding)} "
                f"| {escape(finding.message, MAX_MESSAGE)} |"
            )
        lines.append("")
        if len(shown) < len(ranked):
            lines += [
                f"{_plural(len(ranked) - len(shown), 'more finding')} not listed here: see the job log "
                "or the SARIF report.",
                "",
            ]
    if report.problems:
        lines += ["### Files that could not be checked", ""]
        for problem in report.problems[:MAX_PROBLEMS]:
            where = f"{problem.file}:{problem.position.line}" if problem.position else problem.file
            lines.append(f"- {code(where, in_table=False)}: {escape(problem.message, MAX_MESSAGE)}")
        if len(report.problems) > MAX_PROBLEMS:
            lines.append(f"- and {_plural(len(report.problems) - MAX_PROBLEMS, 'more file')}")
        lines.append("")
    if report.crashes:
        lines += ["### Checks that crashed", ""]
        for crash in report.crashes:
            where = f" on {code(crash.file, in_table=False)}" if crash.file else ""
            lines.append(f"- {escape(crash.check_id)}{where}: {escape(crash.message, MAX_MESSAGE)}")
        lines.append("")
    return "\n".join(lines)
