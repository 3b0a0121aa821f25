"""Identifying a licence from its text, or from a statement about it, and judging it by policy."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tcop_lint.licences.normalise import normalise, wordset
from tcop_lint.licences.reference import Reference, canonical_id, licence_info, references, titles

# licensee's default: a match must be at least 98% similar.
CONFIDENCE_THRESHOLD = 98.0
MAX_TEXT_CHARS = 200_000
SPDX_LINE_CONFIDENCE = 0.9
STATEMENT_CONFIDENCE = 0.6


@dataclass(frozen=True)
class LicenceMatch:
    spdx_id: str | None  # an SPDX id, or a simple SPDX expression from an identifier line
    confidence: float  # 0..1
    method: str  # exact | dice | spdx-identifier | statement | none | empty
    line: int | None = None  # 1-based line of an identifier line or statement


NO_MATCH = LicenceMatch(None, 0.0, "none")

_SPDX_LINE = re.compile(r"SPDX-License-Identifier:\s*([^\n\r*#]+)", re.IGNORECASE)
_EXPRESSION_TOKEN = re.compile(r"\(|\)|[A-Za-z0-9.+:-]+")
_OPERATORS = {"AND", "OR", "WITH"}
# A licence file that opens with the title of a non-open Creative Commons variant must not be
# matched to an open CC licence (licensee guards against the same false positive).
_CC_NON_OPEN_TITLE = re.compile(
    r"\A\W*(?:creative commons )?attribution[- ]?(?:non-?commercial|no-?derivatives|no-?derivs)", re.IGNORECASE
)


def _similarity(words: frozenset[str], length: int, reference: Reference) -> float:
    """licensee's Sørensen–Dice on word sets: placeholders in the reference text do not count,
    and a small penalty for a difference in length, less where the text may legitimately vary."""
    reference_words = reference.words_without_fields
    overlap = len(words & reference_words)
    delta = abs(length - len(reference.normalised))
    delta = max(0, delta - max(len(reference.fields), reference.alt_segments) * 4)
    total = len(reference_words) + len(words) - len(set(reference.fields)) + delta / 4
    return 0.0 if total <= 0 else overlap * 200.0 / total


def identify_text(text: str) -> LicenceMatch:
    """The SPDX id of a licence file's text, as GitHub's licensee would find it, or no match."""
    if not isinstance(text, str) or not text.strip():
        return LicenceMatch(None, 0.0, "empty")
    text = text[:MAX_TEXT_CHARS]
    candidates = references()
    if _CC_NON_OPEN_TITLE.match(text.lstrip("\ufeff# \t\r\n")):
        candidates = tuple(r for r in candidates if not _open_cc(r.spdx_id))
    normalised = normalise(text, titles())
    found = _best_match(normalised, candidates)
    if found is None:  # the holders' names may run on below the copyright line
        without_notice = normalise(text, titles(), notice_paragraph=True)
        if without_notice != normalised:
            found = _best_match(without_notice, candidates)
    if found is not None:
        return found
    declared = spdx_identifier_line(text)
    return declared if declared is not None else NO_MATCH


def _best_match(normalised: str, candidates: tuple[Reference, ...]) -> LicenceMatch | None:
    words = wordset(normalised)
    for reference in candidates:  # licensee's exact match: the same set of words
        if words and reference.words == words:
            return LicenceMatch(reference.spdx_id, 1.0, "exact")
    best: tuple[float, str] | None = None
    for reference in candidates:
        score = _similarity(words, len(normalised), reference)
        if score >= CONFIDENCE_THRESHOLD and (best is None or score > best[0]):
            best = (score, reference.spdx_id)
    if best is None:
        return None
    return LicenceMatch(best[1], round(min(best[0], 100.0) / 100.0, 4), "dice")


def _open_cc(spdx_id: str) -> bool:
    return spdx_id.startswith("CC-BY") and "-NC" not in spdx_id and "-ND" not in spdx_id


def parse_expression(expression: str) -> str | None:
    """A simple SPDX expression with ids put in the list's spelling, or None if not one."""
    tokens = _EXPRESSION_TOKEN.findall(expression.strip())
    if not tokens or len(tokens) > 20:
        return None
    out: list[str] = []
    expect_operand = True
    after_with = False
    for token in tokens:
        upper = token.upper()
        if token in "()":
            out.append(token)
            continue
        if upper in _OPERATORS:
            if expect_operand:
                return None
            out.append(upper)
            after_with = upper == "WITH"
            expect_operand = True
            continue
        if not expect_operand:
            return None
        if after_with or token.startswith(("LicenseRef-", "DocumentRef-")):
            out.append(token)
        else:
            plus = token.endswith("+")
            found = canonical_id(token[:-1] if plus else token)
            if found is None:
                return None
            out.append(found + ("+" if plus else ""))
        expect_operand = False
        after_with = False
    if expect_operand:
        return None
    return " ".join(out).replace("( ", "(").replace(" )", ")")


def spdx_identifier_line(text: str) -> LicenceMatch | None:
    """An ``SPDX-License-Identifier:`` line naming known ids."""
    found = _SPDX_LINE.search(text)
    if found is None:
        return None
    expression = parse_expression(found.group(1).strip().rstrip("-> ").strip())
    if expression is None:
        return None
    line = text.count("\n", 0, found.start()) + 1
    return LicenceMatch(expression, SPDX_LINE_CONFIDENCE, "spdx-identifier", line)


_VERSION_2 = r"(?:,?\s*(?:v|version\s*)?2(?:\.0)?\b)"
_VERSION_3 = r"(?:,?\s*(?:v|version\s*)?3(?:\.0)?\b)"
_LICENCE = r"licen[cs]e"
# Names and common abbreviations, most specific first.
STATEMENT_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (spdx_id, re.compile(pattern, re.IGNORECASE))
    for spdx_id, pattern in (
        ("OGL-UK-3.0", rf"\bopen government {_LICENCE}\b(?:\s*\(ogl\))?{_VERSION_3}|\bogl(?:-uk)?[- ]?v?3(?:\.0)?\b"),
        ("Apache-2.0", rf"\bapache(?: software)? {_LICENCE}{_VERSION_2}|\bapache[- ]2(?:\.0)?\b"),
        ("MIT-0", r"\bMIT[- ]0\b|\bMIT No Attribution\b"),
        ("MIT", rf"\bMIT {_LICENCE}\b|\bthe MIT\b|\bexpat {_LICENCE}\b"),
        ("BSD-3-Clause", r"\bBSD[- ]3[- ]Clause\b|\b(?:new|revised|modified) BSD\b"),
        ("BSD-2-Clause", rf"\bBSD[- ]2[- ]Clause\b|\bsimplified BSD\b|\bFreeBSD {_LICENCE}\b"),
        ("0BSD", r"\b0BSD\b|\bzero[- ]clause BSD\b|\bBSD zero clause\b"),
        ("ISC", rf"\bISC {_LICENCE}\b"),
        ("MPL-2.0", rf"\bmozilla public {_LICENCE}{_VERSION_2}|\bMPL[- ]?v?2(?:\.0)?\b"),
        ("AGPL-3.0", rf"\b(?:GNU )?affero general public {_LICENCE}{_VERSION_3}|\bAGPL[- ]?v?3(?:\.0)?\b"),
        ("LGPL-3.0", rf"\b(?:GNU )?lesser general public {_LICENCE}{_VERSION_3}|\bLGPL[- ]?v?3(?:\.0)?\b"),
        ("LGPL-2.1", rf"\b(?:GNU )?lesser general public {_LICENCE},?\s*(?:v|version\s*)?2\.1\b|\bLGPL[- ]?v?2\.1\b"),
        ("GPL-3.0", rf"\b(?:GNU )?general public {_LICENCE}{_VERSION_3}|\bGPL[- ]?v?3(?:\.0)?\b"),
        ("GPL-2.0", rf"\b(?:GNU )?general public {_LICENCE}{_VERSION_2}|\bGPL[- ]?v?2(?:\.0)?\b"),
        ("EPL-2.0", rf"\beclipse public {_LICENCE}{_VERSION_2}|\bEPL[- ]?v?2(?:\.0)?\b"),
        ("EUPL-1.2", rf"\beuropean union public {_LICENCE},?\s*(?:v\.?\s*|version\s*)?1\.2\b|\bEUPL[- ]?v?1\.2\b"),
        ("BSL-1.0", rf"\bboost software {_LICENCE}\b"),
        ("Unlicense", r"\bthe unlicen[cs]e\b|\bunlicen[cs]e\.org\b"),
        ("CC0-1.0", r"\bCC0\b|\bcreative commons zero\b"),
        ("CC-BY-NC-ND-4.0", r"\bCC[- ]BY[- ]NC[- ]ND[- ]4\.0\b|\battribution[- ]noncommercial[- ]noderivatives 4\.0\b"),
        ("CC-BY-NC-SA-4.0", r"\bCC[- ]BY[- ]NC[- ]SA[- ]4\.0\b|\battribution[- ]noncommercial[- ]sharealike 4\.0\b"),
        ("CC-BY-NC-4.0", r"\bCC[- ]BY[- ]NC[- ]4\.0\b|\battribution[- ]noncommercial 4\.0\b"),
        ("CC-BY-ND-4.0", r"\bCC[- ]BY[- ]ND[- ]4\.0\b|\battribution[- ]noderivatives 4\.0\b"),
        ("CC-BY-SA-4.0", r"\bCC[- ]BY[- ]SA[- ]4\.0\b|\battribution[- ]sharealike 4\.0\b"),
        ("CC-BY-4.0", r"\bCC[- ]BY[- ]4\.0\b|\bcreative commons attribution 4\.0\b"),
        ("BUSL-1.1", rf"\bbusiness source {_LICENCE}\b|\bBUSL[- ]1\.1\b"),
        ("SSPL-1.0", rf"\bserver side public {_LICENCE}\b|\bSSPL\b"),
        ("Elastic-2.0", rf"\belastic {_LICENCE}{_VERSION_2}"),
    )
)
_STATEMENT_CONTEXT = re.compile(
    r"licen[cs]|released under|distributed under|available under|published under", re.IGNORECASE
)
_LICENCE_HEADING = re.compile(
    r"^\s*(?:#{1,6}\s*|<h\d[^>]*>\s*)?(?:licen[cs]e|licen[cs]ing|copyright and licen[cs]e)\b", re.IGNORECASE
)
_HEADING = re.compile(r"^\s*(?:#{1,6}\s|<h\d|[=-]{3,}\s*$)")


def identify_statement(text: str) -> LicenceMatch:
    """A licence named in prose (a README): an SPDX identifier line, or a sentence such as
    "licensed under the MIT License" or a Licence section naming one. Lower confidence than a
    licence text, since the statement is not the licence itself."""
    if not isinstance(text, str) or not text.strip():
        return NO_MATCH
    text = text[:MAX_TEXT_CHARS]
    declared = spdx_identifier_line(text)
    if declared is not None:
        return declared
    in_licence_section = False
    for number, line in enumerate(text.splitlines(), start=1):
        if _LICENCE_HEADING.match(line):
            in_licence_section = True
        elif _HEADING.match(line):
            in_licence_section = False
        if not (in_licence_section or _STATEMENT_CONTEXT.search(line)):
            continue
        for spdx_id, pattern in STATEMENT_PATTERNS:
            if pattern.search(line):
                return LicenceMatch(spdx_id, STATEMENT_CONFIDENCE, "statement", number)
    return NO_MATCH


def _family(spdx_id: str) -> str:
    """GPL-3.0, GPL-3.0-only, GPL-3.0-or-later and GPL-3.0+ share one full text."""
    lowered = spdx_id.lower()
    for suffix in ("-or-later", "-only", "+"):
        if lowered.endswith(suffix):
            return lowered[: -len(suffix)]
    return lowered


def _allowed_one(spdx_id: str, allowed: tuple[str, ...]) -> bool:
    if _family(spdx_id) in {_family(a) for a in allowed if not a.startswith("@")}:
        return True
    if "@osi-approved" in allowed:
        base = spdx_id[:-1] if spdx_id.endswith("+") else spdx_id
        info = licence_info(base)
        return info is not None and info.is_osi_approved
    return False


def is_allowed(spdx_id: str | None, allowed: tuple[str, ...]) -> bool:
    """Whether a licence (or a simple SPDX expression) is admitted by a policy list.

    "@osi-approved" in ``allowed`` admits every OSI-approved id. In an expression, OR needs one
    admitted side and AND needs all; an exception after WITH does not change the licence.
    """
    if not spdx_id:
        return False
    tokens = [t for t in _EXPRESSION_TOKEN.findall(spdx_id) if t not in "()"]
    alternatives: list[list[str]] = [[]]
    skip_next = False
    for token in tokens:
        upper = token.upper()
        if skip_next:
            skip_next = False
        elif upper == "WITH":
            skip_next = True
        elif upper == "OR":
            alternatives.append([])
        elif upper != "AND":
            alternatives[-1].append(token)
    return any(group and all(_allowed_one(t, allowed) for t in group) for group in alternatives)
