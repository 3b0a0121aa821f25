"""HCL files read with tree-sitter-hcl: every block, attribute and literal value, with positions.

tree-sitter parses in C. python-hcl2's Lark parser, which this replaced for whole files, was three
quarters of a cold scan of a large estate (253 s of 348 s); it stays for what it is still good at,
the text of single expressions the evaluator parses (``load.terraform.expression_tree``) and the
wording of syntax errors. The values read here follow the rules the Lark reader followed: a
literal (string without interpolation, number, bool, null, heredoc without ``${``), a tuple or
an object with literal keys becomes data; anything else is ``Unresolved`` with its source text.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from tcop_lint.core.model import DataPath, Node, Position, TfBlock, Unresolved

MAX_DEPTH = 64  # nesting below an attribute beyond which a value is left Unresolved

_HCL_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))", re.S)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESCAPED_TEMPLATE = re.compile(r"(\$\$\{|%%\{)")
UNESCAPED_TEMPLATE = re.compile(r"(?<![$%])[$%]\{")
_LITERALS = {"true": True, "false": False, "null": None}


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    import tree_sitter
    import tree_sitter_hcl

    return tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))


def warm() -> None:
    _parser()


@dataclass(frozen=True)
class Syntax:
    """One parsed file: its tree and what turns byte offsets into the character columns the
    rest of tcop-lint (and SARIF) counts in."""

    root: Any
    data: bytes
    line_starts: tuple[int, ...] = ()

    def position(self, node: Any) -> Position:
        (row, column), (end_row, end_column) = node.start_point, node.end_point
        if self.line_starts:
            column, end_column = self._characters(row, column), self._characters(end_row, end_column)
        return Position(row + 1, column + 1, end_row + 1, end_column + 1)

    def text(self, node: Any) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def _characters(self, row: int, column: int) -> int:
        start = self.line_starts[row]
        return len(self.data[start : start + column].decode("utf-8", "replace"))


@dataclass(frozen=True)
class HclError:
    """Where tree-sitter found the file not to be HCL."""

    position: Position


def parse(data: bytes) -> Syntax | HclError:
    tree = _parser().parse(data)
    root = tree.root_node
    line_starts: tuple[int, ...] = ()
    if not data.isascii():
        line_starts = (0, *(match.end() for match in re.finditer(b"\n", data)))
    syntax = Syntax(root, data, line_starts)
    if root.has_error:
        return HclError(syntax.position(_first_error(root)))
    return syntax


def _first_error(root: Any) -> Any:
    stack = [root]
    while stack:
        node = stack.pop()
        if node.is_error or node.is_missing:
            return node
        stack.extend(reversed([child for child in node.children if child.has_error or child.is_missing]))
    return root


def _named(node: Any) -> list[Any]:
    return [child for child in node.named_children if child.type != "comment"]


def _body(syntax: Syntax) -> Any | None:
    return next((child for child in syntax.root.named_children if child.type == "body"), None)


def blocks(file: str, syntax: Syntax) -> tuple[TfBlock, ...]:
    body = _body(syntax)
    if body is None:
        return ()
    found = []
    for child in _named(body):
        if child.type != "block":
            continue
        block_type, labels, inner = _block_parts(child, syntax)
        position = syntax.position(child)
        data, positions = _read_body(inner, syntax)
        positions[()] = position
        found.append(TfBlock(file, block_type, labels, Node(data, positions), position))
    return tuple(found)


def tfvars(syntax: Syntax) -> Node:
    data, positions = _read_body(_body(syntax), syntax)
    positions[()] = Position(1, 1)
    return Node(data, positions)


def _block_parts(block: Any, syntax: Syntax) -> tuple[str, tuple[str, ...], Any]:
    heads = []
    inner = None
    for child in _named(block):
        if child.type == "body":
            inner = child
        elif child.type in ("identifier", "string_lit"):
            heads.append(child)
    labels = []
    for label in heads[1:]:
        if label.type == "string_lit":
            value = _string_value(label, syntax)
            labels.append(value if isinstance(value, str) else syntax.text(label).strip('"'))
        else:
            labels.append(syntax.text(label))
    return (syntax.text(heads[0]) if heads else ""), tuple(labels), inner


def _read_body(body: Any, syntax: Syntax) -> tuple[dict, dict[DataPath, Position]]:
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
            for child in _named(node):
                if child.type == "attribute":
                    parts = _named(child)
                    name = syntax.text(parts[0])
                    positions[path + (name,)] = syntax.position(child)
                    target[name] = None
                    stack.append(("expr", parts[-1], path + (name,), target, name, 0))
                elif child.type == "block":
                    stack.extend(_nested_block(child, syntax, path, target, positions))
        else:
            _, node, path, holder, key, depth = frame
            holder[key] = _expression(node, syntax, path, depth, positions, stack)
    return root, positions


def _nested_block(block: Any, syntax: Syntax, path: DataPath, target: dict, positions: dict) -> list[tuple]:
    block_type, labels, inner = _block_parts(block, syntax)
    position = syntax.position(block)
    if block_type == "dynamic" and labels:
        # dynamic "x" { for_each = ..., content { ... } }: the content stands for the blocks.
        block_type, labels = labels[0], ()
        content = next(
            (
                c
                for c in (_named(inner) if inner is not None else [])
                if c.type == "block" and _block_parts(c, syntax)[0] == "content"
            ),
            None,
        )
        if content is None:
            return []
        position = syntax.position(content)
        inner = _block_parts(content, syntax)[2]
    existing = target.get(block_type)
    if not isinstance(existing, list):
        existing = target[block_type] = []
    data: dict = {}
    body_path = path + (block_type, len(existing))
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


def _term(node: Any) -> Any:
    """What an expression is, through wrappers and parentheses; an expression of several parts
    (a traversal such as ``var.x``) is returned as it is."""
    while node.type in ("expression", "literal_value", "collection_value", "template_expr", "operation"):
        inner = _named(node)
        if len(inner) != 1:
            return node
        node = inner[0]
    return node


def _expression(node: Any, syntax: Syntax, path: DataPath, depth: int, positions: dict, stack: list) -> Any:
    """The literal value of an expression, or Unresolved. Containers are returned empty and
    their elements pushed on ``stack`` to be filled in."""
    if depth > MAX_DEPTH:
        return Unresolved(syntax.text(node).strip())
    term = _term(node)
    kind = term.type
    if kind == "numeric_lit":
        return _number(syntax.text(term))
    if kind in ("bool_lit", "null_lit"):
        return _LITERALS[syntax.text(term)]
    if kind in ("string_lit", "quoted_template"):
        return _string_value(term, syntax)
    if kind == "heredoc_template":
        return _heredoc_value(term, syntax)
    if kind == "unary_operation":
        return _unary_value(term, syntax)
    if kind == "tuple":
        elements = [child for child in _named(term) if child.type == "expression"]
        values: list = [None] * len(elements)
        for index, element in enumerate(elements):
            positions[path + (index,)] = syntax.position(element)
            stack.append(("expr", element, path + (index,), values, index, depth + 1))
        return values
    if kind == "object":
        members = [child for child in _named(term) if child.type == "object_elem"]
        keys = [_object_key(member, syntax) for member in members]
        if any(key is None for key in keys):
            return Unresolved(syntax.text(node).strip())
        mapping: dict = {}
        for key, member in zip(keys, members):
            mapping[key] = None
            positions[path + (key,)] = syntax.position(member)
            stack.append(("expr", _named(member)[-1], path + (key,), mapping, key, depth + 1))
        return mapping
    return Unresolved(syntax.text(node).strip())


def _number(text: str) -> int | float:
    return int(text) if text.isdigit() else float(text)


def _object_key(member: Any, syntax: Syntax) -> str | None:
    parts = _named(member)
    if not parts:
        return None
    term = _term(parts[0])
    if term.type == "variable_expr" or term.type in ("numeric_lit", "bool_lit", "null_lit"):
        return syntax.text(term)
    if term.type in ("string_lit", "quoted_template"):
        value = _string_value(term, syntax)
        return value if isinstance(value, str) else None
    return None


def _unary_value(term: Any, syntax: Syntax) -> Any:
    operator = next((syntax.text(child) for child in term.children if not child.is_named), "")
    operands = _named(term)
    operand = _term(operands[0]) if operands else None
    if operand is not None and operand.type == "numeric_lit" and operator == "-":
        return -_number(syntax.text(operand))
    if operand is not None and operand.type == "bool_lit" and operator == "!":
        return syntax.text(operand) == "false"
    return Unresolved(syntax.text(term).strip())


def _string_value(term: Any, syntax: Syntax) -> str | Unresolved:
    if any(part.type not in _STRING_PARTS for part in _named(term)):
        return Unresolved(syntax.text(term).strip())  # interpolation or template directive
    # between the quotes, not the template_literal nodes: those leave out edge whitespace
    raw = syntax.data[term.start_byte + 1 : term.end_byte - 1].decode("utf-8", "replace")
    return literal_chars(raw)


_STRING_PARTS = frozenset({"quoted_template_start", "template_literal", "quoted_template_end"})


def literal_chars(raw: str) -> str:
    """A quoted string's characters as written: escapes decoded, ``$${`` and ``%%{`` kept as the
    literal ``${`` and ``%{`` they stand for."""
    if "$${" not in raw and "%%{" not in raw:
        return unescape(raw)
    return "".join(piece[1:] if piece in ("$${", "%%{") else unescape(piece) for piece in _ESCAPED_TEMPLATE.split(raw))


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


def _heredoc_value(term: Any, syntax: Syntax) -> str | Unresolved:
    source = syntax.text(term)
    trim = any(child.type == "heredoc_start" and syntax.text(child) == "<<-" for child in term.children)
    lines = source.replace("\r\n", "\n").split("\n")
    body = lines[1:-1] if len(lines) >= 2 else []
    joined = "\n".join(body)
    if UNESCAPED_TEMPLATE.search(joined):
        return Unresolved(source.strip())
    if trim:
        indents = [len(line) - len(line.lstrip(" \t")) for line in body if line.strip()]
        cut = min(indents) if indents else 0
        body = [line[cut:] for line in body]
        joined = "\n".join(body)
    joined = joined.replace("$${", "${").replace("%%{", "%{")
    return joined + "\n" if body else ""
