"""Plans as Terraform modules: the same checks run on a plan and on its HCL, a finding is placed
at the resource's block in the .tf source when the repository holds it, else in the plan."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from tcop_lint.assemble.terraform_plan import module_directory, plan_modules, root_directory
from tcop_lint.core.model import Finding, TfFile, TfPlan
from tcop_lint.load.terraform import load_terraform
from tcop_lint.load.terraform_plan import read_plan
from tcop_lint.testing import scan_folder

FOUR = ("TCOP-06-TF-003", "TCOP-06-TF-004", "TCOP-06-TF-005", "TCOP-06-TF-006")
AWS = "registry.terraform.io/hashicorp/aws"

MAIN_TF = """\
provider "aws" {
  region = "eu-west-2"
}

variable "public_database" {
  type = bool
}

resource "aws_db_instance" "claims" {
  identifier          = "claims"
  engine              = "postgres"
  instance_class      = "db.t4g.micro"
  publicly_accessible = var.public_database
  storage_encrypted   = true
}

resource "aws_db_instance" "reports" {
  identifier        = "reports"
  engine            = "postgres"
  instance_class    = "db.t4g.micro"
  storage_encrypted = false
}

resource "aws_s3_bucket" "evidence" {
  bucket = "claims-evidence"
}

resource "aws_s3_bucket_acl" "evidence" {
  bucket = aws_s3_bucket.evidence.id
  acl    = "public-read"
}

resource "aws_security_group" "bastion" {
  name = "bastion"

  ingress {
    description = "SSH"
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  ingress {
    description = "HTTPS"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["10.0.0.0/16"]
  }
}
"""


def resource_change(address: str, after: dict[str, Any], unknown: dict[str, Any] | None = None) -> dict[str, Any]:
    parts = address.split(".")  # module.<name>.<type>.<name> or <type>.<name>, without keys
    module, own = ".".join(parts[:-2]), ".".join(parts[-2:])
    type_name, name = own.split(".")
    entry: dict[str, Any] = {"address": address}
    if module:
        entry["module_address"] = module
    return entry | {
        "mode": "managed",
        "type": type_name,
        "name": name,
        "provider_name": AWS,
        "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": unknown or {}},
    }


def plan_document(changes: list[dict[str, Any]], configuration: dict[str, Any] | None = None) -> str:
    modules: dict[str, list[dict[str, Any]]] = {}
    for entry in changes:
        values = {"values": entry["change"]["after"]}
        modules.setdefault(entry.get("module_address", ""), []).append(
            {k: entry[k] for k in ("address", "mode", "type", "name", "provider_name")} | values
        )
    root: dict[str, Any] = {"resources": modules.pop("", [])}
    if modules:
        root["child_modules"] = [{"resources": r, "address": m} for m, r in sorted(modules.items())]
    document = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "planned_values": {"root_module": root},
        "resource_changes": changes,
        "prior_state": {"values": {"root_module": {"resources": [{"address": "aws_s3_bucket.gone"}]}}},
        "configuration": configuration
        or {
            "provider_config": {"aws": {"name": "aws", "expressions": {"region": {"constant_value": "eu-west-2"}}}},
            "root_module": {},
        },
    }
    return json.dumps(document, indent=2) + "\n"


def four_problems() -> str:
    database = {"engine": "postgres", "instance_class": "db.t4g.micro", "replicate_source_db": None}
    return plan_document(
        [
            resource_change(
                "aws_db_instance.claims",
                database | {"identifier": "claims", "publicly_accessible": True, "storage_encrypted": True},
                {"endpoint": True, "id": True},
            ),
            resource_change(
                "aws_db_instance.reports",
                database | {"identifier": "reports", "publicly_accessible": False, "storage_encrypted": False},
            ),
            resource_change("aws_s3_bucket.evidence", {"bucket": "claims-evidence"}, {"acl": True, "id": True}),
            resource_change("aws_s3_bucket_acl.evidence", {"acl": "public-read"}, {"bucket": True}),
            resource_change(
                "aws_security_group.bastion",
                {
                    "name": "bastion",
                    "ingress": [
                        {"cidr_blocks": ["10.0.0.0/16"], "description": "HTTPS", "from_port": 443, "to_port": 443}
                        | {"protocol": "tcp", "self": False},
                        {"cidr_blocks": ["0.0.0.0/0"], "description": "SSH", "from_port": 22, "to_port": 22}
                        | {"protocol": "tcp", "self": False},
                    ],
                },
                {"id": True},
            ),
        ]
    )


def places(findings: tuple[Finding, ...]) -> list[tuple[str | None, int, str, str]]:
    return sorted((f.file, f.position.line if f.position else 0, f.check_id, f.address) for f in findings)


def line_of(text: str, needle: str, after: str = "") -> int:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i in range(start, len(lines)) if needle in lines[i]) + 1


def test_a_plan_reports_a_public_and_an_unencrypted_database_a_public_bucket_and_open_ssh(tmp_path: Path) -> None:
    text = four_problems()
    (tmp_path / "tfplan.json").write_text(text, encoding="utf-8")
    found = places(scan_folder(tmp_path, FOUR))
    changes = '"resource_changes"'
    assert found == sorted(
        [
            (
                "tfplan.json",
                line_of(text, '"storage_encrypted": false', changes),
                "TCOP-06-TF-003",
                "aws_db_instance.reports#/storage_encrypted",
            ),
            (
                "tfplan.json",
                line_of(text, '"publicly_accessible": true', changes),
                "TCOP-06-TF-005",
                "aws_db_instance.claims#/publicly_accessible",
            ),
            (
                "tfplan.json",
                line_of(text, '"acl": "public-read"', changes),
                "TCOP-06-TF-004",
                "aws_s3_bucket_acl.evidence#acl",
            ),
            (
                "tfplan.json",
                line_of(text, '"0.0.0.0/0"', changes) - 1,
                "TCOP-06-TF-006",
                "aws_security_group.bastion#ingress/1/cidr_blocks",
            ),
        ]
    )  # fmt: skip  (the open rule's cidr_blocks key is the line above its "0.0.0.0/0")


def test_a_plan_beside_its_hcl_agrees_with_it_and_is_placed_in_the_tf_file(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MAIN_TF, encoding="utf-8")
    hcl_only = places(scan_folder(tmp_path, FOUR))
    (tmp_path / "tfplan.json").write_text(four_problems(), encoding="utf-8")
    both = places(scan_folder(tmp_path, FOUR))
    # no duplicate at one line for one check and address, and every finding in the .tf file
    assert len(both) == len(set(both))
    assert Counter((line, check) for _, line, check, _ in both).most_common(1)[0][1] == 1
    assert {file for file, *_ in both} == {"main.tf"}
    # everything the HCL reports is reported once; the plan adds the database made public by a variable
    assert set(hcl_only) < set(both)
    assert set(both) - set(hcl_only) == {
        ("main.tf", line_of(MAIN_TF, "publicly_accessible"), "TCOP-06-TF-005", "aws_db_instance.claims#/publicly_accessible")
    }  # fmt: skip
    # the security group's blocks keep the written order, so the address is the HCL's
    assert ("main.tf", line_of(MAIN_TF, '"0.0.0.0/0"'), "TCOP-06-TF-006", "aws_security_group.bastion#ingress/0/cidr_blocks") in both  # fmt: skip


def _plan(text: str, file: str) -> TfPlan:
    plan = read_plan(file, text)
    assert plan is not None
    return plan


def test_resources_of_local_modules_are_placed_in_the_module_folder_and_remote_ones_in_the_plan() -> None:
    child_tf = 'resource "aws_db_instance" "this" {\n  engine = "postgres"\n  publicly_accessible = var.public\n}\n'
    files = [
        load_terraform("infra/main.tf", 'module "db" {\n  source = "../modules/db"\n}\n').terraform,
        load_terraform("modules/db/main.tf", child_tf).terraform,
    ]
    tf_files = [f for f in files if isinstance(f, TfFile)]
    configuration = {
        "provider_config": {},
        "root_module": {
            "module_calls": {
                "db": {"source": "../modules/db", "module": {}},
                "vpc": {"source": "terraform-aws-modules/vpc/aws", "module": {}},
                "escape": {"source": "../../../elsewhere", "module": {}},
            }
        },
    }
    text = plan_document(
        [
            resource_change("module.db.aws_db_instance.this", {"engine": "postgres", "publicly_accessible": True}),
            resource_change("module.vpc.aws_vpc.this", {"cidr_block": "10.0.0.0/16"}),
        ],
        configuration,
    )
    plan = _plan(text, "infra/tfplan.json")
    modules = plan_modules([plan], tf_files)
    by_address = {m.address: m for m in modules}
    database = by_address["module.db"].resources[0]
    assert by_address["module.db"].directory == "modules/db" and by_address["module.db"].plan == "infra/tfplan.json"
    assert database.block.file == "modules/db/main.tf"
    assert database.block.body.locate(("publicly_accessible",)).line == 3
    assert database.address == "module.db.aws_db_instance.this"
    network = by_address["module.vpc"].resources[0]
    assert network.block.file == "infra/tfplan.json" and by_address["module.vpc"].directory == "infra"
    index = {"infra": {}, "modules/db": {}}
    assert root_directory("infra/tfplan.json", index) == "infra"
    assert root_directory("plans/tfplan.json", index) == ""
    assert module_directory(plan, "infra", "module.escape") is None


def test_estate_counts_take_a_resource_once(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MAIN_TF, encoding="utf-8")
    (tmp_path / "tfplan.json").write_text(four_problems(), encoding="utf-8")
    [budget] = [f for f in scan_folder(tmp_path, "TCOP-05-TF-003")]
    assert "5 AWS resources" in budget.message


def test_adding_the_plan_keeps_the_hcl_findings_fingerprints(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(MAIN_TF, encoding="utf-8")
    before = {(f.check_id, f.address): f.fingerprint for f in scan_folder(tmp_path, FOUR)}
    (tmp_path / "tfplan.json").write_text(four_problems(), encoding="utf-8")
    after = {(f.check_id, f.address): f.fingerprint for f in scan_folder(tmp_path, FOUR)}
    assert before and all(after.get(key) == value for key, value in before.items())
