"""Handoffs and line crossings: where information or responsibility can be lost."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from stageline.analysis.registry import Context, Effect, Hit, Option, rule
from stageline.errors import Severity
from stageline.model import Lane, LineKind
from stageline.wording import share

__all__ = ["bounce", "line_crossing", "role_change"]


@rule(
    "handoffs.role-change",
    title="Handoff between roles",
    rationale=(
        "Every change of owner is a point where information or responsibility can be lost; "
        "counting them (and the role-by-role matrix) shows where coordination costs most."
    ),
    severity=Severity.INFO,
    fix="Check that the handoff carries everything the next role needs, or let one role do both.",
)
def role_change(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    fig = ctx.figures
    names = _party_names(ctx)
    for n, a, b in fig.handoffs:
        reach = fig.flow_reach(n)
        yield ctx.at_flow(
            n,
            f"work passes from {names.get(a, a)} to {names.get(b, b)}",
            evidence=(("from", names.get(a, a)), ("to", names.get(b, b)), ("customers", share(reach))),
            effect=Effect(customers=reach),
        )


@rule(
    "handoffs.line-crossing",
    title="Back office reaching the customer with no touchpoint",
    rationale=(
        "The line of visibility separates what the customer sees from what they do not; a flow "
        "from backstage work or a support process straight to the customer crosses it and the "
        "line of interaction at once, skipping the frontstage touchpoint that should carry the "
        "result to them (Bitner et al.). Every crossing is still counted in the figures."
    ),
    severity=Severity.WARNING,
    fix="Draw the frontstage touchpoint that carries it (a message, a call, a screen), and give it an owner.",
)
def line_crossing(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    fig = ctx.figures
    visibility = set(fig.crossings.get(LineKind.VISIBILITY, []))
    for n in fig.crossings.get(LineKind.INTERACTION, []):
        if n not in visibility:
            continue
        pair = fig.flow_actions(ctx.blueprint.flows[n])
        if pair is None:
            continue
        a, b = pair
        if a.lane not in (Lane.BACKSTAGE, Lane.SUPPORT):
            continue  # the customer starting back-office work (posting a form, say) is ordinary
        reach = fig.flow_reach(n)
        yield ctx.at_flow(
            n,
            f"`{a.label}` reaches `{b.label}` across the line of visibility with no frontstage touchpoint",
            evidence=(("customers", share(reach)),),
            effect=Effect(customers=reach),
        )


@rule(
    "handoffs.bounce",
    title="Work bouncing back and forth",
    rationale=(
        "A chain of handoffs going back and forth between the same two parties is a sign of "
        "unclear responsibility or missing information; each return trip adds a wait."
    ),
    severity=Severity.WARNING,
    fix="Give one party what it needs to finish the work in one go, or let the two work on it together.",
    options=[
        Option("min_handoffs", 3, "count", "Handoffs back and forth between two parties at which a chain is flagged.")
    ],
)
def bounce(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    fig = ctx.figures
    bp = ctx.blueprint
    handoff_of = {n: (a, b) for n, a, b in fig.handoffs}
    party = {a.id: fig.party(a) for a in bp.actions}
    by_source: dict[str, list[int]] = {}
    for n, flow in enumerate(bp.flows):
        by_source.setdefault(flow.source, []).append(n)

    def next_handoffs(action_id: str) -> list[int]:
        """Handoffs reachable from an action through flows that stay with its party."""
        own = party.get(action_id)
        seen, todo, found = {action_id}, [action_id], []
        while todo:
            for n in by_source.get(todo.pop(), []):
                target = bp.flows[n].target
                if n in handoff_of:
                    found.append(n)
                elif party.get(target) == own and target not in seen:
                    seen.add(target)
                    todo.append(target)
        return sorted(found)

    def chain(n: int, taken: frozenset[int]) -> list[int]:
        """The longest chain of alternating handoffs from ``n``, each flow used once."""
        a, b = handoff_of[n]
        best: list[int] = []
        if len(taken) < 24:
            for m in next_handoffs(bp.flows[n].target):
                if m not in taken and handoff_of[m] == (b, a):
                    longer = chain(m, taken | {m})
                    if len(longer) > len(best):
                        best = longer
        return [n, *best]

    chains = sorted((chain(n, frozenset([n])) for n in handoff_of), key=lambda c: (-len(c), c[0]))
    covered: set[int] = set()
    names = _party_names(ctx)
    for c in chains:
        if len(c) < opts["min_handoffs"] or set(c) <= covered:
            continue
        covered.update(c)
        a, b = handoff_of[c[0]]
        route = " -> ".join([bp.flows[c[0]].source, *(bp.flows[m].target for m in c)])
        yield ctx.at_flow(
            c[0],
            f"work goes back and forth {len(c)} times between {names.get(a, a)} and {names.get(b, b)}",
            evidence=(("route", route),),
            effect=Effect(customers=fig.flow_reach(c[0])),
        )


def _party_names(ctx: Context) -> dict[str, str]:
    bp = ctx.blueprint
    return {p.id: p.name for p in (*bp.roles, *bp.systems)}
