"""Measure a blueprint against an imported event log: every figure of :mod:`stageline.metrics`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa

from stageline.data import figures as fx
from stageline.data.bind import bind
from stageline.data.engine import Engine, connect_engine
from stageline.data.feedback import Feedback
from stageline.data.importer import EventLog, Limits
from stageline.data.satisfaction import add_satisfaction, measure_feedback
from stageline.metrics import (
    ActionFigures,
    Breaches,
    Conformance,
    Count,
    FlowFigures,
    Handoff,
    Metrics,
    RoleFigures,
    ServiceFigures,
    Spread,
    StageFigures,
    Transition,
    Week,
)
from stageline.metrics.reach import Graph
from stageline.model import Blueprint
from stageline.model.timing import Timing

__all__ = ["Options", "measure"]

_US = 1_000_000


@dataclass(frozen=True, slots=True)
class Options:
    """How to measure."""

    engine: str = "duckdb"
    limits: Limits = field(default_factory=Limits)
    #: Actions with no events in this many days before the log's last event are stale.
    stale_days: float = 90.0
    failure_outcomes: tuple[str, ...] = fx.FAILURE_OUTCOMES
    #: Resources listed per action.
    top: int = 5


def measure(
    bp: Blueprint,
    log: EventLog,
    options: Options | None = None,
    *,
    engine: Engine | None = None,
    feedback: Feedback | None = None,
) -> Metrics:
    """The figures of ``bp`` measured from ``log``, with what customers said in ``feedback``
    (read by :func:`stageline.data.feedback.read_feedback`) as satisfaction per place."""
    options = options or Options()
    own = engine is None
    eng = engine or connect_engine(options.engine, options.limits)
    try:
        metrics, occ = _measure(bp, log, options, eng)
        if feedback is not None:
            metrics = _with_feedback(bp, metrics, feedback, occ, eng)
        return metrics
    finally:
        if own:
            eng.close()


def _rows(expr: Any) -> list[dict[str, Any]]:
    table: pa.Table = expr.to_pyarrow()
    return table.to_pylist()  # type: ignore[no-any-return]


def _with_feedback(bp: Blueprint, metrics: Metrics, feedback: Feedback, occ: Any, eng: Engine) -> Metrics:
    rows: list[dict[str, Any]] = []
    if feedback.cases:
        wanted = eng.table(
            "feedback_cases", pa.table({"f_case": sorted(feedback.cases)}, schema=pa.schema([("f_case", pa.string())]))
        )
        found = occ.inner_join(wanted, occ.case_id == wanted.f_case).select("case_id", "action", "end_us")
        rows = _rows(found)
    figures = measure_feedback(bp, feedback, rows)
    out = add_satisfaction(bp, metrics, figures)
    return replace(out, feedback=figures.quality.to_dict())  # add_satisfaction names the file


def _measure(bp: Blueprint, log: EventLog, options: Options, eng: Engine) -> tuple[Metrics, Any]:
    events = eng.read(log.path)
    seen = events.group_by([events.activity, events.lifecycle.fill_null("").name("lc")]).aggregate(n=events.count())
    binding = bind(bp, [(r["activity"], r["lc"], int(r["n"])) for r in _rows(seen)])
    step_phase = {s.id: s.phase for s in bp.steps}
    places = {a.id: (a.step, step_phase.get(a.step) or "") for a in bp.actions}
    tables = fx.Tables(eng, events, binding.actions, places)
    starts = [activity for activity, lc in binding.actions if lc == "start"]
    occ = fx.occurrences(tables, options.failure_outcomes, starts=starts).cache()
    eng.cached.append(occ)
    limits = eng.table(
        "limits",
        pa.table(
            {
                "l_action": [a.id for a in bp.actions],
                "duration_limit_us": [_limit_us(a.duration) for a in bp.actions],
                "wait_limit_us": [_limit_us(a.wait) for a in bp.actions],
            },
            schema=pa.schema(
                [("l_action", pa.string()), ("duration_limit_us", pa.int64()), ("wait_limit_us", pa.int64())]
            ),
        ),
    )
    cases_table = fx.per_case(events).cache()
    eng.cached.append(cases_table)
    service_row = _rows(fx.service(cases_table))[0]
    total_cases = int(service_row["cases"]) or 1
    weekly_cases = sorted((int(r["week_us"]), int(r["n"])) for r in _rows(fx.cases_per_week(cases_table)))
    service = ServiceFigures(
        cases=int(service_row["cases"]),
        events=int(service_row["events"]),
        variants=int(service_row["variants"]),
        case_time=_spread(service_row, "case"),
        first=_iso(service_row["first_us"]),
        last=_iso(service_row["last_us"]),
        weekly=tuple(Week(week=_day(w), count=n) for w, n in weekly_cases),
    )
    resources: dict[str, list[tuple[int, str]]] = {}
    for r in _rows(fx.per_resource(occ)):
        resources.setdefault(r["action"], []).append((-int(r["n"]), r["resource"]))
    weeks: dict[str, list[tuple[int, int]]] = {}
    for r in _rows(fx.per_week(occ)):
        weeks.setdefault(r["action"], []).append((int(r["week_us"]), int(r["n"])))
    action_ids = [a.id for a in bp.actions]
    actions: dict[str, ActionFigures] = {}
    by_action = {r["action"]: r for r in _rows(fx.per_action(occ, limits))}
    open_starts = {r["action"]: int(r["n"]) for r in _rows(fx.unfinished(tables, starts))} if starts else {}
    again = {r["action"]: r for r in _rows(fx.rework(fx.repeats(occ)))}
    for action in bp.actions:
        row = by_action.get(action.id)
        if row is None:
            continue
        events_n = int(row["events"])
        dur_limit = action.duration.limit if action.duration else None
        begun = int(row["with_begin"]) > 0  # the log tells when work on it started
        wait_limit = action.wait.limit if action.wait and begun else None
        actions[action.id] = ActionFigures(
            events=events_n,
            cases=int(row["cases"]),
            share=int(row["cases"]) / total_cases,
            service=_spread(row, "service"),
            wait=_spread(row, "wait" if begun else "since"),
            wait_includes_service=not begun,
            drop_off=int(row["drop_off"] or 0),
            rework=events_n - int(row["cases"]),
            rework_cases=int(again[action.id]["cases"]) if action.id in again else 0,
            unfinished=open_starts.get(action.id, 0),
            failures=int(row["failures"] or 0),
            failure_rate=int(row["failures"] or 0) / events_n if events_n else None,
            cost=None if row["cost"] is None else round(float(row["cost"]), 6),  # engines sum in their own order
            resources=int(row["resources"]),
            top_resources=tuple(
                Count(name=n, count=-c) for c, n in sorted(resources.get(action.id, []))[: options.top]
            ),
            breaches=Breaches(
                duration=int(row["over_duration"] or 0),
                wait=int(row["over_wait"] or 0),
                occurrences=int(row["over_any"] or 0),
                duration_limit=dur_limit,
                wait_limit=wait_limit,
            )
            if dur_limit is not None or wait_limit is not None
            else None,
            first=_iso(row["first_us"]),
            last=_iso(row["last_us"]),
            weekly=tuple(Week(week=_day(w), count=n) for w, n in sorted(weeks.get(action.id, []))),
        )
    graph = Graph(bp, binding.bound)
    flow_rows = _rows(fx.per_flow(occ))
    out_of: dict[str, int] = {}
    for r in flow_rows:
        out_of[r["prev_action"]] = out_of.get(r["prev_action"], 0) + int(r["transitions"])
    flows: list[FlowFigures] = []
    extra: list[Transition] = []
    allowed: list[tuple[str, str]] = []
    order = {a: i for i, a in enumerate(action_ids)}
    for r in sorted(flow_rows, key=lambda r: (order.get(r["prev_action"], 0), order.get(r["action"], 0))):
        source, target = r["prev_action"], r["action"]
        drawn = source == target or graph.drawn(source, target)  # a repeat is rework, not a detour
        transitions = int(r["transitions"])
        flows.append(
            FlowFigures(
                source=source,
                target=target,
                transitions=transitions,
                cases=int(r["cases"]),
                probability=transitions / out_of[source],
                time=_spread(r, "time"),
                handoffs=int(r["handoffs"] or 0),
                in_blueprint=drawn,
            )
        )
        if drawn:
            allowed.append((source, target))
        else:
            skipped = graph.skipped(source, target)
            extra.append(
                Transition(
                    source=source,
                    target=target,
                    transitions=transitions,
                    cases=int(r["cases"]),
                    kind="missing" if skipped is None else "skip",
                    skipped=skipped or (),
                )
            )
    allowed_table = eng.table(
        "allowed",
        pa.table(
            {"a_source": [s for s, _ in allowed], "a_target": [t for _, t in allowed]},
            schema=pa.schema([("a_source", pa.string()), ("a_target", pa.string())]),
        ),
    )
    unfit = int(_rows(fx.unfit_cases(occ, allowed_table))[0]["n"] or 0)
    observed = {(f.source, f.target) for f in flows}
    unobserved = tuple(p for p in graph.observable_flows(bp) if p not in observed)
    last_us = service_row["last_us"]
    stale_before = last_us - int(options.stale_days * 86_400 * _US) if last_us is not None else None
    stale = tuple(
        a
        for a in sorted(binding.bound | _claiming(bp), key=lambda x: order.get(x, 0))
        if a not in actions or (stale_before is not None and int(by_action[a]["last_us"]) < stale_before)
    )
    conformance = Conformance(
        fitting=service.cases - unfit,
        fitting_share=(service.cases - unfit) / total_cases,
        extra=tuple(sorted(extra, key=lambda t: -t.transitions)),
        unobserved=unobserved,
        stale=stale,
        stale_days=options.stale_days,
        unclaimed=binding.unclaimed,
        unmatched=binding.unmatched,
        contested=binding.contested,
    )
    skipped_steps: dict[str, int] = {}
    skipped_phases: dict[str, int] = {}
    for t in extra:
        for level, counts in ((0, skipped_steps), (1, skipped_phases)):
            for stage in dict.fromkeys(places[a][level] for a in t.skipped if a in places):
                counts[stage] = counts.get(stage, 0) + t.transitions
    steps = _stages(
        fx.per_stage(occ, tables.places, "step"), "step", total_cases, [s.id for s in bp.steps], skipped_steps
    )
    phases = _stages(
        fx.per_stage(occ, tables.places, "phase"), "phase", total_cases, [p.id for p in bp.phases], skipped_phases
    )
    roles, handoffs = _roles(bp, actions, resources, flows)
    metrics = Metrics(
        kind="measured",
        blueprint=bp.title,
        sources=(log.source,),
        engine=eng.name,
        service=service,
        actions=actions,
        flows=tuple(flows),
        steps=steps,
        phases=phases,
        conformance=conformance,
        roles=roles,
        handoffs=handoffs,
        quality=log.quality.to_dict(),
    )
    return metrics, occ


def _roles(
    bp: Blueprint,
    actions: dict[str, ActionFigures],
    resources: dict[str, list[tuple[int, str]]],
    flows: list[FlowFigures],
) -> tuple[dict[str, RoleFigures], tuple[Handoff, ...]]:
    """Figures per role of the blueprint, and the handoffs between roles the log shows.

    A role's events and resources add up over its actions; its cases are those of its busiest
    action (a case can meet a role in several actions, which the sum would count twice).
    """
    role_of = {a.id: a.role for a in bp.actions if a.role}
    out: dict[str, RoleFigures] = {}
    for role in dict.fromkeys(r.id for r in bp.roles):
        mine = [a for a, r in role_of.items() if r == role and a in actions]
        if not mine:
            continue
        names = {name for a in mine for _, name in resources.get(a, [])}
        out[role] = RoleFigures(
            events=sum(actions[a].events for a in mine),
            cases=max(actions[a].cases for a in mine),
            resources=len(names),
        )
    counts: dict[tuple[str, str], list[int]] = {}
    for f in flows:
        source, target = role_of.get(f.source), role_of.get(f.target)
        if source and target and source != target:
            n = counts.setdefault((source, target), [0, 0])
            n[0] += f.transitions
            n[1] += f.cases
    handoffs = tuple(
        Handoff(source=s, target=t, transitions=n, cases=c)
        for (s, t), (n, c) in sorted(counts.items(), key=lambda kv: (-kv[1][0], kv[0]))
    )
    return out, handoffs


def _claiming(bp: Blueprint) -> set[str]:
    return {a.id for a in bp.actions if a.activities}


def _stages(expr: Any, level: str, total: int, ids: Sequence[str], skipped: dict[str, int]) -> dict[str, StageFigures]:
    rows = {r[level]: r for r in _rows(expr)}
    out: dict[str, StageFigures] = {}
    for stage in ids:
        r = rows.get(stage)
        if r is None:
            continue
        out[stage] = StageFigures(
            cases=int(r["cases"]),
            share=int(r["cases"]) / total,
            events=int(r["events"]),
            drop_off=int(r["drop_off"] or 0),
            rework=int(r["rework"] or 0),
            failures=int(r["failures"] or 0),
            skipped=skipped.get(stage, 0),
            time=_spread(r, "time"),
        )
    return out


def _limit_us(timing: Timing | None) -> int | None:
    if timing is None or timing.limit is None:
        return None
    return round(float(timing.limit) * _US)


def _spread(row: dict[str, Any], prefix: str) -> Spread | None:
    n = int(row[f"{prefix}_n"] or 0)
    if n == 0:
        return None
    return Spread(
        count=n,
        mean=_seconds(row[f"{prefix}_mean"]),
        p50=_seconds(row[f"{prefix}_p50"]),
        p90=_seconds(row[f"{prefix}_p90"]),
        p95=_seconds(row[f"{prefix}_p95"]),
        max=_seconds(row[f"{prefix}_max"]),
    )


def _seconds(us: Any) -> float | None:
    return None if us is None else round(float(us) / _US, 3)


def _iso(us: Any) -> str | None:
    if us is None:
        return None
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(us))).isoformat()


def _day(us: int) -> str:
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=us)).date().isoformat()
