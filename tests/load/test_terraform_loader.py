"""The Terraform loader: literal values, Unresolved expressions, positions, and trouble."""

from __future__ import annotations

import textwrap

import pytest

from tcop_lint.core.model import Position, Unresolved
from tcop_lint.load.terraform import load_terraform

MAIN = textwrap.dedent(
    """\
    provider "aws" {
      alias  = "use1"
      region = "us-east-1"
    }

    resource "aws_lb_listener" "https" {
      load_balancer_arn = aws_lb.main.arn
      port              = 443
      protocol          = "HTTPS"
      enabled           = true
      weight            = -1.5
      nothing           = null
      tags              = { Name = "web", "Cost Centre" = var.cc }
      ports             = [80, var.port]
      name              = "${var.env}-web"
      escaped           = "$${literal} \\"quoted\\""
      policy            = <<-EOT
        {"Version": "2012-10-17"}
      EOT
      chosen            = var.on ? "a" : "b"

      default_action {
        type = "redirect"
        redirect {
          protocol = "HTTPS"
        }
      }

      dynamic "ingress" {
        for_each = var.rules
        content {
          from_port = ingress.value.port
        }
      }
    }
    """
)


def blocks(text: str, name: str = "main.tf"):
    result = load_terraform(name, text)
    assert result.problems == ()
    return result.terraform.blocks


def test_blocks_labels_and_literal_values() -> None:
    provider, listener = blocks(MAIN)
    assert (provider.block_type, provider.labels, provider.address) == ("provider", ("aws",), "provider.aws")
    assert provider.body.data == {"alias": "use1", "region": "us-east-1"}
    data = listener.body.data
    assert listener.labels == ("aws_lb_listener", "https")
    assert data["port"] == 443 and data["protocol"] == "HTTPS" and data["enabled"] is True
    assert data["weight"] == -1.5 and data["nothing"] is None
    assert data["tags"] == {"Name": "web", "Cost Centre": Unresolved("var.cc")}
    assert data["ports"] == [80, Unresolved("var.port")]
    assert data["escaped"] == '${literal} "quoted"'
    assert data["policy"] == '{"Version": "2012-10-17"}\n'


def test_expressions_keep_their_source_text() -> None:
    data = blocks(MAIN)[1].body.data
    assert data["load_balancer_arn"] == Unresolved("aws_lb.main.arn")
    assert data["name"] == Unresolved('"${var.env}-web"')
    assert data["chosen"] == Unresolved('var.on ? "a" : "b"')


def test_nested_and_dynamic_blocks_are_lists_of_dicts() -> None:
    data = blocks(MAIN)[1].body.data
    assert data["default_action"] == [{"type": "redirect", "redirect": [{"protocol": "HTTPS"}]}]
    assert data["ingress"] == [{"from_port": Unresolved("ingress.value.port")}]


def test_positions_point_at_attributes_and_elements() -> None:
    provider, listener = blocks(MAIN)
    assert provider.position.line == 1 and provider.body.positions[()] == provider.position
    body = listener.body
    assert body.locate(("port",)) == Position(8, 3, 8, 26)
    assert body.locate(("tags", "Cost Centre")).line == 13
    assert body.locate(("ports", 1)).line == 14 and body.locate(("ports", 1)).column > 3
    assert body.locate(("default_action", 0, "redirect", 0, "protocol")).line == 25
    assert body.locate(("ingress", 0, "from_port")).line == 32
    assert body.locate(("chosen",)).line == 20  # after the heredoc


def test_tfvars_become_a_node() -> None:
    result = load_terraform("env/terraform.tfvars", 'region = "eu-west-2"\nzones = ["a", "b"]\n')
    node = result.terraform.tfvars
    assert node.data == {"region": "eu-west-2", "zones": ["a", "b"]}
    assert node.locate(("zones",)).line == 2 and result.terraform.blocks == ()


def test_tf_json_maps_blocks_and_interpolations() -> None:
    text = textwrap.dedent(
        """\
        {
          "provider": {"aws": [{"region": "eu-west-2"}, {"alias": "use1", "region": "us-east-1"}]},
          "resource": {
            "aws_security_group": {
              "web": {
                "vpc_id": "${aws_vpc.main.id}",
                "name": "web-${var.env}",
                "ingress": [{"from_port": 22, "cidr_blocks": ["0.0.0.0/0"]}],
                "tags": {"Name": "web"}
              }
            }
          }
        }
        """
    )
    first, second, group = blocks(text, "main.tf.json")
    assert first.body.data == {"region": "eu-west-2"} and second.body.data["alias"] == "use1"
    assert group.labels == ("aws_security_group", "web") and group.position.line == 5
    assert group.body.data["vpc_id"] == Unresolved("aws_vpc.main.id")
    assert isinstance(group.body.data["name"], Unresolved)
    assert group.body.data["ingress"] == [{"from_port": 22, "cidr_blocks": ["0.0.0.0/0"]}]
    assert group.body.data["tags"] == {"Name": "web"}
    assert group.body.locate(("ingress", 0, "cidr_blocks")).line == 8


def test_trouble_becomes_a_parse_problem_with_a_line() -> None:
    broken = load_terraform("main.tf", 'resource "a" "b" {\n  x = \n}\n')
    assert broken.terraform is None and broken.problems[0].position.line == 2
    bad_json = load_terraform("main.tf.json", '{\n  "resource": [1, 2,]\n}')
    assert bad_json.problems[0].position.line == 2
    undecodable = load_terraform("main.tf", b'resource "a" "b" {\n  x = "\xff"\n}\n')
    assert undecodable.problems[0].position.line == 2
    escaped = load_terraform("main.tf", 'x = "\udcff"')
    assert "UTF-8" in escaped.problems[0].message


def test_deep_nesting_does_not_blow_the_stack() -> None:
    deep = "x = " + "[" * 3000 + "1" + "]" * 3000 + "\n"
    result = load_terraform("deep.tfvars", deep)  # a ParseProblem or a value, never an exception
    assert result.problems or isinstance(result.terraform.tfvars.data["x"], (list, Unresolved))
    deep_json = '{"x": ' + "[" * 5000 + "]" * 5000 + "}"
    assert "nested more than" in load_terraform("deep.tfvars.json", deep_json).problems[0].message


def test_string_edges_comments_and_columns_are_read_as_written() -> None:
    source = textwrap.dedent(
        """\
        locals {
          spaced    = " trailing space "
          seconds   = 7 * 24 * 3600 # one week
          café      = "é${var.x}"
          after_é   = "ü"
          wrapped   = (-2)
          keyed     = { (var.k) = 1 }
          policy    = <<EOT
        {"a": 1}
        EOT
        }
        """
    )
    block = load_terraform("main.tf", source).terraform.blocks[0]
    data, positions = block.body.data, block.body.positions
    assert data["spaced"] == " trailing space "
    assert data["seconds"] == Unresolved("7 * 24 * 3600")  # the comment is not part of it
    assert data["café"] == Unresolved('"é${var.x}"')
    assert data["wrapped"] == -2
    assert data["keyed"] == Unresolved("{ (var.k) = 1 }")
    assert data["policy"] == '{"a": 1}\n'
    # columns count characters, not UTF-8 bytes: "é" is two bytes
    assert positions[("after_é",)] == Position(5, 3, 5, 18)
    assert positions[("policy",)] == Position(8, 3, 10, 4)  # ends on the closing marker's line


def test_syntax_errors_have_a_position_and_a_message() -> None:
    result = load_terraform("main.tf", 'resource "a" "b" {\n  x = = 1\n}\n')
    assert result.terraform is None
    (problem,) = result.problems
    assert problem.message.startswith("Terraform syntax error")
    assert problem.position is not None and problem.position.line == 2


def test_a_file_only_tree_sitter_rejects_is_reported_at_its_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import tcop_lint.load.terraform as terraform

    monkeypatch.setattr(terraform, "_parse_hcl", lambda text: None)  # python-hcl2 would accept it
    (problem,) = load_terraform("main.tf", "locals {\n  a = 1\n  b = = 2\n}\n").problems
    assert problem.message == "Terraform syntax error: not valid HCL here"
    assert problem.position is not None and problem.position.line == 3
