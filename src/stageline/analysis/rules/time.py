"""Time (Shostack's time frame): waits the customer feels and the steps that take the time."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from stageline.analysis.registry import Context, Effect, Hit, Option, rule
from stageline.errors import Severity
from stageline.model import Lane
from stageline.wording import duration, share

__all__ = ["customer_wait", "dominant_step", "over_tolerance", "unestimated"]


@rule(
    "time.customer-wait",
    title="Long wait the customer feels",
    rationale=(
        "Waits the customer feels cost the most goodwill (Shostack's time frame; Maister's "
        "psychology of queues): a wait before a customer or frontstage action, or before backstage "
        "work a later customer action depends on, that takes a large share of the customer's time."
    ),
    severity=Severity.WARNING,
    fix="Shorten the queue (capacity, triage, appointments), or use the wait: tell the customer what happens and when.",
    options=[Option("min_share", 0.15, "share", "Share of the customer-felt time at which a wait is flagged.")],
)
def customer_wait(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    fig = ctx.figures
    felt = fig.timeline.customer_felt or fig.end_to_end
    if felt <= 0:
        return
    awaited = _awaited(ctx)
    for i, a in enumerate(fig.graph.actions):
        if a.wait is None or a.wait.expected <= 0:
            continue
        if not (a.lane in (Lane.CUSTOMER, Lane.FRONTSTAGE) or awaited[i]):
            continue
        reach = fig.reach(a.id)
        expected = a.wait.expected * fig.visits(a.id) if fig.graph.connected[i] else a.wait.expected * reach
        part = expected / felt
        if part < opts["min_share"]:
            continue
        yield ctx.at(
            a,
            f"customers wait {duration(a.wait.expected)} before `{a.label}`, "
            f"{share(part)} of the time they spend in the service",
            evidence=(
                ("wait", duration(a.wait.expected)),
                ("customers reaching it", share(reach)),
                ("customer-felt time", duration(felt)),
            ),
            effect=Effect(time=expected, customers=reach),
        )


def _awaited(ctx: Context) -> list[bool]:
    """Whether a customer action follows each action along the flows: the customer waits for it."""
    graph = ctx.figures.graph
    out = [False] * len(graph.actions)
    todo = [i for i, a in enumerate(graph.actions) if a.lane is Lane.CUSTOMER]
    while todo:
        v = todo.pop()
        for e in graph.pred[v]:
            if not out[e.source]:
                out[e.source] = True
                todo.append(e.source)
    return out


@rule(
    "time.over-tolerance",
    title="Wait over its tolerance",
    rationale=(
        "Shostack gives each step a standard time and a tolerance beyond which the customer is "
        "dissatisfied. Along the flows a customer can wait longer than their own action's wait "
        "says, for the backstage work it depends on; when that exceeds the wait's tolerance "
        "(`wait: 10 min ± 5 min` allows 15 min), the blueprint breaks its own promise."
    ),
    severity=Severity.WARNING,
    fix="Take the work the customer waits for off their path (do it earlier or in parallel), or add capacity to it.",
    options=[
        Option("margin", 0.1, "share", "How far past the tolerated wait (as a share of it) before a wait is flagged.")
    ],
)
def over_tolerance(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    fig = ctx.figures
    waited = fig.timeline.waited
    for i, a in enumerate(fig.graph.actions):
        limit = a.wait.limit if a.wait else None
        expected = waited[i] if i < len(waited) else None
        if limit is None or expected is None or expected <= limit * (1 + opts["margin"]) + 1e-9:
            continue
        reach = fig.reach(a.id)
        yield ctx.at(
            a,
            f"customers wait {duration(expected)} before `{a.label}`, over the {duration(limit)} its wait allows",
            evidence=(
                ("expected wait along the flows", duration(expected)),
                ("tolerated", duration(limit)),
                ("customers reaching it", share(reach)),
            ),
            effect=Effect(time=(expected - limit) * reach, customers=reach),
        )


@rule(
    "time.dominant-step",
    title="Step that dominates the end-to-end time",
    rationale=(
        "The critical path through the flows (with branch probabilities and parallel work) "
        "decides the end-to-end time; a step holding a large share of it is where time is won."
    ),
    severity=Severity.WARNING,
    fix="Look at the waits and handoffs inside the step first: they are usually most of its time.",
    options=[Option("min_share", 0.3, "share", "Share of the expected end-to-end time at which a step is flagged.")],
)
def dominant_step(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    fig = ctx.figures
    total = fig.end_to_end
    if total <= 0:
        return
    for sf in fig.steps:
        part = sf.time / total
        if part < opts["min_share"]:
            continue
        yield ctx.at_step(
            sf.step,
            f"step `{ctx.step_name(sf.step)}` takes {share(part)} of the expected end-to-end time "
            f"({duration(sf.time)} of {duration(total)})",
            evidence=(("expected time in step", duration(sf.time)), ("end-to-end", duration(total))),
            effect=Effect(time=sf.time, customers=sf.reach),
        )


@rule(
    "time.unestimated",
    title="No times given",
    rationale="Without durations or waits, time along the flows cannot be worked out (Shostack's time frame).",
    severity=Severity.INFO,
    fix="Give customer and frontstage actions a `duration` and queues a `wait`, even rough ones (`5 min ± 3 min`).",
)
def unestimated(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    bp = ctx.blueprint
    if not bp.actions or any(a.duration or a.wait for a in bp.actions):
        return
    yield Hit(
        "no action has a duration or a wait, so every time figure is zero",
        "blueprint",
        "",
        evidence=(("actions", str(len(bp.actions))),),
    )
