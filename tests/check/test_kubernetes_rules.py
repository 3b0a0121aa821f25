"""The trickier logic of the Kubernetes rules, on manifests parsed by the real loader."""

from __future__ import annotations

from textwrap import dedent

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tcop_lint.check.rules.kubernetes import (
    image_name,
    image_not_pinned,
    image_pinning,
    ingress_without_tls,
    replaced_images,
    restricted_hardening,
)
from tcop_lint.check.rules.kubernetes_workloads import (
    index_scalers,
    missing_probes,
    missing_resource_requests,
    pinned_outside_allowed_regions,
    production_without_redundancy,
    selector_matches,
    workloads_without_autoscaler,
)
from tcop_lint.check.subjects import subjects
from tcop_lint.core.model import Documents, Hit, RepositoryFacts
from tcop_lint.core.settings import Settings
from tcop_lint.load.documents import load_yaml
from tcop_lint.load.kubernetes import kubernetes_objects
from tcop_lint.testing import rule_context

PRODUCTION = {
    "production_namespaces": ["production", "prod", "*-prod", "*-production"],
    "production_labels": {"environment": ["production", "prod"], "env": ["production", "prod"]},
}


def documents(*files: tuple[str, str]) -> Documents:
    objects = []
    for name, text in files:
        result = load_yaml(name, dedent(text))
        assert not result.problems, result.problems
        objects.extend(result.kubernetes)
    return Documents(RepositoryFacts("/repo", tuple(f for f, _ in files), False), kubernetes=tuple(objects))


def run_on(function, target: str, docs: Documents, settings: Settings | None = None) -> list[Hit]:
    ctx = rule_context(function, docs, settings)
    return [hit for subject in subjects(docs, {"target": target}) for hit in function(subject, ctx)]


def places(hits: list[Hit]) -> list[tuple[str, int]]:
    return sorted((hit.address, hit.position.line) for hit in hits)


def deployment(name: str, namespace: str | None = "apps", replicas: int | None = None, labels: str = "") -> str:
    ns = f"\n  namespace: {namespace}" if namespace else ""
    count = f"\n  replicas: {replicas}" if replicas is not None else ""
    return f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}{ns}
spec:{count}
  selector:
    matchLabels: {{app: {name}}}
  template:
    metadata:
      labels: {{app: {name}{labels}}}
    spec:
      containers:
        - name: app
          image: ghcr.io/example/{name}:1.0.0
"""


def hpa(target: str, namespace: str | None = "apps", kind: str = "Deployment", minimum: int | None = None) -> str:
    ns = f"\n  namespace: {namespace}" if namespace else ""
    low = f"\n  minReplicas: {minimum}" if minimum is not None else ""
    return f"""\
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {target}{ns}
spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: {kind}, name: {target}}}{low}
  maxReplicas: 5
"""


# --- autoscaler matching ---------------------------------------------------------------------


def test_an_autoscaler_matches_by_namespace_kind_and_name() -> None:
    docs = documents(
        ("a.yaml", deployment("web") + "---\n" + deployment("worker") + "---\n" + deployment("api", namespace="other")),
        ("hpa.yaml", hpa("web") + "---\n" + hpa("worker", kind="StatefulSet") + "---\n" + hpa("api", namespace="apps")),
    )
    hits = list(workloads_without_autoscaler(rule_context(workloads_without_autoscaler, docs)))
    # worker: the autoscaler names a StatefulSet; api: the autoscaler lives in another namespace.
    # Reported at metadata.name, since replicas is unset.
    assert places(hits) == [("Deployment/apps/worker", 20), ("Deployment/other/api", 36)]


def test_objects_without_a_namespace_match_any_namespace() -> None:
    docs = documents(
        ("a.yaml", deployment("web", namespace=None, replicas=2) + "---\n" + deployment("api", namespace="apps")),
        ("hpa.yaml", hpa("web", namespace="live") + "---\n" + hpa("api", namespace=None, minimum=3)),
    )
    assert list(workloads_without_autoscaler(rule_context(workloads_without_autoscaler, docs))) == []
    scalers = index_scalers(docs.kubernetes)
    web, api = (obj for obj in docs.kubernetes if obj.kind == "Deployment")
    assert (scalers.minimum(web), scalers.minimum(api)) == (1, 3)


def test_a_keda_scaled_object_defaults_to_a_deployment_and_a_list_is_read() -> None:
    listed = """\
apiVersion: v1
kind: List
items:
  - apiVersion: keda.sh/v1alpha1
    kind: ScaledObject
    metadata: {name: queue, namespace: apps}
    spec:
      scaleTargetRef: {name: worker}
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: worker, namespace: apps}
    spec:
      replicas: 1
  - apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: store, namespace: apps}
    spec:
      replicas: 2
"""
    hits = list(
        workloads_without_autoscaler(rule_context(workloads_without_autoscaler, documents(("list.yaml", listed))))
    )
    assert [(hit.address, hit.position.line) for hit in hits] == [("StatefulSet/apps/store", 18)]


# --- probes ------------------------------------------------------------------------------------


def test_probes_are_required_of_long_running_app_containers_only() -> None:
    manifests = """\
apiVersion: batch/v1
kind: CronJob
metadata: {name: nightly}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: run, image: x:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: once}
spec:
  restartPolicy: OnFailure
  containers: [{name: run, image: x:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: server}
spec:
  containers:
    - name: web
      image: x:1
      readinessProbe: {httpGet: {path: /, port: 80}}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  template:
    spec:
      initContainers: [{name: setup, image: x:1}]
      ephemeralContainers: [{name: debug, image: x:1}]
      containers:
        - name: agent
          image: x:1
          readinessProbe: {exec: {command: [true]}}
          livenessProbe: {exec: {command: [true]}}
"""
    hits = run_on(missing_probes, "kubernetes.pod_spec", documents(("m.yaml", manifests)))
    assert [(hit.address, hit.position.line, hit.message.split(" has ")[1]) for hit in hits] == [
        ("Pod/_/server/containers/web/probes", 23, "no liveness probe")
    ]


# --- List kinds and the Restricted profile ------------------------------------------------------


def test_restricted_settings_inherit_from_the_pod_inside_a_list() -> None:
    listed = """\
apiVersion: v1
kind: PodList
items:
  - apiVersion: v1
    kind: Pod
    metadata: {name: a}
    spec:
      securityContext:
        runAsNonRoot: true
        seccompProfile: {type: RuntimeDefault}
      containers:
        - name: app
          image: x:1
          securityContext:
            allowPrivilegeEscalation: false
            capabilities: {drop: [ALL]}
        - name: rooted
          image: x:1
          securityContext:
            runAsNonRoot: false
            allowPrivilegeEscalation: false
            capabilities: {drop: [all]}
"""
    hits = run_on(restricted_hardening, "kubernetes.pod_spec", documents(("pods.yaml", listed)))
    # Lower-case "all" is not what Pod Security admission accepts.
    assert places(hits) == [("Pod/_/a/containers/rooted", 20)]
    assert hits[0].properties["settings"] == ["capabilities", "runAsNonRoot"]


def test_one_finding_per_container_names_every_missing_restricted_setting() -> None:
    pod = """\
apiVersion: v1
kind: Pod
metadata: {name: bare}
spec:
  containers:
    - name: one
      image: x:1
    - name: two
      image: x:1
"""
    hits = run_on(restricted_hardening, "kubernetes.pod_spec", documents(("pod.yaml", pod)))
    assert [hit.address for hit in hits] == ["Pod/_/bare/containers/one", "Pod/_/bare/containers/two"]
    assert {hit.position.line for hit in hits} == {6, 8}
    for hit in hits:
        assert hit.properties["settings"] == [
            "allowPrivilegeEscalation",
            "capabilities",
            "runAsNonRoot",
            "seccompProfile",
        ]
        assert hit.message.count(";") == 3


# --- images -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("image", "pinning"),
    [
        ("nginx", "floating"),
        ("nginx:latest", "floating"),
        ("registry.example.gov.uk:5000/team/app", "floating"),
        ("registry.example.gov.uk:5000/team/app:2.1.0", "tag"),
        ("nginx:1.27@sha256:" + "a" * 64, "digest"),
        ("nginx@sha256:" + "0" * 64, "digest"),
        ("nginx@sha256:abc", "floating"),
        ("${IMAGE}", "templated"),
        ("nginx:", "floating"),
    ],
)
def test_image_pinning(image: str, pinning: str) -> None:
    assert image_pinning(image) == pinning


def test_a_tag_without_digest_is_a_note_and_latest_keeps_the_check_level() -> None:
    pod = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
    - {name: a, image: "nginx:1.27.2"}
    - {name: b, image: "nginx:latest"}
"""
    hits = run_on(image_not_pinned, "kubernetes.container", documents(("pod.yaml", pod)))
    assert [(hit.address, hit.level) for hit in hits] == [
        ("Pod/_/p/containers/a#/image", "note"),
        ("Pod/_/p/containers/b#/image", None),
    ]


@pytest.mark.parametrize(
    ("image", "name"),
    [
        ("app", "app"),
        ("app:1.2", "app"),
        ("registry.example.gov.uk:5000/team/app:2.1@sha256:" + "a" * 64, "registry.example.gov.uk:5000/team/app"),
        ("registry.example.gov.uk:5000/team/app", "registry.example.gov.uk:5000/team/app"),
    ],
)
def test_image_name_drops_tag_and_digest_but_not_the_registry_port(image: str, name: str) -> None:
    assert image_name(image) == name


def test_a_kustomization_without_apiversion_is_loaded_and_its_pinned_images_are_known() -> None:
    kustomization = """resources: [deployment.yaml]
images:
  - {name: web, newTag: "1.4.0"}
  - {name: worker, digest: "sha256:%s"}
  - {name: renamed, newName: other}
  - {name: floating, newTag: latest}
""" % ("b" * 64)
    skaffold = """apiVersion: skaffold/v2beta29
kind: Config
build:
  artifacts: [{image: "gcr.io/team/api"}]
profiles:
  - name: dev
    build: {artifacts: [{image: builder}]}
"""
    docs = documents(("overlays/prod/kustomization.yaml", kustomization), ("skaffold.yaml", skaffold))
    assert [obj.kind for obj in docs.kubernetes] == ["Kustomization", "Config"]
    assert replaced_images(docs.kubernetes) == {"web", "worker", "gcr.io/team/api", "builder"}
    # Another YAML file without apiVersion is still nothing to read.
    assert not load_yaml("other.yaml", kustomization).kubernetes


# --- selectors and production redundancy --------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "matches"),
    [
        ({}, True),
        (None, False),
        ({"matchLabels": {"app": "web"}}, True),
        ({"matchLabels": {"app": "web", "tier": "db"}}, False),
        ({"matchExpressions": [{"key": "tier", "operator": "In", "values": ["front", "back"]}]}, True),
        ({"matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["front"]}]}, False),
        ({"matchExpressions": [{"key": "canary", "operator": "DoesNotExist"}]}, True),
        ({"matchExpressions": [{"key": "canary", "operator": "Exists"}]}, False),
        ({"matchExpressions": [{"key": "app", "operator": "Near"}]}, False),
    ],
)
def test_selector_matches(selector, matches: bool) -> None:
    assert selector_matches(selector, {"app": "web", "tier": "front"}) is matches


def test_only_production_workloads_need_redundancy() -> None:
    pdb = """\
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web, namespace: shop-prod}
spec:
  minAvailable: 1
  selector: {matchLabels: {app: web}}
"""
    docs = documents(
        ("prod.yaml", deployment("web", namespace="shop-prod", replicas=2) + "---\n" + pdb),
        ("dev.yaml", deployment("web", namespace="shop-dev", replicas=1)),
        ("labelled.yaml", deployment("batch", namespace="shop", replicas=1, labels=", environment: PROD")),
    )
    hits = list(production_without_redundancy(rule_context(production_without_redundancy, docs, options=PRODUCTION)))
    assert sorted(hit.address for hit in hits) == [
        "Deployment/shop/batch/disruption-budget",
        "Deployment/shop/batch/replicas",
    ]


# --- regions ----------------------------------------------------------------------------------


def test_zones_must_sit_inside_an_allowed_region_of_any_provider() -> None:
    pod = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
          - matchExpressions:
              - key: topology.kubernetes.io/zone
                operator: In
                values: [eu-west-2a, europe-west2-c, uksouth-2, ukwest, eu-west-21, europe-west2-zz, eu-west-1a]
  containers: [{name: a, image: "x:1"}]
"""
    hits = run_on(pinned_outside_allowed_regions, "kubernetes.pod_spec", documents(("pod.yaml", pod)))
    assert sorted(hit.address.rsplit("/", 1)[1] for hit in hits) == ["eu-west-1a", "eu-west-21", "europe-west2-zz"]
    widened = Settings(allowed_regions={"aws": ("eu-west-2", "eu-west-1")})
    hits = run_on(pinned_outside_allowed_regions, "kubernetes.pod_spec", documents(("pod.yaml", pod)), widened)
    # With only AWS configured, the Azure and Google zones are no longer allowed.
    assert sorted(hit.address.rsplit("/", 1)[1] for hit in hits) == [
        "eu-west-21",
        "europe-west2-c",
        "europe-west2-zz",
        "uksouth-2",
        "ukwest",
    ]


def test_pod_level_resources_cover_every_container() -> None:
    pod = """\
apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  resources:
    requests: {cpu: 500m, memory: 1Gi}
    limits: {memory: 1Gi}
  containers:
    - {name: a, image: "x:1"}
    - {name: b, image: "x:1", resources: {requests: {cpu: 100m}}}
"""
    assert run_on(missing_resource_requests, "kubernetes.pod_spec", documents(("pod.yaml", pod))) == []


# --- odd input never raises -------------------------------------------------------------------

ODD = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 3) | st.sampled_from(["", "ALL", "In", "app", "eu-west-1", "Always"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "containers",
                    "initContainers",
                    "securityContext",
                    "capabilities",
                    "drop",
                    "add",
                    "resources",
                    "requests",
                    "limits",
                    "nodeSelector",
                    "affinity",
                    "nodeAffinity",
                    "matchExpressions",
                    "values",
                    "key",
                    "operator",
                    "seccompProfile",
                    "type",
                    "runAsNonRoot",
                    "runAsUser",
                    "image",
                    "name",
                    "os",
                    "restartPolicy",
                    "topology.kubernetes.io/region",
                    "selector",
                    "matchLabels",
                    "scaleTargetRef",
                    "minReplicas",
                    "replicas",
                    "template",
                    "metadata",
                    "labels",
                    "spec",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    pod=ODD,
    spec=ODD,
    kind=st.sampled_from(
        ["Pod", "Deployment", "StatefulSet", "HorizontalPodAutoscaler", "PodDisruptionBudget", "Namespace"]
    ),
)
def test_rules_never_raise_on_odd_input(pod, spec, kind) -> None:
    data = {"apiVersion": "v1", "kind": kind, "metadata": {"name": "x", "namespace": "prod"}, "spec": spec}
    if kind == "Pod":
        data["spec"] = pod if isinstance(pod, dict) else {"containers": [pod]}
    elif isinstance(spec, dict):
        data["spec"] = {**spec, "template": {"spec": pod}}
    objects = kubernetes_objects("odd.yaml", 0, data, {})
    docs = Documents(RepositoryFacts("/repo", ("odd.yaml",), False), kubernetes=objects)
    for function, target in (
        (restricted_hardening, "kubernetes.pod_spec"),
        (missing_resource_requests, "kubernetes.pod_spec"),
        (missing_probes, "kubernetes.pod_spec"),
        (pinned_outside_allowed_regions, "kubernetes.pod_spec"),
        (image_not_pinned, "kubernetes.container"),
    ):
        run_on(function, target, docs)
    ctx = rule_context(production_without_redundancy, docs, options=PRODUCTION)
    list(workloads_without_autoscaler(ctx))
    list(production_without_redundancy(ctx))


def test_an_ingress_without_tls_is_a_warning_and_an_uncovered_host_beside_tls_an_error() -> None:
    ingresses = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: edge-terminated}
spec:
  rules: [{host: www.example.gov.uk}]
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: partly}
spec:
  tls: [{hosts: [a.example.gov.uk], secretName: a-tls}]
  rules: [{host: a.example.gov.uk}, {host: b.example.gov.uk}]
"""
    hits = run_on(ingress_without_tls, "kubernetes.object", documents(("ingress.yaml", ingresses)))
    assert [(hit.address, hit.level) for hit in hits] == [
        ("Ingress/_/edge-terminated/www.example.gov.uk", "warning"),
        ("Ingress/_/partly/b.example.gov.uk", None),
    ]
