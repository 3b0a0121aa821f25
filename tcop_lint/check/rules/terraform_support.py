"""Helpers the Terraform rules share: references between blocks, tags, policy documents.

Everything here reads the resolved views (TfModule, TfResource); nothing guesses a value.
A reference such as ``aws_s3_bucket.logs.id`` is only visible as the text of an Unresolved
value, so references are found by matching that text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from tcop_lint.check.subjects import never_created
from tcop_lint.core.model import Hit, TfBlock, TfModule, TfResource, Unresolved, walk

_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_FUNCTION_CALL = re.compile(r"^\s*jsonencode\s*\(", re.S)
PRODUCTION_VALUES = frozenset({"production", "prod", "prd", "live"})
ENVIRONMENT_KEYS = frozenset({"environment", "env", "stage"})


def address(module: TfModule, resource_address: str) -> str:
    return module.qualified(resource_address)


def body(block: TfBlock) -> Mapping[str, Any]:
    return block.body.data if isinstance(block.body.data, Mapping) else {}


def _order(block: TfBlock) -> tuple[str, int, int]:
    return (block.file, block.position.line, block.position.column)


def module_anchor(module: TfModule) -> TfBlock | None:
    """Where a finding about a whole module is shown: its ``terraform`` block (one that sets
    required_version or required_providers first), else the first block of its main.tf, else
    the first block of its first file in sort order."""
    settings = sorted(
        (b for b in module.blocks if b.block_type == "terraform"),
        key=lambda b: (not ({"required_version", "required_providers"} & set(body(b))), *_order(b)),
    )
    if settings:
        return settings[0]
    blocks = sorted([*module.blocks, *(r.block for r in module.resources)], key=_order)
    main = [b for b in blocks if b.file.rsplit("/", 1)[-1] == "main.tf"]
    chosen = main or blocks
    return chosen[0] if chosen else None


def created_resources(module: TfModule, *prefixes: str) -> Iterator[TfResource]:
    """Resource blocks (not data sources) that may exist in a plan, optionally by type prefix."""
    for resource in module.resources:
        if resource.block.block_type != "resource" or never_created(resource.block.body.data):
            continue
        if prefixes and not resource.type.startswith(prefixes):
            continue
        yield resource


def expressions(data: Any) -> Iterator[str]:
    """The source text of every unresolved expression inside ``data``."""
    for _, value in walk(data):
        if isinstance(value, Unresolved):
            yield value.expression


def references(text: str, type_name: str) -> set[str]:
    """Names of ``type_name`` blocks referred to in an expression (``aws_eip.nat[0].id`` -> nat)."""
    prefix = r"\bdata\." if type_name.startswith("data.") else r"(?<![\w.])"
    bare = type_name[5:] if type_name.startswith("data.") else type_name
    return set(re.findall(prefix + re.escape(bare) + r"\.(" + _NAME + r")", text))


def referenced_names(
    module: TfModule, type_name: str, *, skip: TfBlock | None = None, from_types: tuple[str, ...] = ()
) -> set[str]:
    """Names of ``type_name`` resources referred to from any other block of the module.

    ``from_types``: only look in resources of these types (all blocks when empty).
    """
    names: set[str] = set()
    blocks: list[TfBlock] = [r.block for r in module.resources]
    if not from_types:
        blocks += list(module.blocks)
    for block in blocks:
        if block is skip:
            continue
        if from_types and (block.block_type != "resource" or not block.labels or block.labels[0] not in from_types):
            continue
        for text in expressions(block.body.data):
            names.update(references(text, type_name))
    return names


def find_resource(module: TfModule, type_name: str, name: str, mode: str = "resource") -> TfResource | None:
    for resource in module.resources:
        if resource.block.block_type == mode and resource.block.labels == (type_name, name):
            return resource
    return None


def single_reference(value: Any, type_name: str, module: TfModule, mode: str = "resource") -> TfResource | None:
    """The one block an attribute refers to (``bucket = aws_s3_bucket.x.id``), if it is certain."""
    if not isinstance(value, Unresolved):
        return None
    names = references(value.expression, ("data." if mode == "data" else "") + type_name)
    if len(names) != 1:
        return None
    return find_resource(module, type_name, next(iter(names)), mode)


# --- tags and production markers ------------------------------------------------------------


def provider_block(module: TfModule, name: str, alias: str | None) -> TfBlock | None:
    for block in module.blocks:
        if block.block_type != "provider" or block.labels[:1] != (name,):
            continue
        block_alias = body(block).get("alias")
        if (alias is None and block_alias is None) or (alias is not None and block_alias == alias):
            return block
    return None


def default_tags(module: TfModule, resource: TfResource) -> Mapping[str, Any] | Unresolved | None:
    """The tags a resource's AWS provider adds (``default_tags``), or the labels a Google
    provider adds (``default_labels``); None when there are none."""
    provider = provider_block(module, resource.provider, resource.provider_alias)
    if provider is None:
        return None
    data = body(provider)
    if resource.provider == "aws":
        blocks = data.get("default_tags")
        if isinstance(blocks, list) and blocks and isinstance(blocks[0], Mapping):
            return blocks[0].get("tags")
        return None
    if resource.provider in ("google", "google-beta"):
        return data.get("default_labels")
    return None


def tag_attribute(resource: TfResource) -> str:
    if resource.provider in ("google", "google-beta"):
        return "user_labels" if resource.type == "google_sql_database_instance" else "labels"
    return "tags"


def effective_tags(module: TfModule, resource: TfResource) -> Mapping[str, Any] | None:
    """Resource tags merged over provider defaults; None when any part is unknown."""
    merged: dict[str, Any] = {}
    defaults = default_tags(module, resource)
    if isinstance(defaults, Unresolved):
        return None
    if isinstance(defaults, Mapping):
        merged.update(defaults)
    data = body(resource.block)
    own = data.get(tag_attribute(resource))
    if resource.type == "google_sql_database_instance":
        settings = data.get("settings")
        own = (
            settings[0].get("user_labels")
            if isinstance(settings, list) and settings and isinstance(settings[0], Mapping)
            else None
        )
    if isinstance(own, Unresolved):
        return None
    if isinstance(own, Mapping):
        merged.update(own)
    return merged


def is_production(module: TfModule, resource: TfResource) -> bool:
    """Tagged Environment = production (or prod, live), or kept in a ``prod``/``production``
    folder. Unknown tag values never count."""
    tags = effective_tags(module, resource) or {}
    for key, value in tags.items():
        if (
            str(key).strip().lower() in ENVIRONMENT_KEYS
            and isinstance(value, str)
            and value.strip().lower() in PRODUCTION_VALUES
        ):
            return True
    parts = module.directory.lower().split("/") if module.directory else []
    return any(part in ("prod", "production", "live") for part in parts)


# --- IAM policy documents ------------------------------------------------------------------


def parse_policy(value: Any) -> Any:
    """A policy written as a JSON string, a heredoc or ``jsonencode({...})`` as plain data.

    Returns None when the policy cannot be read for certain (a reference, another function)."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    if isinstance(value, Mapping):
        return value
    if isinstance(value, Unresolved) and _FUNCTION_CALL.match(value.expression):
        text = value.expression.strip()
        inner = text[text.index("(") + 1 : text.rindex(")")] if text.endswith(")") else ""
        return _hcl_value(inner)
    return None


def _hcl_value(expression: str) -> Any:
    """The value of one HCL expression, read by the same loader as every file (never executed)."""
    from tcop_lint.load.terraform import load_terraform

    if not expression.strip():
        return None
    result = load_terraform("<policy>.tf", "locals {\n  v = " + expression + "\n}\n")
    if result.problems or result.terraform is None or not result.terraform.blocks:
        return None
    data = result.terraform.blocks[0].body.data
    return data.get("v") if isinstance(data, Mapping) else None


def as_list(value: Any) -> list:
    if isinstance(value, list):
        return value
    return [value]


def statements(policy: Any) -> list[Mapping[str, Any]]:
    if not isinstance(policy, Mapping):
        return []
    found = policy.get("Statement")
    return [s for s in as_list(found) if isinstance(s, Mapping)]


def repository_hit(message: str, key: str, properties: Mapping[str, Any] | None = None) -> Hit:
    return Hit(
        file=None, position=None, address=f"<repository>#{key}", message=message, properties=dict(properties or {})
    )


def block_hit(
    module: TfModule,
    subject: TfBlock | TfResource,
    message: str,
    path: tuple = (),
    *,
    suffix: str = "",
    level: Any = None,
    properties: Mapping[str, Any] | None = None,
) -> Hit:
    """A hit on a block, or on a resource (whose address names its module call and instance)."""
    block = subject.block if isinstance(subject, TfResource) else subject
    return Hit(
        file=block.file,
        position=block.body.locate(path),
        address=address(module, subject.address) + suffix,
        message=message,
        properties=dict(properties or {}),
        level=level,
        span=block.position,
    )
