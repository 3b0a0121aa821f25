"""The shipped licence data: SPDX metadata (data/licences.json) and reference texts (data/texts/).

Loaded on first use and cached; nothing is read at import time.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from tcop_lint import __version__
from tcop_lint.licences.normalise import normalise, title_pattern, wordset

# choosealicense.com's placeholders, as licensee lists them (its _data/fields.yml).
_FIELD = re.compile(r"\[(fullname|login|email|project|description|year|projecturl)\]")

CLASSES = ("permissive", "copyleft", "open-content", "public-domain-like", "non-open")


@dataclass(frozen=True)
class LicenceInfo:
    spdx_id: str
    name: str
    is_osi_approved: bool
    licence_class: str | None  # one of CLASSES, or None where tcop-lint has not classified it
    has_text: bool = False


@dataclass(frozen=True)
class Reference:
    spdx_id: str
    normalised: str
    words: frozenset[str]
    fields: tuple[str, ...] = ()  # choosealicense placeholders ([year], [fullname]) in the text
    alt_segments: int = 0  # places where the SPDX template allows other wording

    @property
    def words_without_fields(self) -> frozenset[str]:
        return self.words - frozenset(self.fields)


@lru_cache(maxsize=1)
def metadata() -> Mapping[str, Any]:
    data = resources.files("tcop_lint.licences").joinpath("data/licences.json").read_text(encoding="utf-8")
    return json.loads(data)


def licence_list_version() -> str:
    return str(metadata()["licenseListVersion"])


@lru_cache(maxsize=1)
def _ids_by_lower_case() -> Mapping[str, str]:
    return {spdx_id.lower(): spdx_id for spdx_id in metadata()["licences"]}


def canonical_id(spdx_id: str) -> str | None:
    """The SPDX list's spelling of an id given in any case, or None if it is not on the list."""
    return _ids_by_lower_case().get(spdx_id.strip().lower())


def licence_info(spdx_id: str | None) -> LicenceInfo | None:
    if not spdx_id:
        return None
    found = canonical_id(spdx_id)
    if found is None:
        return None
    entry = metadata()["licences"][found]
    return LicenceInfo(
        spdx_id=found,
        name=entry["name"],
        is_osi_approved=bool(entry["isOsiApproved"]),
        licence_class=entry.get("class"),
        has_text=bool(entry.get("texts")),
    )


@lru_cache(maxsize=1)
def titles() -> re.Pattern[str]:
    """Every shipped licence's titles, for stripping a title line from any text."""
    found: list[str] = []
    for entry in metadata()["licences"].values():
        found.extend(entry.get("titles") or ())
    return title_pattern(found)


@lru_cache(maxsize=1)
def references() -> tuple[Reference, ...]:
    """The normalised reference texts. Normalising them takes ~0.3 s, which a one-file
    pre-commit scan cannot afford on each run: they are kept in the folder ``store`` names."""
    from tcop_lint.core.storage import data_folder

    folder = data_folder()
    stored = _stored_path(folder) if folder is not None else None
    if stored is not None:
        found = _read_stored(stored)
        if found is not None:
            return found
    built = _build_references()
    if stored is not None:
        _write_stored(stored, built)
    return built


def _build_references() -> tuple[Reference, ...]:
    texts = resources.files("tcop_lint.licences").joinpath("data/texts")
    pattern = titles()
    built = []
    for spdx_id, entry in metadata()["licences"].items():
        for name in entry.get("texts") or ():
            text = normalise(texts.joinpath(name).read_text(encoding="utf-8"), pattern)
            fields = tuple(_FIELD.findall(text))
            built.append(Reference(spdx_id, text, wordset(text), fields, int(entry.get("altSegments") or 0)))
    return tuple(built)


def _stored_path(folder: Path) -> Path | None:
    """Named after everything the references depend on: the code and the shipped data (stats)."""
    here = Path(__file__).parent
    try:
        stamp = [__version__, sys.version_info[:2]]
        for path in (here / "reference.py", here / "normalise.py", here / "data" / "licences.json"):
            st = path.stat()
            stamp.append((path.name, st.st_size, st.st_mtime_ns))
        with os.scandir(here / "data" / "texts") as listing:
            for item in sorted(listing, key=lambda e: e.name):
                st = item.stat()
                stamp.append((item.name, st.st_size, st.st_mtime_ns))
    except OSError:
        return None  # not installed as files (a zip): build them each time
    return folder / f"licence-references-{hashlib.sha256(repr(stamp).encode()).hexdigest()[:32]}.pickle"


def _read_stored(path: Path) -> tuple[Reference, ...] | None:
    try:
        with open(path, "rb") as handle:
            # Written by tcop-lint only, in the user's own cache folder (as the parse cache).
            found = pickle.load(handle)
    except Exception:  # noqa: BLE001 - absent or damaged: build them again
        return None
    if isinstance(found, tuple) and found and all(isinstance(r, Reference) for r in found):
        return found
    return None


def _write_stored(path: Path, built: tuple[Reference, ...]) -> None:
    from tcop_lint.core.storage import write_atomically

    write_atomically(path, built)
