"""Counts in messages agree with their nouns: "1 AWS resource", "2 AWS resources"."""

from __future__ import annotations

import pytest
from test_terraform_rules import run

from tcop_lint.check.rules.regions import resources_outside_allowed_regions
from tcop_lint.check.rules.terraform_estate import (
    audit_logging,
    portability_profile,
    spend_alerts_missing,
)
from tcop_lint.core.text import plural


@pytest.mark.parametrize(
    ("count", "singular", "irregular", "expected"),
    [
        (0, "resource", None, "0 resources"),
        (1, "resource", None, "1 resource"),
        (2, "resource", None, "2 resources"),
        (1, "AWS resource", None, "1 AWS resource"),
        (3, "more finding", None, "3 more findings"),
        (2, "address", None, "2 addresses"),
        (2, "match", None, "2 matches"),
        (2, "policy", None, "2 policies"),
        (2, "key", None, "2 keys"),
        (1, "date of birth", "dates of birth", "1 date of birth"),
        (2, "date of birth", "dates of birth", "2 dates of birth"),
        (-1, "byte", None, "-1 bytes"),
    ],
)
def test_plural(count: int, singular: str, irregular: str | None, expected: str) -> None:
    assert plural(count, singular, irregular) == expected


def aws(count: int) -> tuple[str, str]:
    buckets = "".join(f'resource "aws_s3_bucket" "b{i}" {{}}\n' for i in range(count))
    return ("main.tf", 'provider "aws" {\n  region = "eu-west-2"\n}\n' + buckets)


def azure(count: int) -> tuple[str, str]:
    groups = "".join(
        f'resource "azurerm_resource_group" "g{i}" {{\n  name = "g{i}"\n  location = "uksouth"\n}}\n'
        for i in range(count)
    )
    return ("main.tf", 'provider "azurerm" {\n  features {}\n}\n' + groups)


@pytest.mark.parametrize("rule", [spend_alerts_missing, audit_logging])
def test_estate_messages_count_one_and_two_resources(rule) -> None:
    (one,) = [h for h in run(rule, aws(1)) if h.address.endswith("/aws")]
    assert one.message.startswith("The Terraform declares 1 AWS resource but no ")
    (two,) = [h for h in run(rule, aws(2)) if h.address.endswith("/aws")]
    assert two.message.startswith("The Terraform declares 2 AWS resources but no ")
    (azure_one,) = [h for h in run(rule, azure(1)) if h.address.endswith("/azurerm")]
    assert "declares 1 Azure resource but" in azure_one.message
    # The count is not part of the finding's identity.
    assert one.address == two.address


def test_portability_profile_counts_resources_and_services() -> None:
    (one,) = run(portability_profile, aws(1))
    assert ": 1 resource across 1 service " in one.message
    (two,) = run(portability_profile, aws(2))
    assert ": 2 resources across 1 service " in two.message


def inherited(count: int) -> tuple[str, str]:
    buckets = "".join(f'resource "aws_s3_bucket" "b{i}" {{}}\n' for i in range(count))
    return ("main.tf", 'provider "aws" {\n  region = "eu-west-1"\n}\n' + buckets)


def test_region_message_lists_four_users_and_counts_the_rest() -> None:
    (four,) = run(resources_outside_allowed_regions, inherited(4))
    assert "(used by aws_s3_bucket.b0, aws_s3_bucket.b1, aws_s3_bucket.b2, aws_s3_bucket.b3)" in four.message
    assert "more" not in four.message
    (five,) = run(resources_outside_allowed_regions, inherited(5))
    assert five.message.endswith("(used by aws_s3_bucket.b0, aws_s3_bucket.b1, aws_s3_bucket.b2 and 2 more resources)")
