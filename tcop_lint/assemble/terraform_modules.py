"""Terraform as it will be deployed: folders into module instances, values resolved where certain.

A folder of .tf / .tf.json / tfvars files is a module. A folder no other folder calls is a root:
its variables come from ``terraform.tfvars`` and ``*.auto.tfvars`` (later files winning) or their
defaults. Each ``module`` block whose source is a local folder (or a module that ``terraform
init`` installed, listed in ``.terraform/modules/modules.json``) is evaluated once per call:
the caller's arguments bind the child's variables (its defaults only where the caller is
silent), providers pass down (``providers = {...}`` or the defaults), ``count`` and
``for_each`` on the call expand it, calls nest to any depth with cycle protection, and the
child's outputs are the caller's ``module.NAME.OUTPUT``. A folder only ever called is judged
through its callers, not alone with its defaults.

Within an instance, every attribute that is not a literal is evaluated
(``tcop_lint.assemble.expressions``); what depends on anything unknown stays Unresolved. A
resource with ``count`` or ``for_each`` over a known collection becomes one resource per
instance (``aws_security_group.x["a"]``) with ``each`` or ``count.index`` bound. A value a caller
wrote is positioned at the caller's argument (with the child's attribute as a related place).
A resource whose attributes meet unknown conditions with a known branch gets one variant per
assignment of those conditions, so that each branch can be judged.
"""

from __future__ import annotations

import itertools
import json
import posixpath
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from tcop_lint.assemble.expressions import MISSING
from tcop_lint.assemble.terraform_scope import Resolver, Trace
from tcop_lint.core.model import (
    DataPath,
    ModuleCall,
    Node,
    Position,
    TfBlock,
    TfFile,
    TfModule,
    TfResource,
    Unresolved,
    Variant,
)

_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_PROVIDER_REF = re.compile(rf"^({_NAME})(?:\.({_NAME}))?$")
_LOCATION_REF = re.compile(rf"^({_NAME})\.({_NAME})\.(location|region)$")
_GCP_ZONE = re.compile(r"^([a-z]+-[a-z]+[0-9]+)-[a-z]$")
_LOCAL_SOURCE = re.compile(r"^\.{1,2}(/|$)")
_CREATION = ("count", "for_each")
_CALL_META = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})
MAX_INSTANCES = 100  # per count / for_each: more stay one resource with unknown keys
MAX_CONDITIONS = 3  # per resource: more, and it is judged with them unknown
MAX_DEPTH = 16  # module calls below a root
MAX_MODULE_INSTANCES = 2000  # module instances below one root


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


# --- folders and how they call each other ----------------------------------------------------


@dataclass(frozen=True)
class _Folder:
    directory: str
    files: tuple[TfFile, ...]
    blocks: tuple[TfBlock, ...]
    flags: tuple[bool, ...]  # per block: resolution cannot change it


@dataclass(frozen=True)
class _Estate:
    folders: Mapping[str, _Folder]
    installed: Mapping[str, Mapping[str, str]]  # root folder -> modules.json key -> module folder


def assemble_modules(
    files: Sequence[TfFile],
    settled: Mapping[str, Sequence[bool]] | None = None,
    installed: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[TfModule, ...]:
    """Module instances: each root folder, and each module it calls, per call. ``settled``
    (file -> a flag per block) names blocks that resolution cannot change; ``installed`` maps
    a root folder's module call keys to the folders ``terraform init`` installed them in."""
    by_directory: dict[str, list[TfFile]] = {}
    for tf_file in files:
        by_directory.setdefault(module_directory(tf_file.file), []).append(tf_file)
    folders = {directory: _folder(directory, found, settled or {}) for directory, found in by_directory.items()}
    estate = _Estate(folders, installed or {})
    called = {
        target
        for folder in folders.values()
        for block in folder.blocks
        if block.block_type == "module"
        and (target := _local_target(folder.directory, block)) in folders
        and target != folder.directory
    }
    called.update(folder for keys in estate.installed.values() for folder in keys.values() if folder in folders)
    modules: list[TfModule] = []
    reached: set[str] = set()
    roots = [d for d in sorted(folders) if d not in called]
    for directory in roots:
        modules.extend(_root_modules(estate, folders[directory], reached))
    for directory in sorted(folders):
        # called only from within a cycle of calls (an installed module never called is not ours)
        if directory not in reached and not _is_installed(directory):
            modules.extend(_root_modules(estate, folders[directory], reached))
    return tuple(modules)


def _root_modules(estate: _Estate, folder: _Folder, reached: set[str]) -> list[TfModule]:
    instance = _Instance(estate, folder, None, reached)
    try:
        return instance.modules()
    finally:
        instance.close()


def _is_installed(directory: str) -> bool:
    return directory.startswith(".terraform/") or "/.terraform/" in directory


def _folder(directory: str, files: list[TfFile], settled: Mapping[str, Sequence[bool]]) -> _Folder:
    ordered = tuple(sorted(files, key=lambda f: f.file))
    blocks = tuple(block for tf_file in ordered for block in tf_file.blocks)
    flags = tuple(flag for tf_file in ordered for flag in _flags(tf_file, settled))
    return _Folder(directory, ordered, blocks, flags)


def _flags(tf_file: TfFile, settled: Mapping[str, Sequence[bool]]) -> Sequence[bool]:
    found = settled.get(tf_file.file)
    return found if found is not None and len(found) == len(tf_file.blocks) else (False,) * len(tf_file.blocks)


def _source(block: TfBlock) -> str | None:
    data = block.body.data if isinstance(block.body.data, dict) else {}
    source = data.get("source")
    return source.strip() if isinstance(source, str) else None


def _local_target(directory: str, block: TfBlock) -> str | None:
    source = _source(block)
    if source is None or not _LOCAL_SOURCE.match(source):
        return None
    joined = posixpath.normpath(posixpath.join(directory or ".", source))
    return None if joined.startswith("..") else ("" if joined == "." else joined)


def _is_root(folder: _Folder) -> bool:
    """A folder Terraform is run in (it configures a provider or a backend, or has tfvars), as
    opposed to a module whose callers set its variables."""
    if any(f.tfvars is not None for f in folder.files):
        return True
    for block in folder.blocks:
        if block.block_type == "provider":
            return True
        if block.block_type == "terraform" and isinstance(block.body.data, dict) and "backend" in block.body.data:
            return True
    return False


# --- variables and locals ----------------------------------------------------------------------


def _tfvars_order(tf_file: TfFile) -> tuple[int, str] | None:
    name = tf_file.file.rsplit("/", 1)[-1]
    if name in ("terraform.tfvars", "terraform.tfvars.json"):
        return (0, name)
    if name.endswith((".auto.tfvars", ".auto.tfvars.json")):
        return (1, name)
    return None  # other .tfvars files are only used when named on the command line


def _defaults(blocks: Sequence[TfBlock]) -> dict[str, Any]:
    return {
        block.labels[0]: block.body.data["default"]
        for block in blocks
        if block.block_type == "variable"
        and block.labels
        and isinstance(block.body.data, dict)
        and "default" in block.body.data
    }


def _declared(blocks: Sequence[TfBlock]) -> set[str]:
    return {b.labels[0] for b in blocks if b.block_type == "variable" and b.labels}


def _tfvars(folder: _Folder) -> dict[str, Any]:
    values: dict[str, Any] = {}
    loaded = [(order, f) for f in folder.files if f.tfvars is not None and (order := _tfvars_order(f)) is not None]
    declared = _declared(folder.blocks)
    for _, tf_file in sorted(loaded, key=lambda pair: pair[0]):
        data = tf_file.tfvars.data if tf_file.tfvars else None
        if isinstance(data, dict):
            values.update({k: v for k, v in data.items() if k in declared})
    return values


def _locals(blocks: Sequence[TfBlock]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for block in blocks:
        if block.block_type == "locals" and isinstance(block.body.data, dict):
            found.update(block.body.data)
    return found


# --- one module instance -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Call:
    """How a module instance is reached from its root."""

    address: str  # module.db, module.app["a"].module.db
    root: str  # the folder Terraform runs in
    arguments: Mapping[str, Any]  # resolved in the caller
    origins: Mapping[str, Position]  # where the caller wrote each argument (with its file)
    called_from: tuple[Position, ...]  # each module block on the way down (with its file)
    providers: Callable[[str, str | None], TfBlock | None]  # provider configurations of the caller
    keys: tuple[str, ...]  # module names on the way down (the keys of modules.json)
    chain: tuple[str, ...]  # folders on the way down
    budget: list[int]  # module instances the root may still evaluate (shared below it)


ProviderLookup = Callable[[str, str | None], TfBlock | None]


class _Instance:
    """One evaluation of a folder: as a root, or for one call (module outputs resolve lazily)."""

    def __init__(self, estate: _Estate, folder: _Folder, call: _Call | None, reached: set[str]) -> None:
        self.estate = estate
        self.folder = folder
        self.call = call
        self.reached = reached
        reached.add(folder.directory)
        self.budget = call.budget if call is not None else [MAX_MODULE_INSTANCES]
        blocks = folder.blocks
        if call is None:
            variables = {**_defaults(blocks), **_tfvars(folder)}
            self.origins: Mapping[str, Position] = {}
        else:
            declared = _declared(blocks)
            variables = {**_defaults(blocks), **{k: v for k, v in call.arguments.items() if k in declared}}
            self.origins = {k: v for k, v in call.origins.items() if k in declared}
        self.calls = {b.labels[0]: b for b in blocks if b.block_type == "module" and b.labels}
        self.outputs_memo: dict[str, Any] = {}
        self.calling: set[str] = set()
        self.children: list[TfModule] = []
        self.module_calls: dict[str, ModuleCall] = {}
        local_values = _locals(blocks)
        self.resolver = Resolver(variables, local_values, modules=self.module_outputs)
        # In a module judged alone, whether a resource is created is its callers' choice: a
        # variable's default does not decide count or for_each (an opt-in resource is still
        # judged), though a literal or a local of literals does.
        self.creation = (
            Resolver(_tfvars(folder), local_values, modules=self.module_outputs)
            if call is None and not _is_root(folder)
            else self.resolver
        )
        self.assumed: dict[tuple[tuple[str, bool], ...], Resolver] = {}

    # -- the instance's own blocks

    def modules(self) -> list[TfModule]:
        folder = self.folder
        others: list[TfBlock] = []
        sources: list[tuple[TfBlock, bool]] = []
        for block, flag in zip(folder.blocks, folder.flags):
            if block.block_type in ("resource", "data"):
                sources.append((block, flag))
            else:
                others.append(self._placed(block) if flag else self._resolved(block, self.resolver))
        for name in sorted(self.calls):
            self.module_outputs(name)
        resources: list[TfResource] = []
        index = _ModuleIndex(tuple(others), tuple(b for b, _ in sources), self._inherited)
        for block, flag in sources:
            resources.extend(self._resources(block, flag, index))
        call = self.call
        used = {(r.provider, r.provider_alias) for r in resources}
        inherited = tuple(
            (name if alias is None else f"{name}.{alias}", found)
            for name, alias in sorted(used, key=lambda pair: (pair[0], pair[1] or ""))
            if index.own_provider(name, alias) is None and (found := self._inherited(name, alias)) is not None
        )
        own = TfModule(
            directory=folder.directory,
            files=tuple(f.file for f in folder.files),
            resources=tuple(resources),
            blocks=tuple(others),
            address=call.address if call else "",
            called_from=call.called_from if call else (),
            calls=tuple(self.module_calls[name] for name in sorted(self.module_calls)),
            root=call.root if call else None,
            inherited_providers=inherited,
        )
        return [own, *sorted(self.children, key=lambda m: m.address)]

    def close(self) -> None:
        """Break the instance's cycles (see ``Resolver.close``) once its modules and outputs are taken."""
        for resolver in (self.resolver, self.creation, *self.assumed.values()):
            resolver.close()
        self.assumed.clear()
        self.outputs_memo.clear()

    def _inherited(self, name: str, alias: str | None) -> TfBlock | None:
        return self.call.providers(name, alias) if self.call is not None else None

    def _resolved(
        self, block: TfBlock, resolver: Resolver, skip: frozenset[str] = frozenset(), trace: Trace | None = None
    ) -> TfBlock:
        data = block.body.data
        if not isinstance(data, dict):
            return block
        reads: dict[DataPath, Trace] = {}
        kept = {k: data[k] for k in skip if k in data}
        body = resolver.resolve({k: v for k, v in data.items() if k not in skip}, trace=trace, reads=reads)
        body.update(kept)
        return TfBlock(
            block.file, block.block_type, block.labels, Node(body, self._positions(block, reads)), block.position
        )

    def _positions(self, block: TfBlock, reads: Mapping[DataPath, Trace]) -> Mapping[DataPath, Position]:
        """The block's positions, with a value a caller wrote placed at the caller's argument."""
        call = self.call
        if call is None:
            return block.body.positions
        moved: dict[DataPath, Position] = {}
        for path, used in reads.items():
            origin = next((self.origins[name] for name in used.variables if name in self.origins), None)
            if origin is not None:
                own = replace(block.body.locate(path), file=block.file, related=())
                at = moved[path] = replace(origin, related=(*origin.related, own))
                # an item of a list (``[var.cidr]``): the attribute holding the list is the caller's too
                while len(path) > 1 and isinstance(path[-1], int):
                    path = path[:-1]
                    moved.setdefault(path, at)
        return _CalledPositions(block.body.positions, moved, block.file, call.called_from)

    def _placed(self, block: TfBlock) -> TfBlock:
        """A block kept as written, with the positions of a module instance."""
        if self.call is None:
            return block
        positions = self._positions(block, {})
        return TfBlock(block.file, block.block_type, block.labels, Node(block.body.data, positions), block.position)

    # -- resources: instances and variants

    def _resources(self, block: TfBlock, flag: bool, index: _ModuleIndex) -> list[TfResource]:
        data = block.body.data if isinstance(block.body.data, dict) else {}
        creation = {k: self.creation.resolve(data[k]) for k in _CREATION if k in data}
        if flag and not creation:
            return [self._resource(self._placed(block), index)]
        instances = _instances(creation, block)
        out = []
        for key, names in instances:
            resolver = self.resolver.bound(names) if names else self.resolver
            trace = Trace()
            resolved = self._with(self._resolved(block, resolver, frozenset(_CREATION), trace), creation)
            variants = self._variants(block, names, creation, trace.conditions, index)
            out.append(replace(self._resource(resolved, index), instance_key=key, variants=variants))
        return out

    def _with(self, block: TfBlock, creation: Mapping[str, Any]) -> TfBlock:
        if not creation:
            return block
        body = {**block.body.data, **creation}
        return TfBlock(block.file, block.block_type, block.labels, Node(body, block.body.positions), block.position)

    def _variants(
        self,
        block: TfBlock,
        names: Mapping[str, Any],
        creation: Mapping[str, Any],
        conditions: Sequence[str],
        index: _ModuleIndex,
    ) -> tuple[Variant, ...]:
        if not conditions or len(conditions) > MAX_CONDITIONS:
            return ()
        variants = []
        for values in itertools.product((True, False), repeat=len(conditions)):
            assume = tuple(zip(conditions, values))
            resolver = self.assumed.get(assume)
            if resolver is None:
                resolver = self.assumed[assume] = self.resolver.assuming(dict(assume))
            bound = resolver.bound(names) if names else resolver
            resolved = self._with(self._resolved(block, bound, frozenset(_CREATION)), creation)
            where = " and ".join(f"{text} is {'true' if value else 'false'}" for text, value in assume)
            variants.append(Variant(f"when {where}", self._resource(resolved, index)))
        return tuple(variants)

    def _resource(self, block: TfBlock, index: _ModuleIndex) -> TfResource:
        provider, alias = resource_provider(block)
        found = region_source(index, block)
        return TfResource(
            block=block,
            provider=provider,
            provider_alias=alias,
            region=found.value if found else None,
            region_position=found.position if found else None,
            module_address=self.call.address if self.call else "",
        )

    # -- module calls

    def module_outputs(self, name: str) -> Any:
        """``module.NAME``: the outputs of the call (a map or list of them for for_each or
        count), evaluating it the first time; MISSING when it cannot be read."""
        if name in self.outputs_memo:
            return self.outputs_memo[name]
        if name in self.calling or name not in self.calls:
            return MISSING
        self.calling.add(name)
        try:
            found = self._call_module(name, self.calls[name])
        finally:
            self.calling.discard(name)
        self.outputs_memo[name] = found
        return found

    def _call_module(self, name: str, block: TfBlock) -> Any:
        source = _source(block) or ""
        call = self.call
        keys = (*(call.keys if call else ()), name)
        root = call.root if call else self.folder.directory
        target, installed = self._target(block, keys, root)
        chain = (*(call.chain if call else ()), self.folder.directory)
        if target is not None and (target in chain or len(chain) > MAX_DEPTH):
            target = None
        self.module_calls[name] = ModuleCall(block, source, target, installed)
        if target is None:
            return MISSING
        data = block.body.data if isinstance(block.body.data, dict) else {}
        creation = {k: self.creation.resolve(data[k]) for k in _CREATION if k in data}
        if _never_created(creation):
            self.reached.add(target)
            return MISSING  # a call that creates nothing: the module is not deployed from here
        instances = _instances(creation, block, expand_count=True)
        prefix = f"{call.address}." if call else ""
        at = replace(block.position, file=block.file)
        outputs: dict[str, Any] = {}
        for key, names in instances:
            if self.budget[0] <= 0:
                break  # calls that fan out without end: what is past the bound is not evaluated
            self.budget[0] -= 1
            resolver = self.resolver.bound(names) if names else self.resolver
            resolved = self._resolved(block, resolver, _CALL_META)
            arguments = {k: v for k, v in resolved.body.data.items() if k not in _CALL_META}
            origins = {}
            for argument in arguments:
                where = resolved.body.locate((argument,))
                origins[argument] = where if where.file else replace(where, file=block.file)
            child = _Instance(
                self.estate,
                self.estate.folders[target],
                _Call(
                    address=f"{prefix}module.{name}{key}",
                    root=root,
                    arguments=arguments,
                    origins=origins,
                    called_from=(*(call.called_from if call else ()), at),
                    providers=self._passed_providers(data.get("providers")),
                    keys=keys,
                    chain=chain,
                    budget=self.budget,
                ),
                self.reached,
            )
            self.children.extend(child.modules())
            outputs[key] = child.outputs()
            child.close()
        if "for_each" in creation and not isinstance(creation["for_each"], Unresolved) and len(instances) > 1:
            return {_key_text(k): v for k, v in outputs.items()}
        if "count" in creation and isinstance(creation["count"], int) and "" not in outputs:
            return [outputs[k] for k in sorted(outputs, key=lambda k: int(k[1:-1]))]
        return next(iter(outputs.values()), MISSING)

    def _target(self, block: TfBlock, keys: tuple[str, ...], root: str) -> tuple[str | None, bool]:
        folders = self.estate.folders
        local = _local_target(self.folder.directory, block)
        installed = self.estate.installed.get(root, {})
        if local is not None:
            return (local, False) if local in folders else (None, False)
        found = installed.get(".".join(keys))
        return (found, True) if found is not None and found in folders else (None, False)

    def _passed_providers(self, mapping: Any) -> ProviderLookup:
        """What a child's ``provider`` references reach: the ``providers`` map of the call, or,
        without one, the caller's default configurations."""
        index = _ModuleIndex(tuple(b for b in self.folder.blocks if b.block_type == "provider"), (), self._inherited)
        passed: dict[str, tuple[str, str | None]] = {}
        if isinstance(mapping, list) and len(mapping) == 1 and isinstance(mapping[0], dict):
            mapping = mapping[0]
        if isinstance(mapping, dict):
            for key, value in mapping.items():
                text = value.expression if isinstance(value, Unresolved) else value
                match = _PROVIDER_REF.match(text.strip()) if isinstance(text, str) else None
                if match:
                    passed[str(key).strip('"')] = (match.group(1), match.group(2))

        def lookup(name: str, alias: str | None) -> TfBlock | None:
            key = name if alias is None else f"{name}.{alias}"
            if isinstance(mapping, dict):
                target = passed.get(key)
                return index.provider(*target) if target is not None else None
            return index.provider(name, None) if alias is None else None

        return lookup

    def outputs(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for block in self.folder.blocks:
            if block.block_type == "output" and block.labels and isinstance(block.body.data, dict):
                value = block.body.data.get("value", MISSING)
                found = self.resolver.resolve(value) if value is not MISSING else Unresolved(block.address)
                values[block.labels[0]] = found
        return values


class _CalledPositions(Mapping[DataPath, Position]):
    """The positions of a block in a module instance, worked out when asked for: a value the
    caller wrote is at the caller's argument; the module's own value is where it is written,
    with the calls as related places, or, in a module terraform init installed (not the
    repository's own code), at the call in the repository with the module's line related."""

    def __init__(
        self,
        own: Mapping[DataPath, Position],
        moved: Mapping[DataPath, Position],
        file: str,
        calls: tuple[Position, ...],
    ) -> None:
        self.own = own
        self.moved = moved
        self.file = file
        self.calls = calls
        self.at_call = next((c for c in calls if not _is_installed(module_directory(c.file or ""))), None)
        if not _is_installed(module_directory(file)):
            self.at_call = None

    def __getitem__(self, path: DataPath) -> Position:
        found = self.moved.get(path)
        if found is not None:
            return found
        position = self.own[path]
        if self.at_call is not None:
            return replace(self.at_call, related=(replace(position, file=self.file),))
        return replace(position, related=self.calls)

    def __iter__(self) -> Iterator[DataPath]:
        return iter({**self.own, **self.moved})

    def __len__(self) -> int:
        return len({**self.own, **self.moved})


def _key_text(key: str) -> str:
    """``["a"]`` -> ``a``; ``[0]`` -> ``0``."""
    inner = key[1:-1]
    return json.loads(inner) if inner.startswith('"') else inner


def _instances(
    creation: Mapping[str, Any], block: TfBlock, expand_count: bool = False
) -> list[tuple[str, Mapping[str, Any]]]:
    """(instance key, names bound) for each instance of a block; one unkeyed instance when the
    collection is unknown, too large, or (``count``) when nothing in the block tells its
    instances apart."""
    single: list[tuple[str, Mapping[str, Any]]] = [("", {})]
    if "for_each" in creation:
        collection = creation["for_each"]
        if isinstance(collection, dict):
            pairs = [(str(k), v) for k, v in collection.items()]
        elif isinstance(collection, list) and all(isinstance(v, str) for v in collection):
            pairs = [(v, v) for v in dict.fromkeys(collection)]
        else:
            return single
        if not pairs or len(pairs) > MAX_INSTANCES:
            return single
        return [(f"[{json.dumps(k)}]", {"each": {"key": k, "value": v}}) for k, v in pairs]
    if "count" in creation:
        count = creation["count"]
        if isinstance(count, bool) or not isinstance(count, int) or not 0 < count <= MAX_INSTANCES:
            return single
        if not expand_count and not _mentions(block.body.data, "count.index"):
            return single
        return [(f"[{i}]", {"count": {"index": i}}) for i in range(count)]
    return single


def _never_created(creation: Mapping[str, Any]) -> bool:
    count, for_each = creation.get("count"), creation.get("for_each")
    return (isinstance(count, int) and not isinstance(count, bool) and count == 0) or for_each in ({}, [])


def _mentions(data: Any, text: str) -> bool:
    stack = [data]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, Unresolved) and text in value.expression:
            return True
    return False


# --- providers and regions ---------------------------------------------------------------------


def _no_provider(name: str, alias: str | None) -> TfBlock | None:
    return None


@dataclass(frozen=True)
class _ModuleIndex:
    blocks: tuple[TfBlock, ...]
    sources: Sequence[TfBlock]
    inherited: Callable[[str, str | None], TfBlock | None] = _no_provider

    def provider(self, name: str, alias: str | None) -> TfBlock | None:
        """The configuration a resource of this module uses: its own, else its callers'."""
        own = self.own_provider(name, alias)
        return own if own is not None else self.inherited(name, alias)

    def own_provider(self, name: str, alias: str | None) -> TfBlock | None:
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
    passed = dict(module.inherited_providers)

    def inherited(name: str, alias: str | None) -> TfBlock | None:
        return passed.get(name if alias is None else f"{name}.{alias}")

    return _ModuleIndex(module.blocks, tuple(r.block for r in module.resources), inherited)


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
