"""RBAC and NetworkPolicy coverage rules: levels, namespaces, and one finding per concern."""

from __future__ import annotations

from textwrap import dedent

from tcop_lint.check.rules.kubernetes_rbac import (
    rbac_escalation_verbs,
    rbac_wildcards,
    workloads_without_network_policy,
)
from tcop_lint.check.subjects import subjects
from tcop_lint.core.model import Documents, RepositoryFacts
from tcop_lint.load.documents import load_yaml
from tcop_lint.testing import rule_context


def documents(text: str) -> Documents:
    result = load_yaml("k.yaml", dedent(text))
    assert not result.problems, result.problems
    return Documents(RepositoryFacts("/repo", ("k.yaml",), False), kubernetes=result.kubernetes)


def _metadata(kind: str, api: str, name: str, namespace: str | None) -> str:
    ns = f"  namespace: {namespace}\n" if namespace else ""
    return f"apiVersion: {api}\nkind: {kind}\nmetadata:\n  name: {name}\n{ns}"


def deployment(name: str, namespace: str | None, labels: str) -> str:
    return _metadata("Deployment", "apps/v1", name, namespace) + (
        "spec:\n  template:\n    metadata:\n"
        f"      labels: {labels}\n"
        "    spec:\n      containers:\n        - name: app\n          image: example/app:1.0.0\n"
    )


def policy(namespace: str | None, selector: str) -> str:
    return _metadata("NetworkPolicy", "networking.k8s.io/v1", "p", namespace) + f"spec:\n  podSelector: {selector}\n"


def coverage(*parts: str) -> list[tuple[str, str]]:
    docs = documents("---\n".join(parts))
    hits = workloads_without_network_policy(rule_context(workloads_without_network_policy, docs))
    return [(hit.address, hit.level or "warning") for hit in hits]


def test_a_namespace_with_policies_that_miss_a_workload_is_a_warning_and_one_without_any_a_note() -> None:
    assert coverage(
        policy("a", "{matchLabels: {app: web}}"),
        deployment("api", "a", "{app: api}"),
        deployment("web", "a", "{app: web}"),
        deployment("other", "b", "{app: web}"),
    ) == [("Deployment/a/api", "warning"), ("Deployment/b/other", "note")]


def test_objects_without_a_namespace_match_policies_of_any_namespace() -> None:
    assert coverage(policy(None, "{}"), deployment("api", "a", "{app: api}")) == []
    assert coverage(policy("a", "{}"), deployment("api", None, "{app: api}")) == []
    assert coverage(policy("a", "{matchLabels: {app: web}}"), deployment("api", None, "{app: api}")) == [
        ("Deployment/_/api", "warning")
    ]


def test_match_expressions_decide_selection() -> None:
    selector = "{matchExpressions: [{key: tier, operator: NotIn, values: [batch]}]}"
    assert coverage(policy("a", selector), deployment("api", "a", "{tier: web}")) == []
    assert coverage(policy("a", selector), deployment("job", "a", "{tier: batch}")) == [("Deployment/a/job", "warning")]


def test_a_wildcard_verb_is_reported_once_as_a_wildcard_not_again_as_escalation() -> None:
    docs = documents("""\
        apiVersion: rbac.authorization.k8s.io/v1
        kind: ClusterRole
        metadata:
          name: rbac-admin
        rules:
          - apiGroups: [rbac.authorization.k8s.io]
            resources: [roles, clusterroles, rolebindings]
            verbs: ["*"]
        """)
    (subject,) = subjects(docs, {"target": "kubernetes.object", "kinds": ["ClusterRole"]})
    assert len(list(rbac_wildcards(subject, rule_context(rbac_wildcards, docs)))) == 1
    assert list(rbac_escalation_verbs(subject, rule_context(rbac_escalation_verbs, docs))) == []
