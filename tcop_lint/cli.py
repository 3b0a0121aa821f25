"""The command line. Only this module reads the environment, prints and chooses exit codes.

Exit codes: 0 no finding at or above --fail-on; 1 such findings; 2 usage or configuration
error; 3 internal error (a check crashed, or tcop-lint itself failed).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from tcop_lint import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
FAIL_ON = ("error", "warning", "note", "never")
SCAN_FORMATS = ("text", "json", "sarif")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="tcop-lint", message="%(prog)s %(version)s")
def main() -> None:
    """Evidence signals for the UK Technology Code of Practice, from a repository's Terraform,
    Kubernetes manifests, OpenAPI descriptions and repository files.

    Findings are evidence for an assessment, not a verdict of compliance.
    """


def _usage_error(message: str) -> "click.exceptions.Exit":
    click.echo(f"tcop-lint: {message}", err=True)
    return click.exceptions.Exit(EXIT_USAGE)


def _catalogue(extra_dirs: tuple[str, ...] = ()):
    from tcop_lint.catalogue import CatalogueError, builtin_checks_dir, load_catalogue

    try:
        return load_catalogue([builtin_checks_dir(), *(Path(d) for d in extra_dirs)])
    except CatalogueError as error:
        raise _usage_error(f"check catalogue: {error}") from None


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--format", "output_format", type=click.Choice(SCAN_FORMATS), default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path), help="Write the report to FILE instead of standard output.")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Configuration file (default: .tcop-lint.yaml or pyproject.toml in the root).")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True, help="Exit 1 when a finding is at or above this level.")
@click.option("--select", multiple=True, metavar="ID|PREFIX|tcop-N", help="Run only these checks (repeatable).")
@click.option("--ignore", multiple=True, metavar="ID|PREFIX|tcop-N", help="Do not run these checks (repeatable).")
@click.option("--root", type=click.Path(exists=True, file_okay=False, path_type=Path), help="The repository root (default: the one directory given, else the git work tree).")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing on success; only the findings in text format.")
@click.option("--debug", is_flag=True, help="Show tracebacks for crashed checks.")
def scan(paths, output_format, output, config_file, fail_on, select, ignore, root, quiet, debug) -> None:
    """Scan PATHS (default: the current directory) and report findings."""
    from tcop_lint.run import ScanRequest, UsageProblem, execute

    request = ScanRequest(
        paths=tuple(paths) or (".",),
        root=root,
        config_file=config_file,
        select=tuple(select),
        ignore=tuple(ignore),
    )
    try:
        report = execute(request)
    except UsageProblem as error:
        raise _usage_error(str(error)) from None
    from tcop_lint.reporters import render

    text = render(report, output_format, color=output is None and sys.stdout.isatty(), quiet=quiet)
    if output is not None:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    for crash in report.crashes:
        where = f" on {crash.file}" if crash.file else ""
        click.echo(f"tcop-lint: internal error: check {crash.check_id} crashed{where}: {crash.message}", err=True)
        if debug:
            click.echo(crash.traceback, err=True)
    if report.crashes:
        raise click.exceptions.Exit(EXIT_INTERNAL)
    raise click.exceptions.Exit(exit_code(report.findings, fail_on))


def exit_code(findings, fail_on: str) -> int:
    from tcop_lint.model import LEVEL_RANK

    if fail_on == "never":
        return EXIT_OK
    threshold = LEVEL_RANK[fail_on]
    failing = any(f.suppressed is None and LEVEL_RANK[f.level] >= threshold for f in findings)
    return EXIT_FINDINGS if failing else EXIT_OK


@main.group()
def checks() -> None:
    """List and explain the checks in the catalogue."""


@checks.command("list")
@click.option("--format", "output_format", type=click.Choice(("text", "json", "markdown")), default="text", show_default=True)
def list_checks(output_format: str) -> None:
    """List every check with its TCoP point, level and guidance page."""
    from tcop_lint.reporters.catalogue_docs import render_checks

    click.echo(render_checks(_catalogue(), output_format), nl=False)


@checks.command("explain")
@click.argument("check_id")
def explain(check_id: str) -> None:
    """Explain one check: why, how to fix it, and an example that fails and one that passes."""
    from tcop_lint.reporters.catalogue_docs import explain_check

    catalogue = {check.id: check for check in _catalogue()}
    check = catalogue.get(check_id.upper())
    if check is None:
        raise _usage_error(f"unknown check id '{check_id}' (see 'tcop-lint checks list')")
    click.echo(explain_check(check), nl=False)
