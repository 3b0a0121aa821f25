"""GitLab Code Quality report (``artifacts: reports: codequality``).

GitLab reads a JSON array of issues, a subset of the Code Climate spec. Each issue here has
exactly these keys, in this order::

    {"description": ..., "check_name": ..., "fingerprint": ..., "severity": ...,
     "location": {"path": ..., "lines": {"begin": ...}}}

Choices worth knowing:

- ``fingerprint`` is the finding's own fingerprint (the engine's logical fingerprint: rule,
  file, address and the rule's key; never the line or the message), the same value the SARIF
  reporter writes as
  ``partialFingerprints["tcopLint/v1"]``. GitLab compares the fingerprints of the source and
  target branches to say which issues a merge request introduced or fixed, so a finding that
  only moves lines is not reported as new. GitLab shows one issue per fingerprint; the
  engine keeps fingerprints unique within a scan.
- ``severity`` uses GitLab's scale: note → ``info``, warning → ``minor``, error → ``major``.
  An error from a security check whose ``security_severity`` is 7.0 or more (the "high" and
  "critical" bands of CVSS and GitHub code scanning) is ``critical``. ``blocker`` is never
  used: findings are evidence for a TCoP assessment, not a verdict.
- ``location.path`` is repository-relative, with forward slashes and not percent-encoded.
  A repository-level finding (``file is None``) is anchored at line 1 of the root README
  when there is one (the same anchor as in SARIF), otherwise at ``.``, the repository root.
  GitLab needs a string path; a README gives the merge request widget a file it can link.
- Suppressed findings are left out, as in the other CI formats. Files that could not be
  parsed and crashed checks are not issues; the text report and the exit code carry them.
- Output is deterministic: issues sorted by file, line, column, check and address, fixed key
  order, two-space indentation, UTF-8 without escaping, and a trailing newline.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from typing import Any

from tcop_lint.core.model import Check, Finding, Report
from tcop_lint.report.sarif import _repository_anchor

ROOT_PATH = "."
CRITICAL_SECURITY_SEVERITY = 7.0
SEVERITIES = ("info", "minor", "major", "critical", "blocker")
_LEVEL_SEVERITY = {"note": "info", "warning": "minor", "error": "major"}


def render_gitlab(report: Report, *, repository_files: Sequence[str] | None = None) -> str:
    """The Code Quality report for ``report`` as JSON text ending in a newline."""
    checks = {check.id: check for check in report.checks}
    findings = sorted(
        (f for f in report.findings if f.suppressed is None),
        key=lambda f: (f.sort_key(), f.fingerprint),
    )
    if repository_files is None and report.repository_files:
        repository_files = report.repository_files
    anchor: str | None = None
    if any(f.file is None for f in findings):
        anchor = _repository_anchor(report.root, repository_files)
    issues = [_issue(f, checks.get(f.check_id), anchor) for f in findings]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"


def severity(finding: Finding, check: Check | None) -> str:
    """GitLab's severity for a finding; see the module docstring for the mapping."""
    if finding.level == "error" and check is not None and check.security_severity is not None:
        value = check.security_severity
        if math.isfinite(value) and value >= CRITICAL_SECURITY_SEVERITY:
            return "critical"
    return _LEVEL_SEVERITY.get(finding.level, "minor")


def _issue(finding: Finding, check: Check | None, anchor: str | None) -> dict[str, Any]:
    if finding.file is not None:
        path = _path(finding.file)
        line = max(1, finding.position.line) if finding.position is not None else 1
    else:
        path = _path(anchor) if anchor else ROOT_PATH
        line = 1
    return {
        "description": " ".join((finding.message or finding.check_id).split()),
        "check_name": finding.check_id,
        "fingerprint": finding.fingerprint,
        "severity": severity(finding, check),
        "location": {"path": path, "lines": {"begin": line}},
    }


def _path(path: str) -> str:
    posix = path.replace("\\", "/")
    while posix.startswith("./"):
        posix = posix[2:]
    return posix.lstrip("/") or ROOT_PATH
