"""Group Terraform files into modules and resolve the values that can be known for certain.

A module is the set of .tf / .tf.json / tfvars files in one directory. Within it, an attribute
that is not a literal is evaluated (``tcop_lint.assemble.expressions``) over the module's
variables (``terraform.tfvars`` or ``*.auto.tfvars``, later files winning, or the variable's
default) and locals (which may refer to locals; a cycle stays unknown). Everything that depends
on anything else stays Unresolved, a template keeping its known prefix and suffix. Modules are
independent: values passed into a local module call (``source = "./modules/x"``) are not
followed, so a child module's variables without defaults stay Unresolved.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tcop_lint.assemble.expressions import MISSING, Scope, evaluate
from tcop_lint.core.model import Node, Position, TfBlock, TfFile, TfModule, TfResource, Unresolved
from tcop_lint.load.terraform import evaluable

_MISSING = MISSING
_UNCHANGED = object()  # the expression stays Unresolved
_MAX_LOCAL_DEPTH = 32
_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_REFERENCE = re.compile(rf"^(var|local)\.({_NAME})((?:\.{_NAME}|\[\s*(?:\"[^\"\\]*\"|[0-9]+)\s*\])*)$")
_STEP = re.compile(rf"\.({_NAME})|\[\s*(?:\"([^\"\\]*)\"|([0-9]+))\s*\]")
_PROVIDER_REF = re.compile(rf"^({_NAME})(?:\.({_NAME}))?$")
_LOCATION_REF = re.compile(rf"^({_NAME})\.({_NAME})\.(location|region)$")
_GCP_ZONE = re.compile(r"^([a-z]+-[a-z]+[0-9]+)-[a-z]$")


@dataclass(frozen=True)
class RegionSource:
    """Where a resource's region comes from: the value, and the block and attribute saying it."""

    value: str | Unresolved
    block: TfBlock
    attribute: str
    inherited: bool  # True when the block is not the resource itself (provider, resource group)

    @property
    def position(self) -> Position:
        return self.block.body.locate((self.attribute,))


def module_directory(file: str) -> str:
    directory = posixpath.dirname(file)
    return "" if directory in ("", ".") else directory


def assemble_modules(
    files: Sequence[TfFile], settled: Mapping[str, Sequence[bool]] | None = None
) -> tuple[TfModule, ...]:
    """One module per directory. ``settled`` (file -> a flag per block, from ``settled``) names
    blocks that resolution cannot change; they are used as they are instead of copied."""
    by_directory: dict[str, list[TfFile]] = {}
    for tf_file in files:
        by_directory.setdefault(module_directory(tf_file.file), []).append(tf_file)
    return tuple(_assemble(directory, by_directory[directory], settled or {}) for directory in sorted(by_directory))


def _assemble(directory: str, files: list[TfFile], settled: Mapping[str, Sequence[bool]]) -> TfModule:
    files = sorted(files, key=lambda f: f.file)
    blocks = [block for tf_file in files for block in tf_file.blocks]
    flags = [flag for tf_file in files for flag in _flags(tf_file, settled)]
    resolver = _Resolver(_variable_values(files, blocks), _locals(blocks))
    resolved = [
        b
        if flag
        else TfBlock(
            b.file,
            b.block_type,
            b.labels,
            Node(resolver.resolve(b.body.data), b.body.positions, b.body.base),
            b.position,
        )
        for b, flag in zip(blocks, flags)
    ]
    if not _is_root(files, blocks):
        resolved = _creation_without_defaults(files, blocks, resolved)
    others = tuple(b for b in resolved if b.block_type not in ("resource", "data"))
    sources = [b for b in resolved if b.block_type in ("resource", "data")]
    index = _ModuleIndex(others, sources)
    resources = []
    for block in sources:
        provider, alias = resource_provider(block)
        found = region_source(index, block)
        resources.append(
            TfResource(
                block=block,
                provider=provider,
                provider_alias=alias,
                region=found.value if found else None,
                region_position=found.position if found else None,
            )
        )
    return TfModule(
        directory=directory,
        files=tuple(f.file for f in files),
        resources=tuple(resources),
        blocks=others,
    )


def _flags(tf_file: TfFile, settled: Mapping[str, Sequence[bool]]) -> Sequence[bool]:
    found = settled.get(tf_file.file)
    return found if found is not None and len(found) == len(tf_file.blocks) else (False,) * len(tf_file.blocks)


# --- variables and locals ----------------------------------------------------------------------


def _tfvars_order(tf_file: TfFile) -> tuple[int, str] | None:
    name = tf_file.file.rsplit("/", 1)[-1]
    if name in ("terraform.tfvars", "terraform.tfvars.json"):
        return (0, name)
    if name.endswith((".auto.tfvars", ".auto.tfvars.json")):
        return (1, name)
    return None  # other .tfvars files are only used when named on the command line


def _is_root(files: list[TfFile], blocks: list[TfBlock]) -> bool:
    """A folder Terraform is run in (it configures a provider or a backend, or has tfvars), as
    opposed to a module whose callers set its variables."""
    if any(f.tfvars is not None for f in files):
        return True
    for block in blocks:
        if block.block_type == "provider":
            return True
        if block.block_type == "terraform" and isinstance(block.body.data, dict) and "backend" in block.body.data:
            return True
    return False


_CREATION = ("count", "for_each")


def _creation_without_defaults(files: list[TfFile], blocks: list[TfBlock], resolved: list[TfBlock]) -> list[TfBlock]:
    """In a module, whether a resource is created is the caller's choice: a variable's default
    does not decide ``count`` or ``for_each`` (an opt-in resource is still judged), though a
    literal or a local of literals does."""
    strict = _Resolver(_variable_values(files, blocks, with_defaults=False), _locals(blocks))
    out = []
    for original, block in zip(blocks, resolved):
        data = original.body.data
        if (
            block.block_type in ("resource", "data", "module")
            and isinstance(data, dict)
            and isinstance(block.body.data, dict)
        ):
            keys = [key for key in _CREATION if isinstance(data.get(key), Unresolved)]
            if keys:
                body = dict(block.body.data)
                for key in keys:
                    body[key] = strict.resolve(data[key])
                block = TfBlock(
                    block.file,
                    block.block_type,
                    block.labels,
                    Node(body, block.body.positions, block.body.base),
                    block.position,
                )
        out.append(block)
    return out


def _variable_values(files: list[TfFile], blocks: list[TfBlock], with_defaults: bool = True) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for block in blocks:
        if with_defaults and block.block_type == "variable" and block.labels and isinstance(block.body.data, dict):
            if "default" in block.body.data:
                values[block.labels[0]] = block.body.data["default"]
    loaded = [(order, f) for f in files if f.tfvars is not None and (order := _tfvars_order(f)) is not None]
    declared = {b.labels[0] for b in blocks if b.block_type == "variable" and b.labels}
    for _, tf_file in sorted(loaded, key=lambda pair: pair[0]):
        data = tf_file.tfvars.data if tf_file.tfvars else None
        if isinstance(data, dict):
            values.update({k: v for k, v in data.items() if k in declared})
    return values


def _locals(blocks: list[TfBlock]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for block in blocks:
        if block.block_type == "locals" and isinstance(block.body.data, dict):
            found.update(block.body.data)
    return found


_PENDING = (dict, list, Unresolved)


class _Resolver:
    """Substitutes certain values for var. and local. references (a closure over one module)."""

    def __init__(self, variables: Mapping[str, Any], local_values: Mapping[str, Any]) -> None:
        self.variables = variables
        self.local_values = local_values
        self.resolved_locals: dict[str, Any] = {}
        self.in_progress: set[str] = set()
        self.settled: dict[str, Any] = {}  # expression text -> its value, or _UNCHANGED

    def resolve(self, data: Any, depth: int = 0) -> Any:
        """A copy of ``data`` with every resolvable Unresolved replaced (explicit stack)."""
        # Scalars are copied with their container; only containers and Unresolved values go
        # on the stack, in the order a full walk would visit them (locals resolve in that order).
        holder = [data]
        stack: list[tuple[Any, Any, Any]] = [(data, holder, 0)]
        pending = _PENDING
        while stack:
            value, target, key = stack.pop()
            if isinstance(value, dict):
                copy: Any = dict(value)
                stack.extend([(v, copy, k) for k, v in value.items() if isinstance(v, pending)])
            elif isinstance(value, list):
                copy = list(value)
                stack.extend([(v, copy, i) for i, v in enumerate(value) if isinstance(v, pending)])
            elif isinstance(value, Unresolved):
                copy = self.expression(value, depth)
            else:
                continue
            target[key] = copy
        return holder[0]

    def expression(self, value: Unresolved, depth: int) -> Any:
        # Outside the resolution of a local, an expression always resolves the same way (a
        # local, once resolved, keeps its value): modules repeat the same few many times.
        settled = depth == 0 and not self.in_progress
        if settled:
            found = self.settled.get(value.expression, _MISSING)
            if found is not _MISSING:
                return value if found is _UNCHANGED else found
        text = value.expression.strip()
        if _REFERENCE.match(text):
            found = self.reference(text, depth)
        elif not evaluable(text):
            found = _MISSING  # it depends on a resource, data source, each or count: unknown here
        else:
            found = evaluate(text, Scope(self.variable, functools.partial(self.local, depth=depth)))
        if isinstance(found, Unresolved):
            # unknown: kept as written, with the known prefix and suffix of a template
            found = (
                Unresolved(value.expression, found.prefix, found.suffix) if found.prefix or found.suffix else _MISSING
            )
        if settled:
            self.settled[value.expression] = _UNCHANGED if found is _MISSING else found
        return value if found is _MISSING else found

    def variable(self, name: str) -> Any:
        return self.variables.get(name, _MISSING)

    def reference(self, text: str, depth: int) -> Any:
        match = _REFERENCE.match(text)
        if not match:
            return _MISSING
        kind, name, steps = match.groups()
        if kind == "var":
            current = self.variables.get(name, _MISSING)
        else:
            current = self.local(name, depth)
        for step in _STEP.finditer(steps or ""):
            if current is _MISSING or isinstance(current, Unresolved):
                return _MISSING
            attribute, quoted, number = step.groups()
            if number is not None:
                index = int(number)
                current = current[index] if isinstance(current, list) and index < len(current) else _MISSING
            else:
                key = attribute if attribute is not None else quoted
                current = current.get(key, _MISSING) if isinstance(current, dict) else _MISSING
        return current

    def local(self, name: str, depth: int) -> Any:
        if name in self.resolved_locals:
            return self.resolved_locals[name]
        if name not in self.local_values or name in self.in_progress or depth > _MAX_LOCAL_DEPTH:
            return _MISSING
        self.in_progress.add(name)
        try:
            value = self.resolve(self.local_values[name], depth + 1)
        finally:
            self.in_progress.discard(name)
        self.resolved_locals[name] = value
        return value


# --- providers and regions ---------------------------------------------------------------------


@dataclass(frozen=True)
class _ModuleIndex:
    blocks: tuple[TfBlock, ...]
    sources: Sequence[TfBlock]

    def provider(self, name: str, alias: str | None) -> TfBlock | None:
        for block in self.blocks:
            if block.block_type != "provider" or block.labels[:1] != (name,):
                continue
            data = block.body.data if isinstance(block.body.data, dict) else {}
            block_alias = data.get("alias")
            if (alias is None and block_alias is None) or (alias is not None and block_alias == alias):
                return block
        return None

    def resource(self, type_name: str, name: str) -> TfBlock | None:
        for block in self.sources:
            if block.block_type == "resource" and block.labels == (type_name, name):
                return block
        return None


def module_index(module: TfModule) -> _ModuleIndex:
    return _ModuleIndex(module.blocks, tuple(r.block for r in module.resources))


def resource_provider(block: TfBlock) -> tuple[str, str | None]:
    """The provider name and alias a resource or data source uses."""
    data = block.body.data if isinstance(block.body.data, dict) else {}
    written = data.get("provider")
    text = written.expression if isinstance(written, Unresolved) else written
    if isinstance(text, str):
        match = _PROVIDER_REF.match(text.strip())
        if match:
            return match.group(1), match.group(2)
    type_name = block.labels[0] if block.labels else ""
    return type_name.split("_", 1)[0], None


def _present(data: Mapping[str, Any], name: str) -> bool:
    return data.get(name) is not None


def region_source(index: _ModuleIndex, block: TfBlock) -> RegionSource | None:
    """Where the region of a resource or data source is said, if anywhere in its module."""
    data = block.body.data if isinstance(block.body.data, dict) else {}
    provider, alias = resource_provider(block)
    if provider == "aws":
        if _present(data, "region"):
            return RegionSource(data["region"], block, "region", False)
        return _provider_region(index, provider, alias, ("region",))
    if provider == "azurerm":
        if _present(data, "location"):
            return _followed(index, RegionSource(data["location"], block, "location", False))
        return None
    if provider in ("google", "google-beta"):
        for attribute in ("region", "location", "zone"):
            if _present(data, attribute):
                return _followed(index, RegionSource(_gcp_region(data[attribute]), block, attribute, False))
        return _provider_region(index, provider, alias, ("region", "zone"))
    return None


def _provider_region(
    index: _ModuleIndex, provider: str, alias: str | None, attributes: tuple[str, ...]
) -> RegionSource | None:
    config = index.provider(provider, alias)
    if config is None:
        return None
    data = config.body.data if isinstance(config.body.data, dict) else {}
    for attribute in attributes:
        if _present(data, attribute):
            value = data[attribute]
            return RegionSource(_gcp_region(value) if provider != "aws" else value, config, attribute, True)
    return None


def _followed(index: _ModuleIndex, found: RegionSource) -> RegionSource:
    """``location = azurerm_resource_group.main.location``: the group's own location, if known."""
    if not isinstance(found.value, Unresolved):
        return found
    match = _LOCATION_REF.match(found.value.expression.strip())
    if not match or match.group(1) == "data":
        return found
    target = index.resource(match.group(1), match.group(2))
    if target is None or target is found.block:
        return found
    data = target.body.data if isinstance(target.body.data, dict) else {}
    value = data.get(match.group(3))
    if isinstance(value, str):
        return RegionSource(
            _gcp_region(value) if target.labels[0].startswith("google") else value, target, match.group(3), True
        )
    return found


def _gcp_region(value: Any) -> Any:
    """A zone (``europe-west2-a``) stands for its region; anything else is kept as written."""
    if isinstance(value, str):
        match = _GCP_ZONE.match(value.strip())
        if match:
            return match.group(1)
    return value


def iter_resources(modules: Sequence[TfModule]) -> Iterator[tuple[TfModule, TfResource]]:
    for module in modules:
        for resource in module.resources:
            yield module, resource
