"""The evidence pack as one self-contained HTML page, in the GOV.UK Design System's look.

Rendered from the JSON report's document (json_format.report_document) or from an estate's
merged document, so the three evidence formats cannot disagree. Every value from a scanned
repository is escaped by Jinja2's autoescape; the page carries a Content-Security-Policy that
allows only its own inline stylesheet (by hash), and it has no scripts.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tcop_lint.core.model import Report

_HERE = Path(__file__).parent
# Only what this page needs beyond GOV.UK Frontend: long paths wrap, the matrix stays legible.
_OWN_CSS = (
    ".tcop-file{word-break:break-all}"
    ".tcop-findings{table-layout:fixed}.tcop-findings td{overflow-wrap:anywhere}"
    ".tcop-findings .tcop-level{width:12%}.tcop-findings .tcop-check{width:18%}.tcop-findings .tcop-where{width:25%}"
    ".tcop-matrix .govuk-table__cell,.tcop-matrix .govuk-table__header{padding-right:8px;vertical-align:top}"
    ".tcop-matrix{font-size:1rem}"
    ".tcop-matrix .govuk-tag{font-size:0.875rem;padding:2px 4px}"
    ".tcop-matrix .tcop-file{word-break:normal;overflow-wrap:anywhere}"
    ".tcop-counts{display:block;margin-top:4px}"
    ".tcop-scroll{overflow-x:auto}"
    "@media print{.govuk-skip-link,.govuk-details__summary{display:none}.govuk-details__text{display:block}}"
)

# The estate page stays readable (and openable) for a thousand repositories: each repository's
# drill-down lists this many findings per point; its own report, and the CSV and JSON, have all.
ESTATE_FINDINGS_PER_POINT = 25

STATUS_TAGS = {
    "concerns": ("Concerns found", "govuk-tag--red"),
    "statement-expired": ("Statement expired", "govuk-tag--orange"),
    "no-concerns": ("No concerns in what was checked", "govuk-tag--green"),
    "statement": ("Statement provided", "govuk-tag--turquoise"),
    "not-applicable": ("Not applicable", "govuk-tag--grey"),
    "needs-statement": ("Needs a statement", "govuk-tag--yellow"),
}


def render_html(report: Report, framework: str = "tcop") -> str:
    from tcop_lint.report.json_format import report_document

    return html_page(report_document(report, framework))


def html_page(document: Mapping[str, Any]) -> str:
    """One repository's evidence pack."""
    return _render("report.html.j2", report=document, repo=_repository_view(document, "r"))


def estate_html_page(estate: Mapping[str, Any]) -> str:
    """Many repositories: the matrix of repositories by points, then each repository's pack."""
    repositories = [
        _repository_view(r, f"r{n}", ESTATE_FINDINGS_PER_POINT) for n, r in enumerate(estate["repositories"], 1)
    ]
    return _render("estate.html.j2", estate=estate, repositories=repositories)


@lru_cache(maxsize=1)
def _stylesheet() -> tuple[str, str]:
    """The page's one stylesheet and its sha256, which the Content-Security-Policy allows."""
    css = (_HERE / "assets" / "govuk-frontend.min.css").read_text(encoding="utf-8").strip() + "\n" + _OWN_CSS
    return css, base64.b64encode(hashlib.sha256(css.encode("utf-8")).digest()).decode("ascii")


def _render(template: str, **values: Any) -> str:
    css, digest = _stylesheet()
    policy = (
        f"default-src 'none'; style-src 'sha256-{digest}'; img-src 'none'; font-src 'none'; "
        "script-src 'none'; base-uri 'none'; form-action 'none'"
    )
    return _environment().get_template(template).render(css=css, policy=policy, **values)


@lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    environment = Environment(
        loader=FileSystemLoader(str(_HERE / "templates")),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.globals["tags"] = STATUS_TAGS
    environment.filters["plural"] = _plural
    environment.filters["setting"] = _setting
    environment.filters["capitalize_first"] = lambda text: text[:1].upper() + text[1:]
    return environment


def _repository_view(document: Mapping[str, Any], anchor: str, limit: int | None = None) -> dict[str, Any]:
    """What the templates need beyond the document: each point's findings and exceptions
    resolved, links to files at the scanned commit, and the guidance pages in one list."""
    repository = document["repository"]
    file_url = repository.get("file_url")
    findings = {f["fingerprint"]: f for f in document["findings"]}
    points = []
    for point in document["points"]:
        own = [findings[fp] for fp in point["findings"] if fp in findings]
        guidance: dict[str, list[str]] = {point["url"]: []} if point.get("url") else {}
        for check in point["checks"]:
            if check.get("help_uri"):
                guidance.setdefault(check["help_uri"], []).append(check["id"])
        points.append(
            {
                **point,
                "anchor": f"{anchor}-point-{point['id']}",
                "open": [{**f, "href": _file_href(file_url, f.get("file"), f.get("line"))} for f in own[:limit]],
                "not_shown": len(own) - len(own[:limit]),
                "exceptions_view": [
                    {**e, "href": _file_href(file_url, e.get("file"), e.get("line"))} for e in point["exceptions"]
                ],
                "evidence_view": [{"path": p, "href": _file_href(file_url, p, None)} for p in point["evidence_files"]],
                "statement_links": [
                    {
                        **link,
                        "href": link["href"] if link["kind"] == "url" else _file_href(file_url, link["href"], None),
                    }
                    for link in ((point.get("statement") or {}).get("links") or [])
                ],
                "guidance": [{"url": url, "checks": ids} for url, ids in guidance.items()],
            }
        )
    outside = [
        {**f, "href": _file_href(file_url, f.get("file"), f.get("line"))}
        for f in document["findings"]
        if not f.get("points") and f.get("suppressed") is None and f["level"] in ("error", "warning", "note")
    ]
    commit = repository.get("commit")
    remote = repository.get("remote")
    return {
        "anchor": anchor,
        "name": repository.get("name") or "repository",
        "commit_href": f"{remote}/commit/{commit}" if remote and commit else None,
        "points": points,
        "outside": outside,
        "document": document,
    }


def _file_href(file_url: str | None, path: str | None, line: int | None) -> str | None:
    """The file at the scanned commit on GitHub or GitLab; None when the remote is elsewhere, so
    no link points at something we cannot vouch for."""
    if not file_url or not path or path.startswith(("/", "<")) or ".." in path.split("/"):
        return None
    url = file_url.replace("{path}", quote(path, safe="/"))
    return url.replace("{line}", str(line)) if line else url.split("#", 1)[0]


def _plural(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"


def _setting(value: Any) -> str:
    if isinstance(value, Mapping):
        return "; ".join(f"{key}: {_setting(item)}" for key, item in value.items()) or "none"
    if isinstance(value, (list, tuple)):
        return ", ".join(_setting(item) for item in value) or "none"
    if value is None or value == "":
        return "none"
    return str(value)
