"""Kubernetes checks on how workloads run: resources, probes, scaling, redundancy, placement.

The cross-object checks (autoscalers, disruption budgets, production namespaces) index the
scan's objects once and then look each workload up, so they stay linear in the scan's size.
Objects without a namespace may be applied to any namespace, so they match either way.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase
from typing import Any

from tcop_lint.check.subjects import Subject
from tcop_lint.core.model import DataPath, Hit, K8sObject
from tcop_lint.core.settings import RuleContext

SCALED_KINDS = ("Deployment", "StatefulSet")
NOT_LONG_RUNNING = ("Job", "CronJob")
RUN_TO_COMPLETION = ("Never", "OnFailure")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _count(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _containers(pod: Mapping[str, Any], list_name: str) -> Iterator[tuple[DataPath, Mapping[str, Any], str]]:
    """(path in the pod spec, container, address suffix) of each container in one list."""
    for i, container in enumerate(_list(pod.get(list_name))):
        if isinstance(container, Mapping):
            name = container.get("name")
            yield (list_name, i), container, f"/{list_name}/{name if isinstance(name, str) and name else i}"


def _is_sidecar(container: Mapping[str, Any]) -> bool:
    """An init container that keeps running beside the app (restartPolicy: Always)."""
    return container.get("restartPolicy") == "Always"


def _deepest(data: Mapping[str, Any], path: DataPath) -> DataPath:
    """The longest prefix of ``path`` that exists in ``data``."""
    found: DataPath = ()
    value: Any = data
    for key in path:
        if not isinstance(value, Mapping) or value.get(key) is None:
            break
        value = value[key]
        found += (key,)
    return found


# --- TCOP-12-K8S-001 --------------------------------------------------------------------


@dataclass(frozen=True)
class NamespaceDefaults:
    """What the LimitRanges of a namespace give a container that sets nothing itself."""

    requests: frozenset[str] = frozenset()  # cpu, memory
    memory_limit: bool = False


def limit_range_defaults(objects: Sequence[K8sObject]) -> dict[str | None, NamespaceDefaults]:
    """Per namespace, the container defaults its LimitRanges set (``defaultRequest``, and
    ``default``, whose limits are also the requests when no request is given)."""
    found: dict[str | None, NamespaceDefaults] = {}
    for obj in objects:
        if obj.kind != "LimitRange":
            continue
        current = found.get(obj.namespace, NamespaceDefaults())
        requests, memory_limit = set(current.requests), current.memory_limit
        for entry in _list(_mapping(obj.node.data.get("spec")).get("limits")):
            entry = _mapping(entry)
            if entry.get("type", "Container") != "Container":
                continue
            for key in ("defaultRequest", "default"):
                requests.update(
                    name for name in ("cpu", "memory") if _mapping(entry.get(key)).get(name) not in (None, "")
                )
            memory_limit = memory_limit or _mapping(entry.get("default")).get("memory") not in (None, "")
        found[obj.namespace] = NamespaceDefaults(frozenset(requests), memory_limit)
    return found


_DEFAULTS_MEMO: list[tuple[Sequence[K8sObject], dict[str | None, NamespaceDefaults]]] = []


def _namespace_defaults(objects: Sequence[K8sObject]) -> dict[str | None, NamespaceDefaults]:
    """limit_range_defaults for this scan's objects, worked out once per scan, not per pod."""
    if not _DEFAULTS_MEMO or _DEFAULTS_MEMO[0][0] is not objects:
        _DEFAULTS_MEMO[:] = [(objects, limit_range_defaults(objects))]
    return _DEFAULTS_MEMO[0][1]


def missing_resource_requests(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """A warning per container without CPU and memory requests, a note per container without
    a memory limit, unless its pod or its namespace's LimitRange supplies them. Run-once init
    containers are left out: their requests matter little."""
    pod = subject.data
    if not isinstance(pod, Mapping):
        return
    containers = list(_containers(pod, "containers"))
    containers += [c for c in _containers(pod, "initContainers") if _is_sidecar(c[1])]
    namespace = subject.source.namespace if isinstance(subject.source, K8sObject) else None
    defaults = _namespace_defaults(ctx.documents.kubernetes).get(namespace, NamespaceDefaults())
    pod_resources = _mapping(pod.get("resources"))  # pod-level resources (Kubernetes 1.32+) cover every container
    pod_requests = {**_mapping(pod_resources.get("requests")), **{name: "default" for name in defaults.requests}}
    pod_memory_limit = defaults.memory_limit or _mapping(pod_resources.get("limits")).get("memory") not in (None, "")
    for base, container, suffix in containers:
        label = subject.address + suffix
        resources = _mapping(container.get("resources"))
        # Kubernetes copies a limit into a request the container leaves out
        requests = {**_mapping(resources.get("limits")), **_mapping(resources.get("requests"))}
        missing = [
            name
            for name in ("cpu", "memory")
            if requests.get(name) in (None, "") and pod_requests.get(name) in (None, "")
        ]
        if missing:
            what = " or ".join({"cpu": "CPU", "memory": "memory"}[m] for m in missing)
            yield subject.hit(
                f"{label} declares no {what} request",
                base + _deepest(container, ("resources", "requests")),
                address_suffix=suffix + "/requests",
            )
        if not pod_memory_limit and _mapping(resources.get("limits")).get("memory") in (None, ""):
            yield subject.hit(
                f"{label} sets no memory limit",
                base + _deepest(container, ("resources", "limits")),
                address_suffix=suffix + "/limits/memory",
                level="note",
            )


# --- TCOP-13-K8S-001 --------------------------------------------------------------------


def missing_probes(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """Long-running app containers without a readiness or liveness probe. Jobs, CronJobs,
    run-to-completion Pods, init and ephemeral containers are not long-running services."""
    pod = subject.data
    kind = subject.properties.get("kind")
    if not isinstance(pod, Mapping) or kind in NOT_LONG_RUNNING:
        return
    if kind == "Pod" and pod.get("restartPolicy") in RUN_TO_COMPLETION:
        return
    for base, container, suffix in _containers(pod, "containers"):
        missing = [name for name in ("readiness", "liveness") if not container.get(f"{name}Probe")]
        if missing:
            yield subject.hit(
                f"{subject.address}{suffix} has no {' or '.join(missing)} probe",
                base,
                address_suffix=suffix + "/probes",
            )


# --- Scale targets and disruption budgets, indexed once per scan -------------------------


@dataclass(frozen=True)
class Scalers:
    """The lowest replica count each scaled workload may fall to, keyed by where it lives."""

    exact: Mapping[tuple[str | None, str, str], int]  # (namespace, kind, name)
    by_name: Mapping[tuple[str, str], int]  # (kind, name), any namespace

    def minimum(self, obj: K8sObject) -> int | None:
        """The scaler's minimum replicas for ``obj``, or None when nothing scales it."""
        if obj.namespace is None:
            return self.by_name.get((obj.kind, obj.name))
        found = [self.exact.get(key) for key in ((obj.namespace, obj.kind, obj.name), (None, obj.kind, obj.name))]
        values = [v for v in found if v is not None]
        return max(values) if values else None


def _scale_target(obj: K8sObject) -> tuple[str, str, int] | None:
    """(kind, name, minimum replicas) that an autoscaler object targets."""
    spec = _mapping(obj.node.data.get("spec")) if isinstance(obj.node.data, Mapping) else {}
    ref = _mapping(spec.get("scaleTargetRef"))
    name = ref.get("name")
    if not isinstance(name, str) or not name:
        return None
    if obj.kind == "HorizontalPodAutoscaler":
        kind, minimum = ref.get("kind"), spec.get("minReplicas", 1)
    elif obj.kind == "ScaledObject" and obj.api_version.startswith("keda.sh/"):
        kind, minimum = ref.get("kind", "Deployment"), spec.get("minReplicaCount", 0)
    else:
        return None
    minimum = _count(minimum)
    return (kind, name, minimum if minimum is not None else 1) if isinstance(kind, str) else None


def index_scalers(objects: Iterable[K8sObject]) -> Scalers:
    """HorizontalPodAutoscalers and KEDA ScaledObjects by the workload they scale."""
    exact: dict[tuple[str | None, str, str], int] = {}
    by_name: dict[tuple[str, str], int] = {}
    for obj in objects:
        target = _scale_target(obj)
        if target is None:
            continue
        kind, name, minimum = target
        key = (obj.namespace, kind, name)
        exact[key] = max(minimum, exact.get(key, minimum))
        by_name[(kind, name)] = max(minimum, by_name.get((kind, name), minimum))
    return Scalers(exact, by_name)


def _replicas_path(obj: K8sObject) -> DataPath:
    spec = _mapping(obj.node.data.get("spec"))
    return ("spec", "replicas") if "replicas" in spec else ("metadata", "name")


def _hit(obj: K8sObject, message: str, path: DataPath, suffix: str = "") -> Hit:
    return Hit(
        file=obj.file,
        position=obj.node.locate(path),
        address=obj.address + suffix,
        message=message,
        properties={"kind": obj.kind},
        span=obj.node.locate(()),
    )


def _scaled_workloads(objects: Iterable[K8sObject]) -> Iterator[tuple[K8sObject, int]]:
    """Deployments and StatefulSets with their declared replicas (1 when unset), except
    those scaled to zero on purpose."""
    for obj in objects:
        if obj.kind not in SCALED_KINDS or not isinstance(obj.node.data, Mapping):
            continue
        spec = _mapping(obj.node.data.get("spec"))
        replicas = _count(spec.get("replicas", 1))
        if replicas != 0:
            yield obj, replicas if replicas is not None else 1


# --- TCOP-12-K8S-002 --------------------------------------------------------------------


def workloads_without_autoscaler(ctx: RuleContext) -> Iterator[Hit]:
    objects = ctx.documents.kubernetes
    scalers = index_scalers(objects)
    for obj, _ in _scaled_workloads(objects):
        if scalers.minimum(obj) is None:
            yield _hit(
                obj,
                f"{obj.address} runs a fixed number of replicas: no HorizontalPodAutoscaler in the scan targets it",
                _replicas_path(obj),
            )


# --- TCOP-13-K8S-002 --------------------------------------------------------------------


def _labels(data: Any) -> dict[str, str]:
    labels = _mapping(_mapping(data).get("labels"))
    return {str(k): str(v) for k, v in labels.items() if v is not None}


def selector_matches(selector: Any, labels: Mapping[str, str]) -> bool:
    """A Kubernetes label selector against a set of labels. A missing selector selects
    nothing; an empty one selects everything (policy/v1 PodDisruptionBudget semantics)."""
    if not isinstance(selector, Mapping):
        return False
    for key, value in _mapping(selector.get("matchLabels")).items():
        if labels.get(str(key)) != str(value):
            return False
    for expression in _list(selector.get("matchExpressions")):
        expression = _mapping(expression)
        key, operator = str(expression.get("key")), expression.get("operator")
        values = {str(v) for v in _list(expression.get("values"))}
        present = key in labels
        if operator == "In":
            ok = present and labels[key] in values
        elif operator == "NotIn":
            ok = not present or labels[key] not in values
        elif operator == "Exists":
            ok = present
        elif operator == "DoesNotExist":
            ok = not present
        else:
            ok = False
        if not ok:
            return False
    return True


def _marked_production(labels: Mapping[str, str], marks: Mapping[str, Any]) -> bool:
    wanted = {str(k).lower(): {str(v).lower() for v in _list(values)} for k, values in marks.items()}
    return any(value.lower() in wanted.get(key.lower(), ()) for key, value in labels.items())


def _template_labels(obj: K8sObject) -> dict[str, str]:
    return _labels(_mapping(_mapping(_mapping(obj.node.data.get("spec")).get("template")).get("metadata")))


# PodDisruptionBudget selectors by namespace; within it, by their first matchLabels pair, so
# a workload is compared only with the budgets that could select it.
BudgetIndex = Mapping[str | None, tuple[Mapping[tuple[str, str], list[Any]], list[Any]]]


def _index_budgets(objects: Iterable[K8sObject]) -> BudgetIndex:
    index: dict[str | None, tuple[dict[tuple[str, str], list[Any]], list[Any]]] = {}
    for obj in objects:
        if obj.kind != "PodDisruptionBudget" or not isinstance(obj.node.data, Mapping):
            continue
        selector = _mapping(obj.node.data.get("spec")).get("selector")
        keyed, general = index.setdefault(obj.namespace, ({}, []))
        first = next(iter(_mapping(_mapping(selector).get("matchLabels")).items()), None)
        if first is None:
            general.append(selector)
        else:
            keyed.setdefault((str(first[0]), str(first[1])), []).append(selector)
    return index


def _budget_candidates(index: BudgetIndex, namespace: str | None, labels: Mapping[str, str]) -> Iterator[Any]:
    for ns in index if namespace is None else (namespace, None):
        keyed, general = index.get(ns, ({}, []))
        yield from general
        for pair in labels.items():
            yield from keyed.get(pair, ())


def production_without_redundancy(ctx: RuleContext) -> Iterator[Hit]:
    """Production Deployments and StatefulSets that run one replica, or that no
    PodDisruptionBudget protects. Production is a namespace name pattern, or an environment
    label on the workload, its pods or its Namespace object."""
    objects = ctx.documents.kubernetes
    patterns = tuple(str(p) for p in _list(ctx.options["production_namespaces"]))
    marks = _mapping(ctx.options["production_labels"])
    production_namespaces = {
        obj.name
        for obj in objects
        if obj.kind == "Namespace" and _marked_production(_labels(obj.node.data.get("metadata")), marks)
    }
    budgets = _index_budgets(objects)
    scalers = index_scalers(objects)
    for obj, replicas in _scaled_workloads(objects):
        pod_labels = _template_labels(obj)
        namespace = obj.namespace
        production = (
            (
                namespace is not None
                and (namespace in production_namespaces or any(fnmatchcase(namespace, p) for p in patterns))
            )
            or _marked_production(_labels(obj.node.data.get("metadata")), marks)
            or _marked_production(pod_labels, marks)
        )
        if not production:
            continue
        minimum = scalers.minimum(obj)
        lowest = minimum if minimum is not None else replicas
        if lowest < 2:
            source = "its autoscaler allows" if minimum is not None else "it runs"
            yield _hit(
                obj,
                f"{obj.address} is a production workload but {source} a single replica, so one failure takes it "
                "offline",
                _replicas_path(obj),
                "/replicas",
            )
        if not any(
            selector_matches(selector, pod_labels) for selector in _budget_candidates(budgets, namespace, pod_labels)
        ):
            yield _hit(
                obj,
                f"{obj.address} is a production workload but no PodDisruptionBudget in the scan selects its pods",
                ("metadata", "name"),
                "/disruption-budget",
            )


# --- TCOP-05-K8S-001 --------------------------------------------------------------------

REGION_KEYS = ("topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region")
ZONE_KEYS = ("topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone")
# What follows the region in a zone name: AWS eu-west-2a, Google europe-west2-a,
# Azure uksouth-1, AWS Local Zones us-east-1-bos-1a.
_ZONE_SUFFIX = re.compile(r"-?[a-z]|-[0-9]{1,2}|-[a-z]{3}-[0-9]+[a-z]")


def _placements(pod: Mapping[str, Any]) -> Iterator[tuple[DataPath, str, Any]]:
    """(path, label key, value) of every region or zone a pod spec asks for."""
    keys = REGION_KEYS + ZONE_KEYS
    for key, value in _mapping(pod.get("nodeSelector")).items():
        if key in keys:
            yield ("nodeSelector", key), key, value
    affinity = _mapping(_mapping(pod.get("affinity")).get("nodeAffinity"))
    terms: list[tuple[DataPath, Any]] = []
    required = ("affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms")
    for t, term in enumerate(_list(_mapping(affinity.get(required[2])).get(required[3]))):
        terms.append((required + (t,), term))
    preferred = ("affinity", "nodeAffinity", "preferredDuringSchedulingIgnoredDuringExecution")
    for p, entry in enumerate(_list(affinity.get(preferred[2]))):
        terms.append((preferred + (p, "preference"), _mapping(entry).get("preference")))
    for path, term in terms:
        for e, expression in enumerate(_list(_mapping(term).get("matchExpressions"))):
            expression = _mapping(expression)
            match_key = expression.get("key")
            if isinstance(match_key, str) and match_key in keys and expression.get("operator") == "In":
                for v, value in enumerate(_list(expression.get("values"))):
                    yield path + ("matchExpressions", e, "values", v), match_key, value


def _allowed(value: str, key: str, allowed: frozenset[str]) -> bool:
    place = value.strip().lower().replace(" ", "")
    if place in allowed:
        return True
    return key in ZONE_KEYS and any(
        place.startswith(region) and _ZONE_SUFFIX.fullmatch(place[len(region) :]) for region in allowed
    )


def pinned_outside_allowed_regions(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    pod = subject.data
    if not isinstance(pod, Mapping):
        return
    allowed = frozenset(
        region.strip().lower().replace(" ", "")
        for regions in ctx.options["allowed_regions"].values()
        for region in regions
    )
    for path, key, value in _placements(pod):
        if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
            continue
        if _allowed(str(value), key, allowed):
            continue
        what = "zone" if key in ZONE_KEYS else "region"
        yield subject.hit(
            f"{subject.address} is pinned to the {what} {value} ({key}), which is not an allowed region",
            path,
            address_suffix=f"/{what}/{value}",
        )
