"""Rules about a Terraform estate as a whole: spend alerts (TCOP-05-TF-003), required tags
(TCOP-05-TF-004), the provider inventory (TCOP-05-TF-006), audit logging (TCOP-06-TF-009) and
version constraints (TCOP-09-TF-001)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from tcop_lint.assemble.inventory import BUILT_IN_PROVIDERS, provider_inventory, provider_name
from tcop_lint.assemble.terraform_plan import counted
from tcop_lint.check.rules.terraform_support import (
    block_hit,
    body,
    created_resources,
    effective_tags,
    module_anchor,
    repository_hit,
    tag_attribute,
)
from tcop_lint.core.model import Documents, Hit, TfBlock, TfModule, TfResource, Unresolved
from tcop_lint.core.settings import RuleContext
from tcop_lint.core.text import plural

CLOUD_PROVIDERS: Mapping[str, str] = {"aws": "AWS", "azurerm": "Azure", "google": "Google Cloud"}
BUDGET_TYPES: Mapping[str, tuple[str, ...]] = {
    "aws": ("aws_budgets_budget",),
    "azurerm": (
        "azurerm_consumption_budget_subscription",
        "azurerm_consumption_budget_resource_group",
        "azurerm_consumption_budget_management_group",
    ),
    "google": ("google_billing_budget",),
}
AUDIT_TYPES: Mapping[str, tuple[str, ...]] = {
    "aws": ("aws_cloudtrail",),
    "azurerm": ("azurerm_monitor_diagnostic_setting", "azurerm_monitor_aad_diagnostic_setting"),
    "google": (
        "google_project_iam_audit_config",
        "google_organization_iam_audit_config",
        "google_folder_iam_audit_config",
    ),
}
# Services whose data model or API has no like-for-like equivalent elsewhere.
# Common resource types that carry tags or labels (a resource with a tags attribute counts too).
TAGGABLE: tuple[str, ...] = (
    "aws_instance",
    "aws_launch_template",
    "aws_autoscaling_group",
    "aws_s3_bucket",
    "aws_db_instance",
    "aws_rds_cluster",
    "aws_dynamodb_table",
    "aws_lambda_function",
    "aws_ecs_cluster",
    "aws_ecs_service",
    "aws_ecs_task_definition",
    "aws_eks_cluster",
    "aws_eks_node_group",
    "aws_lb",
    "aws_alb",
    "aws_lb_target_group",
    "aws_vpc",
    "aws_subnet",
    "aws_security_group",
    "aws_nat_gateway",
    "aws_internet_gateway",
    "aws_eip",
    "aws_ebs_volume",
    "aws_efs_file_system",
    "aws_sqs_queue",
    "aws_sns_topic",
    "aws_kms_key",
    "aws_cloudwatch_log_group",
    "aws_iam_role",
    "aws_elasticache_replication_group",
    "aws_opensearch_domain",
    "aws_cloudfront_distribution",
    "aws_ecr_repository",
    "aws_secretsmanager_secret",
    "azurerm_resource_group",
    "azurerm_storage_account",
    "azurerm_virtual_network",
    "azurerm_kubernetes_cluster",
    "azurerm_linux_virtual_machine",
    "azurerm_windows_virtual_machine",
    "azurerm_key_vault",
    "azurerm_postgresql_flexible_server",
    "azurerm_mssql_server",
    "azurerm_linux_web_app",
    "azurerm_windows_web_app",
    "azurerm_service_plan",
    "azurerm_public_ip",
    "google_storage_bucket",
    "google_compute_instance",
    "google_container_cluster",
    "google_sql_database_instance",
    "google_compute_disk",
    "google_bigquery_dataset",
    "google_pubsub_topic",
    "google_cloud_run_v2_service",
)


def _resources_byprovider_name(documents: Documents) -> dict[str, list[tuple[TfModule, TfResource]]]:
    found: dict[str, list[tuple[TfModule, TfResource]]] = {}
    for module in documents.terraform:
        for resource in created_resources(module):
            if counted(module, resource):
                found.setdefault(provider_name(resource.provider), []).append((module, resource))
    return found


def _declared(documents: Documents, types: tuple[str, ...]) -> bool:
    return any(r.type in types for module in documents.terraform for r in created_resources(module))


# --- TCOP-05-TF-003 and TCOP-06-TF-009 -----------------------------------------------------------


def spend_alerts_missing(ctx: RuleContext) -> Iterator[Hit]:
    by_provider = _resources_byprovider_name(ctx.documents)
    for provider, label in CLOUD_PROVIDERS.items():
        if provider in by_provider and not _declared(ctx.documents, BUDGET_TYPES[provider]):
            types = ", ".join(BUDGET_TYPES[provider])
            yield repository_hit(
                f"The Terraform declares {plural(len(by_provider[provider]), label + ' resource')} but no budget with "
                f"spend alerts ({types}); "
                "if budgets are managed elsewhere, record where",
                f"budget/{provider}",
                {"provider": provider},
            )


def audit_logging(ctx: RuleContext) -> Iterator[Hit]:
    by_provider = _resources_byprovider_name(ctx.documents)
    for provider, label in CLOUD_PROVIDERS.items():
        if provider in by_provider and not _declared(ctx.documents, AUDIT_TYPES[provider]):
            yield repository_hit(
                f"The Terraform declares {plural(len(by_provider[provider]), label + ' resource')} but no audit "
                "logging "
                f"({', '.join(AUDIT_TYPES[provider])}); if it is set up at organisation level, record where",
                f"audit/{provider}",
                {"provider": provider},
            )
    for module in ctx.documents.terraform:
        for trail in created_resources(module, "aws_cloudtrail"):
            value = body(trail.block).get("enable_log_file_validation", False)
            if value is not False and not (isinstance(value, str) and value.strip().lower() == "false"):
                continue
            written = "enable_log_file_validation" in body(trail.block)
            what = (
                "switches off log file validation"
                if written
                else "does not set enable_log_file_validation = true (the default is false)"
            )
            yield block_hit(
                module,
                trail,
                f"{trail.address} {what}, so tampering with the trail cannot be detected",
                ("enable_log_file_validation",) if written else (),
                suffix="#enable_log_file_validation",
                level="warning",
            )


# --- TCOP-05-TF-004 ------------------------------------------------------------------------------


def _taggable(resource: TfResource) -> bool:
    if provider_name(resource.provider) not in CLOUD_PROVIDERS:
        return False
    return resource.type in TAGGABLE or tag_attribute(resource) in body(resource.block)


def _normal_key(provider: str, key: str) -> str:
    return key.lower().replace(" ", "_") if provider == "google" else key


def required_tags_missing(ctx: RuleContext) -> Iterator[Hit]:
    required = tuple(ctx.options["required_tags"])
    if not required:
        return
    for module in ctx.documents.terraform:
        for resource in created_resources(module):
            if not _taggable(resource):
                continue
            provider = provider_name(resource.provider)
            tags = effective_tags(module, resource)
            if tags is None:
                continue  # some tags come from an expression tcop-lint cannot read
            present = {_normal_key(provider, str(k)) for k in tags}
            missing = [t for t in required if _normal_key(provider, t) not in present]
            if not missing:
                continue
            attribute = tag_attribute(resource)
            path = (attribute,) if attribute in body(resource.block) else ()
            word = "labels" if provider == "google" else "tags"
            yield block_hit(
                module,
                resource,
                f"{resource.address} lacks the required {word} {', '.join(missing)}",
                path,
                properties={"missing": missing},
            )


# --- TCOP-05-TF-006 ------------------------------------------------------------------------------


CLOUD_INVENTORY: Mapping[str, str] = {
    **CLOUD_PROVIDERS,
    "oci": "Oracle Cloud",
    "alicloud": "Alibaba Cloud",
    "ibm": "IBM Cloud",
    "digitalocean": "DigitalOcean",
    "linode": "Linode",
    "scaleway": "Scaleway",
    "ovh": "OVHcloud",
    "hcloud": "Hetzner Cloud",
}


def _anchor(documents: Documents, provider: str) -> tuple[TfModule, TfBlock] | None:
    """The top-most module that uses the provider (fewest folders deep, then by name): its
    first block configuring the provider, else where its module-wide notes go."""
    using = [
        m
        for m in documents.terraform
        if any(provider_name(r.provider) == provider for r in m.resources)
        or any(b.block_type == "provider" and b.labels[:1] and provider_name(b.labels[0]) == provider for b in m.blocks)
    ]
    for module in sorted(using, key=lambda m: (m.directory.count("/") + bool(m.directory), m.directory)):
        configured = sorted(
            (
                b
                for b in module.blocks
                if b.block_type == "provider" and b.labels[:1] and provider_name(b.labels[0]) == provider
            ),
            key=lambda b: (b.file, b.position.line, b.position.column),
        )
        anchor = configured[0] if configured else module_anchor(module)
        if anchor is not None:
            return module, anchor
    return None


def portability_profile(ctx: RuleContext) -> Iterator[Hit]:
    for provider, entry in provider_inventory(ctx.documents).items():
        found = _anchor(ctx.documents, provider)
        if provider not in CLOUD_INVENTORY or found is None or not entry["resources"]:
            continue
        module, block = found
        top = sorted(entry["services"].items(), key=lambda kv: (-kv[1], kv[0]))[:5]
        services = ", ".join(f"{name} {count}" for name, count in top)
        coupled = ", ".join(entry["high_coupling"]) or "none"
        label = CLOUD_INVENTORY[provider]
        yield Hit(
            file=block.file,
            position=block.position,
            address=f"inventory/{provider}",
            message=f"{label} ({provider}): {plural(entry['resources'], 'resource')} "
            f"across {plural(len(entry['services']), 'service')} "
            f"(most used: {services}); hardest to move: {coupled}",
            properties={"provider": provider, "inventory": entry},
            anchor_only=True,
        )


# --- TCOP-09-TF-001 ------------------------------------------------------------------------------

_LOCAL_SOURCE = re.compile(r"^\.{1,2}/")


def _child_directories(documents: Documents) -> set[str]:
    children: set[str] = set()
    for module in documents.terraform:
        for block in module.blocks:
            source = body(block).get("source") if block.block_type == "module" else None
            if isinstance(source, str) and _LOCAL_SOURCE.match(source):
                joined = posixpath.normpath(posixpath.join(module.directory or ".", source))
                children.add("" if joined == "." else joined)
    return children


def _required_providers(blocks: list[TfBlock]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for block in blocks:
        for entry in (
            body(block).get("required_providers") or ()
            if isinstance(body(block).get("required_providers"), list)
            else ()
        ):
            if isinstance(entry, Mapping):
                found.update(entry)
    return found


def _has_version(spec: Any) -> bool:
    if isinstance(spec, str):
        return bool(spec.strip())
    if isinstance(spec, Mapping):
        version = spec.get("version")
        return isinstance(version, Unresolved) or (isinstance(version, str) and bool(version.strip()))
    return isinstance(spec, Unresolved)


def _source_name(name: str, spec: Any) -> str:
    if isinstance(spec, Mapping) and isinstance(spec.get("source"), str):
        return spec["source"].rsplit("/", 1)[-1]
    return name


def _is_root(module: TfModule, children: set[str], files: frozenset[str]) -> bool:
    """A configuration Terraform is run in: not called as a local module, and with a provider
    block, a backend or cloud block, or a lock file of its own (child modules have none)."""
    if module.directory in children:
        return False
    if any(b.block_type == "provider" for b in module.blocks):
        return True
    if any(body(b).get("backend") or body(b).get("cloud") for b in module.blocks if b.block_type == "terraform"):
        return True
    return posixpath.join(module.directory, ".terraform.lock.hcl").lstrip("/") in files


def versions_unconstrained(ctx: RuleContext) -> Iterator[Hit]:
    children = _child_directories(ctx.documents)
    files = frozenset(ctx.documents.repository.files)
    for module in ctx.documents.terraform:
        if module.plan is not None:
            continue  # a plan records no version constraints; its configuration's HCL is judged
        if not _is_root(module, children, files) or not any(r.block.block_type == "resource" for r in module.resources):
            continue
        settings = [b for b in module.blocks if b.block_type == "terraform"]
        anchor = module_anchor(module)
        if anchor is None:
            continue
        gaps: list[str] = []
        if not any("required_version" in body(b) for b in settings):
            gaps.append("required_version")
        declared = _required_providers(settings)
        by_source = {_source_name(name, spec): spec for name, spec in declared.items()}
        for provider in sorted({r.provider for r in module.resources} - BUILT_IN_PROVIDERS):
            spec = declared.get(provider, by_source.get(provider))
            if spec is None:
                gaps.append(f"{provider} (not in required_providers)")
            elif not _has_version(spec):
                gaps.append(f"{provider} (no version)")
        if gaps:
            where = module.directory or "the root folder"
            found = block_hit(
                module,
                anchor,
                f"The Terraform configuration in {where} does not constrain: {', '.join(gaps)}",
                ("required_providers",) if "required_providers" in body(anchor) else (),
                properties={"unconstrained": gaps},
            )
            # The anchor block is only where the note is shown; the subject is the module's folder.
            yield replace(found, address=f"{module.directory or '.'}#versions", anchor_only=True)
