"""What measured figures show that the blueprint alone cannot: promises broken in practice,
assumptions that drifted, and where the service in the log differs from the one drawn.

These rules run only when ``stageline check --metrics`` is given figures measured from an event
log (or simulated); without them they find nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from stageline.analysis.registry import Context, Effect, Hit, Option, rule
from stageline.errors import Severity
from stageline.metrics.reach import Graph
from stageline.wording import duration, share

__all__ = ["breaches", "drift", "drop_off", "off_blueprint", "rework", "stale", "unclaimed", "unused_flow"]


@rule(
    "measured.breach",
    title="Tolerance broken in practice",
    rationale=(
        "Shostack's tolerances say how long a step may take before the customer is dissatisfied. "
        "The log tells how often the service keeps that promise; a step that breaks it for many "
        "customers is a fail point in fact, whatever the blueprint assumes."
    ),
    severity=Severity.WARNING,
    fix="Find what the slow cases share (resource, time of day, channel) and add capacity or triage there.",
    options=[Option("min_share", 0.1, "share", "Share of occurrences over the tolerance that is flagged.")],
)
def breaches(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    if ctx.measured is None:
        return
    for action in ctx.blueprint.actions:
        fig = ctx.measured.metrics.actions.get(action.id)
        if fig is None or fig.breaches is None or fig.events == 0:
            continue
        b = fig.breaches
        for what, count, limit, spread in (
            ("takes", b.duration, b.duration_limit, fig.service),
            ("waits", b.wait, b.wait_limit, None if fig.wait_includes_service else fig.wait),
        ):
            if limit is None or spread is None or spread.count == 0:
                continue
            part = count / spread.count
            if part < opts["min_share"]:
                continue
            yield ctx.at(
                action,
                f"`{action.label}` {what} longer than its tolerance of {duration(limit)} in {share(part)} "
                f"of {spread.count:,} occurrences",
                evidence=(
                    ("tolerance", duration(limit)),
                    ("median", duration(spread.p50 or 0.0)),
                    ("p90", duration(spread.p90 or 0.0)),
                    ("over tolerance", f"{count:,} ({share(part)})"),
                ),
                effect=Effect(customers=fig.share * part),
            )


@rule(
    "measured.drift",
    title="Assumed time far from the measured one",
    rationale=(
        "A blueprint's figures are estimates; when the log says otherwise, every figure computed "
        "from them (end-to-end time, cost, the ranking of opportunities) is off too. Keeping the "
        "blueprint current is the point of measuring it."
    ),
    severity=Severity.INFO,
    fix="Update the action's `duration` or `wait` to the measured median (or explain the difference).",
    options=[Option("min_ratio", 2.0, "number", "Measured median over assumed time (or the reverse) that is flagged.")],
)
def drift(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    if ctx.measured is None:
        return
    measured = ctx.measured.metrics
    original = {a.id: a for a in ctx.measured.original.actions}
    for action in ctx.blueprint.actions:
        fig = measured.actions.get(action.id)
        before = original.get(action.id)
        if fig is None or before is None:
            continue
        pairs = [("duration", before.duration, fig.service)]
        if not fig.wait_includes_service:
            pairs.append(("wait", before.wait, fig.wait))
        for what, assumed, spread in pairs:
            if assumed is None or spread is None or spread.p50 is None or assumed.expected <= 0:
                continue
            ratio = spread.p50 / assumed.expected
            if 1 / opts["min_ratio"] < ratio < opts["min_ratio"]:
                continue
            yield ctx.at(
                action,
                f"`{action.label}`: the blueprint assumes a {what} of {duration(assumed.expected)}, "
                f"the log's median is {duration(spread.p50)}",
                evidence=(("assumed", duration(assumed.expected)), ("measured median", duration(spread.p50))),
            )


@rule(
    "measured.drop-off",
    title="Customers leave here",
    rationale=(
        "Cases that end at an action the blueprint does not draw as an end are customers who gave "
        "up, were turned away, or whose case was dropped: a roadblock in Bitner's sense."
    ),
    severity=Severity.WARNING,
    fix="Find out why cases stop here (feedback, the last resource, the waiting time before) and remove the roadblock.",
    options=[Option("min_share", 0.2, "share", "Share of the action's cases ending there that is flagged.")],
)
def drop_off(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    if ctx.measured is None:
        return
    # The log sees only bound actions: an action is an end when no bound action follows it,
    # directly or through actions the log cannot see (a closing customer action, say).
    bound = {a for a, f in ctx.measured.metrics.actions.items() if f.events}
    graph = Graph(ctx.blueprint, bound)
    ends = {a for a in bound if not any(graph.drawn(a, t) for t in bound)}
    for action in ctx.blueprint.actions:
        fig = ctx.measured.metrics.actions.get(action.id)
        if fig is None or action.id in ends or fig.cases == 0:
            continue
        part = fig.drop_off / fig.cases
        if part < opts["min_share"]:
            continue
        yield ctx.at(
            action,
            f"{share(part)} of the cases that reach `{action.label}` end there, though the blueprint goes on",
            evidence=(("cases", f"{fig.cases:,}"), ("ending there", f"{fig.drop_off:,}")),
            effect=Effect(customers=fig.share * part),
        )


@rule(
    "measured.rework",
    title="Done again in many cases",
    rationale=(
        "An action repeated within a case is rework: the customer waits again and the service pays "
        "twice. The blueprint may not draw the loop; the log shows it."
    ),
    severity=Severity.WARNING,
    fix="Find why it is repeated (incomplete information, errors) and get it right the first time.",
    options=[Option("min_share", 0.2, "share", "Share of the action's cases with a repeat that is flagged.")],
)
def rework(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    if ctx.measured is None:
        return
    for action in ctx.blueprint.actions:
        fig = ctx.measured.metrics.actions.get(action.id)
        if fig is None or fig.cases == 0:
            continue
        part = fig.rework_cases / fig.cases
        if part < opts["min_share"]:
            continue
        yield ctx.at(
            action,
            f"`{action.label}` is done more than once in {share(part)} of its cases "
            f"({fig.events / fig.cases:.1f} times on average)",
            evidence=(("cases with a repeat", f"{fig.rework_cases:,}"), ("repeats", f"{fig.rework:,}")),
            effect=Effect(customers=fig.share * part),
        )


@rule(
    "measured.off-blueprint",
    title="The service goes where the blueprint does not",
    rationale=(
        "A blueprint is only useful while it is the service. A transition many cases take that the "
        "blueprint lacks, or one that skips steps the blueprint requires, means the drawing and the "
        "service have parted."
    ),
    severity=Severity.WARNING,
    fix="Draw the path the cases take (or the reason they should not), or bind the activities differently.",
    options=[Option("min_share", 0.05, "share", "Share of all cases taking the transition that is flagged.")],
)
def off_blueprint(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    if ctx.measured is None:
        return
    m = ctx.measured.metrics
    if m.conformance is None or m.service is None or m.service.cases == 0:
        return
    for t in m.conformance.extra:
        part = t.cases / m.service.cases
        source = ctx.blueprint.action(t.source)
        if part < opts["min_share"] or source is None:
            continue
        why = "which the blueprint does not draw" if t.kind == "missing" else "skipping " + ", ".join(t.skipped)
        yield ctx.at(
            source,
            f"{share(part)} of cases go from `{t.source}` straight to `{t.target}`, {why}",
            evidence=(("transitions", f"{t.transitions:,}"), ("cases", f"{t.cases:,}")),
            effect=Effect(customers=part),
        )


@rule(
    "measured.unused-flow",
    title="A flow no case takes",
    rationale="A path drawn but never taken is either dead process or a sign the activities are bound wrongly.",
    severity=Severity.INFO,
    fix="Remove the flow, or check the `activities` of the two actions.",
)
def unused_flow(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    if ctx.measured is None or ctx.measured.metrics.conformance is None:
        return
    never = set(ctx.measured.metrics.conformance.unobserved)
    for n, flow in enumerate(ctx.blueprint.flows):
        if (flow.source, flow.target) in never:
            yield ctx.at_flow(n, f"no case in the log goes from `{flow.source}` to `{flow.target}`")


@rule(
    "measured.stale",
    title="No recent events",
    rationale=(
        "An action the log no longer shows has been changed, renamed or dropped in the real "
        "service: the blueprint is going stale there."
    ),
    severity=Severity.WARNING,
    fix="Check whether the action still happens; update its `activities` or the blueprint.",
)
def stale(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    if ctx.measured is None or ctx.measured.metrics.conformance is None:
        return
    c = ctx.measured.metrics.conformance
    for action_id in c.stale:
        action = ctx.blueprint.action(action_id)
        if action is None:
            continue
        fig = ctx.measured.metrics.actions.get(action_id)
        when = f"its last event was on {fig.last[:10]}" if fig and fig.last else "the log has no event of it"
        yield ctx.at(
            action,
            f"`{action.label}` had no events in the last {c.stale_days:g} days of the log: {when}",
        )


@rule(
    "measured.unclaimed",
    title="Activities no action claims",
    rationale=(
        "Events no action claims are work the blueprint does not show; their time and cost are "
        "missing from every figure."
    ),
    severity=Severity.WARNING,
    fix="Add the activity to the `activities` of the action it belongs to, or add the action.",
    options=[Option("min_share", 0.01, "share", "Share of the log's events at which an activity is flagged.")],
)
def unclaimed(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    if ctx.measured is None or ctx.measured.metrics.conformance is None:
        return
    m = ctx.measured.metrics
    total = m.service.events if m.service else 0
    for activity in m.conformance.unclaimed if m.conformance else ():
        if total and activity.events / total < opts["min_share"]:
            continue
        maybe = f" (perhaps {', '.join(f'`{s}`' for s in activity.suggestions)})" if activity.suggestions else ""
        yield Hit(
            f"no action claims the activity `{activity.name}` ({activity.events:,} events){maybe}",
            "blueprint",
            activity.name,
            evidence=(("events", f"{activity.events:,}"),),
        )
