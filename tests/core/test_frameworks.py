"""The frameworks a report can be grouped by, and the catalogue's mapping of checks to them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from catalogue_cases import catalogue
from click.testing import CliRunner
from repo_helpers import LOCAL_CHECK

from tcop_lint.check.catalogue import CatalogueError, load_catalogue
from tcop_lint.cli import main
from tcop_lint.core.frameworks import FRAMEWORKS, check_points
from tcop_lint.core.tcop import POINTS
from tcop_lint.report.catalogue_docs import framework_map, render_frameworks

ROOT = Path(__file__).parents[2]
CHECKS = catalogue()

# Checks that give evidence for no point of the Service Standard nor the Secure by Design
# principles, each with the reason. Keep it small: nearly every check evidences one.
UNMAPPED: dict[str, str] = {}


@pytest.mark.parametrize(("framework_id", "size"), [("tcop", 13), ("service-standard", 14), ("secure-by-design", 10)])
def test_every_framework_has_its_points_with_titles_and_pages(framework_id: str, size: int) -> None:
    framework = FRAMEWORKS[framework_id]
    assert framework.id == framework_id
    assert framework.title and framework.url.startswith("https://")
    assert [p.id for p in framework.points] == [str(n) for n in range(1, size + 1)]
    for point in framework.points:
        assert point.title.strip() == point.title and point.title
        assert point.url.startswith("https://www.gov.uk/") or point.url.startswith("https://www.security.gov.uk/")


def test_the_code_of_practice_is_tcop_pys_thirteen_points() -> None:
    points = FRAMEWORKS["tcop"].points
    assert [(p.title, p.url) for p in points] == [POINTS[n] for n in range(1, 14)]


def test_service_standard_points_have_their_own_pages() -> None:
    framework = FRAMEWORKS["service-standard"]
    urls = [p.url for p in framework.points]
    assert len(set(urls)) == 14
    assert all(url.startswith(f"{framework.url}/point-{p.id}-") for p, url in zip(framework.points, urls, strict=True))
    assert framework.point("9") is not None and framework.point("9").title.startswith("Create a secure service")
    assert framework.point("15") is None


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_tcop_points_are_the_primary_point_then_the_others(check) -> None:
    assert check_points(check, "tcop") == tuple(str(p) for p in (check.tcop_point, *check.also_points))
    assert check_points(check, "service-standard") == tuple(str(p) for p in check.service_standard)
    assert check_points(check, "secure-by-design") == tuple(str(p) for p in check.secure_by_design)


def test_point_zero_belongs_to_no_point_and_unknown_frameworks_are_refused() -> None:
    tool_check = replace(CHECKS[0], tcop_point=0, also_points=(), service_standard=(), secure_by_design=())
    assert all(check_points(tool_check, f) == () for f in FRAMEWORKS)
    with pytest.raises(KeyError, match="unknown framework 'iso-27001'"):
        check_points(CHECKS[0], "iso-27001")


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.id)
def test_every_check_gives_evidence_beyond_the_code(check) -> None:
    others = check_points(check, "service-standard") + check_points(check, "secure-by-design")
    if check.id in UNMAPPED:
        assert others == (), f"{check.id} is mapped now: take it out of UNMAPPED"
    else:
        assert others, f"{check.id}: add service_standard or secure_by_design to its check.yaml (or to UNMAPPED)"


def test_security_checks_evidence_the_secure_service_point_and_a_principle() -> None:
    security = [c for c in CHECKS if "security" in c.tags]
    assert security
    assert [c.id for c in security if 9 not in c.service_standard or not c.secure_by_design] == []


def test_the_generated_framework_table_matches_the_catalogue() -> None:
    assert (ROOT / "docs" / "frameworks.md").read_text(encoding="utf-8") == render_frameworks(CHECKS, "markdown"), (
        "regenerate with: tcop-lint checks frameworks --format markdown > docs/frameworks.md"
    )


def test_the_framework_map_lists_every_point_and_the_checks_for_it() -> None:
    mapping = framework_map(CHECKS)
    assert list(mapping) == list(FRAMEWORKS)
    assert list(mapping["secure-by-design"]) == [str(n) for n in range(1, 11)]
    logging = next(c for c in CHECKS if c.id == "TCOP-06-TF-009")
    assert logging.id in mapping["secure-by-design"]["5"] and logging.id in mapping["service-standard"]["14"]
    assert logging.id not in mapping["service-standard"]["12"]
    assert mapping["service-standard"]["1"] == []  # user needs: nothing in a repository shows them


def test_checks_frameworks_prints_json_and_the_catalogue_json_has_the_mappings() -> None:
    result = CliRunner().invoke(main, ["checks", "frameworks", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == framework_map(CHECKS)
    listed = CliRunner().invoke(main, ["checks", "list", "--format", "json"])
    record = next(r for r in json.loads(listed.output) if r["id"] == "TCOP-06-TF-009")
    assert record["service_standard"] == [9, 14] and record["secure_by_design"] == [5]


def write_check(root: Path, text: str) -> None:
    folder = root / "tcop-06" / "TCOP-06-TF-900"
    folder.mkdir(parents=True)
    (folder / "check.yaml").write_text(text, encoding="utf-8")


def with_keys(keys: str) -> str:
    return LOCAL_CHECK.replace("tcop_point: 6\n", f"tcop_point: 6\n{keys}")


def test_a_teams_check_may_name_service_standard_points_and_principles(tmp_path: Path) -> None:
    write_check(tmp_path, with_keys("service_standard: [9, 14]\nsecure_by_design: [7]\n"))
    (loaded,) = load_catalogue([tmp_path])
    assert loaded.service_standard == (9, 14) and loaded.secure_by_design == (7,)
    assert check_points(loaded, "service-standard") == ("9", "14")


@pytest.mark.parametrize(
    ("keys", "complaint"),
    [
        ("service_standard: [15]\n", "service_standard[0]: 15 is greater than the maximum of 14"),
        ("service_standard: [0]\n", "service_standard[0]: 0 is less than the minimum of 1"),
        ("secure_by_design: [11]\n", "secure_by_design[0]: 11 is greater than the maximum of 10"),
        ("secure_by_design: [7, 7]\n", "secure_by_design: [7, 7] has non-unique elements"),
        ("service_standard: ['9']\n", "service_standard[0]: '9' is not of type 'integer'"),
        ("service_standard: 9\n", "service_standard: 9 is not of type 'array'"),
    ],
)
def test_out_of_range_or_repeated_points_are_refused(tmp_path: Path, keys: str, complaint: str) -> None:
    write_check(tmp_path, with_keys(keys))
    with pytest.raises(CatalogueError) as raised:
        load_catalogue([tmp_path])
    assert complaint in str(raised.value)
