"""Kubernetes objects from parsed YAML or JSON documents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tcop_lint.core.model import DataPath, K8sObject, Node, Position


def is_kubernetes(data: Any) -> bool:
    return (
        isinstance(data, Mapping)
        and isinstance(data.get("apiVersion"), str)
        and isinstance(data.get("kind"), str)
        and bool(data["kind"])
    )


def is_list_kind(kind: str) -> bool:
    return kind == "List" or kind.endswith("List")


def kubernetes_objects(
    file: str, index: int, data: Mapping[str, Any], positions: Mapping[DataPath, Position]
) -> tuple[K8sObject, ...]:
    """The object a document holds, or the items of a ``List`` / ``*List`` document."""
    kind = data["kind"]
    if is_list_kind(kind):
        items = data.get("items")
        if not isinstance(items, list):
            return ()
        return tuple(
            _object(file, index, item, Node(item, positions, ("items", i)))
            for i, item in enumerate(items)
            if is_kubernetes(item) and not is_list_kind(item["kind"])
        )
    return (_object(file, index, data, Node(data, positions)),)


def _object(file: str, index: int, data: Mapping[str, Any], node: Node) -> K8sObject:
    metadata = data.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    name = metadata.get("name") or metadata.get("generateName") or ""
    namespace = metadata.get("namespace")
    return K8sObject(
        file=file,
        document_index=index,
        api_version=data["apiVersion"],
        kind=data["kind"],
        name=str(name),
        namespace=str(namespace) if namespace not in (None, "") else None,
        node=node,
    )
