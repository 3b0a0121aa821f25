"""Size of the HTML evidence pack for a large repository (target: under 5 MB for a 21,000-file
repository with 1,000 findings).

    python benchmarks/html_size.py [--report platform.json] [--findings 1000] [--platform DIR]

Without --report it generates the platform corpus (generate.py platform --namespaces 2000:
21,000 files) into --platform (default /tmp/platform, reused when present) and scans it for its
JSON report. It renders the HTML from that report in full, and from the same report cut to its
first --findings findings (each point keeps the findings that remain), and prints bytes, findings
and bytes per finding of each.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from tcop_lint.report.html import html_page  # noqa: E402

TARGET_BYTES = 5_000_000


def platform_report(folder: Path) -> dict[str, Any]:
    if not (folder / "namespaces").is_dir():
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), "platform", str(folder), "--namespaces", "2000"], check=True
        )
    done = subprocess.run(
        [sys.executable, "-m", "tcop_lint", "scan", str(folder), "--format", "json", "--fail-on", "never", "--quiet"],
        capture_output=True,
        text=True,
        check=True,
        cwd=str(HERE.parent),
    )
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def cut(document: dict[str, Any], findings: int) -> dict[str, Any]:
    kept = document["findings"][:findings]
    fingerprints = {f["fingerprint"] for f in kept}
    points = [{**p, "findings": [fp for fp in p["findings"] if fp in fingerprints]} for p in document["points"]]
    return {**document, "findings": kept, "points": points}


def measure(label: str, document: dict[str, Any]) -> tuple[int, int]:
    start = time.perf_counter()
    size = len(html_page(document).encode("utf-8"))
    seconds = time.perf_counter() - start
    count = len(document["findings"])
    print(
        f"| {label} | {document['files_scanned']} | {count} | {size / 1e6:.2f} MB | {size / max(count, 1):.0f} B "
        f"| {seconds:.2f} s |"
    )
    return size, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--report", type=Path)
    parser.add_argument("--platform", type=Path, default=Path("/tmp/platform"))
    parser.add_argument("--findings", type=int, default=1000)
    args = parser.parse_args()
    document = json.loads(args.report.read_text(encoding="utf-8")) if args.report else platform_report(args.platform)
    print("| report | files | findings | HTML | per finding | render |\n|---|---|---|---|---|---|")
    measure("as scanned", document)
    size, count = measure(f"first {args.findings} findings", cut(document, args.findings))
    met = size < TARGET_BYTES and count == args.findings
    print(f"\n{args.findings} findings: {size / 1e6:.2f} MB, target < 5 MB: {'met' if met else 'NOT met'}")
    raise SystemExit(0 if met else 1)


if __name__ == "__main__":
    main()
