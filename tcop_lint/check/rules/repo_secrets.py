"""Secret values written into the repository: tracked text files (high-precision patterns
only), Terraform and Kubernetes manifests. Matched values are never repeated in full."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TypeGuard

from tcop_lint.check.rules.secret_values import MIN_LENGTH, decoded, known_format, looks_like_secret, secret_in_slot
from tcop_lint.check.subjects import CONTAINER_LISTS, Subject, pod_spec
from tcop_lint.core.model import Hit, TfBlock, is_unresolved
from tcop_lint.core.settings import RuleContext
from tcop_lint.load.content import PATTERN_BY_KIND, content_of, secret_candidate
from tcop_lint.load.repository_files import position

MAX_FILES = 20000


def secret_values_in_files(ctx: RuleContext) -> Iterable[Hit]:
    repo = ctx.documents.repository
    reported_elsewhere = {e.path for e in repo.secret_files}
    content = ctx.documents.content
    scanned = 0
    for name in repo.files:
        if name in reported_elsewhere or not secret_candidate(name):
            continue
        scanned += 1
        if scanned > MAX_FILES:
            return
        for secret in content_of(content, name).secrets:
            line, kind, shown = secret.line, secret.kind, secret.shown
            pattern = PATTERN_BY_KIND[kind]
            yield Hit(
                file=name,
                position=position(line),
                address=f"{name}:{kind}:{line}",
                message=f"{name} holds {pattern.description} ({shown}): "
                "remove it, rotate it, and keep secrets in a secrets manager",
                properties={"kind": kind},
            )


# --- TCOP-03-TF-001 ---------------------------------------------------------------------

_PROVIDER_SECRETS: Mapping[str, tuple[str, ...]] = {
    "aws": ("access_key", "secret_key", "token"),
    "azurerm": ("client_secret", "client_certificate_password"),
    "azuread": ("client_secret",),
    "google": ("credentials", "access_token"),
    "github": ("token",),
    "cloudflare": ("api_token", "api_key"),
}
_RESOURCE_SECRETS = frozenset(
    (
        "password",
        "master_password",
        "admin_password",
        "administrator_login_password",
        "administrator_password",
        "root_password",
        "auth_token",
        "client_secret",
        "secret_key",
        "access_key",
        "sql_password",
    )
)
_SECRET_NAME = re.compile(
    r"(?:^|_)(?:password|passwd|secret|token|api_?key|private_?key|access_?key|client_?secret|credentials?)(?:$|_)",
    re.IGNORECASE,
)
_NOT_A_SECRET = re.compile(
    r"(?:_|^)(?:name|names|arn|id|ids|path|file|length|ttl|expiry|expires|version|enabled|type|url|uri|policy|count|rotation\w*)$",
    re.IGNORECASE,
)


def _literal(value: Any) -> TypeGuard[str]:
    return isinstance(value, str) and bool(value.strip()) and not is_unresolved(value) and "${" not in value


def _tf_hit(block: TfBlock, address: str, path: tuple, message: str) -> Hit:
    return Hit(
        block.file, block.body.locate(path), f"{address}.{'.'.join(str(p) for p in path)}", message, span=block.position
    )


def _lambda_environment(block: TfBlock, address: str) -> Iterator[Hit]:
    env = block.body.data.get("environment")
    for index, entry in enumerate(env if isinstance(env, list) else ()):
        variables = entry.get("variables") if isinstance(entry, Mapping) else None
        if not isinstance(variables, Mapping):
            continue
        for key, value in variables.items():
            if (
                _SECRET_NAME.search(str(key))
                and not _NOT_A_SECRET.search(str(key))
                and _literal(value)
                and looks_like_secret(value)
            ):
                yield _tf_hit(
                    block,
                    address,
                    ("environment", index, "variables", key),
                    f"{address} sets environment variable {key} to a literal secret: read it from a secrets manager at "
                    "run time",
                )


def terraform_credentials(ctx: RuleContext) -> Iterable[Hit]:
    for module in ctx.documents.terraform:
        prefix = f"{module.directory}:" if module.directory else ""
        for block in module.blocks:
            data = block.body.data if isinstance(block.body.data, Mapping) else {}
            address = prefix + block.address
            if block.block_type == "provider" and block.labels:
                for key in _PROVIDER_SECRETS.get(block.labels[0], ()):
                    value = data.get(key)
                    if not _literal(value) or (key == "credentials" and not value.lstrip().startswith("{")):
                        continue  # a credentials file path is not itself a secret
                    if key != "credentials" and not secret_in_slot(value):
                        continue  # a placeholder or the name of a variable holding it
                    yield _tf_hit(
                        block,
                        address,
                        (key,),
                        f"{address} has {key} written into the code: use OIDC, an instance role or environment "
                        "credentials",
                    )
            elif block.block_type == "variable" and block.labels:
                name = block.labels[0]
                default = data.get("default")
                if (
                    _SECRET_NAME.search(name)
                    and not _NOT_A_SECRET.search(name)
                    and _literal(default)
                    and looks_like_secret(default)
                ):
                    yield _tf_hit(
                        block,
                        address,
                        ("default",),
                        f"{address} has a secret default value in the code: remove the default and supply it from a "
                        "secrets manager",
                    )
        for resource in module.resources:
            block = resource.block
            if block.block_type != "resource":
                continue
            data = block.body.data if isinstance(block.body.data, Mapping) else {}
            address = prefix + resource.address
            for key in sorted(key for key in data if key in _RESOURCE_SECRETS):
                if _literal(data[key]) and secret_in_slot(data[key]):
                    yield _tf_hit(
                        block,
                        address,
                        (key,),
                        f"{address} sets {key} to a literal value (in the code or a committed tfvars file): "
                        "generate it (random_password, manage_master_user_password) or read it from a secrets manager",
                    )
            if resource.type == "aws_lambda_function":
                yield from _lambda_environment(block, address)


# --- TCOP-03-K8S-001 --------------------------------------------------------------------

_ENV_SECRET = re.compile(r"PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIALS?", re.IGNORECASE)
_ENV_NOT_SECRET = re.compile(
    r"(?:_|^)(?:NAME|PATH|FILE|DIR|URL|URI|HOST|PORT|TTL|EXPIRY|EXPIRES|TIMEOUT|LENGTH|ENABLED|HEADER|ID|REF|KEY_ID|REGION|ENDPOINT|SECONDS|MINUTES|HOURS|DAYS|MS|SIZE|LIMIT|COUNT)$",
    re.IGNORECASE,
)
# Keys of a Secret that hold where or who rather than a credential (after camelCase is split).
_SECRET_KEY_NOT_SECRET = re.compile(
    r"(?:^|_)(?:user|username|user_name|login|host|hostname|port|url|uri|address|endpoint|server|database|db|"
    r"db_name|dbname|schema|namespace|region|name|email|issuer|audience|client_id|tenant_id|account_id|"
    r"project_id|subscription_id|cluster|bucket|queue|topic|domain|path|driver|dialect|ssl_mode|sslmode)"
    r"(?:_in|_out|_[0-9]+)?$"  # CHAP's mutual username_in, a numbered host
    r"|(?:account|user|login|host|server)_?name(?:_in|_out)?$"  # run together: azurestorageaccountname
)


def _words(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).replace("-", "_").replace(".", "_").lower()


def _secret_value(field: str, value: Any) -> bool:
    """A Secret's value that is a credential. ``data`` holds base64: the decoded text is judged;
    binary data (a key store) or a value that is not base64 (a template) is judged as written."""
    if not isinstance(value, str):
        return False
    text = decoded(value) if field == "data" else None
    candidate = (value if text is None else text).strip()
    # a few characters (demo, mpass2) are a walkthrough's sample, not a generated credential
    return known_format(candidate) or (len(candidate) >= MIN_LENGTH and secret_in_slot(candidate))


def kubernetes_secret_literals(subject: Subject, ctx: RuleContext) -> Iterable[Hit]:
    data = subject.data if isinstance(subject.data, Mapping) else {}
    if "sops" in data:
        return  # encrypted with SOPS: values are ciphertext
    kind = subject.properties.get("kind")
    if kind == "Secret":
        for field in ("data", "stringData"):
            values = data.get(field)
            if not isinstance(values, Mapping):
                continue
            for key, value in values.items():
                if not _SECRET_KEY_NOT_SECRET.search(_words(str(key))) and _secret_value(field, value):
                    yield subject.hit(
                        f"Secret {subject.address} holds {key} in the manifest ({field}; base64 is encoding, not "
                        "encryption): "
                        "use an external secrets operator, Sealed Secrets or SOPS",
                        (field, key),
                        address_suffix=f"/{field}/{key}",
                    )
        return
    if kind == "ConfigMap":
        values = data.get("data")
        for key, value in values.items() if isinstance(values, Mapping) else ():
            if (
                _ENV_SECRET.search(str(key))
                and not _ENV_NOT_SECRET.search(str(key))
                and isinstance(value, str)
                and looks_like_secret(value)
            ):
                yield subject.hit(
                    f"ConfigMap {subject.address} holds a secret-looking value {key} in plain text: put it in a Secret "
                    "managed outside the repository",
                    ("data", key),
                    address_suffix=f"/data/{key}",
                )
        return
    found = pod_spec(subject.source)
    if found is None:
        return
    path, pod = found
    for list_name in CONTAINER_LISTS:
        containers = pod.get(list_name)
        for index, container in enumerate(containers if isinstance(containers, list) else ()):
            env = container.get("env") if isinstance(container, Mapping) else None
            for env_index, entry in enumerate(env if isinstance(env, list) else ()):
                if not isinstance(entry, Mapping) or "value" not in entry:
                    continue
                name = str(entry.get("name", ""))
                value = entry["value"]
                if (
                    _ENV_SECRET.search(name)
                    and not _ENV_NOT_SECRET.search(name)
                    and isinstance(value, str)
                    and looks_like_secret(value)
                ):
                    where = path + (list_name, index, "env", env_index, "value")
                    yield subject.hit(
                        f"container {container.get('name', index)} of {subject.address} sets {name} to a literal "
                        "value: "
                        "use valueFrom.secretKeyRef",
                        where,
                        address_suffix=f"/{list_name}/{container.get('name', index)}/env/{name}",
                    )
