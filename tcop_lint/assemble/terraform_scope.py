"""What one module instance knows: its variables, locals, module outputs and each/count.

A ``Resolver`` substitutes certain values for the references in a module's expressions
(``tcop_lint.assemble.expressions`` evaluates them) and keeps, for every value it works out,
a trace: which variables it read and which unknown conditions with a known branch it met.
The first tells where a value came from (a caller's argument); the second, under which
conditions a resource may be judged branch by branch.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from tcop_lint.assemble.expressions import MISSING, Scope, evaluate
from tcop_lint.core.model import DataPath, Unresolved
from tcop_lint.load.terraform import evaluable

_UNCHANGED = object()  # the expression stays Unresolved
_MAX_LOCAL_DEPTH = 32
_PENDING = (dict, list, Unresolved)
_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_REFERENCE = re.compile(rf"^(var|local)\.({_NAME})((?:\.{_NAME}|\[\s*(?:\"[^\"\\]*\"|[0-9]+)\s*\])*)$")
_STEP = re.compile(rf"\.({_NAME})|\[\s*(?:\"([^\"\\]*)\"|([0-9]+))\s*\]")


@dataclass
class Trace:
    """What working out one value read: variables (in order) and unknown conditions."""

    variables: dict[str, None] = field(default_factory=dict)
    conditions: list[str] = field(default_factory=list)

    def add(self, other: Trace) -> None:
        self.variables.update(other.variables)
        self.conditions.extend(c for c in other.conditions if c not in self.conditions)


_EMPTY = Trace()


def _no_module(_: str) -> Any:
    return MISSING


class Resolver:
    """Substitutes certain values for references (a closure over one module instance)."""

    def __init__(
        self,
        variables: Mapping[str, Any],
        local_values: Mapping[str, Any],
        *,
        modules: Callable[[str], Any] = _no_module,
        assume: Mapping[str, bool] | None = None,
        names: Mapping[str, Any] | None = None,
        shared: Resolver | None = None,
    ) -> None:
        self.variables = variables
        self.local_values = local_values
        self.modules = modules
        self.assume = assume or {}
        self.names = names or {}
        # Locals cannot refer to each or count: instances of one module share them.
        self.resolved_locals: dict[str, tuple[Any, Trace]] = shared.resolved_locals if shared else {}
        self.in_progress: set[str] = shared.in_progress if shared else set()
        self.settled: dict[str, tuple[Any, Trace]] = {}  # expression text -> its value (or _UNCHANGED)
        self.traces: list[Trace] = []

    def close(self) -> None:
        """Forget the module lookup (a method of the instance that owns this resolver), so that
        the two are freed when the instance is done: the load phase runs with the cyclic
        collector off and then freezes what is left, so a cycle here would live until exit."""
        self.modules = _no_module
        self.settled.clear()

    def bound(self, names: Mapping[str, Any]) -> Resolver:
        """The same module with ``each`` or ``count`` bound for one instance."""
        return Resolver(
            self.variables, self.local_values, modules=self.modules, assume=self.assume, names=names, shared=self
        )

    def assuming(self, assume: Mapping[str, bool]) -> Resolver:
        """The same module with some unknown conditions taken to be true or false."""
        return Resolver(self.variables, self.local_values, modules=self.modules, assume=assume, names=self.names)

    def resolve(
        self, data: Any, depth: int = 0, trace: Trace | None = None, reads: dict[DataPath, Trace] | None = None
    ) -> Any:
        """A copy of ``data`` with every resolvable Unresolved replaced (explicit stack).

        ``trace`` gathers what the whole value read; ``reads`` what each substituted path read."""
        # Scalars are copied with their container; only containers and Unresolved values go
        # on the stack, in the order a full walk would visit them (locals resolve in that order).
        holder = [data]
        stack: list[tuple[Any, Any, Any, DataPath]] = [(data, holder, 0, ())]
        pending = _PENDING
        while stack:
            value, target, key, path = stack.pop()
            if isinstance(value, dict):
                copy: Any = dict(value)
                stack.extend([(v, copy, k, path + (k,)) for k, v in value.items() if isinstance(v, pending)])
            elif isinstance(value, list):
                copy = list(value)
                stack.extend([(v, copy, i, path + (i,)) for i, v in enumerate(value) if isinstance(v, pending)])
            elif isinstance(value, Unresolved):
                copy, used = self.expression(value, depth)
                if used is not _EMPTY:
                    if trace is not None:
                        trace.add(used)
                    if reads is not None:
                        reads[path] = used
            else:
                continue
            target[key] = copy
        return holder[0]

    def expression(self, value: Unresolved, depth: int) -> tuple[Any, Trace]:
        # Outside the resolution of a local, an expression always resolves the same way (a
        # local, once resolved, keeps its value): modules repeat the same few many times.
        settled = depth == 0 and not self.in_progress
        if settled:
            found_before = self.settled.get(value.expression)
            if found_before is not None:
                result, used = found_before
                return (value if result is _UNCHANGED else result), used
        text = value.expression.strip()
        if not evaluable(text):
            found: Any = MISSING  # it depends on a resource or data source: unknown here
            used = _EMPTY
        else:
            used = Trace()
            self.traces.append(used)
            try:
                if _REFERENCE.match(text):
                    # a plain reference keeps what a local stands for, even an expression
                    found = self.reference(text, depth)
                else:
                    scope = Scope(
                        self.variable,
                        functools.partial(self.local, depth=depth),
                        self.modules,
                        self.names,
                        self.assume,
                        used.conditions,
                    )
                    found = evaluate(text, scope)
            finally:
                self.traces.pop()
            if not used.variables and not used.conditions:
                used = _EMPTY
        if isinstance(found, Unresolved):
            # unknown: kept as written, with the known prefix and suffix of a template
            found = (
                Unresolved(value.expression, found.prefix, found.suffix) if found.prefix or found.suffix else MISSING
            )
        if settled:
            self.settled[value.expression] = (_UNCHANGED if found is MISSING else found, used)
        return (value if found is MISSING else found), used

    def variable(self, name: str) -> Any:
        found = self.variables.get(name, MISSING)
        if self.traces:
            self.traces[-1].variables[name] = None
        return found

    def local(self, name: str, depth: int) -> Any:
        known = self.resolved_locals.get(name)
        if known is None:
            if name not in self.local_values or name in self.in_progress or depth > _MAX_LOCAL_DEPTH:
                return MISSING
            self.in_progress.add(name)
            used = Trace()
            try:
                value = self.resolve(self.local_values[name], depth + 1, trace=used)
            finally:
                self.in_progress.discard(name)
            known = (value, used)
            self.resolved_locals[name] = known
        if self.traces:
            self.traces[-1].add(known[1])
        return known[0]

    def reference(self, text: str, depth: int) -> Any:
        match = _REFERENCE.match(text)
        if not match:
            return MISSING
        kind, name, steps = match.groups()
        current = self.variable(name) if kind == "var" else self.local(name, depth)
        for step in _STEP.finditer(steps or ""):
            if current is MISSING or isinstance(current, Unresolved):
                return MISSING
            attribute, quoted, number = step.groups()
            if number is not None:
                index = int(number)
                current = current[index] if isinstance(current, list) and index < len(current) else MISSING
            else:
                key = attribute if attribute is not None else quoted
                current = current.get(key, MISSING) if isinstance(current, dict) else MISSING
        return current
