"""Terraform rules that need more than one JSON Schema on one resource.

``resource_schemas`` runs a list of declarative entries, each a JSON Schema pair (``when`` /
``require``) for some resource types, so that one check can cover AWS, Azure and Google
resources whose attributes differ. ``admin_ports_open_to_world`` needs port-range logic.
Unknown values are never guessed: an error that touches an Unresolved value is dropped.
"""

from __future__ import annotations

import functools
import ipaddress
import json
from fnmatch import fnmatchcase
from collections.abc import Mapping
from typing import Any, Iterable, Iterator, Sequence

from tcop_lint.model import DataPath, Hit, Unresolved, walk
from tcop_lint.settings import RuleContext
from tcop_lint.subjects import Subject

_AZURE_ANYWHERE = {"*", "internet", "any", "0.0.0.0/0", "0.0.0.0", "::/0"}


def never_created(data: Any) -> bool:
    """``count = 0`` or an empty ``for_each``: the resource exists in no plan."""
    if not isinstance(data, Mapping):
        return False
    count = data.get("count")
    for_each = data.get("for_each", None)
    if isinstance(count, int) and not isinstance(count, bool) and count == 0:
        return True
    return isinstance(for_each, (list, dict)) and not for_each


@functools.lru_cache(maxsize=256)
def _validator(schema_json: str) -> Any:
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(schema_json))


def _compiled(schema: Mapping[str, Any]) -> Any:
    return _validator(json.dumps(schema, sort_keys=True))


def _schema_names(schema: Any) -> set[str]:
    """Every property name a schema looks at (keys of ``properties``, entries of ``required``)."""
    names: set[str] = set()
    for _, part in walk(schema):
        if isinstance(part, Mapping):
            if isinstance(part.get("properties"), Mapping):
                names.update(str(k) for k in part["properties"])
            if isinstance(part.get("required"), list):
                names.update(str(k) for k in part["required"])
    return names


def _touches_unresolved(error: Any) -> bool:
    """True when an unknown value could change the outcome: the failing value itself, or an
    unknown inside it at a property the failing schema examines. A missing attribute is
    missing whatever the other values are."""
    if error.validator == "required":
        return False
    instance = error.instance
    if isinstance(instance, Unresolved):
        return True
    names = _schema_names(error.schema)
    for path, value in walk(instance):
        if isinstance(value, Unresolved) and (not path or isinstance(path[-1], int) or any(p in names for p in path)):
            return True
    return False


def _entry_applies(entry: Mapping[str, Any], type_name: str) -> bool:
    return any(fnmatchcase(type_name, pattern) for pattern in entry.get("types") or ("*",))


def _exempted_by_other_resources(entry: Mapping[str, Any], ctx: RuleContext) -> bool:
    """``unless_resource``: e.g. account-wide EBS encryption by default makes volumes safe."""
    unless = entry.get("unless_resource")
    if not unless:
        return False
    when = _compiled(unless.get("when") or {})
    for module in ctx.documents.terraform:
        for resource in module.resources:
            if resource.block.block_type != "resource":
                continue
            if any(fnmatchcase(resource.type, p) for p in unless.get("types") or ()) and when.is_valid(resource.block.body.data):
                return True
    return False


def resource_schemas(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """Every entry of ``params.rules`` whose types match: ``when`` selects, ``require`` reports.

    Entry keys: types, when, require, message, and optionally message_missing (for a required
    attribute that is absent), report_at (a path to report at instead of the failing value's)
    and unless_resource ({types, when}: no finding while such a resource exists).
    """
    data = subject.data
    if not isinstance(data, Mapping) or never_created(data):
        return
    type_name = subject.properties.get("resource_type", "")
    for entry in ctx.options.get("rules") or ():
        if not _entry_applies(entry, type_name):
            continue
        if "when" in entry and not _compiled(entry["when"]).is_valid(data):
            continue
        errors = [e for e in _compiled(entry["require"]).iter_errors(data) if not _touches_unresolved(e)]
        if errors and _exempted_by_other_resources(entry, ctx):
            continue
        seen: set[DataPath] = set()
        for error in errors:
            path = tuple(entry["report_at"]) if "report_at" in entry else tuple(error.absolute_path)
            if path in seen:
                continue
            seen.add(path)
            value = error.instance
            template = entry.get("message_missing") if error.validator == "required" else None
            message = (template or entry["message"]).format_map(
                {
                    "address": subject.address,
                    "type": type_name,
                    "value": "" if isinstance(value, (Mapping, list)) else _show(value),
                    "path": ".".join(str(p) for p in path),
                }
            )
            suffix = "#" + "/".join(str(p) for p in path) if path else ""
            yield subject.hit(message, path, address_suffix=suffix)


def _show(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


# --- administrative ports open to the world ---------------------------------------------------


def _port_range(low: Any, high: Any) -> tuple[int, int] | None:
    if isinstance(low, bool) or isinstance(high, bool):
        return None
    if isinstance(low, int) and isinstance(high, int):
        return (0, 65535) if (low, high) in ((-1, -1),) else (low, high)
    return None


def _parse_ports(text: Any) -> tuple[int, int] | None:
    """"22", "1000-2000", "*", 22 -> an inclusive range; anything unknown -> None."""
    if isinstance(text, bool) or isinstance(text, Unresolved):
        return None
    if isinstance(text, int):
        return (text, text)
    if not isinstance(text, str):
        return None
    text = text.strip()
    if text in ("*", "0-65535"):
        return (0, 65535)
    low, _, high = text.partition("-")
    try:
        return (int(low), int(high or low))
    except ValueError:
        return None


def _covered(ranges: Iterable[tuple[int, int]], ports: Sequence[int]) -> list[int]:
    return sorted({port for low, high in ranges for port in ports if low <= port <= high})


def _is_world(cidr: Any) -> bool:
    if not isinstance(cidr, str):
        return False
    try:
        network = ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        return False
    return network.prefixlen == 0


def _world_entry(values: Any) -> int | None:
    """Index of the first 0.0.0.0/0 or ::/0 in a literal list of CIDRs."""
    if not isinstance(values, list):
        return None
    return next((i for i, v in enumerate(values) if _is_world(v)), None)


def _aws_protocol_all(protocol: Any) -> bool | None:
    if isinstance(protocol, (str, int)) and not isinstance(protocol, bool):
        text = str(protocol).strip().lower()
        if text in ("-1", "all"):
            return True
        if text in ("tcp", "6", "udp", "17"):
            return False
        return None  # icmp and others: not an administrative port
    return None


def _aws_rule_ports(rule: Mapping[str, Any], protocol_key: str) -> tuple[int, int] | None:
    everything = _aws_protocol_all(rule.get(protocol_key))
    if everything:
        return (0, 65535)
    if everything is None:
        return None
    return _port_range(rule.get("from_port"), rule.get("to_port"))


def _aws_world_path(rule: Mapping[str, Any], base: DataPath) -> DataPath | None:
    for key in ("cidr_blocks", "ipv6_cidr_blocks"):
        index = _world_entry(rule.get(key))
        if index is not None:
            return base + (key,)
    return None


def _finding(subject: Subject, path: DataPath, ports: list[int], source: str) -> Hit:
    listed = ", ".join(str(p) for p in ports)
    return subject.hit(
        f"{subject.address} allows {source} to reach administrative or database port{'s' if len(ports) > 1 else ''} {listed}",
        path,
        address_suffix="#" + "/".join(str(p) for p in path),
        properties={"ports": ports},
    )


def admin_ports_open_to_world(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    data = subject.data
    if not isinstance(data, Mapping) or never_created(data):
        return
    ports = tuple(int(p) for p in ctx.options["ports"])
    type_name = subject.properties.get("resource_type", "")
    if type_name == "aws_security_group":
        for index, rule in enumerate(data.get("ingress") or ()):
            yield from _aws_rule(subject, rule, ("ingress", index), ports, "protocol")
    elif type_name == "aws_security_group_rule":
        if data.get("type") == "ingress":
            yield from _aws_rule(subject, data, (), ports, "protocol")
    elif type_name == "aws_vpc_security_group_ingress_rule":
        world = next((k for k in ("cidr_ipv4", "cidr_ipv6") if _is_world(data.get(k))), None)
        if world is not None:
            span = _aws_rule_ports(data, "ip_protocol")
            hit_ports = _covered([span], ports) if span else []
            if hit_ports:
                yield _finding(subject, (world,), hit_ports, "the whole internet")
    elif type_name in ("azurerm_network_security_rule", "azurerm_network_security_group"):
        rules = [((), data)] if type_name == "azurerm_network_security_rule" else [
            (("security_rule", i), rule) for i, rule in enumerate(data.get("security_rule") or ())
        ]
        for base, rule in rules:
            yield from _azure_rule(subject, rule, base, ports)
    elif type_name == "google_compute_firewall":
        yield from _google_firewall(subject, data, ports)


def _aws_rule(subject: Subject, rule: Any, base: DataPath, ports: Sequence[int], protocol_key: str) -> Iterator[Hit]:
    if not isinstance(rule, Mapping):
        return
    path = _aws_world_path(rule, base)
    if path is None:
        return
    span = _aws_rule_ports(rule, protocol_key)
    hit_ports = _covered([span], ports) if span else []
    if hit_ports:
        yield _finding(subject, path, hit_ports, "the whole internet")


def _lower(value: Any) -> str | None:
    return value.strip().lower() if isinstance(value, str) else None


def _azure_rule(subject: Subject, rule: Any, base: DataPath, ports: Sequence[int]) -> Iterator[Hit]:
    if not isinstance(rule, Mapping):
        return
    if _lower(rule.get("direction")) != "inbound" or _lower(rule.get("access")) != "allow":
        return
    if _lower(rule.get("protocol")) not in ("tcp", "*"):
        return
    path: DataPath | None = None
    if _lower(rule.get("source_address_prefix")) in _AZURE_ANYWHERE:
        path = base + ("source_address_prefix",)
    elif isinstance(rule.get("source_address_prefixes"), list) and any(
        _lower(p) in _AZURE_ANYWHERE for p in rule["source_address_prefixes"]
    ):
        path = base + ("source_address_prefixes",)
    if path is None:
        return
    spans = []
    if rule.get("destination_port_range") is not None:
        spans.append(_parse_ports(rule["destination_port_range"]))
    for item in rule.get("destination_port_ranges") or () if isinstance(rule.get("destination_port_ranges"), list) else ():
        spans.append(_parse_ports(item))
    hit_ports = _covered([s for s in spans if s], ports)
    if hit_ports:
        yield _finding(subject, path, hit_ports, "any internet address")


def _google_firewall(subject: Subject, data: Mapping[str, Any], ports: Sequence[int]) -> Iterator[Hit]:
    direction = data.get("direction", "INGRESS")
    if direction != "INGRESS" or data.get("disabled") is True:
        return
    index = _world_entry(data.get("source_ranges"))
    if index is None:
        return
    spans = []
    for rule in data.get("allow") or ():
        if not isinstance(rule, Mapping):
            continue
        protocol = _lower(rule.get("protocol"))
        if protocol not in ("tcp", "all"):
            continue
        listed = rule.get("ports")
        if listed is None or protocol == "all":
            spans.append((0, 65535))
        elif isinstance(listed, list):
            spans.extend(s for s in (_parse_ports(p) for p in listed) if s)
    hit_ports = _covered(spans, ports)
    if hit_ports:
        yield _finding(subject, ("source_ranges",), hit_ports, "the whole internet")
