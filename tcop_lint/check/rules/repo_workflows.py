"""Checks on GitHub Actions workflows (TCoP point 6, and point 9 for CI).

Workflows (``.github/workflows/*.yml``) and actions are parsed in the load phase
(tcop_lint.load.repository_files); the checks read those views. Nothing in them is run.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from tcop_lint.core.model import DataPath, Hit, json_pointer, walk
from tcop_lint.core.settings import RuleContext
from tcop_lint.load.content import CI_FILES, content_of
from tcop_lint.load.repository_files import (
    YamlFile,
    action_name,
    action_paths,
    jobs,
    position,
    steps,
    triggers,
    uses_references,
    workflow_paths,
)

REPOSITORY = "<repository>"
_SHA = re.compile(r"@[0-9a-f]{40}$")
_DOCKER_DIGEST = re.compile(r"^docker://[^@\s]+@sha256:[0-9a-f]{64}$")


def _workflows(ctx: RuleContext, with_actions: bool = False) -> Iterator[YamlFile]:
    repo = ctx.documents.repository
    names = workflow_paths(repo.files) + (action_paths(repo.files) if with_actions else ())
    for name in names:
        workflow = content_of(ctx.documents.content, name).yaml
        if workflow is not None:
            yield workflow


def _hit(workflow: YamlFile, path: DataPath, message: str, level: str | None = None, **properties: Any) -> Hit:
    return Hit(
        file=workflow.file,
        position=workflow.node.locate(path),
        address=f"{workflow.file}#" + json_pointer(path),
        message=message,
        properties=properties,
        level=level,  # type: ignore[arg-type]
    )


# --- TCOP-06-REPO-003 -------------------------------------------------------------------


def actions_pinned_to_sha(ctx: RuleContext) -> Iterable[Hit]:
    trusted = {str(o).lower() for o in ctx.options["trusted_owners"]}
    git = ctx.documents.repository.git
    if ctx.options["trust_own_organisation"] and git is not None and git.owner:
        trusted.add(git.owner)  # the team's own reusable workflows and actions are not third-party
    for workflow in _workflows(ctx, with_actions=True):
        for path, uses in uses_references(workflow):
            uses = uses.strip()
            if uses.startswith("./") or "${{" in uses or _SHA.search(uses) or _DOCKER_DIGEST.match(uses):
                continue
            if uses.startswith("docker://"):
                yield _hit(
                    workflow, path, f"{uses} names a container image by a movable tag: pin it by digest (@sha256:...)"
                )
                continue
            owner = action_name(uses).partition("/")[0]
            if owner in trusted:
                continue
            ref = uses.partition("@")[2] or "(no ref)"
            yield _hit(
                workflow,
                path,
                f"third-party action {action_name(uses)} is used at {ref}, which can be moved: pin it to a full-length "
                "commit SHA",
                action=action_name(uses),
            )


# --- TCOP-06-REPO-004 -------------------------------------------------------------------


# The scopes the permissive default token may write: a grant of write on all of them is write-all.
DEFAULT_WRITE_SCOPES = frozenset(
    (
        "actions",
        "checks",
        "contents",
        "deployments",
        "discussions",
        "issues",
        "packages",
        "pages",
        "pull-requests",
        "repository-projects",
        "security-events",
        "statuses",
    )
)


def _write_scopes(value: Any) -> frozenset[str]:
    if not isinstance(value, Mapping):
        return frozenset()
    return frozenset(str(k) for k, v in value.items() if isinstance(v, str) and v.strip().lower() == "write")


def _is_write_all(value: Any) -> bool:
    """``write-all``, or a map that writes every scope the permissive default token writes."""
    if isinstance(value, str):
        return value.strip().lower() == "write-all"
    return DEFAULT_WRITE_SCOPES <= _write_scopes(value)


def workflow_permissions(ctx: RuleContext) -> Iterable[Hit]:
    """write-all (or every write scope spelt out) is at least as severe as saying nothing."""
    for workflow in _workflows(ctx):
        data = workflow.data
        if not isinstance(data.get("jobs"), Mapping):
            continue
        top = data.get("permissions")
        if _is_write_all(top):
            yield _hit(
                workflow,
                ("permissions",),
                "the workflow gives its token write access to every scope (write-all): grant only what each job needs",
            )
        elif isinstance(top, Mapping):
            broad = sorted(_write_scopes(top))
            if broad:
                yield _hit(
                    workflow,
                    ("permissions",),
                    f"the workflow grants write access ({', '.join(broad)}) to every job: move write scopes to the "
                    "jobs that need them",
                    level="note",
                )
        for name, job in jobs(workflow):
            if _is_write_all(job.get("permissions")):
                yield _hit(
                    workflow,
                    ("jobs", name, "permissions"),
                    f"job {name} gives its token write access to every scope (write-all): grant only what it needs",
                )
        if "permissions" in data or set(triggers(workflow)) == {"workflow_call"}:
            continue  # a reusable workflow runs with the token its caller was given
        unset = [name for name, job in jobs(workflow) if "permissions" not in job]
        if unset:
            yield _hit(
                workflow,
                ("jobs",),
                "no top-level permissions, so job(s) "
                + ", ".join(unset)
                + " run with the repository's default token permissions: add 'permissions: contents: read' at the top",
            )


# --- TCOP-06-REPO-005 -------------------------------------------------------------------

_UNTRUSTED = re.compile(
    r"\$\{\{[^}]*?\b(?:github\.head_ref|github\.event\.(?:"
    r"issue\.(?:title|body)|pull_request\.(?:title|body|head\.ref|head\.label|head\.repo\.default_branch)"
    r"|comment\.body|review\.body|review_comment\.body|discussion\.(?:title|body)"
    r"|pages\.[^}\s]*\.page_name|commits\.[^}\s]*\.(?:message|author\.(?:email|name))"
    r"|head_commit\.(?:message|author\.(?:email|name))|workflow_run\.(?:head_branch|head_commit\.message|display_title)"
    r"))\b[^}]*\}\}"
)
_HEAD_REF = re.compile(
    r"github\.event\.pull_request\.head\.(?:sha|ref)|github\.head_ref|refs/pull/|github\.event\.number|github\.event\.pull_request\.number"
)
_RUN_HEAD = re.compile(
    r"github\.event\.workflow_run\.(?:head_sha|head_branch|head_commit\.id|head_repository\.|pull_requests)"
)
_GIT_CHECKOUT = re.compile(r"\bgit\s+(?:checkout|switch|fetch|reset)\b|\bgh\s+pr\s+checkout\b")
_SECRETS = re.compile(r"\$\{\{[^}]*\bsecrets\.(?!GITHUB_TOKEN\b)")
_ARTIFACT_ACTIONS = ("actions/download-artifact", "dawidd6/action-download-artifact")
_PR_CHECKOUT = re.compile(r"\bgh\s+pr\s+checkout\b|\bgit\s+fetch\b[^\n]*\bpull/")
_RUN_DOWNLOAD = re.compile(r"\bgh\s+run\s+download\b")


# Triggers that run with the base repository's token and secrets on text an outsider writes.
PRIVILEGED_TRIGGERS = frozenset(
    ("pull_request_target", "workflow_run", "issues", "issue_comment", "discussion", "discussion_comment")
)


def _script_injection(workflow: YamlFile, events: Iterable[str]) -> Iterator[Hit]:
    """An error where a privileged trigger starts the workflow; otherwise (pull_request from a
    fork runs with a read-only token, a reusable workflow or action's caller is not known) a
    warning."""
    level = None if PRIVILEGED_TRIGGERS & set(events) else "warning"
    for step in steps(workflow):
        places: list[tuple[str, Any]] = [("run", step.data.get("run"))]
        with_ = step.data.get("with")
        if isinstance(with_, Mapping) and action_name(str(step.data.get("uses", ""))) == "actions/github-script":
            places.append(("with", with_.get("script")))
        for key, value in places:
            if not isinstance(value, str):
                continue
            match = _UNTRUSTED.search(value)
            if match is None:
                continue
            path = step.path + ((key,) if key == "run" else ("with", "script"))
            yield _hit(
                workflow,
                path,
                f"{match.group(0)} is text an outsider controls, put straight into a script: pass it through an "
                "environment variable",
                level,
                kind="script-injection",
            )


def _job_privileges(workflow: YamlFile, job: str | None) -> tuple[str, bool] | None:
    """Why a job's code runs with privileges, and whether that is certain: its write scopes or
    secrets (certain), or the default token when no permissions are declared (it may be
    read-only); None when its token is read-only and it reads no secret."""
    found = dict(jobs(workflow)).get(job or "", {})
    granted = found.get("permissions", workflow.data.get("permissions"))
    if any(isinstance(value, str) and _SECRETS.search(value) for _, value in walk(found)):
        return "the repository's secrets", True
    if granted is None:
        return "the repository's default token, which may write", False
    if _is_write_all(granted):
        return "a write-all token", True
    scopes = sorted(_write_scopes(granted))
    if scopes:
        return "write access to " + ", ".join(scopes), True
    return None


def _workflow_run_checkouts(workflow: YamlFile) -> Iterator[Hit]:
    """A workflow_run workflow that checks out the triggering run's head runs the code of
    whoever opened the pull request, a fork included, with the base repository's privileges."""
    for step in steps(workflow):
        given = step.data.get("with")
        ref = given.get("ref") if isinstance(given, Mapping) else None
        run = step.data.get("run")
        if action_name(str(step.data.get("uses", ""))) == "actions/checkout" and isinstance(ref, str):
            if not _RUN_HEAD.search(ref):
                continue
            path: DataPath = step.path + ("with", "ref")
        elif isinstance(run, str) and _RUN_HEAD.search(run) and _GIT_CHECKOUT.search(run):
            path = step.path + ("run",)
        else:
            continue
        found = _job_privileges(workflow, step.job)
        if found is None:
            continue
        privileges, certain = found
        yield _hit(
            workflow,
            path,
            "a workflow_run workflow checks out the triggering run's head, code that a pull request from a fork "
            f"controls, and runs it with {privileges}: build untrusted code in a pull_request workflow instead",
            level=None if certain else "warning",
            kind="workflow-run-checkout",
        )


def risky_triggers(ctx: RuleContext) -> Iterable[Hit]:
    for workflow in _workflows(ctx, with_actions=True):
        events = triggers(workflow)
        if "pull_request_target" in events:
            for step in steps(workflow):
                uses = action_name(str(step.data.get("uses", "")))
                given = step.data.get("with")
                with_ = given if isinstance(given, Mapping) else {}
                if uses == "actions/checkout" and isinstance(with_.get("ref"), str) and _HEAD_REF.search(with_["ref"]):
                    yield _hit(
                        workflow,
                        step.path + ("with", "ref"),
                        "pull_request_target checks out the pull request's code, which then runs with the base "
                        "repository's "
                        "secrets and write token ('pwn request')",
                        kind="pull-request-target-checkout",
                    )
                elif isinstance(step.data.get("run"), str) and _PR_CHECKOUT.search(step.data["run"]):
                    yield _hit(
                        workflow,
                        step.path + ("run",),
                        "pull_request_target fetches the pull request's code, which then runs with the base "
                        "repository's "
                        "secrets and write token ('pwn request')",
                        kind="pull-request-target-checkout",
                    )
        if "workflow_run" in events:
            yield from _workflow_run_checkouts(workflow)
            for step in steps(workflow):
                uses = action_name(str(step.data.get("uses", "")))
                run = step.data.get("run")
                if uses in _ARTIFACT_ACTIONS or (isinstance(run, str) and _RUN_DOWNLOAD.search(run)):
                    key = "uses" if uses in _ARTIFACT_ACTIONS else "run"
                    yield _hit(
                        workflow,
                        step.path + (key,),
                        "a workflow_run workflow downloads artifacts made by the triggering run, which a pull request "
                        "from "
                        "a fork controls: treat them as untrusted data and never execute them",
                        level="warning",  # downloading is not running: a review question, not an exposure
                        kind="workflow-run-artifacts",
                    )
        yield from _script_injection(workflow, events)


# --- TCOP-06-REPO-006 -------------------------------------------------------------------

_STATIC_KEY_INPUTS: Mapping[str, tuple[str, ...]] = {
    "aws-actions/configure-aws-credentials": ("aws-access-key-id", "aws-secret-access-key"),
    "azure/login": ("creds",),
    "google-github-actions/auth": ("credentials_json",),
}
_STATIC_KEY_ENV = frozenset(("AWS_SECRET_ACCESS_KEY", "ARM_CLIENT_SECRET", "AZURE_CLIENT_SECRET", "GOOGLE_CREDENTIALS"))
_SECRET_EXPRESSION = re.compile(r"\$\{\{\s*secrets\.")


def _env_places(workflow: YamlFile) -> Iterator[tuple[DataPath, Mapping[str, Any]]]:
    if isinstance(workflow.data.get("env"), Mapping):
        yield ("env",), workflow.data["env"]
    for name, job in jobs(workflow):
        if isinstance(job.get("env"), Mapping):
            yield ("jobs", name, "env"), job["env"]
    for step in steps(workflow):
        if isinstance(step.data.get("env"), Mapping):
            yield step.path + ("env",), step.data["env"]


def cloud_oidc(ctx: RuleContext) -> Iterable[Hit]:
    for workflow in _workflows(ctx, with_actions=True):
        for step in steps(workflow):
            action = action_name(str(step.data.get("uses", "")))
            inputs = _STATIC_KEY_INPUTS.get(action)
            with_ = step.data.get("with")
            if not inputs or not isinstance(with_, Mapping):
                continue
            key = next((k for k in inputs if with_.get(k)), None)
            if key is not None:
                yield _hit(
                    workflow,
                    step.path + ("with", key),
                    f"{action} is given a stored cloud credential ({key}): authenticate with OpenID Connect (OIDC) "
                    "instead",
                    action=action,
                )
        for path, env in _env_places(workflow):
            for name, value in env.items():
                if str(name).upper() in _STATIC_KEY_ENV and isinstance(value, str) and _SECRET_EXPRESSION.search(value):
                    yield _hit(
                        workflow,
                        path + (name,),
                        f"{name} is set from a stored secret: authenticate to the cloud with OpenID Connect (OIDC) "
                        "instead of a long-lived key",
                    )


# --- TCOP-09-REPO-001 -------------------------------------------------------------------

_TEST_COMMAND = re.compile(
    r"\b(?:pytest|py\.test|tox|nox|unittest|(?:npm|pnpm|yarn|bun)\s+(?:run\s+)?test\S*|npx\s+(?:jest|vitest|mocha|playwright)"
    r"|jest|vitest|mocha|go\s+test|cargo\s+(?:test|nextest)|rspec|rake(?:\s+\S+)*\s+(?:test|spec)|bundle\s+exec\s+rake"
    r"|mvn\w*(?:\s+\S+)*\s+(?:test|verify)|gradlew?(?:\s+\S+)*\s+(?:test|check|build)|make\s+(?:\S+\s+)*(?:test|check)"
    r"|dotnet\s+test|phpunit|terraform\s+(?:test|validate)|bats|ctest|mix\s+test|swift\s+test|\.ci/run|script/test|bin/test)\b",
    re.IGNORECASE,
)


def ci_runs_tests(ctx: RuleContext) -> Iterable[Hit]:
    repo = ctx.documents.repository
    present = set(repo.files)
    ci_files = list(workflow_paths(repo.files)) + [name for name in CI_FILES if name in present]
    if not ci_files:
        yield Hit(
            None,
            None,
            REPOSITORY,
            "No continuous integration configuration found (for example .github/workflows/): "
            "run the tests automatically on every change",
        )
        return
    for workflow in _workflows(ctx):
        if any(isinstance(job.get("uses"), str) for _, job in jobs(workflow)):
            return  # a reusable workflow may run the tests; it cannot be seen from here
    for name in ci_files:
        found = content_of(ctx.documents.content, name).text
        text = None if found is None or found.binary else found.text
        if text and _TEST_COMMAND.search(text):
            return
    first = ci_files[0]
    yield Hit(
        first,
        position(1),
        first,
        "The continuous integration configuration runs no recognisable test command: "
        "run the project's tests on every change",
    )
