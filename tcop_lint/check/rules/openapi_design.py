"""OpenAPI rules for the data and design parts of the GOV.UK API technical and data
standards: dates, JSON, UTF-8, query strings, HTTP methods, nesting and deprecation.
Hits are addressed by JSON pointer."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from tcop_lint.check.subjects import Subject
from tcop_lint.core.model import DataPath, Hit, OpenApiDocument, json_pointer
from tcop_lint.core.settings import RuleContext
from tcop_lint.core.text import plural
from tcop_lint.load.openapi import (
    all_parameters,
    is_swagger2,
    media_type_keys,
    operation_parameters,
    operations,
    resolve_ref,
    schema_properties,
)

_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def _hit(subject: Subject, message: str, path: DataPath, level: Any = None) -> Hit:
    return subject.hit(message, path, address_suffix=json_pointer(path), level=level)


def words(name: str) -> list[str]:
    """``createdAt`` / ``created_at`` / ``Created-At`` -> ``["created", "at"]``."""
    return [w.lower() for w in _WORD.findall(name)]


def _compact(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


# --- dates and times --------------------------------------------------------------------

_DATE_FORMATS = frozenset({"date", "date-time", "time"})


def is_date_name(name: str) -> bool:
    parts = words(name)
    if not parts:
        return False
    if any(p in ("date", "datetime", "timestamp", "dob") for p in parts):
        return True
    if len(parts) >= 2 and parts[-1] == "at":
        return True
    return _compact(name) in ("validfrom", "validto", "validuntil")


def _schema_type(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        kind = kinds[0] if len(kinds) == 1 else None
    return kind if isinstance(kind, str) else None


def _date_problem(schema: Mapping[str, Any]) -> tuple[str, str] | None:
    """(message, offending key) when a date-like value is not an ISO 8601 string."""
    kind = _schema_type(schema)
    fmt = schema.get("format")
    if kind in ("integer", "number"):
        return f"is a {kind} (epoch time?); use a string with format date or date-time (ISO 8601)", "type"
    if kind == "string" and fmt is None and "pattern" not in schema and "enum" not in schema:
        return "is a string without format date or date-time", ""
    if kind == "string" and isinstance(fmt, str) and fmt not in _DATE_FORMATS:
        return f"has format {fmt!r}; use format date or date-time (ISO 8601)", "format"
    return None


def dates_not_iso8601(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """Date-like properties and parameters that are numbers or strings without a date format."""
    doc: OpenApiDocument = subject.source
    found: list[tuple[str, Mapping[str, Any], DataPath, str]] = [
        (name, schema, where, "property") for name, schema, where in schema_properties(doc)
    ]
    for parameter, where in all_parameters(doc):
        nested = parameter.get("schema")
        schema: Mapping[str, Any] = nested if isinstance(nested, Mapping) else parameter
        at = where + ("schema",) if schema is not parameter else where
        if isinstance(parameter.get("name"), str) and parameter.get("in") != "body":
            found.append((parameter["name"], schema, at, "parameter"))
    for name, schema, where, kind in found:
        if "$ref" in schema or not is_date_name(name):
            continue
        problem = _date_problem(schema)
        if problem:
            message, key = problem
            yield _hit(subject, f"{kind} {name} {message}", where + ((key,) if key else ()))


# --- JSON and UTF-8 ---------------------------------------------------------------------

_EXEMPT_TYPES = re.compile(
    r"^(?:application/(?:octet-stream|zip|gzip|pdf|x-www-form-urlencoded|vnd\.openxmlformats.*|vnd\.ms-excel|vnd\.oasis\.opendocument.*)"
    r"|text/(?:csv|event-stream|calendar|html)|multipart/.*|image/.*|audio/.*|video/.*|font/.*|\*/\*)$"
)


def _base_type(media_type: str) -> str:
    return media_type.split(";", 1)[0].strip().lower()


def is_json(media_type: str) -> bool:
    base = _base_type(media_type)
    return base in ("application/json", "application/x-ndjson") or base.endswith("+json") or base == "application/*"


def _json_missing(types: list[str]) -> bool:
    return (
        bool(types)
        and not any(is_json(t) for t in types)
        and not all(_EXEMPT_TYPES.match(_base_type(t)) for t in types)
    )


def json_not_offered(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """Request bodies and success responses whose content offers no JSON media type."""
    doc: OpenApiDocument = subject.source
    seen: set[DataPath] = set()
    if is_swagger2(doc):
        for where_list in [("produces",), ("consumes",)] + [
            w + (k,) for _, _, _, w in operations(doc) for k in ("produces", "consumes")
        ]:
            ok = _get(doc.node.data, where_list)
            if isinstance(ok, list) and _json_missing([str(t) for t in ok]):
                yield _hit(
                    subject, f"{where_list[-1]} lists {', '.join(map(str, ok))} but no JSON media type", where_list
                )
        return
    for template, method, operation, where in operations(doc):
        holders: list[tuple[Any, DataPath]] = []
        body, body_at = resolve_ref(doc, operation.get("requestBody"), where + ("requestBody",))
        holders.append((body, body_at))
        answers = operation.get("responses")
        for code, answer in answers.items() if isinstance(answers, Mapping) else ():
            if str(code).startswith("2"):
                holders.append(resolve_ref(doc, answer, where + ("responses", code)))
        for holder, at in holders:
            content = holder.get("content") if isinstance(holder, Mapping) else None
            if isinstance(content, Mapping) and at not in seen:
                seen.add(at)
                if _json_missing([str(t) for t in content]):
                    yield _hit(
                        subject,
                        f"{method.upper()} {template} offers {', '.join(map(str, content))} but no JSON",
                        at + ("content",),
                    )


def _get(data: Any, path: DataPath) -> Any:
    for part in path:
        if isinstance(data, Mapping) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


_CHARSET = re.compile(r";\s*charset\s*=\s*\"?([^;\"\s]+)", re.IGNORECASE)


def charset_not_utf8(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """Media types that declare a character encoding other than UTF-8."""
    for media_type, where in media_type_keys(subject.source):
        match = _CHARSET.search(media_type)
        if match and match.group(1).lower() not in ("utf-8", "utf8"):
            yield _hit(subject, f"media type {media_type} declares charset {match.group(1)}; use UTF-8", where)


def array_responses(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """Success responses whose JSON body is a top-level array rather than an object."""
    doc: OpenApiDocument = subject.source
    seen: set[DataPath] = set()
    for template, method, operation, where in operations(doc):
        answers = operation.get("responses")
        for code, answer in answers.items() if isinstance(answers, Mapping) else ():
            if not str(code).startswith("2"):
                continue
            answer, at = resolve_ref(doc, answer, where + ("responses", code))
            if not isinstance(answer, Mapping):
                continue
            schemas: list[tuple[Any, DataPath]] = []
            if isinstance(answer.get("content"), Mapping):
                schemas += [
                    (mt.get("schema"), at + ("content", t, "schema"))
                    for t, mt in answer["content"].items()
                    if is_json(str(t)) and isinstance(mt, Mapping)
                ]
            elif "schema" in answer:
                produces = operation.get("produces", doc.node.data.get("produces"))
                if not isinstance(produces, list) or any(is_json(str(t)) for t in produces):
                    schemas.append((answer.get("schema"), at + ("schema",)))
            for schema, schema_at in schemas:
                if schema_at in seen:
                    continue
                seen.add(schema_at)
                resolved, _ = resolve_ref(doc, schema, schema_at)
                if isinstance(resolved, Mapping) and _schema_type(resolved) == "array":
                    yield _hit(
                        subject,
                        f"{method.upper()} {template} returns a top-level JSON array; wrap it in an object",
                        schema_at,
                    )


# --- query strings ----------------------------------------------------------------------

_BEHAVIOUR = frozenset({"action", "method", "op", "operation", "command", "cmd", "do"})


def personal_data_in_query(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """Query parameters named after personal data (the option names)."""
    names = ctx.options["names"]
    wanted = {_compact(str(n)) for n in names}
    for parameter, where in all_parameters(subject.source):
        name = parameter.get("name")
        if parameter.get("in") == "query" and isinstance(name, str) and _compact(name) in wanted:
            yield _hit(subject, f"query parameter {name} carries personal data into URLs and logs", where + ("name",))


def _singular(word: str) -> str:
    if word.endswith("ies"):
        return word[:-3] + "y"
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def query_identity_or_behaviour(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """GET query parameters that identify the resource (?id=), and any that select behaviour
    (?action=)."""
    doc: OpenApiDocument = subject.source
    seen: set[DataPath] = set()
    for template, method, _operation, where in operations(doc):
        literals = [s for s in template.split("/") if s and not s.startswith("{")]
        last = _compact(_singular(literals[-1])) if literals and not template.rstrip("/").endswith("}") else ""
        for parameter, at in operation_parameters(doc, where):
            name = parameter.get("name")
            if parameter.get("in") != "query" or not isinstance(name, str) or at in seen:
                continue
            key = _compact(name)
            if key in _BEHAVIOUR:
                seen.add(at)
                yield _hit(
                    subject,
                    f"query parameter {name} sets the API's behaviour; use the path and HTTP method instead",
                    at + ("name",),
                )
            elif method == "get" and (key == "id" or (last and key == last + "id")):
                seen.add(at)
                yield _hit(
                    subject,
                    f"GET {template} identifies the resource with query parameter {name}; use a path parameter",
                    at + ("name",),
                )


# --- methods, nesting, deprecation ------------------------------------------------------

_MUTATING = frozenset({"create", "update", "delete", "remove", "set", "add", "submit"})


def methods_misused(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """GET/HEAD/DELETE with a request body, and GET operations named or routed as changes."""
    doc: OpenApiDocument = subject.source
    for template, method, operation, where in operations(doc):
        label = f"{method.upper()} {template}"
        if method in ("get", "head", "delete"):
            if "requestBody" in operation:
                yield _hit(
                    subject,
                    f"{label} takes a request body; {method.upper()} requests carry none",
                    where + ("requestBody",),
                )
            for parameter, at in operation_parameters(doc, where):
                if parameter.get("in") in ("body", "formData"):
                    yield _hit(subject, f"{label} takes a request body; {method.upper()} requests carry none", at)
        if method != "get":
            continue
        op_id = operation.get("operationId")
        first = words(op_id)[0] if isinstance(op_id, str) and words(op_id) else ""
        verbs = [s for s in template.split("/") if s.lower() in _MUTATING]
        if first in _MUTATING:
            yield _hit(subject, f"{label} is named {op_id!r}; a GET must not change data", where + ("operationId",))
        elif verbs:
            yield _hit(
                subject, f"{label} routes the action {verbs[0]!r} through GET; use POST, PUT, PATCH or DELETE", where
            )


def _depth(template: str) -> int:
    segments = [s for s in template.split("/") if s]
    collections = 0
    for i, segment in enumerate(segments):
        if segment.startswith("{") or re.fullmatch(r"v\d+", segment, re.IGNORECASE):
            continue
        followed = i + 1 < len(segments) and segments[i + 1].startswith("{")
        if followed or i == len(segments) - 1:
            collections += 1
    return collections


def sub_resources_too_deep(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """Paths nesting more than three levels of resources."""
    limit = int(ctx.options["max_depth"])
    paths = subject.data.get("paths")
    for template in paths if isinstance(paths, Mapping) else ():
        if isinstance(template, str) and template.startswith("/") and _depth(template) > limit:
            yield _hit(
                subject,
                f"path {template} nests {plural(_depth(template), 'level')} of resources; keep to {limit}",
                ("paths", template),
            )


_WHEN = re.compile(
    r"\b(?:\d{4}-\d{2}-\d{2}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{4}"
    r"|\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*|sunset|withdrawn on|removed on|until)\b",
    re.IGNORECASE,
)
_DEPRECATION_HEADERS = frozenset({"deprecation", "sunset", "warning"})


def deprecated_without_timeline(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """Deprecated operations that say neither when they go nor send Deprecation/Sunset/Warning."""
    doc: OpenApiDocument = subject.source
    for template, method, operation, where in operations(doc):
        if operation.get("deprecated") is not True:
            continue
        text = " ".join(str(operation.get(k, "")) for k in ("summary", "description"))
        if _WHEN.search(text) or any(k in operation for k in ("x-sunset", "x-deprecation-date")):
            continue
        answers = operation.get("responses")
        headers: set[str] = set()
        for code, answer in answers.items() if isinstance(answers, Mapping) else ():
            answer, _ = resolve_ref(doc, answer, where + ("responses", code))
            if isinstance(answer, Mapping) and isinstance(answer.get("headers"), Mapping):
                headers |= {str(h).lower() for h in answer["headers"]}
        if not headers & _DEPRECATION_HEADERS:
            yield _hit(
                subject,
                f"{method.upper()} {template} is deprecated but says neither when it will be withdrawn nor sends a "
                "Deprecation, Sunset or Warning header",
                where + ("deprecated",),
            )
