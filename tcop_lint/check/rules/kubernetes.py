"""Kubernetes rules that need more than one JSON Schema condition."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from tcop_lint.check.subjects import CONTAINER_LISTS, Subject
from tcop_lint.core.model import DataPath, Hit, K8sObject
from tcop_lint.core.settings import RuleContext

# Annotations by which a cloud load balancer terminates TLS without spec.tls.
TLS_BY_ANNOTATION = (
    "alb.ingress.kubernetes.io/certificate-arn",
    "networking.gke.io/managed-certificates",
    "ingress.gcp.kubernetes.io/pre-shared-cert",
    "appgw.ingress.kubernetes.io/appgw-ssl-certificate",
)
REDIRECT_OFF = ("nginx.ingress.kubernetes.io/ssl-redirect", "nginx.ingress.kubernetes.io/force-ssl-redirect")

# The capabilities the Baseline Pod Security Standard allows a container to add.
BASELINE_CAPABILITIES = frozenset(
    (
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    )
)
HOST_NAMESPACES = ("hostNetwork", "hostPID", "hostIPC")


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _list(value: Any) -> list:
    return value if isinstance(value, list) else []


def _covers(pattern: Any, host: str) -> bool:
    if not isinstance(pattern, str):
        return False
    if pattern.startswith("*."):
        head, _, rest = host.partition(".")
        return bool(head) and rest == pattern[2:]
    return pattern == host


def ingress_without_tls(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """An Ingress whose hosts are served over plain HTTP: no spec.tls, a host that no TLS
    entry covers, or TLS with the HTTP-to-HTTPS redirect switched off."""
    spec = subject.data.get("spec")
    if not isinstance(spec, Mapping):
        return
    annotations = _mapping(_mapping(subject.data.get("metadata")).get("annotations"))
    rules = [(i, rule.get("host")) for i, rule in enumerate(_list(spec.get("rules"))) if isinstance(rule, Mapping)]
    hosts = [(i, host) for i, host in rules if isinstance(host, str) and host]
    tls = [entry for entry in _list(spec.get("tls")) if isinstance(entry, Mapping)]
    if not tls:
        if any(annotations.get(key) for key in TLS_BY_ANNOTATION):
            return
        # No TLS at all is often by design: a load balancer or CDN in front terminates it, which
        # the manifests cannot show. A question for the team, not a certain exposure.
        if not hosts:
            yield subject.hit(
                f"Ingress {subject.address} has no TLS (spec.tls is missing or empty)", ("spec",), level="warning"
            )
        for i, host in hosts:
            yield subject.hit(
                f"Ingress host {host} is served without TLS (spec.tls is missing or empty), unless something in "
                "front of the cluster terminates it",
                ("spec", "rules", i, "host"),
                address_suffix=f"/{host}",
                level="warning",
            )
        return
    if not any(not _list(entry.get("hosts")) for entry in tls):  # an entry without hosts covers all
        listed = [pattern for entry in tls for pattern in _list(entry.get("hosts"))]
        for i, host in hosts:
            if not any(_covers(pattern, host) for pattern in listed):
                yield subject.hit(
                    f"Ingress host {host} is not covered by any spec.tls hosts entry, so it is served without TLS",
                    ("spec", "rules", i, "host"),
                    address_suffix=f"/{host}",
                )
    for key in REDIRECT_OFF:
        if str(annotations.get(key, "")).lower() == "false":
            yield subject.hit(
                f'Ingress {subject.address} switches off the HTTPS redirect ({key}: "false"), so it also answers over '
                "plain HTTP",
                ("metadata", "annotations", key),
                address_suffix=f"/{key}",
                level="warning",
            )


def _capability(name: Any) -> str:
    text = str(name).upper()
    return text[4:] if text.startswith("CAP_") else text


def baseline_pod_security(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """Settings the Baseline Pod Security Standard forbids, each at its own line."""
    pod = subject.data
    where = subject.address
    for key in HOST_NAMESPACES:
        if pod.get(key) is True:
            yield subject.hit(f"{where} shares the node's namespaces ({key}: true)", (key,), address_suffix=f"/{key}")
    for i, volume in enumerate(_list(pod.get("volumes"))):
        if isinstance(volume, Mapping) and "hostPath" in volume:
            name = volume.get("name", i)
            yield subject.hit(
                f"{where} mounts a hostPath volume ({name}), which exposes the node's file system",
                ("volumes", i, "hostPath"),
                address_suffix=f"/volumes/{name}",
            )
    pod_context = _mapping(pod.get("securityContext"))
    yield from _security_context_hits(subject, pod_context, ("securityContext",), where, "")
    for list_name in CONTAINER_LISTS:
        for i, container in enumerate(_list(pod.get(list_name))):
            if not isinstance(container, Mapping):
                continue
            name = container.get("name")
            label = f"{where}/{list_name}/{name if isinstance(name, str) else i}"
            suffix = label[len(where) :]
            base = (list_name, i)
            context = _mapping(container.get("securityContext"))
            if context.get("privileged") is True:
                yield subject.hit(
                    f"{label} runs privileged (securityContext.privileged: true)",
                    base + ("securityContext", "privileged"),
                    address_suffix=suffix + "/privileged",
                )
            added = _list(_mapping(context.get("capabilities")).get("add"))
            for j, capability in enumerate(added):
                if _capability(capability) not in BASELINE_CAPABILITIES:
                    yield subject.hit(
                        f"{label} adds the capability {capability}, which the Baseline Pod Security Standard does not "
                        "allow",
                        base + ("securityContext", "capabilities", "add", j),
                        address_suffix=f"{suffix}/capabilities/{capability}",
                    )
            yield from _security_context_hits(subject, context, base + ("securityContext",), label, suffix)
            for j, port in enumerate(_list(container.get("ports"))):
                host_port = port.get("hostPort") if isinstance(port, Mapping) else None
                if isinstance(host_port, int) and not isinstance(host_port, bool) and host_port != 0:
                    yield subject.hit(
                        f"{label} binds host port {host_port}",
                        base + ("ports", j, "hostPort"),
                        address_suffix=f"{suffix}/hostPort/{host_port}",
                    )


def _security_context_hits(
    subject: Subject, context: Mapping[str, Any], path: tuple, label: str, suffix: str
) -> Iterator[Hit]:
    proc_mount = context.get("procMount")
    if proc_mount not in (None, "Default"):
        yield subject.hit(
            f"{label} unmasks /proc (procMount: {proc_mount})",
            path + ("procMount",),
            address_suffix=suffix + "/procMount",
        )
    if _mapping(context.get("windowsOptions")).get("hostProcess") is True:
        yield subject.hit(
            f"{label} runs as a Windows host process (hostProcess: true)",
            path + ("windowsOptions", "hostProcess"),
            address_suffix=suffix + "/hostProcess",
        )
    if _mapping(context.get("seccompProfile")).get("type") == "Unconfined":
        yield subject.hit(
            f"{label} turns off seccomp (seccompProfile.type: Unconfined)",
            path + ("seccompProfile", "type"),
            address_suffix=suffix + "/seccompProfile",
        )


# --- TCOP-06-K8S-003: the Restricted Pod Security Standard ------------------------------

RESTRICTED_SECCOMP = ("RuntimeDefault", "Localhost")


def _containers(
    pod: Mapping[str, Any], list_names: tuple[str, ...] = CONTAINER_LISTS
) -> Iterator[tuple[str, int, Mapping[str, Any]]]:
    for list_name in list_names:
        for i, container in enumerate(_list(pod.get(list_name))):
            if isinstance(container, Mapping):
                yield list_name, i, container


def _container_label(where: str, list_name: str, i: int, container: Mapping[str, Any]) -> str:
    name = container.get("name")
    return f"{where}/{list_name}/{name if isinstance(name, str) and name else i}"


def _first_present(data: Mapping[str, Any], candidates: tuple[tuple, ...], fallback: tuple) -> tuple:
    """The first path whose last key is present (all paths are below ``data``)."""
    for path in candidates:
        value: Any = data
        for key in path:
            value = value.get(key) if isinstance(value, Mapping) else None
            if value is None:
                break
        else:
            return path
    return fallback


def restricted_hardening(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """One finding per container that falls short of the Restricted Pod Security Standard,
    naming every setting it lacks, at the line of the first one (or where to add it).
    Settings the Baseline check already reports as errors (seccomp Unconfined, dangerous
    capabilities) are left to it."""
    pod = subject.data
    if not isinstance(pod, Mapping):
        return
    windows = _mapping(pod.get("os")).get("name") == "windows"  # Restricted exempts these from three controls
    pod_context = _mapping(pod.get("securityContext"))
    where = subject.address
    for list_name, i, container in _containers(pod):
        label = _container_label(where, list_name, i, container)
        problems = list(_restricted_gaps(container, (list_name, i), pod_context, windows))
        if problems:
            yield subject.hit(
                f"{label} does not meet the Restricted profile: " + "; ".join(text for text, _, _ in problems),
                problems[0][1],
                address_suffix=label[len(where) :],
                properties={"settings": sorted({setting for _, _, setting in problems})},
            )


def _restricted_gaps(
    container: Mapping[str, Any], base: DataPath, pod_context: Mapping[str, Any], windows: bool
) -> Iterator[tuple[str, DataPath, str]]:
    """(what is wrong, where, the setting) for each Restricted control the container misses."""
    context = _mapping(container.get("securityContext"))
    anchor = base + ("securityContext",) if "securityContext" in container else base

    def at(*names: str | int) -> DataPath:
        return base + ("securityContext",) + names

    escalation = context.get("allowPrivilegeEscalation")
    if not windows and escalation is not False:
        yield (
            ("allows privilege escalation (allowPrivilegeEscalation: true)", at("allowPrivilegeEscalation"))
            if escalation is True
            else ("does not set allowPrivilegeEscalation: false", anchor)
        ) + ("allowPrivilegeEscalation",)

    own, inherited = context.get("runAsNonRoot"), pod_context.get("runAsNonRoot")
    if not (own is True or (own is None and inherited is True)):
        if own is not None:
            yield f"sets runAsNonRoot: {str(own).lower()}", at("runAsNonRoot"), "runAsNonRoot"
        elif inherited is not None:
            yield (
                f"inherits runAsNonRoot: {str(inherited).lower()} from the pod",
                ("securityContext", "runAsNonRoot"),
                "runAsNonRoot",
            )
        else:
            yield "is not required to run as a non-root user (runAsNonRoot: true is not set)", anchor, "runAsNonRoot"

    user_path = at("runAsUser") if "runAsUser" in context else ("securityContext", "runAsUser")
    user = context["runAsUser"] if "runAsUser" in context else pod_context.get("runAsUser")
    if user == 0 and not isinstance(user, bool):
        yield "runs as root (runAsUser: 0)", user_path, "runAsUser"

    capabilities = _mapping(context.get("capabilities"))
    if not windows and "ALL" not in _list(capabilities.get("drop")):
        path = _first_present(
            container, (("securityContext", "capabilities", "drop"), ("securityContext", "capabilities")), ()
        )
        yield (
            "does not drop all capabilities (capabilities.drop: [ALL])",
            base + path if path else anchor,
            "capabilities",
        )
    for j, capability in enumerate(_list(capabilities.get("add"))):
        name = _capability(capability)
        if not windows and name in BASELINE_CAPABILITIES and name != "NET_BIND_SERVICE":
            yield (
                f"adds the capability {capability}, where only NET_BIND_SERVICE is allowed",
                at("capabilities", "add", j),
                "capabilities",
            )

    own_type = _mapping(context.get("seccompProfile")).get("type")
    pod_type = _mapping(pod_context.get("seccompProfile")).get("type")
    effective = own_type if own_type is not None else pod_type
    if not windows and effective not in RESTRICTED_SECCOMP and effective != "Unconfined":
        if effective is None:
            path = _first_present(container, (("securityContext", "seccompProfile"),), ())
            yield (
                "has no seccomp profile (seccompProfile.type: RuntimeDefault is not set)",
                base + path if path else anchor,
                "seccompProfile",
            )
        else:
            path = (
                at("seccompProfile", "type") if own_type is not None else ("securityContext", "seccompProfile", "type")
            )
            yield f"uses the seccomp profile type {effective}, not RuntimeDefault or Localhost", path, "seccompProfile"


# --- TCOP-06-K8S-005: images pinned to a version ----------------------------------------

_DIGEST = re.compile(r"@[A-Za-z0-9_+.-]+:[0-9A-Fa-f]{32,}$")


def image_pinning(image: str) -> str:
    """ "digest", "tag" (a version tag without a digest), "floating" (no tag, or latest) or
    "templated" (filled in at deploy time, so unknown here)."""
    if "${" in image or "$(" in image:
        return "templated"
    if _DIGEST.search(image):
        return "digest"
    last = image.rsplit("/", 1)[-1]
    name, colon, tag = last.partition(":")
    if not colon or not name or not tag or "@" in last or ":" in tag or tag == "latest":
        return "floating"
    return "tag"


def image_name(image: str) -> str:
    """The image without its tag and digest, as kustomize and skaffold match it."""
    image = image.strip().partition("@")[0]
    head, slash, last = image.rpartition("/")
    return head + slash + last.partition(":")[0]


def replaced_images(objects: Sequence[K8sObject]) -> frozenset[str]:
    """Image names whose version the repository's build tools set at deploy time: kustomize
    ``images`` entries that give a digest or a version tag, and skaffold artifacts (skaffold
    builds them and writes the tag or digest it built into the manifests)."""
    names: set[str] = set()
    for obj in objects:
        data = _mapping(obj.node.data)
        if obj.kind in ("Kustomization", "Component") and obj.api_version.startswith("kustomize.config.k8s.io/"):
            for entry in map(_mapping, _list(data.get("images"))):
                name, tag, digest = entry.get("name"), entry.get("newTag"), entry.get("digest")
                pinned = (isinstance(digest, str) and digest) or (
                    isinstance(tag, (str, int, float)) and str(tag) not in ("", "latest")
                )
                if isinstance(name, str) and name and pinned:
                    names.add(image_name(name))
        elif obj.kind == "Config" and obj.api_version.startswith("skaffold/"):
            builds = [data.get("build")] + [_mapping(profile).get("build") for profile in _list(data.get("profiles"))]
            for build in map(_mapping, builds):
                for artifact in map(_mapping, _list(build.get("artifacts"))):
                    image = artifact.get("image")
                    if isinstance(image, str) and image.strip():
                        names.add(image_name(image))
    return frozenset(names)


_REPLACED_MEMO: list[tuple[Sequence[K8sObject], frozenset[str]]] = []


def _replaced(objects: Sequence[K8sObject]) -> frozenset[str]:
    """replaced_images for this scan's objects, worked out once per scan, not per container."""
    if not _REPLACED_MEMO or _REPLACED_MEMO[0][0] is not objects:
        _REPLACED_MEMO[:] = [(objects, replaced_images(objects))]
    return _REPLACED_MEMO[0][1]


def image_not_pinned(subject: Subject, ctx: RuleContext) -> Iterator[Hit]:
    """A warning for an image that can change under you (no tag, or latest); a note for a
    version tag without a digest, since a tag can be moved. Images whose version a
    kustomization or skaffold file of the repository sets at deploy time are left alone."""
    image = subject.data.get("image") if isinstance(subject.data, Mapping) else None
    if not isinstance(image, str) or not image.strip():
        return
    if image_name(image) in _replaced(ctx.documents.kubernetes):
        return  # kustomize or skaffold sets its version when it deploys
    pinning = image_pinning(image.strip())
    if pinning == "floating":
        yield subject.hit(
            f"{subject.address} runs image {image} without a fixed version: add a version tag or a digest",
            ("image",),
            address_suffix="#/image",
        )
    elif pinning == "tag":
        yield subject.hit(
            f"{subject.address} runs image {image} by tag only: add its digest, because a tag can be moved",
            ("image",),
            address_suffix="#/image",
            level="note",
        )
