"""``stageline``: create, check, format, convert and summarise service blueprints.

Only click is imported at start-up; the library, pydantic, ruamel.yaml and rich are imported
inside the commands, so that ``stageline --help`` answers at once.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from stageline.errors import StageLineError  # standard library only: cheap to import

if TYPE_CHECKING:
    from stageline.model import Blueprint

__all__ = ["main"]


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(self.commands)  # in the order they were added, most used first

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except StageLineError as exc:  # a user's mistake: one located line per problem
            _fail(exc)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="stageline", prog_name="stageline")
def main() -> None:
    """Stageline: service blueprints as typed, checkable files.

    A blueprint maps one service process: phases and steps across the top; physical evidence,
    customer, frontstage, backstage and support lanes down the side. Write it as YAML (start
    with `stageline init`), check it with `stageline validate`, see it at a glance with
    `stageline show`.
    """


def _fail(exc: StageLineError) -> NoReturn:
    for problem in exc.problems:
        click.echo(str(problem), err=True)
    sys.exit(1)


def _load(path: str) -> Blueprint:
    """The valid blueprint at ``path``, or exit 1 after printing every error."""
    try:
        return _load_or_raise(path)
    except StageLineError as exc:
        _fail(exc)


def _load_or_raise(path: str) -> Blueprint:
    from stageline.formats import load

    return load(path)


def _console() -> Any:
    from rich.console import Console

    return Console(highlight=False, soft_wrap=False)


# ------------------------------------------------------------------------------------- init


@main.command()
@click.argument("path", type=click.Path(dir_okay=False), required=False)
@click.option("-t", "--template", "template", default="cafe", show_default=True, help="Template to start from.")
@click.option("--list", "list_only", is_flag=True, help="List the templates and exit.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: str | None, template: str, list_only: bool, force: bool) -> None:
    """Create a new blueprint file from a template.

    Writes PATH (default: blueprint.yaml) and, next to it, stageline.schema.json, which the
    first line of the file points editors to for autocompletion.
    """
    from stageline.errors import did_you_mean
    from stageline.formats.api import SCHEMA_HEADER, write_text
    from stageline.formats.schema import SCHEMA_FILE, schema_text
    from stageline.templates import template_names, template_text

    names = template_names()
    if list_only:
        from stageline.formats import loads

        for name in names:
            click.echo(f"{name:20} {loads(template_text(name)).title}")
        return
    if template not in names:
        hint = did_you_mean(template, names)
        raise click.UsageError(
            f"unknown template `{template}`" + (f"; {hint}" if hint else f"; choose from {', '.join(names)}")
        )
    target = Path(path or "blueprint.yaml")
    if target.exists() and not force:
        raise click.UsageError(f"{target} already exists; use --force to overwrite it")
    if not target.parent.exists():
        raise click.UsageError(f"folder {target.parent} does not exist")
    schema_path = target.parent / SCHEMA_FILE
    if schema_path.is_dir():
        raise click.UsageError(f"{schema_path} is a folder; the schema cannot be written beside the blueprint")
    header = SCHEMA_HEADER.format(schema=SCHEMA_FILE)
    body = template_text(template)
    if target.suffix.lower() == ".json":
        from stageline.formats import dumps, loads

        text = dumps(loads(body), format="json")
    else:
        text = header + "\n" + body
    write_text(target, text)
    schema = schema_text()
    if not schema_path.exists() or schema_path.read_text(encoding="utf-8") != schema:
        write_text(schema_path, schema)
    click.echo(f"wrote {target} (template `{template}`) and {schema_path}")


# --------------------------------------------------------------------------------- validate


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Report format."
)
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
def validate(files: tuple[str, ...], fmt: str, strict: bool) -> None:
    """Check blueprint files and report every problem, sorted by line.

    Exits 0 when all files are valid, 1 when any has an error (or, with --strict, a warning).
    """
    from stageline.errors import Problem, StageLineError
    from stageline.formats import read_path

    reports = []
    failed = False
    for file in files:
        try:
            doc = read_path(file)
            problems: list[Problem] = doc.problems
        except StageLineError as exc:
            problems = exc.problems
        errors = sum(1 for p in problems if p.severity.value == "error")
        warnings = len(problems) - errors
        failed = failed or errors > 0 or (strict and warnings > 0)
        reports.append(
            {
                "file": file,
                "valid": errors == 0,
                "errors": errors,
                "warnings": warnings,
                "problems": [p.to_dict() for p in problems],
            }
        )
        if fmt == "text":
            for p in problems:
                click.echo(str(p))
            verdict = "valid" if errors == 0 else "invalid"
            click.echo(
                f"{file}: {verdict}, {errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
            )
    if fmt == "json":
        click.echo(json.dumps(reports, indent=2, ensure_ascii=False))
    sys.exit(1 if failed else 0)


# -------------------------------------------------------------------------------------- fmt


@main.command("fmt")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--check", is_flag=True, help="Change nothing; exit 1 if any file is not formatted.")
@click.option("--diff", "show_diff", is_flag=True, help="Print what would change, and change nothing.")
def fmt_command(files: tuple[str, ...], check: bool, show_diff: bool) -> None:
    """Rewrite blueprint files in canonical form, keeping comments and key order.

    Canonical form: two-space indentation, lists indented under their key, defaults and
    derivable ids left out, durations and flows written the standard way.
    """
    import difflib

    from stageline.errors import StageLineError
    from stageline.formats import dumps
    from stageline.formats.api import write_text

    unformatted = []
    invalid = []
    for file in files:
        try:
            bp = _load_or_raise(file)
        except StageLineError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            invalid.append(file)
            continue
        assert bp.source is not None
        original = bp.source.text
        try:
            formatted = dumps(bp, format=bp.source.format)
        except StageLineError as exc:
            _fail(exc)
        if formatted == original:
            continue
        unformatted.append(file)
        if show_diff:
            click.echo(
                "".join(difflib.unified_diff(original.splitlines(True), formatted.splitlines(True), file, file)),
                nl=False,
            )
        if not (check or show_diff):
            write_text(file, formatted)
            click.echo(f"formatted {file}", err=True)
    if (check or show_diff) and unformatted:
        for file in unformatted:
            click.echo(f"{file}: not formatted (run `stageline fmt {file}`)", err=True)
    if invalid or ((check or show_diff) and unformatted):
        sys.exit(1)


# ----------------------------------------------------------------------------------- schema


@main.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write to this file instead of printing.")
def schema(output: str | None) -> None:
    """Print the JSON Schema of the blueprint file format (for editors and CI)."""
    from stageline.formats.api import write_text
    from stageline.formats.schema import schema_text

    text = schema_text()
    if output:
        write_text(output, text)
    else:
        click.echo(text, nl=False)


# ---------------------------------------------------------------------------------- convert


@main.command()
@click.argument("source", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, help="Output file, or - for standard output.")
@click.option("--to", "to", type=click.Choice(["yaml", "json"]), help="Output format (default: from the extension).")
def convert(source: str, output: str, to: str | None) -> None:
    """Convert a blueprint between YAML and JSON."""
    from stageline.errors import StageLineError
    from stageline.formats import dumps, format_for
    from stageline.formats.api import write_text

    bp = _load(source)
    target = to or (format_for(output) if output != "-" else "yaml")
    try:
        text = dumps(bp, format=target)
    except StageLineError as exc:
        _fail(exc)
    if output == "-":
        click.echo(text, nl=False)
    else:
        write_text(output, text)
        click.echo(f"wrote {output}", err=True)


# ------------------------------------------------------------------------------------- show


@main.command()
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
)
def show(file: str, fmt: str) -> None:
    """Summarise a blueprint: phases, steps, actions per lane, flows, line crossings, handoffs."""
    from stageline.summary import summarise

    bp = _load(file)
    s = summarise(bp)
    if fmt == "json":
        click.echo(json.dumps({"file": file, "title": bp.title, **s.to_dict()}, indent=2, ensure_ascii=False))
        return
    _show_tables(bp, s, file)


def _show_tables(bp: Any, s: Any, file: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    from stageline.model import Lane
    from stageline.model.vocabulary import LANE_NAMES, LINE_NAMES

    console = _console()
    facts = [
        bp.service,
        bp.status.value,
        f"version {bp.version}" if bp.version else None,
        bp.owner and f"owner {bp.owner}",
    ]
    console.print(f"[bold]{escape(bp.title)}[/bold]  ({escape(', '.join(f for f in facts if f))})")
    if bp.segments:
        console.print("Segments: " + escape(", ".join(seg.name for seg in bp.segments)))
    overview = Table(title="Overview", show_header=False, title_justify="left")
    overview.add_column("what")
    overview.add_column("count", justify="right")
    for label, value in (
        ("phases", s.phases),
        ("steps", s.steps),
        ("actions", s.actions),
        ("flows", s.flows),
        ("handoffs", s.handoffs),
        ("fail points", s.fail_points),
    ):
        overview.add_row(label, str(value))
    console.print(overview)
    grid = Table(title="Actions per phase and lane", title_justify="left")
    grid.add_column("phase")
    grid.add_column("steps", justify="right")
    for lane in Lane:
        grid.add_column(
            LANE_NAMES[lane].split()[0].lower() if lane is not Lane.EVIDENCE else "evidence", justify="right"
        )
    phase_steps: dict[str | None, list[str]] = {}
    for step in bp.steps:
        phase_steps.setdefault(step.phase, []).append(step.id)
    names = {p.id: p.name for p in bp.phases}
    for phase, steps in phase_steps.items():
        step_set = set(steps)
        counts = [sum(1 for a in bp.actions if a.step in step_set and a.lane is lane) for lane in Lane]
        grid.add_row(escape(names.get(phase or "", phase or "(no phase)")), str(len(steps)), *map(str, counts))
    grid.add_row("[bold]total[/bold]", str(s.steps), *(f"[bold]{s.actions_per_lane[lane]}[/bold]" for lane in Lane))
    console.print(grid)
    flows = Table(title="Flows and line crossings", title_justify="left", show_header=False)
    flows.add_column("what")
    flows.add_column("count", justify="right")
    for kind, n in s.flows_per_kind.items():
        flows.add_row(f"{kind.value} ({kind.arrow})", str(n))
    for line, n in s.crossings.items():
        flows.add_row(f"crossing the {LINE_NAMES[line].lower()}", str(n))
    flows.add_row("handoffs (marked, or a change of role)", str(s.handoffs))
    console.print(flows)


# ------------------------------------------------------------------------------------ check

from stageline.cli.check import check  # noqa: E402  (defined in its own module)
from stageline.cli.measure import measure_command  # noqa: E402
from stageline.cli.render import render_command  # noqa: E402
from stageline.cli.simulate import simulate_command  # noqa: E402

main.add_command(check)
main.add_command(render_command)
main.add_command(measure_command)
main.add_command(simulate_command)
