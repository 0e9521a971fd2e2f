"""``stageline check``: find and rank a blueprint's improvement opportunities."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from stageline.errors import StageLineError

if TYPE_CHECKING:
    from stageline.analysis.report import Report

__all__ = ["analyse_file", "check"]

#: Exit codes: findings at or above --fail-on give 1; a file or setting that cannot be used, 2.
EXIT_FINDINGS, EXIT_UNUSABLE = 1, 2


@click.command()
@click.argument("file", type=click.Path(dir_okay=False), required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "markdown", "html", "sarif"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report to this file.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info", "never"]),
    default="error",
    show_default=True,
    help="Exit 1 when a finding is this severe or worse.",
)
@click.option("--rule", "only", multiple=True, help="Run only this rule or category (repeatable).")
@click.option("--config", type=click.Path(dir_okay=False, exists=False), help="A stageline.toml to use.")
@click.option("--no-config", is_flag=True, help="Ignore stageline.toml files.")
@click.option("--all", "show_all", is_flag=True, help="Text report: list information findings too.")
@click.option("--rules", "list_rules", is_flag=True, help="List the rules with their thresholds and exit.")
@click.option(
    "--metrics",
    "metrics_path",
    type=click.Path(dir_okay=False),
    help="Figures measured (`stageline measure`) or simulated, used in place of the assumed ones.",
)
def check(
    file: str | None,
    fmt: str,
    output: str | None,
    fail_on: str,
    only: tuple[str, ...],
    config: str | None,
    no_config: bool,
    show_all: bool,
    list_rules: bool,
    metrics_path: str | None,
) -> None:
    """Analyse a blueprint: fail points, waits, cost, handoffs, gaps, rework, experience, KPIs.

    Findings are grouped into improvement opportunities, ranked by their estimated effect
    (customers touched, time, cost, risk). Rules and thresholds are set in the blueprint's
    `analysis:` key or in a stageline.toml beside it or in a folder above.

    Exits 0 when nothing reaches --fail-on, 1 when a finding does, and 2 when the blueprint or
    the settings cannot be used.

    With `--metrics`, waits, durations, branch odds and emotions come from the measured (or
    simulated) figures where they exist, the report says which, and the `measured` rules look
    for broken tolerances, drift, drop-off, rework and paths the blueprint does not draw.
    """
    if list_rules:
        _list_rules()
        return
    if file is None:
        raise click.UsageError("give a blueprint FILE to check (or --rules to list the rules)")
    try:
        report = analyse_file(file, config, no_config, only, metrics_path)
    except StageLineError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(EXIT_UNUSABLE)
    from stageline.errors import Severity

    if fmt == "text" and output is None:
        _print_text(report, show_all)
    else:
        from stageline.analysis.output import dump_report

        text = dump_report(report, fmt) if fmt != "text" else _plain_text(report, show_all)
        if output is None:
            click.echo(text, nl=False)
        else:
            from stageline.formats.api import write_text

            try:
                write_text(output, text)
            except StageLineError as exc:
                for problem in exc.problems:
                    click.echo(str(problem), err=True)
                sys.exit(EXIT_UNUSABLE)
            click.echo(f"wrote {output}", err=True)
    for note in report.notes:
        click.echo(str(note), err=True)
    threshold = None if fail_on == "never" else Severity(fail_on)
    if report.fails(threshold):
        sys.exit(EXIT_FINDINGS)


def analyse_file(
    file: str,
    config: str | None = None,
    no_config: bool = False,
    only: tuple[str, ...] = (),
    metrics: str | None = None,
) -> Report:
    """The analysis report for ``file``, with the stageline.toml found beside it or above, and
    the figures of the ``metrics`` file in place of assumed ones."""
    from stageline.analysis import SettingsSource, analyse
    from stageline.errors import BlueprintError
    from stageline.formats import read_path
    from stageline.formats.project import find_project_file, read_project_config

    doc = read_path(file)
    if doc.errors or doc.blueprint is None:
        raise BlueprintError(doc.errors)
    project = None
    if not no_config:
        path = Path(config) if config else find_project_file(Path(file).parent)
        if path is not None:
            cfg = read_project_config(path)
            if cfg.analysis is not None:
                project = SettingsSource(cfg.analysis, cfg.source_map)
    measured = None
    if metrics is not None:
        from stageline.metrics import load_metrics

        measured = load_metrics(metrics)
    return analyse(
        doc.blueprint,
        source_map=doc.source_map,
        origins=doc.origins,
        project=project,
        only=only or None,
        metrics=measured,
    )


def _list_rules() -> None:
    from stageline.analysis import RULES

    for rule in RULES.values():
        click.echo(f"{rule.id}  [{rule.severity.value}]  {rule.title}")
        for o in rule.options:
            click.echo(f"    {o.name} = {_option_default(o.kind, o.default)}  {o.help}")


def _option_default(kind: str, value: float) -> str:
    if kind == "share":
        return f"{value * 100:g}%"
    return f"{value:g}"


def _print_text(report: Any, show_all: bool) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from stageline.analysis.output import effect_text, headline, summary_line
    from stageline.errors import Severity

    console = Console(highlight=False)
    bp = report.blueprint
    console.print(f"[bold]{escape(bp.title)}[/bold]: {escape(summary_line(report))}")
    figures = Table(show_header=False, box=None, padding=(0, 2))
    for k, v in headline(report):
        figures.add_row(escape(k), escape(v))
    console.print(figures)
    if report.opportunities:
        ops = Table(title="Opportunities, most valuable first", title_justify="left")
        ops.add_column("#", justify="right")
        ops.add_column("opportunity")
        ops.add_column("effect")
        for o in report.opportunities[:10]:
            ops.add_row(str(o.rank), escape(o.title), escape(effect_text(o.effect, bp.currency)))
        console.print(ops)
    colour = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "dim"}
    shown = [f for f in report.findings if show_all or f.severity is not Severity.INFO]
    if shown:
        table = Table(title="Findings", title_justify="left")
        table.add_column("where", no_wrap=True)
        table.add_column("severity")
        table.add_column("rule", no_wrap=True)
        table.add_column("finding")
        for f in shown:
            loc = f"{f.location.line}:{f.location.column}" if f.location.line else "-"
            table.add_row(loc, f"[{colour[f.severity]}]{f.severity.value}[/]", f.rule, escape(f.message))
        console.print(table)
    hidden = len(report.findings) - len(shown)
    if hidden:
        console.print(f"[dim]{hidden} information findings not listed; --all lists them.[/dim]")
    if report.suppressed:
        console.print(f"[dim]{len(report.suppressed)} findings accepted in the settings.[/dim]")


def _plain_text(report: Any, show_all: bool) -> str:
    """The text report for a file: one line per finding, located like a compiler's messages."""
    from stageline.analysis.output import headline, summary_line
    from stageline.errors import Severity

    lines = [f"{report.blueprint.title}: {summary_line(report)}"]
    lines += [f"  {k}: {v}" for k, v in headline(report)]
    lines.append("")
    for o in report.opportunities[:10]:
        lines.append(f"{o.rank:>3}. {o.title}")
    lines.append("")
    for f in report.findings:
        if show_all or f.severity is not Severity.INFO:
            lines.append(f"{f.location}: {f.severity.value}: {f.message} [{f.rule}]")
    return "\n".join(lines) + "\n"
