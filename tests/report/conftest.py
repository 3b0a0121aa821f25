"""The headless browser the HTML report's tests share (tests/browser.py has the helpers)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from browser import chromium_path, unavailable


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install '.[test]')")
    executable = chromium_path()
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()
