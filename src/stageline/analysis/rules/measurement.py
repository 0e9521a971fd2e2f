"""Measurement gaps: critical steps with no KPI."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from stageline.analysis.registry import Context, Effect, Hit, Option, rule
from stageline.errors import Severity

__all__ = ["no_kpi"]


@rule(
    "measurement.no-kpi",
    title="Critical step without a KPI",
    rationale=(
        "What is not measured drifts; critical steps (a fail point, a negative customer moment, "
        "or a large share of the time) need a KPI so the blueprint can be kept honest."
    ),
    severity=Severity.WARNING,
    fix="Add a KPI with a target to an action of the step (`kpis: [{name: ..., target: ..., unit: ...}]`).",
    options=[
        Option("min_time_share", 0.2, "share", "Share of the end-to-end time that makes a step critical."),
        Option("max_emotion", -1, "number", "Customer emotion at or below which a step is critical."),
    ],
)
def no_kpi(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    bp = ctx.blueprint
    fig = ctx.figures
    total = fig.end_to_end
    time = {sf.step: sf.time for sf in fig.steps}
    for s in bp.steps:
        actions = list(bp.actions_in(s.id))
        if any(a.kpis for a in actions):
            continue
        why = []
        if any(a.fail_point for a in actions):
            why.append("a fail point")
        if any(a.emotion is not None and a.emotion <= opts["max_emotion"] for a in actions):
            why.append("a negative customer moment")
        if total > 0 and time.get(s.id, 0.0) / total >= opts["min_time_share"]:
            why.append("a large share of the time")
        if why:
            yield ctx.at_step(
                s.id,
                f"step `{s.name}` has {' and '.join(why)} but no KPI",
                evidence=(("critical because", ", ".join(why)),),
                effect=Effect(customers=fig.step_reach.get(s.id, 0.0)),
            )
