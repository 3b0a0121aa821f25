"""How often `tcop-lint licence` agrees with GitHub's licensee on licensee's own test fixtures.

    python benchmarks/licensee_agreement.py LICENSEE_CHECKOUT [--json FILE]

LICENSEE_CHECKOUT is a work tree of https://github.com/licensee/licensee. Each folder under
spec/fixtures/ is a small project; spec/fixtures/fixtures.yml gives the licence licensee detects in
it (its fixture_spec.rb runs `Licensee.project(path, detect_packages: true, detect_readme: true)`).
A licensee key is turned into an SPDX id by the choosealicense.com text it vendors; `other` (a
licence file licensee cannot identify) is NOASSERTION and `no-license` (a copyright notice only) is
NONE. Fixtures with no key are listed but not counted: licensee gives no verdict on them.

Each fixture is run through the same function `tcop-lint licence` prints (project_licence). The
strict count compares ids as they are. A second count also accepts, where licensee says `other`,
a licence that licensee does not ship at all (it can only call those `other`): tcop-lint knows the
non-commercial and no-derivatives Creative Commons licences so that the open-licence check can say
they are not open. Nothing from the checkout is executed; only its files are read.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tcop_lint.licences.report import NOASSERTION, NONE, project_licence  # noqa: E402

_SPDX_ID = re.compile(r"^spdx-id:\s*(\S+)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class Case:
    fixture: str
    licensee: str | None  # an SPDX id, NOASSERTION, NONE; None: licensee gives no verdict
    tcop_lint: str
    files: tuple[str, ...]  # each file tcop-lint read, with what it found in it
    strict: bool
    agrees: bool  # strict, or `other` against a licence licensee does not ship


def licensee_ids(checkout: Path) -> dict[str, str]:
    """licensee's keys (gpl-3.0) to SPDX ids (GPL-3.0), from the choosealicense texts it vendors."""
    found = {}
    for path in sorted((checkout / "vendor" / "choosealicense.com" / "_licenses").glob("*.txt")):
        head = path.read_text(encoding="utf-8").split("---", 2)[1]
        match = _SPDX_ID.search(head)
        if match:
            found[path.stem.lower()] = match.group(1)
    return found


def expected(checkout: Path) -> dict[str, str | None]:
    ids = licensee_ids(checkout)
    stated = yaml.safe_load((checkout / "spec" / "fixtures" / "fixtures.yml").read_text(encoding="utf-8"))
    out: dict[str, str | None] = {}
    for fixture, expectation in sorted(stated.items()):
        key = (expectation or {}).get("key")
        if key is None or key == "none":
            out[fixture] = None
        elif key == "other":
            out[fixture] = NOASSERTION
        elif key == "no-license":
            out[fixture] = NONE
        else:
            out[fixture] = ids.get(key, f"unknown licensee key {key}")
    return out


def run(checkout: Path) -> list[Case]:
    shipped = set(licensee_ids(checkout).values())
    cases = []
    for fixture, want in expected(checkout).items():
        folder = checkout / "spec" / "fixtures" / fixture
        if not folder.is_dir():
            continue
        got = project_licence(folder)
        strict = got.spdx_id == want
        unknown_to_licensee = (
            want == NOASSERTION and got.spdx_id not in (NONE, NOASSERTION) and got.spdx_id not in shipped
        )
        files = tuple(f"{f.path}={f.spdx_id}({f.method})" for f in got.files)
        cases.append(Case(fixture, want, got.spdx_id, files, strict, strict or unknown_to_licensee))
    return cases


def table(cases: list[Case]) -> str:
    rows = ["| fixture | licensee | tcop-lint | agrees | files read by tcop-lint |", "|---|---|---|---|---|"]
    for c in cases:
        verdict = "–" if c.licensee is None else ("yes" if c.strict else ("yes*" if c.agrees else "**no**"))
        rows.append(
            f"| {c.fixture} | {c.licensee or '(no verdict)'} | {c.tcop_lint} | {verdict} | {', '.join(c.files)} |"
        )
    judged = [c for c in cases if c.licensee is not None]
    strict = sum(c.strict for c in judged)
    agrees = sum(c.agrees for c in judged)
    unjudged = [c for c in cases if c.licensee is None]
    rows += [
        "",
        f"strict agreement: {strict}/{len(judged)} fixtures with a licensee verdict",
        f"agreement, counting a licence licensee does not ship as its `other` (yes*): {agrees}/{len(judged)}",
        f"not counted (licensee gives no verdict, finds no licence): {len(unjudged)}, "
        f"of which tcop-lint says NONE: {sum(c.tcop_lint == NONE for c in unjudged)}",
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("checkout", type=Path, help="a work tree of github.com/licensee/licensee")
    parser.add_argument("--json", type=Path, help="also write the cases as JSON to this file")
    args = parser.parse_args(argv)
    if not (args.checkout / "spec" / "fixtures" / "fixtures.yml").is_file():
        parser.error(f"{args.checkout}: no spec/fixtures/fixtures.yml (not a licensee checkout?)")
    cases = run(args.checkout)
    print(table(cases))
    if args.json:
        args.json.write_text(json.dumps([asdict(c) for c in cases], indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
