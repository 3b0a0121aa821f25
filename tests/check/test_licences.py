"""Licence identification (licensee-style normalisation and Dice matching) and licence policy."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tcop_lint.licences import (
    CLASSES,
    identify_statement,
    identify_text,
    is_allowed,
    licence_info,
    licence_list_version,
    parse_expression,
)

TEXTS = Path(str(resources.files("tcop_lint.licences").joinpath("data/texts")))
METADATA = json.loads(resources.files("tcop_lint.licences").joinpath("data/licences.json").read_text(encoding="utf-8"))
REQUIRED_IDS = (
    "MIT",
    "Apache-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "ISC",
    "MPL-2.0",
    "GPL-2.0",
    "GPL-3.0",
    "LGPL-2.1",
    "LGPL-3.0",
    "AGPL-3.0",
    "EPL-2.0",
    "Unlicense",
    "0BSD",
    "CC0-1.0",
    "CC-BY-4.0",
    "OGL-UK-3.0",
)

GDS_MIT = """The MIT License (MIT)

Copyright (c) 2018 Crown Copyright (Government Digital Service)

Permission is hereby granted, free of charge, to any person obtaining a copy of
this software and associated documentation files (the "Software"), to deal in
the Software without restriction, including without limitation the rights to
use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of
the Software, and to permit persons to whom the Software is furnished to do so,
subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS
FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR
COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER
IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def shipped(name: str) -> str:
    return (TEXTS / name).read_text(encoding="utf-8")


def text_files() -> list[str]:
    return sorted(p.name for p in TEXTS.glob("*.txt"))


# --- shipped data ------------------------------------------------------------------------


def test_metadata_records_version_source_and_required_licences() -> None:
    assert licence_list_version() == METADATA["licenseListVersion"]
    assert "SPDX License List" in METADATA["source"]
    for spdx_id in REQUIRED_IDS:
        entry = METADATA["licences"][spdx_id]
        assert entry["texts"], spdx_id
        assert entry["class"] in CLASSES, spdx_id
        for name in entry["texts"]:
            assert (TEXTS / name).is_file()


def test_licence_info() -> None:
    ogl = licence_info("ogl-uk-3.0")
    assert ogl is not None
    assert (ogl.spdx_id, ogl.name, ogl.is_osi_approved, ogl.licence_class) == (
        "OGL-UK-3.0",
        "Open Government Licence v3.0",
        False,
        "open-content",
    )
    mit = licence_info("MIT")
    assert mit is not None and mit.is_osi_approved and mit.licence_class == "permissive" and mit.has_text
    assert licence_info("CC-BY-NC-4.0").licence_class == "non-open"  # type: ignore[union-attr]
    assert licence_info("BSL-1.0").is_osi_approved  # type: ignore[union-attr]
    assert licence_info("LicenseRef-proprietary") is None
    assert licence_info("") is None and licence_info(None) is None


# --- identifying texts -------------------------------------------------------------------


@pytest.mark.parametrize("name", text_files())
def test_every_reference_text_identifies_as_itself(name: str) -> None:
    expected = name.removesuffix(".txt").removesuffix("-supplement")
    match = identify_text(shipped(name))
    assert (match.spdx_id, match.method, match.confidence) == (expected, "exact", 1.0)


def test_gds_mit_licence_with_crown_copyright_is_mit() -> None:
    assert identify_text(GDS_MIT).spdx_id == "MIT"


def test_formatting_spelling_and_encoding_differences_are_ignored() -> None:
    variant = (
        (
            "\ufeff# MIT Licence\r\n\r\n**Copyright © 2019–2024 Crown Copyright (Department for Education)**\r\n"
            "All rights reserved.\r\n\r\n" + GDS_MIT.split("\n\n", 2)[2].replace("\n", "\r\n")
        )
        .replace("sublicense", "sub-licence")
        .replace('"AS IS"', "“AS IS”")
    )
    match = identify_text(variant)
    assert match.spdx_id == "MIT"
    assert match.confidence >= 0.98


def test_mit_with_an_added_clause_does_not_match() -> None:
    altered = GDS_MIT.replace(
        "The above copyright notice",
        "The Software shall be used for Good, not Evil.\n\nThe above copyright notice",
    )
    match = identify_text(altered)
    assert match.spdx_id is None and match.method == "none"


def test_mit_with_a_clause_removed_does_not_match() -> None:
    cut = GDS_MIT.split("THE SOFTWARE IS PROVIDED")[0]
    assert identify_text(cut).spdx_id is None


def test_gpl2_with_the_old_fsf_address_matches_by_similarity() -> None:
    text = re.sub(
        r"51 Franklin Street, Fifth Floor, Boston, MA +02110-1301, USA",
        "59 Temple Place, Suite 330, Boston, MA 02111-1307 USA",
        shipped("GPL-2.0.txt"),
    )
    assert "Temple Place" in text
    match = identify_text(text)
    assert match.spdx_id == "GPL-2.0" and match.method == "dice" and 0.98 <= match.confidence < 1.0


def test_apache_with_filled_in_appendix_and_https_url() -> None:
    text = shipped("Apache-2.0.txt").replace("http://www.apache.org/licenses/", "https://www.apache.org/licenses/")
    text = text.replace("[yyyy] [name of copyright owner]", "2020 Crown Copyright (Home Office)")
    assert identify_text(text).spdx_id == "Apache-2.0"


def test_ogl_in_markdown_with_bullets_and_headings() -> None:
    lines = shipped("OGL-UK-3.0.txt").splitlines()
    body = [
        "# Open Government Licence v3.0",
        "",
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "",
    ]
    for line in lines[1:]:
        if line.startswith(("copy, publish", "adapt the", "exploit the")):
            body.append("* " + line)
        elif line == "Using Information under this licence":
            body.append("## " + line)
        else:
            body.append(line)
    assert identify_text("\n".join(body)).spdx_id == "OGL-UK-3.0"


def test_copyleft_family_members_are_not_confused() -> None:
    assert identify_text(shipped("AGPL-3.0.txt")).spdx_id == "AGPL-3.0"
    assert identify_text(shipped("LGPL-3.0-supplement.txt")).spdx_id == "LGPL-3.0"
    assert identify_text(shipped("GPL-3.0.txt")).spdx_id == "GPL-3.0"


def test_non_commercial_creative_commons_is_never_taken_for_cc_by() -> None:
    text = shipped("CC-BY-NC-4.0.txt").replace("NonCommercial", "Non Commercial", 1)
    assert identify_text(text).spdx_id in ("CC-BY-NC-4.0", None)


def test_empty_and_unrelated_text() -> None:
    assert identify_text("").method == "empty"
    assert identify_text("   \n\n").spdx_id is None
    assert identify_text("Copyright (c) 2022 Example Ltd. All rights reserved.").spdx_id is None


def test_spdx_identifier_line_in_a_licence_file() -> None:
    match = identify_text("Copyright 2023 Crown Copyright\n\nSPDX-License-Identifier: mit\n")
    assert (match.spdx_id, match.method, match.line) == ("MIT", "spdx-identifier", 3)
    assert identify_text("SPDX-License-Identifier: not-a-licence\n").spdx_id is None


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400))
def test_identify_never_raises_and_confidence_is_bounded(text: str) -> None:
    match = identify_text(text)
    assert 0.0 <= match.confidence <= 1.0
    assert identify_statement(text).confidence <= 1.0


# --- licences stated in prose ------------------------------------------------------------

GDS_README = """# Example service

Does a thing.

## Licence

> The [LICENCE.md](./LICENCE.md) file will need to be updated with the correct year and owner

Unless stated otherwise, the codebase is released under the MIT License. This covers both the codebase and any sample code in the documentation.

Any HTML or Markdown documentation is [© Crown Copyright](https://www.nationalarchives.gov.uk/) and available under the terms of the [Open Government Licence v3.0](https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/).
"""


def test_statement_in_a_gds_readme() -> None:
    match = identify_statement(GDS_README)
    assert (match.spdx_id, match.method, match.line) == ("MIT", "statement", 9)
    assert match.confidence < 0.9


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This code is licensed under the Open Government Licence v3.0.", "OGL-UK-3.0"),
        ("Released under the Apache License, Version 2.0.", "Apache-2.0"),
        ("Distributed under the GNU General Public License v3.", "GPL-3.0"),
        ("## License\n\nGNU Affero General Public License version 3", "AGPL-3.0"),
        ("Content is available under CC BY 4.0 licence terms.", "CC-BY-4.0"),
        ("Content is available under CC BY-SA 4.0 licence terms.", "CC-BY-SA-4.0"),
        ("// SPDX-License-Identifier: Apache-2.0 OR mit", "Apache-2.0 OR MIT"),
        ("# Tool\n\nWe use the MIT approach to testing.\n\n## Usage\n\nrun it", None),
        ("Nothing about terms here.", None),
    ],
)
def test_statements(text: str, expected: str | None) -> None:
    assert identify_statement(text).spdx_id == expected


def test_parse_expression() -> None:
    assert parse_expression("(mit OR apache-2.0) AND bsd-3-clause") == "(MIT OR Apache-2.0) AND BSD-3-Clause"
    assert (
        parse_expression("GPL-2.0-or-later WITH Classpath-exception-2.0")
        == "GPL-2.0-or-later WITH Classpath-exception-2.0"
    )
    assert parse_expression("MIT OR") is None
    assert parse_expression("Made-Up-1.0") is None


# --- policy ------------------------------------------------------------------------------

DEFAULT = ("@osi-approved", "OGL-UK-3.0")


@pytest.mark.parametrize(
    ("spdx_id", "allowed", "expected"),
    [
        ("MIT", DEFAULT, True),
        ("OGL-UK-3.0", DEFAULT, True),
        ("OGL-UK-3.0", ("@osi-approved",), False),
        ("CC-BY-4.0", DEFAULT, False),
        ("CC-BY-4.0", ("cc-by-4.0",), True),
        ("CC-BY-NC-4.0", DEFAULT, False),
        ("BUSL-1.1", DEFAULT, False),
        ("GPL-3.0", DEFAULT, True),
        ("GPL-3.0", ("GPL-3.0-or-later",), True),
        ("GPL-2.0+", ("@osi-approved",), True),
        ("MIT", ("Apache-2.0",), False),
        ("MIT OR CC-BY-NC-4.0", DEFAULT, True),
        ("MIT AND CC-BY-NC-4.0", DEFAULT, False),
        ("GPL-2.0-only WITH Classpath-exception-2.0", DEFAULT, True),
        ("LicenseRef-proprietary", DEFAULT, False),
        (None, DEFAULT, False),
        ("MIT", (), False),
    ],
)
def test_is_allowed(spdx_id: str | None, allowed: tuple[str, ...], expected: bool) -> None:
    assert is_allowed(spdx_id, allowed) is expected


# --- the project licence (licensee's rules) ----------------------------------------------

from tcop_lint.licences.report import name_score, project_licence, readme_licence_section, render_project_licence  # noqa: E402


def _project(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return tmp_path


def test_licence_file_names_are_scored_like_licensee() -> None:
    assert name_score("LICENSE") > name_score("LICENCE.md") > name_score("COPYING") > name_score("COPYING.lesser")
    assert name_score("LICENSE-MIT") > 0 and name_score("MIT-LICENSE") > 0
    assert name_score("README.md") == 0.0 and name_score("licensee.gemspec") == 0.0


def test_project_licence_from_a_crown_mit_licence(tmp_path: Path) -> None:
    result = project_licence(_project(tmp_path, {"LICENCE": GDS_MIT, "README.md": GDS_README}))
    assert (result.spdx_id, result.method) == ("MIT", "licence-file")
    assert [f.path for f in result.files] == ["LICENCE", "README.md"]
    assert render_project_licence(result) == "MIT\n"
    payload = json.loads(render_project_licence(result, "json"))
    assert payload["spdx_id"] == "MIT" and payload["confidence"] == 0.6 and payload["files"][0]["method"] == "exact"


def test_project_licence_none_noassertion_and_lgpl(tmp_path: Path) -> None:
    assert project_licence(_project(tmp_path / "a", {"README.md": "# Tool\n"})).spdx_id == "NONE"
    altered = GDS_MIT.replace("The above copyright notice", "Use it for good only.\n\nThe above copyright notice")
    assert project_licence(_project(tmp_path / "b", {"LICENSE": altered})).spdx_id == "NOASSERTION"
    both = _project(tmp_path / "c", {"LICENSE": GDS_MIT, "COPYING": shipped("Apache-2.0.txt")})
    assert (project_licence(both).spdx_id, project_licence(both).method) == ("NOASSERTION", "several")
    lgpl = _project(tmp_path / "d", {"COPYING": shipped("GPL-3.0.txt"), "COPYING.lesser": shipped("LGPL-3.0.txt")})
    assert (project_licence(lgpl).spdx_id, project_licence(lgpl).method) == ("LGPL-3.0", "lgpl-pair")
    copyright_only = _project(tmp_path / "e", {"LICENSE": GDS_MIT, "COPYRIGHT": "Copyright (c) 2020 Crown Copyright\n"})
    assert project_licence(copyright_only).spdx_id == "MIT"


def test_project_licence_from_readme_licences_folder_and_html(tmp_path: Path) -> None:
    ogl = _project(
        tmp_path / "a", {"README.md": "# Data\n\n## Licence\n\nReleased under the Open Government Licence v3.0.\n"}
    )
    assert (project_licence(ogl).spdx_id, project_licence(ogl).method) == ("OGL-UK-3.0", "readme")
    reuse = _project(tmp_path / "b", {"LICENSES/MIT.txt": GDS_MIT})
    assert (project_licence(reuse).spdx_id, project_licence(reuse).method) == ("MIT", "licenses-folder")
    mixed = _project(
        tmp_path / "c", {"LICENSES/MIT.txt": GDS_MIT, "LICENSES/OGL-UK-3.0.txt": shipped("OGL-UK-3.0.txt")}
    )
    assert project_licence(mixed).spdx_id == "NOASSERTION"
    page = "<html><body>" + "".join(f"<p>{p}</p>" for p in GDS_MIT.split("\n\n")) + "</body></html>"
    assert project_licence(_project(tmp_path / "d", {"LICENSE.html": page})).spdx_id == "MIT"
    assert project_licence(tmp_path / "missing").spdx_id == "NONE"


def test_readme_licence_section_as_licensee_cuts_it() -> None:
    assert readme_licence_section("# T\n\n## License\n\nMIT\n\n## Next\n\nx\n") == "MIT"
    assert readme_licence_section("Tool\n\nLicense\n-------\n\nBSD\n") == "BSD"
    assert readme_licence_section("# T\n\nno section\n") is None


def test_readme_section_naming_a_bare_licence_id(tmp_path: Path) -> None:
    project = _project(tmp_path, {"LICENCE": GDS_MIT, "README.md": "# Tool\n\n## Licence\n\n[MIT](LICENCE).\n"})
    assert project_licence(project).spdx_id == "MIT"
    unknown = _project(tmp_path / "b", {"LICENCE": GDS_MIT, "README.md": "# Tool\n\n## Licence\n\nAsk us.\n"})
    assert project_licence(unknown).spdx_id == "NOASSERTION"  # licensee: an unreadable section is "other"
