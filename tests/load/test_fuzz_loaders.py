"""Property-based tests of every loader: arbitrary text never raises out of it and arbitrary
nesting never exhausts the stack. Examples are derandomised (the same run in CI every time)
and counted so that the file runs in well under 30 seconds."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tcop_lint.assemble.repository import repository_facts
from tcop_lint.core.model import LoadResult
from tcop_lint.licences import identify_text
from tcop_lint.load.documents import load_json, load_yaml
from tcop_lint.load.terraform import MAX_NESTING, load_terraform

FUZZ = settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
FEW = settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))

HCL_TOKENS = [
    'resource "aws_s3_bucket" "b" {',
    'variable "v" {',
    "locals {",
    'dynamic "x" {',
    "content {",
    "}",
    "{",
    "[",
    "]",
    "(",
    ")",
    "=",
    ",",
    ":",
    "?",
    "...",
    "=>",
    "for",
    "in",
    "if",
    "null",
    "true",
    "1",
    "1.5e3",
    '"s"',
    '"${var.x}"',
    '"%{if a}b%{endif}"',
    "var.x",
    "local.y[0]",
    "x.*.id",
    "<<EOF\nbody\nEOF",
    "<<-EOT\n  text\n  EOT",
    "# c",
    "// c",
    "/* c */",
    "\n",
    " ",
    "\t",
    "\\",
    "\ufeff",
    "ü",
    "\udc80",
]
YAML_TOKENS = [
    "apiVersion: v1",
    "kind: Pod",
    "openapi: 3.0.0",
    "swagger: '2.0'",
    "paths:",
    "metadata:",
    "spec:",
    "- ",
    "---",
    "...",
    "&a",
    "*a",
    "<<: *a",
    "!!python/object:os.system",
    "!tag",
    "? ",
    ": ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "'q'",
    '"q"',
    "|",
    ">",
    "#c",
    "\n",
    "  ",
    "\t",
    "{{ .Values.x }}",
    "%YAML 1.2",
    "$ref: '#/a'",
    "ü",
    "\x00",
    "\udc80",
]
JSON_TOKENS = [
    "{",
    "}",
    "[",
    "]",
    ",",
    ":",
    '"apiVersion"',
    '"openapi"',
    '"paths"',
    '"$ref"',
    '"#/a"',
    '"x"',
    "1",
    "-0.5e-3",
    "true",
    "null",
    "NaN",
    '"\\u00e9"',
    '"\\ud800"',
    " ",
    "\n",
    "/*",
    "\ufeff",
]


def _joined(tokens: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(tokens) | st.text(max_size=8), max_size=60).map("".join)


def _loaded(result: object) -> LoadResult:
    assert isinstance(result, LoadResult)
    return result


@FUZZ
@given(
    text=st.text(max_size=400) | _joined(HCL_TOKENS),
    name=st.sampled_from(["a.tf", "a.tfvars", "a.tf.json", "a.tfvars.json"]),
)
def test_terraform_loader_never_raises(text, name):
    _loaded(load_terraform(name, text))


@FUZZ
@given(data=st.binary(max_size=300))
def test_terraform_loader_takes_any_bytes(data):
    _loaded(load_terraform("a.tf", data))


@FUZZ
@given(text=st.text(max_size=400) | _joined(YAML_TOKENS))
def test_yaml_loader_never_raises(text):
    _loaded(load_yaml("a.yaml", text))


@FUZZ
@given(text=st.text(max_size=400) | _joined(JSON_TOKENS))
def test_json_loader_never_raises(text):
    _loaded(load_json("a.json", text))


@FUZZ
@given(
    text=st.text(max_size=600) | _joined(["MIT License", "Permission is hereby granted", "Apache", "GNU", "\n", " "])
)
def test_licence_identification_never_raises(text):
    match = identify_text(text)
    assert match.spdx_id is None or isinstance(match.spdx_id, str)


@FEW
@given(
    licence=st.text(max_size=300),
    readme=st.text(max_size=300),
    codeowners=st.text(max_size=100),
    security=st.text(max_size=100),
    workflow=st.text(max_size=200) | _joined(YAML_TOKENS),
)
def test_repository_facts_never_fail(licence, readme, codeowners, security, workflow):
    files = {
        "LICENCE": licence,
        "README.md": readme,
        ".github/CODEOWNERS": codeowners,
        "SECURITY.md": security,
        ".github/workflows/ci.yml": workflow,
        ".env": readme,
    }
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, text in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(text.encode("utf-8", "surrogatepass"))
        facts = repository_facts(root, tuple(sorted(files)), False)
    assert facts.error is None, facts.error


# --- nesting ---------------------------------------------------------------------------------

OPENERS = {"[": "]", "{": "}", "(": ")"}


@st.composite
def _nesting(draw, kinds: str) -> tuple[str, int]:
    depth = draw(st.sampled_from([0, 1, 50, MAX_NESTING - 5, MAX_NESTING + 1, 5_000, 100_000]))
    opener = draw(st.sampled_from(kinds))
    inner = {"[": "", "{": '"a": 1', "(": "1"}[opener]
    closer = OPENERS[opener]
    return opener * depth + inner + closer * depth, depth


@FEW
@given(nested=_nesting("[({"), name=st.sampled_from(["a.tf", "a.tfvars"]))
def test_terraform_nesting_never_exhausts_the_stack(nested, name):
    body, depth = nested
    body = body.replace('"a": 1', "a = 1")
    text = f"x = {body}\n" if name.endswith(".tfvars") else f"locals {{\n  x = {body}\n}}\n"
    result = _loaded(load_terraform(name, text))
    if depth > MAX_NESTING:
        assert any("nested" in p.message for p in result.problems)


@FEW
@given(nested=_nesting("[{"), name=st.sampled_from(["a.tf.json", "a.tfvars.json"]))
def test_terraform_json_nesting_never_exhausts_the_stack(nested, name):
    body, depth = nested
    result = _loaded(load_terraform(name, f'{{"locals": {{"x": {body}}}}}'))
    if depth > MAX_NESTING:
        assert result.problems


@FEW
@given(nested=_nesting("[{"))
def test_document_nesting_never_exhausts_the_stack(nested):
    body, depth = nested
    json_result = _loaded(load_json("a.json", f'{{"openapi": "3.0.0", "paths": {body}}}'))
    yaml_result = _loaded(load_yaml("a.yaml", f"openapi: 3.0.0\npaths: {body}\n"))
    if depth > 1_000:
        assert json_result.problems and yaml_result.problems


def test_deep_block_nesting_in_yaml_and_hcl_is_refused():
    yaml_text = "apiVersion: v1\n" + "".join(" " * i + "a:\n" for i in range(700)) + " " * 700 + "a: 1\n"
    assert _loaded(load_yaml("a.yaml", yaml_text)).problems
    hcl_text = 'resource "a" "b" {\n' + "a {\n" * 600 + "}\n" * 600 + "}\n"
    assert _loaded(load_terraform("a.tf", hcl_text)).problems
