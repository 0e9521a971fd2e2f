"""``stageline measure``: replace a blueprint's assumed figures with figures measured from a log."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

import click

from stageline.errors import StageLineError

if TYPE_CHECKING:
    from stageline.data.quality import Quality
    from stageline.metrics import Metrics

__all__ = ["measure_command"]

_FIELDS = ("case", "activity", "time", "start", "lifecycle", "resource", "cost", "outcome")


def _column_options(func: Any) -> Any:
    helps = {
        "case": "Column (or XES key) of the case id.",
        "activity": "Column of the activity name.",
        "time": "Column of the timestamp (the completion time when there is a start column).",
        "start": "Column of the start timestamp.",
        "lifecycle": "Column of the lifecycle transition (start, complete...).",
        "resource": "Column of the resource (who or what did it).",
        "cost": "Column of the event's cost.",
        "outcome": "Column of the outcome; failed, error, rejected... count as failures.",
    }
    for name in reversed(_FIELDS):
        func = click.option(f"--{name}", f"col_{name}", metavar="COLUMN", help=helps[name])(func)
    return func


@click.command("measure")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--log", "log_path", required=True, type=click.Path(dir_okay=False), help="Event log: CSV, XES or Parquet."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write the metrics JSON here (`-`: standard output).",
)
@click.option(
    "--feedback",
    "feedback_path",
    type=click.Path(dir_okay=False),
    help="Customer feedback CSV: ratings (CSAT, NPS, CES), comments, linked by action, step, touchpoint or case.",
)
@click.option(
    "--feedback-column",
    "feedback_columns",
    multiple=True,
    metavar="FIELD=COLUMN",
    help="A feedback column not found by its name (csat, nps, ces, comment, action, step, touchpoint, case, time).",
)
@click.option(
    "--rejects",
    "rejects_path",
    type=click.Path(dir_okay=False),
    help="Write every row the import rejected (place, reason, column) to this CSV file.",
)
@_column_options
@click.option("--time-format", metavar="FORMAT", help="strptime format of the timestamps (default: ISO 8601).")
@click.option("--encoding", default="utf-8", show_default=True, help="Text encoding of a CSV log and of the feedback.")
@click.option("--delimiter", metavar="CHAR", help="Field separator of a CSV log (default `,`; tab for .tsv).")
@click.option(
    "--engine",
    type=click.Choice(["duckdb", "spark"]),
    default="duckdb",
    show_default=True,
    help="Where figures are computed.",
)
@click.option("--memory", metavar="SIZE", help="Memory limit of the engine, e.g. 2GB.")
@click.option("--temp", "temp_dir", type=click.Path(file_okay=False), help="Folder the engine spills to.")
@click.option("--threads", type=click.IntRange(1), help="Threads the engine uses.")
@click.option(
    "--stale",
    "stale_days",
    type=click.FloatRange(0),
    default=90.0,
    show_default=True,
    help="An action is stale without events in this many days before the log's last event.",
)
@click.option(
    "--cache",
    "cache_dir",
    type=click.Path(file_okay=False),
    help="Folder for imported logs (default ~/.cache/stageline/logs).",
)
@click.option("--refresh", is_flag=True, help="Import the log again even when it is in the cache.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def measure_command(
    file: str,
    log_path: str,
    output: str | None,
    feedback_path: str | None,
    feedback_columns: tuple[str, ...],
    rejects_path: str | None,
    time_format: str | None,
    encoding: str,
    delimiter: str | None,
    engine: str,
    memory: str | None,
    temp_dir: str | None,
    threads: int | None,
    stale_days: float,
    cache_dir: str | None,
    refresh: bool,
    quiet: bool,
    **columns: str | None,
) -> None:
    """Measure a blueprint against an event log.

    Each action's `activities` name the activities of the log that are that action. Stageline
    imports the log (and reports every row it rejects, with where and why), binds activities to
    actions, and measures per action, flow, step and phase: cases, service and waiting times
    with percentiles, drop-off, rework, failures, resources, handoffs and breaches of the
    blueprint's tolerances; then how well the log fits the blueprint. Write the figures with
    `-o metrics.json` for `stageline render --metrics` and `stageline check --metrics`.
    """
    from pathlib import Path

    from stageline.cli.main import _load
    from stageline.data.columns import Columns
    from stageline.data.importer import Limits, import_log
    from stageline.data.measure import Options, measure
    from stageline.formats.api import write_text
    from stageline.metrics import dumps_metrics

    if delimiter is not None and len(delimiter) != 1:
        delimiter = {"\\t": "\t", "tab": "\t"}.get(delimiter, delimiter)
        if len(delimiter) != 1:
            raise click.BadParameter("expected one character", param_hint="--delimiter")
    bp = _load(file)
    feedback_given = _feedback_columns(feedback_columns)
    given = Columns(**{f: columns.get(f"col_{f}") for f in _FIELDS}, time_format=time_format)
    try:
        limits = Limits(memory=memory, temp=temp_dir, threads=threads)
    except StageLineError as exc:
        raise click.BadParameter(
            exc.problems[0].message + f" ({exc.problems[0].hint})", param_hint="--memory"
        ) from None
    try:
        log = import_log(
            log_path,
            given,
            encoding=encoding,
            delimiter=delimiter,
            cache=Path(cache_dir) if cache_dir else None,
            limits=limits,
            refresh=refresh,
        )
        feedback = None
        if feedback_path is not None:
            from stageline.data.feedback import read_feedback

            feedback = read_feedback(feedback_path, feedback_given, encoding=encoding)
        metrics = measure(bp, log, Options(engine=engine, limits=limits, stale_days=stale_days), feedback=feedback)
    except StageLineError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    if rejects_path is not None:
        _write_rejects(log, rejects_path)
    text = dumps_metrics(metrics)
    if output == "-":
        click.echo(text, nl=False)
    elif output:
        write_text(output, text)
    if not quiet:
        _summary(metrics, log.quality, output, to_err=output == "-")


def _write_rejects(log: Any, target: str) -> None:
    import csv
    import io

    from stageline.data.importer import rejected_rows
    from stageline.formats.api import write_text

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["place", "reason", "column"])
    writer.writerows(rejected_rows(log))
    write_text(target, buffer.getvalue())


def _feedback_columns(pairs: tuple[str, ...]) -> Any:
    from dataclasses import fields

    from stageline.data.feedback import FeedbackColumns

    known = [f.name for f in fields(FeedbackColumns)]
    given: dict[str, str] = {}
    for pair in pairs:
        name, sep, column = pair.partition("=")
        if not sep or name.strip() not in known or not column.strip():
            raise click.BadParameter(
                f"expected FIELD=COLUMN with FIELD one of {', '.join(known)}, got `{pair}`",
                param_hint="--feedback-column",
            )
        given[name.strip()] = column.strip()
    return FeedbackColumns(**given) if given else None


def _summary(m: Metrics, quality: Quality, output: str | None, *, to_err: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    from stageline.wording import duration, share

    console = Console(stderr=to_err, highlight=False, soft_wrap=True)
    for line in quality.lines():
        console.print(line, markup=False)
    if m.feedback is not None:
        from stageline.data.quality import Quality as Report

        fb = Report.from_dict(m.feedback)
        console.print(
            f"{fb.file}: {fb.rows:,} rows read, {fb.events:,} responses kept"
            + (f", {fb.rejected_rows:,} rows rejected" if fb.rejected else ", none rejected"),
            markup=False,
        )
        for issue in fb.rejected:
            console.print(f"  rejected {issue}", markup=False)
        for issue in fb.notes:
            console.print(f"  note: {issue}", markup=False)
    s = m.service
    if s is not None:
        time = ""
        if s.case_time is not None and s.case_time.p50 is not None and s.case_time.p90 is not None:
            time = f"; a case takes {duration(s.case_time.p50)} (median), {duration(s.case_time.p90)} (p90)"
        console.print(
            f"{s.cases:,} cases, {s.events:,} events, {s.variants:,} variants{time}; "
            f"{(s.first or '')[:10]} to {(s.last or '')[:10]}",
            markup=False,
        )
    table = Table(title="Measured per action", title_justify="left")
    for name, justify in (
        ("action", "left"),
        ("cases", "right"),
        ("wait p50", "right"),
        ("wait p90", "right"),
        ("service p50", "right"),
        ("drop-off", "right"),
        ("rework", "right"),
        ("over tolerance", "right"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for action_id, a in m.actions.items():
        if not a.events:
            continue  # feedback about an action the log does not show
        wait50 = duration(a.wait.p50) if a.wait and a.wait.p50 is not None else "-"
        wait90 = duration(a.wait.p90) if a.wait and a.wait.p90 is not None else "-"
        if a.wait_includes_service and a.wait:
            wait50, wait90 = f"{wait50}*", f"{wait90}*"
        service = duration(a.service.p50) if a.service and a.service.p50 is not None else "-"
        over = "-"
        if a.breaches is not None:
            over = share(a.breaches.occurrences / a.events) if a.events else "-"
        table.add_row(
            action_id,
            f"{a.cases:,} ({share(a.share)})",
            wait50,
            wait90,
            service,
            f"{a.drop_off:,}",
            f"{a.rework:,}",
            over,
        )
    console.print(table)
    if m.handoffs:
        shown = "; ".join(f"{h.source} -> {h.target} {h.transitions:,}" for h in m.handoffs[:6])
        console.print(f"handoffs between roles: {shown}", markup=False)
    if any(a.wait_includes_service for a in m.actions.values()):
        console.print("* the log has no start times here: the wait runs to completion", markup=False)
    c = m.conformance
    if c is not None:
        console.print(
            f"{c.fitting:,} cases ({share(c.fitting_share)}) follow only flows the blueprint draws", markup=False
        )
        for t in c.extra[:8]:
            why = "not in the blueprint" if t.kind == "missing" else "skips " + ", ".join(t.skipped)
            console.print(
                f"  {t.source} -> {t.target}: {t.transitions:,} times in {t.cases:,} cases ({why})", markup=False
            )
        if len(c.extra) > 8:
            console.print(f"  ... and {len(c.extra) - 8} more transitions", markup=False)
        for source, target in c.unobserved:
            console.print(f"  never taken: {source} -> {target}", markup=False)
        if c.stale:
            console.print(f"  no events in the last {c.stale_days:g} days: {', '.join(c.stale)}", markup=False)
        for activity in c.unclaimed:
            hint = f" (perhaps {', '.join(activity.suggestions)})" if activity.suggestions else ""
            console.print(
                f"  no action claims activity `{activity.name}`: {activity.events:,} events{hint}", markup=False
            )
        for name, got, other in c.contested:
            console.print(f"  `{name}` is claimed by `{got}` and `{other}`: `{got}` has it", markup=False)
        for activity in c.unmatched:
            found = ", ".join(f"`{s}`" for s in activity.suggestions)
            hint = f" (the log has {found})" if found else ""
            console.print(f"  matches nothing in the log: {activity.name}{hint}", markup=False)
    if output and output != "-":
        console.print(f"wrote {output}", markup=False)
