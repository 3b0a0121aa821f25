"""GitHub Actions workflow commands: findings as annotations on the pull request.

GitHub shows at most 10 error, 10 warning and 10 notice annotations per step (and 50 per
job), so the most severe findings become annotations, findings in files before
repository-level ones, and the rest are printed as plain log lines with a closing count.

Everything that comes from the scanned repository (paths, messages, titles) is escaped as
the Actions toolkit does (``%``, CR, LF; plus ``:`` and ``,`` in properties), so a file name
or message in a pull request cannot end a command early or start a new one. Plain log
lines always begin with ``tcop-lint:`` and carry no raw line breaks, so they can never be
read as a command either.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping

from tcop_lint.core.model import LEVEL_RANK, Check, Finding, ParseProblem, Report
from tcop_lint.core.tcop import CODE_URL, point_label
from tcop_lint.core.text import plural as _plural

ANNOTATIONS_PER_LEVEL = 10
COMMANDS = {"error": "error", "warning": "warning", "note": "notice"}
PREFIX = "tcop-lint:"
# Line breaks other than CR and LF: GitHub's runner does not split on them, but other log
# readers do, so they become spaces rather than reach a reader as a line start.
_OTHER_BREAKS = {ord(c): " " for c in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"}


def escape_data(text: str) -> str:
    """Escape a workflow-command message (the part after ``::``)."""
    text = text.translate(_OTHER_BREAKS)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow-command property value (``file=``, ``title=``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _one_line(text: str) -> str:
    return " ".join(text.translate(_OTHER_BREAKS).split())


def command(level: str, message: str, properties: Mapping[str, object] | None = None) -> str:
    """One workflow command line, e.g. ``::error file=a.tf,line=3::message``."""
    props = ",".join(f"{key}={escape_property(str(value))}" for key, value in (properties or {}).items())
    return f"::{COMMANDS[level]}{' ' + props if props else ''}::{escape_data(message)}"


def _rank(finding: Finding) -> tuple:
    return (-LEVEL_RANK.get(finding.level, 0), finding.file is None, finding.sort_key(), finding.fingerprint)


def _finding_command(finding: Finding, checks: Mapping[str, Check]) -> str:
    check = checks.get(finding.check_id)
    properties: dict[str, object] = {}
    if finding.file is not None:
        properties["file"] = finding.file
        position = finding.position
        if position is not None:
            properties["line"] = position.line
            properties["col"] = position.column
            if position.end_line is not None:
                properties["endLine"] = position.end_line
                if position.end_column is not None:
                    properties["endColumn"] = position.end_column
    properties["title"] = f"{finding.check_id}: {check.title}" if check else finding.check_id
    help_uri = check.help_uri if check else CODE_URL
    message = f"{finding.message}\n{point_label(finding.tcop_point)}. {help_uri}"
    return command(finding.level, message, properties)


def _where(finding: Finding) -> str:
    if finding.file is None:
        return "(repository)"
    position = finding.position
    return f"{finding.file}:{position.line}:{position.column}" if position else finding.file


def _finding_line(finding: Finding) -> str:
    return _one_line(f"{PREFIX} {_where(finding)}: {finding.level} {finding.check_id} {finding.message}")


def _problem_command(problem: ParseProblem) -> tuple[str, str]:
    level = "note" if problem.skipped else problem.level
    properties: dict[str, object] = {"file": problem.file}
    if problem.position is not None:
        properties["line"] = problem.position.line
    properties["title"] = "tcop-lint: file skipped" if problem.skipped else "tcop-lint: file could not be checked"
    return level, command(level, problem.message, properties)


def render_github(report: Report) -> str:
    """Workflow commands for the unsuppressed findings, most severe first, within GitHub's caps."""
    checks = {check.id: check for check in report.checks}
    findings = sorted((f for f in report.findings if f.suppressed is None), key=_rank)
    used: Counter[str] = Counter()
    lines: list[str] = []
    overflow: list[str] = []
    for finding in findings:
        if used[finding.level] < ANNOTATIONS_PER_LEVEL:
            used[finding.level] += 1
            lines.append(_finding_command(finding, checks))
        else:
            overflow.append(_finding_line(finding))
    not_annotated = len(overflow)
    for problem in report.problems:
        level, line = _problem_command(problem)
        if used[level] < ANNOTATIONS_PER_LEVEL:
            used[level] += 1
            lines.append(line)
        else:
            where = f"{problem.file}:{problem.position.line}" if problem.position else problem.file
            overflow.append(_one_line(f"{PREFIX} {where}: could not be checked: {problem.message}"))
    lines.extend(overflow)
    lines.append(_closing_line(findings, not_annotated))
    return "\n".join(lines) + "\n"


def _closing_line(findings: list[Finding], not_annotated: int) -> str:
    counts = Counter(f.level for f in findings)
    summary = ", ".join(_plural(counts[level], level) for level in ("error", "warning", "note") if counts[level])
    text = f"{PREFIX} {summary or 'no findings'}."
    if not_annotated:
        text += (
            f" {not_annotated} not shown as annotations (GitHub shows {ANNOTATIONS_PER_LEVEL} per level"
            " per step); all are listed above, in the job summary and in the SARIF report."
        )
    return text + " Findings are evidence signals, not a verdict of compliance."
