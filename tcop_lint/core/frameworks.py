"""The frameworks a report can be grouped by, and which of their points a check gives evidence for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tcop_lint.core.model import Check
from tcop_lint.core.tcop import CODE_URL, POINTS


@dataclass(frozen=True)
class FrameworkPoint:
    id: str
    title: str
    url: str


@dataclass(frozen=True)
class Framework:
    id: str
    title: str
    url: str
    points: tuple[FrameworkPoint, ...]


TCOP = Framework(
    "tcop",
    "Technology Code of Practice",
    CODE_URL,
    tuple(FrameworkPoint(str(number), title, url) for number, (title, url) in POINTS.items()),
)

FRAMEWORKS: Mapping[str, Framework] = {TCOP.id: TCOP}


def check_points(check: Check, framework_id: str) -> tuple[str, ...]:
    """The points of ``framework_id`` the check gives evidence for (tool checks: none)."""
    if framework_id == "tcop":
        return tuple(str(p) for p in (check.tcop_point, *check.also_points) if p)
    return ()
