"""Subjects: the things a check looks at, cut from the loaded documents.

A rule names a target (``terraform.resource``, ``kubernetes.container`` ...); this module
yields one Subject per matching thing, with the plain data and positions of just that part.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from fnmatch import translate
from functools import lru_cache
from typing import Any

from tcop_lint.core.model import (
    DataPath,
    Documents,
    Hit,
    K8sObject,
    Level,
    Node,
    Position,
    TfResource,
)


@dataclass(frozen=True)
class Subject:
    kind: str
    file: str
    address: str
    node: Node
    source: Any  # the TfResource, TfBlock, K8sObject or OpenApiDocument it came from
    properties: Mapping[str, Any] = field(default_factory=dict)

    @property
    def data(self) -> Any:
        return self.node.data

    @property
    def position(self) -> Position:
        return self.node.locate(())

    def hit(
        self,
        message: str,
        path: DataPath = (),
        *,
        address_suffix: str = "",
        level: Level | None = None,
        properties: Mapping[str, Any] | None = None,
        key: str = "",
    ) -> Hit:
        """A Hit at ``path`` inside this subject (nearest known position)."""
        props = dict(self.properties)
        props.update(properties or {})
        file_at = getattr(self.source, "file_at", None)  # an OpenAPI document's inlined files
        return Hit(
            file=file_at(self.node.base + tuple(path)) if file_at is not None else self.file,
            position=self.node.locate(path),
            address=self.address + address_suffix,
            message=message,
            properties=props,
            level=level,
            span=self.node.locate(()),
            key=key,
        )


POD_SPEC_PATHS: Mapping[str, DataPath] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
CONTAINER_LISTS = ("initContainers", "containers", "ephemeralContainers")


def _dig(data: Any, path: DataPath) -> Any:
    for key in path:
        if isinstance(data, Mapping) and key in data:
            data = data[key]
        else:
            return None
    return data


def never_created(data: Any) -> bool:
    """``count = 0`` or an empty ``for_each``: the resource (or module) exists in no plan."""
    if not isinstance(data, Mapping):
        return False
    count = data.get("count")
    for_each = data.get("for_each", None)
    if isinstance(count, int) and not isinstance(count, bool) and count == 0:
        return True
    return isinstance(for_each, (list, dict)) and not for_each


def pod_spec(obj: K8sObject) -> tuple[DataPath, Mapping] | None:
    path = POD_SPEC_PATHS.get(obj.kind)
    if path is None:
        return None
    spec = _dig(obj.node.data, path)
    return (path, spec) if isinstance(spec, Mapping) else None


@lru_cache(maxsize=256)
def type_matcher(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """One compiled test for a list of fnmatch patterns (it runs once per resource per check)."""
    exact = frozenset(p for p in patterns if not any(c in p for c in "*?["))
    wild = [p for p in patterns if p not in exact]
    combined = re.compile("|".join(translate(p) for p in wild)) if wild else None
    return lambda name: name in exact or (combined is not None and combined.match(name) is not None)


def _terraform_resources(documents: Documents, spec: Mapping[str, Any], mode: str) -> Iterator[Subject]:
    wanted = type_matcher(tuple(spec.get("types") or ("*",)))
    for module in documents.terraform:
        for resource in module.resources:
            block = resource.block
            if block.block_type != mode or not wanted(resource.type):
                continue
            yield Subject(
                kind=f"terraform.{mode}",
                file=block.file,
                address=module.qualified(resource.address),
                node=block.body,
                source=resource,
                properties={"provider": resource.provider, "resource_type": resource.type},
            )


def variant_subjects(subject: Subject) -> list[tuple[str, Subject]]:
    """A resource under each assignment of the unknown conditions it depends on (none when
    it has no variants): (condition, the subject as it is then)."""
    resource = subject.source
    if not isinstance(resource, TfResource) or not resource.variants:
        return []
    return [
        (variant.condition, replace(subject, node=variant.resource.block.body, source=variant.resource))
        for variant in resource.variants
    ]


def _terraform_blocks(documents: Documents, spec: Mapping[str, Any]) -> Iterator[Subject]:
    wanted = tuple(spec.get("block_types") or ())
    for module in documents.terraform:
        for block in module.blocks:
            if wanted and block.block_type not in wanted:
                continue
            yield Subject(
                kind="terraform.block",
                file=block.file,
                address=block.address if module.directory == "" else f"{module.directory}:{block.address}",
                node=block.body,
                source=block,
            )


def _kubernetes_objects(documents: Documents, spec: Mapping[str, Any]) -> Iterator[Subject]:
    kinds = tuple(spec.get("kinds") or ())
    for obj in documents.kubernetes:
        if kinds and obj.kind not in kinds:
            continue
        yield Subject("kubernetes.object", obj.file, obj.address, obj.node, obj, {"kind": obj.kind})


def _kubernetes_pod_specs(documents: Documents, spec: Mapping[str, Any]) -> Iterator[Subject]:
    for obj in documents.kubernetes:
        found = pod_spec(obj)
        if found is None:
            continue
        path, _ = found
        yield Subject("kubernetes.pod_spec", obj.file, obj.address, obj.node.child(path), obj, {"kind": obj.kind})


def _kubernetes_containers(documents: Documents, spec: Mapping[str, Any]) -> Iterator[Subject]:
    for obj in documents.kubernetes:
        found = pod_spec(obj)
        if found is None:
            continue
        path, pod = found
        for list_name in CONTAINER_LISTS:
            containers = pod.get(list_name)
            if not isinstance(containers, list):
                continue
            for index, container in enumerate(containers):
                if not isinstance(container, Mapping):
                    continue
                name = container.get("name")
                yield Subject(
                    "kubernetes.container",
                    obj.file,
                    f"{obj.address}/{list_name}/{name if isinstance(name, str) else index}",
                    obj.node.child(path + (list_name, index)),
                    obj,
                    {"kind": obj.kind, "container": name},
                )


def _openapi_documents(documents: Documents, spec: Mapping[str, Any]) -> Iterator[Subject]:
    for doc in documents.openapi:
        yield Subject("openapi.document", doc.file, "#", doc.node, doc, {"openapi_version": doc.version})


TARGETS: Mapping[str, Callable[[Documents, Mapping[str, Any]], Iterable[Subject]]] = {
    "terraform.resource": lambda d, s: _terraform_resources(d, s, "resource"),
    "terraform.data": lambda d, s: _terraform_resources(d, s, "data"),
    "terraform.block": _terraform_blocks,
    "kubernetes.object": _kubernetes_objects,
    "kubernetes.pod_spec": _kubernetes_pod_specs,
    "kubernetes.container": _kubernetes_containers,
    "openapi.document": _openapi_documents,
}


def subjects(documents: Documents, rule: Mapping[str, Any]) -> Iterator[Subject]:
    yield from TARGETS[rule["target"]](documents, rule)
