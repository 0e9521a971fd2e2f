"""Profitability (Shostack): cost per step, per phase and per customer."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from stageline.analysis.registry import Context, Effect, Hit, Option, rule
from stageline.errors import Severity
from stageline.wording import money, share

__all__ = ["costly_step", "failure", "unpriced"]


@rule(
    "cost.costly-step",
    title="Step that carries much of the cost",
    rationale=(
        "Shostack's profitability view prices each step; the expected cost per customer, with "
        "branch probabilities and rework, shows where the money goes."
    ),
    severity=Severity.INFO,
    fix="Check whether the step's work can be automated, moved off the critical path or done once instead of twice.",
    options=[Option("min_share", 0.25, "share", "Share of the cost per customer at which a step is flagged.")],
)
def costly_step(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    fig = ctx.figures
    total = fig.cost_per_customer
    if total <= 0:
        return
    currency = ctx.blueprint.currency
    for sf in fig.steps:
        part = sf.cost / total
        if part < opts["min_share"]:
            continue
        yield ctx.at_step(
            sf.step,
            f"step `{ctx.step_name(sf.step)}` costs {money(sf.cost, currency)} per customer, "
            f"{share(part)} of {money(total, currency)}",
            evidence=(
                ("expected cost in step", money(sf.cost, currency)),
                ("cost per customer", money(total, currency)),
            ),
            effect=Effect(cost=sf.cost, customers=sf.reach),
        )


@rule(
    "cost.failure",
    title="Costly failures",
    rationale=(
        "Shostack prices failure as well as work: a fail point's rate x the cost of one failure x "
        "how often the action happens is what its failures cost per customer."
    ),
    severity=Severity.WARNING,
    fix="Cut the failure rate at its cause, or catch the failure before it costs the most.",
    options=[
        Option("min_share", 0.05, "share", "Share of the cost per customer at which a fail point's cost is flagged.")
    ],
)
def failure(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    fig = ctx.figures
    total = fig.cost_per_customer
    if total <= 0:
        return
    currency = ctx.blueprint.currency
    for i, a in enumerate(fig.graph.actions):
        expected = fig.failure_cost[i]
        if expected <= 0 or expected / total < opts["min_share"]:
            continue
        fp = a.fail_point
        assert fp is not None and fp.rate is not None and fp.cost is not None
        yield ctx.at(
            a,
            f"failures at `{a.label}` cost {money(expected, currency)} per customer, "
            f"{share(expected / total)} of the cost per customer",
            evidence=(
                ("failure rate", share(fp.rate)),
                ("cost of one failure", money(fp.cost, currency)),
                ("customers reaching it", share(fig.reach(a.id))),
            ),
            effect=Effect(cost=expected, customers=fig.reach(a.id), risk=float(fp.risk_priority or 0)),
        )


@rule(
    "cost.unpriced",
    title="Staff work without a cost",
    rationale="Cost per customer is only as complete as the prices behind it (Shostack's profitability view).",
    severity=Severity.INFO,
    fix="Give the action a `cost` per occurrence (staff time x rate, fees, materials).",
)
def unpriced(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    bp = ctx.blueprint
    if not any(a.cost for a in bp.actions):
        return
    for a in bp.actions:
        if a.cost is None and a.role and a.duration and a.duration.expected > 0:
            yield ctx.at(
                a,
                f"`{a.label}` takes staff time but has no cost, so the cost per customer leaves it out",
                effect=Effect(customers=ctx.figures.reach(a.id)),
            )
