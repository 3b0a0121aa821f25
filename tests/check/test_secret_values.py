"""Secrets judged by value: credential formats and secret-shaped values are; names, paths, ARNs,
aliases, identifiers, placeholders, sentences and short words are not."""

from __future__ import annotations

import base64

import pytest

from tcop_lint.check.rules.secret_values import decoded, looks_like_secret, secret_in_slot

SECRETS = [
    "AKIAQ7RZ3XKD5PLM2WNY",  # an AWS access key id: a known format
    "Passw0rd!",
    "P@ssword",
    "a3f9c2b7e1d04f6a8b9c0d1e2f3a4b5c",  # hex: high entropy
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
    "ZmFrZS1zZWNyZXQtdmFsdWUtMTIz",
    "tok_live_51Hq2",
]
NOT_SECRETS = [
    "KUBE_CLUSTER_DEV",  # the name of a CI secret
    "test",
    "/team/slack-token",  # an SSM parameter path
    "team/api-key",
    "SecretsManager",  # a metric namespace
    "aws/secretsmanager",  # a KMS alias
    "arn:aws:secretsmanager:eu-west-2:123456789012:secret:x",
    "https://vault.example.gov.uk/v1/secret",
    "change-me",
    "INSERT_TOKEN_HERE",
    "DB_PASSWORD_VAL",
    "to-be-specified",
    "<set by the pipeline>",
    "{{ .Values.password }}",
    "${DB_PASSWORD}",
    "xxxxxxxx",
    "my-app-db",
    "123e4567-e89b-12d3-a456-426614174000",  # a UUID: an id
    "The name of the GitHub Actions secret",
]


@pytest.mark.parametrize("value", SECRETS)
def test_secret_shaped_values_are_secrets(value: str) -> None:
    assert looks_like_secret(value)
    assert secret_in_slot(value)


@pytest.mark.parametrize("value", NOT_SECRETS)
def test_names_paths_and_placeholders_are_not(value: str) -> None:
    assert not looks_like_secret(value)


def test_a_password_slot_holds_a_secret_unless_it_is_a_placeholder_or_a_name() -> None:
    assert secret_in_slot("password123")  # weak, but a real password written into the code
    assert not secret_in_slot("change-me")
    assert not secret_in_slot("KUBE_CLUSTER_DEV")


def test_kubernetes_data_is_decoded_before_it_is_judged() -> None:
    assert decoded(base64.b64encode(b"change-me").decode()) == "change-me"
    assert decoded("not base64!") is None
    assert decoded(base64.b64encode(b"\xff\xfe\x00binary").decode()) is None
