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


KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml")


def is_kustomization_file(file: str) -> bool:
    return file.rpartition("/")[2] in KUSTOMIZATION_NAMES


def kustomization(file: str, data: Mapping[str, Any], positions: Mapping[DataPath, Position]) -> K8sObject:
    """A kustomization file that leaves out apiVersion and kind, as kustomize allows: it is read
    as the Kustomization it is, so that what it changes at build time (images) is known."""
    return K8sObject(
        file=file,
        document_index=0,
        api_version="kustomize.config.k8s.io/v1beta1",
        kind="Kustomization",
        name=str(_metadata(data).get("name") or ""),
        namespace=None,
        node=Node(data, positions),
    )


def _metadata(data: Mapping[str, Any]) -> Mapping[str, Any]:
    metadata = data.get("metadata")
    return metadata if isinstance(metadata, Mapping) else {}


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
