"""project_licence agrees with GitHub's licensee on licensee's own fixture cases.

tests/data/licensee/README.md says where the cases come from and how expected.json was made.
"""

from __future__ import annotations

import json
from pathlib import Path

from tcop_lint.licences.report import project_licence

DATA = Path(__file__).parents[1] / "data" / "licensee"
MINIMUM_AGREEMENT = 0.95


def test_agreement_with_licensee_fixtures() -> None:
    expected = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))["fixtures"]
    assert len(expected) >= 50
    disagreements = []
    for name, want in sorted(expected.items()):
        got = project_licence(DATA / "fixtures" / name)
        if got.spdx_id != want:
            disagreements.append(
                f"{name}: licensee {want}, tcop-lint {got.spdx_id} {[(f.path, f.spdx_id) for f in got.files]}"
            )
    agreement = 1 - len(disagreements) / len(expected)
    print(f"agreement with licensee: {agreement:.1%} ({len(expected) - len(disagreements)}/{len(expected)})")
    print("\n".join(disagreements))
    assert agreement >= MINIMUM_AGREEMENT, "\n".join(disagreements)


def test_stated_cases_cover_the_hard_parts() -> None:
    expected = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))["fixtures"]
    assert expected["lgpl"] == "LGPL-3.0"  # COPYING + COPYING.lesser
    assert expected["multiple-license-files"] == "NOASSERTION"
    assert expected["wrk-modified-apache"] == "NOASSERTION"
    assert expected["readme"] == "MIT"
    assert expected["copyright-encoding"] == "NONE"
    for name in ("lgpl", "bom", "crlf-license", "readme", "mit-with-copyright", "pixar-modified-apache"):
        assert project_licence(DATA / "fixtures" / name).spdx_id == expected[name], name
