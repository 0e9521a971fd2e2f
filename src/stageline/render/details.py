"""What the interactive page shows about each action when a reader hovers over it."""

from __future__ import annotations

from collections.abc import Sequence

from stageline.layout.engine import Findings
from stageline.layout.heat import figure_rows
from stageline.layout.text import clean
from stageline.layout.view import Selection
from stageline.metrics.apply import Applied
from stageline.model import Action, Blueprint, Lane
from stageline.model.timing import Timing
from stageline.model.vocabulary import LANE_NAMES
from stageline.wording import duration, money

__all__ = ["page_info"]


def page_info(
    bp: Blueprint,
    sel: Selection,
    title: str,
    subtitle: str,
    findings: Findings | None = None,
    measured: Applied | None = None,
) -> dict[str, object]:
    """The data the HTML page needs: rows and roles to filter by, and each action's details.

    With ``measured`` figures, an action's details give the blueprint's own figures (marked
    assumed) and then the measured ones.
    """
    own = {a.id: a for a in measured.original.actions} if measured is not None else {}
    row_names = {r.id: r.name for r in bp.rows}
    lanes = {lane.value for lane in Lane}
    rows: list[list[str]] = []
    for r in sel.rows:
        rows.append([r, LANE_NAMES[Lane(r)] if r in lanes else clean(row_names.get(r, r))])
    role_names = {r.id: r.name for r in bp.roles}
    used_roles = list(dict.fromkeys(a.role for a in sel.actions if a.role))
    roles = [[r, clean(role_names.get(r, r))] for r in used_roles]
    actions = {
        a.id: {
            "label": clean(a.label),
            "lane": a.lane.value,
            "step": a.step,
            "role": a.role,
            "details": _details(bp, own.get(a.id, a), role_names, measured is not None)
            + _measured(a.id, measured)
            + _findings((findings or {}).get(a.id, ())),
        }
        for a in sel.actions
    }
    return {"title": title, "subtitle": subtitle, "lanes": rows, "roles": roles, "actions": actions}


def _measured(action_id: str, measured: Applied | None) -> list[list[str]]:
    if measured is None or action_id not in measured.metrics.actions:
        return []
    return [[name, value] for name, value in figure_rows(measured.metrics.actions[action_id], measured.kind)]


def _findings(found: Sequence[tuple[str, str]]) -> list[list[str]]:
    return [[f"Finding ({severity})", clean(message)] for severity, message in found]


def _timing(t: Timing) -> str:
    text = duration(t.expected)
    if t.tolerance is not None:
        text += f" (tolerance {duration(t.tolerance)})"
    return text


def _details(bp: Blueprint, a: Action, role_names: dict[str, str], assumed: bool = False) -> list[list[str]]:
    step = bp.step(a.step)
    out: list[list[str]] = [["Step", clean(step.name) if step else a.step], ["Lane", LANE_NAMES[a.lane]]]
    if a.description:
        out.append(["Description", clean(a.description)])
    if a.role:
        out.append(["Role", clean(role_names.get(a.role, a.role))])
    systems = {s.id: s.name for s in bp.systems}
    if a.system:
        out.append(["System", clean(systems.get(a.system, a.system))])
    if a.channel:
        out.append(["Channel", clean(a.channel)])
    if a.owner:
        out.append(["Owner", clean(role_names.get(a.owner, a.owner))])
    mark = " (assumed)" if assumed else ""
    if a.duration is not None:
        out.append([f"Duration{mark}", _timing(a.duration)])
    if a.wait is not None:
        out.append([f"Wait before{mark}", _timing(a.wait)])
    if a.cost is not None:
        out.append(["Cost", money(a.cost, bp.currency)])
    fp = a.fail_point
    if fp is not None:
        parts = [clean(x) for x in (fp.cause, fp.effect) if x]
        if fp.risk_priority is not None:
            parts.append(f"risk priority {fp.risk_priority}")
        if fp.rate is not None:
            parts.append(f"fails {fp.rate * 100:.3g}% of the time")
        out.append(["Fail point", "; ".join(parts) or "yes"])
        if fp.recovery:
            out.append(["Recovery", clean(fp.recovery)])
    if a.emotion is not None:
        out.append(["Emotion", f"{a.emotion:+g} (from -2 to +2)"])
    if a.pain_points:
        out.append(["Pain points", "; ".join(clean(p) for p in a.pain_points)])
    if a.kpis:
        kpis = []
        for k in a.kpis:
            target = f" (target {k.target:g}{' ' + clean(k.unit) if k.unit else ''})" if k.target is not None else ""
            kpis.append(clean(k.name) + target)
        out.append(["KPIs", "; ".join(kpis)])
    if a.evidence:
        out.append(["Evidence", "; ".join(clean(e) for e in a.evidence)])
    if a.segments:
        names = {s.id: s.name for s in bp.segments}
        out.append(["Segments", ", ".join(clean(names.get(s, s)) for s in a.segments)])
    if a.tags:
        out.append(["Tags", ", ".join(clean(t) for t in a.tags)])
    return out
