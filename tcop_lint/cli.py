"""The command line. Only this module reads the environment, prints and chooses exit codes.

Exit codes: 0 no finding at or above --fail-on; 1 such findings; 2 usage or configuration
error; 3 internal error (a check crashed, or tcop-lint itself failed).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Literal

import click

from tcop_lint import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
FAIL_ON = ("error", "warning", "note", "never")
SCAN_FORMATS = ("text", "json", "sarif", "github", "markdown", "junit", "gitlab", "csv", "html")
FRAMEWORK_IDS = ("tcop", "service-standard", "secure-by-design")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="tcop-lint", message="%(prog)s %(version)s")
def main() -> None:
    """Evidence signals for the UK Technology Code of Practice, from a repository's Terraform,
    Kubernetes manifests, OpenAPI descriptions and repository files.

    Findings are evidence for an assessment, not a verdict of compliance.
    """


def entry() -> None:
    """The ``tcop-lint`` program: the command, then an exit that skips tearing down what a large
    scan built (freeing millions of objects one by one took 1.5 s of a 25 s cold scan of a
    21,000-file repository). Output is flushed first; nothing is left to clean up by then."""
    try:
        main()
        code: object = 0
    except SystemExit as done:
        code = done.code
    if isinstance(code, str):
        click.echo(code, err=True)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe: nothing more can be said
        pass
    os._exit(code if isinstance(code, int) else 0)


def _usage_error(message: str) -> click.exceptions.Exit:
    click.echo(f"tcop-lint: {message}", err=True)
    return click.exceptions.Exit(EXIT_USAGE)


def _catalogue(extra_dirs: tuple[str, ...] = ()):
    from tcop_lint.check.catalogue import CatalogueError, builtin_checks_dir, load_catalogue

    try:
        return load_catalogue([builtin_checks_dir(), *(Path(d) for d in extra_dirs)], trusted=[builtin_checks_dir()])
    except CatalogueError as error:
        raise _usage_error(f"check catalogue: {error}") from None


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--format",
    "formats",
    multiple=True,
    metavar="FORMAT[=FILE]",
    help=f"Report format: {', '.join(SCAN_FORMATS)} (default text). "
    "Repeatable; FORMAT=FILE writes that report to FILE.",
)
@click.option(
    "--output",
    "-o",
    "outputs",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a report to FILE; the n-th --output goes with the n-th --format that has no =FILE.",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(path_type=Path),
    help="Configuration file (default: .tcop-lint.yaml or pyproject.toml in the root).",
)
@click.option(
    "--fail-on",
    type=click.Choice(FAIL_ON),
    default="error",
    show_default=True,
    help="Exit 1 when a finding is at or above this level.",
)
@click.option("--select", multiple=True, metavar="ID|PREFIX|tcop-N", help="Run only these checks (repeatable).")
@click.option("--ignore", multiple=True, metavar="ID|PREFIX|tcop-N", help="Do not run these checks (repeatable).")
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The repository root (default: the one directory given, else the git work tree).",
)
@click.option(
    "--kinds",
    metavar="KIND[,KIND...]",
    default="",
    help="Only checks reading these inputs: terraform, kubernetes, openapi, repository, git.",
)
@click.option(
    "--diff-base",
    metavar="REF",
    help="Report only findings on lines changed since the merge base with REF, "
    "and repository findings the branch introduced.",
)
@click.option(
    "--baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Report and gate only findings not recorded in this baseline file.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Record the current findings in this baseline file.",
)
@click.option("--show-suppressed", is_flag=True, help="List suppressed findings in text output too.")
@click.option(
    "--sarif-suppressed",
    type=click.Choice(("exclude", "include")),
    default="exclude",
    show_default=True,
    help="Write suppressed findings into SARIF, marked as suppressed.",
)
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes for parsing (default: one per core).")
@click.option("--no-cache", is_flag=True, help="Parse every file afresh and keep no parse cache.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Parse cache folder (default: $XDG_CACHE_HOME/tcop-lint or ~/.cache/tcop-lint).",
)
@click.option(
    "--category",
    default="tcop-lint",
    show_default=True,
    help="SARIF run category (automationDetails.id), to tell several uploads apart.",
)
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Print nothing on success; only the findings in text format. No progress display.",
)
@click.option(
    "--framework",
    type=click.Choice(FRAMEWORK_IDS),
    default="tcop",
    show_default=True,
    help="Group the evidence formats' points (json, csv, html) by this framework.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for crashed checks.")
def scan(
    paths,
    formats,
    outputs,
    config_file,
    fail_on,
    select,
    ignore,
    root,
    kinds,
    diff_base,
    baseline,
    write_baseline,
    show_suppressed,
    sarif_suppressed,
    jobs,
    no_cache,
    cache_dir,
    category,
    quiet,
    framework,
    debug,
) -> None:
    """Scan PATHS (default: the current directory) and report findings."""
    import os

    from tcop_lint.discover.discovery import start_listing

    listing = start_listing(tuple(paths) or (".",), root)  # git lists files while the rest imports
    from tcop_lint.progress import progress_allowed, progress_bar
    from tcop_lint.report import EVIDENCE_FORMATS
    from tcop_lint.run import ScanRequest, UsageProblem, execute

    destinations = output_plan(formats, outputs)
    machine_on_stdout = any(target is None and name != "text" for name, target in destinations)
    show = progress_allowed(sys.stderr, dict(os.environ), quiet, machine_on_stdout)
    progress, end_progress = progress_bar(sys.stderr) if show else (None, lambda: None)
    request = ScanRequest(
        paths=tuple(paths) or (".",),
        root=root,
        config_file=config_file,
        select=tuple(select),
        ignore=tuple(ignore),
        kinds=tuple(k.strip() for k in kinds.split(",") if k.strip()),
        diff_base=diff_base,
        baseline=baseline,
        category=category,
        jobs=jobs,
        cache=None if no_cache else _cache(cache_dir),
        progress=progress,
        describe_repository=any(name in EVIDENCE_FORMATS for name, _ in destinations),
        listing=listing,
    )
    try:
        report = execute(request)
    except UsageProblem as error:
        raise _usage_error(str(error)) from None
    except Exception as error:  # a bug in tcop-lint itself: say so plainly, exit 3
        import traceback

        click.echo(f"tcop-lint: internal error: {type(error).__name__}: {error}", err=True)
        click.echo(traceback.format_exc() if debug else "Run again with --debug for the traceback.", err=True)
        raise click.exceptions.Exit(EXIT_INTERNAL) from None
    finally:
        end_progress()
        if listing is not None:
            listing.stop()
    from tcop_lint.report import RenderOptions, render

    if write_baseline is not None:
        from tcop_lint.suppress.baseline import render_baseline

        _write(write_baseline, render_baseline(report.findings))
    for output_format, output in destinations:
        options = RenderOptions(
            color=output is None and sys.stdout.isatty(),
            quiet=quiet,
            show_suppressed=show_suppressed,
            sarif_suppressed=sarif_suppressed == "include",
            framework=framework,
        )
        text = render(report, output_format, options)
        if output is None:
            click.echo(text, nl=False)
            continue
        _write(output, text)
    for crash in report.crashes:
        where = f" on {crash.file}" if crash.file else ""
        click.echo(f"tcop-lint: internal error: check {crash.check_id} crashed{where}: {crash.message}", err=True)
        if debug:
            click.echo(crash.traceback, err=True)
    if report.crashes:
        raise click.exceptions.Exit(EXIT_INTERNAL)
    raise click.exceptions.Exit(exit_code(report.findings, fail_on))


def _cache(folder: Path | None):
    import os

    from tcop_lint.load.cache import Cache, default_cache_dir

    return Cache(folder if folder is not None else default_cache_dir(os.environ))


def _write(path: Path, text: str) -> None:
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise _usage_error(f"cannot write {path}: {error.strerror or error}") from None


def output_plan(formats: tuple[str, ...], outputs: tuple[Path, ...]) -> list[tuple[str, Path | None]]:
    """Pair each --format with its destination (None: standard output)."""
    plan: list[tuple[str, Path | None]] = []
    spare = list(outputs)
    for entry in formats or ("text",):
        name, _, target = entry.partition("=")
        if name not in SCAN_FORMATS:
            raise _usage_error(f"unknown format '{name}' (choose from {', '.join(SCAN_FORMATS)})")
        if target:
            plan.append((name, Path(target)))
        else:
            plan.append((name, spare.pop(0) if spare else None))
    if spare:
        raise _usage_error("more --output options than --format options without =FILE")
    if sum(1 for _, target in plan if target is None) > 1:
        raise _usage_error("only one report can go to standard output; give the others a FILE")
    return plan


def exit_code(findings, fail_on: str) -> int:
    from tcop_lint.core.model import LEVEL_RANK

    if fail_on == "never":
        return EXIT_OK
    threshold = LEVEL_RANK[fail_on]
    # Findings marked unchanged (pull-request mode: already on the base) are reported, not gated.
    failing = any(
        f.suppressed is None and f.baseline_state != "unchanged" and LEVEL_RANK[f.level] >= threshold for f in findings
    )
    return EXIT_FINDINGS if failing else EXIT_OK


@main.group()
def checks() -> None:
    """List and explain the checks in the catalogue."""


@checks.command("list")
@click.option(
    "--format", "output_format", type=click.Choice(("text", "json", "markdown")), default="text", show_default=True
)
def list_checks(output_format: str) -> None:
    """List every check with its TCoP point, level and guidance page."""
    from tcop_lint.report.catalogue_docs import render_checks

    click.echo(render_checks(_catalogue(), output_format), nl=False)


@checks.command("frameworks")
@click.option(
    "--format", "output_format", type=click.Choice(("text", "json", "markdown")), default="text", show_default=True
)
def list_frameworks(output_format: str) -> None:
    """Show which checks give evidence for each point of the Technology Code of Practice, the
    Service Standard and the Secure by Design principles."""
    from tcop_lint.report.catalogue_docs import render_frameworks

    click.echo(render_frameworks(_catalogue(), output_format), nl=False)


@checks.command("explain")
@click.argument("check_id")
def explain(check_id: str) -> None:
    """Explain one check: why, how to fix it, and an example that fails and one that passes."""
    from tcop_lint.report.catalogue_docs import explain_check

    catalogue = {check.id: check for check in _catalogue()}
    check = catalogue.get(check_id.upper())
    if check is None:
        raise _usage_error(f"unknown check id '{check_id}' (see 'tcop-lint checks list')")
    click.echo(explain_check(check), nl=False)


@checks.command("docs")
@click.option(
    "--output",
    "-o",
    "output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("docs/rules"),
    show_default=True,
    help="Folder for the pages.",
)
def docs(output: Path) -> None:
    """Write one markdown page per check, with examples from its fixtures, and an index."""
    from tcop_lint.report.catalogue_docs import rule_pages

    pages = rule_pages(_catalogue())
    try:
        output.mkdir(parents=True, exist_ok=True)
        stale = [
            p for p in output.glob("TCOP-*.md") if p.name not in pages
        ]  # pages of checks no longer in the catalogue
        for path in stale:
            path.unlink()
    except OSError as error:
        raise _usage_error(f"cannot write {output}: {error.strerror or error}") from None
    for name, text in pages.items():
        _write(output / name, text)
    click.echo(f"tcop-lint: wrote {len(pages)} pages to {output}", err=True)


@main.command()
@click.argument("path", default=".", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--format", "output_format", type=click.Choice(("text", "json")), default="text", show_default=True)
def licence(path: Path, output_format: Literal["text", "json"]) -> None:
    """Print the SPDX identifier of the project's licence (NOASSERTION: unidentified or several
    that disagree; NONE: no licence). --format json adds the files used and a confidence."""
    from tcop_lint.licences.report import project_licence, render_project_licence

    click.echo(render_project_licence(project_licence(path), output_format), nl=False)


@main.command()
@click.argument("reports", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(("html", "csv", "json")),
    default="html",
    show_default=True,
    help="html: the matrix of repositories by points with each repository's findings; csv: one row "
    "per repository, point, check and subject; json: the merged data (estate.schema.json).",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE.")
def estate(reports: tuple[Path, ...], output_format: str, output: Path | None) -> None:
    """Merge the JSON reports (scan --format json) of many repositories into one estate view.

    A report that is damaged, of another report schema or of another framework than the first is
    named on standard error and left out; one made by another tool version merges with a warning.
    Exit 2 when no report could be merged."""
    from tcop_lint.report.estate import estate_document, read_reports, render_estate
    from tcop_lint.run import generated_at

    read = read_reports(reports, __version__)
    for name, reason in read.skipped:
        click.echo(f"tcop-lint estate: {name}: left out: it {reason}", err=True)
    for warning in read.warnings:
        click.echo(f"tcop-lint estate: warning: {warning}", err=True)
    if not read.documents:
        click.echo("tcop-lint estate: no report could be merged", err=True)
        raise click.exceptions.Exit(EXIT_USAGE)
    text = render_estate(estate_document(read, __version__, generated_at()), output_format)
    if output is None:
        click.echo(text, nl=False)
    else:
        _write(output, text)
