"""Peak memory and time of loading one large Terraform plan JSON.

    python benchmarks/plan_memory.py [--megabytes 50] [--compact] [--keep DIR]

Writes a plan of about the given size (in Terraform 1.x's shape: planned values, resource
changes with the values before and after, the prior state and the configuration; resources in
the root and in module instances, with unknown and sensitive values) to a temporary folder,
then loads it the way a scan does (``load_file``) twice: once in a fresh process measured by
its peak resident set size (what ``/usr/bin/time -v`` calls "Maximum resident set size"), once
under tracemalloc for the peak of Python allocations. ``--compact`` writes the plan on one line,
as ``terraform show -json`` does; by default it is indented, as when piped through ``jq``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RESOURCE_TYPES = ("aws_security_group", "aws_db_instance", "aws_s3_bucket", "aws_iam_role")


def _values(kind: str, number: int) -> dict:
    name = f"{kind.split('_', 1)[1]}-{number}"
    if kind == "aws_security_group":
        return {
            "name": name,
            "description": "Managed by Terraform",
            "revoke_rules_on_delete": False,
            "tags": {"Service": "claims", "Environment": "production"},
            "timeouts": None,
            "ingress": [
                {
                    "cidr_blocks": [f"10.{number % 250}.{port % 250}.0/24"],
                    "description": f"port {port}",
                    "from_port": port,
                    "to_port": port,
                    "protocol": "tcp",
                    "ipv6_cidr_blocks": [],
                    "prefix_list_ids": [],
                    "security_groups": [],
                    "self": False,
                }
                for port in (443, 8443, 5432)
            ],
        }
    if kind == "aws_db_instance":
        return {
            "identifier": name,
            "engine": "postgres",
            "engine_version": "16.3",
            "instance_class": "db.t4g.medium",
            "allocated_storage": 100,
            "publicly_accessible": False,
            "storage_encrypted": True,
            "backup_retention_period": 14,
            "deletion_protection": True,
            "multi_az": True,
            "snapshot_identifier": None,
            "replicate_source_db": None,
            "tags": {"Service": "claims", "Environment": "production"},
        }
    if kind == "aws_s3_bucket":
        return {"bucket": name, "force_destroy": False, "tags": {"Service": "claims"}, "timeouts": None}
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
        ],
    }
    return {"name": name, "assume_role_policy": json.dumps(policy), "path": "/", "tags": {"Service": "claims"}}


def _unknown(kind: str) -> dict:
    base = {"arn": True, "id": True, "tags_all": True}
    if kind == "aws_db_instance":
        base.update({"endpoint": True, "address": True, "password": True})
    return base


def generate(path: Path, megabytes: float, compact: bool) -> int:
    """Writes a plan of about ``megabytes`` and returns how many resources it holds."""
    trial = 400
    _write(path, trial, compact)
    count = max(1, round(trial * megabytes * 1024 * 1024 / path.stat().st_size))
    _write(path, count, compact)
    return count


def _write(path: Path, count: int, compact: bool) -> None:
    planned_root: list[dict] = []
    children: dict[str, list[dict]] = {}
    changes: list[dict] = []
    prior: list[dict] = []
    for number in range(count):
        kind = RESOURCE_TYPES[number % len(RESOURCE_TYPES)]
        module = f'module.service["svc-{number // 40}"]' if number % 3 else ""
        own = f"{kind}.this[{number % 40}]"
        address = f"{module}.{own}" if module else own
        values = _values(kind, number)
        entry = {
            "address": address,
            "mode": "managed",
            "type": kind,
            "name": "this",
            "index": number % 40,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "schema_version": 0,
            "values": values,
            "sensitive_values": {"tags": {}},
        }
        (children.setdefault(module, []) if module else planned_root).append(entry)
        change = {
            "address": address,
            **({"module_address": module} if module else {}),
            "mode": "managed",
            "type": kind,
            "name": "this",
            "index": number % 40,
            "provider_name": "registry.terraform.io/hashicorp/aws",
            "change": {
                "actions": ["update"] if number % 2 else ["no-op"],
                "before": values,
                "after": values,
                "after_unknown": _unknown(kind),
                "before_sensitive": {"tags": {}},
                "after_sensitive": {"password": True} if kind == "aws_db_instance" else {"tags": {}},
            },
        }
        changes.append(change)
        prior.append({k: v for k, v in entry.items() if k != "sensitive_values"})
    resources = [
        {"address": f"{kind}.this", "mode": "managed", "type": kind, "name": "this", "provider_config_key": "aws"}
        for kind in RESOURCE_TYPES
    ]
    document = {
        "format_version": "1.2",
        "terraform_version": "1.9.8",
        "variables": {"environment": {"value": "production"}},
        "planned_values": {
            "root_module": {
                "resources": planned_root,
                "child_modules": [{"resources": r, "address": m} for m, r in sorted(children.items())],
            }
        },
        "resource_changes": changes,
        "prior_state": {
            "format_version": "1.0",
            "terraform_version": "1.9.8",
            "values": {"root_module": {"resources": prior}},
        },
        "configuration": {
            "provider_config": {
                "aws": {
                    "name": "aws",
                    "full_name": "registry.terraform.io/hashicorp/aws",
                    "expressions": {"region": {"constant_value": "eu-west-2"}},
                }
            },
            "root_module": {
                "resources": resources[:1],
                "module_calls": {"service": {"source": "./modules/service", "module": {"resources": resources}}},
            },
        },
        "timestamp": "2026-12-01T09:00:00Z",
        "applyable": True,
        "complete": True,
        "errored": False,
    }
    with path.open("w", encoding="utf-8") as handle:
        json.dump(document, handle, indent=None if compact else 2, separators=(",", ":") if compact else None)


def _load(folder: Path, name: str) -> tuple[int, float]:
    from tcop_lint.load.loading import load_file

    start = time.perf_counter()
    result = load_file(folder, name, 1024 * 1024)
    elapsed = time.perf_counter() - start
    plan = result.terraform_plan
    if plan is None:
        raise SystemExit(f"not read as a plan: {[p.message for p in result.problems]}")
    return len(plan.resources), elapsed


def child(folder: str, name: str) -> None:
    """Run in a fresh process: prints resources, seconds and peak RSS in MB."""
    count, elapsed = _load(Path(folder), name)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"resources": count, "seconds": round(elapsed, 2), "peak_rss_mb": round(peak, 1)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=50)
    parser.add_argument("--compact", action="store_true")
    parser.add_argument("--keep", type=Path, help="write the plan here and keep it")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as temporary:
        folder = args.keep or Path(temporary)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "tfplan.json"
        written = generate(path, args.megabytes, args.compact)
        size = path.stat().st_size
        done = subprocess.run(
            [sys.executable, __file__, "--child", str(folder), path.name], capture_output=True, text=True, check=True
        )
        measured = json.loads(done.stdout)
        baseline = subprocess.run(
            [
                sys.executable,
                "-c",
                "import resource, tcop_lint.load.loading, tcop_lint.load.terraform_plan; "
                "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        import tracemalloc

        tracemalloc.start()
        _load(folder, path.name)
        traced = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(
            json.dumps(
                {
                    "plan_mb": round(size / 1024 / 1024, 1),
                    "compact": args.compact,
                    "resources_written": written,
                    "resources_read": measured["resources"],
                    "load_seconds": measured["seconds"],
                    "peak_rss_mb": measured["peak_rss_mb"],
                    "rss_of_the_imports_alone_mb": round(float(baseline.stdout), 1),
                    "tracemalloc_peak_mb": round(traced / 1024 / 1024, 1),
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
