"""Terraform loader: .tf, .tf.json and tfvars files into TfFile views with positions.

All knowledge of python-hcl2's parse tree stays here. The tree (``hcl2.parses_to_tree``) is
read directly: it carries the line and column of every attribute, which the dictionaries
python-hcl2 builds do not, and reading it costs about half of building them.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Mapping
from typing import Any, cast

from tcop_lint.core.model import DataPath, LoadResult, Node, ParseProblem, Position, TfBlock, TfFile, Unresolved
from tcop_lint.load.json_positions import JsonError, parse_json

MAX_DEPTH = 64  # nesting below an attribute beyond which a value is left Unresolved
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

_HCL_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_UNESCAPED_TEMPLATE = re.compile(r"(?<![$%])[$%]\{")


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
        tree = _parse_hcl(text)
        if name.endswith(".tfvars"):
            return LoadResult(terraform=TfFile(file, tfvars=_hcl_tfvars(tree, text)))
        return LoadResult(terraform=TfFile(file, blocks=_hcl_blocks(file, tree, text)))
    except RecursionError:
        return _problem(file, "Terraform file is nested too deeply to read")
    except JsonError as error:
        # only the JSON readers raise JsonError, and they are given the text decoded above
        return _problem(file, f"invalid JSON: {error}", _position_of(cast(str, text), error.offset))
    except Exception as error:  # noqa: BLE001 - a loader reports trouble, it never raises
        return _problem(file, _describe(error), _error_position(error))


def warm_parser() -> None:
    """Build (or load from cache) the HCL grammar once, e.g. before forking workers."""
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


def _pos(node: Any) -> Position | None:
    meta = getattr(node, "meta", None)
    if meta is None or getattr(meta, "empty", True):
        return None
    return Position(meta.line, meta.column, meta.end_line, meta.end_column)


def _source(node: Any, text: str) -> str:
    meta = node.meta
    return text[meta.start_pos : meta.end_pos].strip()


def _name(node: Any) -> str:
    """The text of an identifier, keyword or literal_value node (attribute names, block types)."""
    if _is_tree(node):
        return "".join(str(c) for c in node.children if not _is_tree(c))
    return str(node)


def _hcl_blocks(file: str, tree: Any, text: str) -> tuple[TfBlock, ...]:
    body = _trees(tree)[0] if _trees(tree) else None
    if body is None:
        return ()
    blocks = []
    for child in _trees(body):
        if child.data != "block":
            continue
        block_type, labels, inner = _block_parts(child, text)
        position = _pos(child) or Position(1, 1)
        data, positions = _read_body(inner, text)
        positions[()] = position
        blocks.append(TfBlock(file, block_type, labels, Node(data, positions), position))
    return tuple(blocks)


def _hcl_tfvars(tree: Any, text: str) -> Node:
    body = _trees(tree)[0] if _trees(tree) else None
    if body is None:
        return Node({}, {(): Position(1, 1)})
    data, positions = _read_body(body, text)
    positions[()] = Position(1, 1)
    return Node(data, positions)


def _block_parts(block: Any, text: str) -> tuple[str, tuple[str, ...], Any]:
    heads = []
    inner = None
    for child in block.children:
        if _is_tree(child, "body"):
            inner = child
        elif _is_tree(child) and child.data != "new_line_or_comment":
            heads.append(child)
    labels = []
    for label in heads[1:]:
        if label.data == "string":
            value = _string_value(label, text)
            labels.append(value if isinstance(value, str) else _source(label, text).strip('"'))
        else:
            labels.append(_name(label))
    return _name(heads[0]) if heads else "", tuple(labels), inner


def _read_body(body: Any, text: str) -> tuple[dict, dict[DataPath, Position]]:
    """A block body as plain data plus the position of every attribute, block and element.

    Uses an explicit stack: deeply nested input cannot exhaust Python's recursion limit.
    """
    root: dict = {}
    positions: dict[DataPath, Position] = {}
    stack: list[tuple] = [("body", body, (), root)]
    while stack:
        frame = stack.pop()
        if frame[0] == "body":
            _, node, path, target = frame
            if node is None:
                continue
            for child in _trees(node):
                if child.data == "attribute":
                    parts = _trees(child)
                    name = _name(parts[0])
                    positions[path + (name,)] = _pos(child) or Position(1, 1)
                    target[name] = None
                    stack.append(("expr", parts[-1], path + (name,), target, name, 0))
                elif child.data == "block":
                    stack.extend(_nested_block(child, text, path, target, positions))
        else:
            _, node, path, holder, key, depth = frame
            holder[key] = _expression(node, text, path, depth, positions, stack)
    return root, positions


def _nested_block(block: Any, text: str, path: DataPath, target: dict, positions: dict) -> list[tuple]:
    block_type, labels, inner = _block_parts(block, text)
    position = _pos(block) or Position(1, 1)
    if block_type == "dynamic" and labels:
        # dynamic "x" { for_each = ..., content { ... } }: the content stands for the blocks.
        block_type, labels = labels[0], ()
        content = next(
            (
                c
                for c in (_trees(inner) if inner is not None else [])
                if c.data == "block" and _block_parts(c, text)[0] == "content"
            ),
            None,
        )
        if content is None:
            return []
        position = _pos(content) or position
        inner = _block_parts(content, text)[2]
    existing = target.get(block_type)
    if not isinstance(existing, list):
        existing = target[block_type] = []
    data: dict = {}
    index = len(existing)
    body_path = path + (block_type, index)
    positions.setdefault(path + (block_type,), position)
    positions[body_path] = position
    holder: dict = data
    for label in labels:  # labelled nested blocks nest by label, as python-hcl2 does
        holder[label] = {}
        holder = holder[label]
        body_path = body_path + (label,)
        positions[body_path] = position
    existing.append(data)
    return [("body", inner, body_path, holder)]


def _unwrap(node: Any) -> Any:
    """Skip expr_term wrappers and parentheses."""
    while _is_tree(node, "expr_term"):
        inner = _trees(node)
        if len(inner) != 1:
            return node
        node = inner[0]
    return node


def _expression(node: Any, text: str, path: DataPath, depth: int, positions: dict, stack: list) -> Any:
    """The literal value of an expression, or Unresolved. Containers are returned empty and
    their elements pushed on ``stack`` to be filled in."""
    term = _unwrap(node)
    kind = term.data if _is_tree(term) else None
    if depth > MAX_DEPTH:
        return Unresolved(_source(node, text))
    if kind == "int_lit":
        return int(_name(term))
    if kind == "float_lit":
        return float(_name(term))
    if kind == "literal_value":
        return {"true": True, "false": False, "null": None}[_name(term)]
    if kind == "string":
        return _string_value(term, text)
    if kind in ("heredoc_template", "heredoc_template_trim"):
        return _heredoc_value(_name(term), trim=kind.endswith("trim"), source=_source(term, text))
    if kind == "unary_op":
        return _unary_value(term, text)
    if kind == "tuple":
        elements = _trees(term)
        values: list = [None] * len(elements)
        for index, element in enumerate(elements):
            positions[path + (index,)] = _pos(element) or Position(1, 1)
            stack.append(("expr", element, path + (index,), values, index, depth + 1))
        return values
    if kind == "object":
        members = [m for m in _trees(term) if m.data == "object_elem"]
        keys = [_object_key(m, text) for m in members]
        if any(k is None for k in keys):
            return Unresolved(_source(node, text))
        mapping: dict = {}
        for key, member in zip(keys, members):
            mapping[key] = None
            positions[path + (key,)] = _pos(member) or Position(1, 1)
            stack.append(("expr", _trees(member)[-1], path + (key,), mapping, key, depth + 1))
        return mapping
    return Unresolved(_source(node, text))


def _object_key(member: Any, text: str) -> str | None:
    key_node = _trees(member)[0]
    inner = _trees(key_node)
    if not inner:
        return None
    term = _unwrap(inner[0])
    if _is_tree(term, "keyword") or _is_tree(term, "identifier") or _is_tree(term, "literal_value"):
        return _name(term)
    if _is_tree(term, "string"):
        value = _string_value(term, text)
        return value if isinstance(value, str) else None
    if _is_tree(term, "int_lit") or _is_tree(term, "float_lit"):
        return _name(term)
    return None


def _unary_value(term: Any, text: str) -> Any:
    operator = next((str(c) for c in term.children if not _is_tree(c)), "")
    operand = _unwrap(_trees(term)[0]) if _trees(term) else None
    if operator == "-" and _is_tree(operand, "int_lit"):
        return -int(_name(operand))
    if operator == "-" and _is_tree(operand, "float_lit"):
        return -float(_name(operand))
    if operator == "!" and _is_tree(operand, "literal_value") and _name(operand) in ("true", "false"):
        return _name(operand) == "false"
    return Unresolved(_source(term, text))


def _string_value(term: Any, text: str) -> str | Unresolved:
    pieces = []
    for part in term.children:
        if not _is_tree(part, "string_part"):
            continue
        for piece in part.children:
            if _is_tree(piece):
                return Unresolved(_source(term, text))  # interpolation or template directive
            if piece.type == "STRING_CHARS":
                pieces.append(unescape(str(piece)))
            elif piece.type in ("ESCAPED_INTERPOLATION", "ESCAPED_DIRECTIVE"):
                pieces.append(str(piece)[1:])
            else:
                return Unresolved(_source(term, text))
    return "".join(pieces)


def unescape(chars: str) -> str:
    """An HCL quoted-string body with its escapes (\\n, \\uXXXX ...) decoded."""
    if "\\" not in chars:
        return chars

    def replace(match: re.Match) -> str:
        short, long, simple = match.groups()
        if short or long:
            try:
                return chr(int(short or long, 16))
            except ValueError:
                return match.group(0)
        return _SIMPLE_ESCAPES.get(simple, match.group(0))

    return _HCL_ESCAPE.sub(replace, chars)


def _heredoc_value(token: str, *, trim: bool, source: str) -> str | Unresolved:
    lines = token.replace("\r\n", "\n").split("\n")
    body = lines[1:-2] if len(lines) >= 3 else []
    joined = "\n".join(body)
    if _UNESCAPED_TEMPLATE.search(joined):
        return Unresolved(source)
    if trim:
        indents = [len(line) - len(line.lstrip(" \t")) for line in body if line.strip()]
        cut = min(indents) if indents else 0
        body = [line[cut:] for line in body]
        joined = "\n".join(body)
    joined = joined.replace("$${", "${").replace("%%{", "%{")
    return joined + "\n" if body else ""


# --- .tf.json and .tfvars.json ---------------------------------------------------------------


def _json_expression(value: Any) -> Any:
    """A JSON string in Terraform's JSON syntax is a template: ``${...}`` makes it Unresolved."""
    if not isinstance(value, str) or not _UNESCAPED_TEMPLATE.search(value):
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
