"""The JSON report: a stable, documented schema (see README, "JSON output")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tcop_lint.core.model import Finding, Report

SCHEMA_VERSION = 2  # 2: repository, configuration, framework, points and coverage


def finding_record(finding: Finding, points: tuple[str, ...] = ()) -> dict[str, Any]:
    position = finding.position
    return {
        "id": finding.check_id,
        "level": finding.level,
        "tcop_point": finding.tcop_point,
        "file": finding.file,
        "line": position.line if position else None,
        "column": position.column if position else None,
        "end_line": position.end_line if position else None,
        "end_column": position.end_column if position else None,
        "message": finding.message,
        "resource": finding.address,
        "fingerprint": finding.fingerprint,
        "suppressed": finding.suppressed,
        "baseline_state": finding.baseline_state,
        "properties": {key: finding.properties[key] for key in sorted(finding.properties)},
        # a resource in a called module: the module's line a caller's value reaches, or the calls
        "related": [{"file": p.file, "line": p.line, "column": p.column} for p in finding.related if p.file],
        "points": list(points),  # of the framework in force
    }


def report_document(report: Report, framework: str = "tcop") -> dict[str, Any]:
    """The JSON report as data (tcop_lint/report/schemas/report.schema.json): what the HTML and CSV evidence
    formats and ``tcop-lint estate`` read too."""
    from tcop_lint.report.points import points_view

    view = points_view(report, framework)
    repository = report.repository
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "tcop-lint", "version": report.tool_version},
        "generated_at": report.generated_at or None,
        "repository": {
            "name": repository.name if repository else Path(report.root).name,
            "commit": repository.commit if repository else None,
            "branch": repository.branch if repository else None,
            "remote": repository.remote if repository else None,
            "file_url": repository.file_url if repository else None,
        },
        "configuration": dict(report.configuration),
        "framework": {"id": view.framework.id, "title": view.framework.title, "url": view.framework.url},
        "files_scanned": report.files_scanned,
        "checks_run": [check.id for check in report.checks],
        "inventory": report.inventory,
        "findings": [finding_record(f, view.finding_points.get(f.fingerprint, ())) for f in report.findings],
        "problems": [
            {
                "file": p.file,
                "line": p.position.line if p.position else None,
                "level": p.level,
                "skipped": p.skipped,
                "message": p.message,
            }
            for p in report.problems
        ],
        "crashes": [{"id": c.check_id, "file": c.file, "message": c.message} for c in report.crashes],
        "points": list(view.points),
        "coverage": dict(view.coverage),
    }


def render_json(report: Report, framework: str = "tcop") -> str:
    return json.dumps(report_document(report, framework), indent=2, ensure_ascii=False, default=str) + "\n"
