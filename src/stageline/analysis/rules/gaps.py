"""Gaps: parts of the service that nothing supports, nothing uses, nobody owns or nothing reaches."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from stageline.analysis.registry import Context, Effect, Hit, Option, rule
from stageline.errors import Severity
from stageline.model import Blueprint, Lane
from stageline.wording import share

__all__ = [
    "dead_end",
    "no_evidence",
    "no_owner",
    "open_branch",
    "unreached",
    "unsupported_frontstage",
    "unused_support",
]

_BEHIND = (Lane.BACKSTAGE, Lane.SUPPORT)


def _linked(bp: Blueprint) -> dict[str, set[str]]:
    """The actions each action shares a flow with, in either direction."""
    out: dict[str, set[str]] = {}
    for f in bp.flows:
        out.setdefault(f.source, set()).add(f.target)
        out.setdefault(f.target, set()).add(f.source)
    return out


@rule(
    "gaps.unsupported-frontstage",
    title="Frontstage action with nothing behind it",
    rationale=(
        "A promise made frontstage needs backstage work or a support process to keep it "
        "(Bitner et al.); a frontstage action linked to neither depends on improvisation."
    ),
    severity=Severity.WARNING,
    fix="Add the backstage action or support process that makes it possible, and draw the flow to it.",
)
def unsupported_frontstage(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    bp = ctx.blueprint
    linked = _linked(bp)
    for a in bp.actions:
        if a.lane is not Lane.FRONTSTAGE:
            continue
        if bp.flows:
            supported = any((b := bp.action(x)) is not None and b.lane in _BEHIND for x in linked.get(a.id, ()))
        else:
            supported = any(b.lane in _BEHIND for b in bp.actions_in(a.step))
        if not supported:
            yield ctx.at(
                a,
                f"nothing backstage or in support is linked to `{a.label}`",
                effect=Effect(customers=ctx.figures.reach(a.id)),
            )


@rule(
    "gaps.no-evidence",
    title="Customer action without physical evidence",
    rationale=(
        "Physical evidence is what the customer sees and keeps at each step (Shostack, Bitner et "
        "al.); a customer action with none leaves them nothing to confirm what happened."
    ),
    severity=Severity.WARNING,
    fix="Name the evidence: a screen, a message, a receipt, a sign, a letter.",
)
def no_evidence(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    bp = ctx.blueprint
    for a in bp.actions:
        if a.lane is not Lane.CUSTOMER or a.evidence:
            continue
        if any(True for _ in bp.actions_in(a.step, Lane.EVIDENCE)):
            continue
        yield ctx.at(
            a,
            f"the customer gets no physical evidence at `{a.label}`",
            effect=Effect(customers=ctx.figures.reach(a.id)),
        )


@rule(
    "gaps.unused-support",
    title="Support process nothing uses",
    rationale="A support process linked to no customer, frontstage or backstage action is either missing its flows or waste.",
    severity=Severity.INFO,
    fix="Draw the flow to the action it supports, or remove the process.",
)
def unused_support(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    bp = ctx.blueprint
    if not bp.flows:
        return
    linked = _linked(bp)
    for a in bp.actions:
        if a.lane is not Lane.SUPPORT:
            continue
        seen, todo, used = {a.id}, [a.id], False
        while todo and not used:
            for other in linked.get(todo.pop(), ()):
                b = bp.action(other)
                if b is None or other in seen:
                    continue
                if b.lane is not Lane.SUPPORT:
                    used = True
                    break
                seen.add(other)
                todo.append(other)
        if not used:
            yield ctx.at(a, f"no customer, frontstage or backstage action uses `{a.label}`")


@rule(
    "gaps.no-owner",
    title="Touchpoint without an owner",
    rationale="Every touchpoint needs someone accountable for it, or it decays unnoticed (touchpoint ownership).",
    severity=Severity.INFO,
    fix="Give the action an `owner` (who is accountable) or a `role` (who does it).",
)
def no_owner(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    for a in ctx.blueprint.actions:
        if a.lane is Lane.FRONTSTAGE and not a.owner and not a.role:
            yield ctx.at(
                a,
                f"nobody owns the touchpoint `{a.label}`",
                effect=Effect(customers=ctx.figures.reach(a.id)),
            )


@rule(
    "gaps.unreached",
    title="Action no flow reaches",
    rationale="In a blueprint with flows, an action no flow reaches or leaves is outside the service as drawn.",
    severity=Severity.WARNING,
    fix="Draw the flows into and out of it, or remove it if it no longer happens.",
)
def unreached(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    fig = ctx.figures
    if fig.graph.implicit:
        return
    for i, a in enumerate(fig.graph.actions):
        if a.lane is not Lane.EVIDENCE and not fig.graph.connected[i]:
            yield ctx.at(a, f"no flow reaches or leaves `{a.label}`")


@rule(
    "gaps.dead-end",
    title="Dead end",
    rationale=(
        "Backstage work that leads nowhere leaves its result unused or the customer without an "
        "outcome: the flow stops where the service should go on. (Frontstage and customer "
        "actions may end a flow: what they produce reaches the customer directly.)"
    ),
    severity=Severity.WARNING,
    fix="Draw what happens next: who is told, what the customer receives, which step follows.",
)
def dead_end(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    fig = ctx.figures
    if fig.graph.implicit:
        return
    for i, a in enumerate(fig.graph.actions):
        if a.lane is Lane.BACKSTAGE and fig.graph.pred[i] and not fig.graph.succ[i]:
            reach = fig.reach(a.id)
            yield ctx.at(
                a,
                f"nothing follows `{a.label}`: no flow leads on from it",
                evidence=(("customers reaching it", share(reach)),),
                effect=Effect(customers=reach),
            )


@rule(
    "gaps.open-branch",
    title="Alternatives that do not add up",
    rationale=(
        "When the odds of two or more alternatives leaving an action add up to under 100%, the "
        "rest of the customers go nowhere the blueprint shows. (A single optional branch, such "
        "as 1% asking for a change later, is not flagged.)"
    ),
    severity=Severity.INFO,
    fix="Add the missing alternative (often a cancellation or a case still open), or correct the odds.",
    options=[
        Option(
            "min_share", 0.02, "share", "Unaccounted share at which the alternatives are flagged (below it, rounding)."
        )
    ],
)
def open_branch(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    fig = ctx.figures
    for v, rest in fig.timeline.stops:
        a = fig.graph.actions[v]
        if rest >= opts["min_share"] - 1e-9 and sum(1 for e in fig.graph.succ[v] if e.probability is not None) >= 2:
            affected = fig.reach(a.id) * rest
            yield ctx.at(
                a,
                f"the alternatives after `{a.label}` add up to {share(1 - rest)}; "
                f"{share(rest)} of the customers reaching it go nowhere the blueprint shows "
                "(and drop out of its time and cost figures)",
                evidence=(("unaccounted", share(rest)),),
                effect=Effect(customers=affected),
            )
