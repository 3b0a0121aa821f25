"""The Python rules a check may name (``rule.function`` in check.yaml), with what each reads and
the options it takes.

An explicit table, not a registry filled by imports: the catalogue is validated against it
before any rule module is imported, and a check's rule module is imported only when the check
runs. Option defaults live here once; a check's ``options`` and then the user's configuration
override them. Options named in ``SHARED_OPTIONS`` take their default from a top-level
configuration key (``regions``, ``licences``, ``required_tags``) so one setting reaches every
check that reads it.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from tcop_lint.core.model import Check, Hit
from tcop_lint.core.settings import Settings

Schema = Mapping[str, Any]


@dataclass(frozen=True)
class PythonRule:
    module: str  # under tcop_lint.rules
    reads: str  # the input kind: terraform, kubernetes, openapi, repository or git
    targets: tuple[str, ...] = ()  # subjects it is called on; () = once, with the whole scan
    options: Mapping[str, Schema] = field(default_factory=dict)  # name -> JSON Schema with a default


_TEXT = {"type": "string", "minLength": 1}


def _array(default: Iterable[Any], item: Schema = _TEXT) -> Schema:
    return {"type": "array", "items": dict(item), "default": list(default)}


def _whole(default: int, minimum: int = 1) -> Schema:
    return {"type": "integer", "minimum": minimum, "default": default}


_PORT = {"type": "integer", "minimum": 1, "maximum": 65535}
_LICENCES = {"type": "array", "items": _TEXT}
_REGIONS = {
    "type": "object",
    "propertyNames": {"enum": ["aws", "azurerm", "google"]},
    "additionalProperties": {"type": "array", "items": _TEXT},
}
_TAGS = {"type": "array", "items": _TEXT}
_OPEN_DATA = {"type": "boolean", "default": False}


@dataclass(frozen=True)
class SharedOption:
    setting: str  # the Settings field that holds the default
    config_key: str  # where a user sets it for every check at once


SHARED_OPTIONS: Mapping[str, SharedOption] = {
    "allowed_regions": SharedOption("allowed_regions", "regions"),
    "allowed_licences": SharedOption("allowed_licences", "licences.allowed"),
    "required_tags": SharedOption("required_tags", "required_tags"),
}

_TF, _K8S, _OAS, _REPO = "terraform", "kubernetes", "openapi", "repository"
_DOCUMENT = ("openapi.document",)
_POD = ("kubernetes.pod_spec",)

RULES: Mapping[str, PythonRule] = {
    # repository: licences, READMEs, secrets, files
    "licence_file_present": PythonRule("repository", _REPO),
    "licence_identifiable": PythonRule("repository", _REPO),
    "licence_is_open": PythonRule("repository", _REPO, options={"allowed_licences": _LICENCES}),
    "readme_present": PythonRule("repository", _REPO, options={"min_chars": _whole(200)}),
    "vulnerability_reporting_route": PythonRule("repository", _REPO),
    "secret_files": PythonRule("repository", _REPO),
    "preferred_code_licence": PythonRule("licensing", _REPO, options={"preferred": _array(["MIT"])}),
    "documentation_under_ogl": PythonRule("licensing", _REPO),
    "crown_copyright": PythonRule("licensing", _REPO),
    "readme_states_licence": PythonRule("licensing", _REPO),
    "closed_repository_explained": PythonRule("licensing", _REPO),
    "dependency_licences": PythonRule("licensing", _REPO, options={"allowed_licences": _LICENCES}),
    "declared_licence_consistent": PythonRule("licensing", _REPO),
    "secret_values_in_files": PythonRule("repo_secrets", _REPO),
    "terraform_credentials": PythonRule("repo_secrets", _TF),
    "kubernetes_secret_literals": PythonRule("repo_secrets", _K8S, ("kubernetes.object",)),
    "html_declares_language": PythonRule("repository_files", _REPO),
    "contributing_present": PythonRule("repository_files", _REPO),
    "changelog_for_library": PythonRule("repository_files", _REPO),
    "files_are_utf8": PythonRule("repository_files", _REPO),
    "editable_documents_odf": PythonRule("repository_files", _REPO),
    "pdfs_are_pdfa": PythonRule("repository_files", _REPO),
    "dependency_updates": PythonRule("repository_files", _REPO),
    "lockfiles_committed": PythonRule("repository_files", _REPO),
    "base_images_pinned": PythonRule("repository_files", _REPO),
    "codeowners_protects": PythonRule("repository_files", _REPO),
    "csv_well_formed": PythonRule("repository_files", _REPO),
    "dataset_metadata": PythonRule("repository_files", _REPO),
    "personal_data_in_files": PythonRule("repo_data", _REPO, options={"min_values": _whole(2)}),
    "readme_sections": PythonRule("repo_data", _REPO),
    "dataset_licence": PythonRule("repo_data", _REPO, options={"allowed": _array(["OGL-UK-3.0"])}),
    "actions_pinned_to_sha": PythonRule(
        "repo_workflows",
        _REPO,
        options={
            "trusted_owners": _array(["actions", "github"]),
            "trust_own_organisation": {"type": "boolean", "default": True},
        },
    ),
    "workflow_permissions": PythonRule("repo_workflows", _REPO),
    "risky_triggers": PythonRule("repo_workflows", _REPO),
    "cloud_oidc": PythonRule("repo_workflows", _REPO),
    "ci_runs_tests": PythonRule("repo_workflows", _REPO),
    "secrets_in_history": PythonRule(
        "git_history", "git", options={"max_commits": _whole(1000), "max_blob_bytes": _whole(1024 * 1024)}
    ),
    # OpenAPI
    "x_prefixed_headers": PythonRule("openapi", _OAS, _DOCUMENT),
    "host_name_characters": PythonRule("openapi", _OAS, _DOCUMENT),
    "host_name_lengths": PythonRule("openapi", _OAS, _DOCUMENT),
    "servers_not_https": PythonRule("openapi", _OAS, _DOCUMENT),
    "api_metadata": PythonRule("openapi", _OAS, _DOCUMENT),
    "licence_not_open": PythonRule("openapi", _OAS, _DOCUMENT, options={"allowed_licences": _LICENCES}),
    "operations_undocumented": PythonRule("openapi", _OAS, _DOCUMENT),
    "error_responses_undocumented": PythonRule("openapi", _OAS, _DOCUMENT),
    "paths_not_kebab_case": PythonRule("openapi", _OAS, _DOCUMENT),
    "versioning": PythonRule("openapi", _OAS, _DOCUMENT),
    "openapi_version_outdated": PythonRule("openapi", _OAS, _DOCUMENT),
    "document_invalid": PythonRule("openapi_catalogue", _OAS, _DOCUMENT, options={"max_errors": _whole(50)}),
    "sandbox_not_advertised": PythonRule(
        "openapi_catalogue",
        _OAS,
        _DOCUMENT,
        options={
            "keywords": _array(
                [
                    "sandbox",
                    "test",
                    "testing",
                    "integration",
                    "staging",
                    "stage",
                    "preprod",
                    "pre-production",
                    "uat",
                    "dev",
                    "development",
                    "demo",
                    "mock",
                    "trial",
                ]
            )
        },
    ),
    "property_case_mixed": PythonRule(
        "openapi_catalogue",
        _OAS,
        _DOCUMENT,
        options={
            "style": {
                "enum": ["snake_case", "camelCase", "PascalCase", "kebab-case", "SCREAMING_SNAKE_CASE", None],
                "default": None,
            }
        },
    ),
    "bulk_download_missing": PythonRule("openapi_catalogue", _OAS, _DOCUMENT, options={"open_data": _OPEN_DATA}),
    "dates_not_iso8601": PythonRule("openapi_design", _OAS, _DOCUMENT),
    "json_not_offered": PythonRule("openapi_design", _OAS, _DOCUMENT),
    "charset_not_utf8": PythonRule("openapi_design", _OAS, _DOCUMENT),
    "personal_data_in_query": PythonRule(
        "openapi_design",
        _OAS,
        _DOCUMENT,
        options={
            "names": _array(
                [
                    "email",
                    "email_address",
                    "nino",
                    "national_insurance_number",
                    "ni_number",
                    "dob",
                    "date_of_birth",
                    "birth_date",
                    "postcode",
                    "post_code",
                    "phone",
                    "phone_number",
                    "telephone",
                    "mobile",
                    "mobile_number",
                    "nhs_number",
                    "passport_number",
                    "first_name",
                    "last_name",
                    "surname",
                    "full_name",
                    "given_name",
                    "family_name",
                    "driving_licence_number",
                    "utr",
                ]
            )
        },
    ),
    "methods_misused": PythonRule("openapi_design", _OAS, _DOCUMENT),
    "sub_resources_too_deep": PythonRule("openapi_design", _OAS, _DOCUMENT, options={"max_depth": _whole(3)}),
    "query_identity_or_behaviour": PythonRule("openapi_design", _OAS, _DOCUMENT),
    "deprecated_without_timeline": PythonRule("openapi_design", _OAS, _DOCUMENT),
    "array_responses": PythonRule("openapi_design", _OAS, _DOCUMENT),
    "operations_without_authentication": PythonRule(
        "openapi_security", _OAS, _DOCUMENT, options={"open_data": _OPEN_DATA}
    ),
    "weak_authentication_schemes": PythonRule("openapi_security", _OAS, _DOCUMENT),
    "oauth_scopes_missing": PythonRule("openapi_security", _OAS, _DOCUMENT),
    # Kubernetes
    "ingress_without_tls": PythonRule("kubernetes", _K8S, ("kubernetes.object",)),
    "baseline_pod_security": PythonRule("kubernetes", _K8S, _POD),
    "restricted_hardening": PythonRule("kubernetes", _K8S, _POD),
    "service_account_token_mounted": PythonRule("kubernetes_identity", _K8S, _POD),
    "image_not_pinned": PythonRule("kubernetes", _K8S, ("kubernetes.container",)),
    "rbac_wildcards": PythonRule("kubernetes_rbac", _K8S, ("kubernetes.object",)),
    "rbac_escalation_verbs": PythonRule("kubernetes_rbac", _K8S, ("kubernetes.object",)),
    "rbac_cluster_secrets": PythonRule("kubernetes_rbac", _K8S),
    "rbac_anonymous_bindings": PythonRule("kubernetes_rbac", _K8S, ("kubernetes.object",)),
    "workloads_without_network_policy": PythonRule("kubernetes_rbac", _K8S),
    "pinned_outside_allowed_regions": PythonRule(
        "kubernetes_workloads", _K8S, _POD, options={"allowed_regions": _REGIONS}
    ),
    "missing_resource_requests": PythonRule("kubernetes_workloads", _K8S, _POD),
    "missing_probes": PythonRule("kubernetes_workloads", _K8S, _POD),
    "workloads_without_autoscaler": PythonRule("kubernetes_workloads", _K8S),
    "production_without_redundancy": PythonRule(
        "kubernetes_workloads",
        _K8S,
        options={
            "production_namespaces": _array(["production", "prod", "*-prod", "*-production"]),
            "production_labels": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "default": {"environment": ["production", "prod"], "env": ["production", "prod"]},
            },
        },
    ),
    # Terraform
    "resources_outside_allowed_regions": PythonRule("regions", _TF, options={"allowed_regions": _REGIONS}),
    "replication_outside_allowed_regions": PythonRule(
        "terraform_residency", _TF, options={"allowed_regions": _REGIONS}
    ),
    "spend_alerts_missing": PythonRule("terraform_estate", _TF),
    "required_tags_missing": PythonRule("terraform_estate", _TF, options={"required_tags": _TAGS}),
    "portability_profile": PythonRule("terraform_estate", _TF),
    "audit_logging": PythonRule("terraform_estate", _TF),
    "versions_unconstrained": PythonRule("terraform_estate", _TF),
    "modules_not_read": PythonRule("terraform_coverage", _TF),
    "public_object_storage": PythonRule(
        "terraform_access", _TF, options={"exposure_tag": {**_TEXT, "default": "Exposure"}}
    ),
    "wildcard_admin_permissions": PythonRule("terraform_access", _TF),
    "federated_trust_unscoped": PythonRule("terraform_policies", _TF),
    "role_trust_open": PythonRule("terraform_policies", _TF),
    "resource_policy_open": PythonRule("terraform_policies", _TF),
    "admin_ports_open_to_world": PythonRule(
        "terraform_network",
        _TF,
        ("terraform.resource",),
        options={"ports": _array([22, 3389, 5985, 5986, 3306, 5432, 1433, 1521, 6379, 9200, 27017], _PORT)},
    ),
    "platform_versions_unsupported": PythonRule(
        "terraform_lifecycle",
        _TF,
        ("terraform.resource",),
        options={"as_of": {"type": ["string", "null"], "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$", "default": None}},
    ),
    "credentials_in_user_data": PythonRule("terraform_user_data", _TF, ("terraform.resource",)),
    "traffic_logging_missing": PythonRule("terraform_logging", _TF, ("terraform.resource",)),
    "wide_database_allowlists": PythonRule(
        "terraform_network",
        _TF,
        ("terraform.resource",),
        options={"prefix_length": {"type": "integer", "minimum": 1, "maximum": 31, "default": 8}},
    ),
    "log_retention": PythonRule("terraform_operations", _TF, options={"max_days": _whole(400)}),
    "storage_lifecycle": PythonRule("terraform_operations", _TF),
    "compute_scaling": PythonRule("terraform_operations", _TF),
    "detached_resources": PythonRule("terraform_operations", _TF),
    "production_databases_ha": PythonRule("terraform_operations", _TF),
}


@dataclass(frozen=True)
class OptionDefault:
    name: str
    value: Any = None  # the default, where it is a value
    config_key: str | None = None  # else the configuration key it comes from

    def as_text(self) -> str:
        return f"the top-level `{self.config_key}` setting" if self.config_key else json.dumps(self.value)


def option_defaults(check: Check) -> list[OptionDefault]:
    """Each option of a check's rule with its default: the check's own value, the table's, or
    the shared configuration key it comes from (for the rule pages and `checks list`)."""
    name = check.rule.get("function")
    if name is None:
        return []
    given = check.rule.get("options") or {}
    defaults = []
    for option, schema in RULES[name].options.items():
        if option in given:
            defaults.append(OptionDefault(option, given[option]))
        elif option in SHARED_OPTIONS:
            defaults.append(OptionDefault(option, config_key=SHARED_OPTIONS[option].config_key))
        else:
            defaults.append(OptionDefault(option, schema.get("default")))
    return defaults


def options_schema(rule: PythonRule) -> Schema:
    """The JSON Schema a check's ``options`` (and a user's) must satisfy."""
    return {"type": "object", "properties": dict(rule.options), "additionalProperties": False}


def resolve_options(name: str, settings: Settings, *given: Mapping[str, Any]) -> dict[str, Any]:
    """The options rule ``name`` runs with: the table's defaults (or, for shared options, the
    top-level configuration), then each of ``given`` in turn. A shared mapping (regions by
    provider) is overridden provider by provider."""
    options: dict[str, Any] = {}
    for option, schema in RULES[name].options.items():
        if option in SHARED_OPTIONS:
            options[option] = getattr(settings, SHARED_OPTIONS[option].setting)
        elif "default" in schema:
            options[option] = schema["default"]
    for layer in given:
        for option, value in layer.items():
            default = options.get(option)
            if option in SHARED_OPTIONS and isinstance(default, Mapping) and isinstance(value, Mapping):
                value = {**default, **value}
            options[option] = value
    return options


def check_options(check: Check, settings: Settings) -> dict[str, Any]:
    """A check's options: the rule's defaults, the check's ``options``, the user's for that check."""
    name = check.rule["function"]
    return resolve_options(name, settings, check.rule.get("options") or {}, settings.check_options.get(check.id, {}))


@cache
def rule_function(name: str) -> Callable[..., Iterable[Hit]]:
    function: Callable[..., Iterable[Hit]] = getattr(
        importlib.import_module(f"tcop_lint.check.rules.{RULES[name].module}"), name
    )
    return function
