"""``stageline simulate``: try a change on the blueprint before changing the service."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from stageline.errors import StageLineError

if TYPE_CHECKING:
    from stageline.sim.run import Estimate, SimulationResult

__all__ = ["simulate_command", "summary_dict"]

#: Actions whose waits the table shows, longest first.
_TOP_WAITS = 8


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> float | None:
    if value is None:
        return None
    from stageline.model.timing import parse_duration

    try:
        return parse_duration(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("simulate")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option(
    "--scenario",
    "names",
    multiple=True,
    metavar="NAME",
    help="Simulate this scenario next to the blueprint as it is (repeatable; default: all of them).",
)
@click.option(
    "--scenarios",
    "side_file",
    type=click.Path(dir_okay=False),
    help="A YAML file of simulation settings and scenarios, laid over the blueprint's `simulation:` key.",
)
@click.option("-n", "--replications", type=click.IntRange(1, 1000), help="Independent runs per scenario [10].")
@click.option("--seed", type=click.IntRange(0), help="Random seed; the same seed gives the same figures [1].")
@click.option("--horizon", callback=_duration, help="Simulated time per run, e.g. `8 h` or `30 days`.")
@click.option("--customers", type=click.IntRange(1), help="Customers per run instead of a horizon.")
@click.option("--warmup", callback=_duration, help="Time at the start of each run left out of the figures.")
@click.option("-j", "--jobs", type=click.IntRange(1), help="Processes to run replications in [all cores when large].")
@click.option(
    "--log",
    "log_path",
    type=click.Path(dir_okay=False),
    help="Event log to draw `empirical` durations and replayed arrivals from (CSV, XES or Parquet).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False),
    help="Write the simulated figures as metrics JSON (one file per scenario: NAME.<scenario>.json).",
)
@click.option("--html", "html_path", type=click.Path(dir_okay=False), help="Write an HTML report with plots.")
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True, help="What to print."
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
def simulate_command(
    file: str,
    names: tuple[str, ...],
    side_file: str | None,
    replications: int | None,
    seed: int | None,
    horizon: float | None,
    customers: int | None,
    warmup: float | None,
    jobs: int | None,
    log_path: str | None,
    output: str | None,
    html_path: str | None,
    fmt: str,
    quiet: bool,
) -> None:
    """Simulate a blueprint: customers arrive, follow its flows, queue for its roles.

    The blueprint's `simulation:` key (or a --scenarios file) sets the arrival rate, the
    capacity of each role, durations and patience, and names what-if scenarios: more or fewer
    staff, shorter actions, automated actions, removed or moved steps, other branch odds or
    arrival rates. Each scenario runs next to the blueprint as it is, with the same customers,
    and the figures come with 95% confidence intervals over the replications: waits per action
    and as the customer feels them, queue lengths, utilisation per role, throughput,
    abandonment, cycle time and cost per customer.

    `-o metrics.json` writes each scenario's figures in the shape `stageline render --metrics`
    and `stageline check --metrics` read.
    """
    from stageline.cli.main import _load
    from stageline.formats.api import write_bytes, write_text
    from stageline.metrics import dumps_metrics
    from stageline.model import slugify
    from stageline.sim import Options, simulate
    from stageline.sim.metrics import to_metrics

    if horizon is not None and horizon <= 0:
        raise click.BadParameter("the horizon must be longer than 0 s", param_hint="--horizon")
    if horizon is not None and customers is not None:
        raise click.UsageError("give --horizon or --customers, not both")
    if horizon is not None and warmup is not None and warmup >= horizon:
        raise click.BadParameter("the warm-up must be shorter than the horizon", param_hint="--warmup")
    bp = _load(file)
    try:
        settings = None
        if side_file is not None:
            from stageline.formats.simfile import read_simulation_file

            settings = read_simulation_file(side_file)
        samples: dict[str, Any] = {}
        replay: tuple[float, ...] = ()
        if log_path is not None:
            from stageline.data.importer import import_log
            from stageline.data.samples import log_samples

            found = log_samples(bp, import_log(log_path))
            samples, replay = found.durations, found.arrivals
        options = Options(
            replications=replications, seed=seed, horizon=horizon, customers=customers, warmup=warmup, jobs=jobs
        )
        result = simulate(
            bp,
            settings=settings,
            scenarios=list(names) if names else None,
            options=options,
            samples=samples,
            replay=replay,
        )
    except StageLineError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    written = []
    if output is not None:
        target = Path(output)
        for sc in result.scenarios:
            path = (
                target
                if len(result.scenarios) == 1
                else target.with_name(f"{target.stem}.{slugify(sc.name)}{target.suffix}")
            )
            write_text(path, dumps_metrics(to_metrics(bp, sc, result.seed)))
            written.append(str(path))
    if html_path is not None:
        from stageline.sim.report import html_report

        write_bytes(html_path, html_report(result, bp).encode("utf-8"))
        written.append(html_path)
    if fmt == "json":
        import json

        click.echo(json.dumps(summary_dict(result), indent=1, sort_keys=False))
    elif not quiet:
        _table(result)
    if not quiet:
        for done in written:
            click.echo(f"wrote {done}", err=fmt == "json")


def _est(e: Estimate) -> dict[str, float | None]:
    def num(x: float) -> float | None:
        return None if math.isnan(x) or math.isinf(x) else round(x, 6)

    return {"mean": num(e.mean), "low": num(e.low), "high": num(e.high)}


def summary_dict(result: SimulationResult) -> dict[str, Any]:
    """The comparison as plain data: every figure with its 95% interval."""
    plan = result.plan
    return {
        "blueprint": result.blueprint,
        "seed": result.seed,
        "horizon": plan.horizon,
        "customers": plan.customers,
        "warmup": plan.warmup,
        "scenarios": [
            {
                "name": sc.name,
                "replications": sc.replications,
                "customers": _est(sc.customers),
                "throughput_per_hour": _est(sc.throughput),
                "abandonment": _est(sc.abandonment),
                "felt_wait_mean": _est(sc.felt_mean),
                "felt_wait_p90": _est(sc.felt_p90),
                "cycle_time_mean": _est(sc.cycle_mean),
                "cycle_time_p90": _est(sc.cycle_p90),
                "cost_per_customer": _est(sc.cost),
                "roles": {
                    r.id: {"capacity": _est(r.capacity), "utilisation": _est(r.utilisation), "queue": _est(r.queue)}
                    for r in sc.roles
                },
                "actions": {
                    a.id: {
                        "wait_mean": _est(a.wait_mean),
                        "wait_p90": _est(a.wait_p90),
                        "queue": _est(a.queue),
                        "abandoned": _est(a.abandoned),
                    }
                    for a in sc.actions
                },
            }
            for sc in result.scenarios
        ],
    }


_UNITS = ((86400.0, "d"), (3600.0, "h"), (60.0, "min"), (1.0, "s"))


def _time(e: Estimate) -> str:
    """``mean ± half`` in the unit that suits the mean."""
    if math.isnan(e.mean):
        return "–"
    size, unit = next(((s, u) for s, u in _UNITS if abs(e.mean) >= s), (1.0, "s"))
    digits = 0 if unit == "s" else 1
    text = f"{e.mean / size:.{digits}f} {unit}"
    if math.isfinite(e.half):
        text += f" ± {e.half / size:.{digits}f}"
    return text


def _plain(digits: int, scale: float = 1.0, suffix: str = "", prefix: str = "") -> Any:
    def fmt(e: Estimate) -> str:
        if math.isnan(e.mean):
            return "–"
        text = f"{prefix}{e.mean * scale:,.{digits}f}{suffix}"
        if math.isfinite(e.half):
            text += f" ± {e.half * scale:,.{digits}f}{suffix}"
        return text

    return fmt


def _table(result: SimulationResult) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from stageline.model import format_duration

    console = Console()
    plan = result.plan
    run = (
        f"{plan.customers:,} customers"
        if plan.customers is not None
        else f"{format_duration(plan.horizon or 0)} of arrivals"
    )
    reps = result.scenarios[0].replications
    table = Table(
        title=f"{escape(result.blueprint)}: {reps} replications of {run}, seed {result.seed} (mean ± 95% interval)",
        title_justify="left",
    )
    table.add_column("")
    for sc in result.scenarios:
        table.add_column(escape(sc.name), justify="right")
    money = (result.currency + " ") if result.currency else ""
    pct = _plain(1, 100, "%")
    rows: list[tuple[str, Any, Any]] = [
        ("customers", lambda s: s.customers, _plain(0)),
        ("served per hour", lambda s: s.throughput, _plain(1)),
        ("felt wait, mean", lambda s: s.felt_mean, _time),
        ("felt wait, p90", lambda s: s.felt_p90, _time),
        ("cycle time, mean", lambda s: s.cycle_mean, _time),
        ("cycle time, p90", lambda s: s.cycle_p90, _time),
        ("gave up", lambda s: s.abandonment, pct),
        ("cost per customer", lambda s: s.cost, _plain(2, prefix=money)),
    ]
    for label, get, fmt in rows:
        table.add_row(label, *(fmt(get(sc)) for sc in result.scenarios))
    for rid in [r.id for r in result.scenarios[0].roles]:
        cells = []
        for sc in result.scenarios:
            found = next((r for r in sc.roles if r.id == rid), None)
            cells.append("–" if found is None else f"{pct(found.utilisation)} of {found.capacity.mean:.2g}")
        table.add_row(f"{escape(rid)} busy", *cells)
    base = result.scenarios[0]
    queued = sorted(
        (a for a in base.actions if base.network.nodes[[n.id for n in base.network.nodes].index(a.id)].resource >= 0),
        key=lambda a: -(a.wait_mean.mean if not math.isnan(a.wait_mean.mean) else 0),
    )
    shown = queued[:_TOP_WAITS]
    for action in shown:
        cells = []
        for sc in result.scenarios:
            found_a = next((a for a in sc.actions if a.id == action.id), None)
            cells.append("removed" if found_a is None else _time(found_a.wait_mean))
        table.add_row(f"wait for {escape(action.id)}", *cells)
    if len(queued) > len(shown):
        table.caption = (
            f"the {len(shown)} longest waits of {len(queued)} actions that queue; "
            "all of them in --html and --format json"
        )
    console.print(table)
