"""Repository-level checks for TCoP point 3 (be open and use open source).

Each function reads the typed ``ctx.documents.repository`` (see tcop_lint.assemble.repository).
Facts that were not gathered keep a check silent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from tcop_lint.core.model import Hit, Level, Position, RepositoryFacts
from tcop_lint.core.settings import RuleContext

REPOSITORY = "<repository>"


def _facts(ctx: RuleContext) -> RepositoryFacts:
    return ctx.documents.repository


def _repository_hit(message: str, **properties: Any) -> Hit:
    return Hit(file=None, position=None, address=REPOSITORY, message=message, properties=properties)


def _file_hit(path: str, line: int, message: str, level: Level | None = None, **properties: Any) -> Hit:
    return Hit(
        file=path,
        position=Position(max(1, int(line or 1)), 1),
        address=path,
        message=message,
        properties=properties,
        level=level,
    )


def licence_file_present(ctx: RuleContext) -> Iterable[Hit]:
    facts = _facts(ctx)
    if not facts.gathered:
        return
    files = facts.licence_files
    if not files:
        yield _repository_hit(
            "No licence file found: add a LICENCE (or LICENSE) file at the root of the repository "
            "holding the full text of an open licence"
        )
        return
    if all(entry.empty for entry in files):
        for entry in files:
            yield _file_hit(entry.path, 1, f"{entry.path} is empty: it must hold the full text of the licence")


def licence_identifiable(ctx: RuleContext) -> Iterable[Hit]:
    for entry in _facts(ctx).licence_files:
        if entry.empty or entry.spdx_id:
            continue
        path = entry.path
        if entry.method == "unreadable":
            message = f"{path} could not be read, so its licence cannot be identified"
        else:
            message = (
                f"{path} does not match any known licence text (SPDX), so reusers cannot tell what "
                "they may do: use the unaltered text of a standard licence"
            )
        yield _file_hit(path, 1, message)


def _licence_label(spdx_id: str) -> str:
    from tcop_lint.licences import licence_info

    info = licence_info(spdx_id)
    return f"{spdx_id} ({info.name})" if info is not None and info.name != spdx_id else spdx_id


def licence_is_open(ctx: RuleContext) -> Iterable[Hit]:
    """The code licence must be open: passes when any identified licence is allowed."""
    from tcop_lint.licences import is_allowed, licence_info

    facts = _facts(ctx)
    allowed = tuple(ctx.options["allowed_licences"])
    files = [e for e in facts.licence_files if e.spdx_id]
    root_files = [e for e in files if e.location == "root"]
    candidates: list[tuple[str, int, str]] = [(e.path, 1, e.spdx_id) for e in (root_files or files) if e.spdx_id]
    readme_licence = facts.readme_licence
    if not candidates and readme_licence and facts.readme:
        candidates = [(facts.readme, readme_licence.line or 1, readme_licence.spdx_id)]
    if not candidates or any(is_allowed(spdx_id, allowed) for _, _, spdx_id in candidates):
        return
    policy = ", ".join(allowed) or "nothing"
    for path, line, spdx_id in candidates:
        info = licence_info(spdx_id)
        yield _file_hit(
            path,
            line,
            f"{path} licenses the code under {_licence_label(spdx_id)}, which is not an open licence "
            f"allowed by allowed_licences ({policy})",
            spdx_id=spdx_id,
            licence_class=info.licence_class if info is not None else None,
        )


def readme_present(ctx: RuleContext) -> Iterable[Hit]:
    facts = _facts(ctx)
    if not facts.gathered:
        return
    readme = facts.readme
    if readme is None:
        yield _repository_hit(
            "No README found: add a README.md at the root explaining what the code does and how to use it"
        )
        return
    minimum = ctx.options["min_chars"]
    chars = facts.readme_chars
    if isinstance(minimum, int) and chars < minimum:
        yield _file_hit(  # a README exists: how much it says is evidence, not a breach
            readme,
            1,
            f"{readme} is too short to explain the project ({chars} characters; at least {minimum} expected)",
            level="note",
        )


def vulnerability_reporting_route(ctx: RuleContext) -> Iterable[Hit]:
    facts = _facts(ctx)
    if not facts.gathered or facts.security_contacts:
        return
    yield _repository_hit(
        "No route for reporting vulnerabilities: add a SECURITY.md (or .github/SECURITY.md) with a "
        "security contact, or a .well-known/security.txt"
    )


_SECRET_KINDS = {
    "terraform-state": "Terraform state, which stores resource attributes including secrets in plain text",
    "private-key": "a private key",
    "key-store": "a PKCS#12 key store, which normally holds a private key",
    "dotenv": "an environment file with a secret value",
}


def secret_files(ctx: RuleContext) -> Iterable[Hit]:
    for entry in _facts(ctx).secret_files:
        kind = entry.kind
        described = _SECRET_KINDS.get(kind, "a file that normally holds secrets")
        yield _file_hit(
            entry.path,
            entry.line or 1,
            f"{entry.path} is {described}; keep it out of the repository and rotate anything it exposed",
            kind=kind,
        )
