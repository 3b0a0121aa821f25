"""Path items and operations that an OpenAPI document keeps in other files, inlined.

``paths: {/x: {$ref: paths/x.yaml}}`` and ``get: {$ref: ops/get-x.yaml}`` (and ``paths: {$ref:
paths.yaml}``, which bundlers accept) are followed when the
target is a relative file below the scanned root (never a URL, never out of the root), a bounded
number of hops, never round a cycle. The content is inlined into the document's data with the
target file's positions, and the document records which file each inlined part came from, so
that findings on it point into that file. ``$ref``s inside inlined content are rewritten to be
relative to the document (``#/...`` when they point back into it), so local-reference walks
keep their meaning. A target that is missing, unreadable, not parsed or points at nothing is a
problem on the document, at the ``$ref``; the reference is then left as written.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from tcop_lint.core.files import LinkOut, NotRegular, read_file
from tcop_lint.core.model import DataPath, Node, OpenApiDocument, ParseProblem, Position, json_pointer
from tcop_lint.load.documents import parse_json, yaml_documents
from tcop_lint.load.openapi import MAX_REF_HOPS, METHODS, parse_pointer, value_at

MAX_FILES = 2000  # distinct files one scan reads for references
Fragment = tuple[Any, Mapping[DataPath, Position]]
Reader = Callable[[str], "Fragment | str"]


def _split(reference: str) -> tuple[str, str] | None:
    """(file part, fragment) of a relative file reference; None for local refs and URLs."""
    if not isinstance(reference, str) or reference.startswith("#") or not reference.strip():
        return None
    file_part, _, fragment = reference.partition("#")
    if ":" in file_part.split("/", 1)[0] or file_part.startswith(("/", "\\")) or "\\" in file_part:
        return None  # a URL (https:, file:), an absolute path or a Windows path: never followed
    return unquote(file_part), "#" + fragment


def _target_file(holder_file: str, file_part: str) -> str | None:
    """Repository-relative posix path of ``file_part`` written in ``holder_file``; None when it
    climbs out of the root."""
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(holder_file), file_part))
    if joined.startswith("../") or joined == ".." or posixpath.isabs(joined):
        return None
    return joined


def file_reader(root: Path, limit: int) -> Reader:
    """Reads and parses a file below ``root`` (YAML or JSON), once each; a string says why not."""
    cache: dict[str, Fragment | str] = {}

    def read(name: str) -> Fragment | str:
        if name in cache:
            return cache[name]
        if len(cache) >= MAX_FILES:
            return "too many referenced files; not followed"
        cache[name] = found = _parse(root, name, limit)
        return found

    return read


def _parse(root: Path, name: str, limit: int) -> Fragment | str:
    try:
        raw, size = read_file(root, name, limit + 1)
    except LinkOut:
        return "is a link out of the scanned root; not followed"
    except NotRegular:
        return "no such file"
    except OSError as error:
        return f"cannot be read ({error.strerror or error})"
    if size > limit:
        return "is larger than max_file_bytes; not read"
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        return "is not valid UTF-8"
    if name.lower().endswith(".json"):
        try:
            return parse_json(text)
        except Exception as error:  # JsonError and anything odd: a problem, never a crash
            return f"is not valid JSON ({error})"
    documents, problems = yaml_documents(name, text)
    if problems or not documents:
        return f"is not valid YAML ({problems[0].message})" if problems else "is empty"
    return documents[0].data, documents[0].positions


def _at(data: Any, fragment: str) -> tuple[bool, Any, DataPath]:
    pointer = parse_pointer(fragment)
    return (False, None, ()) if pointer is None else value_at(data, pointer)


def _rewrite(value: Any, source: str, document: str) -> Any:
    """A copy of ``value`` (from ``source``) whose ``$ref``s mean the same from ``document``."""
    if isinstance(value, Mapping):
        copied = {key: _rewrite(item, source, document) for key, item in value.items()}
        reference = copied.get("$ref")
        if isinstance(reference, str):
            copied["$ref"] = _relative_ref(reference, source, document)
        return copied
    if isinstance(value, list):
        return [_rewrite(item, source, document) for item in value]
    return value


def _relative_ref(reference: str, source: str, document: str) -> str:
    if reference.startswith("#"):
        if source == document:
            return reference
        file_part, fragment = "", reference
    else:
        split = _split(reference)
        if split is None:
            return reference
        file_part, fragment = split
    target = _target_file(source, file_part) if file_part else source
    if target is None:
        return reference
    if target == document:
        return fragment if fragment != "#" else "#"
    relative = posixpath.relpath(target, posixpath.dirname(document) or ".")
    return relative + (fragment if fragment != "#" else "")


@dataclass
class _Inlining:
    """What inlining one document gathers: positions, where content came from, problems."""

    doc: OpenApiDocument
    read: Reader
    positions: dict[DataPath, Position]
    inlined: list[tuple[DataPath, str, bool]] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)


def _problem(state: _Inlining, where: DataPath, reference: Any, why: str) -> None:
    position = state.positions.get(where + ("$ref",)) or state.doc.node.locate(where)
    state.problems.append(ParseProblem(state.doc.file, f"#{json_pointer(where)}: $ref {reference} {why}", position))


def _follow(state: _Inlining, value: Any, where: DataPath, with_self: bool) -> Any:
    """``value`` (at ``where``) with a chain of file references replaced by what they point
    at, rewritten and positioned; as it is when it is not one or cannot be followed."""
    written = value.get("$ref") if isinstance(value, Mapping) else None
    holder, current, chain_file = state.doc.file, value, None
    base: DataPath = ()
    last_fragment = "#"
    last_positions: Mapping[DataPath, Position] = {}
    seen: set[tuple[str, str]] = set()
    for _ in range(MAX_REF_HOPS):
        reference = current.get("$ref") if isinstance(current, Mapping) else None
        split = _split(reference) if isinstance(reference, str) else None
        if split is None:
            break
        file_part, fragment = split
        target = _target_file(holder, file_part) if file_part else holder
        if target is None:
            _problem(state, where, written, "points outside the scanned root; not followed")
            return value
        if (target, fragment) in seen:
            _problem(state, where, written, f"is circular (round {target}); not followed")
            return value
        seen.add((target, fragment))
        loaded = state.read(target)
        if isinstance(loaded, str):
            _problem(state, where, written, f"cannot be followed: {target} {loaded}")
            return value
        data, positions = loaded
        ok, current, base = _at(data, fragment)
        if not ok:
            _problem(state, where, written, f"points at nothing in {target}")
            return value
        holder, chain_file, last_fragment, last_positions = target, target, fragment, positions
    else:
        _problem(state, where, written, f"goes through more than {MAX_REF_HOPS} references; not followed")
        return value
    if chain_file is None:
        return value
    if chain_file == state.doc.file:
        return {"$ref": last_fragment}  # back into the document itself: a local reference
    for path, position in last_positions.items():
        if tuple(path[: len(base)]) == base and (len(path) > len(base) or with_self):
            state.positions[where + tuple(path[len(base) :])] = position
    state.inlined.append((where, chain_file, with_self))
    return _rewrite(current, chain_file, state.doc.file)


def _paths(state: _Inlining, paths: Mapping[str, Any]) -> dict[str, Any]:
    resolved: dict[str, Any] = {}
    for template, item in paths.items():
        where: DataPath = ("paths", template)
        item = _follow(state, item, where, with_self=False)
        if isinstance(item, Mapping):
            item = dict(item)
            for method in METHODS:
                if isinstance(item.get(method), Mapping):
                    item[method] = _follow(state, item[method], where + (method,), with_self=True)
        resolved[template] = item
    return resolved


def has_file_refs(doc: OpenApiDocument) -> bool:
    paths = doc.node.data.get("paths")
    if not isinstance(paths, Mapping):
        return False
    if _split(paths.get("$ref", "")) is not None:
        return True
    for item in paths.values():
        if not isinstance(item, Mapping):
            continue
        if _split(item.get("$ref", "")) is not None:
            return True
        if any(isinstance(item.get(m), Mapping) and _split(item[m].get("$ref", "")) is not None for m in METHODS):
            return True
    return False


def inline_file_refs(doc: OpenApiDocument, read: Reader) -> tuple[OpenApiDocument, tuple[ParseProblem, ...]]:
    """``doc`` with its path items and operations from other files inlined, and the problems
    with references that could not be followed."""
    if not has_file_refs(doc):
        return doc, ()
    state = _Inlining(doc, read, dict(doc.node.positions))
    data = dict(doc.node.data)
    # The whole Paths object in another file is not in the specification, but bundlers take it.
    paths = _follow(state, data["paths"], ("paths",), with_self=True)
    data["paths"] = _paths(state, paths) if isinstance(paths, Mapping) else paths
    if not state.inlined:
        return doc, tuple(state.problems)
    node = Node(data, state.positions, doc.node.base)
    return replace(doc, node=node, inlined=tuple(state.inlined)), tuple(state.problems)


def inline_all(
    documents: Iterable[OpenApiDocument], root: Path, limit: int
) -> tuple[tuple[OpenApiDocument, ...], tuple[ParseProblem, ...]]:
    """Every document with its file references inlined (one reader, so each file is parsed once)."""
    read = file_reader(root, limit)
    docs: list[OpenApiDocument] = []
    problems: list[ParseProblem] = []
    for doc in documents:
        resolved, found = inline_file_refs(doc, read)
        docs.append(resolved)
        problems.extend(sorted(found, key=lambda p: (p.position or Position(0), p.message)))
    return tuple(docs), tuple(problems)
