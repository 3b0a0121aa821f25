"""TCOP-05-TF-001: resources placed in regions outside the allowed list.

A region written on the resource itself is reported on that resource's line. A region a
resource inherits (from its provider block, or from the resource group whose location it
copies) is reported once, on the line that sets it, so one provider block in the wrong region
gives one finding however many resources use it. Data sources place nothing and are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from fnmatch import fnmatchcase
from typing import Any

from tcop_lint.assemble.terraform_modules import RegionSource, module_index, region_source
from tcop_lint.check.rules.terraform_residency import is_google_multi_region
from tcop_lint.check.subjects import never_created
from tcop_lint.core.model import Hit, TfModule, TfResource, Unresolved, walk
from tcop_lint.core.settings import RuleContext
from tcop_lint.core.text import plural

# Types AWS runs globally (their API lives in us-east-1 whatever the provider says).
GLOBAL_TYPES: tuple[str, ...] = (
    "aws_iam_*",
    "aws_route53_*",
    "aws_cloudfront_*",
    "aws_budgets_*",
    "aws_organizations_*",
    "aws_shield_protection*",
    "google_compute_global_*",
)
NOT_GLOBAL: tuple[str, ...] = ("aws_route53_resolver_*", "aws_route53recoverycontrolconfig_*")
US_EAST_1 = "us-east-1"
_ANYWHERE = {"global"}
_REFERENCE = re.compile(r"\b(aws_lambda_function|aws_sns_topic)\.([A-Za-z_][A-Za-z0-9_-]*)\b")


def provider_key(provider: str) -> str:
    return "google" if provider == "google-beta" else provider


def normalise_region(provider: str, value: str) -> str:
    text = value.strip().lower()
    return text.replace(" ", "") if provider == "azurerm" else text


def _referenced(module: TfModule, types: tuple[str, ...], target_type: str, when: Any = None) -> set[str]:
    """Names of ``target_type`` resources referred to from resources of ``types``."""
    names: set[str] = set()
    for resource in module.resources:
        if resource.block.block_type != "resource" or resource.type not in types:
            continue
        if when is not None and not when(resource.block.body.data):
            continue
        for _, value in walk(resource.block.body.data):
            if isinstance(value, Unresolved):
                names.update(n for t, n in _REFERENCE.findall(value.expression) if t == target_type)
    return names


def _is_billing_alarm(data: Any) -> bool:
    return isinstance(data, Mapping) and data.get("namespace") == "AWS/Billing"


def _exempt(resource: TfResource, region: str, edge_functions: set[str], billing_topics: set[str]) -> bool:
    """Resources AWS requires in us-east-1, and types that have no region."""
    type_name = resource.type
    if any(fnmatchcase(type_name, p) for p in GLOBAL_TYPES) and not any(fnmatchcase(type_name, p) for p in NOT_GLOBAL):
        return True
    if region in _ANYWHERE:
        return True
    data = resource.block.body.data if isinstance(resource.block.body.data, Mapping) else {}
    if type_name.startswith("aws_wafv2_") and data.get("scope") == "CLOUDFRONT":
        return True
    if region != US_EAST_1:
        return False
    name = resource.block.labels[1] if len(resource.block.labels) > 1 else ""
    if type_name in ("aws_acm_certificate", "aws_acm_certificate_validation"):
        return True  # certificates for CloudFront must be issued in us-east-1
    if type_name == "aws_cloudwatch_metric_alarm" and _is_billing_alarm(data):
        return True
    if type_name == "aws_sns_topic" and name in billing_topics:
        return True
    if type_name in ("aws_lambda_function", "aws_lambda_permission") and name in edge_functions:
        return True
    return False


def _address(module: TfModule, address: str) -> str:
    return module.qualified(address)


def resources_outside_allowed_regions(ctx: RuleContext) -> Iterator[Hit]:
    allowed_by_provider = ctx.options["allowed_regions"]
    # A provider block is reported once, naming every resource that inherits its region,
    # those of the modules it is passed to included.
    inherited: dict[tuple[str, str, int, int], tuple[RegionSource, list[TfResource], str, TfModule]] = {}
    reported: set[tuple[str, int, int]] = set()
    for module in ctx.documents.terraform:
        index = module_index(module)
        edge_functions = _referenced(module, ("aws_cloudfront_distribution",), "aws_lambda_function")
        billing_topics = _referenced(module, ("aws_cloudwatch_metric_alarm",), "aws_sns_topic", _is_billing_alarm)
        for resource in module.resources:
            block = resource.block
            if block.block_type != "resource" or never_created(block.body.data):
                continue
            provider = provider_key(resource.provider)
            allowed = allowed_by_provider.get(provider)
            if allowed is None:
                continue
            source = region_source(index, block)
            if source is None:
                continue
            value = source.value
            if not source.inherited and is_google_multi_region(resource.type, value):
                continue  # a multi-region location is TCOP-05-TF-002's finding
            if isinstance(value, str):
                region = normalise_region(provider, value)
                if region in {normalise_region(provider, a) for a in allowed}:
                    continue
                if _exempt(resource, region, edge_functions, billing_topics):
                    continue
            elif isinstance(value, Unresolved):
                region = ""
                if _exempt(resource, region, edge_functions, billing_topics):
                    continue
            else:
                continue
            if source.inherited:
                key = (source.block.file, source.block.address, source.position.line, source.position.column)
                inherited.setdefault(key, (source, [], provider, module))[1].append(resource)
                continue
            reported.add((source.block.file, source.position.line, source.position.column))
            yield _hit(module, source, provider, allowed, [resource], _address(module, resource.address))
    for key in sorted(inherited):
        source, users, provider, first = inherited[key]
        if (key[0], key[2], key[3]) in reported:
            continue  # the resource group itself is already reported on that line
        yield _hit(first, source, provider, allowed_by_provider[provider], users, _address(first, _origin(source)))


def _origin(source: RegionSource) -> str:
    block = source.block
    if block.block_type == "provider":
        data = block.body.data if isinstance(block.body.data, Mapping) else {}
        alias = data.get("alias")
        return block.address + (f".{alias}" if isinstance(alias, str) else "")
    return block.address


def _hit(
    module: TfModule,
    source: RegionSource,
    provider: str,
    allowed: tuple[str, ...],
    users: list[TfResource],
    address: str,
) -> Hit:
    allowed_text = ", ".join(allowed)
    names = sorted(r.address for r in users)
    subject = _origin(source) if source.inherited else names[0]
    used_by = ""
    if source.inherited:
        shown = (
            ", ".join(names)
            if len(names) <= 4
            else ", ".join(names[:3]) + f" and {plural(len(names) - 3, 'more resource')}"
        )
        used_by = f" (used by {shown})"
    properties = {"provider": provider, "resources": names}
    if isinstance(source.value, Unresolved):
        return Hit(
            file=source.block.file,
            position=source.position,
            address=address,
            message=f"{subject}: {source.attribute} = {source.value.expression} cannot be resolved, so tcop-lint "
            f"cannot tell whether it is an allowed {provider} region ({allowed_text}){used_by}",
            properties=properties,
            level="note",
        )
    verb = f'sets {source.attribute} = "{source.value}"' if source.inherited else f"is placed in {source.value}"
    return Hit(
        file=source.block.file,
        position=source.position,
        address=address,
        message=f"{subject} {verb}, outside the allowed {provider} regions ({allowed_text}){used_by}",
        properties={**properties, "region": source.value},
    )
