"""The evidence view of a report: per point of a framework, what was checked, what was found,
what the team accepted and what it says — the statuses an assessor reads first."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tcop_lint.core.frameworks import FRAMEWORKS, Framework, check_points
from tcop_lint.core.model import Check, Finding, Report, Statement

STATUS_TEXT: Mapping[str, str] = {
    "concerns": "concerns found",
    "statement-expired": "statement expired",
    "no-concerns": "no concerns in what was checked",
    "statement": "statement provided",
    "not-applicable": "not applicable",
    "needs-statement": "needs a statement",
}
SUBJECT_NOUNS: Mapping[str, str] = {
    "terraform": "resources",
    "kubernetes": "objects",
    "openapi": "documents",
    "repository": "repository",
    "git": "repository",
}
# Files whose names say they are evidence for a point no check can judge (basenames, any case).
_EVIDENCE: Mapping[tuple[str, str], tuple[str, ...]] = {
    ("tcop", "1"): ("*user-research*", "*user_research*", "*user-needs*", "*user_needs*"),
    ("tcop", "2"): ("*accessibility-statement*", "*accessibility_statement*", "accessibility.*"),
    ("tcop", "7"): ("*dpia*", "*privacy-notice*", "*privacy_notice*", "*privacy-policy*", "privacy.*"),
    ("tcop", "11"): ("*purchasing-strategy*", "*procurement*"),
    ("tcop", "12"): ("*sustainability*", "*carbon-footprint*"),
    ("service-standard", "1"): ("*user-research*", "*user_research*", "*user-needs*", "*user_needs*"),
    ("service-standard", "5"): ("*accessibility-statement*", "*accessibility_statement*", "accessibility.*"),
    ("service-standard", "9"): ("*dpia*", "*privacy-notice*", "*privacy_notice*", "privacy.*"),
}
_DOCUMENT_SUFFIXES = (".md", ".markdown", ".rst", ".txt", ".html", ".htm", ".erb", ".njk", ".pdf", ".odt", ".docx")
_MAX_EVIDENCE_FILES = 10


@dataclass(frozen=True)
class PointsView:
    framework: Framework
    points: tuple[Mapping[str, Any], ...]
    coverage: Mapping[str, int]
    finding_points: Mapping[str, tuple[str, ...]]  # fingerprint -> the framework's point ids


def framework_or_default(framework_id: str) -> Framework:
    return FRAMEWORKS.get(framework_id, FRAMEWORKS["tcop"])


def points_view(report: Report, framework_id: str = "tcop") -> PointsView:
    framework = framework_or_default(framework_id)
    checks = {check.id: check for check in report.checks}
    finding_points = {
        f.fingerprint: check_points(checks[f.check_id], framework.id) if f.check_id in checks else ()
        for f in (*report.findings, *report.accepted)
    }
    statements = {s.point: s for s in report.statements if s.framework == framework.id}
    points = tuple(
        _point(report, framework, point.id, point.title, point.url, checks, finding_points, statements.get(point.id))
        for point in framework.points
    )
    statuses = [p["status"] for p in points]
    coverage = {
        "points": len(points),
        "automated": sum(1 for p in points if p["automated"]),
        "statements": sum(1 for p in points if p["statement"] is not None),
        "needs_statement": statuses.count("needs-statement"),
        "not_applicable": statuses.count("not-applicable"),
        "concerns": statuses.count("concerns"),
        # findings no point of this framework covers (API style under Secure by Design, say)
        "findings_outside": sum(
            1 for f in report.findings if f.suppressed is None and not finding_points[f.fingerprint]
        ),
    }
    return PointsView(framework, points, coverage, finding_points)


def _point(
    report: Report,
    framework: Framework,
    point_id: str,
    title: str,
    url: str,
    checks: Mapping[str, Check],
    finding_points: Mapping[str, tuple[str, ...]],
    statement: Statement | None,
) -> dict[str, Any]:
    own_checks = [c for c in checks.values() if point_id in check_points(c, framework.id)]
    findings = [f for f in report.findings if point_id in finding_points.get(f.fingerprint, ())]
    open_findings = [f for f in findings if f.suppressed is None]
    excepted = [f for f in findings if f.suppressed is not None]
    accepted = [f for f in report.accepted if point_id in finding_points.get(f.fingerprint, ())]
    per_check = [_check_entry(c, report, open_findings) for c in own_checks]
    inspected = sum(entry["inspected"] for entry in per_check)
    levels = [f.level for f in open_findings]
    automated = bool(own_checks) and inspected > 0
    status, reason = _status(levels, automated, bool(own_checks), statement)
    return {
        "id": point_id,
        "title": title,
        "url": url,
        "status": status,
        "status_text": STATUS_TEXT[status],
        "automated": automated,
        "counts": {
            "checks": len(own_checks),
            "checks_reading": sum(1 for entry in per_check if entry["inspected"]),
            "inspected": inspected,
            "files": max((entry["files"] for entry in per_check), default=0),
            "errors": levels.count("error"),
            "warnings": levels.count("warning"),
            "notes": levels.count("note"),
            "suppressed": len(excepted),
            "accepted": len(accepted),
        },
        "checks": per_check,
        "findings": [f.fingerprint for f in open_findings],
        "exceptions": [exception_record(f, checks.get(f.check_id)) for f in (*excepted, *accepted)],
        "statement": statement_record(statement) if statement is not None else None,
        "evidence_files": evidence_files(report.repository_files, framework.id, point_id),
        "reason": reason,
    }


def _check_entry(check: Check, report: Report, findings: Sequence[Finding]) -> dict[str, Any]:
    inspection = report.inspected.get(check.id)
    return {
        "id": check.id,
        "title": check.title,
        "level": check.level,
        "reads": check.reads,
        "subjects": SUBJECT_NOUNS.get(check.reads, "subjects"),
        "inspected": inspection.subjects if inspection else 0,
        "files": inspection.files if inspection else 0,
        "findings": sum(1 for f in findings if f.check_id == check.id),
        "help_uri": check.help_uri,
    }


def _status(levels: Sequence[str], automated: bool, has_checks: bool, statement: Statement | None) -> tuple[str, str]:
    concerns = levels.count("error") + levels.count("warning")
    if concerns:
        return "concerns", f"{concerns} error or warning finding{'s' if concerns != 1 else ''} not fixed or accepted"
    if statement is not None and statement.expired:
        return "statement-expired", f"the team's statement was due for review on {statement.review_by}"
    if automated:
        return "no-concerns", "the checks for this point found no errors or warnings in what they read"
    if statement is not None and statement.applies:
        return "statement", "no check can evidence this point here; the team's statement does"
    if statement is not None:
        return "not-applicable", "the team states that this point does not apply"
    if has_checks:
        return "not-applicable", "nothing this point's checks read is in the repository"
    return "needs-statement", "no check can evidence this point: the team's statement is needed"


def exception_record(finding: Finding, check: Check | None) -> dict[str, Any]:
    position = finding.position
    kind = {"inSource": "inline", "external": "configuration", "baseline": "baseline"}.get(
        str(finding.properties.get("suppression_kind")), "inline"
    )
    if kind == "inline" and check is not None and check.reads == "openapi":
        kind = "openapi"  # an x-tcop-lint-ignore entry in the document
    return {
        "id": finding.check_id,
        "file": finding.file,
        "line": position.line if position else None,
        "resource": finding.address,
        "message": finding.message,
        "kind": kind,
        "reason": finding.suppressed or None,
        "until": finding.properties.get("suppression_until"),
    }


def statement_record(statement: Statement) -> dict[str, Any]:
    return {
        "text": statement.text,
        "owner": statement.owner,
        "review_by": statement.review_by,
        "expired": statement.expired,
        "applies": statement.applies,
        "links": [{"text": link.text, "href": link.href, "kind": link.kind} for link in statement.links],
        "file": statement.file,
        "line": statement.line or None,
    }


def evidence_files(files: Sequence[str], framework_id: str, point_id: str) -> list[str]:
    patterns = _EVIDENCE.get((framework_id, point_id), ())
    if not patterns:
        return []
    found = []
    for path in files:
        base = path.rsplit("/", 1)[-1].lower()
        if base.endswith(_DOCUMENT_SUFFIXES) and any(fnmatch.fnmatchcase(base, p) for p in patterns):
            found.append(path)
            if len(found) == _MAX_EVIDENCE_FILES:
                break
    return found
