"""The declarative rule form: JSON Schema conditions on one subject, run by the engine.

A rule (``check.yaml`` ``rule:`` without ``function:``; its shape is
``declarative_rule.schema.json``) names a target and its types or kinds (as in
``tcop_lint.check.subjects``) and one or more cases::

    cases:
      - types: [aws_lb_listener]      # optional: narrows the rule's types (the subject's type)
        when: {JSON Schema}           # optional: the case applies to a subject that certainly matches
        require: {JSON Schema}        # optional: each certain failure is a finding; without it,
                                      # every subject the case applies to is one finding
        message: "{address} ..."
        message_missing: "..."        # optional: for a failure of ``required`` (a value is absent)
        report_at: [settings, 0]      # optional: report every failure of the case here, once
        unless_resource: {types: [...], when: {...}}   # optional, Terraform: no finding of the
                                      # case while such a resource may exist anywhere in the scan

A rule without ``cases`` may hold one case's keys at rule level; it is read as that one case.

Resources never created (``count = 0``, ``for_each = {}`` or ``[]``) are no subjects: they are
skipped, and never exempt another resource through ``unless_resource``.

Unresolved values are never guessed. An ``Unresolved`` value stands for every value it might
take, and a condition is decided only when it has the same outcome for all of them:

- a subject is checked by a case only when it certainly matches ``when``;
- a failure of ``require`` is reported only when it is certain. Below a value with no unknown
  part the verdict is jsonschema's own. At a value with unknown parts the schema descends
  (``properties``, ``items``, ``prefixItems``, ``allOf``, the ``then``/``else`` picked by a
  decided ``if``) and every other keyword is judged on the whole value in three-valued logic:
  ``required`` and the other key and length keywords are decided by the keys and lengths
  present; ``const``/``enum`` compare part by part (an unknown part makes it undecided unless a
  known part already differs); ``not`` flips, ``anyOf`` fails when every branch certainly fails,
  ``contains`` succeeds as soon as one element certainly matches and fails when none can. So
  ``["0.0.0.0/0", var.x]`` certainly fails ``not: {contains: {const: "0.0.0.0/0"}}``, while
  ``[var.x]`` does not certainly fail ``contains: {const: "0.0.0.0/0"}``. A keyword this
  module cannot judge on an unknown value (``$ref``, ``unevaluated*``, an ``if`` left
  undecided) is undecided: no finding. An unknown string with a known prefix or suffix (a
  template) is certainly a string: ``const``/``enum`` fail where a known part differs, and a
  ``pattern`` is decided where its literal start (``^...``) or end (``...$``) disagrees with
  them, or where it matches inside them and cannot look beyond;
- with ``unless_resource``, a resource of those types whose creation or ``when`` is undecided
  may exempt the subject, so the finding is not reported.

On Terraform subjects, ``const`` and ``enum`` compare primitives as Terraform converts them
when it sets an attribute (``"true"`` is true, the number 1.1 is ``"1.1"``): see
``_terraform_schema``.

Each finding is at ``<subject address>#<RFC 6901 pointer>`` (``tcop_lint.core.model.json_pointer``)
of the failing value, of the value a ``required`` found absent, or of ``report_at``; the bare
subject address when the pointer is empty (the whole subject). An OpenAPI document's address is
``#`` already, so its findings are ``#/paths/...``. Messages may use ``{address}``
(the subject), ``{type}`` (resource type, kind or block type), ``{value}`` (the failing value
as the source writes it: ``true``, ``null``, strings unquoted; empty when absent), ``{path}``
(its dotted path in the subject) and ``{key}`` (its attribute name, or the absent key).
"""

from __future__ import annotations

import functools
import json
import re
import string
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tcop_lint.assemble.expressions import number_text, string_number
from tcop_lint.check.subjects import Subject, never_created, subjects, type_matcher
from tcop_lint.core.model import DataPath, Documents, Hit, Unresolved, json_pointer, walk
from tcop_lint.core.text import key_path
from tcop_lint.core.truth import all_of, any_of

SCHEMA_FILE = Path(__file__).with_name("declarative_rule.schema.json")
CASE_KEYS = ("types", "when", "require", "message", "message_missing", "report_at", "unless_resource")
PLACEHOLDERS = ("address", "type", "value", "path", "key")


@dataclass(frozen=True)
class Failure:
    path: DataPath
    value: Any = None
    missing: str | None = None  # the key ``required`` found absent


@dataclass(frozen=True)
class Case:
    types: tuple[str, ...]
    when: Any
    require: Any
    message: str
    message_missing: str | None
    report_at: DataPath | None
    unless_resource: Mapping[str, Any] | None

    @functools.cached_property
    def when_validator(self) -> Any:
        return _validator(self.when)

    @functools.cached_property
    def require_validator(self) -> Any:
        return _validator(self.require)

    @functools.cached_property
    def terraform_when_validator(self) -> Any:
        return _validator(self.when, terraform=True)

    @functools.cached_property
    def terraform_require_validator(self) -> Any:
        return _validator(self.require, terraform=True)


def cases(rule: Mapping[str, Any]) -> tuple[Case, ...]:
    """The rule's cases; rule-level case keys are the one case of a rule without ``cases``."""
    raw = rule.get("cases") or [{key: rule[key] for key in CASE_KEYS if key in rule and key != "types"}]
    return tuple(
        Case(
            types=tuple(entry.get("types") or ()),
            when=entry.get("when"),
            require=entry.get("require"),
            message=str(entry["message"]),
            message_missing=entry.get("message_missing"),
            report_at=tuple(entry["report_at"]) if "report_at" in entry else None,
            unless_resource=entry.get("unless_resource"),
        )
        for entry in raw
    )


@functools.lru_cache(maxsize=1)
def rule_schema() -> Mapping[str, Any]:
    return json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def rule_problems(rule: Mapping[str, Any]) -> list[str]:
    """What is wrong with a declarative rule, each naming the key (none when it is valid)."""
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    # A misspelt key first: it is usually why the other keywords failed.
    errors = sorted(
        Draft202012Validator(rule_schema()).iter_errors(rule),
        key=lambda e: (e.validator != "additionalProperties", [str(p) for p in e.absolute_path]),
    )
    problems = []
    for error in errors:
        if list(error.absolute_schema_path)[:2] == [
            "dependentSchemas",
            "cases",
        ]:  # jsonschema loses the key's path here
            problems += [
                f"rule.{key}: with cases, this key belongs in each case" for key in CASE_KEYS[1:] if key in rule
            ]
        else:
            problems.append(f"{key_path(('rule', *error.absolute_path))}: {error.message}")
    if problems:
        return problems
    for index, case in enumerate(rule.get("cases") or [rule]):
        where = f"rule.cases[{index}]." if "cases" in rule else "rule."
        for key in ("message", "message_missing"):
            unknown = sorted(
                {field for _, field, _, _ in string.Formatter().parse(case.get(key) or "") if field is not None}
                - set(PLACEHOLDERS)
            )
            if unknown:
                problems.append(
                    f"{where}{key}: unknown placeholder {{{unknown[0]}}}; use "
                    f"{', '.join('{' + p + '}' for p in PLACEHOLDERS)}"
                )
        conditions = [(key, case[key]) for key in ("when", "require") if key in case]
        if "when" in (case.get("unless_resource") or {}):
            conditions.append(("unless_resource.when", case["unless_resource"]["when"]))
        for key, schema in conditions:
            try:
                Draft202012Validator.check_schema(schema)
            except SchemaError as error:
                problems.append(f"{where}{key} is not a valid JSON Schema: {error.message}")
    return problems


SCHEMA_IN = frozenset(
    {
        "not",
        "if",
        "then",
        "else",
        "items",
        "contains",
        "additionalProperties",
        "propertyNames",
        "unevaluatedItems",
        "unevaluatedProperties",
    }
)
SCHEMAS_IN_LIST = frozenset({"allOf", "anyOf", "oneOf", "prefixItems"})
SCHEMAS_IN_MAP = frozenset({"properties", "patternProperties", "dependentSchemas", "$defs", "definitions"})


def _no_false(schema: Any) -> Any:
    """``false`` subschemas as ``{"not": {}}``: the same meaning, but jsonschema then keeps the
    failing value's path (it drops it for a boolean schema)."""
    if schema is False:
        return {"not": {}}
    if not isinstance(schema, dict):
        return schema
    return _with_subschemas(schema, _no_false)


def _with_subschemas(schema: dict[str, Any], change: Callable[[Any], Any]) -> dict[str, Any]:
    """A copy of ``schema`` with ``change`` applied to each of its direct subschemas."""
    out = dict(schema)
    for keyword, argument in schema.items():
        if keyword in SCHEMA_IN:
            out[keyword] = change(argument)
        elif keyword in SCHEMAS_IN_LIST and isinstance(argument, list):
            out[keyword] = [change(sub) for sub in argument]
        elif keyword in SCHEMAS_IN_MAP and isinstance(argument, dict):
            out[keyword] = {key: change(sub) for key, sub in argument.items()}
    return out


def _equivalents(value: Any) -> list[Any]:
    """``value`` and the primitives Terraform converts to it when it sets an attribute: ``"true"``
    for true, ``1.1`` for ``"1.1"`` (only where the number's own text is that string)."""
    if isinstance(value, bool):
        return [value, "true" if value else "false"]
    if isinstance(value, (int, float)):
        return [value, number_text(value)]
    if isinstance(value, str):
        if value in ("true", "false"):
            return [value, value == "true"]
        number = string_number(value)
        return [value, number] if number is not None and number_text(number) == value else [value]
    return [value]


def _terraform_schema(schema: Any) -> Any:
    """The schema with every primitive ``const``/``enum`` widened to Terraform's conversions:
    the one place where a Terraform subject's values are compared as Terraform converts them."""
    if not isinstance(schema, dict):
        return schema
    out = _with_subschemas(schema, _terraform_schema)
    if "const" in schema and "enum" not in schema and not isinstance(schema["const"], (dict, list)):
        del out["const"]
        out["enum"] = _equivalents(schema["const"])
    elif isinstance(schema.get("enum"), list):
        widened: list[Any] = []
        for option in schema["enum"]:
            widened.extend(e for e in _equivalents(option) if not any(_same(e, w) for w in widened))
        out["enum"] = widened
    return out


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


@functools.lru_cache(maxsize=512)
def _validator_for(schema_json: str, terraform: bool = False) -> Any:
    from jsonschema import Draft202012Validator

    schema = json.loads(schema_json)
    if terraform:
        schema = _terraform_schema(schema)
    return Draft202012Validator(schema if isinstance(schema, bool) else _no_false(schema))


def _validator(schema: Any, terraform: bool = False) -> Any:
    return _validator_for(json.dumps(schema, sort_keys=True), terraform)


def _for(validator: Any, schema: Any) -> Any:
    """A validator of a part of the rule's schema that resolves references as the whole does."""
    return validator if schema is validator.schema else validator.evolve(schema=schema)


# --- three-valued evaluation ----------------------------------------------------------------

ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$anchor",
        "$comment",
        "$defs",
        "definitions",
        "title",
        "description",
        "default",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "then",
        "else",
    }
)
# Keywords that read only keys, lengths or the value's own type, never a part's value.
SHAPE_KEYWORDS = frozenset(
    {
        "type",
        "required",
        "dependentRequired",
        "minProperties",
        "maxProperties",
        "propertyNames",
        "minItems",
        "maxItems",
        "pattern",
        "minLength",
        "maxLength",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "multipleOf",
    }
)


def _resolved(value: Any) -> bool:
    return not any(isinstance(part, Unresolved) for _, part in walk(value))


def _equal(expected: Any, value: Any) -> bool | None:
    """JSON equality of a literal from the schema and a value with unknown parts."""
    if isinstance(value, Unresolved):
        return None
    if isinstance(expected, Mapping) or isinstance(value, Mapping):
        if not (isinstance(expected, Mapping) and isinstance(value, Mapping)) or set(expected) != set(value):
            return False
        return all_of(_equal(expected[key], value[key]) for key in expected)
    if isinstance(expected, list) or isinstance(value, list):
        if not (isinstance(expected, list) and isinstance(value, list)) or len(expected) != len(value):
            return False
        return all_of(_equal(a, b) for a, b in zip(expected, value))
    if isinstance(expected, bool) or isinstance(value, bool):
        return isinstance(expected, bool) and isinstance(value, bool) and expected == value
    return bool(expected == value)


def truth(validator: Any, schema: Any, value: Any) -> bool | None:
    """Whether ``value`` is valid under ``schema`` whatever its unknown parts are (None: undecided)."""
    if schema is True or schema == {}:
        return True
    if schema is False:
        return False
    if not isinstance(value, Unresolved) and _resolved(value):
        return bool(_for(validator, schema).is_valid(value))
    return all_of(_keyword(validator, keyword, argument, schema, value) for keyword, argument in schema.items())


def _keyword(validator: Any, keyword: str, argument: Any, schema: Mapping[str, Any], value: Any) -> bool | None:
    if keyword in ANNOTATIONS:
        return True
    if keyword == "not":
        inner = truth(validator, argument, value)
        return None if inner is None else not inner
    if keyword == "allOf":
        return all_of(truth(validator, sub, value) for sub in argument)
    if keyword == "anyOf":
        return any_of(truth(validator, sub, value) for sub in argument)
    if keyword == "oneOf":
        truths = [truth(validator, sub, value) for sub in argument]
        certain, unknown = truths.count(True), truths.count(None)
        if certain > 1 or (certain == 0 and unknown == 0):
            return False
        return True if certain == 1 and unknown == 0 else None
    if keyword == "if":
        condition = truth(validator, argument, value)
        then, otherwise = (
            truth(validator, schema.get("then", True), value),
            truth(validator, schema.get("else", True), value),
        )
        if condition is None:
            return then if then == otherwise else None
        return then if condition else otherwise
    if isinstance(value, Unresolved):
        return _partial(keyword, argument, value) if value.prefix or value.suffix else None
    if keyword in SHAPE_KEYWORDS:
        return bool(validator.evolve(schema={keyword: argument}).is_valid(value))
    if keyword == "const":
        return _equal(argument, value)
    if keyword == "enum":
        return any_of(_equal(option, value) for option in argument)
    if isinstance(value, Mapping):
        return _object_keyword(validator, keyword, argument, schema, value)
    if isinstance(value, list):
        return _array_keyword(validator, keyword, argument, schema, value)
    return None


# In a pattern these may look past the known prefix or suffix of a partly known string.
_BEYOND = re.compile(r"\$|\\[bBzZ]|\(\?[=!<]")
_BEFORE = re.compile(r"\^|\\A|\(\?[=!<]")
_LITERAL = re.compile(r"[A-Za-z0-9 :/_=@,\-]")


def _partial(keyword: str, argument: Any, value: Unresolved) -> bool | None:
    """A keyword on a string known only by its literal prefix and suffix (a template)."""
    if keyword == "type":
        return "string" in (argument if isinstance(argument, list) else [argument])
    if keyword == "pattern" and isinstance(argument, str):
        return _partial_pattern(argument, value.prefix, value.suffix)
    if keyword in ("const", "enum"):
        options = [argument] if keyword == "const" else argument
        return any_of(_partial_equal(option, value) for option in options)
    if keyword == "minLength" and isinstance(argument, int):
        return True if len(value.prefix) + len(value.suffix) >= argument else None
    return None


def _partial_equal(option: Any, value: Unresolved) -> bool | None:
    if isinstance(option, bool):
        option = "true" if option else "false"
    elif isinstance(option, (int, float)):
        option = number_text(option)
    if not isinstance(option, str):
        return False
    fits = len(option) >= len(value.prefix) + len(value.suffix)
    return None if fits and option.startswith(value.prefix) and option.endswith(value.suffix) else False


def _partial_pattern(pattern: str, prefix: str, suffix: str) -> bool | None:
    try:
        compiled = re.compile(pattern)
    except re.error:
        return None
    if not _BEYOND.search(pattern):
        if compiled.search(prefix) or (not _BEFORE.search(pattern) and compiled.search(suffix)):
            return True
    if "|" in pattern:
        return None
    head = _literal_run(pattern[1:]) if pattern.startswith("^") else ""
    tail = _literal_run(pattern[:-1][::-1], reverse=True)[::-1] if pattern.endswith("$") else ""
    overlap = min(len(head), len(prefix))
    if head[:overlap] != prefix[:overlap]:
        return False
    overlap = min(len(tail), len(suffix))
    if overlap and tail[-overlap:] != suffix[-overlap:]:
        return False
    return None


def _literal_run(text: str, reverse: bool = False) -> str:
    """The literal characters a pattern starts with (``text`` reversed: ends with)."""
    run = []
    for index, char in enumerate(text):
        if not _LITERAL.fullmatch(char):
            break
        if not reverse and text[index + 1 : index + 2] in ("*", "?", "+", "{"):
            break
        run.append(char)
    if reverse and run and len(run) < len(text) and text[len(run)] == "\\":
        run.pop()  # the last literal was escaped: not a literal at all
    return "".join(run)


def _object_keyword(
    validator: Any, keyword: str, argument: Any, schema: Mapping[str, Any], value: Mapping
) -> bool | None:
    if keyword in ("prefixItems", "items", "contains", "minContains", "maxContains", "uniqueItems"):
        return True
    if keyword == "properties":
        return all_of(truth(validator, sub, value[key]) for key, sub in argument.items() if key in value)
    if keyword == "patternProperties":
        return all_of(
            truth(validator, sub, part)
            for pattern, sub in argument.items()
            for key, part in value.items()
            if re.search(pattern, key)
        )
    if keyword == "additionalProperties":
        named, patterns = schema.get("properties") or {}, schema.get("patternProperties") or {}
        return all_of(
            truth(validator, argument, part)
            for key, part in value.items()
            if key not in named and not any(re.search(p, key) for p in patterns)
        )
    if keyword == "dependentSchemas":
        return all_of(truth(validator, sub, value) for key, sub in argument.items() if key in value)
    return None


def _array_keyword(validator: Any, keyword: str, argument: Any, schema: Mapping[str, Any], value: list) -> bool | None:
    if keyword in ("properties", "patternProperties", "additionalProperties", "dependentSchemas"):
        return True
    if keyword == "prefixItems":
        return all_of(truth(validator, sub, item) for sub, item in zip(argument, value))
    if keyword == "items":
        return all_of(truth(validator, argument, item) for item in value[len(schema.get("prefixItems") or ()) :])
    if keyword == "contains":
        truths = [truth(validator, argument, item) for item in value]
        low, high = schema.get("minContains", 1), schema.get("maxContains")
        certain, possible = truths.count(True), truths.count(True) + truths.count(None)
        if possible < low or (high is not None and certain > high):
            return False
        return True if certain >= low and (high is None or possible <= high) else None
    if keyword in ("minContains", "maxContains"):
        return True  # judged with contains
    if keyword == "uniqueItems":
        if not argument:
            return True
        known = [item for item in value if _resolved(item)]
        if any(_equal(a, b) for i, a in enumerate(known) for b in known[i + 1 :]):
            return False
        return True if len(known) == len(value) else None
    return None


def failures(validator: Any, schema: Any, value: Any, path: DataPath = ()) -> Iterator[Failure]:
    """The certain failures of ``value`` under ``schema``, each at the place that decides it."""
    if schema is True:
        return
    if not isinstance(schema, Mapping):
        yield Failure(path, value)
        return
    if not isinstance(value, Unresolved) and _resolved(value):
        for error in _for(validator, schema).iter_errors(value):
            where = path + tuple(error.absolute_path)
            if error.validator == "required" and isinstance(error.instance, Mapping):
                yield from (
                    Failure(where + (key,), missing=key) for key in error.validator_value if key not in error.instance
                )
            else:
                yield Failure(where, error.instance)
        return
    for keyword, argument in schema.items():
        if keyword == "properties" and isinstance(value, Mapping):
            for key, sub in argument.items():
                if key in value:
                    yield from failures(validator, sub, value[key], path + (key,))
        elif keyword == "prefixItems" and isinstance(value, list):
            for index, (sub, item) in enumerate(zip(argument, value)):
                yield from failures(validator, sub, item, path + (index,))
        elif keyword == "items" and isinstance(value, list):
            start = len(schema.get("prefixItems") or ())
            for index in range(start, len(value)):
                yield from failures(validator, argument, value[index], path + (index,))
        elif keyword == "allOf":
            for sub in argument:
                yield from failures(validator, sub, value, path)
        elif keyword == "required" and isinstance(value, Mapping):
            yield from (Failure(path + (key,), missing=key) for key in argument if key not in value)
        elif keyword == "if":
            condition = truth(validator, argument, value)
            if condition is not None:
                yield from failures(validator, schema.get("then" if condition else "else", True), value, path)
        elif _keyword(validator, keyword, argument, schema, value) is False:
            yield Failure(path, value)


# --- findings -------------------------------------------------------------------------------


def show(value: Any, nested: bool = False) -> str:
    """A value as Terraform or YAML source writes it."""
    if isinstance(value, Unresolved):
        return value.expression
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value) if nested else value
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{key} = {show(part, True)}" for key, part in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(show(part, True) for part in value) + "]"
    return str(value)


def subject_type(subject: Subject) -> str:
    found = subject.properties.get("resource_type") or subject.properties.get("kind")
    if found:
        return str(found)
    block_type = getattr(subject.source, "block_type", "")
    return block_type if subject.kind == "terraform.block" else ""


def _may_exempt(unless: Mapping[str, Any], documents: Documents) -> bool:
    """A resource of ``unless.types`` that is or may be created and matches or may match ``when``."""
    wanted = type_matcher(tuple(unless.get("types") or ()))
    validator = _validator(unless.get("when", True), terraform=True)
    return any(
        resource.block.block_type == "resource"
        and wanted(resource.type)
        and not never_created(resource.block.body.data)
        and truth(validator, validator.schema, resource.block.body.data) is not False
        for module in documents.terraform
        for resource in module.resources
    )


def _hit(subject: Subject, case: Case, failure: Failure, at: DataPath) -> Hit:
    template = case.message_missing if failure.missing is not None and case.message_missing else case.message
    key = failure.missing if failure.missing is not None else (str(failure.path[-1]) if failure.path else "")
    message = template.format_map(
        {
            "address": subject.address,
            "type": subject_type(subject),
            "value": "" if failure.missing is not None else show(failure.value),
            "path": ".".join(str(part) for part in failure.path),
            "key": key,
        }
    )
    separator = "" if subject.address.endswith("#") else "#"  # an OpenAPI document's address is already "#"
    return subject.hit(message, at, address_suffix=separator + json_pointer(at) if at else "")


def case_hits(subject: Subject, case: Case, exempted: bool = False) -> Iterator[Hit]:
    """The case's findings on one subject; ``exempted``: its ``unless_resource`` may exist."""
    if exempted or (case.types and not type_matcher(case.types)(subject_type(subject))):
        return
    data = subject.data
    terraform = subject.kind.startswith("terraform.")
    if case.when is not None:
        when = case.terraform_when_validator if terraform else case.when_validator
        if truth(when, when.schema, data) is not True:
            return
    if case.require is None:
        require = None
    else:
        require = case.terraform_require_validator if terraform else case.require_validator
    found = [Failure(())] if require is None else list(failures(require, require.schema, data))
    seen: set[DataPath] = set()
    for failure in found:
        at = case.report_at if case.report_at is not None else failure.path
        if at not in seen:
            seen.add(at)
            yield _hit(subject, case, failure, at)


def subject_hits(subject: Subject, rule_cases: tuple[Case, ...], exempted: tuple[bool, ...]) -> Iterator[Hit]:
    if subject.kind.startswith("terraform.") and never_created(subject.data):
        return
    for case, exempt in zip(rule_cases, exempted):
        yield from case_hits(subject, case, exempt)


def work(rule: Mapping[str, Any], documents: Documents) -> Iterator[tuple[Subject, Callable[[Subject], Iterable[Hit]]]]:
    """The engine's unit of work for a declarative rule: per subject, what judges it."""
    rule_cases = cases(rule)
    # Exemptions do not depend on the subject: looked for once per scan, not once per subject.
    exempted = tuple(
        bool(case.unless_resource) and _may_exempt(case.unless_resource or {}, documents) for case in rule_cases
    )
    for subject in subjects(documents, rule):
        yield subject, functools.partial(_judged, rule_cases=rule_cases, exempted=exempted)


def _judged(subject: Subject, rule_cases: tuple[Case, ...], exempted: tuple[bool, ...]) -> Iterator[Hit]:
    return subject_hits(subject, rule_cases, exempted)
