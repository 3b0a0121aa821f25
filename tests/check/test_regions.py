"""TCOP-05-TF-001's rule function and the port logic of TCOP-06-TF-006, on real parses."""

from __future__ import annotations

from types import MappingProxyType

from tcop_lint.assemble.terraform_modules import assemble_modules
from tcop_lint.check.rules.regions import resources_outside_allowed_regions
from tcop_lint.check.rules.terraform_network import admin_ports_open_to_world
from tcop_lint.check.subjects import subjects
from tcop_lint.core.model import Documents, RepositoryFacts
from tcop_lint.core.settings import Settings
from tcop_lint.load.terraform import load_terraform
from tcop_lint.testing import rule_context


def documents(*files: tuple[str, str]) -> Documents:
    parsed = [load_terraform(name, text).terraform for name, text in files]
    return Documents(repository=RepositoryFacts("/repo", (), False), terraform=assemble_modules(parsed))


def region_hits(*files: tuple[str, str], settings: Settings | None = None):
    return list(
        resources_outside_allowed_regions(rule_context(resources_outside_allowed_regions, documents(*files), settings))
    )


SHARED_PROVIDER = """provider "aws" {
  region = "eu-west-1"
}
resource "aws_s3_bucket" "a" {}
resource "aws_s3_bucket" "b" {}
resource "aws_iam_role" "r" {}
data "aws_caller_identity" "me" {}
"""


def test_inherited_region_is_reported_once_on_the_provider_line() -> None:
    (hit,) = region_hits(("main.tf", SHARED_PROVIDER))
    assert (hit.file, hit.position.line, hit.address, hit.level) == ("main.tf", 2, "provider.aws", None)
    assert hit.properties["resources"] == ["aws_s3_bucket.a", "aws_s3_bucket.b"]


def test_configuration_can_allow_more_regions() -> None:
    wider = Settings(allowed_regions=MappingProxyType({"aws": ("eu-west-2", "eu-west-1")}))
    assert region_hits(("main.tf", SHARED_PROVIDER), settings=wider) == []


def test_only_global_types_under_a_foreign_provider_are_not_reported() -> None:
    text = 'provider "aws" {\n  region = "us-east-1"\n}\nresource "aws_iam_role" "r" {}\nresource "aws_route53_zone" "z" {}\n'
    assert region_hits(("main.tf", text)) == []


def test_us_east_1_exemptions_need_the_right_shape() -> None:
    text = """provider "aws" {
  alias  = "use1"
  region = "us-east-1"
}
resource "aws_acm_certificate" "cdn" {
  provider = aws.use1
}
resource "aws_cloudwatch_metric_alarm" "cpu" {
  provider  = aws.use1
  namespace = "AWS/EC2"
}
"""
    (hit,) = region_hits(("main.tf", text))
    assert hit.position.line == 3 and hit.properties["resources"] == ["aws_cloudwatch_metric_alarm.cpu"]


def test_unresolved_region_is_a_note_and_module_without_provider_is_silent() -> None:
    hits = region_hits(
        ("main.tf", 'variable "r" {}\nprovider "aws" {\n  region = var.r\n}\nresource "aws_sqs_queue" "q" {}\n'),
        ("modules/x/main.tf", 'resource "aws_sqs_queue" "q" {}\n'),
    )
    assert [(h.file, h.position.line, h.level) for h in hits] == [("main.tf", 3, "note")]


def test_azure_location_is_normalised() -> None:
    text = 'resource "azurerm_resource_group" "a" {\n  location = "UK West"\n}\nresource "azurerm_resource_group" "b" {\n  location = "North Europe"\n}\n'
    (hit,) = region_hits(("main.tf", text))
    assert hit.position.line == 5 and hit.address == "azurerm_resource_group.b"


def port_hits(text: str) -> list[int]:
    docs = documents(("main.tf", text))
    rule = {"target": "terraform.resource"}
    context = rule_context(admin_ports_open_to_world, docs, options={"ports": [22, 3389, 5432]})
    return [h.position.line for s in subjects(docs, rule) for h in admin_ports_open_to_world(s, context)]


def test_port_ranges_and_all_protocols_count() -> None:
    text = """resource "aws_security_group_rule" "range" {
  type        = "ingress"
  from_port   = 5000
  to_port     = 6000
  protocol    = "tcp"
  cidr_blocks = ["0.0.0.0/0"]
}
resource "aws_security_group_rule" "below" {
  type        = "ingress"
  from_port   = 80
  to_port     = 443
  protocol    = "tcp"
  cidr_blocks = ["0.0.0.0/0"]
}
resource "aws_security_group_rule" "icmp" {
  type        = "ingress"
  from_port   = -1
  to_port     = -1
  protocol    = "icmp"
  cidr_blocks = ["0.0.0.0/0"]
}
resource "google_compute_firewall" "all" {
  allow {
    protocol = "all"
  }
  source_ranges = ["10.0.0.0/8", "0.0.0.0/0"]
}
resource "google_compute_firewall" "egress" {
  direction = "EGRESS"
  allow {
    protocol = "tcp"
    ports    = ["22"]
  }
  source_ranges = ["0.0.0.0/0"]
}
"""
    assert port_hits(text) == [6, 26]
