"""Terraform judged as it will be deployed: module calls, instances, branches, installed modules."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tcop_lint.cli import main
from tcop_lint.testing import scan_folder

ROOT = """\
provider "aws" {
  region = "eu-west-2"
}

provider "aws" {
  alias  = "west_coast"
  region = "us-west-1"
}

locals {
  is-development = false
  ssh_cidr       = local.is-development ? "10.0.0.0/8" : "0.0.0.0/0"
  groups = {
    orders  = 22
    billing = 443
  }
}

module "claims_db" {
  source              = "../../modules/db"
  name                = "claims"
  publicly_accessible = true
  encrypted           = false
}

module "audit_db" {
  source = "../../modules/db"
  name   = "audit"
}

module "bastion" {
  source = "../../modules/sg"
  cidr   = local.ssh_cidr
}

module "archive" {
  source = "../../modules/bucket"
  providers = {
    aws = aws.west_coast
  }
}

resource "aws_security_group" "each" {
  for_each = local.groups
  name     = each.key
  ingress {
    from_port   = each.value
    to_port     = each.value
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""

DB = """\
variable "name" {
  type = string
}

variable "publicly_accessible" {
  type    = bool
  default = false
}

variable "encrypted" {
  type    = bool
  default = true
}

resource "aws_db_instance" "this" {
  identifier          = "${var.name}-db"
  engine              = "postgres"
  instance_class      = "db.t4g.small"
  allocated_storage   = 20
  publicly_accessible = var.publicly_accessible
  storage_encrypted   = var.encrypted
}
"""

SG = """\
variable "cidr" {
  type = string
}

resource "aws_security_group" "ssh" {
  name = "bastion"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }
}
"""

BUCKET = 'resource "aws_s3_bucket" "archive" {\n  bucket = "archive-bucket"\n}\n'

CHECKS = ("TCOP-06-TF-005", "TCOP-06-TF-003", "TCOP-06-TF-006", "TCOP-05-TF-001")


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def estate(tmp_path: Path) -> Path:
    return write(
        tmp_path,
        {
            "envs/prod/main.tf": ROOT,
            "modules/db/main.tf": DB,
            "modules/sg/main.tf": SG,
            "modules/bucket/main.tf": BUCKET,
        },
    )


def placed(findings) -> list[tuple[str, int, str, str]]:
    return sorted((f.file, f.position.line, f.check_id, f.address) for f in findings)


def test_each_call_is_reported_at_the_callers_line_and_the_safe_call_is_not(estate: Path) -> None:
    findings = scan_folder(estate, CHECKS)
    assert placed(findings) == [
        ("envs/prod/main.tf", 7, "TCOP-05-TF-001", "envs/prod:provider.aws.west_coast"),
        (
            "envs/prod/main.tf",
            22,
            "TCOP-06-TF-005",
            "envs/prod:module.claims_db.aws_db_instance.this#/publicly_accessible",
        ),
        (
            "envs/prod/main.tf",
            23,
            "TCOP-06-TF-003",
            "envs/prod:module.claims_db.aws_db_instance.this#/storage_encrypted",
        ),
        (
            "envs/prod/main.tf",
            33,
            "TCOP-06-TF-006",
            "envs/prod:module.bastion.aws_security_group.ssh#ingress/0/cidr_blocks",
        ),
        (
            "envs/prod/main.tf",
            50,
            "TCOP-06-TF-006",
            'envs/prod:aws_security_group.each["orders"]#ingress/0/cidr_blocks',
        ),
    ]
    public = next(f for f in findings if f.check_id == "TCOP-06-TF-005")
    assert [(p.file, p.line) for p in public.related] == [("modules/db/main.tf", 20)]
    region = next(f for f in findings if f.check_id == "TCOP-05-TF-001")
    assert "aws_s3_bucket.archive" in region.message  # the bucket of the module uses the aliased provider


def cli(*args: str) -> dict:
    result = CliRunner().invoke(main, ["scan", *args, "--no-cache", "--fail-on", "never"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_sarif_gives_the_modules_line_as_a_related_location(estate: Path) -> None:
    sarif = cli(str(estate), "--select", "TCOP-06-TF-005", "--format", "sarif")
    (result,) = sarif["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "envs/prod/main.tf"
    (related,) = result["relatedLocations"]
    assert related["physicalLocation"]["artifactLocation"]["uri"] == "modules/db/main.tf"
    assert related["physicalLocation"]["region"]["startLine"] == 20 and related["id"] == 0


def test_a_scan_of_the_callers_file_alone_follows_its_module_calls(estate: Path) -> None:
    selected = [arg for check in CHECKS for arg in ("--select", check)]
    alone = cli(str(estate / "envs/prod/main.tf"), "--root", str(estate), *selected, "--format", "json")
    whole = cli(str(estate), *selected, "--format", "json")
    assert [(f["file"], f["line"], f["id"]) for f in alone["findings"]] == [
        (f["file"], f["line"], f["id"]) for f in whole["findings"]
    ]
    assert len(whole["findings"]) == 5


def test_a_module_only_ever_called_is_not_judged_alone_with_its_defaults(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "main.tf": 'module "db" {\n  source = "./db"\n  publicly_accessible = false\n}\n',
            "db/main.tf": DB.replace("default = false", "default = true"),
        },
    )
    assert scan_folder(tmp_path, "TCOP-06-TF-005") == ()


def test_an_installed_registry_module_is_read_and_reported_at_the_call(tmp_path: Path) -> None:
    manifest = {
        "Modules": [
            {"Key": "", "Source": "", "Dir": "."},
            {
                "Key": "db",
                "Source": "registry.terraform.io/example/rds/aws",
                "Version": "1.0.0",
                "Dir": ".terraform/modules/db",
            },
        ]
    }
    write(
        tmp_path,
        {
            "live/main.tf": 'module "db" {\n  source  = "example/rds/aws"\n  version = "1.0.0"\n  name    = "claims"\n}\n',
            "live/.terraform/modules/modules.json": json.dumps(manifest),
            "live/.terraform/modules/db/main.tf": DB.replace("default = false", "default = true"),
        },
    )
    (finding,) = scan_folder(tmp_path, "TCOP-06-TF-005")
    assert (finding.file, finding.position.line) == ("live/main.tf", 1)
    assert [(p.file, p.line) for p in finding.related] == [("live/.terraform/modules/db/main.tf", 20)]
    assert finding.address == "live:module.db.aws_db_instance.this#/publicly_accessible"
    assert scan_folder(tmp_path, "TCOP-09-TF-002") == ()
    shutil.rmtree(tmp_path / "live/.terraform")
    assert scan_folder(tmp_path, "TCOP-06-TF-005") == ()
    (note,) = scan_folder(tmp_path, "TCOP-09-TF-002")
    assert note.properties["calls"] == ["live/main.tf:1 module.db"]
