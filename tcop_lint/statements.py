"""Team statements: how a team says it meets the points no check can evidence (or any point),
with an owner and a date by which someone reviews it again.

The file is ``tcop-statements.yaml`` at the repository root::

    tcop:                      # a framework: tcop, service-standard or secure-by-design
      1:                       # one of its points
        owner: Priya Shah, service owner
        review_by: 2027-03-31
        text: User research with caseworkers each sprint; summary linked.
        links: [docs/user-research.md, https://example.gov.uk/research]
      11:
        owner: Sam Okafor, commercial lead
        review_by: 2027-01-31
        applies: false         # the point does not apply to this service
        text: We buy nothing; the service runs on the department's platform.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from tcop_lint.core.frameworks import FRAMEWORKS
from tcop_lint.core.model import Check, Finding, Hit, Position, Statement, StatementLink, fingerprint
from tcop_lint.core.text import key_path

STATEMENTS_FILE = "tcop-statements.yaml"
STATEMENT_PAST_REVIEW = "TCOPLINT-010"
_KEYS = {"owner", "review_by", "text", "links", "applies"}
_URL = re.compile(r"https?://[^\s<>\"'`]+\Z", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


class StatementsError(ValueError):
    """A statements file that cannot be used; the message names each bad key path."""


def statement_check() -> Check:
    return Check(
        id=STATEMENT_PAST_REVIEW,
        name="StatementPastReview",
        title="A team statement is past its review date",
        tcop_point=0,
        level="warning",
        reads="repository",
        help_uri="https://www.gov.uk/guidance/the-technology-code-of-practice",
        rationale=(
            "A statement of how a point is met was agreed for a time; after its review date an assessor "
            "cannot rely on it until its owner has looked at it again."
        ),
        remediation="Review the statement with its owner and set a new review_by date in tcop-statements.yaml.",
        precision="very-high",
        rule={},
        folder="",
        tags=("tcop-lint",),
    )


def read_statements(root: Path, today: dt.date | None = None) -> tuple[Statement, ...]:
    """The statements of ``root``'s statements file (none when there is no file)."""
    path = root / STATEMENTS_FILE
    if not path.is_file():
        return ()
    from ruamel.yaml import YAML, YAMLError

    yaml = YAML(typ="rt", pure=True)
    # Dates stay text until _date reads them, so that 2030-02-30 is reported at its key path.
    yaml.constructor.add_constructor("tag:yaml.org,2002:timestamp", _as_text)
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, YAMLError) as error:
        raise StatementsError(f"{STATEMENTS_FILE}: cannot be read: {error}") from None
    problems: list[str] = []
    statements = list(_statements(raw, today or dt.date.today(), problems))
    if problems:
        raise StatementsError("\n".join(problems))
    return tuple(statements)


def _as_text(constructor: Any, node: Any) -> str:
    return str(constructor.construct_scalar(node))


def _statements(raw: Any, today: dt.date, problems: list[str]) -> Iterator[Statement]:
    if raw is None:
        return
    if not isinstance(raw, Mapping):
        problems.append(f"{STATEMENTS_FILE}: must be a mapping of frameworks ({', '.join(FRAMEWORKS)}) to points")
        return
    for framework_id, points in raw.items():
        where = f"{STATEMENTS_FILE}: {framework_id}"
        framework = FRAMEWORKS.get(str(framework_id))
        if framework is None:
            problems.append(f"{where}: unknown framework (choose from {', '.join(FRAMEWORKS)})")
            continue
        if not isinstance(points, Mapping):
            problems.append(f"{where}: must be a mapping of {framework.title} points to statements")
            continue
        known = {point.id for point in framework.points}
        for point, body in points.items():
            at = f"{STATEMENTS_FILE}: {key_path((framework.id, str(point)))}"
            if str(point) not in known:
                problems.append(
                    f"{at}: {point} is not a point of the {framework.title} ({', '.join(sorted(known, key=_order))})"
                )
                continue
            statement = _statement(framework.id, str(point), body, at, _line(points, point), today, problems)
            if statement is not None:
                yield statement


def _order(point: str) -> tuple[int, str]:
    return (int(point), "") if point.isdigit() else (0, point)


def _line(mapping: Any, key: Any) -> int:
    try:
        return int(mapping.lc.key(key)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return 0


def _statement(
    framework: str, point: str, body: Any, at: str, line: int, today: dt.date, problems: list[str]
) -> Statement | None:
    if not isinstance(body, Mapping):
        problems.append(f"{at}: must be a mapping with owner, review_by and text")
        return None
    before = len(problems)
    for key in sorted(set(map(str, body)) - _KEYS):
        problems.append(f"{key_path((at, key))}: unknown key (allowed: {', '.join(sorted(_KEYS))})")
    for key in ("owner", "text"):
        value = body.get(key)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{key_path((at, key))}: {'missing' if value is None else 'must be non-empty text'}")
    review_by = _date(body.get("review_by"), key_path((at, "review_by")), problems)
    applies = body.get("applies", True)
    if not isinstance(applies, bool):
        problems.append(f"{key_path((at, 'applies'))}: must be true or false")
    links = body.get("links", [])
    if not isinstance(links, list) or not all(isinstance(link, str) for link in links):
        problems.append(f"{key_path((at, 'links'))}: must be a list of URLs or repository paths")
        links = []
    if len(problems) > before or review_by is None:
        return None
    return Statement(
        framework=framework,
        point=point,
        text=body["text"].strip(),
        owner=body["owner"].strip(),
        review_by=review_by.isoformat(),
        expired=review_by < today,
        links=tuple(link for link in map(statement_link, links) if link is not None),
        applies=bool(applies),
        file=STATEMENTS_FILE,
        line=line,
    )


def _date(value: Any, where: str, problems: list[str]) -> dt.date | None:
    if value is None:
        problems.append(f"{where}: missing (a date, YYYY-MM-DD)")
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        problems.append(f"{where}: '{value}' is not a date (YYYY-MM-DD)")
        return None


def statement_link(text: str) -> StatementLink | None:
    """An http(s) URL or a repository path; anything else (javascript:, ../, an absolute path) is
    not shown, since a report must not link out of what it describes except to the web."""
    link = text.strip()
    if _URL.match(link):
        return StatementLink(link, link, "url")
    parts = link.replace("\\", "/").split("/")
    if (
        not link
        or _SCHEME.match(link)
        or link.startswith(("/", "~"))
        or ".." in parts
        or any(c in link for c in "<>\"'`\n")
    ):
        return None
    return StatementLink(link, link.removeprefix("./"), "path")


def past_review_findings(statements: tuple[Statement, ...]) -> tuple[Finding, ...]:
    findings = []
    for statement in statements:
        if not statement.expired:
            continue
        hit = Hit(
            file=statement.file,
            position=Position(statement.line, 1) if statement.line else None,
            address=f"{statement.framework}.{statement.point}",
            message=(
                f"The statement for {FRAMEWORKS[statement.framework].title} point {statement.point} "
                f"(owner: {statement.owner}) was due for review on {statement.review_by}"
            ),
            properties={"framework": statement.framework, "point": statement.point, "review_by": statement.review_by},
        )
        findings.append(
            Finding(
                check_id=STATEMENT_PAST_REVIEW,
                level="warning",
                tcop_point=0,
                file=hit.file,
                position=hit.position,
                address=hit.address,
                message=hit.message,
                fingerprint=fingerprint(STATEMENT_PAST_REVIEW, hit),
                properties=dict(hit.properties),
            )
        )
    return tuple(findings)
