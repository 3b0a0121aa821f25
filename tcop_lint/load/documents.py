"""YAML and JSON files as plain data with the position of every key's value and list item.

YAML is read from the parser's event stream and composed here with an explicit stack: no
object is ever constructed from a tag, aliases are shared rather than copied and their
expanded size is bounded (a "billion laughs" file costs nothing), and deep nesting is cut
off instead of recursing. The events come from PyYAML's libyaml binding when it is installed
(about 20 times faster than a pure-Python parser, see performance-notes.md) and otherwise
from ruamel.yaml's pure parser; both emit the same events with the same marks.

JSON is read by loaders.json_positions, an iterative parser, so a deeply nested file cannot
raise RecursionError either.

A mapping entry's position is where its key starts (and, for a scalar value, where the value
ends): that is the line a reader expects a finding about that entry on.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from tcop_lint.core.model import DataPath, K8sObject, LoadResult, OpenApiDocument, ParseProblem, Position
from tcop_lint.load.json_positions import JsonError, line_column, newlines_of
from tcop_lint.load.json_positions import parse_json as parse_json  # re-exported
from tcop_lint.load.kubernetes import is_kubernetes, is_kustomization_file, kubernetes_objects, kustomization
from tcop_lint.load.openapi import is_openapi, openapi_document
from tcop_lint.load.terraform_plan import load_plan, looks_like_plan

MAX_DEPTH = 500
# Expanded size (aliases counted at their full size) allowed for one document.
MIN_EXPANDED_NODES = 200_000
EXPANDED_RATIO = 20
HARD_EXPANDED_NODES = 5_000_000

_HELM_MARKERS = re.compile(
    r"\{\{-|-\}\}|\{\{\s*(?:\.Values|\.Release|\.Chart|\.Capabilities|\.Files|\.Template"
    r"|include\b|template\b|define\b|if\b|else\b|end\b|range\b|with\b|toYaml\b|tpl\b|\$\w*\s*:=)"
)
_DOCUMENT_START = re.compile(r"^---(?:[ \t]|$)")
_JSON_INTEREST = re.compile(r'"(?:openapi|swagger)"\s*:|"apiVersion"\s*:')


class _Broken(Exception):
    """A document tcop-lint will not read (too deep, alias bomb, complex key)."""

    def __init__(self, message: str, line: int, column: int = 0):
        super().__init__(message)
        self.line = line  # 0-based, relative to the text being parsed
        self.column = column


@dataclass(frozen=True)
class RawDocument:
    index: int
    data: Any
    positions: dict[DataPath, Position]


# --- entry points --------------------------------------------------------------------------


def load_yaml(file: str, text: str) -> LoadResult:
    try:
        return _load_yaml(file, text)
    except Exception as error:  # a loader never raises; an unexpected bug becomes a problem
        return LoadResult(problems=(ParseProblem(file, f"could not be read ({type(error).__name__}: {error})"),))


def load_json(file: str, text: str) -> LoadResult:
    try:
        return _load_json(file, text)
    except Exception as error:
        return LoadResult(problems=(ParseProblem(file, f"could not be read ({type(error).__name__}: {error})"),))


def _load_yaml(file: str, text: str) -> LoadResult:
    text, problem = _clean_text(file, text)
    if problem is not None:
        return LoadResult(problems=(problem,))
    if not any(word in text for word in ("apiVersion", "openapi", "swagger")) and not is_kustomization_file(file):
        return LoadResult()  # cannot be a manifest, a kustomization or an API description
    documents, problems = yaml_documents(file, text)
    if "{{" in text and (problems or _HELM_MARKERS.search(_outside_comments_and_block_scalars(text))):
        return LoadResult(problems=(_template_note(file),))
    return _route(file, documents, problems)


_BLOCK_SCALAR_START = re.compile(r"(?:^|[:\-]\s)\s*[|>][+-]?\d*\s*(?:#.*)?$")
_TRAILING_COMMENT = re.compile(r"(?:^|\s)#.*$")


def _outside_comments_and_block_scalars(text: str) -> str:
    """The text a template engine would act on in a manifest that is already valid YAML: a
    `{{ }}` in a comment or inside a block scalar (an alert rule's description, a script) is
    string content, not a Helm action."""
    kept: list[str] = []
    block_indent: int | None = None
    for line in text.splitlines():
        stripped = line.lstrip()
        indent = len(line) - len(stripped)
        if block_indent is not None:
            if not stripped or indent > block_indent:
                continue
            block_indent = None
        code = _TRAILING_COMMENT.sub("", line)
        if _BLOCK_SCALAR_START.search(code.rstrip()):
            block_indent = indent
        kept.append(code)
    return "\n".join(kept)


def _load_json(file: str, text: str) -> LoadResult:
    text, problem = _clean_text(file, text)
    if problem is not None:
        return LoadResult(problems=(problem,))
    if looks_like_plan(text):
        plan = load_plan(file, text)
        if plan is not None:
            return plan
    if not _JSON_INTEREST.search(text):
        return LoadResult()
    try:
        data, positions = parse_json(text)
    except JsonError as error:
        line, column = line_column(newlines_of(text), error.offset)
        return LoadResult(problems=(ParseProblem(file, f"JSON error: {error}", Position(line, column)),))
    return _route(file, [RawDocument(0, data, positions)], [])


def _clean_text(file: str, text: str) -> tuple[str, ParseProblem | None]:
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as error:
            return "", ParseProblem(file, f"not valid UTF-8 (byte {error.start}); skipped")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        line = text.count("\n", 0, error.start) + 1
        return "", ParseProblem(file, "not valid UTF-8 text; skipped", Position(line, 1))
    return text.removeprefix("\ufeff"), None


def _template_note(file: str) -> ParseProblem:
    return ParseProblem(
        file, "a Helm or Go template (contains '{{ }}' actions); not read as YAML", level="note", skipped=True
    )


def _route(file: str, documents: Iterable[RawDocument], problems: list[ParseProblem]) -> LoadResult:
    kubernetes: list[K8sObject] = []
    openapi: list[OpenApiDocument] = []
    for doc in documents:
        if is_kubernetes(doc.data):
            kubernetes.extend(kubernetes_objects(file, doc.index, doc.data, doc.positions))
        elif is_kustomization_file(file) and doc.index == 0 and isinstance(doc.data, dict):
            kubernetes.append(kustomization(file, doc.data, doc.positions))
        elif is_openapi(doc.data):
            openapi.append(openapi_document(file, doc.data, doc.positions))
    return LoadResult(kubernetes=tuple(kubernetes), openapi=tuple(openapi), problems=tuple(problems))


# --- YAML ----------------------------------------------------------------------------------


def _event_source() -> tuple[Callable[[str], Iterator[Any]], tuple[type[Exception], ...]]:
    try:
        import yaml

        loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
        return (lambda text: yaml.parse(text, Loader=loader)), (yaml.YAMLError,)
    except ImportError:  # pragma: no cover - PyYAML is a dependency; ruamel.yaml is the fallback
        return ruamel_events, _ruamel_errors()


def ruamel_events(text: str) -> Iterator[Any]:
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).parse(text)


def _ruamel_errors() -> tuple[type[Exception], ...]:
    from ruamel.yaml.error import YAMLError

    return (YAMLError,)


def yaml_documents(
    file: str, text: str, events: Callable[[str], Iterator[Any]] | None = None
) -> tuple[list[RawDocument], list[ParseProblem]]:
    """Every document of a YAML stream; a broken one becomes a problem and reading resumes at
    the next ``---`` line after the error."""
    if events is None:
        events, errors = _event_source()
    else:
        errors = _ruamel_errors()
        try:
            import yaml

            errors += (yaml.YAMLError,)
        except ImportError:  # pragma: no cover
            pass
    documents: list[RawDocument] = []
    problems: list[ParseProblem] = []
    lines = text.split("\n")
    offset = 0
    state = _StreamState()
    while True:
        segment = text if offset == 0 else "\n".join(lines[offset:])
        try:
            for doc in _compose(events(segment), offset, file, state, problems):
                documents.append(doc)
            return documents, problems
        except errors as error:
            line, column = _error_mark(error)
            message = _yaml_message(error)
        except _Broken as error:
            line, column, message = error.line, error.column, str(error)
        except RecursionError:  # the parser itself recursed; defensive, libyaml does not
            line, column, message = 0, 0, "nesting too deep to read"
        absolute = offset + line
        if absolute < len(lines) and "\t" in lines[absolute][: column + 1] and "tab" not in message:
            message += " (a tab; YAML does not allow tabs for indentation)"
        problems.append(ParseProblem(file, message, Position(absolute + 1, column + 1)))
        resume = next((n for n in range(absolute + 1, len(lines)) if _DOCUMENT_START.match(lines[n])), None)
        if resume is None:
            return documents, problems
        offset = resume


def _error_mark(error: Exception) -> tuple[int, int]:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    if mark is None:
        return 0, 0
    return int(getattr(mark, "line", 0) or 0), int(getattr(mark, "column", 0) or 0)


def _yaml_message(error: Exception) -> str:
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    context = getattr(error, "context", None)
    text = f"{context}: {problem}" if context else str(problem)
    return f"YAML error: {text}"


@dataclass
class _StreamState:
    index: int = -1  # index of the last document begun


@dataclass
class _Frame:
    container: Any
    path: DataPath
    anchor: str | None
    start: Any
    size: int = 1
    key: Any = None
    key_mark: Any = None
    has_key: bool = False
    merge_key: bool = False
    merges: list = field(default_factory=list)
    merge_position: Position | None = None


def _position(start: Any, offset: int, end: Any = None) -> Position:
    if end is None:
        return Position(start.line + offset + 1, start.column + 1)
    return Position(start.line + offset + 1, start.column + 1, end.line + offset + 1, end.column + 1)


def _compose(
    events: Iterator[Any], offset: int, file: str, state: _StreamState, problems: list[ParseProblem]
) -> Iterator[RawDocument]:
    stack: list[_Frame] = []
    anchors: dict[str, tuple[Any, int]] = {}
    positions: dict[DataPath, Position] = {}
    nodes = 0
    for event in events:
        name = type(event).__name__
        if name == "DocumentStartEvent":
            state.index += 1
            anchors, positions, nodes = {}, {}, 0
            continue
        if name in ("ScalarEvent", "AliasEvent"):
            nodes += 1
            if name == "AliasEvent":
                if event.anchor not in anchors:
                    raise _Broken(
                        f"YAML error: alias *{event.anchor} refers to no complete anchor",
                        event.start_mark.line,
                        event.start_mark.column,
                    )
                value, size = anchors[event.anchor]
                text = value if isinstance(value, str) else None
            else:
                value, size, text = _scalar(event), 1, event.value
                if event.anchor:
                    anchors[event.anchor] = (value, 1)
            parent = stack[-1] if stack else None
            if parent is not None and isinstance(parent.container, dict) and not parent.has_key:
                if text is None:
                    raise _Broken(
                        "YAML error: mapping keys that are not plain text are not supported",
                        event.start_mark.line,
                        event.start_mark.column,
                    )
                parent.key, parent.key_mark, parent.has_key = text, event.start_mark, True
                parent.merge_key = name == "ScalarEvent" and text == "<<" and bool(event.implicit[0])
                continue
            scalar_end = event.end_mark if name == "ScalarEvent" else None
            root = _attach(stack, positions, value, size, event.start_mark, scalar_end, offset, file, problems)
            if root:
                yield _finish(value, size, nodes, positions, event.start_mark, offset, state)
            elif size > HARD_EXPANDED_NODES or (stack and stack[0].size > HARD_EXPANDED_NODES):
                raise _Broken(
                    "aliases expand to too large a document; not read", event.start_mark.line, event.start_mark.column
                )
            continue
        if name in ("MappingStartEvent", "SequenceStartEvent"):
            nodes += 1
            parent = stack[-1] if stack else None
            if parent is not None and isinstance(parent.container, dict) and not parent.has_key:
                raise _Broken(
                    "YAML error: mapping keys that are collections are not supported",
                    event.start_mark.line,
                    event.start_mark.column,
                )
            if len(stack) >= MAX_DEPTH:
                raise _Broken(
                    f"nested more than {MAX_DEPTH} levels deep; not read",
                    event.start_mark.line,
                    event.start_mark.column,
                )
            path = _child_path(parent)
            container: Any = {} if name == "MappingStartEvent" else []
            stack.append(_Frame(container, path, event.anchor, event.start_mark))
            continue
        if name in ("MappingEndEvent", "SequenceEndEvent"):
            frame = stack.pop()
            if frame.merges:
                _merge(frame, positions)
            value = frame.container
            if frame.anchor:
                anchors[frame.anchor] = (value, frame.size)
            root = _attach(stack, positions, value, frame.size, frame.start, None, offset, file, problems)
            if root:
                yield _finish(value, frame.size, nodes, positions, frame.start, offset, state)


def _child_path(parent: _Frame | None) -> DataPath:
    if parent is None:
        return ()
    if isinstance(parent.container, dict):
        return parent.path + (parent.key,)
    return parent.path + (len(parent.container),)


def _attach(
    stack: list[_Frame],
    positions: dict[DataPath, Position],
    value: Any,
    size: int,
    start: Any,
    scalar_end: Any,
    offset: int,
    file: str,
    problems: list[ParseProblem],
) -> bool:
    """Put a finished node into its parent; True when it is the document's root."""
    if not stack:
        return True
    parent = stack[-1]
    parent.size += size
    if isinstance(parent.container, list):
        positions[parent.path + (len(parent.container),)] = _position(start, offset, scalar_end)
        parent.container.append(value)
        return False
    key, key_mark = parent.key, parent.key_mark
    parent.has_key = False
    if parent.merge_key:
        parent.merges.append(value)
        parent.merge_position = _position(key_mark, offset)
        return False
    if key in parent.container:
        problems.append(ParseProblem(file, f"duplicate key {key!r}; the last one is used", _position(key_mark, offset)))
    parent.container[key] = value
    positions[parent.path + (key,)] = (
        _position(key_mark, offset, scalar_end) if scalar_end is not None else _position(key_mark, offset)
    )
    return False


def _merge(frame: _Frame, positions: dict[DataPath, Position]) -> None:
    """YAML merge keys (``<<: *base``): keys written here win, then earlier merges."""
    for merged in frame.merges:
        for source in merged if isinstance(merged, list) else [merged]:
            if not isinstance(source, dict):
                raise _Broken(
                    "YAML error: a merge key (<<) needs a mapping or a list of mappings",
                    frame.start.line,
                    frame.start.column,
                )
            for key, value in source.items():
                if key not in frame.container:
                    frame.container[key] = value
                    if frame.merge_position is not None:
                        positions[frame.path + (key,)] = frame.merge_position


def _finish(
    value: Any, size: int, nodes: int, positions: dict[DataPath, Position], start: Any, offset: int, state: _StreamState
) -> RawDocument:
    if size > max(MIN_EXPANDED_NODES, EXPANDED_RATIO * nodes):
        raise _Broken("aliases expand to too large a document; not read", start.line, start.column)
    positions[()] = _position(start, offset)
    return RawDocument(state.index, value, positions)


_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_BOOLS = {
    **dict.fromkeys(("true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"), False),
}
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9_]*)")
_HEX = re.compile(r"[-+]?0x[0-9a-fA-F_]+")
_OCTAL = re.compile(r"[-+]?0o?[0-7_]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9][0-9_]*(?:\.[0-9_]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL_FLOATS = {".inf": float("inf"), "+.inf": float("inf"), "-.inf": float("-inf"), ".nan": float("nan")}
_CORE_TAGS = frozenset("tag:yaml.org,2002:" + name for name in ("null", "bool", "int", "float"))


def _scalar(event: Any) -> Any:
    """Plain scalars resolve as Kubernetes' YAML reader does (YAML 1.1 booleans and octal);
    quoted or otherwise tagged scalars stay text; timestamps stay text."""
    text = event.value
    if not event.implicit[0] and event.tag not in _CORE_TAGS:
        return text
    return resolve_plain(text)


def resolve_plain(text: str) -> Any:
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if len(text) > 64 or not text or text[0] not in "+-.0123456789":
        return text
    try:
        if _INT.fullmatch(text):
            return int(text.replace("_", ""))
        if _HEX.fullmatch(text):
            return int(text.replace("_", ""), 16)
        if _OCTAL.fullmatch(text):
            return int(text.replace("_", "").replace("0o", "0"), 8)
        if _FLOAT.fullmatch(text) and any(c.isdigit() for c in text):
            return float(text.replace("_", ""))
    except ValueError:
        return text
    return _SPECIAL_FLOATS.get(text.lower(), text)
