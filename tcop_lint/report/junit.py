"""JUnit XML for GitLab, Jenkins and other CI systems that show test reports.

Layout (deterministic, no timestamps):

- one ``<testsuite>`` per TCoP point that had checks run, named "TCoP N: Title";
- a check with no findings is one passing ``<testcase>`` (classname = check id);
- a check with findings is one ``<testcase>`` per file it reported on (``file`` attribute
  set, GitLab shows it; "(repository)" for repository-level findings), holding one
  ``<failure>`` that lists every error and warning finding of that check in that file;
- notes never fail a build: a testcase whose findings are all notes passes, and the notes
  are listed in its ``<system-out>`` (``<skipped>`` would wrongly say the check did not run);
- a crashed check is a testcase with ``<error>``;
- files that could not be read or parsed are a last suite, one ``<skipped>`` testcase each.

Suppressed findings are left out, as in the other CI formats.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import defaultdict
from collections.abc import Iterable

from tcop_lint.core.model import LEVEL_RANK, Check, Finding, Report
from tcop_lint.core.tcop import point_label
from tcop_lint.core.text import plural

REPOSITORY = "(repository)"
# Characters XML 1.0 cannot carry at all; they become U+FFFD rather than make the file invalid.
_NOT_XML = re.compile("[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _text(value: str) -> str:
    return _NOT_XML.sub("\ufffd", value)


def _element(parent: ET.Element, tag: str, text: str | None = None, **attributes: object) -> ET.Element:
    child = ET.SubElement(parent, tag, {key: _text(str(value)) for key, value in attributes.items()})
    if text is not None:
        child.text = _text(text)
    return child


def _finding_line(finding: Finding) -> str:
    position = finding.position
    where = finding.file or REPOSITORY
    if finding.file is not None and position is not None:
        where += f":{position.line}:{position.column}"
    message = " ".join(finding.message.split())
    return f"{where}: {finding.level}: {message} [{finding.address}]"


def _summary(findings: list[Finding]) -> str:
    first = " ".join(findings[0].message.split())
    return first if len(findings) == 1 else f"{first} (and {plural(len(findings) - 1, 'more finding')})"


def _check_cases(suite: ET.Element, check: Check, findings: Iterable[Finding], crashes) -> dict[str, int]:
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    by_file: dict[str | None, list[Finding]] = defaultdict(list)
    for finding in findings:
        by_file[finding.file].append(finding)
    if not by_file:
        counts["tests"] += 1
        _element(suite, "testcase", name=check.title, classname=check.id)
    for file in sorted(by_file, key=lambda f: (f is not None, f or "")):
        group = by_file[file]
        counts["tests"] += 1
        attributes: dict[str, str] = {"name": f"{check.title} [{file or REPOSITORY}]", "classname": check.id}
        if file is not None:
            attributes["file"] = file
        case = _element(suite, "testcase", **attributes)
        failing = [f for f in group if LEVEL_RANK.get(f.level, 0) >= LEVEL_RANK["warning"]]
        notes = [f for f in group if LEVEL_RANK.get(f.level, 0) < LEVEL_RANK["warning"]]
        if failing:
            counts["failures"] += 1
            worst = max(failing, key=lambda f: LEVEL_RANK.get(f.level, 0)).level
            body = "\n".join(_finding_line(f) for f in failing) + f"\n\nGuidance: {check.help_uri}\n"
            _element(case, "failure", body, message=_summary(failing), type=worst)
        if notes:
            _element(case, "system-out", "\n".join(_finding_line(f) for f in notes) + "\n")
    for crash in crashes:
        counts["tests"] += 1
        counts["errors"] += 1
        where = crash.file or REPOSITORY
        case = _element(suite, "testcase", name=f"{check.title} [{where}] crashed", classname=check.id)
        _element(case, "error", crash.traceback or crash.message, message=crash.message, type="crash")
    return counts


def _suite(parent: ET.Element, name: str) -> ET.Element:
    return _element(parent, "testsuite", name=name)


def _set_counts(element: ET.Element, counts: dict[str, int]) -> None:
    for key in ("tests", "failures", "errors", "skipped"):
        element.set(key, str(counts[key]))


def render_junit(report: Report) -> str:
    findings_by_check: dict[str, list[Finding]] = defaultdict(list)
    for finding in report.findings:
        if finding.suppressed is None:
            findings_by_check[finding.check_id].append(finding)
    crashes_by_check = defaultdict(list)
    for crash in report.crashes:
        crashes_by_check[crash.check_id].append(crash)
    root = ET.Element("testsuites", {"name": "tcop-lint"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    by_point: dict[int, list[Check]] = defaultdict(list)
    for check in report.checks:
        by_point[check.tcop_point].append(check)
    for point in sorted(by_point):
        suite = _suite(root, point_label(point))
        counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        for check in sorted(by_point[point], key=lambda c: c.id):
            for key, value in _check_cases(
                suite, check, findings_by_check[check.id], crashes_by_check[check.id]
            ).items():
                counts[key] += value
        _set_counts(suite, counts)
        for key in totals:
            totals[key] += counts[key]
    if report.problems:
        suite = _suite(root, "Files that could not be checked")
        for problem in report.problems:
            case = _element(suite, "testcase", name=problem.file, classname="tcop-lint.files", file=problem.file)
            _element(case, "skipped", message=" ".join(problem.message.split()))
        counts = {"tests": len(report.problems), "failures": 0, "errors": 0, "skipped": len(report.problems)}
        _set_counts(suite, counts)
        for key in totals:
            totals[key] += counts[key]
    _set_counts(root, totals)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
