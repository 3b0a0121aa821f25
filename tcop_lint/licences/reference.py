"""The shipped licence data: SPDX metadata (data/licences.json) and reference texts (data/texts/).

Loaded on first use and cached; nothing is read at import time.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Mapping

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
    texts = resources.files("tcop_lint.licences").joinpath("data/texts")
    pattern = titles()
    built = []
    for spdx_id, entry in metadata()["licences"].items():
        for name in entry.get("texts") or ():
            text = normalise(texts.joinpath(name).read_text(encoding="utf-8"), pattern)
            fields = tuple(_FIELD.findall(text))
            built.append(Reference(spdx_id, text, wordset(text), fields, int(entry.get("altSegments") or 0)))
    return tuple(built)
