"""The one declarative rule form: the same condition gives the same address, fingerprint and
message however the rule is written, unknown values are never guessed, resources never created
are skipped, and every built-in declarative rule follows declarative_rule.schema.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from catalogue_cases import catalogue
from jsonschema import Draft202012Validator

from tcop_lint.assemble.terraform_modules import assemble_modules
from tcop_lint.check.catalogue import CatalogueError, load_catalogue, parse_check
from tcop_lint.check.declarative import (
    SCHEMA_FILE,
    _validator,
    failures,
    rule_problems,
    show,
    truth,
)
from tcop_lint.check.engine import run_check
from tcop_lint.check.subjects import TARGETS
from tcop_lint.core.model import (
    Check,
    Documents,
    Hit,
    RepositoryFacts,
    Unresolved,
    fingerprint,
    json_pointer,
)
from tcop_lint.core.settings import Settings
from tcop_lint.load.documents import load_yaml
from tcop_lint.load.terraform import load_terraform

SSL_CONDITION: dict[str, Any] = {
    "when": {"properties": {"protocol": {"const": "HTTPS"}}, "required": ["protocol"]},
    "require": {
        "properties": {"ssl_policy": {"type": "string", "pattern": "^ELBSecurityPolicy-TLS13-"}},
        "required": ["ssl_policy"],
    },
    "message": "{address} uses {key} {value}",
    "message_missing": "{address} has no {key}",
}
OTHER_CASE = {"types": ["aws_s3_bucket"], "require": {"required": ["bucket"]}, "message": "{address} has no bucket"}


def check(rule: dict[str, Any], check_id: str = "TCOP-06-TF-900") -> Check:
    raw = {
        "id": check_id,
        "name": "Example",
        "title": "An example",
        "tcop_point": 6,
        "level": "warning",
        "reads": rule["target"].split(".")[0],
        "help_uri": "https://www.gov.uk/guidance/make-things-secure",
        "rationale": "Because.",
        "remediation": "Fix it.",
        "precision": "high",
        "rule": rule,
    }
    return parse_check(raw, Path("checks/tcop-06") / check_id / "check.yaml")


def terraform(text: str) -> Documents:
    parsed = load_terraform("main.tf", text)
    assert not parsed.problems, parsed.problems
    return Documents(RepositoryFacts("/repo", ("main.tf",), False), terraform=assemble_modules([parsed.terraform]))


def findings(rule: dict[str, Any], documents: Documents) -> list[tuple[str, int, str, str]]:
    run = run_check(check(rule), documents, Settings())
    assert not run.crashes, run.crashes
    return sorted((f.address, f.position.line if f.position else 0, f.message, f.fingerprint) for f in run.findings)


def forms(condition: dict[str, Any], types: list[str]) -> list[dict[str, Any]]:
    """One condition written three ways: rule-level keys, one case, and one case among others."""
    base = {"target": "terraform.resource", "types": [*types, "aws_s3_bucket"]}
    return [
        {**base, **condition, "types": types},
        {**base, "types": types, "cases": [condition]},
        {**base, "cases": [OTHER_CASE, {"types": types, **condition}]},
    ]


def same_everywhere(
    condition: dict[str, Any], types: list[str], documents: Documents
) -> list[tuple[str, int, str, str]]:
    results = [findings(rule, documents) for rule in forms(condition, types)]
    assert results[0] == results[1] == results[2]
    return results[0]


LISTENERS = """
resource "aws_lb_listener" "web" {
  protocol   = "HTTPS"
  ssl_policy = "ELBSecurityPolicy-2016-08"
}
resource "aws_lb_listener" "bare" {
  protocol = "HTTPS"
}
resource "aws_lb_listener" "good" {
  protocol   = "HTTPS"
  ssl_policy = "ELBSecurityPolicy-TLS13-1-2-2021-06"
}
resource "aws_lb_listener" "unknown" {
  protocol   = "HTTPS"
  ssl_policy = var.policy
}
resource "aws_lb_listener" "plain" {
  protocol = var.protocol
}
"""


def test_a_failing_ssl_policy_has_one_address_fingerprint_and_message_however_the_rule_is_written() -> None:
    reported = same_everywhere(SSL_CONDITION, ["aws_lb_listener"], terraform(LISTENERS))
    check_id = "TCOP-06-TF-900"
    assert [(address, line, message) for address, line, message, _ in reported] == [
        ("aws_lb_listener.bare#/ssl_policy", 6, "aws_lb_listener.bare has no ssl_policy"),
        ("aws_lb_listener.web#/ssl_policy", 4, "aws_lb_listener.web uses ssl_policy ELBSecurityPolicy-2016-08"),
    ]
    web = next(row for row in reported if row[0].startswith("aws_lb_listener.web"))
    # The identity is the check, the file and the pointer built by json_pointer; not the message.
    expected = fingerprint(
        check_id, Hit("main.tf", None, "aws_lb_listener.web" + "#" + json_pointer(("ssl_policy",)), "")
    )
    assert web[3] == expected


def test_the_built_in_tls_check_reports_the_same_address() -> None:
    (tls,) = [c for c in catalogue() if c.id == "TCOP-06-TF-001"]
    run = run_check(tls, terraform(LISTENERS), Settings())
    assert sorted(f.address for f in run.findings) == [
        "aws_lb_listener.bare#/ssl_policy",
        "aws_lb_listener.web#/ssl_policy",
    ]


NEVER_CREATED = """
resource "aws_lb_listener" "zero" {
  count      = 0
  protocol   = "HTTPS"
  ssl_policy = "ELBSecurityPolicy-2016-08"
}
resource "aws_lb_listener" "empty_map" {
  for_each   = {}
  protocol   = "HTTPS"
  ssl_policy = "ELBSecurityPolicy-2016-08"
}
resource "aws_lb_listener" "empty_list" {
  for_each   = []
  protocol   = "HTTPS"
  ssl_policy = "ELBSecurityPolicy-2016-08"
}
resource "aws_lb_listener" "maybe" {
  count      = var.enabled ? 1 : 0
  protocol   = "HTTPS"
  ssl_policy = "ELBSecurityPolicy-2016-08"
}
resource "aws_lb_listener" "one" {
  count      = 1
  protocol   = "HTTPS"
  ssl_policy = "ELBSecurityPolicy-2016-08"
}
"""


@pytest.mark.parametrize("condition", [SSL_CONDITION, {"message": "{address} is a listener"}], ids=["require", "every"])
def test_resources_never_created_are_skipped_however_the_rule_is_written(condition: dict[str, Any]) -> None:
    reported = same_everywhere(condition, ["aws_lb_listener"], terraform(NEVER_CREATED))
    assert [address.partition("#")[0] for address, *_ in reported] == ["aws_lb_listener.maybe", "aws_lb_listener.one"]


def test_a_resource_never_created_exempts_nothing() -> None:
    condition = {
        "require": {"properties": {"encrypted": {"const": True}}, "required": ["encrypted"]},
        "unless_resource": {
            "types": ["aws_ebs_encryption_by_default"],
            "when": {"not": {"properties": {"enabled": {"const": False}}, "required": ["enabled"]}},
        },
        "message": "{address} is unencrypted",
    }
    volume = 'resource "aws_ebs_volume" "data" {\n  size = 5\n}\n'
    exempting = {
        "created": ('resource "aws_ebs_encryption_by_default" "x" {\n  enabled = true\n}\n', []),
        "never created": (
            'resource "aws_ebs_encryption_by_default" "x" {\n  count   = 0\n  enabled = true\n}\n',
            ["aws_ebs_volume.data#/encrypted"],
        ),
        "switched off": (
            'resource "aws_ebs_encryption_by_default" "x" {\n  enabled = false\n}\n',
            ["aws_ebs_volume.data#/encrypted"],
        ),
        "unknown": ('resource "aws_ebs_encryption_by_default" "x" {\n  enabled = var.on\n}\n', []),
        "maybe created": (
            'resource "aws_ebs_encryption_by_default" "x" {\n  count   = var.n\n  enabled = true\n}\n',
            [],
        ),
    }
    for name, (other, expected) in exempting.items():
        reported = same_everywhere(condition, ["aws_ebs_volume"], terraform(volume + other))
        assert [address for address, *_ in reported] == expected, name


NETWORKS = """
resource "aws_security_group_rule" "unknown_only" {
  cidr_blocks = [var.cidr]
}
resource "aws_security_group_rule" "world_and_unknown" {
  cidr_blocks = ["0.0.0.0/0", var.cidr]
}
resource "aws_security_group_rule" "private_and_unknown" {
  cidr_blocks = ["10.0.0.0/8", var.cidr]
}
resource "aws_security_group_rule" "private" {
  cidr_blocks = ["10.0.0.0/8"]
}
resource "aws_security_group_rule" "whole_list_unknown" {
  cidr_blocks = var.cidrs
}
"""


def test_an_unknown_list_element_is_never_guessed_but_a_certain_failure_is_kept() -> None:
    documents = terraform(NETWORKS)
    must_contain = {
        "require": {"properties": {"cidr_blocks": {"contains": {"const": "0.0.0.0/0"}}}},
        "message": "{address}: {path} lacks the world",
    }
    must_not = {
        "require": {"properties": {"cidr_blocks": {"not": {"contains": {"const": "0.0.0.0/0"}}}}},
        "message": "{address} opens {path} to {value}",
    }
    types = ["aws_security_group_rule"]
    # [var.cidr] may hold 0.0.0.0/0: failing `contains` is not certain, so not reported.
    assert [a for a, *_ in same_everywhere(must_contain, types, documents)] == [
        "aws_security_group_rule.private#/cidr_blocks"
    ]
    # ["0.0.0.0/0", var.cidr] fails `not contains` whatever var.cidr is.
    assert [(a, m) for a, _, m, _ in same_everywhere(must_not, types, documents)] == [
        (
            "aws_security_group_rule.world_and_unknown#/cidr_blocks",
            'aws_security_group_rule.world_and_unknown opens cidr_blocks to ["0.0.0.0/0", var.cidr]',
        ),
    ]


def test_a_subject_is_checked_only_when_it_certainly_matches_when() -> None:
    condition = {
        "when": {"not": {"properties": {"engine": {"const": "valkey"}}, "required": ["engine"]}},
        "require": {"properties": {"encrypted": {"const": True}}, "required": ["encrypted"]},
        "message": "{address} is unencrypted",
    }
    text = """
resource "aws_elasticache_replication_group" "unknown_engine" {
  engine = var.engine
}
resource "aws_elasticache_replication_group" "redis" {
  engine = "redis"
}
resource "aws_elasticache_replication_group" "valkey" {
  engine = "valkey"
}
"""
    reported = same_everywhere(condition, ["aws_elasticache_replication_group"], terraform(text))
    assert [a for a, *_ in reported] == ["aws_elasticache_replication_group.redis#/encrypted"]


def test_unknown_dynamic_block_values_are_dropped_but_missing_attributes_are_not() -> None:
    # Formerly tests/test_regions.py, on resource_schemas.
    text = """resource "aws_lb_listener" "a" {
  protocol = "HTTP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.x.arn
  }
}
resource "aws_lb_listener" "b" {
  protocol = "HTTP"
  dynamic "default_action" {
    for_each = var.actions
    content {
      type = default_action.value
    }
  }
}
"""
    condition = {
        "when": {"properties": {"protocol": {"const": "HTTP"}}},
        "require": {"properties": {"default_action": {"contains": {"properties": {"type": {"const": "redirect"}}}}}},
        "report_at": ["protocol"],
        "message": "{address} serves HTTP",
    }
    reported = same_everywhere(condition, ["aws_lb_listener"], terraform(text))
    assert [(a, line) for a, line, *_ in reported] == [("aws_lb_listener.a#/protocol", 2)]


def test_placeholders_render_values_as_the_source_writes_them() -> None:
    text = """
resource "azurerm_linux_web_app" "app" {
  https_only = false
  site_config {
    minimum_tls_version = "1.1"
  }
}
resource "azurerm_windows_web_app" "bare" {
  name = "x"
}
"""
    condition = {
        "require": {
            "properties": {
                "https_only": {"const": True},
                "site_config": {"items": {"properties": {"minimum_tls_version": {"not": {"enum": ["1.0", "1.1"]}}}}},
            },
            "required": ["https_only"],
        },
        "message": "{address} ({type}): {path} = {value} [{key}]",
        "message_missing": "{address} ({type}) has no {key} [{path}] '{value}'",
    }
    reported = same_everywhere(condition, ["azurerm_*web_app"], terraform(text))
    assert [(a, m) for a, _, m, _ in reported] == [
        (
            "azurerm_linux_web_app.app#/https_only",
            "azurerm_linux_web_app.app (azurerm_linux_web_app): https_only = false [https_only]",
        ),
        (
            "azurerm_linux_web_app.app#/site_config/0/minimum_tls_version",
            "azurerm_linux_web_app.app (azurerm_linux_web_app): site_config.0.minimum_tls_version = 1.1 "
            "[minimum_tls_version]",
        ),
        (
            "azurerm_windows_web_app.bare#/https_only",
            "azurerm_windows_web_app.bare (azurerm_windows_web_app) has no https_only [https_only] ''",
        ),
    ]


@pytest.mark.parametrize(
    "value, shown",
    [
        (True, "true"),
        (False, "false"),
        (None, "null"),
        ("TLS1_0", "TLS1_0"),
        (3, "3"),
        (Unresolved("var.x"), "var.x"),
        (["a", 1, True], '["a", 1, true]'),
        ({"k": "v"}, '{k = "v"}'),
    ],
)
def test_values_are_shown_as_source(value: Any, shown: str) -> None:
    assert show(value) == shown


def test_a_case_without_require_reports_every_matching_subject_once_at_its_address() -> None:
    text = """
resource "azurerm_mssql_server" "a" {
  version = "12.0"
}
resource "azurerm_mssql_server" "b" {
  version = "12.0"
  tags    = { Retired = "yes" }
}
resource "aws_db_instance" "c" {
  engine = "postgres"
}
"""
    condition = {"when": {"not": {"required": ["tags"]}}, "message": "{address} is a {type}"}
    reported = same_everywhere(condition, ["azurerm_mssql_server"], terraform(text))
    assert [(a, line, m) for a, line, m, _ in reported] == [
        ("azurerm_mssql_server.a", 2, "azurerm_mssql_server.a is a azurerm_mssql_server")
    ]


def test_the_built_in_proprietary_engine_check_reports_every_sql_server() -> None:
    (engines,) = [c for c in catalogue() if c.id == "TCOP-05-TF-005"]
    assert "require" not in engines.rule["cases"][1]  # no fake required key any more
    run = run_check(
        engines,
        terraform('resource "azurerm_mssql_server" "a" {}\nresource "azurerm_mssql_server" "b" {\n  count = 0\n}\n'),
        Settings(),
    )
    assert [f.address for f in run.findings] == ["azurerm_mssql_server.a"]


def test_kubernetes_subjects_use_the_same_form() -> None:
    result = load_yaml("ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: payments\n")
    documents = Documents(RepositoryFacts("/repo", ("ns.yaml",), False), kubernetes=tuple(result.kubernetes))
    rule = {
        "target": "kubernetes.object",
        "kinds": ["Namespace"],
        "require": {"properties": {"metadata": {"required": ["labels"]}}},
        "message": "{address} ({type}) has no {key} at {path}",
    }
    run = run_check(check(rule), documents, Settings())
    assert [(f.address, f.message) for f in run.findings] == [
        ("Namespace/_/payments#/metadata/labels", "Namespace/_/payments (Namespace) has no labels at metadata.labels"),
    ]


# --- three-valued evaluation ------------------------------------------------------------------

X = Unresolved("var.x")


@pytest.mark.parametrize(
    "schema, value, expected",
    [
        ({"const": "a"}, X, None),
        ({"not": {"const": "a"}}, X, None),
        ({"const": {"k": 1}}, {"k": X}, None),
        ({"const": {"k": 1}}, {"j": X}, False),
        ({"enum": [[1, 2]]}, [1, X, 3], False),
        ({"contains": {"const": "a"}}, [X], None),
        ({"contains": {"const": "a"}}, ["a", X], True),
        ({"contains": {"const": "a"}}, ["b", X], None),
        ({"contains": {"const": "a"}}, [], False),
        ({"required": ["k"]}, {"j": X}, False),
        ({"required": ["k"]}, {"k": X}, True),
        ({"anyOf": [{"required": ["k"]}, {"properties": {"j": {"const": 1}}}]}, {"j": X}, None),
        ({"anyOf": [{"required": ["k"]}, {"properties": {"j": {"const": 1}}}]}, {"k": X}, True),
        ({"oneOf": [{"required": ["k"]}, {"required": ["j"]}]}, {"k": X, "j": X}, False),
        ({"if": {"properties": {"a": {"const": 1}}}, "then": {"required": ["b"]}}, {"a": X}, None),
        ({"if": {"properties": {"a": {"const": 1}}}, "then": {"required": ["b"]}}, {"a": X, "b": 2}, True),
        ({"type": "array", "minItems": 3}, [X, X], False),
        ({"uniqueItems": True}, ["a", "a", X], False),
        ({"uniqueItems": True}, ["a", X], None),
        ({"items": {"type": "string"}}, ["a", X], None),
        ({"items": {"type": "string"}}, [1, X], False),
        ({"$ref": "#/$defs/x", "$defs": {"x": {"const": 1}}}, {"k": X}, None),
    ],
)
def test_three_valued_truth(schema: dict[str, Any], value: Any, expected: bool | None) -> None:
    assert truth(_validator(schema), schema, value) is expected


def test_failures_are_placed_where_they_are_decided() -> None:
    schema = {"properties": {"a": {"const": 1}, "b": {"items": {"not": {"const": False}}}}, "required": ["c"]}
    found = list(failures(_validator(schema), schema, {"a": X, "b": [True, False, X]}))
    assert [(f.path, f.value, f.missing) for f in found] == [(("b", 1), False, None), (("c",), None, "c")]


# --- the rule form's own schema ---------------------------------------------------------------

RULE_SCHEMA = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
DECLARATIVE = [c for c in catalogue() if "function" not in c.rule]


def test_the_rule_schema_is_a_valid_schema_naming_every_target() -> None:
    Draft202012Validator.check_schema(RULE_SCHEMA)
    assert RULE_SCHEMA["additionalProperties"] is False
    assert sorted(RULE_SCHEMA["properties"]["target"]["enum"]) == sorted(TARGETS)


def test_the_moved_checks_are_declarative() -> None:
    moved = {
        "TCOP-05-TF-005",
        "TCOP-06-TF-001",
        "TCOP-06-TF-002",
        "TCOP-06-TF-003",
        "TCOP-06-TF-005",
        "TCOP-06-TF-008",
        "TCOP-06-K8S-004",
        "TCOP-10-TF-001",
        "TCOP-11-TF-001",
    }
    assert moved <= {c.id for c in DECLARATIVE}


@pytest.mark.parametrize("builtin", DECLARATIVE, ids=[c.id for c in DECLARATIVE])
def test_every_built_in_declarative_rule_follows_the_rule_schema(builtin: Check) -> None:
    errors = [e.message for e in Draft202012Validator(RULE_SCHEMA).iter_errors(builtin.rule)]
    assert errors == []
    assert rule_problems(builtin.rule) == []


@pytest.mark.parametrize(
    "rule, complaint",
    [
        ({"target": "terraform.resource", "require": {}, "mesage": "x"}, "'mesage' was unexpected"),
        ({"target": "terraform.resource", "cases": [{"reqiure": {}, "message": "x"}]}, "'reqiure' was unexpected"),
        (
            {"target": "terraform.resource", "cases": [{"message": "x", "unless_resource": {"type": ["a"]}}]},
            "'type' was unexpected",
        ),
        ({"target": "terraform.resource", "cases": [{"message": "x"}], "message": "y"}, "rule.message"),
        ({"target": "terraform.resource", "require": {}}, "is not valid"),
        ({"target": "terraform.resource", "message": "x", "when": {"type": 12}}, "not a valid JSON Schema"),
        (
            {"target": "terraform.resource", "cases": [{"message": "x", "report_at": "protocol"}]},
            "is not of type 'array'",
        ),
        (
            {"target": "terraform.resource", "cases": [{"message": "{address} uses {vaule}"}]},
            "unknown placeholder {vaule}",
        ),
    ],
)
def test_a_misspelt_or_misplaced_key_is_refused(rule: dict[str, Any], complaint: str) -> None:
    problems = rule_problems(rule)
    assert problems and complaint in problems[0], problems


def test_the_catalogue_refuses_a_misspelt_key_in_a_local_check(tmp_path: Path) -> None:
    folder = tmp_path / "tcop-06" / "TCOP-06-TF-900"
    folder.mkdir(parents=True)
    (folder / "check.yaml").write_text(
        "id: TCOP-06-TF-900\nname: Example\ntitle: An example\ntcop_point: 6\nlevel: warning\nreads: terraform\n"
        "help_uri: https://www.gov.uk/guidance/make-things-secure\nrationale: Because.\nremediation: Fix it.\n"
        "precision: high\nrule:\n  target: terraform.resource\n  cases:\n    - require: {required: [bucket]}\n"
        '      mesage: "{address} has no bucket"\n',
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match="mesage"):
        load_catalogue([tmp_path])


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "info: {}\nswagger: '2.0'\npaths: {}\n",
            [("#/swagger", 2, "the API is described with Swagger 2.0; describe it with OpenAPI 3")],
        ),
        (
            "openapi: 2.0.0\npaths: {}\n",
            [("#/openapi", 1, "the document declares openapi 2.0.0; describe it with OpenAPI 3")],
        ),
        ("openapi: 3.0.0\npaths: {}\n", []),
    ],
)
def test_an_openapi_document_is_addressed_by_pointer_from_its_root(text: str, expected: list) -> None:
    (described,) = [c for c in catalogue() if c.id == "TCOP-04-OAS-001"]
    assert "python" not in described.rule
    loaded = load_yaml("api.yaml", text)
    documents = Documents(RepositoryFacts("/repo", ("api.yaml",), False), openapi=loaded.openapi)
    run = run_check(described, documents, Settings())
    assert [(f.address, f.position.line if f.position else 0, f.message) for f in run.findings] == expected


def test_a_false_subschema_keeps_the_failing_path() -> None:
    schema = {"properties": {"swagger": False, "nested": {"items": False}}}
    validator = _validator(schema)
    found = list(failures(validator, validator.schema, {"swagger": "2.0", "nested": [1]}))
    assert sorted((f.path, f.value) for f in found) == [(("nested", 0), 1), (("swagger",), "2.0")]
    assert {"const": False} == _validator({"const": False}).schema  # values are not schemas
