"""The cloud and Terraform rules on real parses: what is certain is reported, what is not is left."""

from __future__ import annotations

from tcop_lint.assemble.inventory import provider_inventory
from tcop_lint.assemble.terraform_modules import assemble_modules
from tcop_lint.check.rules.regions import resources_outside_allowed_regions
from tcop_lint.check.rules.terraform_access import public_object_storage, wildcard_admin_permissions
from tcop_lint.check.rules.terraform_estate import required_tags_missing, versions_unconstrained
from tcop_lint.check.rules.terraform_operations import detached_resources, production_databases_ha
from tcop_lint.check.rules.terraform_residency import replication_outside_allowed_regions
from tcop_lint.check.rules.terraform_support import parse_policy
from tcop_lint.core.model import Documents, RepositoryFacts, Unresolved
from tcop_lint.core.settings import Settings
from tcop_lint.load.terraform import load_terraform
from tcop_lint.testing import rule_context


def documents(*files: tuple[str, str], repository_files: tuple[str, ...] = ()) -> Documents:
    parsed = [load_terraform(name, text).terraform for name, text in files]
    return Documents(repository=RepositoryFacts("/repo", repository_files, False), terraform=assemble_modules(parsed))


def run(rule, *files: tuple[str, str], settings: Settings | None = None, params=None):
    return list(rule(rule_context(rule, documents(*files), settings, params)))


def test_jsonencode_policy_is_read_with_references_left_unresolved() -> None:
    (policy,) = [
        b.body.data["policy"]
        for b in load_terraform(
            "p.tf",
            """
resource "aws_iam_policy" "p" {
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Action = "*", Resource = [aws_s3_bucket.b.arn] }]
  })
}""",
        ).terraform.blocks
    ]
    parsed = parse_policy(policy)
    statement = parsed["Statement"][0]
    assert statement["Action"] == "*" and isinstance(statement["Resource"][0], Unresolved)
    assert parse_policy(Unresolved('templatefile("p.json", {})')) is None
    assert parse_policy('{"Statement": []}') == {"Statement": []}


def test_wildcard_policy_document_is_reported_once_on_the_data_source() -> None:
    hits = run(
        wildcard_admin_permissions,
        (
            "main.tf",
            """
data "aws_iam_policy_document" "admin" {
  statement {
    actions   = ["*"]
    resources = ["*"]
  }
}
resource "aws_iam_policy" "admin" {
  policy = data.aws_iam_policy_document.admin.json
}
resource "aws_iam_policy" "unknown" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }] })
}""",
        ),
    )
    assert [(h.address, h.position.line) for h in hits] == [("data.aws_iam_policy_document.admin#statement/0", 3)]


def test_replication_follows_the_destination_buckets_provider_region() -> None:
    files = (
        "main.tf",
        """
provider "aws" {
  region = "eu-west-2"
}
provider "aws" {
  alias  = "dr"
  region = var.dr_region
}
resource "aws_s3_bucket" "a" {}
resource "aws_s3_bucket" "b" {
  provider = aws.dr
}
resource "aws_s3_bucket_replication_configuration" "r" {
  bucket = aws_s3_bucket.a.id
  rule {
    destination {
      bucket = aws_s3_bucket.b.arn
    }
  }
}""",
    )
    assert run(replication_outside_allowed_regions, files) == []  # the destination's region is unknown
    resolved = ("terraform.tfvars", 'dr_region = "eu-west-1"\n')
    variables = ("vars.tf", 'variable "dr_region" {}\n')
    (hit,) = run(replication_outside_allowed_regions, files, resolved, variables)
    assert (hit.position.line, hit.properties["region"]) == (17, "eu-west-1")


def test_google_multi_region_is_reported_by_the_replication_check_only() -> None:
    bucket = ("main.tf", 'resource "google_storage_bucket" "b" {\n  location = "US"\n}\n')
    assert run(resources_outside_allowed_regions, bucket) == []
    (hit,) = run(replication_outside_allowed_regions, bucket)
    assert hit.position.line == 2


def test_azure_geo_redundancy_passes_between_uk_regions() -> None:
    account = 'resource "azurerm_storage_account" "s" {\n  location = "%s"\n  account_replication_type = "GRS"\n}\n'
    assert run(replication_outside_allowed_regions, ("a.tf", account % "uksouth")) == []
    narrow = Settings(allowed_regions={"azurerm": ("ukwest",)})
    assert [
        h.properties["region"]
        for h in run(replication_outside_allowed_regions, ("a.tf", account % "ukwest"), settings=narrow)
    ] == ["uksouth"]


def test_provider_inventory_counts_services_per_provider() -> None:
    docs = documents(
        (
            "main.tf",
            """
resource "aws_s3_bucket" "a" {}
resource "aws_s3_bucket_policy" "a" {}
resource "aws_dynamodb_table" "t" {}
resource "aws_db_instance" "d" {}
data "aws_caller_identity" "me" {}
resource "random_id" "r" {}
""",
        )
    )
    inventory = provider_inventory(docs)
    assert inventory["aws"] == {
        "resources": 4,
        "data_sources": 1,
        "services": {"dynamodb": 1, "rds": 1, "s3": 2},
        "high_coupling": {"aws_dynamodb_table": 1},
        "directories": [""],
    }
    assert inventory["random"]["resources"] == 1


def test_public_access_block_flags_and_account_block() -> None:
    bucket = (
        "b.tf",
        'resource "aws_s3_bucket_public_access_block" "b" {\n  block_public_acls = false\n  block_public_policy = '
        "var.x\n}\n",
    )
    assert [h.position.line for h in run(public_object_storage, bucket)] == [2]
    account = (
        "a.tf",
        'resource "aws_s3_account_public_access_block" "a" {\n'
        + "".join(
            f"  {flag} = true\n"
            for flag in ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
        )
        + "}\n",
    )
    assert run(public_object_storage, bucket, account) == []


def test_required_tags_merge_provider_defaults_and_skip_unknown_tags() -> None:
    files = (
        "main.tf",
        """
provider "aws" {
  default_tags {
    tags = { Owner = "team" }
  }
}
resource "aws_s3_bucket" "a" {
  tags = { Service = "x" }
}
resource "aws_s3_bucket" "b" {}
resource "aws_s3_bucket" "c" {
  tags = var.tags
}""",
    )
    assert run(required_tags_missing, files) == []  # nothing configured: the check is off
    hits = run(required_tags_missing, files, settings=Settings(required_tags=("Owner", "Service")))
    assert [(h.address, h.properties["missing"]) for h in hits] == [("aws_s3_bucket.b", ["Service"])]


def test_versions_are_checked_in_root_configurations_only() -> None:
    child = ("modules/db/main.tf", 'resource "aws_db_instance" "d" {}\n')
    root = (
        "main.tf",
        'provider "aws" {}\nresource "aws_s3_bucket" "a" {}\nmodule "db" {\n  source = "./modules/db"\n}\n',
    )
    (hit,) = run(versions_unconstrained, child, root)
    assert hit.file == "main.tf" and hit.properties["unconstrained"] == [
        "required_version",
        "aws (not in required_providers)",
    ]
    lone_child = ("other/main.tf", 'resource "aws_sqs_queue" "q" {}\n')
    assert run(versions_unconstrained, lone_child) == []


def test_detached_resources_consider_references_from_locals_and_outputs() -> None:
    files = (
        "main.tf",
        """
resource "aws_eip" "a" {}
resource "aws_eip" "b" {}
output "b_ip" {
  value = aws_eip.b.public_ip
}
resource "aws_ebs_volume" "v" {
  count = 0
}""",
    )
    assert [h.address for h in run(detached_resources, files)] == ["aws_eip.a"]


def test_production_is_recognised_from_tags_folder_but_never_from_unknown_values() -> None:
    db = 'resource "aws_db_instance" "d" {\n  tags = { Environment = %s }\n}\n'
    assert len(run(production_databases_ha, ("main.tf", db % '"prod"'))) == 1
    assert run(production_databases_ha, ("main.tf", db % "var.env")) == []
    assert len(run(production_databases_ha, ("envs/production/main.tf", db % "var.env"))) == 1
