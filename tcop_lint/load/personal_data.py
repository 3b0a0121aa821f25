"""Personal data committed in data files (TCOP-07-REPO-001): which values in a CSV, TSV, JSON or
YAML file have the shape of real personal data. Worked out in the load phase; the check only
counts what is found here."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from tcop_lint.core.model import PersonalData, PersonalValue, walk
from tcop_lint.load.documents import parse_json, yaml_documents

PERSONAL_DATA_LIMIT = 1024 * 1024
MAX_ROWS = 100_000
_IGNORED_DIRS = re.compile(
    r"(?:^|/)(?:node_modules|vendor|\.venv|venv|\.tox|dist|build|site-packages|third_party|\.git)/"
)


# Keys (column names) that name personal data, and the value shape each must have to count.
_KEY_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "email address",
        re.compile(r"^(?:.*[_ -])?e-?mail(?:[_ -]?addr(?:ess)?)?$|^(?:[a-z]+)?E-?mail(?:Address)?$", re.IGNORECASE),
    ),
    (
        "National Insurance number",
        re.compile(
            r"^(?:nino|ni[_ -]?(?:no|num|number)|national[_ -]?insurance(?:[_ -]?(?:no|num|number))?)$", re.IGNORECASE
        ),
    ),
    ("NHS number", re.compile(r"^nhs[_ -]?(?:no|num|number)$", re.IGNORECASE)),
    (
        "phone number",
        re.compile(
            r"^(?:.*[_ -])?(?:phone|telephone|mobile|tel)(?:[_ "
            r"-]?(?:no|num|number))?$|^(?:[a-z]+)?(?:Phone|Telephone|Mobile)(?:Number)?$",
            re.IGNORECASE,
        ),
    ),
    ("postcode", re.compile(r"^(?:.*[_ -])?post(?:al)?[_ -]?code$|^(?:[a-z]+)?Post(?:al)?[Cc]ode$", re.IGNORECASE)),
    ("date of birth", re.compile(r"^(?:dob|d\.o\.b\.?|date[_ -]?of[_ -]?birth|birth[_ -]?date)$", re.IGNORECASE)),
)
_NAME_KEY = re.compile(
    r"^(?:(?:full|first|last|given|family|middle|fore|sur)[_ -]?names?|surname|forename|customer[_ -]?name|person[_ "
    r"-]?name)$",
    re.IGNORECASE,
)
_KEY_HINT = re.compile(rb"e-?mail|nino|national.?insurance|nhs.?n|phone|mobile|post.?code|birth|dob", re.IGNORECASE)

_EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)$")
# Reserved for documentation and testing (RFC 2606, RFC 6761) or plainly made up.
_EXAMPLE_DOMAIN = re.compile(
    r"(?:^|\.)(?:example(?:\.[a-z.]+)?|test|invalid|localhost|local|example\.gov\.uk|test\.gov\.uk)$", re.IGNORECASE
)
_NINO = re.compile(r"^([A-CEGHJ-PR-TW-Z])([A-CEGHJ-NPR-TW-Z])\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]$")
_NINO_UNUSED_PREFIXES = frozenset({"BG", "GB", "KN", "NK", "NT", "TN", "ZZ"})
_POSTCODE = re.compile(
    r"^(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])\s?[0-9][ABD-HJLNP-UW-Z]{2}$",
    re.IGNORECASE,
)
_PHONE = re.compile(r"^(?:\+44\s?\(?0?\)?|0)\s?(?:\d[\s-]?){9,10}$")
# Ofcom keeps these ranges for drama and examples: they are never anyone's number.
_DRAMA_PHONE = re.compile(
    r"^(?:07700900|01134960|01144960|01154960|01164960|01314960|01414960|01514960|01614960|02079460|01914980|02890180|02920180|01632960|08081570|09098790|03069990)"
)
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
        return match is not None and not _EXAMPLE_DOMAIN.search(match.group(1))
    if kind == "National Insurance number":
        match = _NINO.match(value.upper())
        return match is not None and match.group(1) + match.group(2) not in _NINO_UNUSED_PREFIXES
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


def _document_records(name: str, text: str) -> Iterator[tuple[int, Mapping[str, Any]]]:
    """Objects that are items of a list (records), with the line each starts on."""
    try:
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
    r"mkdocs\.ya?ml|codecov\.ya?ml|\.gitlab-ci\.ya?ml|action\.ya?ml|"
    # manifests whose maintainers and owners publish their own contact details on purpose
    r"Chart\.ya?ml|bower\.json|publiccode\.ya?ml|catalog-info\.ya?ml)$|(?:^|/)\.github/",
    re.IGNORECASE,
)


def personal_data_candidate(name: str) -> bool:
    """Files that may be data files, by name alone."""
    return name.lower().endswith(_DATA_SUFFIXES) and not _IGNORED_DIRS.search(name) and not _NOT_DATA.search(name)


def personal_data(name: str, data: bytes) -> PersonalData | None:
    """The personal-looking values of a data file whose first bytes are ``data``, or None."""
    if not data or b"\0" in data[:8192] or not _KEY_HINT.search(data):
        return None
    text = data.decode("utf-8-sig", errors="replace")
    lower = name.lower()
    records: Iterable[tuple[int, Mapping[str, Any]]]
    if lower.endswith((".csv", ".tsv")):
        records = _csv_records(text, "\t" if lower.endswith(".tsv") else ",")
    else:
        records = _document_records(name, text)
    values: list[PersonalValue] = []
    first_line = 0
    for line, record in records:
        for kind, key, value in _record_findings(record):
            values.append(PersonalValue(kind, key, str(value).strip().lower()))
            first_line = first_line or line
    return PersonalData(tuple(values), first_line) if values else None
