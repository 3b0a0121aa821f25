"""Traffic and access logging (TCOP-06-TF-037): load balancer access logs, and the logging that
lives in a second resource: VPC flow logs (``aws_flow_log``) and S3 server access logging
(``aws_s3_bucket_logging`` or the older inline ``logging`` block).

References are only visible as the text of unresolved values, so a flow log or logging
resource covers the VPC or bucket its expression names. One whose target cannot be read from
the text (a variable, a module output) may cover anything, so then nothing is reported: the
rule never guesses. Buckets that receive logs are not asked to log themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from tcop_lint.check.rules.terraform_support import body, created_resources, expressions, references
from tcop_lint.check.subjects import Subject
from tcop_lint.core.model import Documents, Hit, TfModule
from tcop_lint.core.settings import RuleContext


def _module_of(subject: Subject, documents: Documents) -> TfModule | None:
    return next((m for m in documents.terraform if any(r is subject.source for r in m.resources)), None)


def _targets(modules: tuple[TfModule, ...], logger: str, key: str, target_type: str) -> tuple[frozenset, bool]:
    """(directory, name) pairs of ``target_type`` named by ``logger`` resources' ``key``, and
    whether one of them names its target in a way that cannot be read."""
    named: set[tuple[str, str]] = set()
    unknown = False
    for module in modules:
        for resource in created_resources(module, logger):
            if resource.type != logger:
                continue
            value = body(resource.block).get(key)
            names = {n for text in expressions(value) for n in references(text, target_type)}
            if names:
                named.update((module.directory, n) for n in names)
            elif value is not None:
                unknown = True
    return frozenset(named), unknown


def _flow_logged(modules: tuple[TfModule, ...]) -> tuple[frozenset, bool]:
    named, unknown = _targets(modules, "aws_flow_log", "vpc_id", "aws_vpc")
    for module in modules:
        for resource in created_resources(module, "aws_flow_log"):
            data = body(resource.block)
            # A flow log on a subnet, interface or transit gateway: which VPC it watches is not readable.
            if resource.type == "aws_flow_log" and "vpc_id" not in data:
                unknown = True
    return named, unknown


# Where each kind of resource names the bucket it writes logs to: (block or "", attribute).
_LOG_DESTINATIONS: Mapping[str, tuple[tuple[str, str], ...]] = {
    "aws_s3_bucket_logging": (("", "target_bucket"),),
    "aws_s3_bucket": (("logging", "target_bucket"),),
    "aws_lb": (("access_logs", "bucket"),),
    "aws_alb": (("access_logs", "bucket"),),
    "aws_elb": (("access_logs", "bucket"),),
    "aws_cloudtrail": (("", "s3_bucket_name"),),
    "aws_flow_log": (("", "log_destination"),),
    "aws_cloudfront_distribution": (("logging_config", "bucket"),),
}


def _values(data: Mapping[str, Any], block: str, key: str) -> list[Any]:
    if not block:
        return [data.get(key)]
    return [b.get(key) for b in data.get(block) or () if isinstance(b, Mapping)]


def _bucket_logging(modules: tuple[TfModule, ...]) -> tuple[frozenset, bool, frozenset]:
    """Buckets with access logging, whether some logging resource names its bucket unreadably,
    and the buckets that receive logs."""
    named, unknown = _targets(modules, "aws_s3_bucket_logging", "bucket", "aws_s3_bucket")
    receivers: set[tuple[str, str]] = set()
    for module in modules:
        for resource in created_resources(module, *_LOG_DESTINATIONS):
            data = body(resource.block)
            for block, key in _LOG_DESTINATIONS.get(resource.type, ()):
                for value in _values(data, block, key):
                    receivers.update(
                        (module.directory, n) for t in expressions(value) for n in references(t, "aws_s3_bucket")
                    )
    return named, unknown, frozenset(receivers)


# Worked out once per scan, not per subject: the last scan's modules and what they log.
_MEMO: list[tuple[tuple[TfModule, ...], tuple[tuple[frozenset, bool], tuple[frozenset, bool, frozenset]]]] = []


def _logging(modules: tuple[TfModule, ...]) -> tuple[tuple[frozenset, bool], tuple[frozenset, bool, frozenset]]:
    if not _MEMO or _MEMO[0][0] is not modules:
        _MEMO[:] = [(modules, (_flow_logged(modules), _bucket_logging(modules)))]
    return _MEMO[0][1]


def traffic_logging_missing(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    data: Any = subject.data
    module = _module_of(subject, ctx.documents)
    if not isinstance(data, Mapping) or module is None:
        return
    modules = ctx.documents.terraform
    labels = subject.source.block.labels
    key = (module.directory, labels[1] if len(labels) > 1 else "")
    if subject.source.type == "aws_vpc":
        named, unknown = _logging(modules)[0]
        if key not in named and not unknown:
            yield subject.hit(
                f"{subject.address} has no aws_flow_log, so traffic in and out of the network is not recorded "
                "(VPCs have no flow logs unless you create one)",
                key="flow_log",
            )
    elif subject.source.type in ("aws_lb", "aws_alb", "aws_elb"):
        yield from _load_balancer(subject, data)
    elif subject.source.type == "aws_s3_bucket":
        named, unknown, receivers = _logging(modules)[1]
        if key in named or key in receivers or unknown or data.get("logging"):
            return
        yield subject.hit(
            f"{subject.address} has no server access logging (no aws_s3_bucket_logging), so requests to its "
            "objects are not recorded (S3 does not log access by default)",
            level="note",
            key="access_logging",
        )


def _load_balancer(subject: Subject, data: Mapping[str, Any]) -> Iterator[Hit]:
    kind = data.get("load_balancer_type", "application")
    # Gateway load balancers have no access logs; network ones log only TLS listeners.
    if subject.source.type != "aws_elb" and kind != "application":
        return
    logs = [b for b in data.get("access_logs") or () if isinstance(b, Mapping)]
    if not logs:
        yield subject.hit(
            f"{subject.address} has no access_logs block, so requests through the load balancer are not recorded "
            "(access logging is off by default)",
            address_suffix="#/access_logs",
            key="access_logs",
        )
        return
    enabled = logs[0].get("enabled")
    if enabled is None and subject.source.type != "aws_elb":
        yield subject.hit(
            f"{subject.address} does not set access_logs.enabled = true, so requests through the load balancer are "
            "not recorded (the default is false, even with a bucket named)",
            ("access_logs", 0),
            address_suffix="#/access_logs/0/enabled",
            key="access_logs",
        )
    elif enabled is False or enabled == "false":
        yield subject.hit(
            f"{subject.address} sets access_logs.enabled = false, so requests through the load balancer are not "
            "recorded",
            ("access_logs", 0, "enabled"),
            address_suffix="#/access_logs/0/enabled",
            key="access_logs",
        )
