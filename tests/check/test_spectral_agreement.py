"""Agreement with the GOV.UK public API Spectral ruleset (co-cddo/api-standards-linting).

tests/data/spectral/documents/ recreates the ruleset's own test documents; manifest.yaml says
which Spectral rules each is expected to trigger, per the ruleset's tests. A document agrees
when the tcop-lint checks mapped from its ruleset's rules report exactly the mapped IDs of the
rules it triggers. Run with -s to see the per-rule table.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest
import yaml

from tcop_lint.run import ScanRequest, execute

DATA = Path(__file__).parents[1] / "data" / "spectral"

# Spectral rule -> tcop-lint check (also the table in tests/data/spectral/README.md).
MAPPING = {
    "oas3-always-use-https": "TCOP-06-OAS-001",
    "oas2-always-use-https": "TCOP-06-OAS-001",
    "no-x-headers": "TCOP-04-OAS-007",
    "no-x-response-headers": "TCOP-04-OAS-007",
    "description": "TCOP-08-OAS-001",
    "contact": "TCOP-08-OAS-001",
    "domain-name-length": "TCOP-04-OAS-009",
    "domain-name-characters": "TCOP-04-OAS-008",
    "oas3-minimum": "TCOP-04-OAS-001",
    "license": "TCOP-08-OAS-002",
    "operation-id": "TCOP-08-OAS-003",
    "semver": "TCOP-09-OAS-005",
    "paths-kebab-case": "TCOP-09-OAS-002",
    "oas3-strict": "TCOP-04-OAS-001",
    "license-strict": "TCOP-08-OAS-002",
    "license-url": "TCOP-08-OAS-002",
    "not-acceptable": "TCOP-08-OAS-004",
    "unsupported-media-type": "TCOP-08-OAS-004",
}
RULESETS = {
    "ruleset.yaml": (
        "oas3-always-use-https",
        "oas2-always-use-https",
        "no-x-headers",
        "no-x-response-headers",
        "description",
        "contact",
        "domain-name-length",
        "domain-name-characters",
    ),
    "ruleset-medium.yaml": ("oas3-minimum", "license", "operation-id", "semver", "paths-kebab-case"),
    "ruleset-high.yaml": ("oas3-strict", "license-strict", "license-url", "not-acceptable", "unsupported-media-type"),
}
MINIMUM_AGREEMENT = 1.0


def scope(ruleset: str) -> set[str]:
    """The tcop-lint IDs mapped from every rule a ruleset file runs (each extends the last)."""
    rules: list[str] = []
    for name, own in RULESETS.items():
        rules += own
        if name == ruleset:
            return {MAPPING[r] for r in rules}
    raise KeyError(ruleset)


@pytest.fixture(scope="module")
def manifest() -> list[dict]:
    return yaml.safe_load((DATA / "manifest.yaml").read_text(encoding="utf-8"))["documents"]


# Each ruleset file is one level of tcop-lint's OpenAPI profile (`openapi: {profile: ...}`).
PROFILES = {"ruleset.yaml": "base", "ruleset-medium.yaml": "medium", "ruleset-high.yaml": "high"}


@pytest.fixture(scope="module")
def reported(tmp_path_factory) -> dict[str, dict[str, set[str]]]:
    """Per profile: document -> the mapped checks that report on it."""
    root = DATA / "documents"
    by_profile: dict[str, dict[str, set[str]]] = {}
    for profile in PROFILES.values():
        config = tmp_path_factory.mktemp(profile) / ".tcop-lint.yaml"
        config.write_text(f"openapi: {{profile: {profile}}}\n", encoding="utf-8")
        request = ScanRequest(
            paths=(str(root),), root=root, config_file=config, select=tuple(sorted(set(MAPPING.values())))
        )
        report = execute(request)
        assert not report.crashes and not report.problems
        found: dict[str, set[str]] = defaultdict(set)
        for finding in report.findings:
            found[finding.file or ""].add(finding.check_id)
        by_profile[profile] = found
    return by_profile


def test_manifest_matches_the_documents_and_the_mapping(manifest):
    on_disk = sorted(p.relative_to(DATA / "documents").as_posix() for p in (DATA / "documents").rglob("*.yaml"))
    assert sorted(entry["document"] for entry in manifest) == on_disk
    for entry in manifest:
        assert entry["ruleset"] in RULESETS
        assert set(entry["triggers"]) <= set(MAPPING)


def test_agreement_with_the_spectral_ruleset(manifest, reported):
    per_rule: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    disagreements = []
    for entry in manifest:
        in_scope = scope(entry["ruleset"])
        expected = {MAPPING[r] for r in entry["triggers"]}
        got = reported[PROFILES[entry["ruleset"]]].get(entry["document"], set()) & in_scope
        agrees = got == expected
        asserted = entry["triggers"] or [r for r in entry["asserts"] if r != "*"] or ["(clean)"]
        for rule in asserted:
            per_rule[rule][0] += agrees
            per_rule[rule][1] += 1
        if not agrees:
            disagreements.append(f"{entry['document']}: expected {sorted(expected)}, tcop-lint {sorted(got)}")
    agreed = sum(a for a, _ in per_rule.values())
    total = sum(t for _, t in per_rule.values())
    documents_agreed = len(manifest) - len(disagreements)
    rate = documents_agreed / len(manifest)
    print("\nSpectral rule               tcop-lint         documents agreeing")
    for rule in sorted(per_rule):
        a, t = per_rule[rule]
        print(f"{rule:<27} {MAPPING.get(rule, '-'):<17} {a}/{t}")
    print(f"agreement: {documents_agreed}/{len(manifest)} documents ({rate:.1%}); rule rows {agreed}/{total}")
    for line in disagreements:
        print("  disagrees:", line)
    assert rate >= MINIMUM_AGREEMENT, disagreements


def test_the_high_profile_is_what_reproduces_the_high_ruleset(manifest, reported):
    """The high ruleset's own documents are judged differently below the high profile: the
    strict rules (3.1.0, Apache-2.0, 406 and 415 everywhere) are the profile's doing."""
    differ = []
    for entry in manifest:
        if entry["ruleset"] != "ruleset-high.yaml" or not entry["triggers"]:
            continue
        in_scope = scope(entry["ruleset"])
        expected = {MAPPING[r] for r in entry["triggers"]}
        if reported["medium"].get(entry["document"], set()) & in_scope != expected:
            differ.append(entry["document"])
    assert differ, "no high-ruleset document is judged differently by the medium profile"
