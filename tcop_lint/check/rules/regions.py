"""TCOP-05-TF-001: resources placed in regions outside the allowed list.

A region written on the resource itself is reported on that resource's line. A region a
resource inherits (from its provider block, or from the resource group whose location it
copies) is reported once, on the line that sets it, so one provider block in the wrong region
gives one finding however many resources use it. Data sources place nothing and are skipped.

What AWS requires in us-east-1 because a global service uses it is found by references: an
anchor (CloudFront, Route 53, a CLOUDFRONT-scoped WAF, a us-east-1-only alarm, a Lambda@Edge
function) makes the dependencies it refers to required there (log groups, streams, keys,
topics, certificates), and a resource that only attaches to a required one (a policy, filter,
alias, subscription, logging configuration) follows it. An alarm follows only a global resource
it watches: one that merely shares a required topic is a choice of its own.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from fnmatch import fnmatchcase
from typing import Any

from tcop_lint.assemble.terraform_modules import RegionSource, module_index, region_source
from tcop_lint.check.rules.terraform_residency import is_google_multi_region
from tcop_lint.check.subjects import never_created
from tcop_lint.core.model import Hit, TfModule, TfResource, Unresolved, walk
from tcop_lint.core.settings import RuleContext
from tcop_lint.core.text import plural

# Types AWS runs globally (their API lives in us-east-1 whatever the provider says), and services
# that exist only in us-east-1 (Cost and Usage Reports, Data Exports, Cost Explorer).
GLOBAL_TYPES: tuple[str, ...] = (
    "aws_iam_*",
    "aws_route53_*",
    "aws_cloudfront_*",
    "aws_budgets_*",
    "aws_organizations_*",
    "aws_shield_protection*",
    "aws_cur_report_definition",
    "aws_bcmdataexports_*",
    "aws_ce_*",
    "google_compute_global_*",
)
NOT_GLOBAL: tuple[str, ...] = ("aws_route53_resolver_*", "aws_route53recoverycontrolconfig_*")
US_EAST_1 = "us-east-1"
_ANYWHERE = {"global"}

# What AWS requires in us-east-1 because a global service uses it: CloudFront, a CLOUDFRONT-scoped
# WAF, Route 53 (query logs, health checks) and the us-east-1-only billing and edge metrics.
_ANCHOR_TYPES = ("aws_cloudfront_*", "aws_route53_*", "aws_shield_protection*")
_US_EAST_1_METRICS = frozenset({"AWS/Billing", "AWS/Route53", "AWS/CloudFront"})
# Resources an anchor may depend on; AWS wants them in its region.
_DEPENDENCY_TYPES = (
    "aws_cloudwatch_log_group",
    "aws_cloudwatch_log_destination",
    "aws_cloudwatch_log_delivery_destination",
    "aws_kinesis_firehose_delivery_stream",
    "aws_sns_topic",
    "aws_kms_key",
    "aws_acm_certificate",
    "aws_lambda_function",
)
# Resources that only attach to another (a policy, a filter, a logging configuration): they live
# where that resource lives.
_ATTACHMENT_TYPES = (
    "aws_cloudwatch_log_resource_policy",
    "aws_cloudwatch_log_subscription_filter",
    "aws_cloudwatch_log_metric_filter",
    "aws_cloudwatch_log_stream",
    "aws_cloudwatch_log_destination_policy",
    "aws_cloudwatch_log_delivery",
    "aws_cloudwatch_log_delivery_source",
    "aws_cloudwatch_log_delivery_destination_policy",
    "aws_cloudwatch_metric_alarm",
    "aws_wafv2_web_acl_logging_configuration",
    "aws_sns_topic_policy",
    "aws_sns_topic_subscription",
    "aws_kms_alias",
    "aws_kms_key_policy",
    "aws_kms_grant",
    "aws_lambda_permission",
    "aws_lambda_alias",
    "aws_acm_certificate_validation",
)
# Names AWS reserves for these logs: WAF logging destinations must start with aws-waf-logs-, and
# Route 53 query logs go to /aws/route53/ log groups.
_LOG_NAME = re.compile(r"^(aws-waf-logs-|/aws/route53/)")
_REFERENCE = re.compile(r"(?<![\w.])((?:data\.)?aws_[a-z0-9_]+\.[A-Za-z_][A-Za-z0-9_-]*)")


def provider_key(provider: str) -> str:
    return "google" if provider == "google-beta" else provider


def normalise_region(provider: str, value: str) -> str:
    text = value.strip().lower()
    return text.replace(" ", "") if provider == "azurerm" else text


def _matches(type_name: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatchcase(type_name, p) for p in patterns)


def _is_global(type_name: str) -> bool:
    return _matches(type_name, GLOBAL_TYPES) and not _matches(type_name, NOT_GLOBAL)


def _data(resource: TfResource) -> Mapping[str, Any]:
    data = resource.block.body.data
    return data if isinstance(data, Mapping) else {}


def _is_anchor(resource: TfResource) -> bool:
    data = _data(resource)
    # A DNS record names a certificate's validation value without making the certificate global.
    if _matches(resource.type, _ANCHOR_TYPES) and not _matches(resource.type, (*NOT_GLOBAL, "aws_route53_record")):
        return True
    if resource.type.startswith("aws_wafv2_") and data.get("scope") == "CLOUDFRONT":
        return True
    return resource.type == "aws_cloudwatch_metric_alarm" and data.get("namespace") in _US_EAST_1_METRICS


def _direct_references(resource: TfResource) -> set[str]:
    found: set[str] = set()
    for _, value in walk(resource.block.body.data):
        if isinstance(value, Unresolved):
            found.update(_REFERENCE.findall(value.expression))
    return found - {resource.block.address}


def _references(module: TfModule) -> dict[str, set[str]]:
    """Addresses each resource refers to, looking through data sources (a policy document that
    names a log group links the policy that uses it to the log group)."""
    direct = {resource.block.address: _direct_references(resource) for resource in module.resources}
    through: dict[str, set[str]] = {}
    for address, found in direct.items():
        seen: set[str] = set()
        stack = list(found)
        while stack:
            target = stack.pop()
            if target in seen:
                continue
            seen.add(target)
            if target.startswith("data."):
                stack.extend(direct.get(target, ()))
        through[address] = {t for t in seen if not t.startswith("data.")}
    return through


_VARIABLE = re.compile(r"(?<![\w.])var\.([A-Za-z_][A-Za-z0-9_-]*)")


def _passed_to_modules(module: TfModule, modules: Mapping[str, TfModule], every: Sequence[TfModule] = ()) -> set[str]:
    """Resources of ``module`` handed to a local child module as an argument that one of the
    child's us-east-1 requirements reads (a topic given to a module's Route 53 alarm)."""
    found: set[str] = set()
    called = [m for m in every if m.called_from]
    for block in module.blocks:
        data = block.body.data if isinstance(block.body.data, Mapping) else {}
        source = data.get("source") if block.block_type == "module" else None
        if not isinstance(source, str) or not source.startswith(("./", "../")):
            continue
        instance = next(
            (
                m
                for m in called
                if m.called_from
                and (m.called_from[-1].file, m.called_from[-1].line) == (block.file, block.position.line)
            ),
            None,
        )
        # the module as evaluated for this call, else (judged alone) its folder
        child = instance or modules.get(
            posixpath.normpath(posixpath.join(module.directory or ".", source)).removeprefix("./")
        )
        if child is None or child is module:
            continue
        required = required_in_us_east_1(child)
        names: set[str] = set()
        for resource in child.resources:
            if resource.block.address in required:
                for _, value in walk(resource.block.body.data):
                    if isinstance(value, Unresolved):
                        names.update(_VARIABLE.findall(value.expression))
        for name in names:
            for _, value in walk(data.get(name)):
                if isinstance(value, Unresolved):
                    found.update(_REFERENCE.findall(value.expression))
    return found


def required_in_us_east_1(
    module: TfModule, modules: Mapping[str, TfModule] | None = None, every: Sequence[TfModule] = ()
) -> set[str]:
    """Addresses of the resources AWS requires in us-east-1 because a global service uses them:
    what an anchor depends on, what attaches to an anchor or to such a dependency, and so on.
    With ``modules`` (by directory), what the module hands to a local child module's
    requirements counts too."""
    created = {
        r.block.address: r
        for r in module.resources
        if r.block.block_type == "resource" and not never_created(r.block.body.data)
    }
    refs = _references(module)
    required = {a for a, r in created.items() if _is_anchor(r) or _is_edge_function(r, refs, module)}
    if modules is not None:
        passed = _passed_to_modules(module, modules, every)
        required.update(a for a, r in created.items() if a in passed and r.type in _DEPENDENCY_TYPES)
    for address, resource in created.items():
        name = _data(resource).get("name")
        if resource.type in ("aws_cloudwatch_log_group", "aws_kinesis_firehose_delivery_stream") and (
            isinstance(name, str) and _LOG_NAME.match(name)
        ):
            required.add(address)
    changed = True
    while changed:
        changed = False
        for address, resource in created.items():
            if address in required:
                continue
            if resource.type in _DEPENDENCY_TYPES and any(address in refs.get(r, ()) for r in required):
                required.add(address)
                changed = True
            elif resource.type in _ATTACHMENT_TYPES and _attaches(resource, refs.get(address, set()), required):
                required.add(address)
                changed = True
    return required


def _is_edge_function(resource: TfResource, refs: Mapping[str, set[str]], module: TfModule) -> bool:
    """A Lambda function whose role trusts edgelambda.amazonaws.com is a Lambda@Edge function."""
    if resource.type != "aws_lambda_function":
        return False
    by_address = {r.block.address: r for r in module.resources}
    for role in refs.get(resource.block.address, ()):
        found = by_address.get(role)
        if found is None or found.type != "aws_iam_role":
            continue
        documents = [by_address[d] for d in _direct_references(found) if d.startswith("data.") and d in by_address]
        if any(_mentions(r.block.body.data, "edgelambda.amazonaws.com") for r in (found, *documents)):
            return True
    return False


def _mentions(data: Any, text: str) -> bool:
    for _, value in walk(data):
        if (isinstance(value, str) and text in value) or (isinstance(value, Unresolved) and text in value.expression):
            return True
    return False


def _attaches(resource: TfResource, targets: set[str], required: set[str]) -> bool:
    if resource.type == "aws_cloudwatch_metric_alarm":
        # An alarm lives where its metric is: on a global resource's metrics, not on its topic.
        return any(t in required and _matches(t.split(".")[0], _ANCHOR_TYPES) for t in targets)
    return bool(targets & required)


def _exempt(resource: TfResource, region: str, required: set[str]) -> bool:
    """Resources AWS requires in us-east-1, and types that have no region."""
    if _is_global(resource.type) or region in _ANYWHERE:
        return True
    if resource.type.startswith("aws_wafv2_") and _data(resource).get("scope") == "CLOUDFRONT":
        return True
    if region not in (US_EAST_1, ""):
        return False
    if resource.block.address in required:
        return True  # in us-east-1, or in a region tcop-lint cannot read that AWS fixes there
    return region == US_EAST_1 and resource.type in ("aws_acm_certificate", "aws_acm_certificate_validation")


def _address(module: TfModule, address: str) -> str:
    return module.qualified(address)


def resources_outside_allowed_regions(ctx: RuleContext) -> Iterator[Hit]:
    allowed_by_provider = ctx.options["allowed_regions"]
    # A provider block is reported once, naming every resource that inherits its region,
    # those of the modules it is passed to included.
    inherited: dict[tuple[str, str, int, int], tuple[RegionSource, list[TfResource], str, TfModule]] = {}
    reported: set[tuple[str, int, int]] = set()
    modules = {m.directory: m for m in ctx.documents.terraform}
    for module in ctx.documents.terraform:
        index = module_index(module)
        required = required_in_us_east_1(module, modules, ctx.documents.terraform)
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
                if _exempt(resource, region, required):
                    continue
            elif isinstance(value, Unresolved):
                region = ""
                if _exempt(resource, region, required):
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
