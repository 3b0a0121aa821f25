"""TCOP-05-TF-002: replication and multi-region locations that copy data outside the allowed
regions: S3 replication, DynamoDB global table replicas, cross-region RDS read replicas, AWS
Backup copy actions, Azure geo-redundant storage whose paired region is not allowed, and Google
multi-region or dual-region locations. Only certain regions are compared; an unknown one is
skipped. Where a resource's own placement is the problem, TCOP-05-TF-001 reports it instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from tcop_lint.check.rules.terraform_support import address, body, created_resources, single_reference
from tcop_lint.core.model import DataPath, Hit, TfModule, TfResource, Unresolved
from tcop_lint.core.settings import RuleContext

# Azure's paired regions: geo-redundant storage keeps its second copy in the pair.
_PAIRS = (
    ("uksouth", "ukwest"),
    ("northeurope", "westeurope"),
    ("francecentral", "francesouth"),
    ("germanywestcentral", "germanynorth"),
    ("switzerlandnorth", "switzerlandwest"),
    ("norwayeast", "norwaywest"),
    ("swedencentral", "swedensouth"),
    ("eastus", "westus"),
    ("eastus2", "centralus"),
    ("northcentralus", "southcentralus"),
    ("westus2", "westcentralus"),
    ("canadacentral", "canadaeast"),
    ("australiaeast", "australiasoutheast"),
    ("japaneast", "japanwest"),
    ("koreacentral", "koreasouth"),
    ("southeastasia", "eastasia"),
    ("centralindia", "southindia"),
    ("southafricanorth", "southafricawest"),
    ("uaenorth", "uaecentral"),
)
AZURE_PAIRS: Mapping[str, str] = {**{a: b for a, b in _PAIRS}, **{b: a for a, b in _PAIRS}}
GEO_REPLICATION = frozenset({"GRS", "RAGRS", "GZRS", "RAGZRS"})
# Google locations that span several regions (multi-regions and predefined dual-regions).
GOOGLE_MULTI_REGION_TYPES = ("google_storage_bucket", "google_bigquery_dataset", "google_artifact_registry_repository")
GOOGLE_MULTI_REGIONS = frozenset({"EU", "US", "ASIA", "EUROPE", "ASIA1", "EUR4", "EUR5", "EUR7", "EUR8", "NAM4"})
_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-[0-9]+):")


def is_google_multi_region(type_name: str, value: Any) -> bool:
    return (
        type_name in GOOGLE_MULTI_REGION_TYPES
        and isinstance(value, str)
        and value.strip().upper() in GOOGLE_MULTI_REGIONS
    )


def _allowed(ctx: RuleContext, provider: str) -> tuple[str, ...] | None:
    return ctx.options["allowed_regions"].get("google" if provider == "google-beta" else provider)


def _outside(ctx: RuleContext, provider: str, region: Any) -> bool:
    allowed = _allowed(ctx, provider)
    if allowed is None or not isinstance(region, str):
        return False
    normal = region.strip().lower().replace(" ", "") if provider == "azurerm" else region.strip().lower()
    return normal not in {a.lower() for a in allowed}


def _hit(module: TfModule, resource: TfResource, path: DataPath, message: str, region: str, provider: str) -> Hit:
    block = resource.block
    return Hit(
        file=block.file,
        position=block.body.locate(path),
        address=address(module, resource.address) + "#" + "/".join(str(p) for p in path),
        message=message,
        properties={"provider": provider, "region": region},
        span=block.position,
    )


def replication_outside_allowed_regions(ctx: RuleContext) -> Iterator[Hit]:
    for module in ctx.documents.terraform:
        for resource in created_resources(module):
            yield from _check(ctx, module, resource)


def _check(ctx: RuleContext, module: TfModule, resource: TfResource) -> Iterator[Hit]:
    type_name = resource.type
    data = body(resource.block)
    if type_name == "azurerm_storage_account":
        yield from _azure_geo(ctx, module, resource, data)
    elif type_name in GOOGLE_MULTI_REGION_TYPES:
        yield from _google_locations(ctx, module, resource, data)
    elif type_name == "aws_s3_bucket_replication_configuration":
        for i, rule in enumerate(_blocks(data.get("rule"))):
            for j, dest in enumerate(_blocks(rule.get("destination"))):
                yield from _aws_target(
                    ctx,
                    module,
                    resource,
                    ("rule", i, "destination", j, "bucket"),
                    dest.get("bucket"),
                    "aws_s3_bucket",
                    "replicates objects to",
                )
    elif type_name == "aws_s3_bucket":
        for c, config in enumerate(_blocks(data.get("replication_configuration"))):
            for i, rule in enumerate(_blocks(config.get("rules"))):
                for j, dest in enumerate(_blocks(rule.get("destination"))):
                    path = ("replication_configuration", c, "rules", i, "destination", j, "bucket")
                    yield from _aws_target(
                        ctx, module, resource, path, dest.get("bucket"), "aws_s3_bucket", "replicates objects to"
                    )
    elif type_name == "aws_dynamodb_table":
        for i, replica in enumerate(_blocks(data.get("replica"))):
            region = replica.get("region_name")
            if _outside(ctx, "aws", region):
                yield _hit(
                    module,
                    resource,
                    ("replica", i, "region_name"),
                    f"{resource.address} keeps a global table replica in {region}, outside the allowed aws regions "
                    f"({_list(ctx, 'aws')})",
                    str(region),
                    "aws",
                )
    elif type_name in ("aws_db_instance", "aws_rds_cluster"):
        attribute = "replicate_source_db" if type_name == "aws_db_instance" else "replication_source_identifier"
        source = single_reference(data.get(attribute), type_name, module)
        region = resource.region
        if (
            source is not None
            and isinstance(region, str)
            and isinstance(source.region, str)
            and region != source.region
            and _outside(ctx, "aws", region)
        ):
            yield _hit(
                module,
                resource,
                (attribute,),
                f"{resource.address} copies {source.address} into {region}, outside the allowed aws regions "
                f"({_list(ctx, 'aws')})",
                region,
                "aws",
            )
    elif type_name == "aws_backup_plan":
        for i, rule in enumerate(_blocks(data.get("rule"))):
            for j, action in enumerate(_blocks(rule.get("copy_action"))):
                yield from _aws_target(
                    ctx,
                    module,
                    resource,
                    ("rule", i, "copy_action", j, "destination_vault_arn"),
                    action.get("destination_vault_arn"),
                    "aws_backup_vault",
                    "copies backups to",
                )


def _blocks(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _list(ctx: RuleContext, provider: str) -> str:
    return ", ".join(_allowed(ctx, provider) or ())


def _aws_target(
    ctx: RuleContext, module: TfModule, resource: TfResource, path: tuple, value: Any, target_type: str, verb: str
) -> Iterator[Hit]:
    region: Any = None
    where = ""
    if isinstance(value, str):
        match = _ARN_REGION.match(value.strip())
        region, where = (match.group(1), value) if match else (None, "")
    elif isinstance(value, Unresolved):
        target = single_reference(value, target_type, module)
        if target is not None:
            region, where = target.region, target.address
    if isinstance(region, str) and _outside(ctx, "aws", region):
        yield _hit(
            module,
            resource,
            path,
            f"{resource.address} {verb} {where} in {region}, outside the allowed aws regions ({_list(ctx, 'aws')})",
            region,
            "aws",
        )


def _azure_geo(ctx: RuleContext, module: TfModule, resource: TfResource, data: Mapping[str, Any]) -> Iterator[Hit]:
    replication = data.get("account_replication_type")
    if not isinstance(replication, str) or replication.strip().upper() not in GEO_REPLICATION:
        return
    primary = resource.region
    if not isinstance(primary, str) or _outside(ctx, "azurerm", primary):
        return  # unknown, or already reported by TCOP-05-TF-001
    pair = AZURE_PAIRS.get(primary.strip().lower().replace(" ", ""))
    if pair is None or not _outside(ctx, "azurerm", pair):
        return
    yield _hit(
        module,
        resource,
        ("account_replication_type",),
        f"{resource.address} uses {replication} storage, which keeps a copy in {pair}, the pair of {primary}, outside "
        f"the allowed azurerm regions ({_list(ctx, 'azurerm')})",
        pair,
        "azurerm",
    )


def _google_locations(
    ctx: RuleContext, module: TfModule, resource: TfResource, data: Mapping[str, Any]
) -> Iterator[Hit]:
    location = data.get("location")
    placements = _blocks(data.get("custom_placement_config"))
    if placements:
        for i, placement in enumerate(placements):
            locations = placement.get("data_locations")
            for j, region in enumerate(locations if isinstance(locations, list) else ()):
                if _outside(ctx, "google", region):
                    yield _hit(
                        module,
                        resource,
                        ("custom_placement_config", i, "data_locations", j),
                        f"{resource.address} stores a copy of its data in {region}, outside the allowed google regions "
                        f"({_list(ctx, 'google')})",
                        str(region),
                        "google",
                    )
        return
    if is_google_multi_region(resource.type, location) and _outside(ctx, "google", location):
        yield _hit(
            module,
            resource,
            ("location",),
            f"{resource.address} uses the multi-region location {location}, which stores data across several regions "
            f"outside the allowed google regions ({_list(ctx, 'google')})",
            str(location),
            "google",
        )
