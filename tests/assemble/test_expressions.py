"""The Terraform expression evaluator: what is known is computed, nothing else is guessed."""

from __future__ import annotations

import time
from typing import Any

import pytest

from tcop_lint.assemble.expressions import MISSING, Scope, evaluate
from tcop_lint.assemble.terraform_modules import assemble_modules
from tcop_lint.check.declarative import _validator, failures, truth
from tcop_lint.core.model import Unresolved
from tcop_lint.load.terraform import load_terraform

VARIABLES: dict[str, Any] = {
    "env": "dev",
    "off": False,
    "count": 3,
    "text_number": "1.2",
    "text_true": "true",
    "zones": ["a", "b", "c"],
    "tags": {"Owner": "claims", "Team": "platform"},
    "nested": {"db": {"port": 5432, "hosts": ["h1", "h2"]}},
    "servers": [{"name": "one", "port": 22}, {"name": "two", "port": 443}],
    "nothing": None,
}
LOCALS: dict[str, Any] = {"is-development": True, "prefix": "claims"}


def scope(variables: dict[str, Any] | None = None, locals_: dict[str, Any] | None = None) -> Scope:
    found_variables = VARIABLES if variables is None else variables
    found_locals = LOCALS if locals_ is None else locals_
    return Scope(lambda name: found_variables.get(name, MISSING), lambda name: found_locals.get(name, MISSING))


def value(text: str) -> Any:
    return evaluate(text, scope())


def unknown(text: str) -> bool:
    found = value(text)
    return isinstance(found, Unresolved) and found.expression == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", 1),
        ("-2.5", -2.5),
        ("null", None),
        ('"plain"', "plain"),
        ("[1, true, null]", [1, True, None]),
        ('{a = 1, "b" = 2, (local.prefix) = 3}', {"a": 1, "b": 2, "claims": 3}),
        ("var.env", "dev"),
        ("local.is-development", True),
        ("var.nested.db.port", 5432),
        ('var.nested["db"].hosts[1]', "h2"),
        ("var.zones.0", "a"),
        ("local.is-development ? true : false", True),
        ('var.env == "dev" ? true : false', True),
        ('var.env != "dev" ? "x" : "y"', "y"),
        ("!var.off", True),
        ("!(!var.off)", False),
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 / 4", 2.5),
        ("10 / 5", 2),
        ("7 % 3", 1),
        ("-7 % 3", -1),
        ("var.count - 1", 2),
        ("var.count >= 3 && var.count < 4", True),
        ("var.count > 3 || var.count <= 2", False),
        ("1 == 1.0", True),
        ('"1" == 1', False),  # Terraform's == never converts
        ("true == 1", False),
        ("[1, 2] == [1, 2]", True),
        ("{a = 1} != {a = 2}", True),
        ("null == null", True),
        ('"${var.env}-logs"', "dev-logs"),
        ('"${var.count}/${var.off}"', "3/false"),
        ('"$${literal}"', "${literal}"),
        ('"${var.zones}"', ["a", "b", "c"]),  # a lone interpolation is the value itself
        ('"${null}"', None),
    ],
)
def test_values(text: str, expected: Any) -> None:
    found = value(text)
    assert found == expected
    assert type(found) is type(expected)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("var.text_true && true", True),  # "true" converts to true where a bool is needed
        ("!var.text_true", False),
        ("var.text_number + 1", 2.2),
        ("var.text_number == 1.2", False),  # but == compares types
        ("tonumber(var.text_number) == 1.2", True),
        ('"2" > 1', True),
        ('var.text_true ? "yes" : "no"', "yes"),
        ('tobool("false")', False),
        ("tostring(1.5)", "1.5"),
        ("tostring(2)", "2"),
        ("tostring(true)", "true"),
        ("tostring(null)", None),
        ('tonumber("10")', 10),
    ],
)
def test_conversions(text: str, expected: Any) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('merge(var.tags, {Team = "claims"}, null)', {"Owner": "claims", "Team": "claims"}),
        ('concat(var.zones, ["d"], [])', ["a", "b", "c", "d"]),
        ('lookup(var.tags, "Owner")', "claims"),
        ('lookup(var.tags, "Missing", "none")', "none"),
        ('try(var.tags.Missing, "fallback")', "fallback"),
        ('try(var.tags.Owner, "fallback")', "claims"),
        ('coalesce(null, "", "first")', "first"),
        ('format("%s-%03d-%t-%.1f-%%", "a", 7, true, 1.25)', "a-007-true-1.2-%"),
        ('format("%q", "x")', '"x"'),
        ('join("-", var.zones)', "a-b-c"),
        ('split(",", "a,b,,c")', ["a", "b", "", "c"]),
        ("tolist(var.zones)", ["a", "b", "c"]),
        ('toset(["b", "a", "b"])', ["a", "b"]),
        ("toset([2, 1, 2])", [1, 2]),
        ("tomap(var.tags)", VARIABLES["tags"]),
        ("flatten([[1, [2, []]], 3])", [1, 2, 3]),
        ("element(var.zones, 4)", "b"),
        ('contains(var.zones, "b")', True),
        ('contains(var.zones, "z")', False),
        ("length(var.zones)", 3),
        ("length(var.tags)", 2),
        ('length("four")', 4),
        ('jsonencode({b = [1, "<x>"], a = true, c = null})', '{"a":true,"b":[1,"\\u003cx\\u003e"],"c":null}'),
        ('jsondecode("{\\"a\\": [1, 2]}")', {"a": [1, 2]}),
        ('lower("ABC")', "abc"),
        ('upper("abc")', "ABC"),
        ('cidrsubnet("10.1.2.0/24", 4, 15)', "10.1.2.240/28"),
        ('cidrsubnet("10.0.0.0/16", 8, 2)', "10.0.2.0/24"),
        ('cidrsubnet("fd00::/56", 8, 1)', "fd00:0:0:1::/64"),
        ("concat(var.zones...)", None),  # expansion of a list of non-lists is an error
        ("concat([[1], [2]]...)", [1, 2]),
    ],
)
def test_functions(text: str, expected: Any) -> None:
    if expected is None:
        assert unknown(text)
    else:
        assert value(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[for z in var.zones : upper(z)]", ["A", "B", "C"]),
        ('[for i, z in var.zones : i if z != "b"]', [0, 2]),
        ("{for k, v in var.tags : lower(k) => v}", {"owner": "claims", "team": "platform"}),
        ("{for s in var.servers : s.port => s.name}", {"22": "one", "443": "two"}),
        ('{for z in ["a", "b", "a"] : z => z...}', {"a": ["a", "a"], "b": ["b"]}),
        ("[for k, v in {b = 1, a = 2} : k]", ["a", "b"]),  # maps iterate in key order
        ("var.servers[*].port", [22, 443]),
        ("var.servers.*.name", ["one", "two"]),
        ("var.nothing[*]", []),
        ("var.tags[*]", [VARIABLES["tags"]]),
    ],
)
def test_for_expressions_and_splats(text: str, expected: Any) -> None:
    assert value(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "var.unset",
        "local.unset",
        "aws_s3_bucket.logs.arn",
        "each.value",
        "var.unset ? true : false",
        "!var.unset",
        'var.unset == "dev"',
        "var.unset + 1",
        "true && var.unset",
        "false || var.unset",
        "[for z in var.unset : z]",
        "[for z in var.zones : z if var.unset]",
        "var.unset[*].name",
        "merge(var.tags, var.unset)",
        "length(var.unset)",
        'contains([var.unset, "a"], "b")',
        "jsonencode({a = var.unset})",
        "toset([var.unset])",
        'try(var.unset, "fallback")',  # it might not fail: unknown, not the fallback
        "timestamp()",  # not a supported function
        'provider::aws::arn_parse("x")',
        "var.tags.Missing",  # an error in Terraform
        'lookup(var.tags, "Missing")',
        "element([], 0)",
        "1 / 0",
        '"x" + 1',
        "null ? 1 : 2",
        '"x${null}"',
        '"x${var.tags}"',
        '{for z in ["a", "a"] : z => 1}',  # duplicate key without grouping
        'cidrsubnet("10.0.0.0/30", 4, 1)',
        "x = 1\ny = 2",  # more than one expression
        "(",  # not an expression
    ],
)
def test_unknowns_and_errors_stay_unresolved(text: str) -> None:
    assert unknown(text)


def test_unknowns_inside_known_containers_are_kept_in_place() -> None:
    found = value("merge(var.tags, {Name = aws_s3_bucket.logs.id})")
    assert found == {"Owner": "claims", "Team": "platform", "Name": Unresolved("aws_s3_bucket.logs.id")}
    assert value("[1, var.unset]") == [1, Unresolved("var.unset")]
    assert value("length([1, var.unset])") == 2


def test_short_circuit_decides_despite_an_unknown_side() -> None:
    assert value("var.unset && false") is False
    assert value("false && var.unset") is False
    assert value("var.unset || true") is True
    assert value('var.env == "dev" || aws_x.y.enabled') is True


def test_templates_keep_their_known_prefix_and_suffix() -> None:
    found = value('"serviceAccount:${google_service_account.x.email}"')
    assert found == Unresolved('"serviceAccount:${google_service_account.x.email}"', "serviceAccount:", "")
    found = value('"${var.env}-${aws_s3_bucket.logs.id}-logs"')
    assert (found.prefix, found.suffix) == ("dev-", "-logs")
    found = value('"a%{if var.unset}b%{endif}c"')
    assert (found.prefix, found.suffix) == ("a", "c")
    found = value('format("user:%s", var.unset)')
    assert (found.prefix, found.suffix) == ("user:", "")
    found = value('"%{~ if var.unset}b%{ endif ~}"')
    assert (found.prefix, found.suffix) == ("", "")


def test_locals_refer_to_locals_and_cycles_stay_unresolved() -> None:
    tf = """
variable "env" {
  default = "dev"
}
locals {
  is-development = var.env == "dev"
  public         = local.is-development ? true : false
  name           = "${local.prefix}-${var.env}"
  prefix         = upper("claims")
  loop_a         = local.loop_b ? 1 : 2
  loop_b         = !local.loop_a
  self           = local.self + 1
}
resource "aws_db_instance" "main" {
  publicly_accessible = local.public
  identifier          = local.name
  loop                = local.loop_a
  self                = local.self
  ports               = [for p in [22, 443] : p + local.loop_b]
}
"""
    loaded = load_terraform("main.tf", tf).terraform
    assert loaded is not None
    data = assemble_modules([loaded])[0].resources[0].block.body.data
    assert data["publicly_accessible"] is True
    assert data["identifier"] == "CLAIMS-dev"
    assert isinstance(data["loop"], Unresolved)
    assert isinstance(data["self"], Unresolved)
    assert len(data["ports"]) == 2 and all(isinstance(p, Unresolved) for p in data["ports"])


def test_a_long_chain_of_locals_resolves_without_exhausting_the_stack() -> None:
    chain = "\n".join(f"  l{n} = local.l{n + 1} && true" for n in range(30))
    tf = f'locals {{\n{chain}\n  l30 = true\n}}\nresource "x" "y" {{\n  v = local.l0\n}}\n'
    loaded = load_terraform("main.tf", tf).terraform
    assert loaded is not None
    assert assemble_modules([loaded])[0].resources[0].block.body.data["v"] is True


@pytest.mark.parametrize(
    "text",
    [
        "(" * 400 + "1" + ")" * 400,
        "!" * 2000 + "true",
        "[" * 300 + "]" * 300,
        "1" + " + 1" * 5000,
        "[for a in " + "[" + ", ".join(["1"] * 5000) + "] : [for b in [" + ", ".join(["1"] * 5000) + "] : b]]",
        'join("", [for i in ' + "[" + ", ".join(["1"] * 9000) + '] : "' + "x" * 200 + '"])',
        "flatten(" + "[" * 100 + "1" + "]" * 100 + ")",
        '"' + "${1}" * 30000 + '"',
    ],
)
def test_hostile_expressions_are_bounded(text: str) -> None:
    started = time.perf_counter()
    found = evaluate(text, scope())
    assert time.perf_counter() - started < 5
    assert isinstance(found, (Unresolved, int, bool, str, list))


def test_numbers_cannot_grow_without_bound() -> None:
    evaluated: dict[str, Any] = {}

    def local(name: str) -> Any:
        if name not in evaluated:
            number = int(name[1:])
            evaluated[name] = 10 if number == 0 else evaluate(f"local.n{number - 1} * local.n{number - 1}", own)
        return evaluated[name]

    own = Scope(lambda name: MISSING, local)
    assert isinstance(evaluate("local.n20", own), Unresolved)


# --- the declarative form: Terraform's conversions and partly known strings ----------------------


def _decide(schema: Any, data: Any, terraform: bool = True) -> bool | None:
    validator = _validator(schema, terraform=terraform)
    return truth(validator, validator.schema, data)


def test_const_and_enum_follow_terraform_conversions() -> None:
    assert _decide({"const": True}, "true") is True
    assert _decide({"const": True}, "false") is False
    assert _decide({"const": True}, "TRUE") is False
    assert _decide({"not": {"const": False}}, "false") is False
    assert _decide({"enum": ["1.0", "1.1"]}, 1.1) is True
    assert _decide({"enum": ["1.0", "1.1"]}, 1.2) is False
    assert _decide({"const": 22}, "22") is True
    assert _decide({"const": "1.0"}, 1) is False  # 1 is sent as "1", not "1.0"
    assert _decide({"const": True}, "true", terraform=False) is False  # YAML subjects: plain JSON


def test_partly_known_strings_are_decided_only_by_what_is_known() -> None:
    member = Unresolved('"serviceAccount:${x.email}"', "serviceAccount:", "")
    assert _decide({"pattern": "^serviceAccount:"}, member) is True
    assert _decide({"pattern": "^user:"}, member) is False
    assert _decide({"pattern": "^service"}, member) is True
    assert _decide({"pattern": "^serviceAccount:ci@"}, member) is None
    assert _decide({"pattern": "@example\\.com$"}, member) is None
    assert _decide({"pattern": "^serviceAccount:$"}, member) is None
    assert _decide({"pattern": "^(user|group):"}, member) is None
    assert _decide({"const": "serviceAccount:ci@x"}, member) is None
    assert _decide({"const": "user:ci@x"}, member) is False
    assert _decide({"enum": ["allUsers", "allAuthenticatedUsers"]}, member) is False
    assert _decide({"type": "string"}, member) is True
    bucket = Unresolved('"${var.x}-logs"', "", "-logs")
    assert _decide({"pattern": "-logs$"}, bucket) is None  # the search may also match earlier
    assert _decide({"pattern": "-logs"}, bucket) is True
    assert _decide({"pattern": "-data$"}, bucket) is False
    validator = _validator({"properties": {"member": {"not": {"pattern": "^serviceAccount:"}}}}, terraform=True)
    assert [f.path for f in failures(validator, validator.schema, {"member": member})] == [("member",)]
