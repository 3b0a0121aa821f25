"""SARIF 2.1.0 output that GitHub code scanning accepts without surprises.

The log is built with sarif-om's object model (``sarif_log`` returns the ``SarifLog``) and
written by a small serializer here, not sarif-om's own, because of two pitfalls:

- sarif-om's usual serializer drops any property equal to its schema default, so
  ``level: "warning"`` vanishes and GitHub falls back to the rule default. ``_om`` builds each
  object with every property it is not given set to None, so sarif-om's defaults (language,
  rank, index -1 ...) are never written by accident; the serializer leaves out only None
  (or attrs NOTHING) and writes everything else, ``level`` included, whatever its value.
- sarif-om's ``Suppression`` has the pre-final ``state`` where final 2.1.0 says ``status``;
  ``_SCHEMA_NAME_FIXES`` writes it under the final name.

Keys come out in the fixed order of ``_KEY_ORDER`` (then any other set property in sarif-om's
field order), so the same input gives byte-identical output. What sarif-om has no class for
stays a plain dict: property bags, ``partialFingerprints`` and the ``originalUriBaseIds`` map
(whose values are ``ArtifactLocation`` objects).

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

import functools
import gzip
import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, TypeVar
from urllib.parse import quote

import attrs
import sarif_om as om

from tcop_lint.core.model import (
    LEVEL_RANK,
    Check,
    CheckCrash,
    Finding,
    ParseProblem,
    Position,
    Report,
    Unresolved,
)
from tcop_lint.core.tcop import CODE_URL, POINTS, point_label
from tcop_lint.core.text import plural

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
TOOL_NAME = "tcop-lint"
DEFAULT_INFORMATION_URI = "https://pypi.org/project/tcop-lint/"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "tcopLint/v1"
ROOT_URI = "."
VERDICT_NOTE = (
    "Findings are evidence signals for a review against the Technology Code of Practice, not a verdict of compliance."
)

MAX_RESULTS = 25_000
MAX_RULES = 25_000
MAX_TAGS = 20
MAX_DESCRIPTION = 1024
MAX_NAME = 255
MAX_GZIP_BYTES = 10 * 1024 * 1024
MAX_PROPERTY_DEPTH = 32

_PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}


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
    return _fit(report, include_suppressed, repository_files, information_uri)[1]


def _were(count: int) -> str:
    return "was" if count == 1 else "were"


def sarif_log(
    report: Report,
    *,
    include_suppressed: bool = False,
    repository_files: Sequence[str] | None = None,
    information_uri: str = DEFAULT_INFORMATION_URI,
) -> om.SarifLog:
    """The ``sarif_om.SarifLog`` that ``render_sarif`` writes (already cut to GitHub's limits)."""
    return _fit(report, include_suppressed, repository_files, information_uri)[0]


def _fit(
    report: Report,
    include_suppressed: bool,
    repository_files: Sequence[str] | None,
    information_uri: str,
) -> tuple[om.SarifLog, str]:
    """The log and its text, with as many results as fit GitHub's compressed size limit."""
    findings = [f for f in report.findings if include_suppressed or f.suppressed is None]
    findings.sort(key=lambda f: (f.sort_key(), f.fingerprint))
    if repository_files is None and report.repository_files:
        repository_files = report.repository_files
    anchor = _repository_anchor(report.root, repository_files)
    limit = MAX_RESULTS
    while True:
        log = _log(report, findings, limit, anchor, information_uri)
        text = dumps(log)
        data = text.encode("utf-8")
        if len(data) <= MAX_GZIP_BYTES or limit == 0:
            return log, text
        compressed = len(gzip.compress(data, compresslevel=6, mtime=0))
        if compressed <= MAX_GZIP_BYTES:
            return log, text
        kept = min(limit, len(findings))
        limit = max(0, min(kept - 1, int(kept * MAX_GZIP_BYTES / compressed * 0.9)))


def _log(
    report: Report,
    findings: list[Finding],
    limit: int,
    anchor: str | None,
    information_uri: str,
) -> om.SarifLog:
    notes: list[om.Notification] = []
    rules, index = _rules(report.checks, findings, notes)
    kept = [f for f in findings if f.check_id in index]
    if len(kept) < len(findings):
        notes.append(
            _limit_note(
                "rules-truncated",
                f"{plural(len(findings) - len(kept), 'result')} {_were(len(findings) - len(kept))} left out because "
                "their rules "
                f"exceeded GitHub's limit of {MAX_RULES} rules per run.",
            )
        )
    if len(kept) > limit:
        ranked = sorted(kept, key=lambda f: (-LEVEL_RANK.get(f.level, 0), f.sort_key(), f.fingerprint))
        chosen = {id(f) for f in ranked[:limit]}
        notes.append(
            _limit_note(
                "results-truncated",
                f"{len(kept) - limit} of {len(kept)} results were left out to keep within GitHub's "
                f"limits ({MAX_RESULTS} results per run, {MAX_GZIP_BYTES // (1024 * 1024)} MB "
                "compressed); the most severe were kept.",
            )
        )
        kept = [f for f in kept if id(f) in chosen]

    driver = _om(
        om.ToolComponent,
        name=TOOL_NAME,
        version=report.tool_version,
        semantic_version=_semantic_version(report.tool_version),
        information_uri=information_uri,
        rules=rules,
    )
    run = _om(
        om.Run,
        tool=_om(om.Tool, driver=driver),
        automation_details=_om(om.RunAutomationDetails, id=_automation_id(report.category)),
        original_uri_base_ids={
            SRCROOT: _om(om.ArtifactLocation, description=_text("The root of the scanned repository.")),
        },
        column_kind="unicodeCodePoints",
        results=_results(kept, index, anchor),
        invocations=[_invocation(report, index, notes)],
    )
    return _om(om.SarifLog, schema_uri=SCHEMA_URI, version="2.1.0", runs=[run])


# --- rules ----------------------------------------------------------------------------


def _rules(
    checks: Iterable[Check], findings: Sequence[Finding], notes: list[om.Notification]
) -> tuple[list[om.ReportingDescriptor], dict[str, int]]:
    by_id: dict[str, Check] = {c.id: c for c in checks}
    # Findings from outside the catalogue (the engine's own, e.g. unparseable files) still
    # need rule metadata so that ruleIndex points somewhere.
    orphans: dict[str, Finding] = {}
    for f in findings:
        if f.check_id not in by_id:
            orphans.setdefault(f.check_id, f)
    ids = sorted(set(by_id) | set(orphans))
    if len(ids) > MAX_RULES:
        notes.append(
            _limit_note(
                "rules-truncated",
                f"{plural(len(ids) - MAX_RULES, 'rule')} {_were(len(ids) - MAX_RULES)} left out: GitHub accepts at "
                f"most {MAX_RULES} per run.",
            )
        )
        ids = ids[:MAX_RULES]
    rules: list[om.ReportingDescriptor] = []
    cut_tags: list[str] = []
    for rule_id in ids:
        check = by_id.get(rule_id) or _orphan_check(orphans[rule_id])
        rule, cut = _rule(check)
        if cut:
            cut_tags.append(rule_id)
        rules.append(rule)
    if cut_tags:
        notes.append(
            _limit_note(
                "tags-truncated",
                f"Tags beyond GitHub's limit of {MAX_TAGS} per rule were left out for: " + ", ".join(cut_tags) + ".",
            )
        )
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


def _rule(check: Check) -> tuple[om.ReportingDescriptor, bool]:
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
    rule = _om(
        om.ReportingDescriptor,
        id=check.id,
        name=_clip(check.name, MAX_NAME),
        short_description=_string(_clip(check.title, MAX_DESCRIPTION)),
        full_description=_string(_clip(check.rationale or check.title, MAX_DESCRIPTION)),
        help_uri=check.help_uri or point_uri,
        help=_string(_help_text(check), _help_markdown(check)),
        default_configuration=_om(om.ReportingConfiguration, level=check.level),
        properties=properties,
    )
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
    lines += _examples_markdown(check)
    lines += ["", f"_{VERDICT_NOTE}_"]
    return "\n".join(lines)


def _examples_markdown(check: Check) -> list[str]:
    """The failing and passing example of the check's rule page (docs/rules), from its fixtures."""
    from tcop_lint.report.catalogue_docs import check_examples, example_markdown

    failing, passing = check_examples(check)
    if failing is None and passing is None:
        return []
    return [
        "",
        "**Example that fails**",
        "",
        *example_markdown(failing, "fail"),
        "",
        "**Example that passes**",
        "",
        *example_markdown(passing, "pass"),
    ]


# --- results --------------------------------------------------------------------------


def _results(findings: Sequence[Finding], index: Mapping[str, int], anchor: str | None) -> list[om.Result]:
    seen: dict[str, int] = {}
    results = []
    for f in findings:
        seen[f.fingerprint] = seen.get(f.fingerprint, 0) + 1
        suppressions = None
        if f.suppressed is not None:
            kind = f.properties.get("suppression_kind")
            suppressions = [
                _om(
                    om.Suppression,
                    kind=kind if kind in ("inSource", "external") else "external",
                    state="accepted",  # written as final 2.1.0 "status": see _SCHEMA_NAME_FIXES
                    justification=f.suppressed,
                )
            ]
        results.append(
            _om(
                om.Result,
                rule_id=f.check_id,
                rule_index=index[f.check_id],
                level=f.level,  # always written, "warning" too
                message=_text(f.message or f.check_id),
                locations=[_finding_location(f, anchor)],
                related_locations=_related_locations(f),
                partial_fingerprints={
                    FINGERPRINT_KEY: f.fingerprint,
                    "primaryLocationLineHash": f"{f.fingerprint}:{seen[f.fingerprint]}",
                },
                baseline_state=f.baseline_state,
                suppressions=suppressions,
                properties=_result_properties(f),
            )
        )
    return results


def _finding_location(f: Finding, anchor: str | None) -> om.Location:
    if f.file is not None:
        uri = _uri(f.file)
        pos = f.position
    else:
        uri = _uri(anchor) if anchor else ROOT_URI
        pos = None
    return _om(
        om.Location,
        physical_location=_om(om.PhysicalLocation, artifact_location=_artifact(uri), region=_region(pos)),
        message=_text("This finding is about the repository as a whole.") if f.file is None else None,
    )


def _related_locations(f: Finding) -> list[om.Location] | None:
    """For a resource in a called module: where the module uses a value its caller wrote, or
    the calls that reach the module's own line."""
    places = [p for p in f.related if p.file is not None]
    if not places:
        return None
    moved = f.position is not None and f.position.file is not None
    label = "where the module uses this value" if moved else "the module call that reaches this resource"
    return [
        _om(
            om.Location,
            id=number,
            physical_location=_om(
                om.PhysicalLocation, artifact_location=_artifact(_uri(place.file or "")), region=_region(place)
            ),
            message=_text(label),
        )
        for number, place in enumerate(places)
    ]


def _region(pos: Position | None) -> om.Region:
    if pos is None:
        return _om(om.Region, start_line=1, start_column=1)
    line, column = max(1, pos.line), max(1, pos.column)
    end_line = line if pos.end_line is None else pos.end_line
    if end_line < line or (pos.end_line is None and pos.end_column is None):
        return _om(om.Region, start_line=line, start_column=column)
    end_column = None
    if pos.end_column is not None and (end_line > line or pos.end_column > column):
        end_column = max(1, pos.end_column)
    return _om(om.Region, start_line=line, start_column=column, end_line=end_line, end_column=end_column)


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


def _invocation(report: Report, index: Mapping[str, int], notes: list[om.Notification]) -> om.Invocation:
    notifications = [_problem_note(p) for p in sorted(report.problems, key=_problem_key)]
    notifications += [_crash_note(c, index) for c in sorted(report.crashes, key=_crash_key)]
    notifications += notes
    return _om(
        om.Invocation,
        execution_successful=not report.crashes,
        tool_execution_notifications=notifications or None,
        properties={"filesScanned": report.files_scanned},
    )


def _problem_key(p: ParseProblem) -> tuple[str, int, int, bool, str]:
    pos = p.position
    return (p.file, pos.line if pos else 0, pos.column if pos else 0, p.skipped, p.message)


def _crash_key(c: CheckCrash) -> tuple[str, str, str]:
    return (c.check_id, c.file or "", c.message)


def _problem_note(p: ParseProblem) -> om.Notification:
    region = None
    if p.position is not None:
        region = _om(om.Region, start_line=max(1, p.position.line), start_column=max(1, p.position.column))
    physical = _om(om.PhysicalLocation, artifact_location=_artifact(_uri(p.file)), region=region)
    return _om(
        om.Notification,
        locations=[_om(om.Location, physical_location=physical)],
        message=_text(p.message or ("File skipped." if p.skipped else "File could not be read.")),
        level="note" if p.skipped else "warning",
        descriptor=_om(om.ReportingDescriptorReference, id="file-skipped" if p.skipped else "file-not-parsed"),
    )


def _crash_note(c: CheckCrash, index: Mapping[str, int]) -> om.Notification:
    where = f" on {c.file}" if c.file else ""
    locations = None
    if c.file:
        physical = _om(om.PhysicalLocation, artifact_location=_artifact(_uri(c.file)))
        locations = [_om(om.Location, physical_location=physical)]
    return _om(
        om.Notification,
        locations=locations,
        # The traceback is left out: it carries absolute paths of the machine that ran the scan.
        message=_text(f"Check {c.check_id} failed{where}: {c.message}"),
        level="error",
        descriptor=_om(om.ReportingDescriptorReference, id="check-crashed"),
        associated_rule=_om(om.ReportingDescriptorReference, id=c.check_id, index=index.get(c.check_id)),
    )


def _limit_note(descriptor: str, text: str) -> om.Notification:
    return _om(
        om.Notification,
        message=_text(text),
        level="warning",
        descriptor=_om(om.ReportingDescriptorReference, id=descriptor),
    )


# --- the object model and its serializer -----------------------------------------------

_T = TypeVar("_T", bound="attrs.AttrsInstance")

# The order today's output has always had; a set property not listed follows, in sarif-om's
# field order. Names are SARIF's (after _SCHEMA_NAME_FIXES), not sarif-om's attribute names.
_KEY_ORDER: Mapping[type, tuple[str, ...]] = MappingProxyType(
    {
        om.SarifLog: ("$schema", "version", "runs"),
        om.Run: ("tool", "automationDetails", "originalUriBaseIds", "columnKind", "results", "invocations"),
        om.Tool: ("driver",),
        om.ToolComponent: ("name", "version", "semanticVersion", "informationUri", "rules"),
        om.ReportingDescriptor: (
            "id",
            "name",
            "shortDescription",
            "fullDescription",
            "helpUri",
            "help",
            "defaultConfiguration",
            "properties",
        ),
        om.MultiformatMessageString: ("text", "markdown"),
        om.ReportingConfiguration: ("level",),
        om.RunAutomationDetails: ("id",),
        om.Result: (
            "ruleId",
            "ruleIndex",
            "level",
            "message",
            "locations",
            "partialFingerprints",
            "baselineState",
            "suppressions",
            "properties",
        ),
        om.Message: ("text",),
        om.Location: ("physicalLocation", "message"),
        om.PhysicalLocation: ("artifactLocation", "region"),
        om.ArtifactLocation: ("uri", "uriBaseId", "description"),
        om.Region: ("startLine", "startColumn", "endLine", "endColumn"),
        om.Suppression: ("kind", "status", "justification"),
        om.Invocation: ("executionSuccessful", "toolExecutionNotifications", "properties"),
        om.Notification: ("locations", "message", "level", "descriptor", "associatedRule"),
        om.ReportingDescriptorReference: ("id", "index"),
    }
)

# Where sarif-om (generated from a pre-final schema) names a property differently from 2.1.0.
_SCHEMA_NAME_FIXES: Mapping[tuple[type, str], str] = MappingProxyType(
    {
        (om.Suppression, "state"): "status",
    }
)


def _om(cls: type[_T], **values: Any) -> _T:
    """A sarif-om object with only ``values`` set: every other property is None (unset).

    This keeps sarif-om's schema defaults (``language: en-US``, ``rank: -1``, ...) out of the
    output, while a value given here is written even when it equals the default.
    """
    unset = {f.name: None for f in attrs.fields(cls) if f.name not in values}
    return cls(**unset, **values)


def _text(text: str) -> om.Message:
    return _om(om.Message, text=text)


def _string(text: str, markdown: str | None = None) -> om.MultiformatMessageString:
    return _om(om.MultiformatMessageString, text=text, markdown=markdown)


def _artifact(uri: str) -> om.ArtifactLocation:
    return _om(om.ArtifactLocation, uri=uri, uri_base_id=SRCROOT)


@functools.cache
def _fields(cls: type[attrs.AttrsInstance]) -> tuple[tuple[str, str], ...]:
    """(attribute, SARIF property) pairs of a sarif-om class, in output order."""
    pairs = [
        (f.name, _SCHEMA_NAME_FIXES.get((cls, f.name), f.metadata["schema_property_name"])) for f in attrs.fields(cls)
    ]
    order = {key: i for i, key in enumerate(_KEY_ORDER.get(cls, ()))}
    ranked = sorted(enumerate(pairs), key=lambda p: (order.get(p[1][1], len(order)), p[0]))
    return tuple(pair for _, pair in ranked)


def to_json(value: Any) -> Any:
    """Plain JSON data from sarif-om objects, dicts and lists.

    An attrs property is left out only when it is None or attrs NOTHING, never because it
    equals sarif-om's default; dict entries are all kept, in their order.
    """
    cls = type(value)
    if attrs.has(cls):
        out: dict[str, Any] = {}
        for name, key in _fields(cls):
            item = getattr(value, name, attrs.NOTHING)
            if item is not None and item is not attrs.NOTHING:
                out[key] = to_json(item)
        return out
    if isinstance(value, Mapping):
        return {str(k): to_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json(v) for v in value]
    return value


def dumps(log: om.SarifLog) -> str:
    """The JSON text of a SarifLog: two-space indent, UTF-8 kept, ending in a newline."""
    return json.dumps(to_json(log), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


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
    from tcop_lint.core.files import readme_path  # the README the checks read

    return readme_path(names)


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
