"""Fail points (Shostack): where the service goes wrong, ranked like an FMEA."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from stageline.analysis.registry import Context, Effect, Hit, Option, rule
from stageline.errors import Severity
from stageline.wording import share

__all__ = ["high_risk", "no_recovery", "unscored"]


@rule(
    "fail-points.no-recovery",
    title="Fail point without a recovery",
    rationale=(
        "Shostack asks for every fail point to have a fail-safe or recovery designed in; a failure "
        "with no planned recovery is improvised each time, in front of the customer."
    ),
    severity=Severity.WARNING,
    fix="Design a recovery or fail-safe and write it under `fail_point.recovery`.",
)
def no_recovery(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    for a in ctx.blueprint.actions:
        fp = a.fail_point
        if fp is None or fp.recovery:
            continue
        what = f": {fp.cause}" if fp.cause else ""
        reach = ctx.figures.reach(a.id)
        yield ctx.at(
            a,
            f"`{a.label}` can fail{what}, and no recovery is planned",
            evidence=_evidence(fp.risk_priority, reach),
            effect=Effect(customers=reach, risk=float(fp.risk_priority or 0)),
        )


@rule(
    "fail-points.high-risk",
    title="High-risk fail point",
    rationale=(
        "FMEA ranks failure modes by their risk priority number, severity x likelihood x "
        "detectability (each 1-10); the highest numbers are the first to design out."
    ),
    severity=Severity.WARNING,
    fix="Lower the likelihood (error-proof the step), detect the failure earlier, or soften its effect.",
    options=[Option("min_priority", 100, "score", "Risk priority number (1-1000) at which a fail point is flagged.")],
)
def high_risk(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    for a in ctx.blueprint.actions:
        fp = a.fail_point
        rpn = fp.risk_priority if fp else None
        if fp is None or rpn is None or rpn < opts["min_priority"]:
            continue
        reach = ctx.figures.reach(a.id)
        effect = f" ({fp.effect})" if fp.effect else ""
        yield ctx.at(
            a,
            f"`{a.label}` has a risk priority of {rpn} "
            f"(severity {fp.severity} x likelihood {fp.likelihood} x detectability {fp.detectability}){effect}",
            evidence=_evidence(rpn, reach),
            effect=Effect(customers=reach, risk=float(rpn)),
        )


@rule(
    "fail-points.unscored",
    title="Fail point that cannot be ranked",
    rationale="A fail point without severity, likelihood and detectability cannot be ranked against the others (FMEA).",
    severity=Severity.INFO,
    fix="Score the fail point's `severity`, `likelihood` and `detectability` from 1 to 10.",
)
def unscored(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    for a in ctx.blueprint.actions:
        fp = a.fail_point
        if fp is None or fp.risk_priority is not None:
            continue
        missing = [n for n in ("severity", "likelihood", "detectability") if getattr(fp, n) is None]
        yield ctx.at(
            a,
            f"the fail point at `{a.label}` has no {' or '.join(missing)}, so it cannot be ranked",
            effect=Effect(customers=ctx.figures.reach(a.id)),
        )


def _evidence(rpn: int | None, reach: float) -> tuple[tuple[str, str], ...]:
    out = [("customers reaching it", share(reach))]
    if rpn is not None:
        out.insert(0, ("risk priority", str(rpn)))
    return tuple(out)
