"""From the model back to the shape people write: shorthand wherever it says the same thing.

Ids that Stageline would derive anyway are left out, a step's lone action is written as its
label, flows as ``a -> b``. Reading the result gives back an equal blueprint.
"""

from __future__ import annotations

from typing import Any

from stageline.formats import simdoc as sd
from stageline.formats.flowtext import can_format, format_flow
from stageline.model import (
    Action,
    ActivityMatch,
    AnalysisSettings,
    Blueprint,
    FailPoint,
    Flow,
    Lane,
    LineKind,
    Link,
    Step,
    Timing,
    View,
    derived_action_id,
    slugify,
)
from stageline.model.ids import humanize
from stageline.model.rows import bottom_row
from stageline.model.simulation import Arrivals, Distribution, Resource, Scenario, SimAction, SimulationSettings
from stageline.model.timing import format_duration, format_timing

__all__ = ["simulation_document", "to_document"]


def _put(out: dict[str, Any], key: str, value: Any) -> None:
    if value is None or (isinstance(value, (list, dict, tuple)) and not value):
        return
    out[key] = value


def _named(item: Any, with_description: bool = True) -> Any:
    """A segment, role, system or phase: just its name when the id is derived from it."""
    derived = slugify(item.name) == item.id
    if derived and getattr(item, "description", None) is None:
        return item.name
    out: dict[str, Any] = {}
    if not derived:
        out["id"] = item.id
    out["name"] = item.name
    if with_description:
        _put(out, "description", item.description)
    return out


def _link(link: Link) -> Any:
    return link.url if link.title is None else {"url": link.url, "title": link.title}


def _timing(t: Timing | None) -> str | None:
    return None if t is None else format_timing(t)


def _fail_point(fp: FailPoint | None) -> Any:
    if fp is None:
        return None
    fields = ("cause", "effect", "likelihood", "severity", "detectability", "recovery")
    values = {f: getattr(fp, f) for f in fields if getattr(fp, f) is not None}
    if fp.rate is not None:
        values["rate"] = _share(fp.rate)
    if fp.cost is not None:
        values["cost"] = _number(fp.cost)
    if list(values) == ["cause"]:
        return fp.cause
    if not values:
        return {}
    return values


def _activity(m: ActivityMatch) -> Any:
    if m.name is not None and m.glob is None and m.regex is None and m.lifecycle is None:
        return m.name
    out: dict[str, Any] = {}
    for key in ("name", "glob", "regex", "lifecycle"):
        _put(out, key, getattr(m, key))
    return out


def _share(value: float) -> str | float | int:
    """A share as a percentage (``7%``) when that reads back exactly, else as a number."""
    text = f"{value * 100:g}"
    return f"{text}%" if "e" not in text and float(text) / 100 == value else _number(value)


def _number(value: float) -> float | int:
    return int(value) if value == int(value) and abs(value) < 2**53 else value


def _action(a: Action, derived: bool) -> Any:
    out: dict[str, Any] = {}
    if not derived:
        out["id"] = a.id
    out["label"] = a.label
    for key in ("description", "role", "channel", "system", "owner"):
        _put(out, key, getattr(a, key))
    _put(out, "segments", list(a.segments))
    _put(out, "duration", _timing(a.duration))
    _put(out, "wait", _timing(a.wait))
    _put(out, "cost", None if a.cost is None else _number(a.cost))
    fp = _fail_point(a.fail_point)
    if fp is not None:
        out["fail_point"] = fp
    _put(out, "emotion", None if a.emotion is None else _number(a.emotion))
    _put(out, "pain_points", list(a.pain_points))
    kpis: list[Any] = []
    for k in a.kpis:
        if k.target is None and k.unit is None:
            kpis.append(k.name)
        else:
            kpi: dict[str, Any] = {"name": k.name}
            _put(kpi, "target", None if k.target is None else _number(k.target))
            _put(kpi, "unit", k.unit)
            kpis.append(kpi)
    _put(out, "kpis", kpis)
    _put(out, "evidence", list(a.evidence))
    _put(out, "tags", list(a.tags))
    _put(out, "links", [_link(x) for x in a.links])
    _put(out, "activities", [_activity(x) for x in a.activities])
    return a.label if list(out) == ["label"] else out


def _step(bp: Blueprint, s: Step, actions: list[Action]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if s.name == humanize(s.id):
        out["id"] = s.id  # the name is derived from the id
    elif slugify(s.name) == s.id:
        out["name"] = s.name  # the id is derived from the name
    else:
        out["id"] = s.id
        out["name"] = s.name
    for key in ("phase", "time", "description"):
        _put(out, key, getattr(s, key))
    for lane in Lane:
        cell = [a for a in actions if a.lane is lane]
        if not cell:
            continue
        written = []
        auto = 0
        for a in cell:
            derived = a.id == derived_action_id(s.id, lane.value, auto)
            written.append(_action(a, derived))
            if derived:
                auto += 1
        out[lane.value] = written[0] if len(written) == 1 else written
    if s.cells:
        out["rows"] = {row: list(texts) for row, texts in s.cells}
    return out


def _flow(f: Flow) -> Any:
    if can_format(f):
        text = format_flow(f)
        if f.label is None:
            return text
        # `- a -> b: label` reads in YAML as a mapping of one key; write it that way, unquoted
        head, _, label = text.partition(": ")
        return {head: label}
    out: dict[str, Any] = {"from": f.source, "to": f.target}
    if f.kind.value != "dependency":
        out["kind"] = f.kind.value
    _put(out, "label", f.label)
    _put(out, "probability", f.probability)
    return out


def _view(v: View) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if slugify(v.name) != v.id:
        out["id"] = v.id
    out["name"] = v.name
    _put(out, "description", v.description)
    _put(out, "lanes", [lane.value for lane in v.lanes])
    for key in ("rows", "phases", "segments", "roles", "tags", "highlight"):
        _put(out, key, list(getattr(v, key)))
    if v.zoom != "detail":
        out["zoom"] = v.zoom
    return out


def to_document(bp: Blueprint) -> dict[str, Any]:
    """The blueprint as plain data in the file's shape, ready for YAML or JSON."""
    out: dict[str, Any] = {"stageline": 1, "title": bp.title}
    for key in ("service", "description", "owner"):
        _put(out, key, getattr(bp, key))
    if bp.status.value != "as-is":
        out["status"] = bp.status.value
    _put(out, "version", bp.version)
    _put(out, "date", bp.date)
    _put(out, "currency", bp.currency)
    _put(out, "segments", [_named(s) for s in bp.segments])
    _put(out, "roles", [_named(r) for r in bp.roles])
    _put(out, "systems", [_named(s) for s in bp.systems])
    _put(out, "phases", [_named(p) for p in bp.phases])
    rows = []
    for r in bp.rows:
        item = _named(r)
        if r.after is not None:
            item = {**item, "after": r.after} if isinstance(item, dict) else {"name": r.name, "after": r.after}
        rows.append(item)
    _put(out, "rows", rows)
    if bp.lines:
        lines: dict[str, Any] = {}
        defaults = {LineKind.ORDER_PENETRATION: Lane.SUPPORT.value, LineKind.IMPLEMENTATION: bottom_row(bp.rows)}
        for line in bp.lines:
            lines[line.kind.value.replace("-", "_")] = True if line.below == defaults[line.kind] else line.below
        out["lines"] = lines
    by_step: dict[str, list[Action]] = {}
    for a in bp.actions:
        by_step.setdefault(a.step, []).append(a)
    _put(out, "steps", [_step(bp, s, by_step.get(s.id, [])) for s in bp.steps])
    _put(out, "flows", [_flow(f) for f in bp.flows])
    _put(out, "views", [_view(v) for v in bp.views])
    if bp.styles:
        styles: dict[str, Any] = {}
        for st in bp.styles:
            style: dict[str, Any] = {}
            for key in ("fill", "stroke", "text", "dashed", "bold"):
                _put(style, key, getattr(st, key))
            styles[st.tag] = style
        out["styles"] = styles
    _put(out, "notes", list(bp.notes))
    _put(out, "links", [_link(x) for x in bp.links])
    if bp.analysis is not None:
        out["analysis"] = _analysis(bp.analysis)
    if bp.simulation is not None:
        out["simulation"] = simulation_document(bp.simulation)
    return out


def _analysis(settings: AnalysisSettings) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put(out, "served", list(settings.served))
    rules: dict[str, Any] = {}
    for r in settings.rules:
        if not r.options and r.severity is not None:
            rules[r.rule] = r.severity
            continue
        config: dict[str, Any] = {} if r.severity is None else {"severity": r.severity}
        for key, value in r.options:
            config[key] = _number(value) if isinstance(value, float) else value
        rules[r.rule] = config
    _put(out, "rules", rules)
    ignore = []
    for x in settings.ignore:
        item = {"rule": x.rule}
        _put(item, "subject", x.subject)
        item["reason"] = x.reason
        ignore.append(item)
    _put(out, "ignore", ignore)
    return out


def simulation_document(settings: SimulationSettings) -> dict[str, Any]:
    """The ``simulation:`` key (or a simulation side file) as plain data: text forms wherever they say it all."""
    out: dict[str, Any] = {}
    if settings.arrivals is not None:
        out["arrivals"] = _arrivals(settings.arrivals)
    _put(out, "horizon", _duration(settings.horizon))
    _put(out, "customers", settings.customers)
    _put(out, "warmup", _duration(settings.warmup))
    _put(out, "replications", settings.replications)
    _put(out, "seed", settings.seed)
    _put(out, "patience", _distribution(settings.patience))
    _put(out, "resources", {r.id: _resource(r) for r in settings.resources})
    _put(out, "actions", {a.id: _sim_action(a) for a in settings.actions})
    _put(out, "scenarios", [_scenario(s) for s in settings.scenarios])
    return out


def _duration(seconds: float | None) -> str | None:
    return None if seconds is None else format_duration(seconds)


def _distribution(dist: Distribution | None) -> str | None:
    return None if dist is None else sd.format_distribution(dist)


def _arrivals(a: Arrivals) -> Any:
    if a.rate is not None and not a.profile and not a.replay:
        return sd.format_rate(a.rate)
    out: dict[str, Any] = {}
    _put(out, "rate", None if a.rate is None else sd.format_rate(a.rate))
    profile = [
        {
            "from": sd.format_time_of_day(w.start),
            "to": sd.format_time_of_day(w.end),
            "rate": sd.format_rate(w.rate),
        }
        for w in a.profile
    ]
    _put(out, "profile", profile)
    if a.replay:
        out["replay"] = True
    return out


def _resource(r: Resource) -> Any:
    if r.cost is None and not r.shifts:
        return r.capacity
    out: dict[str, Any] = {}
    if not r.shifts or r.capacity != max(s.capacity for s in r.shifts):
        out["capacity"] = r.capacity
    _put(out, "cost", None if r.cost is None else sd.format_rate(r.cost))
    shifts = [
        {"from": sd.format_time_of_day(s.start), "to": sd.format_time_of_day(s.end), "capacity": s.capacity}
        for s in r.shifts
    ]
    _put(out, "shifts", shifts)
    return out


def _sim_action(a: SimAction) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put(out, "duration", _distribution(a.duration))
    _put(out, "resource", a.resource)
    _put(out, "patience", _distribution(a.patience))
    _put(out, "delay", _distribution(a.delay))
    return out


def _scenario(s: Scenario) -> dict[str, Any]:
    out: dict[str, Any] = {"name": s.name}
    _put(out, "description", s.description)
    _put(out, "staff", {rid: sd.format_staff(n, relative) for rid, n, relative in s.staff})
    durations: dict[str, Any] = {aid: sd.format_distribution(d) for aid, d in s.durations}
    durations.update((aid, sd.format_scale(f)) for aid, f in s.scale)
    _put(out, "durations", durations)
    _put(out, "automate", list(s.automate))
    _put(out, "remove", list(s.remove))
    _put(out, "move", [{"step": m.step, "after": m.after} for m in s.move])
    _put(out, "odds", {f"{a} -> {b}": _share(p) for a, b, p in s.odds})
    if s.rate is not None and s.rate_scale is not None:
        out["arrivals"] = {"rate": sd.format_rate(s.rate), "scale": _number(s.rate_scale)}
    elif s.rate is not None:
        out["arrivals"] = sd.format_rate(s.rate)
    elif s.rate_scale is not None:
        out["arrivals"] = sd.format_scale(s.rate_scale)
    return out
