import os
import sys
import tempfile
from pathlib import Path

# Shared test helpers (catalogue_cases, hostile_repo) live beside the tests.
sys.path.insert(0, str(Path(__file__).parent))

# Scans from the tests keep their parse cache out of the user's own cache folder.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="tcop-lint-test-cache-")
