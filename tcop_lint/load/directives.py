"""Suppression directives as written in the sources: `tcop-lint:ignore` comments, read with each
file in the load phase, and `x-tcop-lint-ignore` in OpenAPI documents. Applying them is the
suppress phase's work."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tcop_lint.core.model import Directive, Documents, json_pointer, walk

MARKER = "tcop-lint:ignore"


COMMENT = re.compile(r"(?P<lead>^\s*)?(?:#|//)\s*tcop-lint:ignore\s+(?P<ids>[A-Za-z0-9_,\-]+)(?P<rest>.*)$")


REASON = re.compile(r"""reason\s*=\s*(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)')""")


UNTIL = re.compile(r"until\s*=\s*(?P<date>\S+)")


OPENAPI_KEY = "x-tcop-lint-ignore"


def parse_comment_directives(file: str, text: str) -> tuple[Directive, ...]:
    """Inline suppression comments in one file's text."""
    if MARKER not in text:
        return ()
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if MARKER not in line:
            continue
        match = COMMENT.search(line)
        if match is None:
            continue
        rest = match.group("rest")
        reason = REASON.search(rest)
        until = UNTIL.search(rest)
        found.append(
            Directive(
                ids=tuple(part.strip().upper() for part in match.group("ids").split(",") if part.strip()),
                reason=_clean_reason(
                    reason.group("double")
                    if reason and reason.group("double") is not None
                    else reason.group("single")
                    if reason
                    else None
                ),
                until=until.group("date") if until else None,
                file=file,
                line=number,
                standalone=match.group("lead") is not None,
            )
        )
    return tuple(found)


def _clean_reason(reason: Any) -> str | None:
    return reason.strip() if isinstance(reason, str) and reason.strip() else None


def openapi_directives(documents: Documents) -> tuple[Directive, ...]:
    found = []
    for document in documents.openapi:
        for path, value in walk(document.node.data):
            if not path or path[-1] != OPENAPI_KEY or not isinstance(value, list):
                continue
            line = document.node.locate(path).line
            for entry in value:
                if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
                    continue
                found.append(
                    Directive(
                        ids=(entry["id"].upper(),),
                        reason=_clean_reason(entry.get("reason")),
                        until=str(entry["until"]) if entry.get("until") is not None else None,
                        file=document.file_at(path[:-1]),  # an inlined part's own file
                        line=line,
                        pointer="#" + json_pointer(path[:-1]),
                    )
                )
    return tuple(found)
