"""OpenAPI (3.x) and Swagger (2.0) documents, and the walks rules make over them.

``$ref`` is followed here only inside the same document (``#/...``), a bounded number of hops,
never round a cycle. Path items and operations kept in other files of the repository are
inlined before the checks run (``load.openapi_refs``); other external references are left
alone: rules skip what they cannot see.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote

from tcop_lint.core.model import DataPath, Node, OpenApiDocument, Position

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
MAX_REF_HOPS = 32


def is_openapi(data: Any) -> bool:
    return (
        isinstance(data, Mapping)
        and ("openapi" in data or "swagger" in data)
        and isinstance(data.get("openapi", data.get("swagger")), (str, int, float))
    )


def openapi_document(file: str, data: Mapping[str, Any], positions: Mapping[DataPath, Position]) -> OpenApiDocument:
    version = data.get("openapi", data.get("swagger"))
    return OpenApiDocument(file=file, version=str(version), node=Node(data, positions))


def is_swagger2(doc: OpenApiDocument) -> bool:
    return "openapi" not in doc.node.data


def parse_pointer(reference: str) -> DataPath | None:
    """A local reference (``#/components/schemas/Pet``) as a DataPath; None for other references."""
    if not isinstance(reference, str) or not reference.startswith("#"):
        return None
    fragment = unquote(reference[1:])
    if fragment == "":
        return ()
    if not fragment.startswith("/"):
        return None
    return tuple(part.replace("~1", "/").replace("~0", "~") for part in fragment[1:].split("/"))


def value_at(root: Any, path: DataPath) -> tuple[bool, Any, DataPath]:
    """(found, the value at ``path``, the path with list indexes as ints)."""
    value, found = root, []
    for part in path:
        if isinstance(value, Mapping) and part in value:
            value = value[part]
            found.append(part)
        elif isinstance(value, list) and str(part).isdigit() and int(part) < len(value):
            value = value[int(part)]
            found.append(int(part))
        else:
            return False, None, ()
    return True, value, tuple(found)


def resolve_ref(doc: OpenApiDocument, value: Any, path: DataPath = ()) -> tuple[Any, DataPath]:
    """Follow local ``$ref``s from ``value`` (found at ``path``) to what they point at.

    Returns the value and where it lives. A value that is not a reference comes back as it
    is; an external, missing or circular reference gives ``(None, path)``.
    """
    seen: set[DataPath] = set()
    where = path
    for _ in range(MAX_REF_HOPS):
        if not (isinstance(value, Mapping) and isinstance(value.get("$ref"), str)):
            return value, where
        target = parse_pointer(value["$ref"])
        if target is None or target in seen:
            return None, path
        seen.add(target)
        ok, value, where = value_at(doc.node.data, target)
        if not ok:
            return None, path
    return None, path


def operations(doc: OpenApiDocument) -> Iterator[tuple[str, str, Mapping[str, Any], DataPath]]:
    """(path template, method, operation, where the operation is) for every operation."""
    paths = doc.node.data.get("paths")
    if not isinstance(paths, Mapping):
        return
    for template, item in paths.items():
        item, item_path = resolve_ref(doc, item, ("paths", template))
        if not isinstance(item, Mapping):
            continue
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, Mapping):
                yield str(template), method, operation, item_path + (method,)


def operation_parameters(
    doc: OpenApiDocument, operation_path: DataPath
) -> Iterator[tuple[Mapping[str, Any], DataPath]]:
    """The parameters that apply to one operation (path-level ones unless the operation
    redefines the same name and location), each resolved, with where it is written."""
    ok, operation, _ = value_at(doc.node.data, operation_path)
    ok_item, item, _ = value_at(doc.node.data, operation_path[:-1])
    own = list(_parameter_list(doc, operation, operation_path)) if ok else []
    names = {(p.get("name"), p.get("in")) for p, _ in own}
    inherited = [
        (p, where)
        for p, where in (_parameter_list(doc, item, operation_path[:-1]) if ok_item else ())
        if (p.get("name"), p.get("in")) not in names
    ]
    yield from inherited
    yield from own


def _parameter_list(
    doc: OpenApiDocument, holder: Any, holder_path: DataPath
) -> Iterator[tuple[Mapping[str, Any], DataPath]]:
    if not isinstance(holder, Mapping) or not isinstance(holder.get("parameters"), list):
        return
    for index, parameter in enumerate(holder["parameters"]):
        resolved, where = resolve_ref(doc, parameter, holder_path + ("parameters", index))
        if isinstance(resolved, Mapping):
            yield resolved, where


def all_parameters(doc: OpenApiDocument) -> Iterator[tuple[Mapping[str, Any], DataPath]]:
    """Every parameter object written in the document, once each (shared ones where they are
    defined): path-level, operation-level, components.parameters and Swagger's parameters."""
    seen: set[DataPath] = set()

    def fresh(items: Iterator[tuple[Mapping[str, Any], DataPath]]) -> Iterator[tuple[Mapping[str, Any], DataPath]]:
        for parameter, where in items:
            if where not in seen:
                seen.add(where)
                yield parameter, where

    data = doc.node.data
    paths = data.get("paths")
    if isinstance(paths, Mapping):
        for template, item in paths.items():
            item, item_path = resolve_ref(doc, item, ("paths", template))
            yield from fresh(_parameter_list(doc, item, item_path))
            if isinstance(item, Mapping):
                for method in METHODS:
                    yield from fresh(_parameter_list(doc, item.get(method), item_path + (method,)))
    for container_path in (("components", "parameters"), ("parameters",)):
        ok, container, _ = value_at(data, container_path)
        if ok and isinstance(container, Mapping):
            for name, parameter in container.items():
                resolved, where = resolve_ref(doc, parameter, container_path + (name,))
                if isinstance(resolved, Mapping):
                    yield from fresh(iter([(resolved, where)]))


def responses(doc: OpenApiDocument) -> Iterator[tuple[Mapping[str, Any], DataPath]]:
    """Every response object, once each: operations' responses (resolved) and the shared
    ones under components.responses (3.x) or responses (2.0)."""
    seen: set[DataPath] = set()
    found: list[tuple[Any, DataPath]] = []
    for _, _, operation, operation_path in operations(doc):
        answers = operation.get("responses")
        if isinstance(answers, Mapping):
            found += [(answer, operation_path + ("responses", code)) for code, answer in answers.items()]
    data = doc.node.data
    for container_path in (("components", "responses"), ("responses",)):
        ok, container, _ = value_at(data, container_path)
        if ok and isinstance(container, Mapping):
            found += [(answer, container_path + (code,)) for code, answer in container.items()]
    for answer, where in found:
        resolved, where = resolve_ref(doc, answer, where)
        if isinstance(resolved, Mapping) and where not in seen:
            seen.add(where)
            yield resolved, where


def response_headers(doc: OpenApiDocument) -> Iterator[tuple[str, DataPath]]:
    """Every response header name with the path of its key, once each; includes
    components.headers (3.x), which exist to be used in responses."""
    seen: set[DataPath] = set()
    for response, where in responses(doc):
        headers = response.get("headers")
        if isinstance(headers, Mapping):
            for name in headers:
                key_path = where + ("headers", name)
                if key_path not in seen:
                    seen.add(key_path)
                    yield str(name), key_path
    ok, shared, _ = value_at(doc.node.data, ("components", "headers"))
    if ok and isinstance(shared, Mapping):
        for name in shared:
            key_path = ("components", "headers", name)
            if key_path not in seen:
                seen.add(key_path)
                yield str(name), key_path


_NOT_SCHEMA_KEYS = frozenset({"example", "examples", "enum", "default", "const"})


def schema_properties(doc: OpenApiDocument) -> Iterator[tuple[str, Mapping[str, Any], DataPath]]:
    """Every named schema property written in the document, with where its key is: a value
    under a schema's ``properties`` (examples and extension values are not schemas)."""
    from tcop_lint.core.model import walk

    for path, value in walk(doc.node.data):
        if len(path) < 2 or path[-2] != "properties" or not isinstance(value, Mapping):
            continue
        if any(isinstance(p, str) and (p in _NOT_SCHEMA_KEYS or p.startswith("x-")) for p in path[:-1]):
            continue
        if len(path) >= 3 and path[-3] == "properties":
            continue  # a property that is itself named "properties"
        yield str(path[-1]), value, path


def media_type_keys(doc: OpenApiDocument) -> Iterator[tuple[str, DataPath]]:
    """Every media type the document names, with where: keys of ``content`` maps (3.x),
    entries of ``produces``/``consumes`` (2.0) and ``contentType`` of encoding objects."""
    from tcop_lint.core.model import walk

    for path, value in walk(doc.node.data):
        if not path or any(isinstance(p, str) and (p in _NOT_SCHEMA_KEYS or p.startswith("x-")) for p in path):
            continue
        if len(path) >= 2 and path[-2] == "content" and isinstance(value, Mapping):
            yield str(path[-1]), path
        elif len(path) >= 2 and path[-2] in ("produces", "consumes") and isinstance(value, str):
            yield value, path
        elif path[-1] == "contentType" and "encoding" in path and isinstance(value, str):
            yield value, path
