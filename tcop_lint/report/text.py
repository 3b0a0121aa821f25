"""Human-readable output: findings grouped by file, then a summary per TCoP point."""

from __future__ import annotations

from collections import Counter
from itertools import groupby

from tcop_lint.core.model import Finding, Report
from tcop_lint.core.tcop import point_label
from tcop_lint.core.text import plural as _plural

COLOURS = {"error": "31", "warning": "33", "note": "36"}
REPOSITORY = "(repository)"


CONTROL = {ord(c): repr(c)[1:-1] for c in "\n\r\t\x1b"}


def _shown(name: str) -> str:
    """A file name on one line, with no terminal escapes from a hostile repository."""
    return name.translate(CONTROL)


def _paint(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color else text


def _counts(findings: list[Finding]) -> str:
    counts = Counter(f.level for f in findings)
    return ", ".join(_plural(counts[level], level) for level in ("error", "warning", "note") if counts[level])


def _finding_line(finding: Finding, color: bool) -> str:
    where = f"{finding.position.line}:{finding.position.column}" if finding.position else "-"
    level = _paint(f"{finding.level:<7}", COLOURS[finding.level], color)
    suppressed = f"  [suppressed: {finding.suppressed}]" if finding.suppressed else ""
    return f"  {where:>7}  {level}  {finding.check_id:<16}  {_shown(finding.message)}{suppressed}"


def render_text(report: Report, *, color: bool = False, quiet: bool = False, show_suppressed: bool = False) -> str:
    lines: list[str] = []
    visible = [f for f in report.findings if f.suppressed is None]
    listed = report.findings if show_suppressed else visible
    for file, group in groupby(listed, key=lambda f: f.file or ""):
        lines.append(_paint(_shown(file) if file else REPOSITORY, "1", color))
        lines.extend(_finding_line(finding, color) for finding in group)
        lines.append("")
    if report.problems and not quiet:
        lines.append(_paint("Files that could not be checked", "1", color))
        for problem in report.problems:
            where = f":{problem.position.line}" if problem.position else ""
            lines.append(f"  {_shown(problem.file)}{where}  {problem.level}  {_shown(problem.message)}")
        lines.append("")
    if quiet:
        return "\n".join(lines) + ("\n" if lines and lines[-1] else "")
    if visible:
        lines.append(_paint("By TCoP point", "1", color))
        by_point = sorted(visible, key=lambda f: f.tcop_point)
        for point, group in groupby(by_point, key=lambda f: f.tcop_point):
            lines.append(f"  {point_label(point):<45} {_counts(list(group))}")
        lines.append("")
    summary = _counts(visible) or "no findings"
    hidden = [
        f"{_plural(count, 'finding')} {why}"
        for count, why in (
            (len(report.findings) - len(visible), "suppressed (--show-suppressed lists them)"),
            (report.baseline_hidden, "in the baseline"),
            (report.diff_hidden, "already there before this branch (not on changed lines; not gated)"),
        )
        if count
    ]
    if hidden:
        lines.append("Not shown: " + "; ".join(hidden) + ".")
    lines.append(
        f"{summary} from {_plural(len(report.checks), 'check')} on {_plural(report.files_scanned, 'file')}. "
        "Findings are evidence signals, not a verdict of compliance."
    )
    return "\n".join(lines) + "\n"
