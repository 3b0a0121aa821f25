"""Terraform expressions evaluated over what is known, never guessed.

An expression's text is parsed with python-hcl2's own grammar (``load.terraform.expression_tree``)
and evaluated over a scope of variables and locals: literals, references, attributes and
indexes, conditionals, operators, templates, ``for`` expressions, splats and the functions
configurations use most. Terraform's conversions apply where an operator or function needs
them (``"true"`` is true, ``"1.2"`` is 1.2); ``==`` compares types as Terraform does. A value
that depends on anything unknown is ``Unresolved``; a template with unknown parts keeps its
known literal prefix and suffix. Where Terraform would report an error, the result is
``Unresolved`` too (``try`` catches it, as Terraform's does). Nothing is executed, and depth,
steps and sizes are bounded so that hostile input cannot hang or exhaust memory.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tcop_lint.core.model import Unresolved
from tcop_lint.core.truth import all_of
from tcop_lint.load.hcl_syntax import unescape
from tcop_lint.load.terraform import expression_tree

MISSING: Any = object()  # what a scope returns for a name it knows nothing about
MAX_TEXT = 100_000  # characters of expression text
MAX_DEPTH = 100  # nested evaluation
MAX_STEPS = 100_000  # nodes evaluated for one expression
MAX_ITEMS = 10_000  # elements of one collection
MAX_STRING = 1_000_000  # characters of one string
_MAX_BITS = 1024  # magnitude of an integer result

_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_VERB = re.compile(r"%(?:(%)|([-0]*)([0-9]*)(?:\.([0-9]+))?([a-zA-Z]))")


def _nothing(_: str) -> Any:
    return MISSING


@dataclass(frozen=True)
class Scope:
    """Where ``var.NAME``, ``local.NAME`` and ``module.NAME`` come from: a value, or MISSING.

    ``names`` binds ``each`` and ``count`` for one instance. A condition that is unknown takes
    the value ``assume`` gives its text, if any; otherwise, when one of its branches is known,
    its text is added to ``conditions`` (so that each branch can be judged on its own).
    """

    variable: Callable[[str], Any]
    local: Callable[[str], Any]
    module: Callable[[str], Any] = _nothing
    names: Mapping[str, Any] = field(default_factory=dict)
    assume: Mapping[str, bool] = field(default_factory=dict)
    conditions: list[str] | None = None


class _Error(Exception):
    """Terraform would report an error here."""


class _Abort(Exception):
    """A bound was passed: the whole expression stays Unresolved."""


@dataclass(frozen=True)
class _Run:
    scope: Scope
    source: str
    steps: list[int]
    root: Mapping[str, Any]  # the names bound outside any for expression


def evaluate(text: str, scope: Scope) -> Any:
    """The value of an expression, or Unresolved (with the template's known prefix and suffix)."""
    if len(text) > MAX_TEXT:
        return Unresolved(text)
    parsed = _parse(text)
    if parsed is None:
        return Unresolved(text)
    node, source = parsed
    root = dict(scope.names)
    try:
        value = _eval(node, _Run(scope, source, [0], root), root, 0)
    except (_Error, _Abort, _Unknown, RecursionError):
        return Unresolved(text)
    if isinstance(value, Unresolved):
        return Unresolved(text, value.prefix, value.suffix)
    return value


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> tuple[Any, str] | None:
    return expression_tree(text)


# --- the tree -------------------------------------------------------------------------------


def _is_tree(node: Any) -> bool:
    return getattr(node, "data", None) is not None


def _trees(node: Any) -> list[Any]:
    return [c for c in node.children if _is_tree(c) and c.data != "new_line_or_comment"]


def _tokens(node: Any) -> list[str]:
    return [str(c) for c in node.children if not _is_tree(c)]


def _text(node: Any, run: _Run) -> str:
    meta = node.meta
    return run.source[meta.start_pos : meta.end_pos].strip()


def _name(node: Any) -> str:
    return "".join(_tokens(node))


def _unwrap(node: Any) -> Any:
    while node.data == "expr_term" and len(_trees(node)) == 1 and not _tokens(node):
        node = _trees(node)[0]
    return node


def _eval(node: Any, run: _Run, env: Mapping[str, Any], depth: int) -> Any:
    if depth > MAX_DEPTH:
        raise _Abort
    run.steps[0] += 1
    if run.steps[0] > MAX_STEPS:
        raise _Abort
    handler = _HANDLERS.get(node.data)
    if handler is None:
        return Unresolved(_text(node, run))
    return handler(node, run, env, depth + 1)


def _expr_term(node: Any, run: _Run, env: Mapping[str, Any], depth: int) -> Any:
    inner = _trees(node)
    if len(inner) != 1:
        return Unresolved(_text(node, run))
    return _eval(inner[0], run, env, depth)


def _literal(node: Any, run: _Run, env: Mapping[str, Any], depth: int) -> Any:
    word = _name(node)
    return {"true": True, "false": False}.get(word)


def _int(node: Any, run: _Run, env: Mapping[str, Any], depth: int) -> Any:
    return _checked(int(_name(node)))


def _float(node: Any, run: _Run, env: Mapping[str, Any], depth: int) -> Any:
    return _checked(float(_name(node)))


def _identifier(node: Any, run: _Run, env: Mapping[str, Any], depth: int) -> Any:
    name = _name(node)
    return env[name] if name in env else Unresolved(_text(node, run))


def _tuple(node: Any, run: _Run, env: Mapping[str, Any], depth: int) -> Any:
    return _sized([_eval(item, run, env, depth) for item in _trees(node)])


def _object(node: Any, run: _Run, env: Mapping[str, Any], depth: int) -> Any:
    result: dict[str, Any] = {}
    for member in _trees(node):
        key_node, value_node = _trees(member)
        inner = _trees(key_node)
        if not inner:
            return Unresolved(_text(node, run))
        head = _unwrap(inner[0])
        if head.data in ("keyword", "identifier"):
            key: Any = _name(head)
        else:
            key = _to_string(_eval(head, run, env, depth))
            if isinstance(key, Unresolved):
                return Unresolved(_text(node, run))
            if key is None:
                raise _Error
        result[key] = _eval(value_node, run, env, depth)
    return _sized(result)


def _conditional(node: Any, run: _Run, env: Mapping[str, Any], depth: int) -> Any:
    condition, when_true, when_false = _trees(node)
    decided = _to_bool(_eval(condition, run, env, depth))
    if isinstance(decided, Unresolved):
        text = " ".join(_text(condition, run).split())
        assumed = run.scope.assume.get(text)
        if assumed is not None:
            return _eval(when_true if assumed else when_false, run, env, depth)
        noted = run.scope.conditions
        if noted is not None and env is run.root and text not in noted:
            if any(_known_branch(branch, run, env, depth) for branch in (when_true, when_false)):
                noted.append(text)
        return Unresolved(_text(node, run))
    return _eval(when_true if decided else when_false, run, env, depth)


def _known_branch(node: Any, run: _Run, env: Mapping[str, Any], depth: int) -> bool:
    try:
        return not isinstance(_eval(node, run, env, depth), Unresolved)
    except _Error:
        return False


def _unary(node: Any, run: _Run, env: Mapping[str, Any], depth: int) -> Any:
    operator = _tokens(node)[0]
    operand = _eval(_trees(node)[0], run, env, depth)
    if operator == "!":
        value = _to_bool(operand)
        return Unresolved(_text(node, run)) if isinstance(value, Unresolved) else not value
    number = _to_number(operand)
    return Unresolved(_text(node, run)) if isinstance(number, Unresolved) else _checked(-number)


def _binary(node: Any, run: _Run, env: Mapping[str, Any], depth: int) -> Any:
    left_node, term = _trees(node)
    operator_node, right_node = _trees(term)
    operator = _name(operator_node)
    left = _eval(left_node, run, env, depth)
    unknown = Unresolved(_text(node, run))
    if operator in ("&&", "||"):
        deciding = operator == "||"  # the operand value that decides the result alone
        first = _to_bool(left)
        if first is deciding:
            return deciding
        second = _to_bool(_eval(right_node, run, env, depth))
        if second is deciding:
            return deciding
        return unknown if isinstance(first, Unresolved) or isinstance(second, Unresolved) else second
    right = _eval(right_node, run, env, depth)
    if operator in ("==", "!="):
        equal = _equal(left, right)
        return unknown if equal is None else equal == (operator == "==")
    a, b = _to_number(left), _to_number(right)
    if isinstance(a, Unresolved) or isinstance(b, Unresolved):
        return unknown
    if operator == "<":
        return a < b
    if operator == ">":
        return a > b
    if operator == "<=":
        return a <= b
    if operator == ">=":
        return a >= b
    if operator == "+":
        return _checked(a + b)
    if operator == "-":
        return _checked(a - b)
    if operator == "*":
        return _checked(a * b)
    if b == 0:
        raise _Error
    if operator == "/":
        return _checked(a // b if isinstance(a, int) and isinstance(b, int) and a % b == 0 else a / b)
    if isinstance(a, int) and isinstance(b, int):
        return _checked(int(math.copysign(abs(a) % abs(b), a)) if a else 0)
    return _checked(math.fmod(a, b))


# --- references, attributes, indexes and splats ----------------------------------------------


def _namespace(inner: Any, env: Mapping[str, Any]) -> str | None:
    head = _unwrap(inner)
    if head.data == "identifier" and _name(head) in ("var", "local", "module") and _name(head) not in env:
        return _name(head)
    return None


def _get_attr(node: Any, run: _Run, env: Mapping[str, Any], depth: int) -> Any:
    inner, step = _trees(node)
    name = _name(_trees(step)[0])
    namespace = _namespace(inner, env)
    if namespace is not None:
        lookup = {"var": run.scope.variable, "local": run.scope.local, "module": run.scope.module}[namespace]
        found = lookup(name)
        return Unresolved(_text(node, run)) if found is MISSING else found
    return _attribute(_eval(inner, run, env, depth), name, node, run)


def _attribute(value: Any, name: str, node: Any, run: _Run) -> Any:
    if isinstance(value, Unresolved):
        return Unresolved(_text(node, run))
    if isinstance(value, dict) and name in value:
        return value[name]
    raise _Error


def _index_key(step: Any, run: _Run, env: Mapping[str, Any], depth: int) -> Any:
    if step.data == "short_index":
        return int(_tokens(step)[-1])
    return _eval(_trees(step)[0], run, env, depth)


def _index(value: Any, key: Any, node: Any, run: _Run) -> Any:
    if isinstance(value, Unresolved) or isinstance(key, Unresolved):
        return Unresolved(_text(node, run))
    if isinstance(value, list):
        number = _to_number(key)
        if isinstance(number, bool) or not isinstance(number, int) and not float(number).is_integer():
            raise _Error
        position = int(number)
        if 0 <= position < len(value):
            return value[position]
        raise _Error
    if isinstance(value, dict):
        name = _to_string(key)
        if isinstance(name, str) and name in value:
            return value[name]
    raise _Error


def _index_term(node: Any, run: _Run, env: Mapping[str, Any], depth: int) -> Any:
    inner, step = _trees(node)
    value = _eval(inner, run, env, depth)
    return _index(value, _index_key(step, run, env, depth), node, run)


def _splat(node: Any, run: _Run, env: Mapping[str, Any], depth: int) -> Any:
    inner, splat = _trees(node)
    value = _eval(inner, run, env, depth)
    if isinstance(value, Unresolved):
        return Unresolved(_text(node, run))
    items = [] if value is None else value if isinstance(value, list) else [value]
    results = []
    for item in items:
        for step in _trees(splat):
            if step.data == "get_attr":
                item = _attribute(item, _name(_trees(step)[0]), node, run)
            else:
                item = _index(item, _index_key(step, run, env, depth), node, run)
        results.append(item)
    return _sized(results)


# --- for expressions --------------------------------------------------------------------------


def _pairs(collection: Any) -> list[tuple[Any, Any]]:
    if isinstance(collection, list):
        return list(enumerate(collection))
    if isinstance(collection, dict):
        return [(key, collection[key]) for key in sorted(collection)]
    raise _Error


def _bindings(intro: Any, run: _Run, env: Mapping[str, Any], depth: int) -> list[dict[str, Any]] | None:
    parts = _trees(intro)
    names = [_name(p) for p in parts[:-1]]
    collection = _eval(parts[-1], run, env, depth)
    if isinstance(collection, Unresolved):
        return None
    pairs = _pairs(collection)
    if len(pairs) > MAX_ITEMS:
        raise _Abort
    if len(names) == 1:
        return [{**env, names[0]: value} for _, value in pairs]
    return [{**env, names[0]: key, names[1]: value} for key, value in pairs]


def _kept(cond: Any, run: _Run, scope: Mapping[str, Any], depth: int) -> Any:
    if cond is None:
        return True
    return _to_bool(_eval(_trees(cond)[0], run, scope, depth))


def _for_tuple(node: Any, run: _Run, env: Mapping[str, Any], depth: int) -> Any:
    parts = _trees(node)
    intro, body = parts[0], parts[1]
    cond = parts[2] if len(parts) > 2 else None
    scopes = _bindings(intro, run, env, depth)
    if scopes is None:
        return Unresolved(_text(node, run))
    results = []
    for scope in scopes:
        keep = _kept(cond, run, scope, depth)
        if isinstance(keep, Unresolved):
            return Unresolved(_text(node, run))
        if keep:
            results.append(_eval(body, run, scope, depth))
    return _sized(results)


def _for_object(node: Any, run: _Run, env: Mapping[str, Any], depth: int) -> Any:
    parts = _trees(node)
    intro, key_node, value_node = parts[0], parts[1], parts[2]
    cond = parts[3] if len(parts) > 3 else None
    grouping = "..." in _tokens(node)
    scopes = _bindings(intro, run, env, depth)
    if scopes is None:
        return Unresolved(_text(node, run))
    result: dict[str, Any] = {}
    for scope in scopes:
        keep = _kept(cond, run, scope, depth)
        if isinstance(keep, Unresolved):
            return Unresolved(_text(node, run))
        if not keep:
            continue
        key = _to_string(_eval(key_node, run, scope, depth))
        if isinstance(key, Unresolved):
            return Unresolved(_text(node, run))
        if key is None:
            raise _Error
        value = _eval(value_node, run, scope, depth)
        if grouping:
            result.setdefault(key, []).append(value)
        elif key in result:
            raise _Error
        else:
            result[key] = value
    return _sized(result)


# --- templates ------------------------------------------------------------------------------


def _string(node: Any, run: _Run, env: Mapping[str, Any], depth: int) -> Any:
    parts = [p.children[0] for p in node.children if _is_tree(p) and p.data == "string_part"]
    if len(parts) == 1 and _is_tree(parts[0]) and parts[0].data == "interpolation":
        return _eval(_trees(parts[0])[0], run, env, depth)  # "${x}" is x itself, unconverted
    pieces: list[Any] = []
    for part in parts:
        if not _is_tree(part):
            text = str(part)
            pieces.append(unescape(text) if part.type == "STRING_CHARS" else text[1:])
        elif part.data == "interpolation":
            value = _to_string(_eval(_trees(part)[0], run, env, depth))
            if value is None:
                raise _Error
            pieces.append(value)
        elif "~" in _tokens(part):
            return Unresolved(_text(node, run))  # strip markers change the literal text around them
        else:
            pieces.append(Unresolved(""))  # a directive: its output is not known
    return _joined(pieces, _text(node, run))


def _joined(pieces: list[Any], text: str) -> Any:
    unknown = [i for i, piece in enumerate(pieces) if isinstance(piece, Unresolved)]
    if not unknown:
        joined = "".join(pieces)
        if len(joined) > MAX_STRING:
            raise _Abort
        return joined
    first, last = pieces[unknown[0]], pieces[unknown[-1]]
    prefix = "".join(pieces[: unknown[0]]) + first.prefix
    suffix = last.suffix + "".join(pieces[unknown[-1] + 1 :])
    if len(prefix) + len(suffix) > MAX_STRING:
        raise _Abort
    return Unresolved(text, prefix, suffix)


# --- conversions ----------------------------------------------------------------------------


def _checked(number: Any) -> Any:
    if isinstance(number, int) and number.bit_length() > _MAX_BITS:
        raise _Abort
    if isinstance(number, float):
        if math.isnan(number) or math.isinf(number):
            raise _Error
        if number.is_integer() and abs(number) < 2**53:
            return int(number)
    return number


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def number_text(number: int | float) -> str:
    """A number as Terraform writes it as a string (``1.5``, ``2``, never an exponent)."""
    if isinstance(number, int):
        return str(number)
    if number.is_integer():
        return str(int(number))
    return format(Decimal(repr(number)), "f")


def string_number(text: str) -> int | float | None:
    """The number a string converts to in Terraform, or None."""
    if len(text) > 400 or not _NUMBER.fullmatch(text):
        return None
    return _checked(int(text) if text.lstrip("-").isdigit() else float(text))


def _to_bool(value: Any) -> Any:
    if isinstance(value, (bool, Unresolved)):
        return value
    if value == "true" or value == "false":
        return value == "true"
    raise _Error


def _to_number(value: Any) -> Any:
    if isinstance(value, Unresolved) or _is_number(value):
        return value
    if isinstance(value, str):
        number = string_number(value)
        if number is not None:
            return number
    raise _Error


def _to_string(value: Any) -> Any:
    """A primitive as a string; None stays None (null), a collection is an error."""
    if value is None or isinstance(value, (str, Unresolved)):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if _is_number(value):
        return number_text(value)
    raise _Error


def _known(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, Unresolved):
            return False
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def _equal(a: Any, b: Any) -> bool | None:
    """Terraform's ``==``: values of different types are never equal; None when unknown."""
    if isinstance(a, Unresolved) or isinstance(b, Unresolved):
        return None
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False
        return all_of(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        if set(a) != set(b):
            return False
        return all_of(_equal(a[key], b[key]) for key in a)
    if type(a) is not type(b):
        return False
    return bool(a == b)


def _sized(value: Any) -> Any:
    if len(value) > MAX_ITEMS:
        raise _Abort
    return value


# --- functions ------------------------------------------------------------------------------


class _Unknown(Exception):
    """A function's result depends on an unknown argument."""


def _need(value: Any) -> Any:
    if isinstance(value, Unresolved):
        raise _Unknown
    return value


def _need_known(value: Any) -> Any:
    if not _known(value):
        raise _Unknown
    return value


def _need_string(value: Any) -> str:
    text = _to_string(_need(value))
    if not isinstance(text, str):
        raise _Error
    return text


def _need_list(value: Any) -> list:
    if not isinstance(_need(value), list):
        raise _Error
    return value


def _need_int(value: Any) -> int:
    number = _to_number(_need(value))
    if not float(number).is_integer():
        raise _Error
    return int(number)


def _merge(*maps: Any) -> Any:
    result: dict[str, Any] = {}
    for one in maps:
        if _need(one) is None:
            continue
        if not isinstance(one, dict):
            raise _Error
        result.update(one)
    return _sized(result)


def _concat(*lists: Any) -> Any:
    return _sized([item for one in lists for item in _need_list(one)])


def _lookup(mapping: Any, key: Any, *default: Any) -> Any:
    if len(default) > 1 or not isinstance(_need(mapping), dict):
        raise _Error
    name = _need_string(key)
    if name in mapping:
        return mapping[name]
    if default:
        return default[0]
    raise _Error


def _coalesce(*values: Any) -> Any:
    for value in values:
        if _need(value) is None or value == "":
            continue
        return value
    raise _Error


def _format(template: Any, *values: Any) -> Any:
    text = _need_string(template)
    pieces: list[Any] = []
    position, used = 0, 0
    for match in _VERB.finditer(text):
        pieces.append(text[position : match.start()])
        position = match.end()
        percent, flags, width, precision, verb = match.groups()
        if percent:
            pieces.append("%")
            continue
        if used >= len(values) or len(width or "") > 3:
            raise _Error
        value = values[used]
        used += 1
        if isinstance(value, Unresolved):
            pieces.append(Unresolved("", value.prefix, value.suffix) if verb in "sv" else Unresolved(""))
            continue
        pieces.append(_pad(_verb(verb, value, precision), flags, int(width or 0)))
    pieces.append(text[position:])
    if used != len(values):
        raise _Error
    return _joined(pieces, "")


def _verb(verb: str, value: Any, precision: str | None) -> str:
    if verb in "sv":
        found = _to_string(value)
        if not isinstance(found, str):
            raise _Error
        return found
    if verb == "d":
        return str(_need_int(value))
    if verb == "f":
        return f"{float(_to_number(value)):.{int(precision or 6)}f}"
    if verb == "t":
        return "true" if _to_bool(value) else "false"
    if verb == "q":
        return json.dumps(_need_string(value), ensure_ascii=False)
    raise _Unknown


def _pad(text: str, flags: str, width: int) -> str:
    if len(text) >= width:
        return text
    if "-" in flags:
        return text.ljust(width)
    return text.rjust(width, "0" if "0" in flags else " ")


def _join(separator: Any, *lists: Any) -> Any:
    glue = _need_string(separator)
    items = [item for one in lists for item in _need_list(one)]
    if any(item is None for item in items):
        raise _Error
    joined = glue.join(_need_string(item) for item in items)
    if len(joined) > MAX_STRING:
        raise _Abort
    return joined


def _split(separator: Any, text: Any) -> Any:
    glue, whole = _need_string(separator), _need_string(text)
    return _sized(list(whole) if glue == "" else whole.split(glue))


def _tolist(value: Any) -> Any:
    return _need_list(value)


def _toset(value: Any) -> Any:
    items = _need_known(_need_list(value))
    if any(isinstance(item, (list, dict)) or item is None for item in items):
        raise _Unknown  # sets of collections: Terraform's order is not worth guessing
    if all(_is_number(item) for item in items):
        return sorted(set(items))
    if not all(isinstance(item, bool) for item in items):
        items = [_to_string(item) for item in items]
    return sorted(set(items))


def _tomap(value: Any) -> Any:
    if not isinstance(_need(value), dict):
        raise _Error
    return value


def _flatten(value: Any) -> Any:
    result: list[Any] = []
    stack = [iter(_need_list(value))]
    while stack:
        item = next(stack[-1], MISSING)
        if item is MISSING:
            stack.pop()
        elif isinstance(item, Unresolved):
            raise _Unknown
        elif isinstance(item, list):
            if len(stack) > MAX_DEPTH:
                raise _Abort
            stack.append(iter(item))
        else:
            result.append(item)
            _sized(result)
    return result


def _element(items: Any, index: Any) -> Any:
    found, position = _need_list(items), _need_int(index)
    if not found or position < 0:
        raise _Error
    return found[position % len(found)]


def _contains(items: Any, value: Any) -> Any:
    truths = [_equal(item, value) for item in _need_list(items)]
    if True in truths:
        return True
    if None in truths:
        raise _Unknown
    return False


def _length(value: Any) -> Any:
    if isinstance(_need(value), (list, dict, str)):
        return len(value)
    raise _Error


def _jsonencode(value: Any) -> Any:
    text = json.dumps(_need_known(value), separators=(",", ":"), sort_keys=True, ensure_ascii=False)
    if len(text) > MAX_STRING:
        raise _Abort
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _jsondecode(value: Any) -> Any:
    text = _need_string(value)
    if len(text) > MAX_TEXT:
        raise _Abort
    try:
        decoded = json.loads(text, parse_constant=_reject)
    except ValueError:
        raise _Error from None
    if not _small(decoded):
        raise _Abort
    return decoded


def _reject(_: str) -> Any:
    raise ValueError("not JSON")


def _small(value: Any) -> bool:
    stack = [value]
    count = 0
    while stack:
        item = stack.pop()
        count += 1
        if count > MAX_ITEMS:
            return False
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def _lower(value: Any) -> Any:
    return _need_string(value).lower()


def _upper(value: Any) -> Any:
    return _need_string(value).upper()


def _tostring(value: Any) -> Any:
    return _to_string(_need(value))


def _tonumber(value: Any) -> Any:
    return None if _need(value) is None else _to_number(value)


def _tobool(value: Any) -> Any:
    return None if _need(value) is None else _to_bool(value)


def _cidrsubnet(prefix: Any, newbits: Any, netnum: Any) -> Any:
    try:
        network = ipaddress.ip_network(_need_string(prefix), strict=False)
    except ValueError:
        raise _Error from None
    bits, number = _need_int(newbits), _need_int(netnum)
    length = network.prefixlen + bits
    if bits < 0 or length > network.max_prefixlen or not 0 <= number < 2**bits:
        raise _Error
    address = network.network_address + (number << (network.max_prefixlen - length))
    return f"{address}/{length}"


_FUNCTIONS: Mapping[str, Callable[..., Any]] = {
    "merge": _merge,
    "concat": _concat,
    "lookup": _lookup,
    "coalesce": _coalesce,
    "format": _format,
    "join": _join,
    "split": _split,
    "tolist": _tolist,
    "toset": _toset,
    "tomap": _tomap,
    "flatten": _flatten,
    "element": _element,
    "contains": _contains,
    "length": _length,
    "jsonencode": _jsonencode,
    "jsondecode": _jsondecode,
    "lower": _lower,
    "upper": _upper,
    "tostring": _tostring,
    "tonumber": _tonumber,
    "tobool": _tobool,
    "cidrsubnet": _cidrsubnet,
}


def _call(node: Any, run: _Run, env: Mapping[str, Any], depth: int) -> Any:
    parts = _trees(node)
    name = _name(parts[0])
    arguments = [p for p in parts[1:] if p.data == "arguments"]
    argument_nodes = _trees(arguments[0]) if arguments else []
    expand = bool(arguments) and "..." in _tokens(arguments[0])
    unknown = Unresolved(_text(node, run))
    if len(parts) > 2 and parts[1].data == "identifier":
        return unknown  # a provider-defined function (provider::name::function)
    if name == "try" and not expand:
        for argument in argument_nodes:
            try:
                value = _eval(argument, run, env, depth)
            except _Error:
                continue
            return unknown if isinstance(value, Unresolved) else value
        raise _Error
    function = _FUNCTIONS.get(name)
    if function is None:
        return unknown
    values = [_eval(argument, run, env, depth) for argument in argument_nodes]
    if expand:
        if not values or isinstance(values[-1], Unresolved):
            return unknown
        if not isinstance(values[-1], list):
            raise _Error
        values = values[:-1] + values[-1]
    try:
        result = function(*values)
    except _Unknown:
        return unknown
    except TypeError:
        raise _Error from None  # the wrong number of arguments
    if isinstance(result, Unresolved):
        return Unresolved(unknown.expression, result.prefix, result.suffix)
    return result


_HANDLERS: Mapping[str, Callable[[Any, _Run, Mapping[str, Any], int], Any]] = {
    "expr_term": _expr_term,
    "literal_value": _literal,
    "int_lit": _int,
    "float_lit": _float,
    "identifier": _identifier,
    "string": _string,
    "tuple": _tuple,
    "object": _object,
    "conditional": _conditional,
    "unary_op": _unary,
    "binary_op": _binary,
    "get_attr_expr_term": _get_attr,
    "index_expr_term": _index_term,
    "attr_splat_expr_term": _splat,
    "full_splat_expr_term": _splat,
    "for_tuple_expr": _for_tuple,
    "for_object_expr": _for_object,
    "function_call": _call,
}
