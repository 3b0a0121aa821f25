"""SARIF 2.1.0 output that GitHub code scanning accepts without surprises.

The log is built from plain dicts, not sarif-om objects. sarif-om's serializer drops any
property equal to its schema default (so ``level: "warning"`` vanishes and GitHub falls back
to the rule default) and its suppression status names predate the final 2.1.0 spelling.
Plain dicts give a fixed key order and byte-identical output for the same input.

Choices worth knowing:

- URIs are repository-relative and percent-encoded, under ``uriBaseId: %SRCROOT%``.
  ``originalUriBaseIds`` describes ``%SRCROOT%`` without a ``uri``: an absolute file:// root
  would leak the scanning machine's path and differ between machines. GitHub ignores the
  property and resolves relative URIs against the repository root itself.
- A repository-level finding (``file is None``) still needs a physical location: GitHub
  rejects results with an empty or missing artifact URI. It is anchored at line 1 of the
  root README when there is one, otherwise at ``.`` (the root itself). Moving the anchor
  (adding a README later) makes GitHub close and reopen those alerts once.
- ``partialFingerprints`` carries ``tcopLint/v1`` (the engine's logical fingerprint: rule,
  file, address; never the line) and also ``primaryLocationLineHash`` built from it, because
  GitHub matches alerts only on that key and upload-sarif keeps a value that is already
  there (it logs a warning that it differs from its own line hash; that is expected).
- GitHub's limits (peer survey part B) are enforced by deterministic truncation, reported
  in a tool notification: 25,000 results and rules per run, 20 tags per rule, 1,024
  characters for descriptions, and a 10 MB gzip-compressed file.
- Suppressed findings are left out by default: GitHub ingests them as open alerts.
"""

from __future__ import annotations

import gzip
import json
import math
import os
import re
from collections.abc import Mapping
from typing import Any, Iterable, Sequence
from urllib.parse import quote

from tcop_lint.model import (
    LEVEL_RANK,
    Check,
    CheckCrash,
    Finding,
    ParseProblem,
    Position,
    Report,
    Unresolved,
)
from tcop_lint.tcop import CODE_URL, POINTS, point_label

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "tcop-lint"
DEFAULT_INFORMATION_URI = "https://pypi.org/project/tcop-lint/"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "tcopLint/v1"
ROOT_URI = "."
VERDICT_NOTE = (
    "Findings are evidence signals for a review against the Technology Code of Practice, "
    "not a verdict of compliance."
)

MAX_RESULTS = 25_000
MAX_RULES = 25_000
MAX_TAGS = 20
MAX_DESCRIPTION = 1024
MAX_NAME = 255
MAX_GZIP_BYTES = 10 * 1024 * 1024
MAX_PROPERTY_DEPTH = 32

_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}
_README = re.compile(r"readme(\.[a-z0-9]+)?", re.IGNORECASE)


def render_sarif(
    report: Report,
    *,
    include_suppressed: bool = False,
    repository_files: Sequence[str] | None = None,
    information_uri: str = DEFAULT_INFORMATION_URI,
) -> str:
    """The SARIF log for ``report`` as JSON text ending in a newline.

    ``repository_files`` (repository-relative posix paths) is used only to find a README to
    anchor repository-level findings; without it the top level of ``report.root`` is listed.
    """
    findings = [f for f in report.findings if include_suppressed or f.suppressed is None]
    findings.sort(key=lambda f: (f.sort_key(), f.fingerprint))
    if repository_files is None and report.repository_files:
        repository_files = report.repository_files
    anchor = _repository_anchor(report.root, repository_files)
    limit = MAX_RESULTS
    while True:
        text = _render(report, findings, limit, anchor, information_uri)
        data = text.encode("utf-8")
        if len(data) <= MAX_GZIP_BYTES or limit == 0:
            return text
        compressed = len(gzip.compress(data, compresslevel=6, mtime=0))
        if compressed <= MAX_GZIP_BYTES:
            return text
        kept = min(limit, len(findings))
        limit = max(0, min(kept - 1, int(kept * MAX_GZIP_BYTES / compressed * 0.9)))


def _render(
    report: Report,
    findings: list[Finding],
    limit: int,
    anchor: str | None,
    information_uri: str,
) -> str:
    notes: list[dict[str, Any]] = []
    rules, index = _rules(report.checks, findings, notes)
    kept = [f for f in findings if f.check_id in index]
    if len(kept) < len(findings):
        notes.append(_limit_note(
            "rules-truncated",
            f"{len(findings) - len(kept)} results were left out because their rules "
            f"exceeded GitHub's limit of {MAX_RULES} rules per run.",
        ))
    if len(kept) > limit:
        ranked = sorted(kept, key=lambda f: (-LEVEL_RANK.get(f.level, 0), f.sort_key(), f.fingerprint))
        chosen = {id(f) for f in ranked[:limit]}
        notes.append(_limit_note(
            "results-truncated",
            f"{len(kept) - limit} of {len(kept)} results were left out to keep within GitHub's "
            f"limits ({MAX_RESULTS} results per run, {MAX_GZIP_BYTES // (1024 * 1024)} MB "
            "compressed); the most severe were kept.",
        ))
        kept = [f for f in kept if id(f) in chosen]

    driver: dict[str, Any] = {
        "name": TOOL_NAME,
        "version": report.tool_version,
    }
    semantic = _semantic_version(report.tool_version)
    if semantic:
        driver["semanticVersion"] = semantic
    driver["informationUri"] = information_uri
    driver["rules"] = rules

    run: dict[str, Any] = {
        "tool": {"driver": driver},
        "automationDetails": {"id": _automation_id(report.category)},
        "originalUriBaseIds": {
            SRCROOT: {"description": {"text": "The root of the scanned repository."}},
        },
        "columnKind": "unicodeCodePoints",
        "results": _results(kept, index, anchor),
        "invocations": [_invocation(report, index, notes)],
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, sort_keys=False, ensure_ascii=False) + "\n"


# --- rules ----------------------------------------------------------------------------


def _rules(
    checks: Iterable[Check], findings: Sequence[Finding], notes: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], dict[str, int]]:
    by_id: dict[str, Check] = {c.id: c for c in checks}
    # Findings from outside the catalogue (the engine's own, e.g. unparseable files) still
    # need rule metadata so that ruleIndex points somewhere.
    orphans: dict[str, Finding] = {}
    for f in findings:
        if f.check_id not in by_id:
            orphans.setdefault(f.check_id, f)
    ids = sorted(set(by_id) | set(orphans))
    if len(ids) > MAX_RULES:
        notes.append(_limit_note(
            "rules-truncated",
            f"{len(ids) - MAX_RULES} rules were left out: GitHub accepts at most {MAX_RULES} per run.",
        ))
        ids = ids[:MAX_RULES]
    rules: list[dict[str, Any]] = []
    cut_tags: list[str] = []
    for rule_id in ids:
        check = by_id.get(rule_id) or _orphan_check(orphans[rule_id])
        rule, cut = _rule(check)
        if cut:
            cut_tags.append(rule_id)
        rules.append(rule)
    if cut_tags:
        notes.append(_limit_note(
            "tags-truncated",
            f"Tags beyond GitHub's limit of {MAX_TAGS} per rule were left out for: "
            + ", ".join(cut_tags) + ".",
        ))
    return rules, {rule_id: i for i, rule_id in enumerate(ids)}


def _orphan_check(finding: Finding) -> Check:
    title = f"tcop-lint internal check {finding.check_id}"
    return Check(
        id=finding.check_id,
        name=_pascal(finding.check_id),
        title=title,
        tcop_point=finding.tcop_point,
        level=finding.level,
        reads="repository",
        help_uri=POINTS.get(finding.tcop_point, ("", CODE_URL))[1],
        rationale=title + ".",
        remediation="See the message of each result.",
        precision="medium",
        rule={},
        folder="",
    )


def _rule(check: Check) -> tuple[dict[str, Any], bool]:
    point_uri = POINTS.get(check.tcop_point, ("", CODE_URL))[1]
    tags, cut = _tags(check)
    properties: dict[str, Any] = {"tags": tags, "precision": check.precision}
    severity = _security_severity(check.security_severity)
    if severity is not None:
        properties["security-severity"] = severity
    else:
        properties["problem.severity"] = _PROBLEM_SEVERITY.get(check.level, "warning")
    properties["tcopPoint"] = check.tcop_point
    if check.also_points:
        properties["tcopAlsoPoints"] = sorted(set(check.also_points))
    if check.deprecated:
        properties["deprecated"] = True
    rule = {
        "id": check.id,
        "name": _clip(check.name, MAX_NAME),
        "shortDescription": {"text": _clip(check.title, MAX_DESCRIPTION)},
        "fullDescription": {"text": _clip(check.rationale or check.title, MAX_DESCRIPTION)},
        "helpUri": check.help_uri or point_uri,
        "help": {"text": _help_text(check), "markdown": _help_markdown(check)},
        "defaultConfiguration": {"level": check.level},
        "properties": properties,
    }
    return rule, cut


def _tags(check: Check) -> tuple[list[str], bool]:
    wanted = [f"tcop-{check.tcop_point}"] if check.tcop_point else []  # point 0: tcop-lint's own checks
    wanted += [f"tcop-{p}" for p in sorted(set(check.also_points))]
    if check.security_severity is not None:
        wanted.append("security")
    wanted += list(check.tags)
    tags: list[str] = []
    for tag in wanted:
        if tag and tag not in tags:
            tags.append(tag)
    return tags[:MAX_TAGS], len(tags) > MAX_TAGS


def _security_severity(value: float | None) -> str | None:
    if value is None or not math.isfinite(value):
        return None
    return f"{min(10.0, max(0.0, float(value))):.1f}"


def _points(check: Check) -> list[tuple[int, str, str]]:
    out = []
    for point in (check.tcop_point, *sorted(set(check.also_points) - {check.tcop_point})):
        out.append((point, point_label(point), POINTS.get(point, ("", CODE_URL))[1]))
    return out


def _help_text(check: Check) -> str:
    primary, *also = _points(check)
    lines = [
        f"{check.title}",
        "",
        f"Why it matters: {check.rationale}",
        "",
        f"How to fix: {check.remediation}",
        "",
        f"{primary[1]} - guidance: {primary[2]}",
    ]
    lines += [f"Also relevant: {label} - guidance: {uri}" for _, label, uri in also]
    if check.help_uri and check.help_uri != primary[2]:
        lines.append(f"More information: {check.help_uri}")
    lines += ["", VERDICT_NOTE]
    return "\n".join(lines)


def _help_markdown(check: Check) -> str:
    primary, *also = _points(check)
    lines = [
        f"**{check.title}**",
        "",
        f"**Why it matters.** {check.rationale}",
        "",
        f"**How to fix.** {check.remediation}",
        "",
        "**Technology Code of Practice**",
        "",
        f"- {primary[1]} — [read the guidance]({primary[2]})",
    ]
    lines += [f"- Also relevant: {label} — [read the guidance]({uri})" for _, label, uri in also]
    if check.help_uri and check.help_uri != primary[2]:
        lines += ["", f"More information: <{check.help_uri}>"]
    lines += ["", f"_{VERDICT_NOTE}_"]
    return "\n".join(lines)


# --- results --------------------------------------------------------------------------


def _results(findings: Sequence[Finding], index: Mapping[str, int], anchor: str | None) -> list[dict]:
    seen: dict[str, int] = {}
    results = []
    for f in findings:
        seen[f.fingerprint] = seen.get(f.fingerprint, 0) + 1
        result: dict[str, Any] = {
            "ruleId": f.check_id,
            "ruleIndex": index[f.check_id],
            "level": f.level,
            "message": {"text": f.message or f.check_id},
            "locations": [_finding_location(f, anchor)],
            "partialFingerprints": {
                FINGERPRINT_KEY: f.fingerprint,
                "primaryLocationLineHash": f"{f.fingerprint}:{seen[f.fingerprint]}",
            },
        }
        if f.baseline_state is not None:
            result["baselineState"] = f.baseline_state
        if f.suppressed is not None:
            kind = f.properties.get("suppression_kind")
            result["suppressions"] = [{
                "kind": kind if kind in ("inSource", "external") else "external",
                "status": "accepted",
                "justification": f.suppressed,
            }]
        result["properties"] = _result_properties(f)
        results.append(result)
    return results


def _finding_location(f: Finding, anchor: str | None) -> dict[str, Any]:
    if f.file is not None:
        uri = _uri(f.file)
        pos = f.position
    else:
        uri = _uri(anchor) if anchor else ROOT_URI
        pos = None
    region = _region(pos)
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": uri, "uriBaseId": SRCROOT},
            "region": region,
        }
    }
    if f.file is None:
        location["message"] = {"text": "This finding is about the repository as a whole."}
    return location


def _region(pos: Position | None) -> dict[str, Any]:
    if pos is None:
        return {"startLine": 1, "startColumn": 1}
    line, column = max(1, pos.line), max(1, pos.column)
    region: dict[str, Any] = {"startLine": line, "startColumn": column}
    end_line = line if pos.end_line is None else pos.end_line
    if end_line < line or (pos.end_line is None and pos.end_column is None):
        return region
    region["endLine"] = end_line
    if pos.end_column is not None and (end_line > line or pos.end_column > column):
        region["endColumn"] = max(1, pos.end_column)
    return region


def _result_properties(f: Finding) -> dict[str, Any]:
    props: dict[str, Any] = {
        "tcopPoint": f.tcop_point,
        "tcopPointTitle": point_label(f.tcop_point),
        "address": f.address,
    }
    if f.file is None:
        props["repositoryLevel"] = True
    if f.suppressed is not None:
        props["suppressed"] = True
    extra = {str(k): v for k, v in f.properties.items() if k != "suppression_kind"}
    for key in sorted(extra):
        if key not in props:
            props[key] = _json_safe(extra[key])
    return props


# --- invocation and notifications -----------------------------------------------------


def _invocation(report: Report, index: Mapping[str, int], notes: list[dict[str, Any]]) -> dict:
    notifications = [_problem_note(p) for p in sorted(report.problems, key=_problem_key)]
    notifications += [_crash_note(c, index) for c in sorted(report.crashes, key=_crash_key)]
    notifications += notes
    invocation: dict[str, Any] = {"executionSuccessful": not report.crashes}
    if notifications:
        invocation["toolExecutionNotifications"] = notifications
    invocation["properties"] = {"filesScanned": report.files_scanned}
    return invocation


def _problem_key(p: ParseProblem) -> tuple:
    pos = p.position
    return (p.file, pos.line if pos else 0, pos.column if pos else 0, p.skipped, p.message)


def _crash_key(c: CheckCrash) -> tuple:
    return (c.check_id, c.file or "", c.message)


def _problem_note(p: ParseProblem) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(p.file), "uriBaseId": SRCROOT}}
    if p.position is not None:
        physical["region"] = {
            "startLine": max(1, p.position.line),
            "startColumn": max(1, p.position.column),
        }
    return {
        "locations": [{"physicalLocation": physical}],
        "message": {"text": p.message or ("File skipped." if p.skipped else "File could not be read.")},
        "level": "note" if p.skipped else "warning",
        "descriptor": {"id": "file-skipped" if p.skipped else "file-not-parsed"},
    }


def _crash_note(c: CheckCrash, index: Mapping[str, int]) -> dict[str, Any]:
    where = f" on {c.file}" if c.file else ""
    note: dict[str, Any] = {}
    if c.file:
        note["locations"] = [{
            "physicalLocation": {"artifactLocation": {"uri": _uri(c.file), "uriBaseId": SRCROOT}}
        }]
    # The traceback is left out: it carries absolute paths of the machine that ran the scan.
    note["message"] = {"text": f"Check {c.check_id} failed{where}: {c.message}"}
    note["level"] = "error"
    note["descriptor"] = {"id": "check-crashed"}
    rule: dict[str, Any] = {"id": c.check_id}
    if c.check_id in index:
        rule["index"] = index[c.check_id]
    note["associatedRule"] = rule
    return note


def _limit_note(descriptor: str, text: str) -> dict[str, Any]:
    return {"message": {"text": text}, "level": "warning", "descriptor": {"id": descriptor}}


# --- helpers --------------------------------------------------------------------------


def _uri(path: str) -> str:
    posix = path.replace("\\", "/")
    while posix.startswith("./"):
        posix = posix[2:]
    posix = posix.lstrip("/")
    return quote(posix, safe="/") if posix else ROOT_URI


def _repository_anchor(root: str, files: Sequence[str] | None) -> str | None:
    if files is None:
        try:
            with os.scandir(root) as entries:
                names = [e.name for e in entries if e.is_file(follow_symlinks=False)]
        except OSError:
            names = []
    else:
        names = [f.strip("/") for f in files if "/" not in f.strip("/")]
    readmes = sorted(n for n in names if _README.fullmatch(n))
    if not readmes:
        return None
    preferred = ["README.md", "README", "README.rst", "README.txt"]
    for name in preferred:
        if name in readmes:
            return name
    return readmes[0]


def _automation_id(category: str) -> str:
    category = category.strip() or TOOL_NAME
    return category if category.endswith("/") else category + "/"


_PEP440 = re.compile(
    r"(?P<release>\d+(?:\.\d+)*)"
    r"(?:[-_.]?(?P<pre>a|b|rc|alpha|beta|c)[-_.]?(?P<pre_n>\d*))?"
    r"(?:[-_.]?post[-_.]?(?P<post>\d*))?"
    r"(?:[-_.]?dev[-_.]?(?P<dev>\d*))?"
    r"(?:\+(?P<local>[a-z0-9]+(?:[-_.][a-z0-9]+)*))?",
    re.IGNORECASE,
)


def _semantic_version(version: str) -> str | None:
    """A SemVer 2.0 spelling of a PEP 440 version, or None when there is none."""
    match = _PEP440.fullmatch(version.strip().lstrip("vV"))
    if not match:
        return None
    release = [str(int(n)) for n in match["release"].split(".")]
    if len(release) > 3:
        return None
    release += ["0"] * (3 - len(release))
    pre: list[str] = []
    if match["pre"]:
        label = {"a": "alpha", "b": "beta", "c": "rc"}.get(match["pre"].lower(), match["pre"].lower())
        pre += [label, str(int(match["pre_n"] or 0))]
    if match["post"] is not None:
        pre += ["post", str(int(match["post"] or 0))]
    if match["dev"] is not None:
        pre += ["dev", str(int(match["dev"] or 0))]
    text = ".".join(release)
    if pre:
        text += "-" + ".".join(pre)
    if match["local"]:
        text += "+" + re.sub(r"[-_]", ".", match["local"])
    return text


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pascal(text: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", text) if part) or "Check"


def _json_safe(value: Any) -> Any:
    """Plain JSON data from rule-supplied properties, in a fixed order and without recursion.

    Containers nested deeper than MAX_PROPERTY_DEPTH become "…": json.dumps itself recurses.
    """
    root: list[Any] = [None]
    stack: list[tuple[Any, Any, Any, int]] = [(value, root, 0, 0)]
    while stack:
        item, parent, key, depth = stack.pop()
        if item is None or isinstance(item, (bool, int, str)):
            parent[key] = item
        elif isinstance(item, float):
            parent[key] = item if math.isfinite(item) else str(item)
        elif isinstance(item, Unresolved):
            parent[key] = str(item)
        elif isinstance(item, (Mapping, list, tuple, set, frozenset)) and depth >= MAX_PROPERTY_DEPTH:
            parent[key] = "…"
        elif isinstance(item, Mapping):
            out: dict[str, Any] = {}
            parent[key] = out
            for k in sorted(item, key=str):
                out[str(k)] = None
                stack.append((item[k], out, str(k), depth + 1))
        elif isinstance(item, (list, tuple)):
            seq: list[Any] = [None] * len(item)
            parent[key] = seq
            stack.extend((v, seq, i, depth + 1) for i, v in enumerate(item))
        elif isinstance(item, (set, frozenset)):
            parent[key] = sorted(str(v) for v in item)
        else:
            parent[key] = str(item)
    return root[0]
