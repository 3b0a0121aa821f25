"""Terraform plan JSON (``terraform show -json plan.out``): what will exist after the apply.

A plan is recognised by its content, whatever the file is called: a JSON object with
``format_version``, ``terraform_version`` and ``planned_values`` or ``resource_changes``.
Resources come from ``planned_values`` (the root module and its child modules, to any depth),
their values from ``resource_changes[].change.after``: what ``after_unknown`` marks is
Unresolved (known only after the apply), and so is what ``after_sensitive`` marks (a
secret is never copied into a finding). Resources being deleted are left out.

Plans of large estates run to tens of megabytes, most of it the prior state and the values
before the change, which nothing here needs. So the text is walked rather than parsed whole:
members that are not needed are stepped over bracket by bracket (a regular expression) without
building anything, and each resource's values are decoded on their own by the standard
library's C decoder, so memory holds the planned values and little else. Positions are
recorded down to ``POSITION_DEPTH`` levels inside a resource's values (deeper values take
their parent's) and kept packed, a few bytes each, until a finding needs one.
"""

from __future__ import annotations

import json
import marshal
import re
from collections.abc import Callable, Mapping
from typing import Any

from tcop_lint.core.model import (
    DataPath,
    LoadResult,
    Node,
    ParseProblem,
    PlanProvider,
    PlanResource,
    Position,
    TfPlan,
    Unresolved,
)
from tcop_lint.load.cache import PackedPositions

POSITION_DEPTH = 8
MAX_MODULE_DEPTH = 100
UNKNOWN = "known after apply"
SENSITIVE = "sensitive value"
# The members a plan has (terraform 0.12 to 1.x); a file whose first member is one of them
# may be a plan, so it is read up to the plan size limit.
PLAN_KEYS = frozenset(
    (
        "format_version",
        "terraform_version",
        "variables",
        "planned_values",
        "resource_drift",
        "resource_changes",
        "output_changes",
        "prior_state",
        "configuration",
        "relevant_attributes",
        "checks",
        "timestamp",
        "applyable",
        "complete",
        "errored",
    )
)

_WS = re.compile(r"[ \t\n\r]*")
# Everything up to the next bracket outside a string, and that bracket.
_TO_BRACKET = re.compile(r'[^"\[\]{}]*(?:"[^"\\]*(?:\\.[^"\\]*)*"[^"\[\]{}]*)*([\[\]{}])')
_FIRST_KEY = re.compile(r'\s*\{\s*"([a-z_]+)"')
_KEY_PART = re.compile(r'\[(?:"(?:[^"\\]|\\.)*"|[^\]]*)\]')
_GCP_ZONE = re.compile(r"^([a-z]+-[a-z]+[0-9]+)-[a-z]$")
_DECODER = json.JSONDecoder()


class PlanError(ValueError):
    """A file that claims to be a plan but is not one; ``offset`` is where it goes wrong."""

    def __init__(self, message: str, offset: int, syntax: bool = False):
        super().__init__(message)
        self.offset = offset
        self.syntax = syntax


def may_be_plan(head: str) -> bool:
    """Whether a file too large for the ordinary limit may be a plan, from its first bytes."""
    match = _FIRST_KEY.match(head)
    return match is not None and match.group(1) in PLAN_KEYS


def looks_like_plan(text: str) -> bool:
    """A cheap test before the file is walked: both version members appear somewhere."""
    return '"terraform_version"' in text and '"format_version"' in text and text.lstrip()[:1] == "{"


def load_plan(file: str, text: str) -> LoadResult | None:
    """The plan in ``text``; None when the JSON object is not a plan (then other loaders may
    read it), a ParseProblem when it claims to be one but is not."""
    try:
        plan = read_plan(file, text)
    except PlanError as error:
        line, column = _placer(text)(min(error.offset, len(text)))
        prefix = "JSON error" if error.syntax else "not read as a Terraform plan"
        return LoadResult(problems=(ParseProblem(file, f"{prefix}: {error}", Position(line, column)),))
    return None if plan is None else LoadResult(terraform_plan=plan)


# --- stepping through the text ----------------------------------------------------------------


def _ws(text: str, pos: int) -> int:
    match = _WS.match(text, pos)
    assert match is not None  # matches the empty string
    return match.end()


def _skip(text: str, pos: int) -> int:
    """Where the value starting at ``pos`` ends, building nothing for containers."""
    if text[pos : pos + 1] not in ("{", "["):
        return _decode(text, pos)[1]
    depth = 0
    while True:
        match = _TO_BRACKET.match(text, pos)
        if match is None:
            raise PlanError("unexpected end of text", len(text), syntax=True)
        pos = match.end()
        if match.group(1) in "{[":
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                return pos


def _decode(text: str, pos: int) -> tuple[Any, int]:
    try:
        return _DECODER.raw_decode(text, pos)
    except json.JSONDecodeError as error:
        raise PlanError(error.msg, error.pos, syntax=True) from None


def _string(text: str, pos: int) -> tuple[str, int]:
    if not text.startswith('"', pos):
        raise PlanError("expected a string", pos, syntax=True)
    value, end = _decode(text, pos)
    return value, end


def _enter(text: str, pos: int, opener: str, what: str) -> int | None:
    """The first member or item of the container at ``pos``; None when it is empty."""
    if not text.startswith(opener, pos):
        raise PlanError(f"{what} is not {'an object' if opener == '{' else 'a list'}", pos)
    pos = _ws(text, pos + 1)
    return None if text.startswith("}" if opener == "{" else "]", pos) else pos


def _next(text: str, end: int, closer: str) -> tuple[int, bool]:
    """After a value: the next member's position (False) or the container's end (True)."""
    pos = _ws(text, end)
    char = text[pos : pos + 1]
    if char == ",":
        return _ws(text, pos + 1), False
    if char == closer:
        return pos + 1, True
    raise PlanError("expected ',' or a closing bracket", pos, syntax=True)


def _key(text: str, pos: int) -> tuple[str, int]:
    """A member's key at ``pos`` and where its value starts."""
    key, pos = _string(text, pos)
    pos = _ws(text, pos)
    if not text.startswith(":", pos):
        raise PlanError("expected ':'", pos, syntax=True)
    return key, _ws(text, pos + 1)


Reader = Callable[[int], tuple[Any, int]]


def _members(text: str, pos: int, readers: Mapping[str, Reader], what: str) -> tuple[dict[str, tuple[int, Any]], int]:
    """The members of the object at ``pos`` that ``readers`` name, each with its key's offset;
    the others are stepped over. Returns them and the object's end."""
    found: dict[str, tuple[int, Any]] = {}
    at = _enter(text, pos, "{", what)
    if at is None:
        return found, _ws(text, pos + 1) + 1
    while True:
        key_at = at
        key, at = _key(text, at)
        reader = readers.get(key)
        if reader is None:
            end = _skip(text, at)
        else:
            value, end = reader(at)
            found[key] = (key_at, value)
        at, done = _next(text, end, "}")
        if done:
            return found, at


def _items(text: str, pos: int, read: Callable[[int, int], int], what: str) -> int:
    """Calls ``read(index, offset)`` (which returns the item's end) for each item of a list."""
    at = _enter(text, pos, "[", what)
    if at is None:
        return _ws(text, pos + 1) + 1
    index = 0
    while True:
        end = read(index, at)
        index += 1
        at, done = _next(text, end, "]")
        if done:
            return at


_MARK_EVERY = 512


def _placer(text: str) -> Callable[[int], tuple[int, int]]:
    """Line and column of an offset. The line and line start are marked every _MARK_EVERY
    characters, so a look-up counts newlines in at most that much text, in any order."""
    marks: list[tuple[int, int]] = []
    line, start = 1, 0
    for base in range(0, len(text) + 1, _MARK_EVERY):
        marks.append((line, start))
        end = base + _MARK_EVERY
        count = text.count("\n", base, end)
        if count:
            line += count
            start = text.rfind("\n", base, end) + 1

    def place(offset: int) -> tuple[int, int]:
        line, start = marks[offset // _MARK_EVERY]
        base = offset - offset % _MARK_EVERY
        count = text.count("\n", base, offset)
        if count:
            line += count
            start = text.rfind("\n", base, offset) + 1
        return line, offset - start + 1

    return place


class _Positions:
    """Paths and positions of one resource's values, packed when done."""

    __slots__ = ("paths", "numbers")

    def __init__(self) -> None:
        self.paths: list[DataPath] = []
        self.numbers: list[int | None] = []

    def add(self, path: DataPath, where: tuple[int, int]) -> None:
        self.paths.append(path)
        self.numbers += (where[0], where[1], None, None)

    def packed(self) -> PackedPositions:
        return PackedPositions(marshal.dumps((tuple(self.paths), tuple(self.numbers))))


def _positioned(
    text: str, pos: int, place: Callable[[int], tuple[int, int]], out: _Positions, path: DataPath, depth: int
) -> tuple[Any, int]:
    """The value at ``pos`` with the positions of its parts down to ``depth`` levels."""
    char = text[pos : pos + 1]
    if depth <= 0 or char not in ("{", "["):
        return _decode(text, pos)
    if char == "{":
        mapping: dict[str, Any] = {}
        at = _enter(text, pos, "{", "a value")
        if at is None:
            return mapping, _ws(text, pos + 1) + 1
        while True:
            where = place(at)
            key, at = _key(text, at)
            value, end = _positioned(text, at, place, out, path + (key,), depth - 1)
            if value is not None:
                mapping[key] = value
                out.add(path + (key,), where)
            at, done = _next(text, end, "}")
            if done:
                return mapping, at
    items: list[Any] = []
    at = _enter(text, pos, "[", "a value")
    if at is None:
        return items, _ws(text, pos + 1) + 1
    while True:
        out.add(path + (len(items),), place(at))
        value, end = _positioned(text, at, place, out, path + (len(items),), depth - 1)
        items.append(value)
        at, done = _next(text, end, "]")
        if done:
            return items, at


# --- the plan --------------------------------------------------------------------------------


def read_plan(file: str, text: str) -> TfPlan | None:
    """The plan in ``text``, None when the JSON is not a plan; PlanError when it claims to be
    one (both version members, and resources) but is not."""
    start = _ws(text, 0)
    if not text.startswith("{", start):
        return None

    def span(at: int) -> tuple[int, int]:
        return at, _skip(text, at)

    def decode(at: int) -> tuple[Any, int]:
        return _decode(text, at)

    top, end = _members(
        text,
        start,
        {
            "format_version": decode,
            "terraform_version": decode,
            "variables": decode,
            "planned_values": span,
            "resource_changes": span,
            "configuration": span,
            "values": span,
        },
        "the document",
    )
    if _ws(text, end) != len(text):
        raise PlanError("extra data after the JSON value", _ws(text, end), syntax=True)
    if "format_version" not in top or "terraform_version" not in top:
        return None
    if "planned_values" not in top and "resource_changes" not in top:
        if "values" in top:
            return None  # `terraform show -json` of a state, not of a plan
        raise PlanError(
            "it has format_version and terraform_version but neither planned_values nor resource_changes", 0
        )
    for key in ("format_version", "terraform_version"):
        offset, value = top[key]
        if not isinstance(value, str):
            raise PlanError(f"{key} is not a string", offset)
    place = _placer(text)
    variables = top.get("variables", (0, {}))[1]
    changes = _changes(text, top["resource_changes"][1], place) if "resource_changes" in top else {}
    planned = _planned(text, top["planned_values"][1], place, changes) if "planned_values" in top else None
    sources: dict[str, str] = {}
    config_keys: dict[tuple[str, str, str, str], tuple[Any, Any]] = {}
    providers: dict[str, PlanProvider] = {}
    if "configuration" in top:
        _configuration(text, top["configuration"][1], place, sources, config_keys, providers, variables)
    entries = planned if planned is not None else list(changes.values())
    resources = tuple(_resource(entry, changes, config_keys, providers, place) for entry in entries)
    return TfPlan(
        file=file,
        terraform_version=top["terraform_version"][1],
        resources=tuple(r for r in resources if r is not None),
        module_sources=sources,
        providers=tuple(providers[key] for key in sorted(providers)),
    )


def _require(entry: Mapping[str, tuple[int, Any]], key: str, kind: type, where: str, offset: int) -> Any:
    if key not in entry:
        raise PlanError(f"{where} has no {key}", offset)
    at, value = entry[key]
    if not isinstance(value, kind):
        raise PlanError(f"{where}.{key} is not {'a string' if kind is str else 'of the right type'}", at)
    return value


def _values_reader(text: str, place: Callable[[int], tuple[int, int]], out: _Positions) -> Reader:
    def read(at: int) -> tuple[Any, int]:
        return _positioned(text, at, place, out, (), POSITION_DEPTH)

    return read


def _changes(text: str, pos: int, place: Callable[[int], tuple[int, int]]) -> dict[str, dict[str, Any]]:
    """resource_changes by address: the planned values of what is created, kept or updated."""
    found: dict[str, dict[str, Any]] = {}

    def decode(at: int) -> tuple[Any, int]:
        return _decode(text, at)

    def read(index: int, at: int) -> int:
        where = f"resource_changes[{index}]"
        out = _Positions()
        holder: dict[str, tuple[int, Any]] = {}

        def change(change_at: int) -> tuple[Any, int]:
            members, end = _members(
                text,
                change_at,
                {
                    "actions": decode,
                    "after": _values_reader(text, place, out),
                    "after_unknown": decode,
                    "after_sensitive": decode,
                },
                f"{where}.change",
            )
            holder.update(members)
            return members, end

        entry, end = _members(
            text,
            at,
            {
                **dict.fromkeys(("address", "module_address", "mode", "type", "name", "provider_name"), decode),
                "deposed": decode,
                "index": decode,
                "change": change,
            },
            where,
        )
        address = _require(entry, "address", str, where, at)
        _require(entry, "change", dict, where, at)
        actions = holder.get("actions", (at, None))[1]
        if not isinstance(actions, list) or not all(isinstance(a, str) for a in actions):
            raise PlanError(f"{where}.change.actions is not a list of strings", holder.get("actions", (at,))[0])
        if "deposed" in entry:
            return end  # an old object replaced earlier, on its way out
        after_at, after = holder.get("after", (at, None))
        if after is not None and not isinstance(after, dict):
            raise PlanError(f"{where}.change.after is not an object", after_at)
        found[address] = {
            "meta": entry,
            "keep": actions != ["delete"],
            "values": after,
            "unknown": holder.get("after_unknown", (0, None))[1],
            "sensitive": holder.get("after_sensitive", (0, None))[1],
            "values_at": after_at,
            "positions": out,
            "at": at,
            "where": where,
        }
        return end

    _items(text, pos, read, "resource_changes")
    return found


def _planned(
    text: str, pos: int, place: Callable[[int], tuple[int, int]], changes: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """Every resource of planned_values, in order; its own values are read only where no
    change gives them (the address comes before the values in Terraform's output, sorted or not)."""
    found: list[dict[str, Any]] = []

    def decode(at: int) -> tuple[Any, int]:
        return _decode(text, at)

    def resource(index: int, at: int, where: str) -> int:
        where = f"{where}.resources[{index}]"
        out = _Positions()
        seen: dict[str, Any] = {}

        def address(value_at: int) -> tuple[Any, int]:
            value, end = _decode(text, value_at)
            seen["address"] = value
            return value, end

        def values(value_at: int) -> tuple[Any, int]:
            change = changes.get(seen.get("address"))  # type: ignore[arg-type]
            if change is not None and change["values"] is not None:
                return None, _skip(text, value_at)
            return _positioned(text, value_at, place, out, (), POSITION_DEPTH)

        entry, end = _members(
            text,
            at,
            {
                **dict.fromkeys(("mode", "type", "name", "provider_name", "index"), decode),
                "address": address,
                "values": values,
                "sensitive_values": decode,
            },
            where,
        )
        _require(entry, "address", str, where, at)
        values_at, planned = entry.get("values", (at, None))
        if planned is not None and not isinstance(planned, dict):
            raise PlanError(f"{where}.values is not an object", values_at)
        found.append(
            {
                "meta": entry,
                "values": planned,
                "unknown": None,
                "sensitive": entry.get("sensitive_values", (0, None))[1],
                "values_at": values_at,
                "positions": out,
                "at": at,
                "where": where,
            }
        )
        return end

    def module(at: int, where: str, depth: int) -> tuple[Any, int]:
        if depth > MAX_MODULE_DEPTH:
            raise PlanError("modules nested too deep", at)

        def resources(list_at: int) -> tuple[Any, int]:
            return None, _items(text, list_at, lambda i, item_at: resource(i, item_at, where), f"{where}.resources")

        def children(list_at: int) -> tuple[Any, int]:
            def read(index: int, item_at: int) -> int:
                return module(item_at, f"{where}.child_modules[{index}]", depth + 1)[1]

            return None, _items(text, list_at, read, f"{where}.child_modules")

        return _members(text, at, {"resources": resources, "child_modules": children}, where)

    _members(text, pos, {"root_module": lambda at: module(at, "planned_values.root_module", 0)}, "planned_values")
    return found


def _configuration(
    text: str,
    pos: int,
    place: Callable[[int], tuple[int, int]],
    sources: dict[str, str],
    config_keys: dict[tuple[str, str, str, str], tuple[Any, Any]],
    providers: dict[str, PlanProvider],
    variables: Any,
) -> None:
    """Module sources, each configured resource's provider key, and the provider configurations."""

    def provider_config(at: int) -> tuple[Any, int]:
        item = _enter(text, at, "{", "configuration.provider_config")
        if item is None:
            return None, _ws(text, at + 1) + 1
        while True:
            key_at = item
            key, item = _key(text, item)
            entry, end = _decode(text, item)
            if isinstance(entry, dict):
                providers[key] = _provider(key, entry, Position(*place(key_at)), variables)
            item, done = _next(text, end, "}")
            if done:
                return None, item

    def module(at: int, path: str, depth: int) -> tuple[Any, int]:
        if depth > MAX_MODULE_DEPTH:
            raise PlanError("modules nested too deep", at)

        def resources(list_at: int) -> tuple[Any, int]:
            def read(index: int, item_at: int) -> int:
                entry, end = _decode(text, item_at)
                if isinstance(entry, dict):
                    mode = "data" if entry.get("mode") == "data" else "managed"
                    config_keys[(path, mode, str(entry.get("type")), str(entry.get("name")))] = (
                        entry.get("provider_config_key"),
                        entry.get("expressions"),
                    )
                return end

            return None, _items(text, list_at, read, "configuration resources")

        def calls(object_at: int) -> tuple[Any, int]:
            item = _enter(text, object_at, "{", "configuration module_calls")
            if item is None:
                return None, _ws(text, object_at + 1) + 1
            while True:
                name, item = _key(text, item)
                call_path = f"{path}.module.{name}" if path else f"module.{name}"

                def source(at: int, call_path: str = call_path) -> tuple[Any, int]:
                    value, end = _decode(text, at)
                    if isinstance(value, str):
                        sources[call_path] = value
                    return value, end

                def child(at: int, call_path: str = call_path) -> tuple[Any, int]:
                    return module(at, call_path, depth + 1)

                _, end = _members(text, item, {"source": source, "module": child}, f"module call {name}")
                item, done = _next(text, end, "}")
                if done:
                    return None, item

        return _members(text, at, {"resources": resources, "module_calls": calls}, "configuration module")

    _members(
        text,
        pos,
        {"provider_config": provider_config, "root_module": lambda at: module(at, "", 0)},
        "configuration",
    )


def _provider(key: str, entry: Mapping[str, Any], position: Position, variables: Any) -> PlanProvider:
    name = entry.get("name") if isinstance(entry.get("name"), str) else key.rsplit(":", 1)[-1].split(".", 1)[0]
    alias = entry["alias"] if isinstance(entry.get("alias"), str) else None
    module_address = str(entry["module_address"]) if isinstance(entry.get("module_address"), str) else ""
    expressions: Mapping[str, Any] = entry["expressions"] if isinstance(entry.get("expressions"), dict) else {}
    region: str | Unresolved | None = None
    for attribute in ("region", "zone") if name in ("google", "google-beta") else ("region",):
        expression = expressions.get(attribute)
        if isinstance(expression, dict):
            region = _constant(expression, variables if not module_address else None)
            if isinstance(region, str) and attribute == "zone":
                match = _GCP_ZONE.match(region)
                region = match.group(1) if match else region
            break
    return PlanProvider(
        key=key,
        name=str(name),
        alias=alias,
        module_address=module_address,
        region=region,
        configured=bool(expressions),
        position=position,
    )


def _constant(expression: Mapping[str, Any], variables: Any) -> str | Unresolved:
    """A configuration expression's value: its constant, or a root variable's planned value."""
    if isinstance(expression.get("constant_value"), str):
        return str(expression["constant_value"])
    references = expression.get("references")
    if isinstance(references, list) and references and all(isinstance(r, str) for r in references):
        if len(references) == 1 and references[0].startswith("var.") and isinstance(variables, dict):
            planned = variables.get(references[0][4:])
            if isinstance(planned, dict) and isinstance(planned.get("value"), str):
                return str(planned["value"])
        return Unresolved(references[0])
    return Unresolved("provider argument")


# --- one resource ------------------------------------------------------------------------------


def call_path(module_address: str) -> str:
    """``module.app["a"].module.db`` -> ``module.app.module.db`` (the configuration's path)."""
    return _KEY_PART.sub("", module_address)


def _resource(
    entry: Mapping[str, Any],
    changes: Mapping[str, Mapping[str, Any]],
    config_keys: Mapping[tuple[str, str, str, str], tuple[Any, Any]],
    providers: Mapping[str, PlanProvider],
    place: Callable[[int], tuple[int, int]],
) -> PlanResource | None:
    meta = entry["meta"]
    where = entry["where"]
    address = _require(meta, "address", str, where, entry["at"])
    change = changes.get(address)
    if change is not None and not change["keep"]:
        return None
    source = change if change is not None and change["values"] is not None else entry
    mode = meta.get("mode", (0, "managed"))[1]
    type_name = _require(meta, "type", str, where, entry["at"])
    name = _require(meta, "name", str, where, entry["at"])
    if mode not in ("managed", "data"):
        raise PlanError(f"{where}.mode is neither managed nor data", meta["mode"][0])
    own = f"{'data.' if mode == 'data' else ''}{type_name}.{name}"
    module_address = _module_of(address, own)
    if change is not None and isinstance(change["meta"].get("module_address", (0, None))[1], str):
        module_address = change["meta"]["module_address"][1]
    prefix = f"{module_address}.{own}" if module_address else own
    instance_key = address[len(prefix) :] if address.startswith(prefix) else ""
    provider_name = meta.get("provider_name", (0, ""))[1]
    if change is not None and isinstance(change["meta"].get("provider_name", (0, None))[1], str):
        provider_name = change["meta"]["provider_name"][1]
    provider = provider_name.rsplit("/", 1)[-1] if isinstance(provider_name, str) and provider_name else ""
    provider = provider or type_name.split("_", 1)[0]
    path = call_path(module_address)
    written_key, expressions = config_keys.get((path, mode, type_name, name), (None, None))
    key, region = _provider_of(path, provider, written_key, providers)
    values = source["values"] if isinstance(source["values"], dict) else {}
    body = _planned_values(values, source["unknown"], source["sensitive"])
    if isinstance(expressions, dict):
        _with_references(body, expressions, 0)
    if provider == "aws" and isinstance(body.get("region"), Unresolved):
        del body["region"]  # computed from the provider's region, which the resource carries
    positions = source["positions"]
    positions.add((), place(source["values_at"]))
    return PlanResource(
        address=address,
        module_address=module_address,
        mode=mode,
        type=type_name,
        name=name,
        instance_key=instance_key,
        provider=provider,
        provider_key=key,
        region=region,
        body=Node(body, positions.packed()),
        position=Position(*place(meta["address"][0])),
    )


def _module_of(address: str, own: str) -> str:
    index = address.rfind("." + own)
    return address[:index] if index > 0 else ""


def _provider_of(
    path: str, provider: str, written_key: Any, providers: Mapping[str, PlanProvider]
) -> tuple[str, str | Unresolved | None]:
    """The provider configuration a resource uses and its region, where that is certain."""
    key = written_key if isinstance(written_key, str) and written_key else (f"{path}:{provider}" if path else provider)
    local = key.rsplit(":", 1)[-1]
    candidates = [key]
    if ":" in key and not key.startswith("module."):  # terraform before 1.1: "<call name>:aws"
        candidates.append(f"{path}:{local}" if path else local)
    for candidate in candidates:
        found = providers.get(candidate)
        if found is not None and found.configured:
            return candidate, found.region
    # Not configured in the module itself: inherited from a caller, or passed in by one.
    configured = [p for p in providers.values() if p.name == local.split(".", 1)[0] and p.configured]
    if not configured:
        return "", None
    if "." not in local and len(configured) == 1 and configured[0].alias is None:
        only = configured[0]
        if not only.module_address or path == only.module_address or path.startswith(only.module_address + "."):
            return only.key, only.region
    return "", Unresolved(f"the {local} provider configuration passed to {path or 'the root module'}")


def _planned_values(values: dict[str, Any], unknown: Any, sensitive: Any) -> dict[str, Any]:
    """The values without nulls, with unknown and sensitive parts Unresolved."""
    out = _marked(values, unknown, UNKNOWN, 0)
    out = _marked(out, sensitive, SENSITIVE, 0)
    return _without_nulls(out, 0) if isinstance(out, dict) else {}


def _marked(value: Any, marks: Any, expression: str, depth: int) -> Any:
    if marks is True:
        return Unresolved(expression)
    if depth > 64:
        return value
    if isinstance(marks, dict) and marks:
        base = value if isinstance(value, dict) else {}
        out = dict(base)
        for key, mark in marks.items():
            if mark is False:
                continue
            marked = _marked(base.get(key), mark, expression, depth + 1)
            if marked is not None:
                out[key] = marked
        return out if out or isinstance(value, dict) else value
    if isinstance(marks, list) and marks and isinstance(value, list):
        return [
            _marked(item, marks[i], expression, depth + 1) if i < len(marks) else item for i, item in enumerate(value)
        ]
    return value


def _without_nulls(value: Any, depth: int) -> Any:
    if depth > 64:
        return value
    if isinstance(value, dict):
        return {k: _without_nulls(v, depth + 1) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v, depth + 1) for v in value]
    return value


_RESOURCE_REFERENCE = re.compile(
    r"^(?!(?:var|local|module|each|count|path|terraform|self|data)\.)[a-z0-9]+_[A-Za-z0-9_]*\.[A-Za-z_]"
)


def _reference_text(references: list[str]) -> str:
    """The most specific of each reference (Terraform lists ``aws_s3_bucket.x.id`` and then
    ``aws_s3_bucket.x``)."""
    kept: list[str] = []
    for reference in references:
        if not any(k == reference or k.startswith((reference + ".", reference + "[")) for k in kept):
            kept.append(reference)
    return ", ".join(kept)


def _with_references(values: dict[str, Any], expressions: Mapping[str, Any], depth: int) -> None:
    """Where the configuration derives a value from another resource, the value is that
    reference, as in HCL: rules relate resources through references (a lifecycle
    configuration to its bucket), and a plan resolves them to names and ids. A value the plan
    leaves unknown takes the expression it comes from."""
    if depth > 16:
        return
    for key, expression in expressions.items():
        if key not in values:
            continue
        value = values[key]
        if isinstance(expression, dict):
            references = expression.get("references")
            if not isinstance(references, list) or not references or not all(isinstance(r, str) for r in references):
                continue
            if isinstance(value, Unresolved) and value.expression == UNKNOWN:
                values[key] = Unresolved(_reference_text(references))
            elif any(_RESOURCE_REFERENCE.match(r) for r in references) and not isinstance(value, Unresolved):
                values[key] = Unresolved(_reference_text(references))
        elif isinstance(expression, list) and isinstance(value, list) and len(expression) == len(value):
            for written, planned in zip(expression, value):
                if isinstance(written, dict) and isinstance(planned, dict):
                    _with_references(planned, written, depth + 1)
