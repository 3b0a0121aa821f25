"""Module assembly: variables, locals and templates resolved only where certain; regions."""

from __future__ import annotations

from tcop_lint.assemble.terraform_modules import assemble_modules
from tcop_lint.core.model import Unresolved
from tcop_lint.load.terraform import load_terraform

MAIN = """
variable "region" {
  default = "eu-west-1"
}
variable "env" {}
variable "unset" {}
locals {
  name   = "${var.env}-logs"
  region = var.region
  tags   = { Environment = var.env }
  loop_a = local.loop_b
  loop_b = local.loop_a
}
provider "aws" {
  region = local.region
}
provider "aws" {
  alias  = "use1"
  region = "us-east-1"
}
resource "aws_s3_bucket" "logs" {
  bucket = local.name
  tags   = local.tags
  other  = var.unset
  loop   = local.loop_a
  env    = local.tags.Environment
}
resource "aws_acm_certificate" "cdn" {
  provider = aws.use1
}
resource "aws_dynamodb_table" "own" {
  region = "us-west-2"
}
data "aws_caller_identity" "me" {}
"""


def tf(name: str, text: str):
    result = load_terraform(name, text)
    assert result.problems == ()
    return result.terraform


def modules(*files):
    return assemble_modules([tf(name, text) for name, text in files])


def test_values_resolve_from_tfvars_defaults_locals_and_templates() -> None:
    (module,) = modules(
        ("infra/main.tf", MAIN),
        ("infra/terraform.tfvars", 'env = "prod"\nregion = "eu-west-3"\n'),
        ("infra/b.auto.tfvars", 'region = "eu-west-2"\n'),
        ("infra/staging.tfvars", 'env = "staging"\n'),  # only read with -var-file
    )
    assert module.directory == "infra"
    bucket = next(r for r in module.resources if r.type == "aws_s3_bucket")
    data = bucket.block.body.data
    assert data["bucket"] == "prod-logs"
    assert data["tags"] == {"Environment": "prod"}
    assert data["env"] == "prod"
    assert data["other"] == Unresolved("var.unset")
    assert data["loop"] == Unresolved("local.loop_a")
    # the position stays that of the referring attribute
    assert bucket.block.body.locate(("bucket",)).line == 22
    assert (bucket.region, bucket.region_position.line) == ("eu-west-2", 15)


def test_provider_and_region_of_each_resource() -> None:
    (module,) = modules(("main.tf", MAIN))
    by_type = {r.type: r for r in module.resources}
    assert (by_type["aws_s3_bucket"].provider, by_type["aws_s3_bucket"].provider_alias) == ("aws", None)
    assert by_type["aws_s3_bucket"].region == "eu-west-1"
    assert (by_type["aws_acm_certificate"].provider_alias, by_type["aws_acm_certificate"].region) == (
        "use1",
        "us-east-1",
    )
    assert by_type["aws_dynamodb_table"].region == "us-west-2"
    assert by_type["aws_dynamodb_table"].region_position.line == 32
    assert by_type["aws_caller_identity"].block.block_type == "data"
    assert {b.block_type for b in module.blocks} == {"variable", "locals", "provider"}


def test_azure_and_google_locations() -> None:
    (module,) = modules(
        (
            "main.tf",
            """
resource "azurerm_resource_group" "rg" {
  location = "UK South"
}
resource "azurerm_storage_account" "sa" {
  location = azurerm_resource_group.rg.location
}
resource "azurerm_key_vault" "kv" {
  location = data.azurerm_resource_group.shared.location
}
resource "google_container_cluster" "zonal" {
  location = "europe-west2-a"
}
resource "google_storage_bucket" "multi" {
  location = "EU"
}
resource "google_compute_network" "net" {}
resource "random_id" "x" {}
""",
        )
    )
    by_name = {r.block.labels[1]: r for r in module.resources}
    assert by_name["rg"].region == "UK South"
    assert by_name["sa"].region == "UK South" and by_name["sa"].region_position.line == 3
    assert by_name["kv"].region == Unresolved("data.azurerm_resource_group.shared.location")
    assert by_name["zonal"].region == "europe-west2"
    assert by_name["multi"].region == "EU"
    assert by_name["net"].region is None and by_name["x"].region is None
    assert by_name["x"].provider == "random"


def test_modules_are_grouped_by_directory_and_kept_independent() -> None:
    found = modules(
        ("main.tf", 'provider "aws" {\n  region = "eu-west-2"\n}\nmodule "q" {\n  source = "./modules/q"\n}\n'),
        ("modules/q/main.tf", 'variable "name" {}\nresource "aws_sqs_queue" "q" {\n  name = var.name\n}\n'),
    )
    assert [m.directory for m in found] == ["", "modules/q"]
    queue = found[1].resources[0]
    assert queue.region is None and queue.block.body.data["name"] == Unresolved("var.name")


def test_settled_blocks_are_kept_as_they_are_and_the_rest_resolved() -> None:
    from tcop_lint.load.terraform import settled

    main = tf(
        "main.tf",
        'variable "env" {\n  default = "prod"\n}\n'
        'resource "aws_s3_bucket" "logs" {\n  bucket = "${var.env}-logs"\n}\n'
        'resource "aws_s3_bucket" "plain" {\n  bucket = "fixed"\n  policy = aws_iam_policy.p.json\n}\n',
    )
    flags = {main.file: tuple(settled(b) for b in main.blocks)}
    assert flags[main.file] == (True, False, True)
    (with_flags,) = assemble_modules([main], flags)
    (without,) = assemble_modules([main])
    assert with_flags == without
    assert with_flags.resources[0].block.body.data["bucket"] == "prod-logs"
    assert with_flags.resources[1].block is main.blocks[2]  # not copied


OPT_IN = """\
variable "create_endpoint" {
  type    = bool
  default = false
}

resource "azurerm_private_endpoint" "storage" {
  count = var.create_endpoint ? 1 : 0
  name  = "storage"
}
"""


def test_a_modules_variable_default_does_not_decide_whether_a_resource_is_created() -> None:
    (module,) = modules(("modules/storage/main.tf", OPT_IN))
    (endpoint,) = module.resources
    assert isinstance(endpoint.block.body.data["count"], Unresolved)  # the caller decides: still judged


def test_in_a_root_folder_the_defaults_are_the_values() -> None:
    root = OPT_IN + 'provider "azurerm" {\n  features {}\n}\n'
    (module,) = modules(("deploy/main.tf", root))
    (endpoint,) = module.resources
    assert endpoint.block.body.data["count"] == 0
    tfvars = modules(
        ("modules/storage/main.tf", OPT_IN), ("modules/storage/terraform.tfvars", "create_endpoint = true\n")
    )
    assert tfvars[0].resources[0].block.body.data["count"] == 1
