"""Licence text normalisation, following the rules GitHub's licensee applies before comparing.

The steps and their order mirror licensee's ContentHelper (markdown, titles, versions, copyright
lines, spelling variants, bullets, quotes, dashes, whitespace), so that a LICENCE.md with British
spelling and markdown still compares equal to the SPDX reference text.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

_M = re.MULTILINE
_MI = re.MULTILINE | re.IGNORECASE
_MIS = re.MULTILINE | re.IGNORECASE | re.DOTALL

_HRS = re.compile(r"^\s*[=\-*]{3,}\s*$", _M)
_COMMENT = re.compile(r"^\s*?[/*]{1,2}", _M)
_MARKDOWN_HEADING = re.compile(r"^\s*#+", _M)
_LINK = re.compile(r"\[(.+?)\]\(.+?\)")
_VERSION = re.compile(r"\A\s*version.*$", _MI)
# A list item, with the item's own marker ("(a)", "**b)**") dropped after the bullet.
_LISTS = re.compile(r"^\s*(?:\d\.|[*-])(?: [*_]{0,2}\(?[\da-z]\)[*_]{0,2})?\s+([^\n])", _M)
_HYPHENATED = re.compile(r"(?<!\w)(\w+)-\s*\n\s*(\w+)")  # from a word's start: linear on long runs
_DASHES = re.compile(r"(?<!^)([—–-]+)(?!$)", _M)
_QUOTES = re.compile(r"[`'\"‘“’”]")
_SPAN_MARKUP = re.compile(r"[_*~]+(.*?)[_*~]+")
_BULLET = re.compile(r"\n\n\s*(?:[*-]|\(?[\da-z]{1,2}[).])\s+", re.IGNORECASE)
_BORDER = re.compile(r"^[*-](.*?)[*-]$", _M)
_URL = re.compile(r"\A\s*[<(\[]?https?://[^ ]+\n", _M)
_BLOCK_MARKUP = re.compile(r"^\s*>", _M)
_DEVELOPED_BY = re.compile(r"\A\s*developed by:.*?\n\n", _MIS)
_END_OF_TERMS = re.compile(r"^[\s#*_]*end of terms and conditions[\s#*_]*$", _MI)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HTML_ENTITY = re.compile(r"&(?:[a-z]{2,8}\d{0,2}|#\d{1,6}|#x[\da-f]{1,5});", re.IGNORECASE)
# Markdown's autolinks (<https://...>) and backslash escapes (\*, \_, \[) are formatting, not words.
_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+|[^@<>\s]+@[^@<>\s]+\.[a-z]{2,})>", re.IGNORECASE)
_MARKDOWN_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # any ASCII punctuation, as CommonMark allows
_WHITESPACE = re.compile(r"\s+")
# Who grants and disclaims: the SPDX templates of BSD and MIT let these words be anything (<alt
# match=".+">): "THE AUTHOR AND CONTRIBUTORS" as well as "THE COPYRIGHT HOLDERS AND CONTRIBUTORS",
# "Neither the name of Example Ltd nor the names of its contributors".
_HOLDER = r"\s+[^.;:']{1,120}?\s+"
_HOLDER_SLOTS = tuple(
    (re.compile(pattern.replace(" ", r"\s+")), replacement)
    for pattern, replacement in (
        (r"\bprovided by" + _HOLDER + r"(?='as is')", "provided by the holder "),
        (r"\bin no event shall" + _HOLDER + r"(?=be liable)", "in no event shall the holder "),
        (
            r"\bneither the names? of" + _HOLDER + r"nor the names of (?:(?:its|their|any|specific) )?"
            r"(?:authors and )?contributors,? may\b",
            "neither the name of the holder nor the names of its contributors may",
        ),
    )
)
_MIT_OPTIONAL = re.compile(r"\(including the next paragraph\)", re.IGNORECASE)
_CC_DEDICATION = re.compile(r"The\s+text\s+of\s+the\s+Creative\s+Commons.*?Public\s+Domain\s+Dedication.", _MIS)
_CC_WIKI = re.compile(r"wiki.creativecommons.org", re.IGNORECASE)
_CC_LEGAL_CODE = re.compile(r"^\s*Creative Commons Legal Code\s*$", _MI)
_CC0_INFO = re.compile(r"For more information, please see\s*\S+zero\S+", _MIS)
_CC0_DISCLAIMER = re.compile(r"CREATIVE COMMONS CORPORATION.*?\n\n", _MIS)
_UNLICENSE_INFO = re.compile(r"For more information, please.*\S+unlicense\S+", _MIS)

_COPYRIGHT_SYMBOLS = r"(?:copyright|\(c\)|©)"
# A few words may stand before the symbol in a notice ("Crown Copyright (c) 2024", "Portions
# copyright"); a sentence of the licence ("The above copyright notice") does not start a notice.
_NOTICE_PREFIX = (
    r"(?:(?!(?:the|this|that|these|such|any|all|no|of|and|or|above|said|a|an|its|their|your|you)\b)"
    r"[a-z][\w.'-]*\s+){0,3}"
)
_COPYRIGHT = re.compile(
    r"\A\s*(?:[_*\-\s]*" + _NOTICE_PREFIX + _COPYRIGHT_SYMBOLS + r".*$(?:\n[ \t]+\d{4}[^\n]*)*"
    r"(?:[_*\-\s]*with Reserved Font Name.*$)*)+$"
    r"|\A\s*all rights reserved\.?$",
    _MI,
)
NOTICE_PARAGRAPH_LINES = 6
_OPENING_PARAGRAPH = re.compile(r"\A.*?(?=\n\n)", re.DOTALL)
_NOTICE_LINE = re.compile(r"[_*\-\s]*" + _COPYRIGHT_SYMBOLS + r".*$", _MI)
_ALL_RIGHTS_RESERVED = re.compile(r"all rights reserved", re.IGNORECASE)
# Words of terms, not of names: a notice paragraph that says them may carry a condition.
_TERMS = re.compile(
    r"\b(?:may|must|shall|not|only|except|use[ds]?|permi\w*|licen[cs]\w*|grant\w*|condition\w*|restrict\w*|prohibit\w*)\b",
    re.IGNORECASE,
)
_WORDS = re.compile(r"(?:[\w/-](?:'s|(?<=s)')?)+")

# Legally equivalent spellings (SPDX matching guidelines), as licensee lists them.
VARIETAL_WORDS = {
    "acknowledgment": "acknowledgement",
    "analogue": "analog",
    "analyse": "analyze",
    "artefact": "artifact",
    "authorisation": "authorization",
    "authorised": "authorized",
    "calibre": "caliber",
    "cancelled": "canceled",
    "capitalisations": "capitalizations",
    "catalogue": "catalog",
    "categorise": "categorize",
    "centre": "center",
    "emphasised": "emphasized",
    "favour": "favor",
    "favourite": "favorite",
    "fulfil": "fulfill",
    "fulfilment": "fulfillment",
    "initialise": "initialize",
    "judgment": "judgement",
    "labelling": "labeling",
    "labour": "labor",
    "licence": "license",
    "licences": "licenses",
    "licenced": "licensed",
    "maximise": "maximize",
    "modelled": "modeled",
    "modelling": "modeling",
    "offence": "offense",
    "optimise": "optimize",
    "organisation": "organization",
    "organise": "organize",
    "practise": "practice",
    "programme": "program",
    "realise": "realize",
    "recognise": "recognize",
    "signalling": "signaling",
    "sub-license": "sublicense",
    "sub license": "sublicense",
    "utilisation": "utilization",
    "whilst": "while",
    "wilful": "willful",
    "non-commercial": "noncommercial",
    "per cent": "percent",
    "copyright owner": "copyright holder",
}
_SPELLING = re.compile(
    r"\b(?:"
    + "|".join(r"\s+".join(map(re.escape, k.split())) for k in sorted(VARIETAL_WORDS, key=len, reverse=True))
    + r")\b"
)


def _strip(pattern: re.Pattern[str], text: str) -> str:
    """licensee's strip: the match becomes one space, runs of spaces close up, ends trimmed."""
    return re.sub(r" {2,}", " ", pattern.sub(" ", text)).strip()


def title_pattern(titles: Iterable[str]) -> re.Pattern[str]:
    """A first line that starts with a licence title (``(The) MIT License ...``)."""
    alternatives = sorted(
        {re.escape(t).replace("Licence", "Licen[cs]e").replace("License", "Licen[cs]e") for t in titles},
        key=len,
        reverse=True,
    )
    if not alternatives:
        return re.compile(r"(?!)")
    return re.compile(r"\A\s*\(?(?:the )?(?:" + "|".join(alternatives) + r").*?$", _MI)


def _strip_repeatedly(pattern: re.Pattern[str], text: str, limit: int = 50) -> str:
    for _ in range(limit):  # bounded: each pass removes text, but never trust that blindly
        if not pattern.search(text):
            break
        text = _strip(pattern, text)
    return text


def _strip_copyright(text: str, notice_paragraph: bool) -> str:
    """Copyright lines at the start. As licensee 10 does, an opening paragraph that holds a notice
    and "All rights reserved" goes whole, however many lines the holders' names take; with
    ``notice_paragraph``, so does a short one that starts with a notice."""
    opening = _OPENING_PARAGRAPH.match(text)
    paragraph = opening.group(0) if opening else ""
    if _NOTICE_LINE.search(paragraph) and not _TERMS.search(paragraph.partition("\n")[2]):
        if _ALL_RIGHTS_RESERVED.search(paragraph) or (
            notice_paragraph and paragraph.count("\n") < NOTICE_PARAGRAPH_LINES and _COPYRIGHT.match(text)
        ):
            text = _strip(_OPENING_PARAGRAPH, text)
    return _strip_repeatedly(_COPYRIGHT, text)


def _strip_comments(text: str) -> str:
    lines = text.split("\n")
    if len(lines) > 1 and all(_COMMENT.match(line) for line in lines):
        return _strip(_COMMENT, text)
    return text


def without_title_and_version(text: str, titles: re.Pattern[str]) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff").strip()
    text = _HTML_COMMENT.sub(" ", text)
    text = _HTML_ENTITY.sub(lambda m: html.unescape(m.group(0)), text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _MARKDOWN_ESCAPE.sub(r"\1", text)
    text = _strip(_HRS, text)
    text = _strip_comments(text)
    text = _strip(_MARKDOWN_HEADING, text)
    text = _LINK.sub(r"\1", text).strip()
    text = _strip_repeatedly(titles, text)
    return _strip(_VERSION, text)


def normalise(text: str, titles: re.Pattern[str], *, notice_paragraph: bool = False) -> str:
    """The comparable form of a licence text: lower case, one line, no title or copyright.
    ``notice_paragraph``: the opening paragraph, when it starts with a copyright line and is
    short, is a notice whose holders' names run over several lines, and goes whole."""
    text = without_title_and_version(text, titles).lower()
    text = _LISTS.sub(r"- \1", text)
    text = _HYPHENATED.sub(r"\1-\2", text)
    text = text.replace("http:", "https:").replace("&", "and")
    text = _DASHES.sub("-", text)
    text = _QUOTES.sub("'", text)
    text = _SPELLING.sub(lambda m: VARIETAL_WORDS[" ".join(m.group(0).split())], text)
    text = _SPAN_MARKUP.sub(r"\1", text)
    text = _BULLET.sub("\n\n- ", text)
    text = re.sub(r"\)\s+\(", ")(", text)
    for pattern, replacement in _HOLDER_SLOTS:
        text = pattern.sub(replacement, text)
    if "creative commons" in text:
        text = _strip(_CC_DEDICATION, text)
        text = _strip(_CC_WIKI, text)
    if "associating cc0" in text:
        text = _strip(_CC_LEGAL_CODE, text)
        text = _strip(_CC0_INFO, text)
        text = _strip(_CC0_DISCLAIMER, text)
    if "unlicense" in text:
        text = _strip(_UNLICENSE_INFO, text)
    text = _BORDER.sub(r"\1", text)
    text = _strip_repeatedly(titles, text)
    text = _strip(_VERSION, text)
    text = _strip(_URL, text)
    text = _strip_copyright(text, notice_paragraph)
    text = _strip_repeatedly(titles, text)
    text = _strip(_BLOCK_MARKUP, text)
    text = _strip(_DEVELOPED_BY, text)
    text = _END_OF_TERMS.split(text, maxsplit=1)[0]
    text = _strip(_WHITESPACE, text)
    return _strip(_MIT_OPTIONAL, text)


def wordset(normalised: str) -> frozenset[str]:
    return frozenset(_WORDS.findall(normalised))
