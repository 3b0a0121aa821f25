"""The JSON report: a stable, documented schema (see README, "JSON output")."""

from __future__ import annotations

import json
from typing import Any

from tcop_lint.core.model import Finding, Report

SCHEMA_VERSION = 1


def finding_record(finding: Finding) -> dict[str, Any]:
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
    }


def render_json(report: Report) -> str:
    document = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "tcop-lint", "version": report.tool_version},
        "files_scanned": report.files_scanned,
        "checks_run": [check.id for check in report.checks],
        "inventory": report.inventory,
        "findings": [finding_record(f) for f in report.findings],
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
    }
    return json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n"
