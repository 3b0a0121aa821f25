"""Terraform loader: .tf, .tf.json and tfvars files into TfFile views with positions.

HCL files are read by ``load.hcl_syntax`` (tree-sitter). All knowledge of python-hcl2's parse
tree stays here: it parses single expressions for the evaluator (``expression_tree``) and words
the syntax errors tree-sitter finds.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Mapping
from typing import Any, cast

from tcop_lint.core.model import DataPath, LoadResult, Node, ParseProblem, Position, TfBlock, TfFile, Unresolved
from tcop_lint.load import hcl_syntax
from tcop_lint.load.hcl_syntax import MAX_DEPTH, UNESCAPED_TEMPLATE
from tcop_lint.load.json_positions import JsonError, parse_json

# Bracket nesting beyond which a file is not parsed at all: the parser and the tree walk cost
# time and memory that grow faster than the depth (a 20,000-deep file took over 20 GB).
MAX_NESTING = 500

# Block types and how many labels they take, for .tf.json files.
_JSON_LABELS: Mapping[str, int] = {
    "resource": 2,
    "data": 2,
    "provider": 1,
    "variable": 1,
    "output": 1,
    "module": 1,
    "check": 1,
    "locals": 0,
    "terraform": 0,
    "moved": 0,
    "import": 0,
    "removed": 0,
}
# In .tf.json an object value is a nested block unless the attribute is one of these maps.
_JSON_MAP_ATTRIBUTES = frozenset(
    {
        "tags",
        "tags_all",
        "labels",
        "default_labels",
        "annotations",
        "metadata",
        "variables",
        "environment",
        "environment_variables",
        "parameters",
        "triggers",
        "app_settings",
        "attributes",
        "providers",
        "default",
        "value",
        "locals",
        "user_labels",
        "resource_labels",
        "node_labels",
        "common_tags",
        "extra_tags",
    }
)


def is_terraform_file(file: str) -> bool:
    name = file.rsplit("/", 1)[-1]
    return name.endswith((".tf", ".tf.json", ".tfvars", ".tfvars.json"))


def load_terraform(file: str, text: str | bytes) -> LoadResult:
    """Parse one Terraform or tfvars file; never raises."""
    try:
        if isinstance(text, bytes):
            raw = text
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError as error:
                line = raw[: error.start].count(b"\n") + 1
                return _problem(file, "file is not valid UTF-8", Position(line, 1))
        bad = _first_surrogate(text)
        if bad is not None:
            return _problem(file, "file is not valid UTF-8", _position_of(text, bad))
        text = text.lstrip("\ufeff")
        too_deep = _too_deep(text)
        if too_deep is not None:
            return _problem(file, f"nested more than {MAX_NESTING} levels deep; not read", _position_of(text, too_deep))
        name = file.rsplit("/", 1)[-1]
        if name.endswith(".tfvars.json"):
            return LoadResult(terraform=TfFile(file, tfvars=_json_tfvars(text)))
        if name.endswith(".tf.json"):
            return LoadResult(terraform=TfFile(file, blocks=_json_blocks(file, text)))
        syntax = hcl_syntax.parse(text.encode("utf-8"))
        if isinstance(syntax, hcl_syntax.HclError):
            return _syntax_problem(file, text, syntax.position)
        if name.endswith(".tfvars"):
            return LoadResult(terraform=TfFile(file, tfvars=hcl_syntax.tfvars(syntax)))
        return LoadResult(terraform=TfFile(file, blocks=hcl_syntax.blocks(file, syntax)))
    except RecursionError:
        return _problem(file, "Terraform file is nested too deeply to read")
    except JsonError as error:
        # only the JSON readers raise JsonError, and they are given the text decoded above
        return _problem(file, f"invalid JSON: {error}", _position_of(cast(str, text), error.offset))
    except Exception as error:  # noqa: BLE001 - a loader reports trouble, it never raises
        return _problem(file, _describe(error), _error_position(error))


def warm_parser() -> None:
    """Load the HCL parsers once, e.g. before forking workers."""
    hcl_syntax.warm()
    _hcl_parser()


def _problem(file: str, message: str, position: Position | None = None) -> LoadResult:
    return LoadResult(problems=(ParseProblem(file, message, position),))


def _describe(error: Exception) -> str:
    first = (str(error).strip().splitlines() or [type(error).__name__])[0]
    return (
        f"Terraform syntax error: {first}"
        if type(error).__module__.startswith("lark")
        else f"cannot read Terraform: {first}"
    )


def _error_position(error: Exception) -> Position | None:
    line = getattr(error, "line", None)
    column = getattr(error, "column", None)
    if isinstance(line, int) and line > 0:
        return Position(line, column if isinstance(column, int) and column > 0 else 1)
    return None


def _too_deep(text: str) -> int | None:
    """Where bracket nesting first passes MAX_NESTING, or None. Brackets in strings count too:
    cheap and conservative, as no real configuration comes near the limit."""
    if text.count("{") + text.count("[") + text.count("(") <= MAX_NESTING:
        return None
    depth = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "{[(":
            depth += 1
            if depth > MAX_NESTING:
                return match.start()
        elif depth:
            depth -= 1
    return None


_BRACKETS = re.compile(r"[{}\[\]()]")


def _first_surrogate(text: str) -> int | None:
    match = re.search("[\udc80-\udcff]", text)
    return match.start() if match else None


def _position_of(text: str, index: int) -> Position:
    line = text.count("\n", 0, index) + 1
    return Position(line, index - (text.rfind("\n", 0, index) + 1) + 1)


# --- the HCL parser ------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _hcl_parser() -> Any:
    """python-hcl2's LALR parser, with its grammar analysis cached on disk.

    python-hcl2 caches the grammar next to its own code; where that file is missing and the
    folder is read-only (a system-wide install), every process would spend about 1.5 s building
    it, so fall back to Lark's own cache in the temporary folder.
    """
    import hcl2.parser

    cache_file = str(hcl2.parser.PARSER_FILE)
    if os.access(cache_file, os.R_OK) or os.access(os.path.dirname(cache_file), os.W_OK):
        return hcl2.parser.parser()
    from hcl2.postlexer import PostLexer
    from lark import Lark

    return Lark.open(
        "hcl2.lark",
        parser="lalr",
        cache=True,
        rel_to=hcl2.parser.__file__,
        propagate_positions=True,
        postlex=PostLexer(),
    )


def _parse_hcl(text: str) -> Any:
    # python-hcl2 appends a newline too: its grammar needs one at the end of the last line.
    return _hcl_parser().parse(text + "\n")


def _is_tree(node: Any, name: str | None = None) -> bool:
    data = getattr(node, "data", None)
    return data is not None and (name is None or data == name)


def _trees(node: Any) -> list[Any]:
    return [c for c in node.children if _is_tree(c) and c.data != "new_line_or_comment"]


def _syntax_problem(file: str, text: str, where: Position) -> LoadResult:
    """tree-sitter found the file not to be HCL: python-hcl2 words the error, where it agrees."""
    try:
        _parse_hcl(text)
    except RecursionError:
        return _problem(file, "Terraform file is nested too deeply to read", where)
    except Exception as error:  # noqa: BLE001 - any parser failure is the message wanted
        return _problem(file, _describe(error), _error_position(error) or where)
    return _problem(file, "Terraform syntax error: not valid HCL here", where)


# --- .tf.json and .tfvars.json ---------------------------------------------------------------


def _json_expression(value: Any) -> Any:
    """A JSON string in Terraform's JSON syntax is a template: ``${...}`` makes it Unresolved."""
    if not isinstance(value, str) or not UNESCAPED_TEMPLATE.search(value):
        return value.replace("$${", "${").replace("%%{", "%{") if isinstance(value, str) else value
    whole = re.fullmatch(r"\$\{([^{}]*)\}", value)
    return Unresolved(whole.group(1).strip() if whole else json.dumps(value))


def _json_body(
    body: Any, json_path: tuple, line_of: Callable[[tuple], Position | None], literal: bool = False
) -> tuple[dict, dict[DataPath, Position]]:
    """A .tf.json block body in the same shape as an HCL body (nested blocks as lists)."""
    positions: dict[DataPath, Position] = {}
    root: dict = {}
    # frames: (kind, json value, json path, tf path, holder, key, depth)
    stack: list[tuple] = [("body", body, json_path, (), root, None, 0)]
    while stack:
        kind, value, jpath, tpath, holder, key, depth = stack.pop()
        if kind == "body":
            if not isinstance(value, dict):
                continue
            for name, item in value.items():
                if name == "//":
                    continue
                if name == "dynamic" and isinstance(item, dict) and not literal:
                    for label, spec in item.items():
                        specs = spec if isinstance(spec, list) else [spec]
                        for number, one in enumerate(specs):
                            content = one.get("content") if isinstance(one, dict) else None
                            sub = jpath + ("dynamic", label) + ((number,) if isinstance(spec, list) else ())
                            _json_append_block(
                                holder, label, content, sub + ("content",), tpath, positions, line_of, stack, depth
                            )
                    continue
                where = line_of(jpath + (name,))
                if where:
                    positions[tpath + (name,)] = where
                if not literal and name not in _JSON_MAP_ATTRIBUTES and _looks_like_blocks(item):
                    items = item if isinstance(item, list) else [item]
                    for number, one in enumerate(items):
                        sub = jpath + (name,) + ((number,) if isinstance(item, list) else ())
                        _json_append_block(holder, name, one, sub, tpath, positions, line_of, stack, depth)
                    continue
                holder[name] = None
                stack.append(("expr", item, jpath + (name,), tpath + (name,), holder, name, depth + 1))
        else:
            if depth > MAX_DEPTH:
                holder[key] = Unresolved(json.dumps(value)[:200])
            elif isinstance(value, list):
                values: list = [None] * len(value)
                holder[key] = values
                for number, item in enumerate(value):
                    where = line_of(jpath + (number,))
                    if where:
                        positions[tpath + (number,)] = where
                    stack.append(("expr", item, jpath + (number,), tpath + (number,), values, number, depth + 1))
            elif isinstance(value, dict):
                mapping: dict = {}
                holder[key] = mapping
                for name, item in value.items():
                    where = line_of(jpath + (name,))
                    if where:
                        positions[tpath + (name,)] = where
                    mapping[name] = None
                    stack.append(("expr", item, jpath + (name,), tpath + (name,), mapping, name, depth + 1))
            else:
                holder[key] = value if literal else _json_expression(value)
    return root, positions


def _looks_like_blocks(item: Any) -> bool:
    if isinstance(item, dict):
        return True
    return isinstance(item, list) and bool(item) and all(isinstance(one, dict) for one in item)


def _json_append_block(holder, name, body, jpath, tpath, positions, line_of, stack, depth) -> None:
    existing = holder.get(name)
    if not isinstance(existing, list):
        existing = holder[name] = []
    data: dict = {}
    path = tpath + (name, len(existing))
    existing.append(data)
    where = line_of(jpath) or line_of(jpath[:-1])
    if where:
        positions.setdefault(tpath + (name,), where)
        positions[path] = where
    if depth <= MAX_DEPTH:
        stack.append(("body", body, jpath, path, data, None, depth + 1))


def _json_blocks(file: str, text: str) -> tuple[TfBlock, ...]:
    document, located = parse_json(text)
    line_of = located.get
    tops = document if isinstance(document, list) else [document]
    blocks = []
    for number, top in enumerate(tops):
        if not isinstance(top, dict):
            continue
        base = (number,) if isinstance(document, list) else ()
        for block_type, value in top.items():
            if block_type == "//":
                continue
            wanted = _JSON_LABELS.get(block_type, 0)
            for jpath, labels, body in _json_label_walk(value, base + (block_type,), wanted):
                position = line_of(jpath) or line_of(base + (block_type,)) or Position(1, 1)
                data, positions = _json_body(body, jpath, line_of, literal=block_type == "variable")
                positions[()] = position
                blocks.append(TfBlock(file, block_type, labels, Node(data, positions), position))
    blocks.sort(key=lambda b: (b.position.line, b.position.column))
    return tuple(blocks)


def _json_label_walk(value: Any, path: tuple, wanted: int) -> list[tuple[tuple, tuple[str, ...], Any]]:
    found: list[tuple[tuple, tuple[str, ...], Any]] = []
    stack: list[tuple[Any, tuple, tuple[str, ...]]] = [(value, path, ())]
    while stack:
        item, jpath, labels = stack.pop()
        if isinstance(item, list):
            stack.extend((one, jpath + (n,), labels) for n, one in reversed(list(enumerate(item))))
        elif len(labels) == wanted:
            if isinstance(item, dict):
                found.append((jpath, labels, item))
        elif isinstance(item, dict):
            stack.extend((one, jpath + (k,), labels + (k,)) for k, one in reversed(list(item.items())))
    return found


def _json_tfvars(text: str) -> Node:
    document, located = parse_json(text)
    if not isinstance(document, dict):
        return Node({}, {(): Position(1, 1)})
    positions: dict[DataPath, Position] = {(): Position(1, 1)}
    for path, where in located.items():
        if path:
            positions[path] = where
    return Node(document, positions)


# A traversal of something other than var. or local. (a resource, data source, module, each,
# count, a for variable): an expression with one and neither of those nor a template around it
# depends on what no module can tell, so it is not worth parsing again.
_TRAVERSAL = re.compile(r"(?<![\w.\"-])(?!var\.|local\.)[A-Za-z_][\w-]*(?:\.[A-Za-z_*]|\[)")
_BOUND = re.compile(r"(?<![\w.\"-])(?:var|local|module|each|count)\.")


def evaluable(text: str) -> bool:
    """Whether evaluating an Unresolved expression's text might give something known: it
    refers to variables, locals, module outputs or an instance's each/count, or to nothing."""
    return text.lstrip().startswith('"') or _BOUND.search(text) is not None or not _TRAVERSAL.search(text)


def settled(block: TfBlock) -> bool:
    """True when no value of the block is worth evaluating (see ``evaluable``)."""
    stack = [block.body.data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(v for v in value.values() if isinstance(v, (dict, list, Unresolved)))
        elif isinstance(value, list):
            stack.extend(v for v in value if isinstance(v, (dict, list, Unresolved)))
        elif isinstance(value, Unresolved) and evaluable(value.expression):
            return False
    return True


def expression_tree(text: str) -> tuple[Any, str] | None:
    """One expression's parse tree (python-hcl2's grammar) and the text its positions index,
    or None when the text is not exactly one expression."""
    source = f"x = {text}\n"
    try:
        tree = _hcl_parser().parse(source)
    except Exception:  # noqa: BLE001 - an expression that does not parse is simply not evaluated
        return None
    bodies = _trees(tree)
    attributes = _trees(bodies[0]) if bodies else []
    if len(attributes) != 1 or attributes[0].data != "attribute":
        return None
    return _trees(attributes[0])[-1], source
