"""OpenAPI checks from the research catalogue: a valid document, a test environment, one case
style for property names, bulk download for open data. Hits are addressed by JSON pointer."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from tcop_lint.check.subjects import Subject
from tcop_lint.core.model import DataPath, Hit, OpenApiDocument, json_pointer, walk
from tcop_lint.core.settings import RuleContext
from tcop_lint.load.openapi import (
    is_swagger2,
    media_type_keys,
    operations,
    parse_pointer,
    schema_properties,
)


def _hit(subject: Subject, message: str, path: DataPath, level: Any = None, suffix: str = "") -> Hit:
    return subject.hit(message, path, address_suffix=json_pointer(path) + suffix, level=level)


# --- TCOP-04-OAS-002: the document is valid ---------------------------------------------

# openapi-spec-validator ships the official schemas; they are validated here with jsonschema
# and a registry that cannot retrieve anything, so no reference is ever fetched.
_SCHEMA_FOLDERS = {"2.0": "v2.0", "3.0": "v3.0", "3.1": "v3.1", "3.2": "v3.2"}


def _family(doc: OpenApiDocument) -> str | None:
    if is_swagger2(doc):
        return "2.0" if doc.version == "2.0" else None
    match = re.match(r"^(3\.[0-2])\.\d+(?:-.+)?$", doc.version)
    return match.group(1) if match else None


@lru_cache(maxsize=4)
def _validator(family: str) -> Any:
    """A jsonschema validator for one OpenAPI version, or None if that schema is not shipped."""
    import importlib.util
    import json
    from pathlib import Path

    from jsonschema.validators import validator_for
    from jsonschema_specifications import REGISTRY  # the JSON Schema meta-schemas only, no retrieval

    # The package's schema files are read without importing it: its import pulls in an HTTP
    # client (for remote references we never follow) whose import opens a socket.
    spec = importlib.util.find_spec("openapi_spec_validator")
    folders = list(spec.submodule_search_locations or ()) if spec else []
    for folder in folders:
        path = Path(folder) / "resources" / "schemas" / _SCHEMA_FOLDERS[family] / "schema.json"
        if path.is_file():
            schema = json.loads(path.read_text(encoding="utf-8"))
            return validator_for(schema)(schema, registry=REGISTRY)
    return None


def _chosen(error: Any) -> Any:
    """The most telling error under a oneOf/anyOf: not the "is not a $ref" branch."""
    from jsonschema.exceptions import relevance

    for _ in range(16):
        if error.validator not in ("oneOf", "anyOf") or not error.context:
            return error
        references = {
            e.relative_schema_path[0]
            for e in error.context
            if e.validator == "required"
            and "$ref" in (e.validator_value or ())
            and not e.relative_path
            and e.relative_schema_path
        }
        # A branch whose discriminating field (in, type) has another fixed value is not the one meant.
        mismatched = {
            e.relative_schema_path[0]
            for e in error.context
            if e.validator in ("enum", "const") and len(e.relative_path) == 1 and e.relative_schema_path
        }
        branches = [e for e in error.context if e.relative_schema_path and e.relative_schema_path[0] not in references]
        fitting = [e for e in branches if e.relative_schema_path[0] not in mismatched]
        branches = fitting or branches
        if not branches:
            return error
        error = max(branches, key=relevance)
    return error


def _short(text: str, limit: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


_UNEXPECTED = re.compile(r"\((.*) (?:was|were) unexpected\)$", re.DOTALL)


def _named_unexpected(message: str, instance: Mapping[str, Any]) -> list[Any] | None:
    """The keys the validator itself names as unexpected. Keys evaluated by a subschema (an
    http scheme's ``scheme`` under the 3.1 schema's if/then) are not among them, where the
    schema's own ``properties`` would count them as extras too: one wrong key, one finding."""
    import ast

    match = _UNEXPECTED.search(message)
    if match is None:
        return None
    try:
        named = ast.literal_eval("(" + match.group(1) + ",)")
    except (ValueError, SyntaxError):
        return None
    found = [key for key in named if key in instance]
    return found if len(found) == len(named) else None


def _schema_errors(subject: Subject, doc: OpenApiDocument, validator: Any, family: str) -> Iterator[Hit]:
    name = "Swagger 2.0" if family == "2.0" else f"OpenAPI {family}"
    seen: set[tuple] = set()
    errors = [_chosen(error) for error in validator.iter_errors(doc.node.data)]
    # Under 3.1 a key is "unevaluated" when the branch that defines it failed: a header without
    # its schema makes its style and example unevaluated too. Where a place has another error,
    # its unevaluated keys are that error's consequence, not errors of their own.
    failing = {tuple(e.absolute_path) for e in errors if e.validator != "unevaluatedProperties"}
    for error in errors:
        path: DataPath = tuple(error.absolute_path)
        instance = error.instance
        if error.validator == "unevaluatedProperties" and path in failing:
            continue
        if error.validator in ("additionalProperties", "unevaluatedProperties") and isinstance(instance, Mapping):
            schema = error.schema if isinstance(error.schema, Mapping) else {}
            known = schema.get("properties") or {}
            patterns = tuple((schema.get("patternProperties") or {}).keys())
            if error.validator == "unevaluatedProperties":
                patterns += ("^x-",)  # 3.1 admits extensions through a $ref the schema's own keys do not show
            extras = _named_unexpected(error.message, instance)
            if extras is None:
                extras = [k for k in instance if k not in known and not any(re.search(p, str(k)) for p in patterns)]
            for key in extras or [None]:
                where = path + ((key,) if key is not None else ())
                message = (
                    f"#{json_pointer(where)}: {key!r} is not allowed here in {name} (extensions start with x-)"
                    if key is not None
                    else _short(error.message)
                )
                if (where, "additionalProperties") not in seen:
                    seen.add((where, "additionalProperties"))
                    yield _hit(subject, message, where, suffix=":additionalProperties")
            continue
        key = (path, error.validator)
        if key in seen:
            continue
        seen.add(key)
        if error.validator in ("oneOf", "anyOf"):
            message = f"#{json_pointer(path)} does not match any form {name} allows here"
        else:
            message = f"#{json_pointer(path)}: {_short(error.message)}"
        yield _hit(subject, message, path, suffix=f":{error.validator}")


_NOT_REFERENCE_HOLDERS = frozenset({"example", "examples", "enum", "default", "const"})


def _local_reference_errors(subject: Subject, doc: OpenApiDocument) -> Iterator[Hit]:
    """Local $refs that point at nothing. External ones are not followed, so not judged."""
    data = doc.node.data
    for path, value in walk(data):
        if not path or path[-1] != "$ref" or not isinstance(value, str):
            continue
        if any(isinstance(p, str) and (p in _NOT_REFERENCE_HOLDERS or p.startswith("x-")) for p in path[:-1]):
            continue
        target = parse_pointer(value)
        if target is None:
            continue
        found: Any = data
        for part in target:
            if isinstance(found, Mapping) and part in found:
                found = found[part]
            elif isinstance(found, list) and str(part).isdigit() and int(part) < len(found):
                found = found[int(part)]
            else:
                yield _hit(
                    subject,
                    f"#{json_pointer(path[:-1])}: $ref {_short(value, 80)} points at nothing in this document",
                    path,
                    suffix=":ref",
                )
                break


def _duplicate_operation_ids(subject: Subject, doc: OpenApiDocument) -> Iterator[Hit]:
    first: dict[str, str] = {}
    for template, method, operation, where in operations(doc):
        operation_id = operation.get("operationId")
        if not isinstance(operation_id, str):
            continue
        if operation_id in first:
            yield _hit(
                subject,
                f"operationId {operation_id!r} of {method.upper()} {template} is already used by "
                f"{first[operation_id]}; operationIds must be unique",
                where + ("operationId",),
                suffix=":operationId",
            )
        else:
            first[operation_id] = f"{method.upper()} {template}"


def document_invalid(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    doc: OpenApiDocument = subject.source
    family = _family(doc)
    version_key: DataPath = ("swagger",) if is_swagger2(doc) else ("openapi",)
    if family is None:
        yield _hit(
            subject,
            f"{version_key[0]}: {doc.version!r} is not a version tcop-lint can validate (2.0, 3.0.x, 3.1.x)",
            version_key,
        )
        return
    try:
        validator = _validator(family)
    except Exception as error:  # the library missing or broken: say so once, never crash the scan
        yield _hit(subject, f"{doc.file} could not be validated: {type(error).__name__}", version_key, level="note")
        return
    if validator is None:
        yield _hit(
            subject, f"{version_key[0]}: {doc.version!r} is newer than the installed schemas", version_key, level="note"
        )
        return
    limit = ctx.options["max_errors"]
    count = 0
    for producer in (
        _schema_errors(subject, doc, validator, family),
        _local_reference_errors(subject, doc),
        _duplicate_operation_ids(subject, doc),
    ):
        try:
            for hit in producer:
                count += 1
                if count > limit:
                    return
                yield hit
        except (RecursionError, ValueError, TypeError, KeyError):
            continue  # a document too deep or odd for the validator: the errors already found stand


# --- TCOP-08-OAS-005: a test environment is advertised ----------------------------------

_LOCAL = re.compile(r"^(?:localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0)(?::\d+)?$", re.IGNORECASE)
_READ_ONLY = frozenset({"get", "head", "options", "trace"})


def _servers(doc: OpenApiDocument) -> list[tuple[str, str, DataPath]]:
    """(host, words describing it, where) for each server the document names."""
    data = doc.node.data
    if is_swagger2(doc):
        host = data.get("host")
        return [(host, host, ("host",))] if isinstance(host, str) and host.strip() else []
    found: list[tuple[str, str, DataPath]] = []
    servers = data.get("servers")
    for index, server in enumerate(servers if isinstance(servers, list) else ()):
        if not isinstance(server, Mapping) or not isinstance(server.get("url"), str):
            continue
        url = server["url"]
        host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", url, flags=re.IGNORECASE).split("/", 1)[0]
        words = " ".join(str(server.get(k, "")) for k in ("url", "description", "x-environment"))
        variables = server.get("variables")
        for variable in variables.values() if isinstance(variables, Mapping) else ():
            if isinstance(variable, Mapping):
                words += (
                    " "
                    + " ".join(str(v) for v in (variable.get("enum") or []))
                    + " "
                    + str(variable.get("default", ""))
                )
        found.append((host, words, ("servers", index)))
    return found


def _secured(doc: OpenApiDocument) -> bool:
    def asks(requirements: Any) -> bool:
        return isinstance(requirements, list) and any(isinstance(r, Mapping) and r for r in requirements)

    return asks(doc.node.data.get("security")) or any(asks(op.get("security")) for _, _, op, _ in operations(doc))


def sandbox_not_advertised(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    doc: OpenApiDocument = subject.source
    servers = _servers(doc)
    if not servers:
        return
    writes = sorted({method.upper() for _, method, _, _ in operations(doc) if method not in _READ_ONLY})
    if not writes and not _secured(doc):
        return  # a read-only open API need not offer a test service
    words = tuple(str(w).lower() for w in ctx.options["keywords"])
    pattern = re.compile(r"(?<![a-z])(?:" + "|".join(re.escape(w) for w in words) + r")(?![a-z])", re.IGNORECASE)
    real = [(host, text, where) for host, text, where in servers if not _LOCAL.match(host)]
    if not real or any(pattern.search(text) for _, text, _ in real):
        return
    why = f"it has write operations ({', '.join(writes)})" if writes else "clients must be authorised"
    where = ("host",) if is_swagger2(doc) else ("servers",)
    yield _hit(
        subject,
        f"no test (sandbox) environment is listed among the servers, and {why}: add a server for a test service, "
        "described as such",
        where,
    )


# --- TCOP-09-OAS-008: one case style for property names ---------------------------------

STYLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("snake_case", re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")),
    ("camelCase", re.compile(r"^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)+$")),
    ("PascalCase", re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)*$")),
    ("kebab-case", re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$")),
    ("SCREAMING_SNAKE_CASE", re.compile(r"^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$")),
)


def case_style(name: str) -> str | None:
    """The style a property name is written in; None for one lower-case word (fits several)
    or a name that follows no single style."""
    for style, pattern in STYLES:
        if pattern.match(name):
            return style
    return None


def property_case_mixed(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    doc: OpenApiDocument = subject.source
    named: list[tuple[str, str, DataPath]] = []
    for name, _, path in schema_properties(doc):
        if name[:1] in ("_", "@", "$"):
            continue  # _links, @id, $schema: conventions of HAL, JSON-LD and JSON Schema
        style = case_style(name)
        if style is not None:
            named.append((name, style, path))
    if not named:
        return
    counts: dict[str, int] = {}
    for _, style, _ in named:
        counts[style] = counts.get(style, 0) + 1
    wanted = ctx.options["style"]
    if wanted not in {s for s, _ in STYLES}:
        if len(counts) < 2:
            return
        first: dict[str, int] = {}
        for index, (_, style, _) in enumerate(named):
            first.setdefault(style, index)
        wanted = max(counts, key=lambda s: (counts[s], -first[s]))
    reason = (
        "the style set for this API"
        if ctx.options["style"] == wanted
        else f"the style of most properties ({counts.get(wanted, 0)} of {len(named)})"
    )
    for name, style, path in named:
        if style != wanted:
            yield _hit(
                subject, f"property {name} is {style}; {wanted} is {reason}: use one case style for object keys", path
            )


# --- TCOP-10-OAS-001: bulk download for open data ---------------------------------------

_BULK_TYPES = frozenset(
    {
        "text/csv",
        "application/csv",
        "application/zip",
        "application/x-zip-compressed",
        "application/gzip",
        "application/x-gzip",
        "application/x-ndjson",
        "application/jsonl",
        "application/x-jsonlines",
        "application/vnd.oasis.opendocument.spreadsheet",
        "application/x-parquet",
        "application/vnd.apache.parquet",
    }
)
_BULK_WORDS = re.compile(
    r"\bbulk\b|\bdownloads?\b|\bwhole dataset|\bfull dataset|\bdata\.gov\.uk\b|\.csv\b|\.zip\b", re.IGNORECASE
)
_BULK_SEGMENT = re.compile(
    r"^(?:bulk|downloads?|exports?|dumps?|snapshots?)$|\.(?:csv|zip|gz|ndjson|jsonl)$", re.IGNORECASE
)


def _open_data_marker(doc: OpenApiDocument) -> DataPath | None:
    data = doc.node.data
    if data.get("x-open-data") is True:
        return ("x-open-data",)
    info = data.get("info")
    if isinstance(info, Mapping) and info.get("x-open-data") is True:
        return ("info", "x-open-data")
    return None


def _offers_bulk(doc: OpenApiDocument) -> bool:
    if any(media.split(";")[0].strip().lower() in _BULK_TYPES for media, _ in media_type_keys(doc)):
        return True
    for template, method, _, _ in operations(doc):
        if method == "get" and any(_BULK_SEGMENT.search(s) for s in template.split("/") if s and not s.startswith("{")):
            return True
    data = doc.node.data
    texts = []
    for holder in (data.get("externalDocs"), data.get("info")):
        if isinstance(holder, Mapping):
            texts += [str(holder.get(k, "")) for k in ("url", "description")]
    return any(_BULK_WORDS.search(text) for text in texts)


def bulk_download_missing(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    doc: OpenApiDocument = subject.source
    marker = _open_data_marker(doc)
    if marker is None and not ctx.options["open_data"]:
        return
    if _offers_bulk(doc):
        return
    yield _hit(
        subject,
        "this open data API offers no way to download the whole dataset: add an operation returning CSV "
        "(or a zip of it), or link to the bulk download from externalDocs or info.description",
        marker or (("swagger",) if is_swagger2(doc) else ("openapi",)),
    )


__all__ = [
    "bulk_download_missing",
    "case_style",
    "document_invalid",
    "property_case_mixed",
    "sandbox_not_advertised",
]
