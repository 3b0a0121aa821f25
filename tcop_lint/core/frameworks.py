"""The frameworks a report can be grouped by: the Technology Code of Practice, the GOV.UK Service
Standard and the government's Secure by Design principles. A check names the points it gives
evidence for in its check.yaml (tcop_point and also_points, service_standard, secure_by_design)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

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

    def point(self, point_id: str) -> FrameworkPoint | None:
        return next((p for p in self.points if p.id == point_id), None)


SERVICE_STANDARD_URL = "https://www.gov.uk/service-manual/service-standard"
_STANDARD = f"{SERVICE_STANDARD_URL}/point-"

SERVICE_STANDARD: Mapping[int, tuple[str, str]] = {
    1: ("Understand users and their needs", f"{_STANDARD}1-understand-user-needs"),
    2: ("Solve a whole problem for users", f"{_STANDARD}2-solve-a-whole-problem"),
    3: ("Provide a joined up experience across all channels", f"{_STANDARD}3-join-up-across-channels"),
    4: ("Make the service simple to use", f"{_STANDARD}4-make-the-service-simple-to-use"),
    5: ("Make sure everyone can use the service", f"{_STANDARD}5-make-sure-everyone-can-use-the-service"),
    6: ("Have a multidisciplinary team", f"{_STANDARD}6-have-a-multidisciplinary-team"),
    7: ("Use agile ways of working", f"{_STANDARD}7-use-agile-ways-of-working"),
    8: ("Iterate and improve frequently", f"{_STANDARD}8-iterate-and-improve-frequently"),
    9: ("Create a secure service which protects users' privacy", f"{_STANDARD}9-create-a-secure-service"),
    10: (
        "Define what success looks like and publish performance data",
        f"{_STANDARD}10-define-success-publish-performance-data",
    ),
    11: ("Choose the right tools and technology", f"{_STANDARD}11-choose-the-right-tools-and-technology"),
    12: ("Make new source code open", f"{_STANDARD}12-make-new-source-code-open"),
    13: (
        "Use and contribute to open standards, common components and patterns",
        f"{_STANDARD}13-use-common-standards-components-patterns",
    ),
    14: ("Operate a reliable service", f"{_STANDARD}14-operate-a-reliable-service"),
}

# The principles share one page; its headings' anchors are not confirmed, so every principle
# links to the page itself.
SECURE_BY_DESIGN_URL = "https://www.security.gov.uk/policy-and-guidance/secure-by-design/principles/"

SECURE_BY_DESIGN: Mapping[int, str] = {
    1: "Create responsibility for cyber security risk",
    2: "Source secure technology products",
    3: "Adopt a risk-driven approach",
    4: "Design usable security controls",
    5: "Build in detect and respond security",
    6: "Design flexible architectures",
    7: "Minimise the attack surface",
    8: "Defend in depth",
    9: "Embed continuous assurance",
    10: "Make changes securely",
}


def _points(entries: Mapping[int, tuple[str, str]]) -> tuple[FrameworkPoint, ...]:
    return tuple(FrameworkPoint(str(number), title, url) for number, (title, url) in sorted(entries.items()))


FRAMEWORKS: Mapping[str, Framework] = MappingProxyType(
    {
        "tcop": Framework("tcop", "Technology Code of Practice", CODE_URL, _points(POINTS)),
        "service-standard": Framework(
            "service-standard", "Service Standard", SERVICE_STANDARD_URL, _points(SERVICE_STANDARD)
        ),
        "secure-by-design": Framework(
            "secure-by-design",
            "Secure by Design principles",
            SECURE_BY_DESIGN_URL,
            _points({n: (title, SECURE_BY_DESIGN_URL) for n, title in SECURE_BY_DESIGN.items()}),
        ),
    }
)
DEFAULT_FRAMEWORK = "tcop"


def check_points(check: Check, framework_id: str) -> tuple[str, ...]:
    """The ids of the points of ``framework_id`` that a check gives evidence for, its primary point
    first. tcop: (tcop_point, *also_points); point 0 (tcop-lint's own findings) gives ()."""
    if framework_id == "tcop":
        numbers: tuple[int, ...] = (check.tcop_point, *check.also_points) if check.tcop_point else ()
    elif framework_id == "service-standard":
        numbers = check.service_standard
    elif framework_id == "secure-by-design":
        numbers = check.secure_by_design
    else:
        raise KeyError(f"unknown framework {framework_id!r} (one of {', '.join(FRAMEWORKS)})")
    return tuple(str(n) for n in dict.fromkeys(numbers))
