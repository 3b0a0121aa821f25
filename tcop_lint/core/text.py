"""Small text helpers shared by rules and reporters."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

_SIBILANT_ENDINGS = ("s", "x", "z", "ch", "sh")


def plural(count: int, singular: str, plural: str | None = None) -> str:
    """``count`` and the noun in the right number: "1 resource", "2 resources", "0 resources".

    ``singular`` may be a phrase ("AWS resource", "more finding"): its last word is made plural.
    Give ``plural`` for irregular nouns ("date of birth", "dates of birth"); otherwise English's
    regular rules apply: "address" → "addresses", "policy" → "policies", "key" → "keys".
    """
    return f"{count} {singular if count == 1 else (plural or _regular_plural(singular))}"


def _regular_plural(noun: str) -> str:
    lower = noun.lower()
    if lower.endswith(_SIBILANT_ENDINGS):
        return noun + "es"
    if len(lower) > 1 and lower.endswith("y") and lower[-2] not in "aeiou":
        return noun[:-1] + "ies"
    return noun + "s"


def key_path(parts: Iterable[Any]) -> str:
    """``("rule", "options", "ports", 0)`` -> ``rule.options.ports[0]``."""
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text
