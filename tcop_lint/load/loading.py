"""Reading one file safely and handing it to the loader for its kind."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from tcop_lint.core.files import LinkOut, NotRegular, inside_root, read_file
from tcop_lint.core.files import forget_real_dirs as forget_real_dirs  # re-exported
from tcop_lint.core.files import real_dir as real_dir
from tcop_lint.core.model import LoadResult, ParseProblem
from tcop_lint.core.settings import DEFAULT_MAX_PLAN_BYTES
from tcop_lint.core.text import plural

Loader = Callable[[str, str], LoadResult]


def loader_for(name: str) -> str | None:
    """Which loader reads a file, by its name alone (no file is opened). Asked of every file of
    a repository several times a scan, so it looks at the last suffix first."""
    suffix = name[name.rfind(".") :].lower()
    if suffix in (".tf", ".tfvars"):
        return "terraform"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".json":
        return "terraform" if name.lower().endswith((".tf.json", ".tfvars.json")) else "json"
    return None


def _loader(kind: str) -> Loader:
    if kind == "terraform":
        from tcop_lint.load.terraform import load_terraform

        return load_terraform
    if kind == "yaml":
        from tcop_lint.load.documents import load_yaml

        return load_yaml
    from tcop_lint.load.documents import load_json

    return load_json


def _link_out(name: str) -> ParseProblem:
    return ParseProblem(name, "symbolic link points outside the scanned root; not followed", level="note", skipped=True)


def links_out_of_root(root: Path, files: Sequence[str]) -> tuple[ParseProblem, ...]:
    """A note for each listed symbolic link (to a file or a folder) that leads out of the root.
    Files the loaders read already get this note from ``read_text``; this covers the rest."""
    notes = []
    for name in files:
        if loader_for(name) is not None:
            continue
        path = root / name
        if path.is_symlink() and not inside_root(root, path):
            notes.append(_link_out(name))
    return tuple(notes)


def read_bytes(root: Path, name: str, limit: int) -> tuple[bytes | None, int, ParseProblem | None]:
    """Up to ``limit`` bytes of a regular file below the root, its size, or why it cannot be had.
    Never follows a link out of the root."""
    try:
        data, size = read_file(root, name, limit)
    except LinkOut:
        return None, 0, _link_out(name)
    except NotRegular:
        return None, 0, ParseProblem(name, "not a regular file; skipped", level="note", skipped=True)
    except OSError as error:
        return None, 0, ParseProblem(name, f"cannot be read: {error.strerror or error}")
    return data, size, None


def _decode(
    name: str, data: bytes, size: int, max_bytes: int, setting: str = "max_file_bytes"
) -> tuple[str | None, ParseProblem | None]:
    if size > max_bytes:
        return None, ParseProblem(
            name,
            f"file is {plural(size, 'byte')}, over the {max_bytes}-byte limit ({setting}); skipped",
            level="note",
            skipped=True,
        )
    data = data[: max_bytes + 1]
    if b"\0" in data:
        return None, ParseProblem(name, "binary content in a file with a scanned extension; skipped")
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as error:
        return None, ParseProblem(name, f"not valid UTF-8 (byte {error.start}); skipped")


def read_text(root: Path, name: str, max_bytes: int) -> tuple[str | None, ParseProblem | None]:
    """The file's text, or why it cannot be had. Never follows a link out of the root."""
    data, size, problem = read_bytes(root, name, max_bytes + 1)
    if data is None:
        return None, problem
    return _decode(name, data, size, max_bytes)


def load_file(root: Path, name: str, max_bytes: int, plan_bytes: int = DEFAULT_MAX_PLAN_BYTES) -> LoadResult:
    """What one file yields: parsed documents for the kinds tcop-lint reads, and the facts
    the repository-file checks need (loaders.content) for any file they look into."""
    kind = loader_for(name)
    from tcop_lint.load.content import file_content, read_limit, wanted  # only where files are read

    wants = wanted(name)
    if kind is None and not wants:
        return LoadResult()
    limit = max(max_bytes + 1 if kind else 0, read_limit(name, max_bytes) if wants else 0)
    data, size, problem = read_bytes(root, name, limit)
    content = file_content(name, data, max_bytes) if wants and data is not None else None
    if kind is None:
        return LoadResult(content=content)  # a link out of the root is noted by links_out_of_root
    if data is None:
        return LoadResult(problems=(problem,), content=content)  # type: ignore[arg-type]
    setting = "max_file_bytes"
    if kind == "json" and size > max_bytes and _may_be_plan(_utf8(data)):
        # A Terraform plan has a limit of its own: large estates' plans run to tens of MB.
        data, size, problem = read_bytes(root, name, min(max(plan_bytes, max_bytes), size) + 1)
        if data is None:
            return LoadResult(problems=(problem,), content=content)  # type: ignore[arg-type]
        max_bytes, setting = max(plan_bytes, max_bytes), "max_plan_bytes"
    if kind == "json" and data[:2] in _UTF16_MARKS and _may_be_plan(_utf8(data)):
        data = _utf8(data)  # a plan PowerShell wrote; other UTF-16 JSON stays a problem, as before
    text, problem = _decode(name, data, size, max_bytes, setting)
    data = b""  # the text is all that is needed now, and a plan's bytes may be large
    if problem is not None:
        return LoadResult(problems=(problem,), content=content)
    result = _parse(kind, name, text)  # type: ignore[arg-type]
    if result.terraform is not None and result.terraform.blocks:
        from tcop_lint.load.terraform import settled

        return replace(result, content=content, terraform_settled=tuple(settled(b) for b in result.terraform.blocks))
    return replace(result, content=content) if content is not None else result


_UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


def _utf8(data: bytes) -> bytes:
    """JSON written as UTF-16 with a byte order mark (PowerShell's ``>`` writes it so, e.g.
    ``terraform show -json plan.out > plan.json``), as UTF-8; anything else as it is."""
    if data[:2] not in _UTF16_MARKS:
        return data
    return data.decode("utf-16", "replace").encode("utf-8")


def _may_be_plan(data: bytes) -> bool:
    from tcop_lint.load.terraform_plan import may_be_plan

    return may_be_plan(data[:4096].decode("utf-8-sig", "replace"))


def _parse(kind: str, name: str, text: str) -> LoadResult:
    if not text.strip():
        return LoadResult()
    from tcop_lint.load.directives import parse_comment_directives

    directives = parse_comment_directives(name, text)
    try:
        result = _loader(kind)(name, text)
        return replace(result, directives=directives) if directives else result
    except RecursionError:
        return LoadResult(problems=(ParseProblem(name, "nesting too deep to read; skipped"),))
    except Exception as error:  # a loader bug must not stop the scan; say which file
        return LoadResult(problems=(ParseProblem(name, f"could not be loaded ({type(error).__name__}: {error})"),))
