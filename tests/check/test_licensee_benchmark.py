"""benchmarks/licensee_agreement.py reads a licensee checkout's layout and counts agreement."""

from __future__ import annotations

import importlib.util
import sys
from importlib import resources
from pathlib import Path

MIT_TERMS = resources.files("tcop_lint.licences").joinpath("data/texts/MIT.txt").read_text("utf-8").split("\n\n", 2)[2]
NON_COMMERCIAL = resources.files("tcop_lint.licences").joinpath("data/texts/CC-BY-NC-4.0.txt").read_text("utf-8")
SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "licensee_agreement.py"


def _benchmark():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("licensee_agreement", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["licensee_agreement"] = module
    spec.loader.exec_module(module)
    return module


def _checkout(root: Path) -> Path:
    licences = root / "vendor" / "choosealicense.com" / "_licenses"
    licences.mkdir(parents=True)
    (licences / "mit.txt").write_text("---\ntitle: MIT License\nspdx-id: MIT\n---\n\nMIT License\n", encoding="utf-8")
    fixtures = root / "spec" / "fixtures"
    for name, files in {
        "plain-mit": {"LICENSE": "Copyright (c) 2024 Example\n\n" + MIT_TERMS},
        "altered": {"LICENSE": "Copyright (c) 2024 Example\n\nUse it for good only.\n\n" + MIT_TERMS},
        "notice-only": {"COPYING": "Copyright (c) 2024 Example\n"},
        "nothing": {"README.md": "# Tool\n"},
        "wrong": {"LICENSE": MIT_TERMS},
        "not-known-to-licensee": {"LICENSE": NON_COMMERCIAL},
    }.items():
        (fixtures / name).mkdir(parents=True)
        for file, text in files.items():
            (fixtures / name / file).write_text(text, encoding="utf-8")
    (fixtures / "fixtures.yml").write_text(
        "plain-mit: {key: mit, matcher: exact}\naltered: {key: other}\nnotice-only: {key: no-license}\n"
        "nothing: {key: null}\nwrong: {key: other}\nmissing-folder: {key: mit}\nnot-known-to-licensee: {key: other}\n",
        encoding="utf-8",
    )
    return root


def test_agreement_is_counted_over_licensee_verdicts(tmp_path: Path) -> None:
    benchmark = _benchmark()
    cases = {c.fixture: c for c in benchmark.run(_checkout(tmp_path))}
    assert set(cases) == {"plain-mit", "altered", "notice-only", "nothing", "wrong", "not-known-to-licensee"}
    assert (cases["plain-mit"].licensee, cases["plain-mit"].tcop_lint, cases["plain-mit"].agrees) == (
        "MIT",
        "MIT",
        True,
    )
    assert (cases["altered"].licensee, cases["altered"].agrees) == ("NOASSERTION", True)
    assert (cases["notice-only"].licensee, cases["notice-only"].tcop_lint) == ("NONE", "NONE")
    assert cases["nothing"].licensee is None
    assert (cases["wrong"].tcop_lint, cases["wrong"].strict, cases["wrong"].agrees) == ("MIT", False, False)
    unknown = cases["not-known-to-licensee"]
    assert (unknown.tcop_lint, unknown.strict, unknown.agrees) == ("CC-BY-NC-4.0", False, True)
    report = benchmark.table(list(cases.values()))
    assert "strict agreement: 3/5 fixtures with a licensee verdict" in report
    assert "does not ship as its `other` (yes*): 4/5" in report
    assert "| wrong | NOASSERTION | MIT | **no** |" in report
