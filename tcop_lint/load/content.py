"""Facts about a file's bytes that the repository-file checks need (secrets written into it,
its text encoding, CSV shape, the <html> language, the licence it holds).

They are worked out in the per-file load phase (``loading.load_file``), so in the worker
processes, once per file content, and cached with the file's LoadResult: a re-run reads no
file that has not changed. Checks find them in ``Documents.content`` (``content_of``) and read
no file themselves.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from tcop_lint.core.files import READ_LIMIT, SMALL_FILE, TEXT_FILE, is_licence_path, is_readme_path
from tcop_lint.core.model import FileContent, LicenceText, ReadmeFacts, ReadmeLicence, SecretHit, TextFile
from tcop_lint.core.text import plural
from tcop_lint.load import repository_files as views
from tcop_lint.load.personal_data import PERSONAL_DATA_LIMIT, personal_data, personal_data_candidate

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
    SecretPattern(
        "github-token", "a GitHub token", re.compile(rb"\bgh[pousr]_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{82}\b")
    ),
    SecretPattern("slack-token", "a Slack token", re.compile(rb"\bxox[abpors]-[0-9]{6,}-[0-9A-Za-z-]{10,}")),
    SecretPattern(
        "slack-webhook",
        "a Slack incoming webhook URL",
        re.compile(rb"https://hooks\.slack\.com/services/T[A-Z0-9]{6,}/B[A-Z0-9]{6,}/[A-Za-z0-9]{20,}"),
    ),
    SecretPattern("google-api-key", "a Google API key", re.compile(rb"\bAIza[0-9A-Za-z_-]{35}(?![0-9A-Za-z_-])")),
    SecretPattern(
        "govuk-notify-key",
        "a GOV.UK Notify API key",
        re.compile(rb"\b[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*?-" + _UUID.encode() + rb"-" + _UUID.encode() + rb"\b"),
    ),
)
PATTERN_BY_KIND: Mapping[str, SecretPattern] = {p.kind: p for p in PATTERNS}
# Every pattern needs one of these bytes somewhere; a file with none of them holds no secret.
_SECRET_HINT = re.compile(
    rb"AKIA|ASIA|PRIVATE KEY|gh[pousr]_|github_pat_|xox[abpors]-|hooks\.slack\.com|AIza|-[0-9a-f]{8}-"
)
_EXAMPLE = re.compile(
    rb"example|xxxxxxxx|00000000-0000-0000-0000-000000000000|dummy|fake|not[-_]?(?:a[-_]?)?real|placeholder|sample|changeme",
    re.IGNORECASE,
)
# Secret scanners' own configuration lists values it has judged not secret (allow-lists, baselines).
SCANNER_FILES = (".gitleaks.toml", "gitleaks.toml", ".gitleaksignore", ".secrets.baseline", ".trufflehogignore")
KEY_FILE_SUFFIXES = (".pem", ".key", ".p12", ".pfx", ".crt", ".cer")
BINARY_SUFFIXES = (
    ".png",
    ".jpg",
    ".jpeg",
    ".gif",
    ".ico",
    ".webp",
    ".pdf",
    ".zip",
    ".gz",
    ".tgz",
    ".bz2",
    ".xz",
    ".7z",
    ".jar",
    ".war",
    ".class",
    ".so",
    ".dll",
    ".exe",
    ".bin",
    ".woff",
    ".woff2",
    ".ttf",
    ".otf",
    ".eot",
    ".mp3",
    ".mp4",
    ".mov",
    ".avi",
    ".pyc",
    ".whl",
    ".docx",
    ".xlsx",
    ".pptx",
    ".odt",
    ".ods",
    ".odp",
    ".sqlite",
    ".db",
    ".lockb",
)
_KEY_FILE_NAMES = ("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519")


def redact(value: str) -> str:
    return f"{value[:4]}…({len(value)} characters)" if len(value) > 8 else "…"


def find_secrets(data: bytes, name: str = "") -> Iterator[tuple[int, SecretPattern, str]]:
    """(line, pattern, redacted value) for each high-confidence secret in ``data``. Documentation
    values and placeholders (six of one character, or six in a row such as abcdef or 123456) are
    passed over, and so is a value in a comment (in the language ``name``'s suffix says) that
    the comment itself calls an example or placeholder."""
    if not _SECRET_HINT.search(data):
        return
    comments: list[tuple[int, int]] | None = None
    for pattern in PATTERNS:
        for match in pattern.regex.finditer(data):
            value = match.group(0)
            if _EXAMPLE.search(value) or (pattern.kind != "private-key" and is_placeholder(value)):
                continue
            if name and _ILLUSTRATIVE.search(data):
                if comments is None:
                    comments = comment_spans(name, data)
                if any(
                    start <= match.start() < end and _ILLUSTRATIVE.search(data, start, end) for start, end in comments
                ):
                    continue
            shown = (
                "-----BEGIN … PRIVATE KEY-----"
                if pattern.kind == "private-key"
                else redact(value.decode("ascii", "replace"))
            )
            yield data.count(b"\n", 0, match.start()) + 1, pattern, shown


_ILLUSTRATIVE = re.compile(
    rb"\b(?:example|e\.g\.|for instance|sample|dummy|fake|placeholder|replace (?:it|this|with)|your[-_ ]\w+)",
    re.IGNORECASE,
)


def is_placeholder(value: bytes) -> bool:
    """Six of one character, or six in a row of the alphabet or digits (case aside): made up."""
    text = value.lower()
    same = ascending = 1
    for before, after in zip(text, text[1:], strict=False):
        same = same + 1 if after == before else 1
        ascending = ascending + 1 if after == before + 1 and chr(after).isalnum() else 1
        if same >= 6 or ascending >= 6:
            return True
    return False


# Comment syntax by language: line-comment markers, block-comment pairs, string quotes, and
# whether '#' starts a comment only at the start of a line or after a space (YAML, shell).
_HASH = ((b"#",), (), (b'"', b"'"), True)
_C_LIKE = ((b"//",), ((b"/*", b"*/"),), (b'"', b"'", b"`"), False)
_COMMENT_SYNTAX: Mapping[str, tuple[tuple[bytes, ...], tuple[tuple[bytes, bytes], ...], tuple[bytes, ...], bool]] = {
    **dict.fromkeys(
        (".yaml", ".yml", ".sh", ".bash", ".zsh", ".toml", ".cfg", ".conf", ".ini", ".env", ".properties", ".r"), _HASH
    ),
    **dict.fromkeys((".py", ".rb", ".pl", ".ps1", ".mk"), ((b"#",), (), (b'"', b"'"), False)),
    **dict.fromkeys((".tf", ".tfvars", ".hcl"), ((b"#", b"//"), ((b"/*", b"*/"),), (b'"',), False)),
    **dict.fromkeys(
        (".js", ".mjs", ".cjs", ".ts", ".jsx", ".tsx", ".java", ".kt", ".kts", ".scala", ".groovy", ".go", ".rs")
        + (".c", ".h", ".cc", ".cpp", ".hpp", ".cs", ".swift", ".dart", ".json5", ".jsonc", ".gradle"),
        _C_LIKE,
    ),
    ".php": ((b"//", b"#"), ((b"/*", b"*/"),), (b'"', b"'"), False),
    **dict.fromkeys((".sql", ".lua"), ((b"--",), ((b"/*", b"*/"),), (b"'",), False)),
    **dict.fromkeys(
        (".html", ".htm", ".xml", ".svg", ".md", ".markdown", ".vue", ".erb", ".njk"),
        ((), ((b"<!--", b"-->"),), (), False),
    ),
}
_HASH_NAMES = ("dockerfile", "makefile", "gemfile", "rakefile", "procfile", "vagrantfile")


def comment_syntax(
    name: str,
) -> tuple[tuple[bytes, ...], tuple[tuple[bytes, bytes], ...], tuple[bytes, ...], bool] | None:
    base = name.lower().rpartition("/")[2]
    if base.startswith(_HASH_NAMES) or base.startswith(".env"):
        return _HASH
    suffix = base[base.rfind(".") :] if "." in base else ""
    return _COMMENT_SYNTAX.get(suffix)


def comment_spans(name: str, data: bytes) -> list[tuple[int, int]]:
    """Byte ranges of the comments of ``data`` in the language of ``name`` (none when the
    language is not known). Strings are skipped, so a '#' or '//' inside one starts nothing."""
    syntax = comment_syntax(name)
    if syntax is None:
        return []
    line_markers, blocks, quotes, hash_after_space = syntax
    triple = name.lower().endswith(".py")
    spans: list[tuple[int, int]] = []
    i, size = 0, len(data)
    while i < size:
        if triple and data.startswith((b'"""', b"'''"), i):
            end = data.find(data[i : i + 3], i + 3)
            i = size if end < 0 else end + 3
            continue
        char = data[i : i + 1]
        if char in quotes:
            i = _string_end(data, i, char)
            continue
        block = next((pair for pair in blocks if data.startswith(pair[0], i)), None)
        if block is not None:
            end = data.find(block[1], i + len(block[0]))
            end = size if end < 0 else end + len(block[1])
            spans.append((i, end))
            i = end
            continue
        marker = next((m for m in line_markers if data.startswith(m, i)), None)
        if marker is not None and not (hash_after_space and i > 0 and data[i - 1 : i] not in b" \t\n"):
            end = data.find(b"\n", i)
            end = size if end < 0 else end
            spans.append((i, end))
            i = end
            continue
        i += 1
    return spans


def _string_end(data: bytes, start: int, quote: bytes) -> int:
    """Just past the string that opens at ``start``; strings end at the line's end at the latest."""
    i = start + 1
    while i < len(data):
        char = data[i : i + 1]
        if char == b"\\":
            i += 2
            continue
        if char == quote:
            return i + 1
        if char == b"\n" and quote != b"`":
            return i
        i += 1
    return i


def secret_candidate(name: str) -> bool:
    """Files the secrets check reads: not key files (reported on their own) nor binaries."""
    lower = name.lower()
    base = lower.rpartition("/")[2]
    return not lower.endswith(KEY_FILE_SUFFIXES + BINARY_SUFFIXES) and base not in _KEY_FILE_NAMES + SCANNER_FILES


def secret_hits(data: bytes | None, name: str = "") -> tuple[SecretHit, ...]:
    """One per line and kind, in report order."""
    if not data or b"\0" in data[:8192]:
        return ()
    seen: set[tuple[int, str]] = set()
    found = []
    for line, pattern, shown in find_secrets(data, name):
        if (line, pattern.kind) not in seen:
            seen.add((line, pattern.kind))
            found.append(SecretHit(line, pattern.kind, shown))
    return tuple(found)


# --- text encoding, CSV, HTML (TCOP-04-REPO-001, TCOP-10-REPO-001, TCOP-02-REPO-001) -------------

IGNORED_DIRS = re.compile(r"(?:^|/)(?:node_modules|vendor|\.venv|venv|\.tox|dist|build|site-packages|third_party)/")
TEXT_SUFFIXES = (
    ".md",
    ".markdown",
    ".txt",
    ".rst",
    ".adoc",
    ".csv",
    ".tsv",
    ".json",
    ".geojson",
    ".jsonld",
    ".yaml",
    ".yml",
    ".xml",
    ".tf",
    ".tfvars",
    ".hcl",
    ".py",
    ".js",
    ".mjs",
    ".cjs",
    ".ts",
    ".tsx",
    ".jsx",
    ".html",
    ".htm",
    ".css",
    ".scss",
    ".rb",
    ".erb",
    ".go",
    ".java",
    ".kt",
    ".cs",
    ".php",
    ".sh",
    ".bash",
    ".toml",
    ".ini",
    ".cfg",
    ".sql",
    ".njk",
    ".j2",
    ".jinja",
    ".rs",
    ".swift",
    ".scala",
    ".properties",
    ".gradle",
    ".vue",
    ".svelte",
)
HTML_SUFFIXES = (
    ".html",
    ".htm",
    ".njk",
    ".jinja",
    ".jinja2",
    ".j2",
    ".erb",
    ".hbs",
    ".liquid",
    ".twig",
    ".ejs",
    ".cshtml",
)
_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\xfe\xff", "UTF-16"),
    (b"\xff\xfe", "UTF-16"),
)


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


def licence_facts(data: bytes) -> LicenceText:
    """What licence a licence file's text holds."""
    from tcop_lint.licences import identify_text

    text = data[:LICENCE_LIMIT].decode("utf-8-sig", errors="replace")
    match = identify_text(text)
    return LicenceText(match.spdx_id, match.confidence, match.method, not text.strip())


# --- the README ---------------------------------------------------------------------------

_SECURITY_WORDS = re.compile(r"vulnerab|security|disclos", re.IGNORECASE)
_CONTACT = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?://\S+|\bsecurity\.md\b|security\.txt\b|security/policy|security/advisories",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^\s*(?:#{1,6}\s+\S|<h[1-6])|^\s*[=-]{3,}\s*$")


def readme_facts(text: str | None) -> ReadmeFacts:
    """Characters other than whitespace, the licence it states, the line of a security contact."""
    if not text:
        return ReadmeFacts(0, None, None)
    return ReadmeFacts(len(re.sub(r"\s+", "", text)), _readme_licence(text), _readme_security_line(text))


def _readme_licence(text: str) -> ReadmeLicence | None:
    from tcop_lint.licences import identify_statement

    match = identify_statement(text)
    if match.spdx_id is None:
        return None
    return ReadmeLicence(match.spdx_id, match.confidence, match.method, match.line)


def _readme_security_line(text: str) -> int | None:
    """A line giving a way to report a vulnerability: a contact near words about security,
    within a section whose heading is about security or within two lines of such words."""
    lines = text.splitlines()[:5000]
    in_section = False
    recent_mention = -10
    for index, line in enumerate(lines):
        if _HEADING.match(line):
            in_section = bool(_SECURITY_WORDS.search(line))
            if in_section:
                recent_mention = index
            continue
        if _SECURITY_WORDS.search(line):
            recent_mention = index
        if (in_section or index - recent_mention <= 2) and _CONTACT.search(line):
            return index + 1
    return None


# --- files that normally hold secrets (TCOP-03-REPO-009) ------------------------------------

_PRIVATE_KEY = re.compile(rb"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----")
_DOTENV_EXAMPLES = re.compile(
    r"\.(?:example|sample|template|dist|defaults|tmpl|schema)$|^\.env\.(?:example|sample|template|dist|defaults)"
)
_DOTENV_ASSIGNMENT = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*?)\s*$")
_SECRET_KEY = re.compile(
    r"pass(?:word|wd)?|secret|token|api[-_.]?key|private[-_.]?key|access[-_.]?key|credential|auth|dsn|signing|salt",
    re.IGNORECASE,
)
_URL_WITH_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://([^/\s:@]+):([^/\s@]+)@(\[[^\]]*\]|[^/\s:?#]*)", re.IGNORECASE)
_LOCAL_HOSTS = frozenset(("localhost", "0.0.0.0", "[::1]", "host.docker.internal", ""))
# Images' and tutorials' stock passwords: a docker-compose dev database, not a credential.
_DEFAULT_PASSWORDS = frozenset(
    ("postgres", "root", "admin", "password", "pass", "mysql", "redis", "guest", "secret", "sa", "rabbitmq", "minio")
)
# An env file named for development, testing or a local run (.env.test, .env.development, dev.env).
_DOTENV_LOCAL_USE = re.compile(
    r"(?:^|[./_-])(?:dev|development|local|test|tests|testing|ci|e2e|docker|compose)(?:[._-][^/]*)?(?:\.env)?$"
)
_PLACEHOLDER = re.compile(
    r"^(?:|changeme|change[-_]me|replace[-_]?me|todo|tbc|tbd|xxx+|\*+|\.\.\.|null|none|false|true|"
    r"example|dummy|placeholder|your[-_].*|<.*>|\$\{.*\}|\$\w+|\{\{.*\}\})$",
    re.IGNORECASE,
)
# Words only (no digits), one of them saying the value is made up: "test-password", "local_dev_secret".
_MADE_UP_WORDS = re.compile(
    r"^(?=.*(?:test|dev|local|fake|sample|dummy|example|insecure|placeholder|not[-_]?(?:a[-_]?)?secret))"
    r"[a-z]+(?:[-_. ][a-z]+)*$",
    re.IGNORECASE,
)
SECRET_FILE_LIMIT = 64 * 1024


def secret_file_kind(name: str) -> str | None:
    """What kind of secret-holding file the name says this is, or None."""
    lower = name.rpartition("/")[2].lower()
    if lower.endswith((".tfstate", ".tfstate.backup")):
        return "terraform-state"
    if lower.endswith((".pem", ".key")) or lower in _KEY_FILE_NAMES:
        return "private-key"
    if lower.endswith((".p12", ".pfx")):
        return "key-store"
    if (lower == ".env" or lower.startswith(".env.") or lower.endswith(".env")) and not _DOTENV_EXAMPLES.search(lower):
        return "dotenv"
    return None


def secret_file(name: str, data: bytes) -> tuple[str, int] | None:
    """(kind, line) for a private key or a dotenv file with a real-looking secret in it."""
    kind = secret_file_kind(name)
    data = data[:SECRET_FILE_LIMIT]
    if kind == "private-key":
        match = _PRIVATE_KEY.search(data)
        return None if match is None else (kind, data.count(b"\n", 0, match.start()) + 1)
    if kind == "dotenv":
        if _DOTENV_LOCAL_USE.search(name.lower()):
            # committed by convention with local-only values (Rails, Vite, docker-compose):
            # only a credential of a real format is a leak there, not a random-looking dev key
            found = next(find_secrets(data, name), None)
            return None if found is None else (kind, found[0])
        line = _dotenv_secret_line(data.decode("utf-8-sig", errors="replace"))
        return None if line is None else (kind, line)
    return None


def _made_up(value: str) -> bool:
    return bool(
        _PLACEHOLDER.match(value)
        or _MADE_UP_WORDS.match(value)
        or value.lower() in _DEFAULT_PASSWORDS
        or is_placeholder(value.encode("utf-8", "replace"))
    )


def _leaked_url(value: str) -> bool:
    """A connection URL whose password reaches a real host: not a local or compose-service
    database, nor a default password such as postgres:postgres."""
    match = _URL_WITH_PASSWORD.match(value)
    if match is None:
        return False
    user, password, host = match.group(1), match.group(2), match.group(3).lower()
    local = host in _LOCAL_HOSTS or host.startswith("127.") or "." not in host
    return not (local or password == user or _made_up(password))


def _dotenv_secret_line(text: str) -> int | None:
    """The first secret-named assignment with a real-looking value (not empty, not a
    placeholder), or a connection URL carrying a password."""
    for number, line in enumerate(text.splitlines()[:2000], start=1):
        if line.lstrip().startswith("#"):
            continue
        match = _DOTENV_ASSIGNMENT.match(line)
        if match is None:
            continue
        value = match.group(2).split(" #", 1)[0].strip().strip("'\"").strip()
        if _leaked_url(value) or (
            _SECRET_KEY.search(match.group(1)) and not _URL_WITH_PASSWORD.match(value) and not _made_up(value)
        ):
            return number
    return None


# --- files checks read as text or as views ---------------------------------------------------

_DOCS_TEXT = re.compile(
    r"^(?:mkdocs\.ya?ml|config/tech-docs\.yml|docs?/conf\.py|docs/source/conf\.py|docs/_config\.yml|docs/mkdocs\.yml"
    r"|(?:docs/)?antora\.yml|docusaurus\.config\.[jt]s|(?:docs/)?book\.toml|(?:docs/)?hugo\.toml"
    r"|docs/index\.md|docs/licen[cs]e\.md)$|^(?:source/)?layouts/.*footer|footer\.html$",
    re.IGNORECASE,
)
CI_FILES = (
    ".gitlab-ci.yml",
    ".circleci/config.yml",
    "Jenkinsfile",
    "azure-pipelines.yml",
    ".travis.yml",
    "bitbucket-pipelines.yml",
    ".buildkite/pipeline.yml",
    ".drone.yml",
    "cloudbuild.yaml",
    ".woodpecker.yml",
)


# In any folder: data-package metadata (licence files and READMEs beside data are matched by name).
_METADATA_TEXT = re.compile(r"^datapackage\.json$|(?:^|[-.])(?:csv-)?metadata\.json$|\.csvw\.json$", re.IGNORECASE)


def text_wanted(name: str) -> bool:
    """Files whose text checks search: READMEs, licence files, CI configuration,
    documentation-site files, data-package metadata, HANDLING_INSTRUCTIONS."""
    base = name.rpartition("/")[2]
    # The guards are the patterns' own preconditions: a partial scan asks this of every file.
    return (
        is_readme_path(base)
        or is_licence_path(base)
        or (base[-5:].lower() == ".json" and bool(_METADATA_TEXT.search(base)))
        or is_licence_path(name)
        or name in CI_FILES
        or (name.startswith(views.WORKFLOW_DIR) and bool(views.workflow_paths((name,))))
        or ((name.count("/") <= 2 or "footer" in name.lower()) and bool(_DOCS_TEXT.search(name)))
        or ("/" not in name and name.lower() in ("handling_instructions.md", "handling_instructions"))
    )


def view_wanted(name: str, data_files: bool = True) -> bool:
    """Files a repository check reads as a typed view. ``data_files=False`` leaves out the data
    files only the personal-data check reads: its findings are each file's own, so a partial
    scan needs them for its targets alone (9,000 YAML files of the real platform repository)."""
    base = name.rpartition("/")[2]
    return (
        views.is_yaml_view_path(name)
        or bool(views.dockerfile_paths((name,)))
        or name in views.CODEOWNERS_PLACES
        or base in views.MANIFESTS
        or views.is_lockfile(name)
        or name.lower().endswith(".pdf")
        or (data_files and personal_data_candidate(name))
        or secret_file_kind(name) in ("private-key", "dotenv")
        or text_wanted(name)
    )


PDF_HEAD = 4 * 1024 * 1024
_PDFA_PART = re.compile(rb"pdfaid:part\s*(?:=\s*[\"']\s*(\d)|>\s*(\d))")


def pdfa_part(data: bytes) -> str | None:
    """ "1", "2", "3" for a PDF marked PDF/A, "" for another PDF, None for what is not a PDF."""
    data = data[:PDF_HEAD]
    if not data.startswith(b"%PDF"):
        return None
    match = _PDFA_PART.search(data)
    return (match.group(1) or match.group(2)).decode() if match else ""


def _views(name: str, data: bytes, max_bytes: int) -> dict[str, object]:
    found: dict[str, object] = {}
    base = name.rpartition("/")[2]
    text = views.decode(data)
    if text_wanted(name):
        head = data[:SMALL_FILE]
        found["text"] = TextFile(
            head.decode("utf-8-sig", errors="replace"), len(data) <= SMALL_FILE, b"\0" in head[:8192]
        )
    if views.is_yaml_view_path(name):
        found["yaml"] = views.yaml_view(name, text)
    if views.dockerfile_paths((name,)) and text:
        found["from_lines"] = views.from_lines(text)
    if name in views.CODEOWNERS_PLACES and text is not None:
        found["codeowners"] = views.codeowners_rules(text)
    if base in views.MANIFESTS and text is not None:
        found["manifest"] = views.manifest(name, text)
    if views.is_lockfile(name) and len(data) <= views.LOCKFILE_LIMIT:
        found["packages"] = views.locked_packages(name, data.decode("utf-8-sig", errors="replace"))
    if name.lower().endswith(".pdf"):
        found["pdfa_part"] = pdfa_part(data)
    if personal_data_candidate(name):
        found["personal"] = personal_data(name, data[: min(PERSONAL_DATA_LIMIT, max_bytes)])
    if secret_file_kind(name) in ("private-key", "dotenv"):
        found["secret_file"] = secret_file(name, data)
    return {key: value for key, value in found.items() if value is not None}


# --- per file ----------------------------------------------------------------------------------


CLEAN = FileContent()


def wanted(name: str) -> bool:
    """Whether any content check reads this file (by its name alone)."""
    return secret_candidate(name) or licence_candidate(name) or is_readme_path(name) or view_wanted(name)


def repository_file(name: str) -> bool:
    """Files whose facts go into the repository facts (loaders.repository), not to findings."""
    return licence_candidate(name) or is_readme_path(name)


def read_limit(name: str, max_bytes: int) -> int:
    """How many bytes the facts of this file need."""
    lower = name.lower()
    limit = min(TEXT_FILE, max_bytes) + 1
    if lower.endswith(".csv"):
        limit = max(limit, min(TEXT_FILE * 8, max_bytes) + 1)
    if lower.endswith(HTML_SUFFIXES) or view_wanted(name):
        limit = max(limit, SMALL_FILE + 1)
    if licence_candidate(name):
        limit = max(limit, LICENCE_LIMIT)
    if is_readme_path(name):
        limit = max(limit, READ_LIMIT)
    if views.is_lockfile(name):
        limit = max(limit, views.LOCKFILE_LIMIT + 1)
    if lower.endswith(".pdf"):
        limit = max(limit, PDF_HEAD)
    if personal_data_candidate(name):
        limit = max(limit, PERSONAL_DATA_LIMIT)
    return limit


def file_content(name: str, data: bytes, max_bytes: int) -> FileContent | None:
    """The facts of a file whose first ``read_limit`` bytes are ``data``; None when clean."""
    lower = name.lower()
    text_limit = min(TEXT_FILE, max_bytes)
    secrets = secret_hits(data[:text_limit], name) if secret_candidate(name) else ()
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
    found = _views(name, data, max_bytes) if view_wanted(name) else {}
    if (
        not secrets
        and encoding is None
        and csv is None
        and html_line is None
        and licence is None
        and readme is None
        and not found
    ):
        return None
    return FileContent(secrets, encoding, csv, html_line, licence, readme, **found)  # type: ignore[arg-type]


def content_of(content: Mapping[str, FileContent] | None, name: str) -> FileContent:
    """The facts of ``name`` from the load phase (a file missing there is clean, out of scope,
    or was not loaded)."""
    return (content or {}).get(name) or CLEAN
