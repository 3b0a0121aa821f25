"""Headless Chromium for the HTML report's tests: Playwright driving Debian's chromium, with
axe-core from the npm registry. Without them the tests skip with a reason, unless
TCOP_LINT_REQUIRE_BROWSER=1 (set by .ci/run), where a skip would hide a failure."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
AXE_PLACES = (REPO / ".ci/node/node_modules/axe-core/axe.min.js",)


def unavailable(reason: str) -> None:
    if os.environ.get("TCOP_LINT_REQUIRE_BROWSER") == "1":
        pytest.fail(f"TCOP_LINT_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(reason)


def chromium_path() -> str:
    found = os.environ.get("TCOP_LINT_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        unavailable("no chromium on this machine (Debian: apt-get install chromium)")
    return str(found)


def axe_source() -> str:
    named = os.environ.get("TCOP_LINT_AXE")
    for place in ((Path(named),) if named else ()) + AXE_PLACES:
        if place.is_file():
            return place.read_text(encoding="utf-8")
    unavailable("axe-core is not installed (npm install --prefix .ci/node axe-core@4)")
    return ""


@dataclass
class Visit:
    page: Any
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)


def open_page(browser: Any, path: Path, *, bypass_csp: bool = False) -> Visit:
    """The report opened from disk as an assessor opens an attachment, recording every request
    the page makes beyond its own file, every dialog (an injected alert) and the console."""
    context = browser.new_context(bypass_csp=bypass_csp, java_script_enabled=True)
    page = context.new_page()
    visit = Visit(page)
    own = path.resolve().as_uri()
    page.on("request", lambda request: None if request.url == own else visit.requests.append(request.url))
    page.on("dialog", lambda dialog: (visit.dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: visit.console.append(message.text))
    page.goto(own, wait_until="load")
    return visit


def axe_violations(browser: Any, path: Path) -> list[dict[str, Any]]:
    """axe-core's WCAG 2.x A and AA rules (2.2 included) run in the page; its CSP forbids
    scripts, so this context bypasses it to inject axe."""
    source = axe_source()
    visit = open_page(browser, path, bypass_csp=True)
    visit.page.add_script_tag(content=source)
    result = visit.page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa']}})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target)}))"
    )
    visit.page.context.close()
    return list(result)
