"""What a Terraform estate is built from: providers, services and hard-to-move types. A fact
about the documents (the report carries it, and the portability check reads it), not a check."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tcop_lint.core.model import Documents

HIGH_COUPLING: tuple[str, ...] = (
    "aws_dynamodb_table",
    "aws_sfn_state_machine",
    "aws_cognito_user_pool",
    "aws_appsync_graphql_api",
    "aws_kinesis_stream",
    "aws_qldb_ledger",
    "aws_timestreamwrite_database",
    "azurerm_cosmosdb_account",
    "azurerm_logic_app_workflow",
    "azurerm_servicebus_namespace",
    "google_firestore_database",
    "google_spanner_instance",
    "google_bigtable_instance",
    "google_bigquery_dataset",
    "google_cloudfunctions_function",
)
BUILT_IN_PROVIDERS = frozenset({"terraform"})


def provider_name(name: str) -> str:
    return "google" if name == "google-beta" else name


_AWS_SERVICES: Mapping[str, str] = {
    "db": "rds",
    "security": "vpc",
    "subnet": "vpc",
    "route": "vpc",
    "route_table": "vpc",
    "internet": "vpc",
    "nat": "vpc",
    "network": "vpc",
    "default": "vpc",
    "egress": "vpc",
    "flow": "vpc",
    "lb": "elb",
    "alb": "elb",
    "elb": "elb",
    "instance": "ec2",
    "launch": "ec2",
    "eip": "ec2",
    "ebs": "ec2",
    "ami": "ec2",
    "key": "ec2",
    "volume": "ec2",
    "autoscaling": "ec2",
    "placement": "ec2",
    "appautoscaling": "application-autoscaling",
}


def service_name(type_name: str) -> str:
    parts = type_name.split("_")
    service = parts[1] if len(parts) > 1 else type_name
    return _AWS_SERVICES.get(service, service) if parts[0] == "aws" else service


def provider_inventory(documents: Documents) -> dict[str, Any]:
    """Which providers and services the Terraform uses: per provider, resource and data source
    counts, resources per service (the type's second word: aws_s3_bucket -> s3), the
    hard-to-move types in use, and the folders that use it."""
    from tcop_lint.assemble.terraform_plan import counted

    inventory: dict[str, dict[str, Any]] = {}
    for module in documents.terraform:
        for resource in module.resources:
            provider = provider_name(resource.provider)
            if provider in BUILT_IN_PROVIDERS or not counted(module, resource):
                continue
            entry = inventory.setdefault(
                provider, {"resources": 0, "data_sources": 0, "services": {}, "high_coupling": {}, "directories": set()}
            )
            entry["directories"].add(module.directory)
            if resource.block.block_type == "data":
                entry["data_sources"] += 1
                continue
            entry["resources"] += 1
            service = service_name(resource.type)
            entry["services"][service] = entry["services"].get(service, 0) + 1
            if resource.type in HIGH_COUPLING:
                entry["high_coupling"][resource.type] = entry["high_coupling"].get(resource.type, 0) + 1
    for entry in inventory.values():
        entry["services"] = dict(sorted(entry["services"].items()))
        entry["high_coupling"] = dict(sorted(entry["high_coupling"].items()))
        entry["directories"] = sorted(entry["directories"])
    return dict(sorted(inventory.items()))
