"""The rule registry and the catalogue agree: every registered rule exists, is used, and its
defaults satisfy its own option schema; every built-in check validates against check.schema.json."""

from __future__ import annotations

import inspect
import json

import pytest

from tcop_lint.check.catalogue import builtin_checks_dir, check_schema, load_catalogue, schema_errors
from tcop_lint.check.registry import RULES, options_schema, resolve_options, rule_function
from tcop_lint.core.settings import Settings

CATALOGUE = load_catalogue([builtin_checks_dir()])  # untrusted: every file validated against the schema


@pytest.mark.parametrize("name", sorted(RULES))
def test_each_registered_rule_is_a_function_of_its_module(name: str) -> None:
    function = rule_function(name)
    assert function.__name__ == name and function.__module__ == f"tcop_lint.check.rules.{RULES[name].module}"
    expected = ["subject", "ctx"] if RULES[name].targets else ["ctx"]
    assert list(inspect.signature(function).parameters) == expected


def test_every_registered_rule_is_used_by_a_built_in_check() -> None:
    used = {check.rule.get("function") for check in CATALOGUE}
    assert sorted(set(RULES) - used) == []


@pytest.mark.parametrize("name", sorted(RULES))
def test_defaults_satisfy_the_option_schema(name: str) -> None:
    defaults = resolve_options(name, Settings())
    assert set(defaults) == set(RULES[name].options)
    as_configured = json.loads(json.dumps(defaults))  # the settings hold tuples where YAML gives lists
    assert schema_errors(as_configured, options_schema(RULES[name]), "") is None


@pytest.mark.parametrize("check", [c for c in CATALOGUE if "function" in c.rule], ids=lambda c: c.id)
def test_built_in_rule_options_satisfy_their_schema(check) -> None:
    # Checked here rather than at every start, where it would cost a jsonschema import.
    options = json.loads(json.dumps(dict(check.rule.get("options") or {})))
    assert schema_errors(options, options_schema(RULES[check.rule["function"]]), "rule.options") is None


def test_the_check_schema_is_a_valid_json_schema() -> None:
    from jsonschema import Draft202012Validator

    Draft202012Validator.check_schema(check_schema())
    assert len(CATALOGUE) >= 97
