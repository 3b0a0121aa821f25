"""IAM policy documents and the rules on who they let in: federated trust without a subject
restriction (TCOP-06-TF-021), role trust open to any principal (TCOP-06-TF-022) and resource
policies open to any principal (TCOP-06-TF-023).

A policy is read when it is a JSON string (a heredoc), ``jsonencode({...})`` of literal parts,
or an aws_iam_policy_document data source of the same module; its statements are brought to
the JSON policy shape (``Effect``, ``Principal``, ``Condition`` ...) whichever way it was
written, so every rule reads one form. A value that is not certain is never guessed: the
statement, or the value, is left alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tcop_lint.check.rules.terraform_support import (
    as_list,
    block_hit,
    body,
    created_resources,
    parse_policy,
    single_reference,
    statements,
)
from tcop_lint.check.subjects import never_created
from tcop_lint.core.model import DataPath, Hit, TfModule, TfResource, Unresolved
from tcop_lint.core.settings import RuleContext

Statement = Mapping[str, Any]

# Condition keys that say how a request arrives, not who makes it: with only these, a
# statement for Principal "*" still lets anyone in.
NOT_RESTRICTING = frozenset({"aws:securetransport", "aws:currenttime", "aws:epochtime", "aws:useragent"})
_ANY_ACCOUNT = re.compile(r"^arn:aws[a-z-]*:iam::\*:")


# --- reading policies ---------------------------------------------------------------------


def policy_document(module: TfModule, value: Any) -> TfResource | None:
    """The aws_iam_policy_document data source a policy attribute is (``data.x.y.json``)."""
    if isinstance(value, Unresolved) and "data.aws_iam_policy_document." in value.expression:
        return single_reference(value, "aws_iam_policy_document", module, mode="data")
    return None


def policy_statements(module: TfModule, value: Any) -> tuple[list[Statement], str] | None:
    """Statements of a policy attribute in the JSON shape, and where they come from (empty for
    the attribute itself, `` (from data.aws_iam_policy_document.x)`` for a data source)."""
    document = policy_document(module, value)
    if document is not None:
        return document_statements(body(document.block)), f" (from {document.address})"
    parsed = read_policy(value)
    if parsed is None:
        return None
    return statements(parsed), ""


_HEREDOC = re.compile(r"^<<-?\s*([A-Za-z_][A-Za-z0-9_]*)\n(.*)\n\s*\1\s*$", re.S)
_INTERPOLATION = re.compile(r"\$\{[^{}]*\}")
_MARK = "\x00tcop-unresolved-"
_MARKED = re.compile(re.escape(_MARK) + r"(\d+)\x00")


def read_policy(value: Any) -> Any:
    """A policy as data: what parse_policy reads, and also a JSON heredoc with interpolations
    inside its strings (``"Resource": "${aws_sqs_queue.q.arn}"``), each such string Unresolved."""
    parsed = parse_policy(value)
    if parsed is not None or not isinstance(value, Unresolved):
        return parsed
    heredoc = _HEREDOC.match(value.expression.strip())
    if heredoc is None:
        return None
    parts: list[str] = []

    def mark(match: re.Match[str]) -> str:
        parts.append(match.group(0))
        return f"{_MARK}{len(parts) - 1}\x00"

    try:
        data = json.loads(_INTERPOLATION.sub(mark, heredoc.group(2)).replace("\x00", "\\u0000"))
    except ValueError:
        return None
    return _unmark(data, parts)


def _unmark(data: Any, parts: list[str]) -> Any:
    if isinstance(data, dict):
        return {key: _unmark(value, parts) for key, value in data.items()}
    if isinstance(data, list):
        return [_unmark(value, parts) for value in data]
    if isinstance(data, str) and _MARK in data:
        return Unresolved(_MARKED.sub(lambda m: parts[int(m.group(1))], data))
    return data


def document_statements(data: Mapping[str, Any]) -> list[Statement]:
    """The statement blocks of an aws_iam_policy_document body, in the JSON policy shape."""
    found = data.get("statement")
    return [from_document(s) for s in found if isinstance(s, Mapping)] if isinstance(found, list) else []


def from_document(statement: Mapping[str, Any]) -> Statement:
    """One aws_iam_policy_document statement block in the JSON policy shape."""
    converted: dict[str, Any] = {
        "Effect": statement.get("effect", "Allow"),
        "Action": statement.get("actions"),
        "Resource": statement.get("resources"),
    }
    for block_key, json_key in (("principals", "Principal"), ("not_principals", "NotPrincipal")):
        blocks = statement.get(block_key)
        if isinstance(blocks, list) and blocks:
            converted[json_key] = _principal_blocks(blocks)
    if statement.get("not_actions") is not None:
        converted["NotAction"] = statement["not_actions"]
    condition = statement.get("condition")
    if isinstance(condition, list) and condition:
        converted["Condition"] = _condition_blocks(condition)
    elif condition is not None and not isinstance(condition, list):
        converted["Condition"] = condition  # unresolved: kept, so it counts as a condition
    return converted


def _principal_blocks(blocks: list) -> Any:
    merged: dict[str, list] = {}
    for block in blocks:
        if not isinstance(block, Mapping):
            return Unresolved("principals")
        kind, identifiers = block.get("type"), block.get("identifiers")
        if not isinstance(kind, str) or not isinstance(identifiers, list):
            return Unresolved("principals")
        merged.setdefault(kind, []).extend(identifiers)
    if set(merged) == {"*"}:
        return "*"
    return merged


def _condition_blocks(blocks: list) -> Any:
    merged: dict[str, dict[str, Any]] = {}
    for block in blocks:
        if not isinstance(block, Mapping):
            return Unresolved("condition")
        test, variable = block.get("test"), block.get("variable")
        if not isinstance(test, str) or not isinstance(variable, str):
            return Unresolved("condition")
        merged.setdefault(test, {})[variable] = block.get("values")
    return merged


def conditions(statement: Statement) -> list[tuple[str, str, Any]] | None:
    """(operator, key, values) for each condition of a statement; None when unknown."""
    condition = statement.get("Condition")
    if condition is None:
        return []
    if not isinstance(condition, Mapping):
        return None
    found: list[tuple[str, str, Any]] = []
    for operator, pairs in condition.items():
        if not isinstance(pairs, Mapping):
            return None
        found.extend((str(operator), str(key), values) for key, values in pairs.items())
    return found


def restricted(statement: Statement) -> bool:
    """The statement has a condition that limits who it applies to (or one that is unknown)."""
    found = conditions(statement)
    if found is None:
        return True
    return any(key.lower() not in NOT_RESTRICTING for _, key, _ in found)


def is_allow(statement: Statement) -> bool:
    effect = statement.get("Effect", "Allow")
    return isinstance(effect, str) and effect == "Allow"


def _anyone_id(value: Any) -> bool:
    return isinstance(value, str) and (value == "*" or _ANY_ACCOUNT.match(value) is not None)


def allows_anyone(statement: Statement) -> bool:
    """An Allow statement whose principal is anyone: ``"*"``, ``{"AWS": "*"}`` or any account."""
    if not is_allow(statement):
        return False
    principal = statement.get("Principal")
    if isinstance(principal, list):  # not valid IAM, but written, and read by AWS tooling as "*"
        return any(_anyone_id(p) for p in principal)
    if _anyone_id(principal):
        return True
    if isinstance(principal, Mapping):
        return any(_anyone_id(p) for p in as_list(principal.get("AWS")))
    return False


def open_statement(items: list[Statement]) -> int | None:
    """Index of the first statement that lets anyone in without a condition on who they are."""
    return next((i for i, s in enumerate(items) if allows_anyone(s) and not restricted(s)), None)


def _actions(statement: Statement) -> list[str]:
    return [a for a in as_list(statement.get("Action")) if isinstance(a, str)]


def _assumes_role(statement: Statement) -> bool:
    return any(a.lower().startswith("sts:assumerole") or a.lower() == "sts:*" for a in _actions(statement))


def resource_hit(module: TfModule, resource: TfResource, message: str, path: DataPath, suffix: str = "") -> Hit:
    """A finding on a resource, at ``path`` inside it (its first line when the path is absent)."""
    return block_hit(module, resource, message, path, suffix=suffix)


def _trust_documents(module: TfModule) -> Iterator[tuple[TfResource, list[Statement], DataPath, str]]:
    """Trust policies: inline on a role (``assume_role_policy``), and every
    aws_iam_policy_document data source (a role that names one is judged on the data source,
    which may also be passed to a module)."""
    for resource in module.resources:
        block = resource.block
        if never_created(block.body.data):
            continue
        if block.block_type == "data" and resource.type == "aws_iam_policy_document":
            for index, statement in enumerate(document_statements(body(block))):
                yield resource, [statement], ("statement", index), f"#statement/{index}"
        elif block.block_type == "resource" and resource.type == "aws_iam_role":
            value = body(block).get("assume_role_policy")
            if policy_document(module, value) is not None:
                continue
            parsed = read_policy(value)
            if parsed is not None:
                yield resource, statements(parsed), ("assume_role_policy",), "#assume_role_policy"


# --- TCOP-06-TF-021 -----------------------------------------------------------------------


@dataclass(frozen=True)
class Issuer:
    host: str  # as it appears in the provider ARN and the condition keys
    name: str
    claim: str  # the first claim of the default subject, which names the owner
    abusable: frozenset[str] = frozenset()  # first claims that any repository can present


ISSUERS = (
    Issuer(
        "token.actions.githubusercontent.com",
        "GitHub Actions",
        "repo",
        frozenset({"workflow", "environment", "ref", "context", "head_ref", "base_ref", "job_workflow_ref"}),
    ),
    Issuer("gitlab.com", "GitLab CI", "project_path"),
    Issuer("app.terraform.io", "HCP Terraform", "organization"),
)


def _issuer(module: TfModule, statement: Statement) -> Issuer | None:
    """The CI issuer a statement trusts: named by its Federated principal or, where that is not
    known here (remote state, a variable), by the claims its conditions test."""
    principal = statement.get("Principal")
    if not isinstance(principal, Mapping) or "Federated" not in principal:
        return None
    for _, key, _ in conditions(statement) or ():
        issuer = next((i for i in ISSUERS if key.lower().startswith(i.host + ":")), None)
        if issuer is not None:
            return issuer
    for value in as_list(principal.get("Federated")):
        text = value if isinstance(value, str) else ""
        if isinstance(value, Unresolved):  # a template's known end, or its source text
            text = value.suffix or value.expression
        provider = single_reference(value, "aws_iam_openid_connect_provider", module)
        if provider is not None:
            url = body(provider.block).get("url")
            text = url if isinstance(url, str) else text
        for issuer in ISSUERS:
            if re.search(r"(?:^|/)" + re.escape(issuer.host) + r"(?:/|$)", text):
                return issuer
    return None


def _unsafe_subject(issuer: Issuer, value: str) -> bool:
    """A subject pattern that any repository (or project, or organisation) can present."""
    head, _, rest = value.partition(":")
    if value.strip() in ("*", "") or head == "*" or head in issuer.abusable:
        return True
    if head != issuer.claim:
        return ":" not in value  # a custom claim template names its claims; a bare value none
    owner, slash, _ = rest.partition(":" if issuer.claim == "organization" else "/")
    name = owner.split("@", 1)[0]  # "owner@id", GitHub's immutable form: the id may be a wildcard
    return not slash or not name or any(c in name for c in "*?")


def _subject_problem(issuer: Issuer, statement: Statement) -> str | None:
    found = conditions(statement)
    if found is None:
        return None
    key = re.compile(re.escape(issuer.host) + r"(?:/[\w-]+)?:sub$", re.I)
    values = [
        values
        for operator, name, values in found
        if key.match(name) and "string" in operator.lower() and "not" not in operator.lower()
    ]
    if not values:
        return f"with no condition on the {issuer.host}:sub claim"
    for value in (v for group in values for v in as_list(group)):
        if isinstance(value, str) and _unsafe_subject(issuer, value):
            return f'whose {issuer.host}:sub condition "{value}" does not pin an owner'
    return None


def _sub_condition(resource: TfResource, path: DataPath, issuer: Issuer) -> DataPath:
    """Within a data source's statement, the condition block on the sub claim, if there is one."""
    index = path[1] if resource.block.block_type == "data" and len(path) == 2 else None
    statement = body(resource.block).get("statement")
    if not isinstance(index, int) or not isinstance(statement, list) or not isinstance(statement[index], Mapping):
        return ()
    blocks = statement[index].get("condition")
    for index, block in enumerate(blocks if isinstance(blocks, list) else ()):
        variable = block.get("variable") if isinstance(block, Mapping) else None
        if isinstance(variable, str) and variable.lower().startswith(issuer.host) and variable.endswith(":sub"):
            return ("condition", index, "values")
    return ()


def federated_trust_unscoped(ctx: RuleContext) -> Iterator[Hit]:
    for module in ctx.documents.terraform:
        for resource, items, path, suffix in _trust_documents(module):
            for statement in items:
                if not is_allow(statement):
                    continue
                issuer = _issuer(module, statement)
                problem = _subject_problem(issuer, statement) if issuer is not None else None
                if issuer is not None and problem is not None:
                    yield resource_hit(
                        module,
                        resource,
                        f"{resource.address} trusts {issuer.name} OIDC tokens {problem}, so a pipeline of any "
                        "repository can assume the role",
                        path + _sub_condition(resource, path, issuer),
                        suffix,
                    )
                    break
        for resource in created_resources(module, "google_iam_workload_identity_pool_provider"):
            yield from _google_pool_provider(module, resource)


_GOOGLE_SCOPING = re.compile(
    r"\b(?:assertion|attribute)\.(?:sub|repository|repository_owner|repository_id|repository_owner_id"
    r"|project_path|namespace_path|namespace_id|project_id|terraform_organization_name)\b"
)


def _google_pool_provider(module: TfModule, resource: TfResource) -> Iterator[Hit]:
    data = body(resource.block)
    oidc = data.get("oidc")
    issuer_uri = oidc[0].get("issuer_uri") if isinstance(oidc, list) and oidc and isinstance(oidc[0], Mapping) else None
    if not isinstance(issuer_uri, str):
        return
    issuer = next((i for i in ISSUERS if issuer_uri.rstrip("/").endswith("//" + i.host)), None)
    if issuer is None:
        return
    condition = data.get("attribute_condition")
    if condition is None or (isinstance(condition, str) and not condition.strip()):
        yield resource_hit(
            module,
            resource,
            f"{resource.address} accepts {issuer.name} tokens with no attribute_condition, so a pipeline of any "
            "repository can use the pool's service account bindings",
            (),
            "#attribute_condition",
        )
    elif isinstance(condition, str) and not _GOOGLE_SCOPING.search(condition):
        yield resource_hit(
            module,
            resource,
            f"{resource.address} accepts {issuer.name} tokens with an attribute_condition that names no repository "
            "or owner, so a pipeline of any repository can use the pool",
            ("attribute_condition",),
            "#attribute_condition",
        )


# --- TCOP-06-TF-022 -----------------------------------------------------------------------


def role_trust_open(ctx: RuleContext) -> Iterator[Hit]:
    for module in ctx.documents.terraform:
        for resource, items, path, suffix in _trust_documents(module):
            trust = [s for s in items if _assumes_role(s)] if resource.block.block_type == "data" else items
            index = open_statement(trust)
            if index is not None:
                yield resource_hit(
                    module,
                    resource,
                    f'{resource.address} lets any principal (Principal "*") assume the role without a condition on '
                    "who they are, so anyone with an AWS account can take its permissions",
                    path,
                    suffix,
                )


# --- TCOP-06-TF-023 -----------------------------------------------------------------------

# resource type -> (policy attribute, what anyone could then use)
RESOURCE_POLICIES: Mapping[str, tuple[str, str]] = {
    "aws_sqs_queue": ("policy", "the queue"),
    "aws_sqs_queue_policy": ("policy", "the queue"),
    "aws_sns_topic": ("policy", "the topic"),
    "aws_sns_topic_policy": ("policy", "the topic"),
    "aws_kms_key": ("policy", "the key"),
    "aws_kms_replica_key": ("policy", "the key"),
    "aws_ecr_repository_policy": ("policy", "the repository's images"),
    "aws_glacier_vault": ("access_policy", "the vault"),
    "aws_secretsmanager_secret": ("policy", "the secret"),
    "aws_secretsmanager_secret_policy": ("policy", "the secret"),
}


def resource_policy_open(ctx: RuleContext) -> Iterator[Hit]:
    for module in ctx.documents.terraform:
        for resource in created_resources(module, *RESOURCE_POLICIES):
            if resource.type not in RESOURCE_POLICIES:
                continue
            key, noun = RESOURCE_POLICIES[resource.type]
            found = policy_statements(module, body(resource.block).get(key))
            if found is None:
                continue
            items, where = found
            index = open_statement(items)
            if index is None:
                continue
            actions = ", ".join(_actions(items[index])[:3]) or "its actions"
            yield resource_hit(
                module,
                resource,
                f'{resource.address} has a policy statement{where} that allows anyone (Principal "*") {actions} '
                f"without a condition on who they are, so any AWS account can use {noun}",
                (key,),
                f"#{key}",
            )
