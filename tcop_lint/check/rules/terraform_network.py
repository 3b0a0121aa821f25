"""Network rules that need logic beyond a condition on one resource: administrative ports
open to the world (TCOP-06-TF-006) needs port-range arithmetic across AWS, Azure and Google
rule shapes, and for network ACLs the order of their numbered rules; database allow-lists spanning
most of the internet (TCOP-06-TF-010) need address arithmetic. Unknown values are never guessed:
a port or address that is not a literal counts as not open.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from tcop_lint.check.subjects import Subject, never_created
from tcop_lint.core.model import DataPath, Hit, TfResource, Unresolved, json_pointer
from tcop_lint.core.settings import RuleContext

_AZURE_ANYWHERE = {"*", "internet", "any", "0.0.0.0/0", "0.0.0.0", "::/0"}


# --- administrative ports open to the world ---------------------------------------------------


def _port_range(low: Any, high: Any) -> tuple[int, int] | None:
    if isinstance(low, bool) or isinstance(high, bool):
        return None
    if isinstance(low, int) and isinstance(high, int):
        return (0, 65535) if (low, high) in ((-1, -1),) else (low, high)
    return None


def _parse_ports(text: Any) -> tuple[int, int] | None:
    """ "22", "1000-2000", "*", 22 -> an inclusive range; anything unknown -> None."""
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
        if text in ("tcp", "6"):
            return False
        # udp, icmp and others: SSH, RDP, WinRM and the databases listen on TCP (as the Azure
        # and Google rules below judge it too)
        return None
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
        f"{subject.address} allows {source} to reach administrative or database port{'s' if len(ports) > 1 else ''} "
        f"{listed}",
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
        for index, rule in enumerate(_blocks(data, "ingress")):
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
        rules = (
            [((), data)]
            if type_name == "azurerm_network_security_rule"
            else [(("security_rule", i), rule) for i, rule in enumerate(_blocks(data, "security_rule"))]
        )
        for base, rule in rules:
            yield from _azure_rule(subject, rule, base, ports)
    elif type_name == "google_compute_firewall":
        yield from _google_firewall(subject, data, ports)
    elif type_name in ("aws_network_acl", "aws_default_network_acl"):
        entries = [(("ingress", i), r) for i, r in enumerate(data.get("ingress") or ()) if isinstance(r, Mapping)]
        yield from _nacl_hits(subject, entries, [r for _, r in entries], "action", ports)
    elif type_name == "aws_network_acl_rule":
        if data.get("egress", False) is False:
            acl_rules = [data, *_sibling_acl_rules(subject, ctx)]
            yield from _nacl_hits(subject, [((), data)], acl_rules, "rule_action", ports)


def _blocks(data: Mapping[str, Any], key: str) -> list[Any]:
    """Nested blocks as written; none when unknown (``ingress = var.rules``, or a plan's
    "known after apply")."""
    found = data.get(key)
    return found if isinstance(found, list) else []


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
    for item in (
        rule.get("destination_port_ranges") or () if isinstance(rule.get("destination_port_ranges"), list) else ()
    ):
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


# --- network ACLs ------------------------------------------------------------------------------

# Stateless ACLs must let replies to outbound connections back in on the ephemeral ports: a rule
# for a range from 1024 or above up to 65535 is that, not an opening of the services inside it.
_EPHEMERAL_FLOOR = 1024


def _nacl_rule(rule: Mapping[str, Any], action_key: str) -> tuple[str, int, str, tuple[int, int]] | None:
    """(action, rule number, world CIDR key, port span) of a rule from the whole internet."""
    action, number = _lower(rule.get(action_key)), rule.get("rule_no", rule.get("rule_number"))
    world = next((k for k in ("cidr_block", "ipv6_cidr_block") if _is_world(rule.get(k))), None)
    if action not in ("allow", "deny") or world is None or not isinstance(number, int) or isinstance(number, bool):
        return None
    span = _aws_rule_ports(rule, "protocol")
    return None if span is None else (action, number, world, span)


def _nacl_hits(
    subject: Subject,
    candidates: Sequence[tuple[DataPath, Mapping[str, Any]]],
    acl_rules: Sequence[Mapping[str, Any]],
    action_key: str,
    ports: Sequence[int],
) -> Iterator[Hit]:
    """Hits for the allow rules among ``candidates`` whose admin ports no lower-numbered deny of
    the same ACL (``acl_rules``) from the whole internet has already closed."""
    denies = [parsed for rule in acl_rules if (parsed := _nacl_rule(rule, action_key)) and parsed[0] == "deny"]
    for base, rule in candidates:
        parsed = _nacl_rule(rule, action_key)
        if parsed is None or parsed[0] != "allow":
            continue
        _, number, world, (low, high) = parsed
        if low >= _EPHEMERAL_FLOOR and high == 65535:
            continue
        denied = [span for _, n, w, span in denies if n < number and w == world]
        open_ports = [p for p in _covered([(low, high)], ports) if not _covered(denied, [p])]
        if not open_ports:
            continue
        listed = ", ".join(str(p) for p in open_ports)
        path = base + (world,)
        if (low, high) == (0, 65535):
            message = (
                f"{subject.address} lets all traffic in from the whole internet, so security groups alone guard "
                f"administrative and database ports ({listed})"
            )
        else:
            message = (
                f"{subject.address} lets the whole internet reach administrative or database "
                f"port{'s' if len(open_ports) > 1 else ''} {listed} through the network ACL"
            )
        yield subject.hit(
            message,
            path,
            address_suffix="#" + "/".join(str(p) for p in path),
            level="note" if (low, high) == (0, 65535) else "warning",
            properties={"ports": open_ports},
        )


def _sibling_acl_rules(subject: Subject, ctx: RuleContext) -> Iterator[Mapping[str, Any]]:
    """The other ingress rules of the same network ACL in the subject's module."""
    acl = subject.data.get("network_acl_id")
    if acl is None:
        return
    for module in ctx.documents.terraform:
        if not any(r is subject.source for r in module.resources):
            continue
        for resource in module.resources:
            data = resource.block.body.data
            if (
                resource is subject.source
                or not isinstance(resource, TfResource)
                or resource.type != "aws_network_acl_rule"
                or not isinstance(data, Mapping)
                or never_created(data)
            ):
                continue
            if data.get("egress", False) is False and data.get("network_acl_id") == acl:
                yield data


# --- database allow-lists that span most of the internet (TCOP-06-TF-010) -------------------

_IPV4_SIZE = 1 << 32
_PRIVATE_TEN = (int(ipaddress.IPv4Address("10.0.0.0")), int(ipaddress.IPv4Address("10.255.255.255")))


def _ipv4(value: Any) -> int | None:
    if not isinstance(value, str):
        return None
    try:
        return int(ipaddress.IPv4Address(value.strip()))
    except ValueError:
        return None


def _ipv4_network(value: Any) -> tuple[int, int] | None:
    if not isinstance(value, str):
        return None
    try:
        network = ipaddress.IPv4Network(value.strip(), strict=False)
    except ValueError:
        return None
    return int(network.network_address), int(network.broadcast_address)


def _too_wide(low: int, high: int, threshold: int) -> bool:
    """At least ``threshold`` addresses, short of the whole internet (TCOP-06-TF-005's finding),
    and not inside 10.0.0.0/8, which no internet client comes from."""
    if (low, high) == (0, _IPV4_SIZE - 1) or high < low:
        return False
    if _PRIVATE_TEN[0] <= low and high <= _PRIVATE_TEN[1]:
        return False
    return high - low + 1 >= threshold


def _span_text(low: int, high: int) -> str:
    count = high - low + 1
    return (
        f"{ipaddress.IPv4Address(low)} to {ipaddress.IPv4Address(high)}, {count:,} addresses "
        f"({count / _IPV4_SIZE:.1%} of all IPv4 addresses)"
    )


def wide_database_allowlists(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    data = subject.data
    if not isinstance(data, Mapping) or never_created(data):
        return
    threshold = 1 << (32 - int(ctx.options["prefix_length"]))
    type_name = subject.properties.get("resource_type", "")
    if type_name.startswith("azurerm_"):
        for low_key, high_key in (("start_ip_address", "end_ip_address"), ("start_ip", "end_ip")):
            low, high = _ipv4(data.get(low_key)), _ipv4(data.get(high_key))
            if low is not None and high is not None and _too_wide(low, high, threshold):
                yield subject.hit(
                    f"{subject.address} lets {_span_text(low, high)} reach the database server",
                    (low_key,),
                    address_suffix="#" + json_pointer((low_key,)),
                )
        return
    for i, settings in enumerate(_block_list(data.get("settings"))):
        for j, ip_configuration in enumerate(_block_list(settings.get("ip_configuration"))):
            for k, network in enumerate(_block_list(ip_configuration.get("authorized_networks"))):
                span = _ipv4_network(network.get("value"))
                if span is not None and _too_wide(span[0], span[1], threshold):
                    path = ("settings", i, "ip_configuration", j, "authorized_networks", k, "value")
                    yield subject.hit(
                        f"{subject.address} lets {network['value']} connect: {_span_text(*span)}",
                        path,
                        address_suffix="#" + json_pointer(path),
                    )


def _block_list(value: Any) -> list[Mapping[str, Any]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []
