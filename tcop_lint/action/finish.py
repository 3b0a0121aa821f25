"""The action's last step: fail the job with the scan's exit code, after SARIF was uploaded."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

MEANINGS = {
    1: "findings at or above the fail-on level",
    2: "a usage or configuration error (see the scan step's log)",
    3: "an internal error: a check crashed (see the scan step's log)",
}


def main(env: Mapping[str, str] = os.environ) -> int:
    text = env.get("TCOP_LINT_EXIT_CODE", "").strip()
    if not text.isdigit():
        print("tcop-lint: the scan step did not record an exit code; failing")
        return 3
    code = int(text)
    if code == 0:
        print("tcop-lint: no findings at or above the fail-on level")
        return 0
    print(f"tcop-lint: exit code {code}: {MEANINGS.get(code, 'unexpected failure')}")
    return code


if __name__ == "__main__":
    sys.exit(main())
