"""TCOP-09-TF-002: module calls whose module tcop-lint could not read.

A registry or git module is read where ``terraform init`` installed it; otherwise the resources
it creates go unseen. That is said once per module source (naming how many calls use it), not
once per call, so a team knows what was not checked and how to let it be.
"""

from __future__ import annotations

from collections.abc import Iterator

from tcop_lint.core.model import Hit, TfBlock
from tcop_lint.core.settings import RuleContext
from tcop_lint.core.text import plural

_LOCAL = ("./", "../")


def modules_not_read(ctx: RuleContext) -> Iterator[Hit]:
    by_source: dict[str, dict[tuple[str, int], TfBlock]] = {}
    for module in ctx.documents.terraform:
        for call in module.calls:
            if call.directory is None and call.source:
                by_source.setdefault(call.source, {})[(call.block.file, call.block.position.line)] = call.block
    for source in sorted(by_source):
        calls = [by_source[source][key] for key in sorted(by_source[source])]
        first = calls[0]
        yield Hit(
            file=first.file,
            position=first.position,
            address=f"module-source/{source}",
            message=_message(source, len(calls)),
            properties={"source": source, "calls": [f"{c.file}:{c.position.line} {c.address}" for c in calls]},
            span=first.position,
            anchor_only=True,
        )


def _message(source: str, count: int) -> str:
    used = f"{plural(count, 'module call')} {'uses' if count == 1 else 'use'} {source}"
    if source.startswith(_LOCAL) or source in (".", ".."):
        return f"{used}, a folder that is not in the scan, so the resources it creates were not checked"
    return (
        f"{used}, which is not installed here, so the resources it creates were not checked; run "
        "`terraform init -backend=false` in the root folder before the scan to let tcop-lint read it"
    )
