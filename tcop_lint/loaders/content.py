"""Facts about a file's bytes that the repository-file checks need (secrets written into it,
its text encoding, CSV shape, the <html> language, the licence it holds).

They are worked out in the per-file load phase (``loading.load_file``), so in the worker
processes, once per file content, and cached with the file's LoadResult: a re-run reads no
file that has not changed. Checks find them in ``Documents.content`` and fall back to reading
the file (``content_of``) when documents were assembled without them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator, Mapping

from tcop_lint.loaders.repository import READ_LIMIT, is_licence_path, is_readme_path, readme_facts
from tcop_lint.text import plural

SMALL_FILE = 256 * 1024
TEXT_FILE = 1024 * 1024

# --- secrets (TCOP-03-REPO-016) ----------------------------------------------------------------

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass(frozen=True)
class SecretPattern:
    kind: str
    description: str
    regex: re.Pattern[bytes]


PATTERNS: tuple[SecretPattern, ...] = (
    SecretPattern("aws-access-key-id", "an AWS access key ID", re.compile(rb"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    SecretPattern(
        "private-key",
        "a private key",
        re.compile(
            rb"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED |PGP )?PRIVATE KEY(?: BLOCK)?-----"
            rb"(?:\\r)?(?:\\n|\r?\n)\s*(?:Proc-Type:|[A-Za-z0-9+/=]{40,})"
        ),
    ),
    SecretPattern("github-token", "a GitHub token", re.compile(rb"\bgh[pousr]_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{82}\b")),
    SecretPattern("slack-token", "a Slack token", re.compile(rb"\bxox[abpors]-[0-9]{6,}-[0-9A-Za-z-]{10,}")),
    SecretPattern(
        "slack-webhook", "a Slack incoming webhook URL",
        re.compile(rb"https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{20,}"),
    ),
    SecretPattern("google-api-key", "a Google API key", re.compile(rb"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])")),
    SecretPattern(
        "govuk-notify-key", "a GOV.UK Notify API key",
        re.compile(rb"\b[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*?-" + _UUID.encode() + rb"-" + _UUID.encode() + rb"\b"),
    ),
)
PATTERN_BY_KIND: Mapping[str, SecretPattern] = {p.kind: p for p in PATTERNS}
# Every pattern needs one of these bytes somewhere; a file with none of them holds no secret.
_SECRET_HINT = re.compile(rb"AKIA|ASIA|PRIVATE KEY|gh[pousr]_|github_pat_|xox[abpors]-|hooks\.slack\.com|AIza|-[0-9a-f]{8}-")
_EXAMPLE = re.compile(rb"EXAMPLE|example|XXXXXXXX|00000000-0000-0000-0000-000000000000")
KEY_FILE_SUFFIXES = (".pem", ".key", ".p12", ".pfx", ".crt", ".cer")
BINARY_SUFFIXES = (
    ".png", ".jpg", ".jpeg", ".gif", ".ico", ".webp", ".pdf", ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".jar",
    ".war", ".class", ".so", ".dll", ".exe", ".bin", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".mp3", ".mp4",
    ".mov", ".avi", ".pyc", ".whl", ".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".sqlite", ".db", ".lockb",
)
_KEY_FILE_NAMES = ("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519")


def redact(value: str) -> str:
    return f"{value[:4]}…({len(value)} characters)" if len(value) > 8 else "…"


def find_secrets(data: bytes) -> Iterator[tuple[int, SecretPattern, str]]:
    """(line, pattern, redacted value) for each high-confidence secret in ``data``."""
    if not _SECRET_HINT.search(data):
        return
    for pattern in PATTERNS:
        for match in pattern.regex.finditer(data):
            value = match.group(0)
            if _EXAMPLE.search(value):
                continue
            shown = "-----BEGIN … PRIVATE KEY-----" if pattern.kind == "private-key" else redact(value.decode("ascii", "replace"))
            yield data.count(b"\n", 0, match.start()) + 1, pattern, shown


def secret_candidate(name: str) -> bool:
    """Files the secrets check reads: not key files (reported on their own) nor binaries."""
    lower = name.lower()
    return not lower.endswith(KEY_FILE_SUFFIXES + BINARY_SUFFIXES) and lower.rpartition("/")[2] not in _KEY_FILE_NAMES


def secret_hits(data: bytes | None) -> tuple[tuple[int, str, str], ...]:
    """(line, kind, redacted value), one per line and kind, in report order."""
    if not data or b"\0" in data[:8192]:
        return ()
    seen: set[tuple[int, str]] = set()
    found = []
    for line, pattern, shown in find_secrets(data):
        if (line, pattern.kind) not in seen:
            seen.add((line, pattern.kind))
            found.append((line, pattern.kind, shown))
    return tuple(found)


# --- text encoding, CSV, HTML (TCOP-04-REPO-001, TCOP-10-REPO-001, TCOP-02-REPO-001) -------------

IGNORED_DIRS = re.compile(r"(?:^|/)(?:node_modules|vendor|\.venv|venv|\.tox|dist|build|site-packages|third_party)/")
TEXT_SUFFIXES = (
    ".md", ".markdown", ".txt", ".rst", ".adoc", ".csv", ".tsv", ".json", ".geojson", ".jsonld", ".yaml", ".yml",
    ".xml", ".tf", ".tfvars", ".hcl", ".py", ".js", ".mjs", ".cjs", ".ts", ".tsx", ".jsx", ".html", ".htm", ".css",
    ".scss", ".rb", ".erb", ".go", ".java", ".kt", ".cs", ".php", ".sh", ".bash", ".toml", ".ini", ".cfg", ".sql",
    ".njk", ".j2", ".jinja", ".rs", ".swift", ".scala", ".properties", ".gradle", ".vue", ".svelte",
)
HTML_SUFFIXES = (".html", ".htm", ".njk", ".jinja", ".jinja2", ".j2", ".erb", ".hbs", ".liquid", ".twig", ".ejs", ".cshtml")
_BOMS = ((b"\x00\x00\xfe\xff", "UTF-32"), (b"\xff\xfe\x00\x00", "UTF-32"), (b"\xfe\xff", "UTF-16"), (b"\xff\xfe", "UTF-16"))


def utf8_problem(data: bytes, truncated: bool) -> tuple[int, str, bool] | None:
    """(line, description, is_note) for text that is not plain UTF-8, else None."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return 1, f"is encoded as {name}", False
    if b"\0" in data:
        return None  # binary content under a text name: not a text encoding question
    import codecs

    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        decoder.decode(data, final=not truncated)
    except UnicodeDecodeError as error:
        return data.count(b"\n", 0, error.start) + 1, f"is not valid UTF-8 (byte {error.start})", False
    if data.startswith(b"\xef\xbb\xbf"):
        return 1, "starts with a byte order mark, which UTF-8 does not need", True
    return None


_NUMBER = re.compile(r"^\s*[-+]?(?:\d+(?:[.,]\d+)*|\d{4}-\d{2}-\d{2}.*)\s*$")
MAX_CSV_ROWS = 200000


def csv_problem(data: bytes, truncated: bool) -> tuple[int, str] | None:
    """(line, what is wrong) for the first departure from RFC 4180 with a header row."""
    import csv
    import io

    encoding = utf8_problem(data, truncated)
    if encoding is not None and not encoding[2]:
        return encoding[0], encoding[1]
    text = data.decode("utf-8-sig", errors="replace")
    if truncated:
        text = text[: text.rfind("\n") + 1]
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    try:
        for index, row in enumerate(reader):
            if index >= MAX_CSV_ROWS:
                break
            if not row:
                continue
            if header is None:
                header = row
                if all(_NUMBER.match(cell) for cell in row):
                    return reader.line_num, "has no header row (the first row holds only numbers or dates)"
                if len(row) > 1 and len(set(row)) != len(row):
                    return reader.line_num, "has a header row with repeated column names"
                continue
            if len(row) != len(header):
                return reader.line_num, f"has a row with {plural(len(row), 'field')} where the header has {len(header)}"
    except csv.Error as error:
        return reader.line_num or 1, f"cannot be read as RFC 4180 CSV ({error})"
    return None


_HTML_TAG = re.compile(r"<html\b([^>]*)>", re.IGNORECASE)
_LANG = re.compile(r"\blang\s*=\s*(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))", re.IGNORECASE)


def html_without_lang(data: bytes | None) -> int | None:
    """Line of an <html> element that does not say its language, else None."""
    if data is None or b"\0" in data[:8192]:
        return None
    text = data.decode("utf-8-sig", errors="replace")
    if not text:
        return None
    match = _HTML_TAG.search(text)
    if match is None:
        return None
    lang = _LANG.search(match.group(1))
    if lang and any(g and g.strip() for g in lang.groups()):
        return None
    return text.count("\n", 0, match.start()) + 1


# --- licence files --------------------------------------------------------------------------

LICENCE_LIMIT = 256 * 1024


def licence_candidate(name: str) -> bool:
    return is_licence_path(name)


def licence_facts(data: bytes) -> tuple[str | None, float, str, bool]:
    """(spdx_id, confidence, method, empty) of a licence file's text."""
    from tcop_lint.licences import identify_text

    text = data[:LICENCE_LIMIT].decode("utf-8-sig", errors="replace")
    match = identify_text(text)
    return match.spdx_id, match.confidence, match.method, not text.strip()


# --- per file ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileContent:
    """What the content checks need to know about one file. ``licence`` and ``readme`` are
    set for every readable licence file and root README, so that their absence means "not read"."""

    secrets: tuple[tuple[int, str, str], ...] = ()  # (line, kind, redacted value)
    encoding: tuple[int, str, bool] | None = None  # utf8_problem
    csv: tuple[int, str] | None = None  # csv_problem
    html_line: int | None = None  # an <html> element without lang
    licence: tuple[str | None, float, str, bool] | None = None  # licence_facts
    readme: tuple[int, Any, int | None] | None = None  # loaders.repository.readme_facts


CLEAN = FileContent()


def wanted(name: str) -> bool:
    """Whether any content check reads this file (by its name alone)."""
    return secret_candidate(name) or licence_candidate(name) or is_readme_path(name)


def repository_file(name: str) -> bool:
    """Files whose facts go into the repository facts (loaders.repository), not to findings."""
    return licence_candidate(name) or is_readme_path(name)


def read_limit(name: str, max_bytes: int) -> int:
    """How many bytes the facts of this file need."""
    lower = name.lower()
    limit = min(TEXT_FILE, max_bytes) + 1
    if lower.endswith(".csv"):
        limit = max(limit, min(TEXT_FILE * 8, max_bytes) + 1)
    if lower.endswith(HTML_SUFFIXES):
        limit = max(limit, SMALL_FILE)
    if licence_candidate(name):
        limit = max(limit, LICENCE_LIMIT)
    if is_readme_path(name):
        limit = max(limit, READ_LIMIT)
    return limit


def file_content(name: str, data: bytes, max_bytes: int) -> FileContent | None:
    """The facts of a file whose first ``read_limit`` bytes are ``data``; None when clean."""
    lower = name.lower()
    text_limit = min(TEXT_FILE, max_bytes)
    secrets = secret_hits(data[:text_limit]) if secret_candidate(name) else ()
    encoding = csv = html_line = licence = readme = None
    if lower.endswith(TEXT_SUFFIXES) and not IGNORED_DIRS.search(name) and data:
        encoding = utf8_problem(data[:text_limit], truncated=len(data) > text_limit)
    if lower.endswith(".csv") and not IGNORED_DIRS.search(name):
        csv_limit = min(TEXT_FILE * 8, max_bytes)
        if data[: csv_limit + 1].strip():
            csv = csv_problem(data[:csv_limit], truncated=len(data) > csv_limit)
    if lower.endswith(HTML_SUFFIXES) and not IGNORED_DIRS.search(name):
        html_line = html_without_lang(data[:SMALL_FILE])
    if licence_candidate(name):
        licence = licence_facts(data)
    if is_readme_path(name):
        readme = readme_facts(data[:READ_LIMIT].decode("utf-8-sig", errors="replace"))
    if not secrets and encoding is None and csv is None and html_line is None and licence is None and readme is None:
        return None
    return FileContent(secrets, encoding, csv, html_line, licence, readme)


def read_prefix(root: str | Path, name: str, limit: int) -> bytes | None:
    from tcop_lint.loaders.repository_files import read_bytes

    return read_bytes(root, name, limit)


def content_of(content: Mapping[str, FileContent] | None, root: str | Path, name: str, max_bytes: int) -> FileContent:
    """The facts of ``name``: from the load phase when documents carry them (a file missing
    there is clean or out of scope), else read from the file now."""
    if content is not None:
        return content.get(name) or CLEAN
    data = read_prefix(root, name, read_limit(name, max_bytes))
    if data is None:
        return CLEAN
    return file_content(name, data, max_bytes) or CLEAN
