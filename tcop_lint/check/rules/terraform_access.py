"""Access rules: public object storage (TCOP-06-TF-004) and wildcard administrator permissions
(TCOP-06-TF-007).

AWS provider 4 and later split bucket settings into their own resources (aws_s3_bucket_acl,
aws_s3_bucket_policy, aws_s3_bucket_public_access_block); both styles are read, inline policy
and grant blocks included. Policies are read by terraform_policies (JSON, heredoc,
``jsonencode({...})`` or an aws_iam_policy_document data source of the same module); anything
else is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from tcop_lint.check.rules.terraform_policies import (
    document_statements,
    open_statement,
    policy_statements,
    resource_hit,
)
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

PUBLIC_ACLS = frozenset({"public-read", "public-read-write", "authenticated-read"})
PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")
# S3 ACL grantee groups (http://acs.amazonaws.com/groups/global/...) and who they let in
PUBLIC_GROUPS = {
    "AllUsers": "so anyone on the internet can use the bucket",
    "AuthenticatedUsers": "so anyone with any AWS account can use the bucket",
}
BLOCK_FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")
ADMIN_POLICY_SUFFIX = ":iam::aws:policy/AdministratorAccess"
GOOGLE_ADMIN_ROLES = frozenset({"roles/owner", "roles/editor"})


# --- TCOP-06-TF-004 -------------------------------------------------------------------------


def _exposed_on_purpose(module: TfModule, bucket_ref: Any, exposure_key: str) -> bool:
    """The bucket a setting belongs to is tagged Exposure = external (GDS Way tag names)."""
    bucket = single_reference(bucket_ref, "aws_s3_bucket", module) if isinstance(bucket_ref, Unresolved) else None
    if bucket is None:
        return False
    tags = body(bucket.block).get("tags")
    if not isinstance(tags, Mapping):
        return False
    return any(
        str(k).lower() == exposure_key.lower() and isinstance(v, str) and v.lower() in ("external", "public")
        for k, v in tags.items()
    )


def _account_block_all(ctx: RuleContext) -> bool:
    for module in ctx.documents.terraform:
        for resource in created_resources(module, "aws_s3_account_public_access_block"):
            data = body(resource.block)
            if all(data.get(flag) is True for flag in BLOCK_FLAGS):
                return True
    return False


def public_object_storage(ctx: RuleContext) -> Iterator[Hit]:
    exposure_key = str(ctx.options["exposure_tag"])
    account_blocked = _account_block_all(ctx)
    for module in ctx.documents.terraform:
        for resource in created_resources(module):
            data = body(resource.block)
            type_name = resource.type
            bucket_ref = data.get("bucket")
            if type_name.startswith("aws_s3_") and _exposed_on_purpose(module, bucket_ref, exposure_key):
                continue
            if type_name in ("aws_s3_bucket_acl", "aws_s3_bucket"):
                if type_name == "aws_s3_bucket" and _exposed_on_purpose_inline(data, exposure_key):
                    continue
                if not account_blocked:
                    yield from _public_acls(module, resource, data)
                if type_name == "aws_s3_bucket" and not account_blocked:
                    yield from _public_policy(module, resource, data)
            elif type_name == "aws_s3_bucket_public_access_block":
                for flag in BLOCK_FLAGS:
                    if data.get(flag) is False and not account_blocked:
                        yield block_hit(
                            module,
                            resource,
                            f"{resource.address} sets {flag} = false, so public ACLs or policies can expose the bucket",
                            (flag,),
                            suffix=f"#{flag}",
                        )
            elif type_name == "aws_s3_bucket_policy" and not account_blocked:
                yield from _public_policy(module, resource, data)
            elif type_name == "azurerm_storage_container":
                access = data.get("container_access_type")
                if isinstance(access, str) and access.lower() in ("blob", "container"):
                    yield block_hit(
                        module,
                        resource,
                        f'{resource.address} sets container_access_type = "{access}", so anyone on the internet can '
                        "read its blobs",
                        ("container_access_type",),
                        suffix="#container_access_type",
                    )
            elif type_name in ("google_storage_bucket_iam_member", "google_storage_bucket_iam_binding"):
                key = "member" if type_name.endswith("_member") else "members"
                members = [m for m in as_list(data.get(key)) if isinstance(m, str)]
                public = [m for m in members if m in PUBLIC_MEMBERS]
                if public:
                    yield block_hit(
                        module,
                        resource,
                        f"{resource.address} grants {data.get('role', 'a role')} to {public[0]}, so anyone can reach "
                        "the bucket",
                        (key,),
                        suffix=f"#{key}",
                    )
            elif type_name in (
                "google_storage_bucket_access_control",
                "google_storage_default_object_access_control",
                "google_storage_object_access_control",
            ):
                entity = data.get("entity")
                if isinstance(entity, str) and entity in PUBLIC_MEMBERS:
                    yield block_hit(
                        module,
                        resource,
                        f"{resource.address} grants access to {entity}, so anyone can read the objects",
                        ("entity",),
                        suffix="#entity",
                    )


def _exposed_on_purpose_inline(data: Mapping[str, Any], exposure_key: str) -> bool:
    tags = data.get("tags")
    return isinstance(tags, Mapping) and any(
        str(k).lower() == exposure_key.lower() and isinstance(v, str) and v.lower() in ("external", "public")
        for k, v in tags.items()
    )


def _public_acls(module: TfModule, resource: TfResource, data: Mapping[str, Any]) -> Iterator[Hit]:
    acl = data.get("acl")
    if isinstance(acl, str) and acl in PUBLIC_ACLS:
        yield resource_hit(
            module,
            resource,
            f"{resource.address} grants the canned ACL {acl}, making objects readable by anyone",
            ("acl",),
            "#acl",
        )
    grants: list[tuple[DataPath, Mapping[str, Any]]] = []
    if resource.type == "aws_s3_bucket":
        grants = [(("grant", i), g) for i, g in enumerate(_blocks(data.get("grant")))]
    for p, policy in enumerate(_blocks(data.get("access_control_policy"))):
        for g, grant in enumerate(_blocks(policy.get("grant"))):
            for e, grantee in enumerate(_blocks(grant.get("grantee"))):
                grants.append((("access_control_policy", p, "grant", g, "grantee", e), {**grantee, **grant}))
    for path, grant in grants:
        uri = grant.get("uri")
        group = uri.rsplit("/", 1)[-1] if isinstance(uri, str) else ""
        if group not in PUBLIC_GROUPS:
            continue
        permissions = [str(x) for x in as_list(grant.get("permissions", grant.get("permission"))) if isinstance(x, str)]
        yield resource_hit(
            module,
            resource,
            f"{resource.address} grants {', '.join(permissions) or 'access'} to the {group} group, "
            f"{PUBLIC_GROUPS[group]}",
            path + ("uri",),
            "#grant",
        )
        return


def _public_policy(module: TfModule, resource: TfResource, data: Mapping[str, Any]) -> Iterator[Hit]:
    found = policy_statements(module, data.get("policy"))
    if found is None:
        return
    items, where = found
    if open_statement(items) is not None:
        yield resource_hit(
            module,
            resource,
            f'{resource.address} has a policy statement that allows anyone (Principal "*") without a condition{where}',
            ("policy",),
            "#policy",
        )


def _blocks(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


# --- TCOP-06-TF-007 -------------------------------------------------------------------------


def _is_wildcard(value: Any) -> bool:
    return value == "*" or (isinstance(value, list) and "*" in value)


def _admin_statement(statement: Mapping[str, Any]) -> bool:
    return (
        statement.get("Effect", "Allow") == "Allow"
        and _is_wildcard(statement.get("Action"))
        and _is_wildcard(statement.get("Resource"))
        and "Condition" not in statement
    )


def _policy_owner_types() -> Mapping[str, str]:
    """Resource types that hold a policy document, and the attribute it is in."""
    return {
        "aws_iam_policy": "policy",
        "aws_iam_role_policy": "policy",
        "aws_iam_user_policy": "policy",
        "aws_iam_group_policy": "policy",
        "aws_ssoadmin_permission_set_inline_policy": "inline_policy",
    }


def wildcard_admin_permissions(ctx: RuleContext) -> Iterator[Hit]:
    for module in ctx.documents.terraform:
        for resource in module.resources:
            if never_created(resource.block.body.data):
                continue
            yield from _wildcard(module, resource)


def _wildcard(module: TfModule, resource: TfResource) -> Iterator[Hit]:
    data = body(resource.block)
    type_name = resource.type
    block = resource.block
    if block.block_type == "data" and type_name == "aws_iam_policy_document":
        for index, statement in enumerate(document_statements(data)):
            if _admin_statement(statement):
                yield block_hit(
                    module,
                    resource,
                    f'{resource.address} allows every action on every resource (actions and resources "*")',
                    ("statement", index),
                    suffix=f"#statement/{index}",
                )
        return
    if block.block_type != "resource":
        return
    if type_name in _policy_owner_types():
        attribute = _policy_owner_types()[type_name]
        value = data.get(attribute)
        if isinstance(value, Unresolved) and "data.aws_iam_policy_document." in value.expression:
            return  # reported on the data source itself
        parsed = parse_policy(value)
        if parsed is not None and any(_admin_statement(s) for s in statements(parsed)):
            who = " to everyone given the permission set" if type_name.startswith("aws_ssoadmin_") else ""
            yield _resource_hit(
                module,
                resource,
                f'{resource.address} allows every action on every resource (Action and Resource "*"){who}',
                attribute,
            )
    elif type_name == "aws_ssoadmin_managed_policy_attachment":
        arn = data.get("managed_policy_arn")
        if isinstance(arn, str) and arn.startswith("arn:aws") and arn.endswith(ADMIN_POLICY_SUFFIX):
            yield _resource_hit(
                module,
                resource,
                f"{resource.address} gives an IAM Identity Center permission set the AWS managed AdministratorAccess "
                "policy, in every account it is assigned to",
                "managed_policy_arn",
            )
    elif type_name in (
        "aws_iam_role_policy_attachment",
        "aws_iam_user_policy_attachment",
        "aws_iam_group_policy_attachment",
        "aws_iam_policy_attachment",
    ):
        arn = data.get("policy_arn")
        if isinstance(arn, str) and arn.startswith("arn:aws") and arn.endswith(ADMIN_POLICY_SUFFIX):
            yield block_hit(
                module,
                resource,
                f"{resource.address} attaches the AWS managed AdministratorAccess policy",
                ("policy_arn",),
                suffix="#policy_arn",
            )
    elif type_name in ("aws_iam_role", "aws_iam_user", "aws_iam_group"):
        arns = data.get("managed_policy_arns")
        if isinstance(arns, list) and any(isinstance(a, str) and a.endswith(ADMIN_POLICY_SUFFIX) for a in arns):
            yield block_hit(
                module,
                resource,
                f"{resource.address} is given the AWS managed AdministratorAccess policy",
                ("managed_policy_arns",),
                suffix="#managed_policy_arns",
            )
    elif type_name in ("google_project_iam_member", "google_project_iam_binding"):
        role = data.get("role")
        key = "member" if type_name.endswith("_member") else "members"
        members = [_shown(m) for m in as_list(data.get(key)) if _known_prefix(m).startswith("serviceAccount:")]
        if isinstance(role, str) and role in GOOGLE_ADMIN_ROLES and members:
            yield block_hit(
                module,
                resource,
                f"{resource.address} gives the service account {members[0]} the basic role {role} on the whole project",
                ("role",),
                suffix="#role",
            )


def _resource_hit(module: TfModule, resource: TfResource, message: str, attribute: str) -> Hit:
    return block_hit(module, resource, message, (attribute,), suffix=f"#{attribute}")


def _known_prefix(value: Any) -> str:
    """A string, or the literal prefix of a template (``"serviceAccount:${...}"``)."""
    if isinstance(value, Unresolved):
        return value.prefix
    return value if isinstance(value, str) else ""


def _shown(value: Any) -> str:
    if isinstance(value, Unresolved):
        text = value.expression.strip()
        return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text
    return str(value)
