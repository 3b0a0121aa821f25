"""Suppressions, one syntax everywhere.

- A comment ``# tcop-lint:ignore ID[,ID...] reason="why" [until=YYYY-MM-DD]`` (or ``//``) on the
  finding's line, alone on the line above it, or on (or alone above) the first line of the
  enclosing block, which it then covers whole.
- In OpenAPI documents, ``x-tcop-lint-ignore: [{id, reason, until}]`` on an object covers
  findings at or below that object.
- In configuration, ``ignore:`` entries with ``id``, ``paths``, ``resource``, ``reason``, ``until``.

A suppression without a reason, or whose date has passed, suppresses nothing and is reported;
one that matches nothing is reported at note level. Checks listed as not ignorable are never
suppressed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from fnmatch import fnmatchcase
from typing import Any

from tcop_lint.core.model import Check, Directive, Finding, Hit, Position, fingerprint

# Findings about suppressions themselves. They are tool checks, not TCoP checks (point 0).
SUPPRESSION_WITHOUT_REASON = "TCOPLINT-001"
SUPPRESSION_EXPIRED = "TCOPLINT-002"
SUPPRESSION_UNUSED = "TCOPLINT-003"


def _tool_check(check_id: str, name: str, title: str, level: str, rationale: str, remediation: str) -> Check:
    return Check(
        id=check_id,
        name=name,
        title=title,
        tcop_point=0,
        level=level,  # type: ignore[arg-type]
        reads="repository",
        help_uri="https://www.gov.uk/guidance/the-technology-code-of-practice",
        rationale=rationale,
        remediation=remediation,
        precision="very-high",
        rule={},
        folder="",
        tags=("tcop-lint",),
    )


TOOL_CHECKS: Mapping[str, Check] = {
    SUPPRESSION_WITHOUT_REASON: _tool_check(
        SUPPRESSION_WITHOUT_REASON,
        "SuppressionWithoutReason",
        "A suppression gives no reason",
        "warning",
        "A suppressed finding is a decision someone must be able to review; without a reason it cannot be.",
        'Add reason="..." to the suppression, or remove it and fix the finding.',
    ),
    SUPPRESSION_EXPIRED: _tool_check(
        SUPPRESSION_EXPIRED,
        "SuppressionExpired",
        "A suppression's date has passed",
        "warning",
        "A suppression with an until date was agreed for a time; after it the finding counts again.",
        "Fix the finding, or agree a new date and update until=.",
    ),
    SUPPRESSION_UNUSED: _tool_check(
        SUPPRESSION_UNUSED,
        "SuppressionUnused",
        "A suppression matches no finding",
        "note",
        "A suppression that matches nothing hides nothing today but may hide a real finding later.",
        "Remove the suppression, or correct its check id.",
    ),
}


def _expired(until: str | None, today: dt.date) -> bool:
    if until is None:
        return False
    try:
        return dt.date.fromisoformat(until) < today
    except ValueError:
        return True  # an unreadable date must not suppress for ever


def _covers(directive: Directive, finding: Finding, path_spec: Any) -> bool:
    if not any(finding.check_id == i or finding.check_id.startswith(i + "-") for i in directive.ids):
        return False
    if directive.file is None:
        if directive.paths and (finding.file is None or not path_spec.match_file(finding.file)):
            return False
        return directive.resource is None or fnmatchcase(finding.address, directive.resource)
    if finding.file != directive.file:
        return False
    if directive.pointer is not None:
        _, hash_sign, fragment = finding.address.partition("#")
        pointer = hash_sign + fragment
        return bool(hash_sign) and (
            directive.pointer == "#" or pointer == directive.pointer or pointer.startswith(directive.pointer + "/")
        )
    return _covers_lines(directive, finding.position, finding.span)


def _covers_lines(directive: Directive, position: Position | None, span: Position | None) -> bool:
    if position is None:
        return False
    line = directive.line
    if line == position.line or (directive.standalone and line == position.line - 1):
        return True
    if span is None:
        return False
    opens_block = line == span.line or (directive.standalone and line == span.line - 1)
    return opens_block and span.line <= position.line <= (span.end_line or span.line)


def _report(directive: Directive, check_id: str, message: str) -> Finding:
    check = TOOL_CHECKS[check_id]
    where = f"{directive.file}:{directive.line}" if directive.file else "configuration"
    hit = Hit(
        file=directive.file,
        position=Position(directive.line, 1) if directive.file else None,
        address=f"suppression:{where}:{','.join(directive.ids)}",
        message=message,
        key=message,  # several problems with one directive; each message is local to the directive
    )
    return Finding(
        check_id=check_id,
        level=check.level,
        tcop_point=0,
        file=hit.file,
        position=hit.position,
        address=hit.address,
        message=message,
        fingerprint=fingerprint(check_id, hit),
    )


def apply_suppressions(
    findings: Sequence[Finding],
    directives: Sequence[Directive],
    ran: Iterable[str],
    known: Iterable[str],
    not_ignorable: Sequence[str] = (),
    today: dt.date | None = None,
) -> tuple[Finding, ...]:
    """Mark suppressed findings and add findings about the suppressions themselves.

    ``ran`` are the checks that ran this time, ``known`` every check in the catalogue: an
    unused suppression is reported when a check it names ran, or when it names no check at all.
    """
    today = today or dt.date.today()
    ran, known = set(ran), set(known)
    specs = {d: _spec(d.paths) if d.paths else None for d in directives}
    usable = [d for d in directives if d.reason is not None and not _expired(d.until, today)]
    used: set[Directive] = set()
    result = []
    for finding in findings:
        locked = any(finding.check_id.startswith(prefix) for prefix in not_ignorable)
        match = None if locked else next((d for d in usable if _covers(d, finding, specs[d])), None)
        if match is not None:
            used.add(match)
            kind = "external" if match.file is None else "inSource"
            properties = {**finding.properties, "suppression_kind": kind}
            if match.until:
                properties["suppression_until"] = match.until
            finding = replace(finding, suppressed=match.reason, properties=properties)
        result.append(finding)
    for directive in directives:
        names = ", ".join(directive.ids)
        if directive.reason is None:
            result.append(
                _report(
                    directive,
                    SUPPRESSION_WITHOUT_REASON,
                    f"Suppression of {names} has no reason, so it suppresses nothing",
                )
            )
        elif _expired(directive.until, today):
            result.append(
                _report(
                    directive,
                    SUPPRESSION_EXPIRED,
                    f"Suppression of {names} expired on {directive.until}, so it suppresses nothing",
                )
            )
        elif directive not in used and any(_names_any(i, ran) or not _names_any(i, known) for i in directive.ids):
            result.append(_report(directive, SUPPRESSION_UNUSED, f"Suppression of {names} matches no finding"))
    return tuple(sorted(result, key=Finding.sort_key))


def _names_any(check_id: str, ids: Iterable[str]) -> bool:
    return any(i == check_id or i.startswith(check_id + "-") for i in ids)


def _spec(paths: Sequence[str]) -> Any:
    import pathspec  # only where a directive names paths: the import costs a pre-commit run ~14 ms

    return pathspec.GitIgnoreSpec.from_lines(paths)
