"""Licence texts as projects write them: markdown, holder wording the SPDX templates allow to
vary, copyright notices of several lines or with words before "Copyright". Each text here is
small and written for its case; the licence wording itself is the standard one."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path

from tcop_lint.licences import identify_text
from tcop_lint.licences.normalise import normalise
from tcop_lint.licences.reference import titles
from tcop_lint.licences.report import project_licence

MIT_TERMS = """Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

BSD3_TERMS = """Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this
   list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.

3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS"
AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE
IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE
FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL
DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR
SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER
CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY,
OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE
OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
"""


def _markdown(terms: str) -> str:
    """Terms as a markdown renderer's source might hold them: curly quotes, entities, emphasis."""
    return (
        terms.replace('"Software"', "“Software”")
        .replace('"AS IS"', "&ldquo;AS IS&rdquo;")
        .replace("sublicense, and/or", "sublicense,&nbsp;and/or")
        .replace("THE SOFTWARE IS PROVIDED", "**THE SOFTWARE IS PROVIDED")
        .replace("DEALINGS IN THE\nSOFTWARE.", "DEALINGS IN THE\nSOFTWARE.**")
    )


def test_markdown_mit_with_heading_emphasis_entities_and_curly_quotes_is_exact() -> None:
    text = (
        "<!-- licence for the example service -->\n"
        "# MIT License\n\n"
        "_Copyright &copy; 2024 Example Agency &lt;<https://example.gov.uk>&gt;_\n\n" + _markdown(MIT_TERMS)
    )
    match = identify_text(text)
    assert (match.spdx_id, match.method) == ("MIT", "exact")


def test_markdown_list_items_with_their_own_markers_and_escapes() -> None:
    clauses = BSD3_TERMS.replace("1. Redistributions", "* **(a)** Redistributions")
    clauses = clauses.replace("2. Redistributions", "* **(b)** Redistributions")
    clauses = clauses.replace("3. Neither", "* **(c)** Neither").replace("and/or", "and\\/or")
    text = "BSD 3-Clause License\n===\n\nCopyright \\(c\\) 2023, Example Council\n\n" + clauses
    match = identify_text(text)
    assert (match.spdx_id, match.method) == ("BSD-3-Clause", "exact")


def test_a_url_line_in_angle_brackets_under_the_title_is_not_licence_text() -> None:
    text = "Apache License\n\n_Version 2.0, January 2004_\n_&lt;<http://www.apache.org/licenses/>&gt;_\n\n"
    assert normalise(text + "TERMS AND CONDITIONS", titles()) == "terms and conditions"


def test_markdown_does_not_hide_an_added_clause() -> None:
    altered = _markdown(MIT_TERMS).replace(
        "The above copyright notice", "**The Software shall be used for Good, not Evil.**\n\nThe above copyright notice"
    )
    assert identify_text("# MIT License\n\n" + altered).spdx_id is None


def _project(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    return root


def test_licences_folder_counts_beside_the_root_licence(tmp_path: Path) -> None:
    mit = "MIT License\n\nCopyright (c) 2024 Example Agency\n\n" + MIT_TERMS
    bsd = "Copyright (c) 2024 Example Agency\n\n" + BSD3_TERMS
    same = project_licence(_project(tmp_path / "a", {"LICENSE": mit, "LICENSES/MIT.txt": mit}))
    assert (same.spdx_id, same.method) == ("MIT", "licence-file")
    other = project_licence(_project(tmp_path / "b", {"LICENSE": mit, "LICENSES/BSD-3-Clause.txt": bsd}))
    assert (other.spdx_id, other.method) == ("NOASSERTION", "several")
    folder_only = project_licence(_project(tmp_path / "c", {"LICENSES/BSD-3-Clause.txt": bsd, "LICENSES/notes": "x"}))
    assert (folder_only.spdx_id, folder_only.method) == ("BSD-3-Clause", "licenses-folder")
    assert [f.path for f in folder_only.files] == ["LICENSES/BSD-3-Clause.txt"]  # not an SPDX-named text file


def test_bsd_disclaimer_by_the_author_and_contributors_is_bsd() -> None:
    two_clause = BSD3_TERMS.split("3. Neither")[0] + "THIS SOFTWARE" + BSD3_TERMS.split("THIS SOFTWARE", 1)[1]
    by_author = two_clause.replace("THE COPYRIGHT HOLDERS AND CONTRIBUTORS", "THE AUTHOR AND\nCONTRIBUTORS").replace(
        "THE COPYRIGHT HOLDER OR CONTRIBUTORS", "THE AUTHOR OR CONTRIBUTORS"
    )
    match = identify_text("Copyright (c) 2021 A. Developer <dev@example.org>\n\n" + by_author)
    assert (match.spdx_id, match.method) == ("BSD-2-Clause", "exact")


def test_bsd_non_endorsement_clause_naming_the_organisation_is_bsd3() -> None:
    named = BSD3_TERMS.replace(
        "Neither the name of the copyright holder nor the names of its\n   contributors",
        "Neither the name of the Example Borough Council nor the names of\n   any contributors",
    ).replace("COPYRIGHT HOLDER OR CONTRIBUTORS", "COPYRIGHT\nOWNER OR CONTRIBUTORS")
    match = identify_text("Copyright (c) 2022, Example Borough Council\n\n" + named)
    assert (match.spdx_id, match.method) == ("BSD-3-Clause", "exact")


def test_holder_wording_does_not_blur_which_bsd_it_is() -> None:
    without_clause_3 = BSD3_TERMS.split("3. Neither")[0] + "THIS SOFTWARE" + BSD3_TERMS.split("THIS SOFTWARE", 1)[1]
    assert identify_text(without_clause_3).spdx_id == "BSD-2-Clause"
    added = BSD3_TERMS.replace("THIS SOFTWARE IS", "4. You must not use it for surveillance.\n\nTHIS SOFTWARE IS")
    assert identify_text(added).spdx_id is None


def test_mit_whose_first_line_is_crown_copyright_is_mit() -> None:
    for notice in (
        "Crown Copyright (c) 2024 Example Agency",
        "Crown copyright 2019",
        "Portions Copyright 2021 A. Person",
    ):
        match = identify_text(f"{notice}\n\n{MIT_TERMS}")
        assert (match.spdx_id, match.method) == ("MIT", "exact"), notice
    assert identify_text(f"MIT License\n\nCrown Copyright (c) 2024\n{MIT_TERMS}").spdx_id == "MIT"


def test_copyright_notice_over_several_lines() -> None:
    reserved = "Copyright (c) 2015-2024 by the Example Institute for Data and\nthe Example University (see AUTHORS).\nAll rights reserved.\n\n"
    match = identify_text("BSD 3-Clause License\n\n" + reserved + BSD3_TERMS)
    assert (match.spdx_id, match.method) == ("BSD-3-Clause", "exact")
    names = "Copyright (c) 2020 Example Department for Levelling Up\nand the Example Agency\n\n"
    match = identify_text(names + MIT_TERMS)
    assert (match.spdx_id, match.method) == ("MIT", "exact")
    run_on = "Copyright (c) 2020 Example Ltd\n" + MIT_TERMS  # no blank line before the terms
    assert identify_text(run_on).spdx_id == "MIT"


def test_a_condition_in_the_notice_paragraph_is_not_taken_for_a_notice() -> None:
    for extra in (
        "Not for commercial use.",
        "It may only be used by Example staff.",
        "All rights reserved; use needs permission.",
    ):
        text = f"Copyright (c) 2020 Example Ltd\n{extra}\n\n{MIT_TERMS}"
        assert identify_text(text).spdx_id is None, extra


def test_every_licence_licensee_knows_is_shipped_gfdl_in_markdown_included() -> None:
    plain = resources.files("tcop_lint.licences").joinpath("data/texts/choosealicense/GFDL-1.3.txt").read_text("utf-8")
    markdown = re.sub(r"^(\d+)\. ([A-Z][A-Z ]+)$", r"### \1. \2", plain, flags=re.MULTILINE)
    markdown = markdown.replace("<https://fsf.org/>", "&lt;<https://fsf.org/>&gt;").replace('"free"', "“free”")
    markdown = markdown.replace("GNU Free Documentation License\n", "# GNU Free Documentation License\n\n", 1)
    assert markdown != plain
    assert identify_text(markdown).spdx_id == "GFDL-1.3"
    for spdx_id in ("BlueOak-1.0.0", "BSD-2-Clause-Patent", "CERN-OHL-P-2.0", "CERN-OHL-S-2.0", "CERN-OHL-W-2.0"):
        text = resources.files("tcop_lint.licences").joinpath(f"data/texts/choosealicense/{spdx_id}.txt")
        assert identify_text(text.read_text("utf-8")).spdx_id == spdx_id


def test_mit_disclaimer_naming_the_holder_across_a_line_break_is_mit() -> None:
    named = MIT_TERMS.replace(
        "IN NO EVENT SHALL THE\nAUTHORS OR COPYRIGHT HOLDERS", "IN NO\nEVENT SHALL EXAMPLE\nDIGITAL LTD"
    )
    assert named != MIT_TERMS
    match = identify_text("Copyright (c) 2024 Example Digital Ltd\n\n" + named)
    assert (match.spdx_id, match.method) == ("MIT", "exact")
