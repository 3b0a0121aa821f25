"""Running costs and operations: log retention (TCOP-07-TF-001), object storage lifecycle
(TCOP-12-TF-001), compute that scales (TCOP-12-TF-002), detached resources that still cost
money (TCOP-12-TF-003) and highly available production databases (TCOP-13-TF-001).

Relations between resources are read from references in the same module (folder). When a
related resource refers to its target in a way tcop-lint cannot follow (a variable, a
module output), the module's resources of that kind are not reported: the link may exist.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from tcop_lint.check.rules.terraform_support import (
    block_hit,
    body,
    created_resources,
    expressions,
    is_production,
    references,
)
from tcop_lint.core.model import Hit, TfModule, Unresolved
from tcop_lint.core.settings import RuleContext


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def _first(value: Any) -> Mapping[str, Any]:
    if isinstance(value, list) and value and isinstance(value[0], Mapping):
        return value[0]
    return {}


# --- TCOP-07-TF-001 ------------------------------------------------------------------------------

_RETENTION: Mapping[str, str] = {
    "aws_cloudwatch_log_group": "retention_in_days",
    "azurerm_log_analytics_workspace": "retention_in_days",
    "google_logging_project_bucket_config": "retention_days",
}


def log_retention(ctx: RuleContext) -> Iterator[Hit]:
    limit = int(ctx.options["max_days"])
    for module in ctx.documents.terraform:
        for resource in created_resources(module, *_RETENTION):
            attribute = _RETENTION.get(resource.type)
            if attribute is None:
                continue
            data = body(resource.block)
            value = data.get(attribute)
            days = _int(value)
            if resource.type == "aws_cloudwatch_log_group" and (attribute not in data or days == 0):
                said = "does not set retention_in_days" if attribute not in data else "sets retention_in_days = 0"
                yield block_hit(
                    module,
                    resource,
                    f"{resource.address} {said}, so its logs are kept for ever",
                    (attribute,),
                    suffix=f"#{attribute}",
                )
            elif days is not None and days > limit:
                yield block_hit(
                    module,
                    resource,
                    f"{resource.address} keeps logs for {days} days, longer than the {limit} days configured",
                    (attribute,),
                    suffix=f"#{attribute}",
                    level="note",
                )


# --- TCOP-12-TF-001 ------------------------------------------------------------------------------


def _targets(module: TfModule, from_type: str, attribute: str, target_type: str) -> tuple[set[str], bool]:
    """Names of ``target_type`` resources that ``from_type`` resources point at through
    ``attribute``, and whether some such resource points somewhere tcop-lint cannot see."""
    names: set[str] = set()
    unknown = False
    for resource in created_resources(module, from_type):
        if resource.type != from_type:
            continue
        value = body(resource.block).get(attribute)
        found = references(value.expression, target_type) if isinstance(value, Unresolved) else set()
        names.update(found)
        unknown = unknown or not found
    return names, unknown


def storage_lifecycle(ctx: RuleContext) -> Iterator[Hit]:
    for module in ctx.documents.terraform:
        s3_covered, s3_unknown = _targets(module, "aws_s3_bucket_lifecycle_configuration", "bucket", "aws_s3_bucket")
        azure_covered, azure_unknown = _targets(
            module, "azurerm_storage_management_policy", "storage_account_id", "azurerm_storage_account"
        )
        for resource in created_resources(module, "aws_s3_bucket", "google_storage_bucket", "azurerm_storage_account"):
            data = body(resource.block)
            name = resource.block.labels[1] if len(resource.block.labels) > 1 else ""
            if resource.type == "aws_s3_bucket":
                if s3_unknown or name in s3_covered or data.get("lifecycle_rule"):
                    continue
                message = (
                    f"{resource.address} has no lifecycle rules (aws_s3_bucket_lifecycle_configuration) "
                    "to expire or move old objects"
                )
            elif resource.type == "google_storage_bucket":
                if (
                    data.get("lifecycle_rule")
                    or _first(data.get("autoclass")).get("enabled") is not False
                    and data.get("autoclass")
                ):
                    continue
                message = f"{resource.address} has no lifecycle_rule or autoclass to expire or move old objects"
            elif resource.type == "azurerm_storage_account":
                if azure_unknown or name in azure_covered or data.get("account_kind") == "FileStorage":
                    continue
                message = f"{resource.address} has no azurerm_storage_management_policy to expire or move old blobs"
            else:
                continue
            yield block_hit(module, resource, message)


# --- TCOP-12-TF-002 ------------------------------------------------------------------------------


def _fixed(data: Mapping[str, Any]) -> int | None:
    low, high = _int(data.get("min_size")), _int(data.get("max_size"))
    return low if low is not None and low == high else None


def compute_scaling(ctx: RuleContext) -> Iterator[Hit]:
    for module in ctx.documents.terraform:
        ecs_targets, ecs_unknown = _scaling_targets(module)
        autoscaled = _referenced_by(
            module,
            ("azurerm_monitor_autoscale_setting",),
            (
                "azurerm_linux_virtual_machine_scale_set",
                "azurerm_windows_virtual_machine_scale_set",
                "azurerm_virtual_machine_scale_set",
            ),
        )
        google_scaled = _referenced_by(
            module,
            ("google_compute_autoscaler", "google_compute_region_autoscaler"),
            ("google_compute_instance_group_manager", "google_compute_region_instance_group_manager"),
        )
        for resource in created_resources(module):
            data = body(resource.block)
            type_name = resource.type
            name = resource.block.labels[1] if len(resource.block.labels) > 1 else ""
            if type_name == "aws_autoscaling_group":
                size = _fixed(data)
                if size is not None:
                    yield block_hit(
                        module,
                        resource,
                        f"{resource.address} has min_size = max_size = {size}, so it cannot scale with demand",
                        ("max_size",),
                    )
            elif type_name == "aws_eks_node_group":
                config = _first(data.get("scaling_config"))
                size = _fixed(config)
                if size is not None:
                    yield block_hit(
                        module,
                        resource,
                        f"{resource.address} has min_size = max_size = {size}, so the node group cannot scale with "
                        "demand",
                        ("scaling_config", 0, "max_size"),
                    )
            elif type_name == "aws_ecs_service":
                if ecs_unknown or name in ecs_targets or data.get("scheduling_strategy") == "DAEMON":
                    continue
                yield block_hit(
                    module,
                    resource,
                    f"{resource.address} has no aws_appautoscaling_target, so its task count is fixed",
                )
            elif type_name in (
                "azurerm_linux_virtual_machine_scale_set",
                "azurerm_windows_virtual_machine_scale_set",
                "azurerm_virtual_machine_scale_set",
            ):
                if autoscaled is not None and (type_name, name) not in autoscaled:
                    yield block_hit(
                        module,
                        resource,
                        f"{resource.address} has no azurerm_monitor_autoscale_setting, so its instance count is fixed",
                    )
            elif type_name == "azurerm_kubernetes_cluster":
                pool = _first(data.get("default_node_pool"))
                flags = [pool.get(k) for k in ("auto_scaling_enabled", "enable_auto_scaling") if k in pool]
                if pool and not any(f is True or isinstance(f, Unresolved) for f in flags):
                    yield block_hit(
                        module,
                        resource,
                        f"{resource.address} does not turn on autoscaling for its default node pool",
                        ("default_node_pool", 0),
                    )
            elif type_name == "google_container_node_pool":
                if not data.get("autoscaling"):
                    yield block_hit(
                        module,
                        resource,
                        f"{resource.address} has no autoscaling block, so the node pool has a fixed size",
                    )
            elif type_name in ("google_compute_instance_group_manager", "google_compute_region_instance_group_manager"):
                if google_scaled is not None and (type_name, name) not in google_scaled:
                    yield block_hit(
                        module,
                        resource,
                        f"{resource.address} has no google_compute_autoscaler, so its instance count is fixed",
                    )


def _scaling_targets(module: TfModule) -> tuple[set[str], bool]:
    names: set[str] = set()
    unknown = False
    for resource in created_resources(module, "aws_appautoscaling_target"):
        data = body(resource.block)
        if data.get("service_namespace") not in ("ecs", None) and not isinstance(
            data.get("service_namespace"), Unresolved
        ):
            continue
        found: set[str] = set()
        for text in expressions(data.get("resource_id")):
            found.update(references(text, "aws_ecs_service"))
        names.update(found)
        unknown = unknown or not found
    return names, unknown


def _referenced_by(
    module: TfModule, from_types: tuple[str, ...], target_types: tuple[str, ...]
) -> set[tuple[str, str]] | None:
    """(type, name) of targets referred to from ``from_types`` resources; None when one of them
    refers to something tcop-lint cannot follow."""
    found: set[tuple[str, str]] = set()
    for resource in created_resources(module, *from_types):
        if resource.type not in from_types:
            continue
        seen = {
            (t, n) for text in expressions(resource.block.body.data) for t in target_types for n in references(text, t)
        }
        if not seen:
            return None
        found |= seen
    return found


# --- TCOP-12-TF-003 ------------------------------------------------------------------------------

_DETACHABLE: Mapping[str, tuple[str, ...]] = {
    "aws_eip": ("instance", "network_interface"),
    "aws_ebs_volume": (),
    "azurerm_public_ip": (),
    "azurerm_managed_disk": (),
    "google_compute_address": (),
    "google_compute_disk": (),
}


def detached_resources(ctx: RuleContext) -> Iterator[Hit]:
    for module in ctx.documents.terraform:
        candidates = [r for r in created_resources(module, *_DETACHABLE) if r.type in _DETACHABLE]
        if not candidates:
            continue  # most modules: no need to read every expression
        texts = [
            (block, text)
            for block in [r.block for r in module.resources] + list(module.blocks)
            for text in expressions(block.body.data)
        ]
        for resource in candidates:
            data = body(resource.block)
            if any(data.get(a) is not None for a in _DETACHABLE[resource.type]):
                continue
            name = resource.block.labels[1]
            if any(block is not resource.block and name in references(text, resource.type) for block, text in texts):
                continue
            if resource.type in ("google_compute_address",) and data.get("address_type") == "INTERNAL":
                continue
            kind = (
                "address" if resource.type in ("aws_eip", "azurerm_public_ip", "google_compute_address") else "volume"
            )
            yield block_hit(
                module,
                resource,
                f"{resource.address} is not attached to anything in this configuration; a detached {kind} is still "
                "charged for",
            )


# --- TCOP-13-TF-001 ------------------------------------------------------------------------------


def production_databases_ha(ctx: RuleContext) -> Iterator[Hit]:
    for module in ctx.documents.terraform:
        cluster_members = _cluster_instances(module)
        for resource in created_resources(module):
            type_name = resource.type
            if type_name not in (
                "aws_db_instance",
                "aws_rds_cluster",
                "google_sql_database_instance",
                "azurerm_postgresql_flexible_server",
                "azurerm_mysql_flexible_server",
                "azurerm_mssql_database",
            ):
                continue
            if not is_production(module, resource):
                continue
            data = body(resource.block)
            name = resource.block.labels[1]
            message = None
            path: tuple = ()
            if type_name == "aws_db_instance":
                if (
                    data.get("replicate_source_db") is not None
                    or isinstance(data.get("multi_az"), Unresolved)
                    or data.get("multi_az") is True
                ):
                    continue
                message, path = (
                    f"{resource.address} is a production database in one availability zone (multi_az is not true)",
                    ("multi_az",),
                )
            elif type_name == "aws_rds_cluster":
                count = cluster_members.get(name)
                if count is None or count != 1 or data.get("engine_mode") == "serverless":
                    continue
                message = (
                    f"{resource.address} is a production cluster with one instance; "
                    "a second instance in another zone allows failover"
                )
            elif type_name == "google_sql_database_instance":
                availability = _first(data.get("settings")).get("availability_type")
                if (
                    availability == "REGIONAL"
                    or isinstance(availability, Unresolved)
                    or data.get("master_instance_name") is not None
                ):
                    continue
                message, path = (
                    f'{resource.address} is a production database without availability_type = "REGIONAL"',
                    ("settings", 0, "availability_type"),
                )
            elif type_name in ("azurerm_postgresql_flexible_server", "azurerm_mysql_flexible_server"):
                if data.get("high_availability"):
                    continue
                message = f"{resource.address} is a production database server without a high_availability block"
            elif type_name == "azurerm_mssql_database":
                if data.get("zone_redundant") is not False and "zone_redundant" in data:
                    continue
                message, path = (
                    f"{resource.address} is a production database that is not zone redundant",
                    ("zone_redundant",),
                )
            if message:
                yield block_hit(module, resource, message, path)


def _cluster_instances(module: TfModule) -> dict[str, int]:
    """Instances per aws_rds_cluster; a cluster with an instance of unknown count is left out."""
    counts: dict[str, int] = {}
    unknown: set[str] = set()
    for resource in created_resources(module, "aws_rds_cluster_instance"):
        data = body(resource.block)
        value = data.get("cluster_identifier")
        names = references(value.expression, "aws_rds_cluster") if isinstance(value, Unresolved) else set()
        if len(names) != 1:
            return {}
        (name,) = names
        count = data.get("count", 1) if "for_each" not in data else None
        number = count if isinstance(count, int) and not isinstance(count, bool) else None
        if number is None:
            unknown.add(name)
        counts[name] = counts.get(name, 0) + (number or 0)
    for resource in created_resources(module, "aws_rds_cluster"):
        counts.setdefault(resource.block.labels[1], 0)
    return {k: v for k, v in counts.items() if k not in unknown}
