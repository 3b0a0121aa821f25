"""The thirteen points of the Technology Code of Practice and their guidance pages."""

from __future__ import annotations

from collections.abc import Mapping

CODE_URL = "https://www.gov.uk/guidance/the-technology-code-of-practice"

POINTS: Mapping[int, tuple[str, str]] = {
    1: ("Define user needs", "https://www.gov.uk/guidance/define-user-needs"),
    2: ("Make things accessible and inclusive", "https://www.gov.uk/guidance/make-things-accessible"),
    3: ("Be open and use open source", "https://www.gov.uk/guidance/be-open-and-use-open-source"),
    4: ("Make use of open standards", "https://www.gov.uk/guidance/make-use-of-open-standards"),
    5: ("Use cloud first", "https://www.gov.uk/guidance/use-cloud-first"),
    6: ("Make things secure", "https://www.gov.uk/guidance/make-things-secure"),
    7: ("Make privacy integral", "https://www.gov.uk/guidance/make-privacy-integral"),
    8: ("Share, reuse and collaborate", "https://www.gov.uk/guidance/share-and-reuse-technology"),
    9: ("Integrate and adapt technology", "https://www.gov.uk/guidance/integrate-and-adapt-technology"),
    10: ("Make better use of data", "https://www.gov.uk/guidance/make-better-use-of-data"),
    11: ("Define your purchasing strategy", "https://www.gov.uk/guidance/define-your-purchasing-strategy"),
    12: ("Make your technology sustainable", "https://www.gov.uk/guidance/make-your-technology-sustainable"),
    13: ("Meet the Service Standard", "https://www.gov.uk/service-manual/service-standard"),
}


def point_label(point: int) -> str:
    if point == 0:  # tcop-lint's own findings about suppressions
        return "tcop-lint: suppressions"
    title, _ = POINTS.get(point, ("Unknown point", CODE_URL))
    return f"TCoP {point}: {title}"
