"""Kubernetes access and separation: RBAC roles with wildcards (TCOP-06-K8S-010), with the
escalate, bind or impersonate verbs (TCOP-06-K8S-011), ClusterRoles that read Secrets across the
cluster (TCOP-06-K8S-012), bindings for anonymous users (TCOP-06-K8S-013), and workloads that no
NetworkPolicy selects (TCOP-06-K8S-014).

A rule grants an operation when its apiGroups, resources and verbs each name it. Wildcards are
reported once, by TCOP-06-K8S-010, whose message says what they include; the other role checks
read explicit grants only, so one rule is not reported three times. Objects without a
namespace may be applied to any namespace, so they match either way.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tcop_lint.check.rules.kubernetes_workloads import selector_matches
from tcop_lint.check.subjects import POD_SPEC_PATHS, Subject, pod_spec
from tcop_lint.core.model import DataPath, Hit, K8sObject, Level
from tcop_lint.core.settings import RuleContext

RBAC_GROUP = "rbac.authorization.k8s.io"
ANONYMOUS = frozenset({"system:anonymous", "system:unauthenticated"})
READ_VERBS = frozenset({"get", "list", "watch"})


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _strings(value: Any) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _rules(data: Any) -> list[tuple[int, Mapping[str, Any]]]:
    rules = _mapping(data).get("rules")
    return [(i, r) for i, r in enumerate(rules) if isinstance(r, Mapping)] if isinstance(rules, list) else []


@dataclass(frozen=True)
class Operation:
    verb: str
    groups: frozenset[str]
    resources: frozenset[str]
    meaning: str


ESCALATION = (
    Operation("escalate", frozenset({RBAC_GROUP}), frozenset({"roles", "clusterroles"}), "grant itself any permission"),
    Operation("bind", frozenset({RBAC_GROUP}), frozenset({"roles", "clusterroles"}), "bind any role to anyone"),
    Operation(
        "impersonate",
        frozenset({"", "authentication.k8s.io"}),
        frozenset({"users", "groups", "serviceaccounts", "uids", "userextras/scopes", "userextras/*"}),
        "act as other users, groups or service accounts",
    ),
)


def _grants(rule: Mapping[str, Any], operation: Operation) -> bool:
    """The rule names the operation explicitly (no wildcards: TCOP-06-K8S-010 reports those)."""
    resources = {r.split("/")[0] if not r.startswith("userextras") else r for r in _strings(rule.get("resources"))}
    return (
        operation.verb in _strings(rule.get("verbs"))
        and bool(operation.groups & set(_strings(rule.get("apiGroups"))))
        and bool(operation.resources & resources)
        and not rule.get("resourceNames")
    )


# --- TCOP-06-K8S-010 ----------------------------------------------------------------------


def rbac_wildcards(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    for index, rule in _rules(subject.data):
        verbs, resources = _strings(rule.get("verbs")), _strings(rule.get("resources"))
        if "*" in verbs:
            yield subject.hit(
                f'{subject.address} grants every verb (verbs: ["*"]) on {", ".join(resources) or "its resources"} '
                f"in rule {index + 1}; name the verbs the workload needs",
                ("rules", index, "verbs", verbs.index("*")),
            )
            return
        wild = next((i for i, r in enumerate(resources) if r == "*" or r.startswith("*/")), None)
        if wild is not None:
            yield subject.hit(
                f'{subject.address} grants {", ".join(verbs) or "its verbs"} on every resource (resources: ["'
                f'{resources[wild]}"]) in rule {index + 1}; name the resources the workload needs',
                ("rules", index, "resources", wild),
            )
            return


# --- TCOP-06-K8S-011 ----------------------------------------------------------------------


def rbac_escalation_verbs(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    for index, rule in _rules(subject.data):
        for operation in ESCALATION:
            if _grants(rule, operation):
                verbs = _strings(rule.get("verbs"))
                named = ", ".join(sorted(operation.resources & set(_strings(rule.get("resources")))))
                yield subject.hit(
                    f"{subject.address} grants {operation.verb} on {named}, so whoever holds it can "
                    f"{operation.meaning}",
                    ("rules", index, "verbs", verbs.index(operation.verb)),
                    address_suffix=f"#{operation.verb}",
                )


# --- TCOP-06-K8S-012 ----------------------------------------------------------------------


def _cluster_bound(objects: Sequence[K8sObject]) -> tuple[set[str], set[str]]:
    """Names of ClusterRoles bound cluster-wide, and of those bound in a namespace only."""
    cluster: set[str] = set()
    namespaced: set[str] = set()
    for obj in objects:
        if obj.kind not in ("ClusterRoleBinding", "RoleBinding"):
            continue
        ref = _mapping(_mapping(obj.node.data).get("roleRef"))
        if ref.get("kind") == "ClusterRole" and isinstance(ref.get("name"), str):
            (cluster if obj.kind == "ClusterRoleBinding" else namespaced).add(ref["name"])
    return cluster, namespaced


def rbac_cluster_secrets(ctx: RuleContext) -> Iterator[Hit]:
    objects = ctx.documents.kubernetes
    cluster, namespaced = _cluster_bound(objects)
    for obj in objects:
        if obj.kind != "ClusterRole":
            continue
        if obj.name in namespaced and obj.name not in cluster:
            continue  # only ever granted within a namespace
        for index, rule in _rules(obj.node.data):
            verbs = READ_VERBS & set(_strings(rule.get("verbs")))
            if (
                "secrets" in _strings(rule.get("resources"))
                and "" in _strings(rule.get("apiGroups"))
                and verbs
                and not rule.get("resourceNames")
            ):
                yield Hit(
                    file=obj.file,
                    position=obj.node.locate(("rules", index, "resources")),
                    address=obj.address,
                    message=f"{obj.address} lets whoever holds it {', '.join(sorted(verbs))} Secrets in "
                    "every namespace, including other teams' credentials and service account tokens",
                    properties={"kind": obj.kind},
                    span=obj.node.locate(()),
                )
                break


# --- TCOP-06-K8S-013 ----------------------------------------------------------------------


def rbac_anonymous_bindings(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    subjects = subject.data.get("subjects")
    if not isinstance(subjects, list):
        return
    role = _mapping(subject.data.get("roleRef")).get("name", "a role")
    for index, entry in enumerate(subjects):
        name = _mapping(entry).get("name")
        if isinstance(name, str) and name in ANONYMOUS:
            yield subject.hit(
                f"{subject.address} binds {role} to {name}, so anyone who can reach the "
                "API server gets its permissions without signing in",
                ("subjects", index, "name"),
            )


# --- TCOP-06-K8S-014 ----------------------------------------------------------------------

# Policy engines whose own kinds decide separation in place of (or as well as) NetworkPolicy.
OTHER_POLICY_GROUPS = ("cilium.io/", "crd.projectcalico.org/", "projectcalico.org/", "policy.networking.k8s.io/")


def _policies(objects: Sequence[K8sObject]) -> tuple[dict[str | None, list[Any]], set[str | None], bool]:
    """NetworkPolicy pod selectors by namespace; namespaces with another engine's policies; and
    whether a cluster-wide policy of another engine is in the scan."""
    selectors: dict[str | None, list[Any]] = {}
    engines: set[str | None] = set()
    cluster_wide = False
    for obj in objects:
        if obj.kind == "NetworkPolicy" and obj.api_version.startswith("networking.k8s.io/"):
            selector = _mapping(obj.node.data.get("spec")).get("podSelector")
            selectors.setdefault(obj.namespace, []).append(selector if isinstance(selector, Mapping) else {})
        elif obj.api_version.startswith(OTHER_POLICY_GROUPS) and "Policy" in obj.kind:
            if obj.kind.startswith(("Global", "CiliumClusterwide", "AdminNetwork", "BaselineAdminNetwork")):
                cluster_wide = True
            engines.add(obj.namespace)
    return selectors, engines, cluster_wide


def _pod_labels(obj: K8sObject) -> tuple[DataPath, dict[str, str]]:
    spec_path = POD_SPEC_PATHS[obj.kind]
    metadata_path = spec_path[:-1] + ("metadata",) if spec_path != ("spec",) else ("metadata",)
    data: Any = obj.node.data
    for key in metadata_path:
        data = _mapping(data).get(str(key))
    labels = _mapping(_mapping(data).get("labels"))
    return metadata_path + ("labels",), {str(k): str(v) for k, v in labels.items() if v is not None}


def workloads_without_network_policy(ctx: RuleContext) -> Iterator[Hit]:
    objects = ctx.documents.kubernetes
    selectors, engines, cluster_wide = _policies(objects)
    if cluster_wide:
        return
    for obj in objects:
        found = pod_spec(obj)
        if found is None or found[1].get("hostNetwork") is True:
            continue  # NetworkPolicy does not apply to pods on the host's network
        namespace = obj.namespace
        if namespace is None:
            if engines:
                continue
            candidates = [s for group in selectors.values() for s in group]
        else:
            if namespace in engines or None in engines:
                continue
            candidates = selectors.get(namespace, []) + selectors.get(None, [])
        path, labels = _pod_labels(obj)
        if any(selector_matches(selector, labels) for selector in candidates):
            continue
        where = f"namespace {namespace}" if namespace else "the scan"
        level: Level | None = None
        if candidates:
            message = (
                f"{obj.address} runs pods that no NetworkPolicy in {where} selects, so they accept traffic from "
                "every pod in the cluster while other workloads there are isolated"
            )
        else:
            message = (
                f"{obj.address} runs pods that no NetworkPolicy in {where} selects; unless the cluster adds one, "
                "they accept traffic from every pod in the cluster"
            )
            level = "note"
        yield Hit(
            file=obj.file,
            position=obj.node.locate(path),
            address=obj.address,
            message=message,
            properties={"kind": obj.kind},
            level=level,
            span=obj.node.locate(()),
        )
