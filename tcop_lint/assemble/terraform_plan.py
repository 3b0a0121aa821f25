"""Terraform modules from plan JSON files, placed at their source where the repository holds it.

Each module instance of a plan (the root, ``module.db``, ``module.app["a"]``) becomes a
TfModule with ``plan`` set. A resource is matched by address to its block in the ``.tf``
files through the plan's ``configuration``: the root module is the folder holding the plan
file when it has Terraform files, else the repository root, and each local module source
(``./modules/db``) is followed from there. A matched resource is reported in the ``.tf``
file, at the attribute where the block writes it, so that a finding from the plan and the
same finding from the HCL have one file, one address and one fingerprint. Anything else is
reported in the plan file.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from tcop_lint.core.model import (
    DataPath,
    Node,
    PlanProvider,
    PlanResource,
    Position,
    TfBlock,
    TfFile,
    TfModule,
    TfPlan,
    TfResource,
    Unresolved,
)
from tcop_lint.load.terraform_plan import call_path

_LOCAL = ("./", "../")

HclIndex = Mapping[str, Mapping[tuple[str, str, str], TfBlock]]


def plan_modules(plans: Sequence[TfPlan], files: Sequence[TfFile]) -> tuple[TfModule, ...]:
    """The modules of every plan, sorted by plan, directory and module address."""
    if not plans:
        return ()
    index = hcl_index(files)
    modules: list[TfModule] = []
    for plan in sorted(plans, key=lambda p: p.file):
        modules.extend(_modules(plan, index))
    return tuple(modules)


def hcl_index(files: Iterable[TfFile]) -> dict[str, dict[tuple[str, str, str], TfBlock]]:
    """directory -> (block type, first label, second label) -> the block as written."""
    index: dict[str, dict[tuple[str, str, str], TfBlock]] = {}
    for tf_file in files:
        if tf_file.tfvars is not None:
            continue
        blocks = index.setdefault(_directory(tf_file.file), {})
        for block in tf_file.blocks:
            if block.block_type in ("resource", "data") and len(block.labels) == 2:
                blocks.setdefault((block.block_type, block.labels[0], block.labels[1]), block)
            elif block.block_type == "provider" and block.labels:
                data = block.body.data if isinstance(block.body.data, Mapping) else {}
                alias = data.get("alias")
                blocks.setdefault(("provider", block.labels[0], alias if isinstance(alias, str) else ""), block)
    return index


def _directory(file: str) -> str:
    directory = posixpath.dirname(file)
    return "" if directory in ("", ".") else directory


def root_directory(plan_file: str, index: HclIndex) -> str:
    """The plan's root module: the folder holding the plan when it has Terraform files."""
    folder = _directory(plan_file)
    return folder if folder in index else ""


def module_directory(plan: TfPlan, root: str, path: str) -> str | None:
    """The folder of the module at configuration path ``path`` (``module.app.module.db``),
    following local sources from the root; None where a source is not local or leaves the
    repository."""
    if not path:
        return root
    folder = root
    parts = path.split(".")
    for end in range(2, len(parts) + 1, 2):
        source = plan.module_sources.get(".".join(parts[:end]))
        if source is None or not source.startswith(_LOCAL):
            return None
        joined = posixpath.normpath(posixpath.join(folder, source))
        if joined == ".." or joined.startswith("../") or posixpath.isabs(joined):
            return None
        folder = "" if joined == "." else joined
    return folder


def _modules(plan: TfPlan, index: HclIndex) -> list[TfModule]:
    root = root_directory(plan.file, index)
    providers = {p.key: p for p in plan.providers}
    groups: dict[str, list[PlanResource]] = {}
    for resource in plan.resources:
        groups.setdefault(resource.module_address, []).append(resource)
    folders: dict[str, str | None] = {}
    modules = []
    for module_address in sorted(groups):
        path = call_path(module_address)
        if path not in folders:
            folders[path] = module_directory(plan, root, path)
        folder = folders[path]
        blocks = index.get(folder, {}) if folder is not None else {}
        resources = tuple(_resource(plan, r, blocks, providers) for r in groups[module_address])
        modules.append(
            TfModule(
                directory=folder if folder is not None else root,
                files=(plan.file,),
                resources=resources,
                blocks=tuple(_provider_blocks(plan, path, blocks)),
                address=module_address,
                plan=plan.file,
                root=root if module_address else None,  # addresses name the folder Terraform runs in
            )
        )
    return modules


def _provider_blocks(plan: TfPlan, path: str, hcl: Mapping[tuple[str, str, str], TfBlock]) -> Iterable[TfBlock]:
    """The provider configurations the module itself declares, where its HCL does not hold
    them (the HCL's own findings on a provider block are not repeated from the plan)."""
    for provider in plan.providers:
        if provider.module_address != path or not provider.configured:
            continue
        if ("provider", provider.name, provider.alias or "") in hcl:
            continue
        body: dict[str, Any] = {}
        if provider.alias is not None:
            body["alias"] = provider.alias
        if provider.region is not None:
            body["region"] = provider.region
        positions: dict[DataPath, Position] = {(): provider.position}
        positions.update({(key,): provider.position for key in body})
        yield TfBlock(plan.file, "provider", (provider.name,), Node(body, positions), provider.position)


def _resource(
    plan: TfPlan,
    resource: PlanResource,
    hcl: Mapping[tuple[str, str, str], TfBlock],
    providers: Mapping[str, PlanProvider],
) -> TfResource:
    block_type = "data" if resource.mode == "data" else "resource"
    written = hcl.get((block_type, resource.type, resource.name))
    if written is not None:
        data = _in_written_order(resource.body.data, written.body.data, 0)
        body = Node(data, _written_positions(data, written.body))
        block = TfBlock(written.file, block_type, (resource.type, resource.name), body, written.position)
    else:
        block = TfBlock(plan.file, block_type, (resource.type, resource.name), resource.body, resource.position)
    provider = providers.get(resource.provider_key)
    region_position = (
        Position(provider.position.line, provider.position.column, file=plan.file)
        if provider is not None and resource.region is not None
        else None
    )
    return TfResource(
        block=block,
        provider=resource.provider,
        provider_alias=provider.alias if provider is not None else None,
        region=resource.region,
        region_position=region_position,
        module_address=resource.module_address,
        instance_key=resource.instance_key,
    )


def _written_positions(planned: Any, written: Node) -> dict[DataPath, Position]:
    """Positions for the planned values from the HCL block: an attribute's where the block
    writes it, a nested block's where a written block agrees with it (plans may order a set's
    blocks differently), else the nearest written ancestor's."""
    positions: dict[DataPath, Position] = {(): written.locate(())}
    stack: list[tuple[Any, DataPath, Any, DataPath]] = [(planned, (), written.data, ())]
    while stack:
        value, path, source, source_path = stack.pop()
        if isinstance(value, Mapping) and isinstance(source, Mapping):
            for key, item in value.items():
                if key not in source:
                    continue
                found = written.positions.get(written.base + source_path + (key,))
                if found is not None:
                    positions[path + (key,)] = found
                stack.append((item, path + (key,), source[key], source_path + (key,)))
        elif isinstance(value, list) and isinstance(source, list):
            used: set[int] = set()
            for number, item in enumerate(value):
                match = _matching(item, source, number, used)
                if match is None:
                    continue
                used.add(match)
                found = written.positions.get(written.base + source_path + (match,))
                if found is not None:
                    positions[path + (number,)] = found
                stack.append((item, path + (number,), source[match], source_path + (match,)))
    return positions


def _in_written_order(planned: Any, written: Any, depth: int) -> Any:
    """The planned values with nested blocks in the order the HCL writes them: a plan gives a
    set's blocks in its own order, and a finding's address names the block by its index."""
    if depth > 32:
        return planned
    if isinstance(planned, dict) and isinstance(written, Mapping):
        return {
            key: _in_written_order(value, written[key], depth + 1) if key in written else value
            for key, value in planned.items()
        }
    if (
        isinstance(planned, list)
        and isinstance(written, list)
        and len(planned) == len(written)
        and all(isinstance(item, dict) for item in planned)
    ):
        order: list[int] = []
        for item in written:
            match = next((i for i, p in enumerate(planned) if i not in order and _agrees(p, item)), None)
            if match is None:
                return planned
            order.append(match)
        return [_in_written_order(planned[i], item, depth + 1) for i, item in zip(order, written)]
    return planned


def counted(module: TfModule, resource: TfResource) -> bool:
    """Whether an estate-wide count includes this resource: a plan's resource whose block the
    scan also read from HCL is counted there, once."""
    return module.plan is None or resource.block.file == module.plan


def _matching(item: Any, written: list[Any], number: int, used: set[int]) -> int | None:
    if number < len(written) and number not in used and _agrees(item, written[number]):
        return number
    for candidate, value in enumerate(written):
        if candidate not in used and _agrees(item, value):
            return candidate
    return None


def _agrees(planned: Any, written: Any, depth: int = 0) -> bool:
    """Whether a written value may be the one planned: every known part is equal (an
    unresolved part may be anything)."""
    if isinstance(written, Unresolved) or isinstance(planned, Unresolved) or depth > 32:
        return True
    if isinstance(written, Mapping):
        return isinstance(planned, Mapping) and all(
            _agrees(planned[key], value, depth + 1) if key in planned else value is None
            for key, value in written.items()
        )
    if isinstance(written, list):
        return (
            isinstance(planned, list)
            and len(planned) == len(written)
            and all(_agrees(p, w, depth + 1) for p, w in zip(planned, written))
        )
    return _scalar(planned) == _scalar(written)


def _scalar(value: Any) -> str:
    """Terraform's conversions of primitives: true and "true", 22 and "22" are one value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
