"""The evidence as a spreadsheet: one row per point, check and subject judged."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from typing import Any

from tcop_lint.core.model import Report

COLUMNS = (
    "point",
    "point_title",
    "point_status",
    "check_id",
    "check_title",
    "status",
    "level",
    "file",
    "line",
    "resource",
    "message",
    "exception_kind",
    "exception_reason",
    "exception_until",
    "inspected",
)
# Spreadsheet programs run a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def render_csv(report: Report, framework: str = "tcop") -> str:
    from tcop_lint.report.json_format import report_document

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in csv_rows(report_document(report, framework)):
        writer.writerow([cell(row.get(column)) for column in COLUMNS])
    return out.getvalue()


def csv_rows(document: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
    """Per point and check: a row per finding, per exception, or one row saying it passed (or
    read nothing); a point without checks has one row with its status."""
    findings = {f["fingerprint"]: f for f in document["findings"]}
    for point in document["points"]:
        base = {"point": point["id"], "point_title": point["title"], "point_status": point["status_text"]}
        open_findings = [findings[fp] for fp in point["findings"] if fp in findings]
        for check in point["checks"]:
            row = {**base, "check_id": check["id"], "check_title": check["title"], "inspected": check["inspected"]}
            rows = [
                {**row, "status": "finding", **_where(f), "level": f["level"], "message": f["message"]}
                for f in open_findings
                if f["id"] == check["id"]
            ]
            rows += [
                {
                    **row,
                    "status": "accepted",
                    **_where(e),
                    "message": e["message"],
                    "exception_kind": e["kind"],
                    "exception_reason": e["reason"],
                    "exception_until": e["until"],
                }
                for e in point["exceptions"]
                if e["id"] == check["id"]
            ]
            if not rows:
                rows = [
                    {**row, "status": "passed" if check["inspected"] else "nothing to check", "level": check["level"]}
                ]
            yield from rows
        if not point["checks"]:
            statement = point["statement"]
            yield {
                **base,
                "status": point["status_text"],
                "message": statement["text"] if statement else point["reason"],
                "file": statement["file"] if statement else None,
                "line": statement["line"] if statement else None,
            }


def _where(record: Mapping[str, Any]) -> dict[str, Any]:
    return {"file": record.get("file"), "line": record.get("line"), "resource": record.get("resource")}


def cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
