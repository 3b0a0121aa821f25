"""The YAML and JSON loaders: positions, routing, and every way a file can be hostile."""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcop_lint.core.model import Position, walk
from tcop_lint.load.documents import load_json, load_yaml, parse_json, ruamel_events, yaml_documents

DEPLOYMENT = """\
# a comment first
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
spec:
  template:
    spec:
      hostNetwork: yes
      containers:
        - name: web
          image: nginx:1.27.2
          args: [--port, "8080"]
          ports:
            - containerPort: 8080
              hostPort: 0755
"""


def lines_of(result, path):
    return result.kubernetes[0].node.locate(path).line


def test_positions_of_keys_and_list_items():
    result = load_yaml("d.yaml", DEPLOYMENT)
    assert result.problems == ()
    obj = result.kubernetes[0]
    spec = ("spec", "template", "spec")
    assert obj.node.positions[("kind",)] == Position(3, 1, 3, 17)
    assert obj.node.positions[spec + ("hostNetwork",)].line == 10
    assert obj.node.positions[spec + ("containers",)] == Position(11, 7)
    assert obj.node.positions[spec + ("containers", 0)] == Position(12, 11)
    assert obj.node.positions[spec + ("containers", 0, "args", 1)] == Position(14, 26, 14, 32)
    assert obj.node.positions[spec + ("containers", 0, "ports", 0, "hostPort")].line == 17
    assert obj.node.positions[()].line == 2
    every_path = {path for path, _ in walk(obj.node.data)}
    assert every_path == set(obj.node.positions)


def test_plain_scalars_resolve_as_kubernetes_reads_them():
    data = load_yaml("d.yaml", DEPLOYMENT).kubernetes[0].node.data
    pod = data["spec"]["template"]["spec"]
    assert pod["hostNetwork"] is True
    assert pod["containers"][0]["ports"][0] == {"containerPort": 8080, "hostPort": 0o755}
    assert pod["containers"][0]["args"] == ["--port", "8080"]
    doc = load_yaml(
        "o.yaml",
        'openapi: 3.0.3\ninfo: {title: "true", version: 1.10}\npaths:\n  /a:\n    get:\n      responses:\n        200: '
        "{description: ok}\n",
    ).openapi[0]
    assert doc.version == "3.0.3"
    assert doc.node.data["info"] == {"title": "true", "version": 1.1}
    assert "200" in doc.node.data["paths"]["/a"]["get"]["responses"]  # keys are the text written
    assert load_yaml("s.yaml", "swagger: 2.0\ninfo: {}\n").openapi[0].version == "2.0"


def test_both_event_sources_give_the_same_documents():
    fast, _ = yaml_documents("d.yaml", DEPLOYMENT)
    pure, _ = yaml_documents("d.yaml", DEPLOYMENT, ruamel_events)
    assert [(d.data, d.positions) for d in fast] == [(d.data, d.positions) for d in pure]


def test_broken_document_is_a_problem_and_the_others_still_load():
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: one}\n"
        "---\napiVersion: v1\nkind: Secret\nmetadata: {name: two\n  bad: [\n"
        "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: three\n"
    )
    result = load_yaml("multi.yaml", text)
    assert [(o.name, o.document_index) for o in result.kubernetes] == [("one", 0), ("three", 2)]
    assert len(result.problems) == 1 and result.problems[0].position.line == 8
    assert result.kubernetes[1].node.locate(("metadata", "name")).line == 13


def test_list_items_keep_positions_in_the_file():
    text = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: a, namespace: ns}\n- apiVersion: v1\n  kind: Service\n  metadata:\n    name: b\n"
    objs = load_yaml("list.yaml", text).kubernetes
    assert [o.address for o in objs] == ["Pod/ns/a", "Service/_/b"]
    assert objs[1].node.base == ("items", 1)
    assert objs[1].node.locate(("metadata", "name")).line == 10


def test_billion_laughs_is_refused_quickly():
    text = 'apiVersion: v1\nkind: ConfigMap\na: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    previous = "a"
    for name in "bcdefghij":
        text += f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]\n"
        previous = name
    started = time.perf_counter()
    result = load_yaml("bomb.yaml", text)
    assert time.perf_counter() - started < 2
    assert result.kubernetes == ()
    assert "too large" in result.problems[0].message


def test_small_aliases_and_merge_keys_are_expanded():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\nbase: &base\n  a: 1\n  b: 2\ndata:\n  <<: *base\n  b: 3\n  c: *base\n"
    obj = load_yaml("m.yaml", text).kubernetes[0]
    assert obj.node.data["data"] == {"b": 3, "a": 1, "c": {"a": 1, "b": 2}}
    assert obj.node.locate(("data", "a")).line == 8  # the merge key's line
    assert obj.node.locate(("data", "c", "a")).line == 10  # inside an alias: the alias's line


@pytest.mark.parametrize(
    "text",
    [
        "apiVersion: v1\nkind: X\nx: " + "[" * 50000 + "]" * 50000 + "\n",
        "apiVersion: v1\nkind: X\nx:\n" + "".join("  " * i + "- \n" for i in range(1, 700)),
    ],
)
def test_deep_yaml_nesting_is_a_problem_not_a_crash(text):
    result = load_yaml("deep.yaml", text)
    assert result.kubernetes == () and len(result.problems) == 1


def test_unsafe_tags_construct_nothing():
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  run: !!python/object/apply:os.system [echo pwned]\n  n: !!int '12'\n  s: !Ref Name\n"
    data = load_yaml("t.yaml", text).kubernetes[0].node.data["data"]
    assert data == {"run": ["echo pwned"], "n": 12, "s": "Name"}


def test_tabs_and_bad_text_are_problems():
    tabbed = load_yaml("tab.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: x\n")
    assert tabbed.kubernetes == () and tabbed.problems[0].position.line == 4
    assert "tab" in tabbed.problems[0].message
    broken = load_yaml("bad.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: \udcff\n")
    assert "UTF-8" in broken.problems[0].message
    assert load_yaml("b.yaml", b"apiVersion: v1\nkind: Pod\nmetadata: {name: \xff}\n").problems


def test_duplicate_keys_are_reported_and_the_last_wins():
    result = load_yaml(
        "dup.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec:\n  hostPID: false\n  hostPID: true\n"
    )
    assert result.kubernetes[0].node.data["spec"]["hostPID"] is True
    assert result.problems[0].position.line == 6


def test_helm_templates_are_skipped_but_alerting_templates_load():
    helm = load_yaml("t.yaml", "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n")
    assert helm.kubernetes == ()
    assert helm.problems[0].skipped and helm.problems[0].level == "note"
    alerts = load_yaml(
        "rules.yaml",
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: rules}\ndata:\n  summary: "{{ $labels.instance }} is '
        'down"\n',
    )
    assert alerts.problems == () and len(alerts.kubernetes) == 1


def test_other_yaml_is_ignored():
    assert load_yaml("ci.yml", "on: push\njobs:\n  test: {runs-on: ubuntu-latest}\n") == load_yaml("x.yml", "")
    assert load_yaml("chart.yaml", "apiVersion: v2\nname: chart\n").kubernetes == ()
    assert load_yaml("broken.yml", "a: [\n").problems == ()  # not one of ours: not even parsed


def test_json_positions_and_routing():
    text = '{\n  "openapi": "3.0.3",\n  "paths": {\n    "/Users": {"get": {}}\n  },\n  "n": [1, -2.5e3, true, null, "\\u00e9"]\n}'
    doc = load_json("a.json", text).openapi[0]
    assert doc.node.data["n"] == [1, -2500.0, True, None, "é"]
    assert doc.node.positions[("paths", "/Users")] == Position(4, 5)
    assert doc.node.positions[("paths", "/Users", "get")] == Position(4, 16)
    assert doc.node.positions[("n", 4)] == Position(6, 32)
    pod = load_json("p.json", '{"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}}').kubernetes
    assert pod[0].address == "Pod/_/p"
    assert load_json("package.json", '{"name": "x", "version": [}') == load_json("x.json", "{}")


@pytest.mark.parametrize(
    "text,line",
    [
        ('{"openapi": "3.0.0",\n "paths": {},\n}', 3),
        ('{"openapi": "3.0.0"} extra', 1),
        ('{"openapi": "3.0.0",\n "x": tru}', 2),
        ('{"openapi": "3.0.0",\n "x": "\\q"}', 2),
        ('{"openapi": "3.0.0",\n "x": NaN}', 2),
        ('{"openapi": "3.0.0", "x": ' + "[" * 20000 + "]" * 20000 + "}", 1),
    ],
)
def test_bad_json_is_a_problem_with_its_line(text, line):
    result = load_json("bad.json", text)
    assert result.openapi == ()
    assert result.problems[0].position.line == line


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=25,
)


@settings(max_examples=150, deadline=None)
@given(json_values, st.sampled_from([None, 1, 2]))
def test_json_parser_agrees_with_the_standard_library(value, indent):
    text = json.dumps(value, indent=indent)
    data, positions = parse_json(text)
    assert data == json.loads(text)
    assert {path for path, _ in walk(data)} == set(positions)


def test_template_braces_in_comments_or_block_scalars_do_not_make_a_helm_template() -> None:
    manifest = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: alerts  # rendered by {{ if .Values.alerts }}\n"
        "data:\n  rules.yaml: |\n    groups:\n      - alert: Down\n        annotations:\n"
        "          summary: '{{ $labels.instance }} {{ if true }}down{{ end }}'\n  other: value\n"
    )
    loaded = load_yaml("alerts.yaml", manifest)
    assert [obj.name for obj in loaded.kubernetes] == ["alerts"] and not loaded.problems
    helm = load_yaml("deployment.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }}\n")
    assert helm.kubernetes == () and "Helm" in helm.problems[0].message
