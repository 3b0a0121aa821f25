"""Repository checks on what the README explains, personal data committed in data files, and
the licence of published datasets.

Files are read by ``read_small``: a size cap, no symbolic links, nothing outside the scanned
root, and no exception ever leaves it.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
from collections.abc import Mapping
from typing import Any, Iterable, Iterator

from tcop_lint.model import Hit, Position, walk
from tcop_lint.settings import RuleContext
from tcop_lint.text import plural

REPOSITORY = "<repository>"
READ_LIMIT = 1024 * 1024
MAX_DATA_FILES = 2000
MAX_ROWS = 100_000
_IGNORED_DIRS = re.compile(r"(?:^|/)(?:node_modules|vendor|\.venv|venv|\.tox|dist|build|site-packages|third_party|\.git)/")


def read_small(root: str, name: str, limit: int = READ_LIMIT) -> bytes | None:
    """At most ``limit`` bytes of a regular file below ``root``, or None: never follows a
    symbolic link (for the file itself or any folder on the way), never raises."""
    try:
        base = os.path.realpath(root)
        path = os.path.normpath(os.path.join(base, *name.split("/")))
        if os.path.realpath(path) != path or os.path.commonpath([base, path]) != base:
            return None  # a link somewhere on the way
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        descriptor = os.open(path, flags)
        with os.fdopen(descriptor, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return None
            return handle.read(max(0, limit))
    except (OSError, ValueError):
        return None


def read_small_text(root: str, name: str, limit: int = READ_LIMIT) -> str | None:
    data = read_small(root, name, limit)
    if data is None or b"\0" in data[:8192]:
        return None
    return data.decode("utf-8-sig", errors="replace")


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
    facts = repo.facts or {}
    readme = facts.get("readme")
    if not isinstance(readme, str):
        return  # no README at all is TCOP-03-REPO-007's finding
    text = read_small_text(repo.root, readme, 256 * 1024)
    if text is None:
        return
    headings, prose, code = _readme_parts(text)
    missing = []
    if not prose:
        missing.append("what the project is for")
    if not code and not any(_USE_HEADING.search(h) for h in headings):
        missing.append("how to install, run or use it")
    if not _CONTRIBUTE.search(text) and not facts.get("contributing"):
        missing.append("how to contribute")
    if missing:
        yield _file_hit(readme, 1, f"{readme} does not explain {_join(missing)}: add {'a short section' if len(missing) == 1 else 'a short section on each'}", missing=missing)


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


# --- TCOP-07-REPO-001: personal data in data files --------------------------------------

# Keys (column names) that name personal data, and the value shape each must have to count.
_KEY_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("email address", re.compile(r"^(?:.*[_ -])?e-?mail(?:[_ -]?addr(?:ess)?)?$|^(?:[a-z]+)?E-?mail(?:Address)?$", re.IGNORECASE)),
    ("National Insurance number", re.compile(r"^(?:nino|ni[_ -]?(?:no|num|number)|national[_ -]?insurance(?:[_ -]?(?:no|num|number))?)$", re.IGNORECASE)),
    ("NHS number", re.compile(r"^nhs[_ -]?(?:no|num|number)$", re.IGNORECASE)),
    ("phone number", re.compile(r"^(?:.*[_ -])?(?:phone|telephone|mobile|tel)(?:[_ -]?(?:no|num|number))?$|^(?:[a-z]+)?(?:Phone|Telephone|Mobile)(?:Number)?$", re.IGNORECASE)),
    ("postcode", re.compile(r"^(?:.*[_ -])?post(?:al)?[_ -]?code$|^(?:[a-z]+)?Post(?:al)?[Cc]ode$", re.IGNORECASE)),
    ("date of birth", re.compile(r"^(?:dob|d\.o\.b\.?|date[_ -]?of[_ -]?birth|birth[_ -]?date)$", re.IGNORECASE)),
)
_NAME_KEY = re.compile(r"^(?:(?:full|first|last|given|family|middle|fore|sur)[_ -]?names?|surname|forename|customer[_ -]?name|person[_ -]?name)$", re.IGNORECASE)
_KEY_HINT = re.compile(rb"e-?mail|nino|national.?insurance|nhs.?n|phone|mobile|post.?code|birth|dob", re.IGNORECASE)

_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)$")
# Reserved for documentation and testing (RFC 2606, RFC 6761) or plainly made up.
_EXAMPLE_DOMAIN = re.compile(r"(?:^|\.)(?:example(?:\.[a-z.]+)?|test|invalid|localhost|local|example\.gov\.uk|test\.gov\.uk)$", re.IGNORECASE)
_NINO = re.compile(r"^([A-CEGHJ-PR-TW-Z])([A-CEGHJ-NPR-TW-Z])\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]$")
_NINO_UNUSED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
_POSTCODE = re.compile(r"^(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])\s?[0-9][ABD-HJLNP-UW-Z]{2}$", re.IGNORECASE)
_PHONE = re.compile(r"^(?:\+44\s?\(?0?\)?|0)\s?(?:\d[\s-]?){9,10}$")
# Ofcom keeps these ranges for drama and examples: they are never anyone's number.
_DRAMA_PHONE = re.compile(r"^(?:07700900|01134960|01144960|01154960|01164960|01314960|01414960|01514960|01614960|02079460|01914980|02890180|02920180|01632960|08081570|09098790|03069990)")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{1,2}[/.-]\d{1,2}[/.-]\d{4}$")


def _nhs_number_valid(digits: str) -> bool:
    if len(digits) != 10 or not digits.isdigit() or digits.startswith("999"):
        return False  # 999 numbers are NHS Digital's test range
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def personal_value(kind: str, value: Any) -> bool:
    """Whether a value has the shape of real personal data of that kind (test values do not)."""
    if not isinstance(value, str):
        value = str(value) if isinstance(value, int) and not isinstance(value, bool) else ""
    value = value.strip()
    if not value:
        return False
    if kind == "email address":
        match = _EMAIL.match(value)
        return bool(match) and not _EXAMPLE_DOMAIN.search(match.group(1))
    if kind == "National Insurance number":
        match = _NINO.match(value.upper())
        return bool(match) and match.group(1) + match.group(2) not in _NINO_UNUSED_PREFIXES
    if kind == "NHS number":
        return _nhs_number_valid(re.sub(r"[\s-]", "", value))
    if kind == "phone number":
        if not _PHONE.match(value):
            return False
        digits = re.sub(r"\D", "", value)
        digits = "0" + digits[2:] if digits.startswith("44") else digits
        return not _DRAMA_PHONE.match(digits)
    if kind == "postcode":
        return bool(_POSTCODE.match(value))
    if kind == "date of birth":
        return bool(_DATE.match(value))
    return False


def _kind_of(key: str) -> str | None:
    for kind, pattern in _KEY_KINDS:
        if pattern.match(key.strip()):
            return kind
    return None


# Postcodes and birth dates identify someone only beside a name.
_NEEDS_NAME = frozenset({"postcode", "date of birth"})
_PLURALS = {
    "email address": "email addresses", "National Insurance number": "National Insurance numbers",
    "NHS number": "NHS numbers", "phone number": "phone numbers", "postcode": "postcodes", "date of birth": "dates of birth",
}


def _record_findings(record: Mapping[str, Any]) -> Iterator[tuple[str, str, Any]]:
    """(kind, key, value) for the personal values in one record."""
    named = any(_NAME_KEY.match(str(k).strip()) and isinstance(v, str) and v.strip() for k, v in record.items())
    for key, value in record.items():
        kind = _kind_of(str(key))
        if kind is None or (kind in _NEEDS_NAME and not named):
            continue
        if personal_value(kind, value):
            yield kind, str(key), value


def _csv_records(text: str, delimiter: str) -> Iterator[tuple[int, dict[str, str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    try:
        for index, row in enumerate(reader):
            if index > MAX_ROWS:
                return
            if header is None:
                header = row
                if not any(_kind_of(h) for h in header):
                    return
                continue
            yield reader.line_num, dict(zip(header, row))
    except csv.Error:
        return


def _document_records(name: str, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Objects that are items of a list (records), with the line each starts on."""
    try:
        from tcop_lint.loaders.documents import parse_json, yaml_documents

        if name.lower().endswith(".json"):
            data, positions = parse_json(text)
            documents = [(data, positions)]
        else:
            raw, _ = yaml_documents(name, text)
            documents = [(d.data, d.positions) for d in raw]
    except Exception:  # unreadable data is not evidence of anything
        return
    for data, positions in documents:
        for path, value in walk(data):
            if path and isinstance(path[-1], int) and isinstance(value, Mapping):
                position = positions.get(path) or positions.get(path[:-1])
                yield (position.line if position else 1), value


_DATA_SUFFIXES = (".csv", ".tsv", ".json", ".yaml", ".yml")
_NOT_DATA = re.compile(
    r"(?:^|/)(?:package(?:-lock)?\.json|composer\.(?:json|lock)|tsconfig[\w.-]*\.json|\.?eslintrc[\w.]*|"
    r"renovate\.json5?|dependabot\.ya?ml|\.pre-commit[\w-]*\.ya?ml|docker-compose[\w.-]*\.ya?ml|"
    r"mkdocs\.ya?ml|codecov\.ya?ml|\.gitlab-ci\.ya?ml|action\.ya?ml)$|(?:^|/)\.github/",
    re.IGNORECASE,
)


def personal_data_in_files(ctx: RuleContext) -> Iterable[Hit]:
    repo = ctx.documents.repository
    parsed = {doc.file for doc in ctx.documents.openapi} | {obj.file for obj in ctx.documents.kubernetes}
    minimum = ctx.options["min_values"]
    limit = min(READ_LIMIT, ctx.settings.max_file_bytes)
    candidates = [
        n for n in repo.files
        if n.lower().endswith(_DATA_SUFFIXES) and n not in parsed and not _IGNORED_DIRS.search(n) and not _NOT_DATA.search(n)
    ]
    for name in candidates[:MAX_DATA_FILES]:
        data = read_small(repo.root, name, limit)
        if not data or b"\0" in data[:8192] or not _KEY_HINT.search(data):
            continue
        text = data.decode("utf-8-sig", errors="replace")
        lower = name.lower()
        if lower.endswith((".csv", ".tsv")):
            records: Iterable[tuple[int, Mapping[str, Any]]] = _csv_records(text, "\t" if lower.endswith(".tsv") else ",")
        else:
            records = _document_records(name, text)
        found: dict[str, set[str]] = {}
        columns: dict[str, set[str]] = {}
        first_line = 0
        for line, record in records:
            for kind, key, value in _record_findings(record):
                found.setdefault(kind, set()).add(str(value).strip().lower())
                columns.setdefault(kind, set()).add(key)
                first_line = first_line or line
        total = sum(len(v) for v in found.values())
        if total < minimum or not set(found) - _NEEDS_NAME:
            continue  # postcodes and birth dates alone (beside made-up identifiers) are not enough
        summary = ", ".join(f"{plural(len(found[k]), k, _PLURALS[k])} ({', '.join(sorted(columns[k]))})" for k in sorted(found))
        yield _file_hit(
            name, first_line,
            f"{name} appears to hold real personal data: {summary}. Values are not shown. Remove it, replace it with "
            "made-up data (example.com addresses, Ofcom drama numbers), and treat what was published as a possible breach",
            kinds=sorted(found),
        )


# --- TCOP-10-REPO-002: published datasets carry an OGL licence --------------------------

_TEST_PATH = re.compile(r"(?:^|/)(?:tests?|spec|specs|__tests__|testdata|test-data|fixtures|examples?|node_modules|\.github)/", re.IGNORECASE)
_LICENCE_FILE = re.compile(r"^(?:licen[cs]e|copying)(?:[-_.][a-z0-9._-]*)?(?:\.(?:md|txt|rst))?$", re.IGNORECASE)
_README_FILE = re.compile(r"^readme(?:\.(?:md|markdown|rst|txt))?$", re.IGNORECASE)
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


def _datapackage_licence(root: str, path: str) -> tuple[list[str | None], int] | None:
    """The licences a datapackage.json or CSVW metadata file declares, with the line; None
    when it declares none (or cannot be read)."""
    text = read_small_text(root, path)
    if not text:
        return None
    try:
        from tcop_lint.loaders.documents import parse_json

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


def _folder_licence(root: str, files: set[str], folder: str) -> tuple[str, list[str | None], int] | None:
    """(evidence path, licence ids, line) for the first licence statement in ``folder``."""
    prefix = folder + "/" if folder else ""
    here = sorted(n for n in files if n.startswith(prefix) and "/" not in n[len(prefix):])
    for name in here:
        base = _base(name)
        if base == _DATAPACKAGE or _CSVW.search(base):
            declared = _datapackage_licence(root, name)
            if declared:
                return name, declared[0], declared[1]
    for name in here:
        base = _base(name)
        if _LICENCE_FILE.match(base) or (_README_FILE.match(base) and folder):
            text = read_small_text(root, name, 256 * 1024) or ""
            if _LICENCE_FILE.match(base):
                from tcop_lint.licences import identify_text

                found = "OGL-UK-3.0" if _OGL_URL.search(text) or re.search(r"open government licen[cs]e", text, re.IGNORECASE) else identify_text(text).spdx_id
                return name, [found], 1
            from tcop_lint.licences import identify_statement

            statement = identify_statement(text)
            if statement.spdx_id:
                return name, [statement.spdx_id], statement.line or 1
    return None


def dataset_licence(ctx: RuleContext) -> Iterable[Hit]:
    from tcop_lint.licences import is_allowed

    repo = ctx.documents.repository
    files = set(repo.files)
    allowed = tuple(ctx.options["allowed"])
    data_dirs: dict[str, str] = {}
    for name in sorted(repo.files):
        if _IGNORED_DIRS.search(name) or _TEST_PATH.search(name):
            continue
        if name.lower().endswith((".csv", ".tsv")) or _base(name) == _DATAPACKAGE:
            data_dirs.setdefault(_directory(name), name)
    reported: set[str] = set()
    for directory, first in sorted(data_dirs.items()):
        current: str | None = directory
        found = None
        while current is not None:
            found = _folder_licence(repo.root, files, current)
            if found or not current:
                break
            current = _directory(current) if "/" in current else ""
            if current == "" and directory != "":
                break  # the root licence is the code's: a dataset needs its own
        place = directory or "the repository root"
        if found is None:
            yield _file_hit(first, 1, f"the data in {place} has no licence: publish it under the Open Government Licence v3.0 "
                            "(a licenses entry in datapackage.json, or a LICENCE file beside the data)")
            continue
        evidence, ids, line = found
        bad = [i or "an unrecognised licence" for i in ids if not (i and is_allowed(i, allowed))]
        if bad and evidence not in reported:
            reported.add(evidence)
            yield _file_hit(evidence, line, f"{evidence} licenses the data in {place} under {', '.join(sorted(set(bad)))}: "
                            f"publish government data under {' or '.join(allowed)}; other licences need The National Archives' agreement")
