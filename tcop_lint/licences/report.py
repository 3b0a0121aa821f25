"""The licence of a project as a whole, decided the way GitHub's licensee decides it.

licensee scores the files at the root by name (LICENSE before LICENSE.md before COPYING ...),
matches each one (a copyright-only file, then an exact match, then Dice similarity; anything
else is "other"), adds the licence section of the README, and then takes the one licence they
agree on. Several different licences make "other" (NOASSERTION), except a GPL licence beside
an LGPL text in COPYING.lesser, which is the LGPL. As licensee 10 does, the texts in a
REUSE-style ``LICENSES/`` folder count beside those at the root.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from tcop_lint.licences.match import LicenceMatch, identify_statement, identify_text
from tcop_lint.licences.reference import canonical_id, references

NONE = "NONE"
NOASSERTION = "NOASSERTION"
READ_LIMIT = 256 * 1024
MAX_CANDIDATES = 50

_LICENSE = r"(?:un)?licen[sc]e"
_COPYING = r"copy(?:ing|right)"
_PREFERRED_EXT = r"\.(?:md|markdown|txt|html)"
_LICENSE_EXT = r"\.(?!spdx\b|header\b)[^./]+"
_OTHER_EXT = r"\.(?!xml\b|go\b|gemspec\b)[^./]+"
_ANY_EXT = r"\.[^./]+"
# licensee's filename scores: a higher score is a likelier licence file; 0 is not one.
_NAME_SCORES: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(pattern, re.IGNORECASE), score)
    for pattern, score in (
        (rf"{_LICENSE}", 1.00),
        (rf"{_LICENSE}{_PREFERRED_EXT}", 0.95),
        (rf"{_COPYING}", 0.90),
        (rf"{_COPYING}{_PREFERRED_EXT}", 0.85),
        (rf"{_LICENSE}{_LICENSE_EXT}", 0.80),
        (rf"{_COPYING}{_ANY_EXT}", 0.75),
        (rf"{_LICENSE}[-_][^.]*(?:{_OTHER_EXT})?", 0.70),
        (rf"{_COPYING}[-_][^.]*(?:{_OTHER_EXT})?", 0.65),
        (rf"\w+[-_]{_LICENSE}[^.]*(?:{_OTHER_EXT})?", 0.60),
        (rf"\w+[-_]{_COPYING}[^.]*(?:{_OTHER_EXT})?", 0.55),
        (rf"ofl{_PREFERRED_EXT}.*", 0.50),
        (rf"ofl{_OTHER_EXT}.*", 0.45),
        (r"ofl", 0.40),
        (r"patents", 0.35),
        (rf"patents{_OTHER_EXT}", 0.30),
    )
)
# A file in LICENSES/ is named after its SPDX id or LicenseRef-.
_LICENSES_FOLDER_NAME = re.compile(
    r"(?:LicenseRef-[a-z0-9](?:[-a-z0-9.]*[a-z0-9])?|[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)" + _PREFERRED_EXT, re.IGNORECASE
)
_README_SECTION = re.compile(
    r"^(?:[#=]+\s+licen[sc]e:?\s*[#=]*|licen[sc]e:?\n[-=]+)$"
    r"(.*?)"
    r"(?=^(?:[#=]+|[^\n]+\n[-=]+)|\Z)",
    re.MULTILINE | re.IGNORECASE | re.DOTALL,
)
_COPYRIGHT_ONLY = re.compile(r"(?:[_*\-\s]*(?:copyright|\(c\)|©).*)+", re.IGNORECASE)
_HTML_BREAKS = re.compile(r"<\s*(?:/p|br\s*/?|/h\d|/li|/div|/tr)\s*>", re.IGNORECASE)
_HTML_TAG = re.compile(r"<[^>]*>")
_HTML_HEAD = re.compile(r"<\s*(head|script|style)\b.*?<\s*/\s*\1\s*>", re.IGNORECASE | re.DOTALL)

OTHER = "other"  # licensee's pseudo-licence: a licence file it cannot identify
NO_LICENSE = "no-license"  # a file holding only a copyright notice


@dataclass(frozen=True)
class LicenceFile:
    path: str  # repository-relative, posix
    spdx_id: str  # an SPDX id or expression, NOASSERTION (unidentified) or NONE (copyright only)
    confidence: float  # 0..1
    method: str  # exact | dice | spdx-identifier | copyright | statement | none | empty


@dataclass(frozen=True)
class ProjectLicence:
    spdx_id: str  # an SPDX id, NOASSERTION or NONE
    files: tuple[LicenceFile, ...]  # every file that was read, in the order licensee weighs them
    confidence: float  # 0..1; 0 for NONE and NOASSERTION
    method: str  # licence-file | lgpl-pair | readme | licenses-folder | several | unidentified | none


def name_score(name: str) -> float:
    for pattern, score in _NAME_SCORES:
        if pattern.fullmatch(name):
            return score
    return 0.0


def readme_licence_section(text: str) -> str | None:
    """The text under a README's Licence heading, as licensee cuts it, or None."""
    found = _README_SECTION.search(text)
    return found.group(1).strip() if found else None


def _read(path: Path, root: Path) -> str | None:
    from tcop_lint.core.files import read_prefix

    try:
        name = path.relative_to(root).as_posix()
    except ValueError:
        return None
    data = read_prefix(root, name, READ_LIMIT)
    if data is None:
        return None
    # licensee drops bytes that are not UTF-8 and makes every line end a plain newline.
    text = data.decode("utf-8", errors="ignore")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _html_to_text(text: str) -> str:
    text = _HTML_HEAD.sub("", text)
    text = _HTML_BREAKS.sub("\n\n", text)
    text = _HTML_TAG.sub("", text)
    return html.unescape(re.sub(r"[ \t]+", " ", text))


def _is_copyright_only(text: str) -> bool:
    return bool(_COPYRIGHT_ONLY.fullmatch(text.strip().lstrip("\ufeff")))


def identify_file(name: str, text: str, *, readme: bool = False) -> LicenceFile:
    """One file as licensee's LicenseFile (or ReadmeFile section) sees it."""
    if _is_copyright_only(text) and text.strip():
        return LicenceFile(name, NONE, 1.0, "copyright")
    if name.lower().endswith((".html", ".htm")):
        text = _html_to_text(text)
    match: LicenceMatch = identify_text(text)
    if match.spdx_id is None and readme:
        match = identify_statement("## Licence\n\n" + text)
    if match.spdx_id is None and readme:
        match = _named_id(text)
    if match.spdx_id is None:
        return LicenceFile(name, NOASSERTION, 0.0, match.method)
    return LicenceFile(name, match.spdx_id, match.confidence, match.method)


@lru_cache(maxsize=1)
def _id_pattern() -> re.Pattern[str]:
    ids = sorted({r.spdx_id for r in references()}, key=len, reverse=True)
    return re.compile(r"(?<![\w.-])(" + "|".join(re.escape(i) for i in ids) + r")(?![\w-])", re.IGNORECASE)


def _named_id(text: str) -> LicenceMatch:
    """licensee's reference matcher also takes a licence's bare key ("MIT") in a README section."""
    found = _id_pattern().search(text)
    if found is None:
        return LicenceMatch(None, 0.0, "none")
    return LicenceMatch(canonical_id(found.group(1)), 0.6, "statement")


def _family(spdx_id: str) -> str:
    return re.sub(r"(?:-only|-or-later|\+)$", "", spdx_id)


def _is_gpl(spdx_id: str) -> bool:
    return _family(spdx_id) in ("GPL-2.0", "GPL-3.0")


def _is_lgpl(spdx_id: str) -> bool:
    return _family(spdx_id) in ("LGPL-2.1", "LGPL-3.0")


def _root_names(root: Path) -> list[str]:
    try:
        return sorted(entry.name for entry in root.iterdir() if entry.is_file())
    except OSError:
        return []


def _licence_files(root: Path, names: Sequence[str]) -> list[LicenceFile]:
    scored = sorted(((name_score(n), n) for n in names if name_score(n) > 0), key=lambda s: (-s[0], s[1]))
    found = []
    for _, name in scored[:MAX_CANDIDATES]:
        text = _read(root / name, root)
        if text is not None:
            found.append(identify_file(name, text))
    if found and _is_gpl(found[0].spdx_id):  # the LGPL lives in COPYING.lesser beside the GPL
        for index, entry in enumerate(found):
            if entry.path.lower() == "copying.lesser" and _is_lgpl(entry.spdx_id):
                found.insert(0, found.pop(index))
                break
    return found


def _readme_file(root: Path, names: Sequence[str]) -> LicenceFile | None:
    from tcop_lint.core.files import readme_path  # the README the checks read

    name = readme_path(names)
    if name is None:
        return None
    text = _read(root / name, root)
    section = readme_licence_section(text) if text else None
    if not section:
        return None
    return identify_file(name, section, readme=True)


def _licenses_folder(root: Path) -> list[LicenceFile]:
    folder = root / "LICENSES"
    try:
        names = sorted(e.name for e in folder.iterdir() if e.is_file() and _LICENSES_FOLDER_NAME.fullmatch(e.name))
    except OSError:
        return []
    found = []
    for name in names[:MAX_CANDIDATES]:
        text = _read(folder / name, root)
        if text is not None:
            found.append(identify_file(f"LICENSES/{name}", text))
    return found


def _is_copyright_file(entry: LicenceFile) -> bool:
    base = entry.path.rsplit("/", 1)[-1]
    return entry.method == "copyright" and bool(
        re.fullmatch(r"copyright(?:\.(?!xml\b|go\b|gemspec\b)[^./]+)?", base, re.IGNORECASE)
    )


def _decide(licence_files: list[LicenceFile], readme: LicenceFile | None) -> tuple[str, str]:
    considered = licence_files + ([readme] if readme else [])
    licences = list(dict.fromkeys(e.spdx_id for e in considered))
    lgpl_pair = (
        len(licences) == 2
        and len(licence_files) == 2
        and licence_files[0].path.lower() == "copying.lesser"
        and _is_lgpl(licence_files[0].spdx_id)
        and _is_gpl(licence_files[1].spdx_id)
    )
    deciding = list(dict.fromkeys(e.spdx_id for e in considered if not _is_copyright_file(e)))
    if lgpl_pair:
        return deciding[0], "lgpl-pair"
    if len(deciding) == 1:
        spdx_id = deciding[0]
        if spdx_id == NOASSERTION:
            return spdx_id, "unidentified"
        if spdx_id == NONE:
            return spdx_id, "none"
        return spdx_id, "readme" if not licence_files or all(
            e.spdx_id != spdx_id for e in licence_files
        ) else "licence-file"
    if len(deciding) > 1:
        return NOASSERTION, "several"
    return NONE, "none"


def project_licence(root: Path) -> ProjectLicence:
    """The project's licence, as GitHub's licensee would report it. Never raises."""
    root = Path(root)
    try:
        root = root.resolve()
    except (OSError, RuntimeError):
        pass
    if root.is_file():
        root = root.parent
    names = _root_names(root)
    licence_files = _licence_files(root, names)
    folder = _licenses_folder(root)
    readme = _readme_file(root, names)
    spdx_id, method = _decide(licence_files + folder, readme)
    files = tuple(licence_files + folder + ([readme] if readme else []))
    if method == "licence-file" and all(e.spdx_id != spdx_id for e in licence_files):
        method = "licenses-folder"
    agreeing = [e.confidence for e in files if e.spdx_id == spdx_id]
    confidence = min(agreeing) if agreeing and spdx_id not in (NONE, NOASSERTION) else 0.0
    return ProjectLicence(spdx_id, files, round(confidence, 4), method)


def render_project_licence(result: ProjectLicence, fmt: Literal["text", "json"] = "text") -> str:
    if fmt == "json":
        payload = {
            "spdx_id": result.spdx_id,
            "confidence": result.confidence,
            "method": result.method,
            "files": [
                {"path": e.path, "spdx_id": e.spdx_id, "confidence": e.confidence, "method": e.method}
                for e in result.files
            ],
        }
        return json.dumps(payload, indent=2, sort_keys=True) + "\n"
    return result.spdx_id + "\n"
