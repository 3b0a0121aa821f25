"""Licence identification and policy, with shipped SPDX data (see data/licences.json).

A licence text is normalised as GitHub's licensee does, compared exactly with the shipped
reference texts, then by Sørensen–Dice similarity of word sets at licensee's 98% threshold, so
that an altered licence (MIT with an added clause) is not taken for the original.
"""

from tcop_lint.licences.match import (
    CONFIDENCE_THRESHOLD,
    LicenceMatch,
    identify_statement,
    identify_text,
    is_allowed,
    parse_expression,
)
from tcop_lint.licences.reference import CLASSES, LicenceInfo, licence_info, licence_list_version

__all__ = [
    "CLASSES",
    "CONFIDENCE_THRESHOLD",
    "LicenceInfo",
    "LicenceMatch",
    "identify_statement",
    "identify_text",
    "is_allowed",
    "licence_info",
    "licence_list_version",
    "parse_expression",
]
