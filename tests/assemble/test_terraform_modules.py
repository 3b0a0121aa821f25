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


def test_a_called_folder_is_judged_through_its_call_with_the_callers_provider() -> None:
    found = modules(
        ("main.tf", 'provider "aws" {\n  region = "eu-west-2"\n}\nmodule "q" {\n  source = "./modules/q"\n}\n'),
        ("modules/q/main.tf", 'variable "name" {}\nresource "aws_sqs_queue" "q" {\n  name = var.name\n}\n'),
    )
    assert [(m.directory, m.address) for m in found] == [("", ""), ("modules/q", "module.q")]
    queue = found[1].resources[0]
    assert queue.address == "module.q.aws_sqs_queue.q"
    assert queue.region == "eu-west-2" and queue.block.body.data["name"] == Unresolved("var.name")
    assert found[1].qualified(queue.address) == "module.q.aws_sqs_queue.q"


def test_a_folder_nobody_calls_is_judged_alone() -> None:
    found = modules(("a/main.tf", 'resource "aws_sqs_queue" "q" {\n  name = "x"\n}\n'), ("b/main.tf", ""))
    assert [(m.directory, m.address) for m in found] == [("a", ""), ("b", "")]
    assert found[0].qualified(found[0].resources[0].address) == "a:aws_sqs_queue.q"


CALLER = """\
locals {
  public = true
}
module "db" {
  source              = "../../modules/db"
  publicly_accessible = local.public
}
module "safe" {
  source = "../../modules/db"
}
output "endpoint" {
  value = module.db.endpoint
}
"""

CHILD_DB = """\
variable "publicly_accessible" {
  default = false
}
variable "name" {
  default = "claims"
}
resource "aws_db_instance" "this" {
  identifier          = "${var.name}-db"
  publicly_accessible = var.publicly_accessible
  storage_encrypted   = false
}
output "endpoint" {
  value = "${var.name}.internal"
}
"""


def test_each_call_binds_the_childs_variables_and_places_caller_values_at_the_caller() -> None:
    found = modules(("envs/prod/main.tf", CALLER), ("modules/db/main.tf", CHILD_DB))
    by_address = {m.address: m for m in found}
    assert sorted(by_address) == ["", "module.db", "module.safe"]
    db = by_address["module.db"].resources[0]
    assert db.block.body.data["publicly_accessible"] is True
    assert db.block.body.data["identifier"] == "claims-db"
    where = db.block.body.locate(("publicly_accessible",))
    assert (where.file, where.line) == ("envs/prod/main.tf", 6)
    assert [(p.file, p.line) for p in where.related] == [("modules/db/main.tf", 9)]
    own = db.block.body.locate(("storage_encrypted",))
    assert own.file is None and own.line == 10
    assert by_address["module.db"].called_from[0].file == "envs/prod/main.tf"
    assert by_address["module.db"].qualified(db.address) == "envs/prod:module.db.aws_db_instance.this"
    safe = by_address["module.safe"].resources[0]
    assert safe.block.body.data["publicly_accessible"] is False
    assert safe.block.body.locate(("publicly_accessible",)).file is None
    output = next(b for b in by_address[""].blocks if b.block_type == "output")
    assert output.body.data["value"] == "claims.internal"


def test_nested_calls_carry_the_first_callers_line_and_stop_at_cycles() -> None:
    found = modules(
        ("main.tf", 'module "a" {\n  source = "./a"\n  open = true\n}\n'),
        ("a/main.tf", 'variable "open" {}\nmodule "b" {\n  source = "../b"\n  open = var.open\n}\n'),
        (
            "b/main.tf",
            'variable "open" {}\nresource "aws_elasticsearch_domain" "d" {\n'
            '  enforce_https = !var.open\n}\nmodule "loop" {\n  source = "../a"\n}\n',
        ),
    )
    by_address = {m.address: m for m in found}
    assert "module.a.module.b" in by_address
    domain = by_address["module.a.module.b"].resources[0]
    assert domain.address == "module.a.module.b.aws_elasticsearch_domain.d"
    assert domain.block.body.data["enforce_https"] is False
    where = domain.block.body.locate(("enforce_https",))
    assert (where.file, where.line) == ("main.tf", 3)
    assert [(p.file, p.line) for p in where.related] == [("a/main.tf", 4), ("b/main.tf", 3)]
    assert not any(a.startswith("module.a.module.b.module.loop.module") for a in by_address)


def test_for_each_and_count_expand_into_instances() -> None:
    (module,) = modules(
        (
            "main.tf",
            "locals {\n  groups = {\n    bastion-a = 22\n    web = 443\n  }\n}\n"
            'resource "aws_security_group_rule" "in" {\n  for_each = local.groups\n'
            "  from_port = each.value\n  description = each.key\n}\n"
            'resource "aws_instance" "n" {\n  count = 2\n  tags = { Name = "node-${count.index}" }\n}\n'
            'resource "aws_instance" "same" {\n  count = 3\n}\n'
            'resource "aws_instance" "unknown" {\n  for_each = var.nodes\n  ami = each.value\n}\n',
        ),
    )
    by_address = {r.address: r.block.body.data for r in module.resources}
    assert by_address['aws_security_group_rule.in["bastion-a"]']["from_port"] == 22
    assert by_address['aws_security_group_rule.in["web"]']["description"] == "web"
    assert by_address["aws_instance.n[1]"]["tags"] == {"Name": "node-1"}
    assert "aws_instance.same" in by_address  # nothing tells its instances apart
    assert by_address["aws_instance.unknown"]["ami"] == Unresolved("each.value")


def test_module_for_each_gives_keyed_instances() -> None:
    found = modules(
        ("main.tf", 'module "q" {\n  source = "./q"\n  for_each = toset(["a", "b"])\n  name = each.key\n}\n'),
        ("q/main.tf", 'variable "name" {}\nresource "aws_sqs_queue" "q" {\n  name = var.name\n}\n'),
    )
    queues = {r.address: r.block.body.data["name"] for m in found for r in m.resources}
    assert queues == {'module.q["a"].aws_sqs_queue.q': "a", 'module.q["b"].aws_sqs_queue.q': "b"}


def test_an_aliased_provider_passed_to_a_module_sets_its_region() -> None:
    found = modules(
        (
            "main.tf",
            'provider "aws" {\n  region = "eu-west-2"\n}\nprovider "aws" {\n  alias = "east"\n'
            '  region = "us-east-1"\n}\nmodule "b" {\n  source = "./b"\n  providers = {\n    aws = aws.east\n  }\n}\n',
        ),
        ("b/main.tf", 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n'),
    )
    bucket = found[1].resources[0]
    assert bucket.region == "us-east-1"
    assert bucket.region_position is not None and bucket.region_position.line == 6


def test_unknown_conditions_with_known_branches_give_variants() -> None:
    (module,) = modules(
        (
            "main.tf",
            'variable "env" {}\nlocals {\n  is-development = var.env == "dev"\n}\n'
            'resource "aws_db_instance" "d" {\n  count = var.create ? 1 : 0\n'
            "  publicly_accessible = local.is-development ? true : false\n}\n",
        ),
    )
    (database,) = module.resources
    assert isinstance(database.block.body.data["publicly_accessible"], Unresolved)
    assert [(v.condition, v.resource.block.body.data["publicly_accessible"]) for v in database.variants] == [
        ("when local.is-development is true", True),
        ("when local.is-development is false", False),
    ]


def test_installed_remote_modules_are_read_from_the_manifest() -> None:
    found = assemble_modules(
        [
            tf(
                "live/main.tf", 'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n  cidr = "10.0.0.0/8"\n}\n'
            ),
            tf(
                "live/.terraform/modules/vpc/main.tf",
                'variable "cidr" {}\nresource "aws_vpc" "v" {\n  cidr_block = var.cidr\n}\n',
            ),
        ],
        installed={"live": {"vpc": "live/.terraform/modules/vpc"}},
    )
    by_address = {m.address: m for m in found}
    assert by_address["module.vpc"].resources[0].block.body.data["cidr_block"] == "10.0.0.0/8"
    (call,) = by_address[""].calls
    assert call.installed and call.directory == "live/.terraform/modules/vpc"


def test_an_uninstalled_remote_module_is_a_call_without_a_folder() -> None:
    (root,) = modules(("main.tf", 'module "vpc" {\n  source = "terraform-aws-modules/vpc/aws"\n}\n'))
    assert [(c.source, c.directory, c.installed) for c in root.calls] == [
        ("terraform-aws-modules/vpc/aws", None, False)
    ]


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


def test_a_call_that_creates_nothing_deploys_nothing() -> None:
    found = modules(
        ("main.tf", 'module "q" {\n  source = "./q"\n  count  = 0\n}\n'),
        ("q/main.tf", 'resource "aws_sqs_queue" "q" {\n  name = "x"\n}\n'),
    )
    assert [m.address for m in found] == [""]
    assert found[0].calls[0].directory == "q"


def test_calls_that_fan_out_are_bounded() -> None:
    from tcop_lint.assemble import terraform_modules

    # each level calls the next twice: 2**12 instances unbounded
    files = [("main.tf", 'module "a" {\n  source = "./l1"\n}\nmodule "b" {\n  source = "./l1"\n}\n')]
    for level in range(1, 12):
        files.append(
            (
                f"l{level}/main.tf",
                f'module "a" {{\n  source = "../l{level + 1}"\n}}\nmodule "b" {{\n  source = "../l{level + 1}"\n}}\n',
            )
        )
    files.append(("l12/main.tf", 'resource "aws_sqs_queue" "q" {\n  name = "x"\n}\n'))
    found = modules(*files)
    assert len(found) == terraform_modules.MAX_MODULE_INSTANCES + 1
