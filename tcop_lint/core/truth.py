"""Three-valued logic: True, False, or None for "cannot be decided" (an unknown value)."""

from __future__ import annotations

from collections.abc import Iterable


def all_of(truths: Iterable[bool | None]) -> bool | None:
    """False as soon as one is false; else None if any is undecided; else True."""
    result: bool | None = True
    for truth in truths:
        if truth is False:
            return False
        if truth is None:
            result = None
    return result


def any_of(truths: Iterable[bool | None]) -> bool | None:
    """True as soon as one is true; else None if any is undecided; else False."""
    result: bool | None = False
    for truth in truths:
        if truth is True:
            return True
        if truth is None:
            result = None
    return result
