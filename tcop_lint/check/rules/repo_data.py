"""Repository checks on what the README explains, personal data committed in data files, and
the licence of published datasets.

They read the views the load phase made of each file (``Documents.content``); none reads a file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from tcop_lint.core.files import is_licence_path, is_readme_path
from tcop_lint.core.files import read_prefix as read_small  # noqa: F401  kept for callers outside the checks
from tcop_lint.core.model import Hit, Position
from tcop_lint.core.settings import RuleContext
from tcop_lint.core.text import plural
from tcop_lint.load.content import content_of
from tcop_lint.load.personal_data import _NEEDS_NAME, personal_data_candidate
from tcop_lint.load.personal_data import personal_value as personal_value  # re-exported

REPOSITORY = "<repository>"
MAX_DATA_FILES = 2000
_IGNORED_DIRS = re.compile(
    r"(?:^|/)(?:node_modules|vendor|\.venv|venv|\.tox|dist|build|site-packages|third_party|\.git)/"
)


def _text(ctx: RuleContext, name: str) -> str | None:
    """The text of a small file from the load phase, None when binary or not loaded."""
    text = content_of(ctx.documents.content, name).text
    return None if text is None or text.binary else text.text


def _file_hit(path: str, line: int, message: str, **properties: Any) -> Hit:
    return Hit(path, Position(max(1, line)), path, message, properties)


def _directory(name: str) -> str:
    return name.rpartition("/")[0]


def _base(name: str) -> str:
    return name.rpartition("/")[2]


# --- TCOP-08-REPO-001: README explains purpose, use and contribution --------------------

_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$|^\s*<h[1-6][^>]*>(.*?)</h[1-6]>", re.IGNORECASE)
_UNDERLINE = re.compile(r"^\s*(?:={3,}|-{3,}|~{3,}|\^{3,})\s*$")
_FENCE = re.compile(r"^\s*(?:```|~~~)")
_USE_HEADING = re.compile(
    r"\b(?:usage|using|use|how to|getting started|get started|quick ?start|install\w*|set ?up|setting up|"
    r"running|run|develop\w*|build\w*|deploy\w*|local\w*|prerequisites|requirements|configur\w*|examples?)\b",
    re.IGNORECASE,
)
_CONTRIBUTE = re.compile(r"contribut|pull request|merge request|raise an issue|open an issue", re.IGNORECASE)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")


def _readme_parts(text: str) -> tuple[list[str], bool, bool]:
    """(headings, has a prose sentence, has a code block)."""
    headings: list[str] = []
    prose = code = False
    in_fence = False
    previous = ""
    for line in text.splitlines()[:5000]:
        if _FENCE.match(line):
            in_fence = not in_fence
            code = True
            continue
        if in_fence:
            continue
        heading = _MD_HEADING.match(line)
        if heading:
            headings.append((heading.group(1) or heading.group(2) or "").strip())
        elif _UNDERLINE.match(line) and previous.strip():
            headings.append(previous.strip())
        elif line.startswith(("    ", "\t")) and line.strip():
            code = True
        else:
            stripped = line.strip()
            if stripped and not stripped.startswith(("![", "[![", "|", "<")) and len(_WORD.findall(stripped)) >= 6:
                prose = True
        previous = line
    return headings, prose, code


def readme_sections(ctx: RuleContext) -> Iterable[Hit]:
    repo = ctx.documents.repository
    readme = repo.readme
    if readme is None:
        return  # no README at all is TCOP-03-REPO-007's finding
    text = _text(ctx, readme)
    if text is None:
        return
    headings, prose, code = _readme_parts(text)
    missing = []
    if not prose:
        missing.append("what the project is for")
    if not code and not any(_USE_HEADING.search(h) for h in headings):
        missing.append("how to install, run or use it")
    if not _CONTRIBUTE.search(text) and not repo.contributing:
        missing.append("how to contribute")
    if missing:
        yield _file_hit(
            readme,
            1,
            f"{readme} does not explain {_join(missing)}: add "
            f"{'a short section' if len(missing) == 1 else 'a short section on each'}",
            missing=missing,
        )


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


# --- TCOP-07-REPO-001: personal data in data files --------------------------------------

_PLURALS = {
    "email address": "email addresses",
    "National Insurance number": "National Insurance numbers",
    "NHS number": "NHS numbers",
    "phone number": "phone numbers",
    "postcode": "postcodes",
    "date of birth": "dates of birth",
}


def personal_data_in_files(ctx: RuleContext) -> Iterable[Hit]:
    repo = ctx.documents.repository
    parsed = {doc.file for doc in ctx.documents.openapi} | {obj.file for obj in ctx.documents.kubernetes}
    minimum = ctx.options["min_values"]
    candidates = [n for n in repo.files if personal_data_candidate(n) and n not in parsed]
    for name in candidates[:MAX_DATA_FILES]:
        personal = content_of(ctx.documents.content, name).personal
        if personal is None:
            continue
        found: dict[str, set[str]] = {}
        columns: dict[str, set[str]] = {}
        for value in personal.values:
            found.setdefault(value.kind, set()).add(value.value)
            columns.setdefault(value.kind, set()).add(value.column)
        total = sum(len(v) for v in found.values())
        if total < minimum or not set(found) - _NEEDS_NAME:
            continue  # postcodes and birth dates alone (beside made-up identifiers) are not enough
        summary = ", ".join(
            f"{plural(len(found[k]), k, _PLURALS[k])} ({', '.join(sorted(columns[k]))})" for k in sorted(found)
        )
        yield _file_hit(
            name,
            personal.first_line,
            f"{name} appears to hold real personal data: {summary}. Values are not shown. Remove it, replace it with "
            "made-up data (example.com addresses, Ofcom drama numbers), and treat what was published as a possible "
            "breach",
            kinds=sorted(found),
        )


# --- TCOP-10-REPO-002: published datasets carry an OGL licence --------------------------

_TEST_PATH = re.compile(
    r"(?:^|/)(?:tests?|spec|specs|__tests__|testdata|test-data|fixtures|examples?|node_modules|\.github)/",
    re.IGNORECASE,
)
_DATAPACKAGE = "datapackage.json"
_CSVW = re.compile(r"(?:^|[-.])(?:csv-)?metadata\.json$|\.csvw\.json$", re.IGNORECASE)
_OGL_URL = re.compile(r"open-government-licence/version/3\b|\bOGL[- ]?(?:UK[- ]?)?3(?:\.0)?\b", re.IGNORECASE)


def licence_id(value: Any) -> str | None:
    """The SPDX id a licence name, identifier, URL or sentence stands for."""
    from tcop_lint.licences import identify_statement, parse_expression

    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    if _OGL_URL.search(text):
        return "OGL-UK-3.0"
    expression = parse_expression(text)
    if expression:
        return expression
    match = identify_statement(f"Licensed under the {text}")
    return match.spdx_id


def _key_line(text: str, key: str) -> int:
    found = re.search(r'"' + re.escape(key) + r'"\s*:', text)
    return text.count("\n", 0, found.start()) + 1 if found else 1


def _datapackage_licence(ctx: RuleContext, path: str) -> tuple[list[str | None], int] | None:
    """The licences a datapackage.json or CSVW metadata file declares, with the line; None
    when it declares none (or cannot be read)."""
    text = _text(ctx, path)
    if not text:
        return None
    try:
        from tcop_lint.load.documents import parse_json

        data, _ = parse_json(text)
    except Exception:
        return None
    if not isinstance(data, Mapping):
        return None
    entries: list[Any] = []
    key = "licenses"
    if isinstance(data.get("licenses"), list):
        entries = data["licenses"]
    else:
        for candidate in ("license", "dc:license", "dct:license", "dcterms:license", "schema:license"):
            if candidate in data:
                key, entries = candidate, [data[candidate]]
                break
    if not entries and isinstance(data.get("resources"), list):
        entries = [e for r in data["resources"] if isinstance(r, Mapping) for e in (r.get("licenses") or [])]
    ids: list[str | None] = []
    for entry in entries:
        if isinstance(entry, Mapping):
            candidates = [entry.get(k) for k in ("name", "path", "title", "@id", "url")]
            ids.append(next((i for i in map(licence_id, candidates) if i), None))
        else:
            ids.append(licence_id(entry))
    return (ids, _key_line(text, key)) if ids else None


def _folder_licence(ctx: RuleContext, files: set[str], folder: str) -> tuple[str, list[str | None], int] | None:
    """(evidence path, licence ids, line) for the first licence statement in ``folder``."""
    prefix = folder + "/" if folder else ""
    here = sorted(n for n in files if n.startswith(prefix) and "/" not in n[len(prefix) :])
    for name in here:
        base = _base(name)
        if base == _DATAPACKAGE or _CSVW.search(base):
            declared = _datapackage_licence(ctx, name)
            if declared:
                return name, declared[0], declared[1]
    for name in here:
        base = _base(name)
        # the same names as at the root (loaders.files), here in the data's own folder
        if is_licence_path(base) or (is_readme_path(base) and folder):
            text = _text(ctx, name) or ""
            if is_licence_path(base):
                from tcop_lint.licences import identify_text

                found = (
                    "OGL-UK-3.0"
                    if _OGL_URL.search(text) or re.search(r"open government licen[cs]e", text, re.IGNORECASE)
                    else identify_text(text).spdx_id
                )
                return name, [found], 1
            from tcop_lint.licences import identify_statement

            statement = identify_statement(text)
            if statement.spdx_id:
                return name, [statement.spdx_id], statement.line or 1
    return None


_CODE_SUFFIXES = (".py", ".rb", ".js", ".ts", ".go", ".java", ".kt", ".cs", ".php", ".tf", ".sh", ".scala", ".rs")


def _beside_code(directory: str, with_code: set[str]) -> bool:
    """Data in a folder of code or below one (``config/data`` of an application, a script's
    inputs, the files of a Terraform deployment) is what that code reads: the repository's
    licence covers it, and it is not a published dataset unless a datapackage.json says so.
    Code at the repository root says nothing: a data repository often has a script there."""
    current = directory
    while current:
        if current in with_code:
            return True
        current = _directory(current)
    return False


def dataset_licence(ctx: RuleContext) -> Iterable[Hit]:
    from tcop_lint.licences import is_allowed

    repo = ctx.documents.repository
    files = set(repo.files)
    allowed = tuple(ctx.options["allowed"])
    data_dirs: dict[str, str] = {}
    with_code = {_directory(name) for name in repo.files if name.lower().endswith(_CODE_SUFFIXES)}
    for name in sorted(repo.files):
        if _IGNORED_DIRS.search(name) or _TEST_PATH.search(name):
            continue
        if _base(name) == _DATAPACKAGE:
            data_dirs.setdefault(_directory(name), name)
        elif name.lower().endswith((".csv", ".tsv")) and not _beside_code(_directory(name), with_code):
            data_dirs.setdefault(_directory(name), name)
    reported: set[str] = set()
    for directory, first in sorted(data_dirs.items()):
        current: str | None = directory
        found = None
        while current is not None:
            found = _folder_licence(ctx, files, current)
            if found or not current:
                break
            current = _directory(current) if "/" in current else ""
            if current == "" and directory != "":
                break  # the root licence is the code's: a dataset needs its own
        place = directory or "the repository root"
        if found is None:
            yield _file_hit(
                first,
                1,
                f"the data in {place} has no licence: publish it under the Open Government Licence v3.0 "
                "(a licenses entry in datapackage.json, or a LICENCE file beside the data)",
            )
            continue
        evidence, ids, line = found
        bad = [i or "an unrecognised licence" for i in ids if not (i and is_allowed(i, allowed))]
        if bad and evidence not in reported:
            reported.add(evidence)
            yield _file_hit(
                evidence,
                line,
                f"{evidence} licenses the data in {place} under {', '.join(sorted(set(bad)))}: "
                f"publish government data under {' or '.join(allowed)}; other licences need The National Archives' "
                "agreement",
            )
