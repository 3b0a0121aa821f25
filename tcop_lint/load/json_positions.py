"""JSON (RFC 8259) with the position of every value: the one such parser, used for YAML-family
JSON documents (loaders.documents), Terraform's .tf.json and .tfvars.json (loaders.terraform)
and data files. Iterative, so a deeply nested file cannot raise RecursionError.

A mapping entry's position is where its key starts: the line a reader expects a finding on.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any

from tcop_lint.core.model import DataPath, Position

MAX_DEPTH = 500


class JsonError(ValueError):
    """Text that is not strict JSON; ``offset`` is where reading stopped."""

    def __init__(self, message: str, offset: int):
        super().__init__(message)
        self.offset = offset


_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS = (("true", True), ("false", False), ("null", None))


def _skip_ws(text: str, pos: int) -> int:
    """Where the whitespace starting at ``pos`` ends."""
    match = _WS.match(text, pos)
    assert match is not None  # the pattern matches the empty string, so it matches at any position
    return match.end()


def newlines_of(text: str) -> list[int]:
    return [match.start() for match in re.finditer("\n", text)]


def line_column(newlines: list[int], offset: int) -> tuple[int, int]:
    line = bisect_right(newlines, offset - 1)
    start = newlines[line - 1] + 1 if line else 0
    return line + 1, offset - start + 1


def parse_json(text: str) -> tuple[Any, dict[DataPath, Position]]:
    """Strict JSON (RFC 8259) with the position of every value; iterative, so any depth is
    safe up to MAX_DEPTH. Duplicate keys: the last one wins, as in ``json.loads``."""
    from json.decoder import scanstring  # type: ignore[attr-defined]  # defined at runtime; typeshed's stub omits it

    newlines = newlines_of(text)
    positions: dict[DataPath, Position] = {}

    def place(offset: int) -> Position:
        line, column = line_column(newlines, offset)
        return Position(line, column)

    def string_at(pos: int) -> tuple[str, int]:
        if text.startswith('"', pos):
            try:
                return scanstring(text, pos + 1, True)
            except ValueError as error:
                raise JsonError(str(error).split(":")[0], getattr(error, "pos", pos)) from None
        raise JsonError("expected a string", pos)

    def key_at(pos: int) -> tuple[str, int, int]:
        key_start = _skip_ws(text, pos)
        key, pos = string_at(key_start)
        pos = _skip_ws(text, pos)
        if not text.startswith(":", pos):
            raise JsonError("expected ':'", pos)
        return key, key_start, pos + 1

    # each frame: [container, path, pending key, where the pending key starts]
    stack: list[list[Any]] = []
    pos = 0
    root: Any = None
    while True:
        pos = _skip_ws(text, pos)
        path: DataPath
        if stack:
            top = stack[-1]
            if isinstance(top[0], dict):
                path, where = top[1] + (top[2],), top[3]
            else:
                path, where = top[1] + (len(top[0]),), pos
        else:
            path, where = (), pos
        positions[path] = place(where)
        char = text[pos : pos + 1]
        if char in ("{", "["):
            if len(stack) >= MAX_DEPTH:
                raise JsonError(f"nested more than {MAX_DEPTH} levels deep; not read", pos)
            container: Any = {} if char == "{" else []
            pos = _skip_ws(text, pos + 1)
            closer = "}" if char == "{" else "]"
            if text.startswith(closer, pos):
                value, pos = container, pos + 1
            else:
                frame = [container, path, None, 0]
                if char == "{":
                    frame[2], frame[3], pos = key_at(pos)
                stack.append(frame)
                continue
        elif char == '"':
            value, pos = string_at(pos)
        elif char and char in "-0123456789":
            match = _NUMBER.match(text, pos)
            if match is None:
                raise JsonError("bad number", pos)
            token = match.group()
            value = float(token) if match.group(1) or match.group(2) else int(token)
            pos = match.end()
        else:
            for word, literal in _LITERALS:
                if text.startswith(word, pos):
                    value, pos = literal, pos + len(word)
                    break
            else:
                raise JsonError("expected a value" if char else "unexpected end of text", pos)
        # a value is complete: attach it, then close every container that ends here
        while True:
            if not stack:
                root = value
                end = _skip_ws(text, pos)
                if end != len(text):
                    raise JsonError("extra data after the JSON value", end)
                return root, positions
            top = stack[-1]
            if isinstance(top[0], dict):
                top[0][top[2]] = value
            else:
                top[0].append(value)
            pos = _skip_ws(text, pos)
            char = text[pos : pos + 1]
            if char == ",":
                if isinstance(top[0], dict):
                    top[2], top[3], pos = key_at(pos + 1)
                else:
                    pos += 1
                break
            if char == ("}" if isinstance(top[0], dict) else "]"):
                stack.pop()
                value, pos = top[0], pos + 1
                continue
            raise JsonError("expected ',' or a closing bracket", pos)
