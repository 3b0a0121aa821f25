"""The policy reader the Terraform policy rules share."""

from __future__ import annotations

from tcop_lint.check.rules.terraform_policies import allows_anyone, from_document, read_policy, restricted
from tcop_lint.core.model import Unresolved


def test_a_heredoc_with_interpolations_inside_strings_is_read_and_they_stay_unknown() -> None:
    text = '<<POLICY\n{"Statement": [{"Principal": "*", "Resource": "${aws_sqs_queue.q.arn}"}]}\nPOLICY'
    policy = read_policy(Unresolved(text))
    statement = policy["Statement"][0]
    assert statement["Principal"] == "*"
    assert (
        isinstance(statement["Resource"], Unresolved) and statement["Resource"].expression == "${aws_sqs_queue.q.arn}"
    )


def test_an_interpolation_outside_a_string_is_not_guessed() -> None:
    assert read_policy(Unresolved('<<-EOT\n  {"Statement": ${jsonencode(local.statements)}}\n  EOT')) is None


def test_a_document_statement_takes_the_json_shape() -> None:
    block = {
        "actions": ["sqs:SendMessage"],
        "principals": [{"type": "*", "identifiers": ["*"]}],
        "condition": [{"test": "Bool", "variable": "aws:SecureTransport", "values": ["true"]}],
    }
    statement = from_document(block)
    assert statement["Principal"] == "*" and statement["Condition"] == {"Bool": {"aws:SecureTransport": ["true"]}}
    assert allows_anyone(statement) and not restricted(statement)
    limited = from_document({**block, "condition": [{"test": "StringEquals", "variable": "aws:SourceAccount"}]})
    assert allows_anyone(limited) and restricted(limited)
