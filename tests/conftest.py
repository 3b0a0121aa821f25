import os
import sys
import tempfile
from pathlib import Path

import pytest

# Shared test helpers (catalogue_cases, hostile_repo) live beside the tests.
sys.path.insert(0, str(Path(__file__).parent))

# Scans from the tests keep their parse cache out of the user's own cache folder.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="tcop-lint-test-cache-")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-fixtures",
        action="store_true",
        help="Rewrite the EXPECTED file of each failing check fixture from what the check now reports.",
    )


@pytest.fixture
def update_fixtures(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-fixtures"))
