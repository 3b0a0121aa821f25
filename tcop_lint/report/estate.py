"""The estate view: many repositories' JSON reports merged into one matrix of repositories by
points (tcop_lint/report/schemas/estate.schema.json), for a department's assurance team."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from tcop_lint.report.json_format import SCHEMA_VERSION

ESTATE_SCHEMA_VERSION = 1
ESTATE_FORMATS = ("html", "csv", "json")
_SCHEMAS = Path(__file__).resolve().parent / "schemas"


@dataclass(frozen=True)
class ReadReports:
    documents: tuple[tuple[str, dict[str, Any]], ...]  # (the file as given, its report)
    skipped: tuple[tuple[str, str], ...]  # (the file, why it was left out)
    warnings: tuple[str, ...]


def read_reports(paths: Sequence[Path], tool_version: str) -> ReadReports:
    """Each report read and checked against the report schema; a damaged one is named and left
    out, and reports from other tool versions, or of another framework than the first, are said."""
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(report_schema())
    documents: list[tuple[str, dict[str, Any]]] = []
    skipped: list[tuple[str, str]] = []
    warnings: list[str] = []
    for path in paths:
        name = str(path)
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as error:
            skipped.append((name, f"cannot be read: {getattr(error, 'strerror', None) or error}"))
            continue
        except json.JSONDecodeError as error:
            skipped.append((name, f"is not JSON (line {error.lineno}, column {error.colno}: {error.msg})"))
            continue
        if not isinstance(document, dict) or "schema_version" not in document:
            skipped.append((name, "is not a tcop-lint JSON report (scan with --format json)"))
            continue
        if document["schema_version"] != SCHEMA_VERSION:
            skipped.append(
                (
                    name,
                    f"has report schema {document['schema_version']!r}; this tcop-lint merges schema "
                    f"{SCHEMA_VERSION} (rescan with tcop-lint {tool_version})",
                )
            )
            continue
        damage = next(iter(sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))), None)
        if damage is not None:
            where = ".".join(str(part) for part in damage.absolute_path) or "the top level"
            skipped.append((name, f"is damaged at {where}: {damage.message[:200]}"))
            continue
        if documents and document["framework"]["id"] != documents[0][1]["framework"]["id"]:
            first = documents[0][1]["framework"]["id"]
            skipped.append((name, f"groups by {document['framework']['id']}, not {first} like the first report"))
            continue
        version = document["tool"]["version"]
        if version != tool_version:
            warnings.append(f"{name}: made by tcop-lint {version}, merged by {tool_version}; its checks may differ")
        documents.append((name, document))
    return ReadReports(tuple(documents), tuple(skipped), tuple(warnings))


@lru_cache(maxsize=1)
def report_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((_SCHEMAS / "report.schema.json").read_text(encoding="utf-8"))
    return schema


def estate_document(read: ReadReports, tool_version: str, generated_at: str) -> dict[str, Any]:
    """The merged view: per point, how many repositories are in each status; per repository,
    each point's status and counts; the repositories' own reports for the drill-down."""
    documents = [document for _, document in read.documents]
    framework = documents[0]["framework"] if documents else {"id": "tcop", "title": "", "url": ""}
    points = _points(documents)
    rows = [_row(name, document) for name, document in read.documents]
    return {
        "estate_schema_version": ESTATE_SCHEMA_VERSION,
        "tool": {"name": "tcop-lint", "version": tool_version},
        "generated_at": generated_at,
        "framework": framework,
        "points": [
            {**point, "statuses": _status_counts(row["points"].get(point["id"], {}).get("status") for row in rows)}
            for point in points
        ],
        "matrix": rows,
        "repositories": documents,
        "skipped": [{"file": name, "reason": reason} for name, reason in read.skipped],
        "warnings": list(read.warnings),
    }


def _points(documents: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for document in documents:
        for point in document["points"]:
            seen.setdefault(point["id"], {"id": point["id"], "title": point["title"], "url": point.get("url")})
    return sorted(seen.values(), key=lambda p: (len(p["id"]), p["id"]))


def _row(name: str, document: Mapping[str, Any]) -> dict[str, Any]:
    repository = document["repository"]
    return {
        "repository": repository["name"],
        "report": name,
        "commit": repository.get("commit"),
        "remote": repository.get("remote"),
        "tool_version": document["tool"]["version"],
        "generated_at": document.get("generated_at"),
        "coverage": document["coverage"],
        "points": {
            point["id"]: {"status": point["status"], **{k: point["counts"][k] for k in _ROW_COUNTS}}
            for point in document["points"]
        },
    }


_ROW_COUNTS = ("errors", "warnings", "notes", "accepted", "checks_reading", "checks")


def _status_counts(statuses: Iterable[str | None]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for status in statuses:
        if status is not None:
            counts[status] = counts.get(status, 0) + 1
    return dict(sorted(counts.items()))


def render_estate(estate: Mapping[str, Any], output_format: str) -> str:
    if output_format == "json":
        return json.dumps(estate, indent=2, ensure_ascii=False) + "\n"
    if output_format == "csv":
        return estate_csv(estate)
    from tcop_lint.report.html import estate_html_page

    return estate_html_page(estate)


def estate_csv(estate: Mapping[str, Any]) -> str:
    """The single report's rows (report/csv_format.py) with the repository and commit first."""
    from tcop_lint.report.csv_format import COLUMNS, cell, csv_rows

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(("repository", "commit", *COLUMNS))
    for document in estate["repositories"]:
        repository = document["repository"]
        for row in csv_rows(document):
            writer.writerow(
                [cell(repository["name"]), cell(repository.get("commit")), *(cell(row.get(c)) for c in COLUMNS)]
            )
    return out.getvalue()
