"""Kubernetes objects from parsed documents."""

from __future__ import annotations

from tcop_lint.core.model import Position
from tcop_lint.load.documents import load_yaml
from tcop_lint.load.kubernetes import is_kubernetes, kubernetes_objects


def test_what_counts_as_an_object():
    assert is_kubernetes({"apiVersion": "v1", "kind": "Pod"})
    assert not is_kubernetes({"apiVersion": "v2", "name": "chart"})
    assert not is_kubernetes({"apiVersion": "v1", "kind": ""})
    assert not is_kubernetes({"apiVersion": 1, "kind": "Pod"})
    assert not is_kubernetes(["apiVersion", "kind"])


def test_object_identity():
    data = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"generateName": "migrate-", "namespace": ""}}
    (obj,) = kubernetes_objects("job.yaml", 3, data, {(): Position(1)})
    assert (obj.address, obj.document_index, obj.namespace, obj.api_version) == ("Job/_/migrate-", 3, None, "batch/v1")
    (bare,) = kubernetes_objects("x.yaml", 0, {"apiVersion": "v1", "kind": "Namespace", "metadata": "oops"}, {})
    assert bare.address == "Namespace/_/"


def test_list_kinds_yield_their_items_with_a_base():
    text = """\
apiVersion: v1
kind: DeploymentList
items:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: first, namespace: a}
  - just a string
  - apiVersion: apps/v1
    kind: Deployment
    metadata:
      name: second
      namespace: b
"""
    objs = load_yaml("list.yaml", text).kubernetes
    assert [(o.address, o.node.base) for o in objs] == [
        ("Deployment/a/first", ("items", 0)),
        ("Deployment/b/second", ("items", 2)),
    ]
    assert objs[1].node.locate(("metadata", "namespace")).line == 12
    assert objs[1].node.child(("metadata",)).locate(("name",)).line == 11
    assert objs[0].node.locate(("spec", "missing")).line == 4  # nearest ancestor: the item


def test_list_without_items_gives_nothing():
    assert load_yaml("l.yaml", "apiVersion: v1\nkind: List\nitems: none\n").kubernetes == ()
