"""Kubernetes workload identity: which service account a pod runs as and whether its token is
mounted (TCOP-06-K8S-015).

A pod mounts its service account's token unless the pod or the ServiceAccount sets
``automountServiceAccountToken: false``; the pod's setting wins. ServiceAccounts are looked up
among the scan's objects; one without a namespace may be applied anywhere, so it matches either
way. A pod whose service account is not a literal name is skipped.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from tcop_lint.check.subjects import Subject
from tcop_lint.core.model import Hit, K8sObject
from tcop_lint.core.settings import RuleContext

DEFAULT_ACCOUNT = "default"


def _account_disables_token(objects: Iterable[K8sObject], name: str, namespace: str | None) -> bool:
    for obj in objects:
        if obj.kind != "ServiceAccount" or obj.name != name:
            continue
        if namespace is not None and obj.namespace is not None and obj.namespace != namespace:
            continue
        data = obj.node.data
        if isinstance(data, Mapping) and data.get("automountServiceAccountToken") is False:
            return True
    return False


def service_account_token_mounted(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    pod: Any = subject.data
    if not isinstance(pod, Mapping):
        return
    key = "serviceAccountName" if "serviceAccountName" in pod else "serviceAccount"
    account = pod.get(key, DEFAULT_ACCOUNT) or DEFAULT_ACCOUNT
    mount = pod.get("automountServiceAccountToken")
    if not isinstance(account, str) or mount is False or (mount is not None and mount is not True):
        return
    namespace = subject.source.namespace if isinstance(subject.source, K8sObject) else None
    if mount is None and _account_disables_token(ctx.documents.kubernetes, account, namespace):
        return
    where = ("automountServiceAccountToken",) if mount is True else (key,) if key in pod else ()
    if account == DEFAULT_ACCOUNT:
        yield subject.hit(
            f"{subject.address} runs as its namespace's default service account with the account's token mounted, "
            "so it shares an API identity with every pod that names no account",
            where,
            key="default",
        )
    elif mount is None:
        yield subject.hit(
            f"{subject.address} mounts the API token of service account {account} (automountServiceAccountToken "
            "is not false on the pod or the account, and the default is true)",
            where,
            level="note",
            key="automount",
        )
