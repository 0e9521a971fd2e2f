"""Customer experience: emotion dips, moments of truth, pain points, channel switches, crowding."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from stageline.analysis.registry import Context, Effect, Hit, Option, rule
from stageline.errors import Severity
from stageline.model import Action, Blueprint, FlowKind, Lane
from stageline.wording import share

__all__ = ["channel_switch", "crowded_step", "emotion_dip", "pain_point", "previous_customer_actions", "steep_drop"]


def previous_customer_actions(bp: Blueprint) -> dict[str, list[Action]]:
    """For each customer action, the customer actions just before it on the customer's path.

    Followed backwards along the flows through other lanes; for actions no flow reaches, the
    customer actions of the nearest earlier step. Actions for other segments are left out.
    """
    customer = [a for a in bp.actions if a.lane is Lane.CUSTOMER]
    into: dict[str, list[str]] = {}
    for f in bp.flows:
        into.setdefault(f.target, []).append(f.source)
        if f.kind is FlowKind.CODEPENDENCY:  # one interaction: the customer takes part in both ends
            into.setdefault(f.source, []).append(f.target)
    out: dict[str, list[Action]] = {}
    last_step: list[Action] = []
    current: list[Action] = []
    step = None
    for a in customer:
        if a.step != step:
            if current:
                last_step = current
            current, step = [], a.step
        found: dict[str, Action] = {}
        seen, todo = {a.id}, list(into.get(a.id, []))
        while todo:
            x = todo.pop()
            if x in seen:
                continue
            seen.add(x)
            b = bp.action(x)
            if b is None:
                continue
            if b.lane is Lane.CUSTOMER:
                found[b.id] = b
            else:
                todo.extend(into.get(x, []))
        same = [b for b in (found.values() if found or a.id in into else last_step) if _share_segment(a, b)]
        out[a.id] = same
        current.append(a)
    return out


@rule(
    "experience.emotion-dip",
    title="Low point of the customer's emotions",
    rationale="Customer steps with low emotion are the pain points of the journey; ranked by how many customers pass through them (NN/g).",
    severity=Severity.WARNING,
    fix="Find out what makes the moment negative (ask customers) and design it out, or support them through it.",
    options=[Option("max_emotion", -1, "number", "Emotion (-2 to +2) at or below which a customer action is flagged.")],
)
def emotion_dip(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    for a in ctx.blueprint.actions:
        if a.emotion is None or a.emotion > opts["max_emotion"]:
            continue
        reach = ctx.figures.reach(a.id)
        yield ctx.at(
            a,
            f"customers feel {_feeling(a.emotion)} at `{a.label}`",
            evidence=(("emotion", f"{a.emotion:+g}"), ("customers reaching it", share(reach))),
            effect=Effect(customers=reach),
        )


@rule(
    "experience.steep-drop",
    title="Steep drop in emotion (moment of truth)",
    rationale=(
        "A sharp fall into negative emotion from one customer action to the next is a moment of "
        "truth: where loyalty is won or lost."
    ),
    severity=Severity.WARNING,
    fix="Prepare the customer for the moment (set expectations earlier) and give staff what they need to handle it well.",
    options=[
        Option("min_drop", 2, "number", "Fall in emotion from one customer action to the next at which it is flagged.")
    ],
)
def steep_drop(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    bp = ctx.blueprint
    before = previous_customer_actions(bp)
    for a in bp.actions:
        if a.lane is not Lane.CUSTOMER or a.emotion is None or a.emotion >= 0:
            continue
        drops = [b for b in before.get(a.id, []) if b.emotion is not None and b.emotion - a.emotion >= opts["min_drop"]]
        if not drops:
            continue
        b = max(drops, key=lambda x: ctx.figures.reach(x.id))  # the path most customers come by
        others = f" (and from {len(drops) - 1} other action{'s' if len(drops) > 2 else ''})" if len(drops) > 1 else ""
        reach = ctx.figures.reach(a.id)
        yield ctx.at(
            a,
            f"emotion falls from {b.emotion:+g} at `{b.label}` to {a.emotion:+g} at `{a.label}`{others}",
            evidence=(
                ("from", ", ".join(x.id for x in drops)),
                ("drop", f"{(b.emotion or 0.0) - a.emotion:g}"),
                ("customers", share(reach)),
            ),
            effect=Effect(customers=reach),
        )


@rule(
    "experience.pain-point",
    title="Pain point",
    rationale="Pain points named by research are the customer's own words about what hurts; the more customers pass, the more it matters.",
    severity=Severity.WARNING,
    fix="Take the pain point to the team that owns the step; test a change with customers.",
)
def pain_point(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    for a in ctx.blueprint.actions:
        if not a.pain_points:
            continue
        reach = ctx.figures.reach(a.id)
        listed = "; ".join(a.pain_points)
        yield ctx.at(
            a,
            f"{len(a.pain_points)} pain point{'s' if len(a.pain_points) > 1 else ''} at `{a.label}`: {listed}",
            evidence=(("customers reaching it", share(reach)),),
            effect=Effect(customers=reach),
        )


@rule(
    "experience.channel-switch",
    title="Channel switch forced on the customer",
    rationale="Each change of channel (web to phone to paper) makes the customer start again and repeat themselves; omnichannel research counts them as effort.",
    severity=Severity.INFO,
    fix="Let the customer finish in the channel they started in, or carry their context across.",
)
def channel_switch(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    bp = ctx.blueprint
    before = previous_customer_actions(bp)
    for a in bp.actions:
        if a.lane is not Lane.CUSTOMER or not a.channel:
            continue
        switched = sorted({b.channel for b in before.get(a.id, []) if b.channel and b.channel != a.channel})
        if switched:
            reach = ctx.figures.reach(a.id)
            yield ctx.at(
                a,
                f"the customer moves from {' or '.join(switched)} to {a.channel} at `{a.label}`",
                evidence=(("customers", share(reach)),),
                effect=Effect(customers=reach),
            )


@rule(
    "experience.crowded-step",
    title="Crowded step",
    rationale="A step with many actions is hard for customers and staff alike, and hard to read on the blueprint.",
    severity=Severity.INFO,
    fix="Split the step in two, or move work that the customer does not wait for out of it.",
    options=[
        Option(
            "max_actions", 6, "count", "Actions in one step (physical evidence not counted) above which it is flagged."
        )
    ],
)
def crowded_step(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    bp = ctx.blueprint
    counts: dict[str, int] = {}
    for a in bp.actions:
        if a.lane is not Lane.EVIDENCE:
            counts[a.step] = counts.get(a.step, 0) + 1
    for s in bp.steps:
        n = counts.get(s.id, 0)
        if n > opts["max_actions"]:
            yield ctx.at_step(
                s.id,
                f"step `{s.name}` holds {n} actions",
                evidence=(("actions", str(n)),),
                effect=Effect(customers=ctx.figures.step_reach.get(s.id, 0.0)),
            )


def _share_segment(a: Action, b: Action) -> bool:
    """Whether one customer can do both: actions for different segments belong to different journeys."""
    return not a.segments or not b.segments or bool(set(a.segments) & set(b.segments))


def _feeling(emotion: float) -> str:
    if emotion <= -2:
        return "very negative"
    if emotion < 0:
        return "negative"
    return "neutral" if emotion == 0 else "positive"
