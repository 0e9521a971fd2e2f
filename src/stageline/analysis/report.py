"""Findings, ranked opportunities and the report that holds them, with its stable JSON shape."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from stageline.analysis.figures import Figures
from stageline.analysis.registry import Effect
from stageline.errors import Location, Problem, Severity, json_pointer
from stageline.metrics.apply import Applied
from stageline.model import Blueprint

__all__ = ["REPORT_VERSION", "Finding", "Opportunity", "Report", "figures_dict", "rank", "score"]

#: The version of the JSON shape; it changes only when a key is removed or changes meaning.
REPORT_VERSION = 1

_WEIGHT = {Severity.ERROR: 3.0, Severity.WARNING: 2.0, Severity.INFO: 1.0}


@dataclass(frozen=True)
class Finding:
    rule: str
    title: str
    severity: Severity
    message: str
    kind: str
    subject: str
    step: str | None
    path: tuple[str | int, ...]
    location: Location
    evidence: tuple[tuple[str, str], ...]
    effect: Effect
    fix: str
    score: float
    #: The reason written for accepting it, when a suppression matches.
    suppressed: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "title": self.title,
            "severity": self.severity.value,
            "message": self.message,
            "subject": {"kind": self.kind, "id": self.subject, "step": self.step},
            "location": _location(self.location),
            "pointer": json_pointer(self.path),
            "evidence": dict(self.evidence),
            "effect": self.effect.to_dict(),
            "fix": self.fix,
            "score": round(self.score, 6),
            "suppressed": self.suppressed,
        }


@dataclass(frozen=True)
class Opportunity:
    """Findings in one step (or about the whole blueprint), ranked by what fixing them is worth."""

    rank: int
    title: str
    step: str | None
    findings: tuple[Finding, ...]
    effect: Effect
    score: float

    @property
    def fixes(self) -> list[str]:
        return list(dict.fromkeys(f.fix for f in self.findings))

    def to_dict(self, numbers: dict[int, int]) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "title": self.title,
            "step": self.step,
            "score": round(self.score, 6),
            "effect": self.effect.to_dict(),
            "findings": [numbers[id(f)] for f in self.findings],
            "fixes": self.fixes,
        }


@dataclass(frozen=True)
class Report:
    blueprint: Blueprint
    figures: Figures
    #: Findings, most important first (suppressed ones left out).
    findings: tuple[Finding, ...]
    opportunities: tuple[Opportunity, ...]
    suppressed: tuple[Finding, ...] = ()
    #: Suppressions that matched nothing, and other remarks on the settings.
    notes: tuple[Problem, ...] = field(default_factory=tuple)
    #: The measured or simulated figures used in place of assumed ones, if any.
    measured: Applied | None = None

    def count(self, severity: Severity) -> int:
        return sum(1 for f in self.findings if f.severity is severity)

    def by_place(self) -> dict[str, list[tuple[str, str]]]:
        """The findings to mark on a drawing: by action id, or ``step:ID`` for steps and flows.

        Each is a (severity, message) pair, most important first; findings about a phase, a
        role or the whole blueprint have no single place and are left to the report.
        """
        out: dict[str, list[tuple[str, str]]] = {}
        for f in self.findings:
            if f.kind == "action":
                key = f.subject
            elif f.kind in ("step", "flow") and f.step:
                key = f"step:{f.step}"
            else:
                continue
            out.setdefault(key, []).append((f.severity.value, f.message))
        return out

    def fails(self, threshold: Severity | None) -> bool:
        """Whether any finding is at or above ``threshold`` (None: never)."""
        if threshold is None:
            return False
        return any(f.severity.rank >= threshold.rank for f in self.findings)

    def to_dict(self) -> dict[str, Any]:
        numbers = {id(f): i for i, f in enumerate(self.findings)}
        return {
            "stageline_report": REPORT_VERSION,
            "blueprint": {
                "title": self.blueprint.title,
                "file": self.blueprint.source.file if self.blueprint.source else None,
                "version": self.blueprint.version,
                "status": self.blueprint.status.value,
            },
            "summary": {
                "error": self.count(Severity.ERROR),
                "warning": self.count(Severity.WARNING),
                "info": self.count(Severity.INFO),
                "suppressed": len(self.suppressed),
            },
            "figures": figures_dict(self.figures, self.measured),
            "opportunities": [o.to_dict(numbers) for o in self.opportunities],
            "findings": [f.to_dict() for f in self.findings],
            "suppressed": [f.to_dict() for f in self.suppressed],
            "notes": [p.to_dict() for p in self.notes],
        }


def _location(loc: Location) -> dict[str, Any] | None:
    if not loc.line:
        return None
    return {"file": loc.file, "line": loc.line, "column": loc.column}


def figures_dict(fig: Figures, measured: Applied | None = None) -> dict[str, Any]:
    bp = fig.blueprint
    tl = fig.timeline
    ids = [a.id for a in fig.graph.actions]
    return {
        # "assumed" (the blueprint's own), or "measured"/"simulated" where a metrics file gave them
        "basis": measured.kind if measured else "assumed",
        "sources": measured.describe() if measured else None,
        "method": tl.method,
        "scenarios": tl.scenarios,
        "currency": bp.currency,
        "end_to_end_seconds": fig.end_to_end,
        "customer_felt_seconds": tl.customer_felt,
        "cost_per_customer": fig.cost_per_customer,
        "failure_cost_per_customer": sum(fig.failure_cost),
        "served_share": fig.served_share,
        "time_to_serve_seconds": tl.time_to_serve,
        "cost_per_served_customer": fig.cost_per_served,
        "critical_path": [ids[i] for i in tl.critical_path],
        "critical_path_probability": tl.critical_path_probability,
        "steps": [{"step": s.step, "time_seconds": s.time, "cost": s.cost, "reach": s.reach} for s in fig.steps],
        "phases": [{"phase": p, "time_seconds": t, "cost": c} for p, t, c in fig.phases],
        "actions": [
            {
                "action": ids[i],
                "visits": tl.visits[i],
                "reach": fig.reach(ids[i]),
                "cost": fig.action_cost[i],
                "failure_cost": fig.failure_cost[i],
            }
            for i in range(len(ids))
        ],
        "handoffs": {
            "count": len(fig.handoffs),
            "matrix": [{"from": a, "to": b, "count": n} for (a, b), n in sorted(fig.handoff_matrix.items())],
        },
        "crossings": {line.value: len(flows) for line, flows in fig.crossings.items()},
        "loops": [
            {
                "decision": ids[lp.decision],
                "probability": lp.probability,
                "round_seconds": lp.span,
                "extra_rounds": lp.extra_rounds,
                "actions": [ids[m] for m, _ in lp.members],
            }
            for lp in tl.loops
        ],
    }


def rank(findings: Sequence[Finding], bp: Blueprint) -> tuple[Opportunity, ...]:
    """Findings grouped by the step where the fix belongs, best value first."""
    groups: dict[str | None, list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.step, []).append(f)
    drafts = []
    for step, group in groups.items():
        items = sorted(group, key=lambda f: -f.score)
        effect = Effect(
            time=sum(f.effect.time for f in items),
            cost=sum(f.effect.cost for f in items),
            customers=max(f.effect.customers for f in items),
            risk=sum(f.effect.risk for f in items),
        )
        score = sum(f.score for f in items)
        titles = list(dict.fromkeys(_lower_first(f.title) for f in items))
        about = ", ".join(titles[:3]) + (f" and {len(titles) - 3} more" if len(titles) > 3 else "")
        s = bp.step(step) if step else None
        where = f"Step `{s.name}`" if s else "The whole blueprint"
        drafts.append((score, step, items, effect, f"{where}: {about}"))
    drafts.sort(key=lambda d: (-d[0], d[1] or ""))
    return tuple(
        Opportunity(i + 1, title, step, tuple(items), effect, score)
        for i, (score, step, items, effect, title) in enumerate(drafts)
    )


def _lower_first(title: str) -> str:
    """``Critical step without a KPI`` -> ``critical step without a KPI``."""
    return title[:1].lower() + title[1:]


def score(severity: Severity, effect: Effect, fig: Figures) -> float:
    """How much fixing a finding is worth: severity x customers touched x (1 + time, cost and risk shares)."""
    customers = max(effect.customers, 0.05)
    time = effect.time / fig.end_to_end if fig.end_to_end > 0 else 0.0
    cost = effect.cost / fig.cost_per_customer if fig.cost_per_customer > 0 else 0.0
    return _WEIGHT[severity] * customers * (1.0 + min(time, 1.0) + min(cost, 1.0) + effect.risk / 1000.0)
