"""Terraform plan JSON as an input: recognised by content, values from the planned change,
unknown and sensitive parts Unresolved, and a clear problem for a file that is not a plan."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tcop_lint.config import ConfigError, settings_from_mapping
from tcop_lint.core.model import LoadResult, PlanResource, TfPlan, Unresolved
from tcop_lint.load.documents import load_json
from tcop_lint.load.loading import load_file
from tcop_lint.load.terraform_plan import UNKNOWN, call_path, read_plan

AWS_PROVIDER = "registry.terraform.io/hashicorp/aws"


_MODULE_STEP = re.compile(r'module\.[A-Za-z0-9_-]+(?:\[(?:"[^"]*"|[0-9]+)\])?\.')


def change(address: str, after: Any, *, actions: tuple[str, ...] = ("create",), **extra: Any) -> dict[str, Any]:
    """One resource_changes entry, as Terraform 1.x writes it."""
    own, steps = address, []
    while (step := _MODULE_STEP.match(own)) is not None:
        steps.append(step.group()[:-1])
        own = own[step.end() :]
    mode = "data" if own.startswith("data.") else "managed"
    type_name, name = own.removeprefix("data.").split(".", 1)
    entry: dict[str, Any] = {"address": address}
    if steps:
        entry["module_address"] = ".".join(steps)
    entry.update(
        mode=mode,
        type=type_name,
        name=name.split("[", 1)[0],
        provider_name=AWS_PROVIDER,
        change={"actions": list(actions), "before": None, "after": after, **extra},
    )
    return entry


def planned(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: entry[k] for k in ("address", "mode", "type", "name", "provider_name")} | {
        "values": entry["change"]["after"] or {}
    }


def plan_text(changes: list[dict[str, Any]], *, configuration: Any = None, indent: int | None = 2, **top: Any) -> str:
    kept = [c for c in changes if c["change"]["actions"] != ["delete"]]
    by_module: dict[str, list[dict[str, Any]]] = {}
    for entry in kept:
        by_module.setdefault(entry.get("module_address", ""), []).append(planned(entry))
    root: dict[str, Any] = {"resources": by_module.pop("", [])}
    if by_module:
        root["child_modules"] = [{"resources": r, "address": m} for m, r in sorted(by_module.items())]
    document = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        **top,
        "planned_values": {"root_module": root},
        "resource_changes": changes,
        "configuration": configuration or {"provider_config": {}, "root_module": {}},
    }
    return json.dumps(document, indent=indent)


def read(text: str, file: str = "plan.json") -> TfPlan:
    found = read_plan(file, text)
    assert found is not None
    return found


def one(plan: TfPlan, address: str) -> PlanResource:
    return next(r for r in plan.resources if r.address == address)


def test_a_plan_is_recognised_by_content_whatever_the_file_is_called(tmp_path: Path) -> None:
    text = plan_text([change("aws_db_instance.main", {"publicly_accessible": True})])
    for name in ("plan.json", "deploy/output.json", "build/production.tfplan.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
        result = load_file(tmp_path, name, 1024 * 1024)
        assert result.terraform_plan is not None, name
        assert result.terraform_plan.file == name
        assert [r.address for r in result.terraform_plan.resources] == ["aws_db_instance.main"]
    # an ordinary JSON document naming the same keys as text is not a plan
    other = json.dumps({"description": "format_version and terraform_version", "x": '"terraform_version"'})
    assert load_json("data.json", other) == LoadResult()


def test_values_come_from_the_change_with_unknown_and_sensitive_parts_unresolved() -> None:
    after = {
        "identifier": "claims",
        "storage_encrypted": False,
        "password": "correct-horse-battery",
        "kms_key_id": None,
        "tags": {"Service": "claims"},
        "ingress": [{"cidr_blocks": ["0.0.0.0/0"], "from_port": 22}],
    }
    text = plan_text(
        [
            change(
                "aws_db_instance.main",
                after,
                after_unknown={"endpoint": True, "arn": True, "ingress": [{"cidr_blocks": [False], "to_port": True}]},
                after_sensitive={"password": True, "tags": {}},
            )
        ]
    )
    resource = one(read(text), "aws_db_instance.main")
    body = resource.body.data
    assert body["identifier"] == "claims" and body["storage_encrypted"] is False
    assert "kms_key_id" not in body  # null: unset, as in HCL
    assert body["endpoint"] == Unresolved(UNKNOWN)
    assert body["ingress"][0]["to_port"] == Unresolved(UNKNOWN)
    assert body["ingress"][0]["cidr_blocks"] == ["0.0.0.0/0"]
    assert isinstance(body["password"], Unresolved)
    assert "correct-horse-battery" not in repr(resource)  # a secret is never copied into the view
    # positions point into the change's after, down to nested values
    lines = text.splitlines()
    assert '"storage_encrypted"' in lines[resource.body.locate(("storage_encrypted",)).line - 1]
    assert '"0.0.0.0/0"' in lines[resource.body.locate(("ingress", 0, "cidr_blocks", 0)).line - 1]
    assert '"address"' in lines[resource.position.line - 1]


def test_deleted_and_deposed_objects_are_left_out() -> None:
    text = plan_text(
        [
            change("aws_s3_bucket.old", None, actions=("delete",)),
            change("aws_s3_bucket.kept", {"bucket": "kept"}, actions=("no-op",)),
            change("aws_s3_bucket.replaced", {"bucket": "new"}, actions=("create", "delete")),
        ]
    )
    document = json.loads(text)
    document["resource_changes"].append(
        {**change("aws_s3_bucket.replaced", None, actions=("delete",)), "deposed": "00000001"}
    )
    plan = read(json.dumps(document))
    assert [r.address for r in plan.resources] == ["aws_s3_bucket.kept", "aws_s3_bucket.replaced"]
    assert one(plan, "aws_s3_bucket.replaced").body.data == {"bucket": "new"}


def test_module_addresses_instance_keys_and_data_sources() -> None:
    text = plan_text(
        [
            change('module.app["a"].module.db.aws_db_instance.this[0]', {"engine": "postgres"}),
            change('module.app["a"].module.db.data.aws_iam_policy_document.read', {"json": "{}"}),
            change('aws_security_group.bastion["ops.team"]', {"name": "ops"}),
        ]
    )
    plan = read(text)
    database = one(plan, 'module.app["a"].module.db.aws_db_instance.this[0]')
    assert (database.module_address, database.instance_key, database.type, database.name) == (
        'module.app["a"].module.db',
        "[0]",
        "aws_db_instance",
        "this",
    )
    assert call_path(database.module_address) == "module.app.module.db"
    document = one(plan, 'module.app["a"].module.db.data.aws_iam_policy_document.read')
    assert document.mode == "data" and document.instance_key == ""
    group = one(plan, 'aws_security_group.bastion["ops.team"]')
    assert (group.module_address, group.instance_key, group.provider) == ("", '["ops.team"]', "aws")


def test_provider_regions_from_constants_and_root_variables_never_guessed() -> None:
    configuration = {
        "provider_config": {
            "aws": {"name": "aws", "expressions": {"region": {"references": ["var.region"]}}},
            "aws.virginia": {
                "name": "aws",
                "alias": "virginia",
                "expressions": {"region": {"constant_value": "us-east-1"}},
            },
            "module.edge:aws": {"name": "aws", "module_address": "module.edge"},
        },
        "root_module": {
            "resources": [
                {
                    "address": "aws_s3_bucket.logs",
                    "mode": "managed",
                    "type": "aws_s3_bucket",
                    "name": "logs",
                    "provider_config_key": "aws",
                },
                {
                    "address": "aws_acm_certificate.cdn",
                    "mode": "managed",
                    "type": "aws_acm_certificate",
                    "name": "cdn",
                    "provider_config_key": "aws.virginia",
                },
            ],
            "module_calls": {
                "edge": {
                    "source": "./edge",
                    "module": {
                        "resources": [
                            {
                                "address": "aws_wafv2_web_acl.this",
                                "mode": "managed",
                                "type": "aws_wafv2_web_acl",
                                "name": "this",
                                "provider_config_key": "module.edge:aws",
                            }
                        ]
                    },
                }
            },
        },
    }
    text = plan_text(
        [
            change("aws_s3_bucket.logs", {"bucket": "logs"}),
            change("aws_acm_certificate.cdn", {"domain_name": "example.gov.uk"}),
            change("module.edge.aws_wafv2_web_acl.this", {"name": "edge"}),
        ],
        configuration=configuration,
        variables={"region": {"value": "eu-west-2"}},
    )
    plan = read(text)
    assert one(plan, "aws_s3_bucket.logs").region == "eu-west-2"
    assert one(plan, "aws_acm_certificate.cdn").region == "us-east-1"
    assert one(plan, "aws_acm_certificate.cdn").provider_key == "aws.virginia"
    # the module's aws may be either configuration the caller passes: unknown, not guessed
    assert isinstance(one(plan, "module.edge.aws_wafv2_web_acl.this").region, Unresolved)
    assert plan.module_sources == {"module.edge": "./edge"}


def test_references_to_other_resources_stay_references_as_in_hcl() -> None:
    configuration = {
        "provider_config": {},
        "root_module": {
            "resources": [
                {
                    "address": "aws_s3_bucket_lifecycle_configuration.logs",
                    "mode": "managed",
                    "type": "aws_s3_bucket_lifecycle_configuration",
                    "name": "logs",
                    "provider_config_key": "aws",
                    "expressions": {
                        "bucket": {"references": ["aws_s3_bucket.logs.id", "aws_s3_bucket.logs"]},
                        "expected_bucket_owner": {"references": ["var.owner"]},
                    },
                }
            ]
        },
    }
    text = plan_text(
        [change("aws_s3_bucket_lifecycle_configuration.logs", {"bucket": "logs", "expected_bucket_owner": "1234"})],
        configuration=configuration,
    )
    body = read(text).resources[0].body.data
    assert body["bucket"] == Unresolved("aws_s3_bucket.logs.id")
    assert body["expected_bucket_owner"] == "1234"  # a variable's planned value is kept


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"resource_changes": {"a": 1}}, "resource_changes is not a list"),
        (
            {"resource_changes": [{"address": 3, "change": {"actions": []}}]},
            "resource_changes[0].address is not a string",
        ),
        (
            {"resource_changes": [{"address": "aws_x.y", "type": "aws_x", "name": "y"}]},
            "resource_changes[0] has no change",
        ),
        (
            {"resource_changes": [{"address": "aws_x.y", "change": {"actions": "create"}}]},
            "resource_changes[0].change.actions is not a list of strings",
        ),
        ({"planned_values": []}, "planned_values is not an object"),
        ({"planned_values": {"root_module": {"resources": [{"values": {}}]}}}, "resources[0] has no address"),
        ({"configuration": {}}, "neither planned_values nor resource_changes"),
        ({"terraform_version": 1, "resource_changes": []}, "terraform_version is not a string"),
    ],
)
def test_a_file_that_claims_to_be_a_plan_but_is_not_is_a_clear_problem(document: dict[str, Any], message: str) -> None:
    text = json.dumps({"format_version": "1.2", "terraform_version": "1.9.8", **document}, indent=2)
    result = load_json("plan.json", text)
    assert result.terraform_plan is None
    assert len(result.problems) == 1
    problem = result.problems[0]
    assert problem.message.startswith("not read as a Terraform plan: ")
    assert message in problem.message
    assert problem.position is not None and problem.position.line >= 1


def test_broken_json_in_a_plan_and_a_state_file() -> None:
    broken = plan_text([change("aws_s3_bucket.a", {"bucket": "a"})])[:-40]
    result = load_json("plan.json", broken)
    assert result.terraform_plan is None and result.problems[0].message.startswith("JSON error")
    state = json.dumps({"format_version": "1.0", "terraform_version": "1.9.8", "values": {"root_module": {}}})
    assert load_json("state.json", state) == LoadResult()  # `terraform show -json` of a state


def test_a_compact_plan_is_placed_by_column() -> None:
    text = plan_text([change("aws_db_instance.main", {"storage_encrypted": False})], indent=None)
    resource = read(text).resources[0]
    where = resource.body.locate(("storage_encrypted",))
    assert where.line == 1
    assert text[where.column - 1 :].startswith('"storage_encrypted"')


def test_plans_have_their_own_size_limit(tmp_path: Path) -> None:
    padding = [
        change(f"aws_s3_bucket.b{i}", {"bucket": f"bucket-{i}", "tags": {"Filler": "x" * 200}}) for i in range(40)
    ]
    text = plan_text(padding)
    (tmp_path / "plan.json").write_text(text, encoding="utf-8")
    (tmp_path / "data.json").write_text(json.dumps({"openapi": "3.0.3", "x": "y" * len(text)}), encoding="utf-8")
    small = len(text) // 4
    result = load_file(tmp_path, "plan.json", small, plan_bytes=len(text) + 1)
    assert result.terraform_plan is not None and len(result.terraform_plan.resources) == 40
    over = load_file(tmp_path, "plan.json", small, plan_bytes=len(text) // 2)
    assert over.terraform_plan is None and "(max_plan_bytes)" in over.problems[0].message
    other = load_file(tmp_path, "data.json", small, plan_bytes=10 * len(text))
    assert "(max_file_bytes)" in other.problems[0].message


def test_max_plan_bytes_is_validated() -> None:
    assert settings_from_mapping({"max_plan_bytes": 1000}, "config", Path(".")).max_plan_bytes == 1000
    with pytest.raises(ConfigError, match="max_plan_bytes"):
        settings_from_mapping({"max_plan_bytes": "large"}, "config", Path("."))


def test_a_plan_written_as_utf16_is_read(tmp_path: Path) -> None:
    text = plan_text([change("aws_db_instance.main", {"publicly_accessible": True})])
    (tmp_path / "plan.json").write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))  # PowerShell's `>`
    result = load_file(tmp_path, "plan.json", 1024 * 1024)
    assert result.terraform_plan is not None and result.terraform_plan.resources[0].body.data == {
        "publicly_accessible": True
    }
