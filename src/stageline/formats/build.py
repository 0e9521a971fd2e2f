"""From a parsed document to the model: shapes checked by pydantic, then ids, durations and flows.

Everything found wrong is collected, located through the :class:`SourceMap`, and raised at once.
The builder also records where in the file each model object came from, so that the checks in
:mod:`stageline.validate` can point at the line.
"""

from __future__ import annotations

import itertools
import re
import types
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pydantic

from stageline.errors import Problem, did_you_mean
from stageline.formats import document as d
from stageline.formats import simdoc as sd
from stageline.formats.flowtext import FlowSyntaxError, parse_flow
from stageline.formats.tree import Path, SourceMap
from stageline.model import (
    Action,
    ActivityMatch,
    AnalysisSettings,
    Blueprint,
    FailPoint,
    Flow,
    FlowKind,
    Kpi,
    Lane,
    LineKind,
    Link,
    OptionalLine,
    Party,
    Phase,
    Row,
    RuleSetting,
    Segment,
    Status,
    Step,
    Style,
    Suppression,
    Timing,
    View,
    derived_action_id,
    slugify,
)
from stageline.model.ids import humanize
from stageline.model.rows import bottom_row
from stageline.model.simulation import (
    DISTRIBUTIONS,
    Arrivals,
    Distribution,
    Move,
    RateWindow,
    Resource,
    Scenario,
    Shift,
    SimAction,
    SimulationSettings,
)
from stageline.model.timing import format_duration, parse_duration, parse_timing
from stageline.model.vocabulary import LANE_ALIASES

__all__ = ["Origins", "analysis_settings", "build", "simulation_settings", "translate_errors"]

#: Where each model object came from: model path (``("actions", 7)``) -> document path.
Origins = dict[tuple[str, int], Path]

_LANE_KEYS = [lane.value for lane in Lane]
_T = TypeVar("_T")


@dataclass
class _Builder:
    smap: SourceMap
    problems: list[Problem] = field(default_factory=list)
    origins: Origins = field(default_factory=dict)

    def problem(self, path: Path, code: str, message: str, hint: str | None = None, key: bool = False) -> None:
        self.problems.append(Problem(code, message, location=self.smap.locate(path, key=key), path=path, hint=hint))

    # --- small pieces -----------------------------------------------------------------------

    def ident(self, explicit: str | None, name: str | None, path: Path, what: str) -> str:
        if explicit:
            return explicit
        slug = slugify(name or "")
        if not slug:
            self.problem(path, "id.missing", f"cannot make an id for this {what} from its name; give it an `id`")
            return f"{what}-{len(self.problems)}"
        return slug

    def timing(self, value: str | d.TimingDoc | None, path: Path) -> Timing | None:
        if value is None:
            return None
        try:
            if isinstance(value, str):
                return parse_timing(value)
            expected = parse_duration(value.expected)
        except ValueError as exc:
            hint = f"add a unit, e.g. `{value} min`" if isinstance(value, str) and _is_number(value) else None
            self.problem(path, "value.duration", str(exc), hint)
            return None
        tolerance = None
        if value.tolerance is not None:
            try:
                tolerance = parse_duration(value.tolerance)
            except ValueError as exc:
                self.problem((*path, "tolerance"), "value.duration", str(exc))
        return Timing(expected, tolerance)

    def items(self, values: Sequence[Any], path: Path, make: Callable[[Any, Path], Any]) -> tuple[Any, ...]:
        return tuple(make(v, (*path, i)) for i, v in enumerate(values))

    # --- parts ------------------------------------------------------------------------------

    def link(self, v: str | d.LinkDoc, path: Path) -> Link:
        return Link(url=v) if isinstance(v, str) else Link(url=v.url, title=v.title)

    def named(self, kind: type[Any], what: str) -> Callable[[Any, Path], Any]:
        def make(v: Any, path: Path) -> Any:
            if isinstance(v, str):
                return kind(id=self.ident(None, v, path, what), name=v)
            return kind(id=self.ident(v.id, v.name, path, what), name=v.name, description=v.description)

        return make

    def row(self, v: str | d.RowDoc, path: Path) -> Row:
        if isinstance(v, str):
            return Row(id=self.ident(None, v, path, "row"), name=v)
        return Row(id=self.ident(v.id, v.name, path, "row"), name=v.name, description=v.description, after=v.after)

    def activity(self, v: str | d.ActivityDoc, path: Path) -> ActivityMatch:
        if isinstance(v, str):
            return ActivityMatch(name=v)
        given = [k for k in ("name", "glob", "regex") if getattr(v, k) is not None]
        if len(given) != 1:
            self.problem(path, "value.activity", "an activity needs exactly one of `name`, `glob` or `regex`")
        if v.regex is not None:
            try:
                re.compile(v.regex)
            except re.error as exc:
                self.problem((*path, "regex"), "value.regex", f"not a valid regular expression: {exc}")
        return ActivityMatch(name=v.name, glob=v.glob, regex=v.regex, lifecycle=v.lifecycle)

    def action(self, v: str | d.ActionDoc, step: str, lane: Lane, auto: int, path: Path) -> Action:
        if isinstance(v, str):
            return Action(id=derived_action_id(step, lane.value, auto), step=step, lane=lane, label=v)
        fp = v.fail_point
        fail_point = (
            None
            if fp is None
            else FailPoint(cause=fp)
            if isinstance(fp, str)
            else FailPoint(
                cause=fp.cause,
                effect=fp.effect,
                likelihood=fp.likelihood,
                severity=fp.severity,
                detectability=fp.detectability,
                recovery=fp.recovery,
                rate=fp.rate,
                cost=fp.cost,
            )
        )
        return Action(
            id=v.id or derived_action_id(step, lane.value, auto),
            step=step,
            lane=lane,
            label=v.label,
            description=v.description,
            role=v.role,
            channel=v.channel,
            system=v.system,
            owner=v.owner,
            segments=tuple(v.segments),
            duration=self.timing(v.duration, (*path, "duration")),
            wait=self.timing(v.wait, (*path, "wait")),
            cost=v.cost,
            fail_point=fail_point,
            emotion=v.emotion,
            pain_points=tuple(v.pain_points),
            kpis=tuple(
                Kpi(name=k) if isinstance(k, str) else Kpi(name=k.name, target=k.target, unit=k.unit) for k in v.kpis
            ),
            evidence=tuple(v.evidence),
            tags=tuple(v.tags),
            links=self.items(v.links, (*path, "links"), self.link),
            activities=self.items(v.activities, (*path, "activities"), self.activity),
        )

    def step(self, s: d.StepDoc, path: Path, actions: list[Action]) -> Step:
        if s.id is None and s.name is None:
            self.problem(path, "step.unnamed", "a step needs a `name` or an `id`")
            sid = f"step-{path[-1]}"
        else:
            sid = self.ident(s.id, s.name, path, "step")
        name = s.name if s.name is not None else humanize(sid)
        for lane in Lane:
            cell = getattr(s, lane.value)
            if cell is None:
                continue
            lane_path = (*path, lane.value)
            entries = (
                [(cell, lane_path)]
                if not isinstance(cell, list)
                else [(c, (*lane_path, i)) for i, c in enumerate(cell)]
            )
            auto = 0
            for entry, entry_path in entries:
                action = self.action(entry, sid, lane, auto, entry_path)
                if isinstance(entry, str) or entry.id is None:
                    auto += 1
                self.origins[("actions", len(actions))] = entry_path
                actions.append(action)
        cells = tuple((row, tuple(texts)) for row, texts in s.rows.items())
        return Step(id=sid, name=name, phase=s.phase, time=s.time, description=s.description, cells=cells)

    def flows(self, v: str | d.FlowDoc, path: Path, out: list[Flow]) -> None:
        if isinstance(v, str):
            try:
                made = parse_flow(v)
            except FlowSyntaxError as exc:
                self.problem(path, "flow.syntax", str(exc))
                return
        else:
            made = [
                Flow(source=v.source, target=v.target, kind=FlowKind(v.kind), label=v.label, probability=v.probability)
            ]
        for flow in made:
            self.origins[("flows", len(out))] = path
            out.append(flow)

    def lines(self, v: d.LinesDoc | None, rows: Sequence[Row]) -> tuple[OptionalLine, ...]:
        if v is None:
            return ()
        out = []
        bottom = bottom_row(rows)
        for kind, value, default in (
            (LineKind.ORDER_PENETRATION, v.order_penetration, Lane.SUPPORT.value),
            (LineKind.IMPLEMENTATION, v.implementation, bottom),
        ):
            if value is None or value is False:
                continue
            out.append(OptionalLine(kind=kind, below=default if value is True else str(value)))
        return tuple(out)

    def view(self, v: d.ViewDoc, path: Path) -> View:
        return View(
            id=self.ident(v.id, v.name, path, "view"),
            name=v.name,
            description=v.description,
            lanes=tuple(Lane(x) for x in v.lanes),
            rows=tuple(v.rows),
            phases=tuple(v.phases),
            segments=tuple(v.segments),
            roles=tuple(v.roles),
            tags=tuple(v.tags),
            highlight=tuple(v.highlight),
            zoom=v.zoom,
        )

    def blueprint(self, doc: d.BlueprintDoc) -> Blueprint:
        actions: list[Action] = []
        steps = []
        for i, s in enumerate(doc.steps):
            self.origins[("steps", i)] = ("steps", i)
            steps.append(self.step(s, ("steps", i), actions))
        flows: list[Flow] = []
        for i, f in enumerate(doc.flows):
            self.flows(f, ("flows", i), flows)
        rows = self.items(doc.rows, ("rows",), self.row)
        for name in ("segments", "roles", "systems", "phases", "rows", "views"):
            for i in range(len(getattr(doc, name))):
                self.origins[(name, i)] = (name, i)
        styles = tuple(
            Style(tag=tag, fill=s.fill, stroke=s.stroke, text=s.text, dashed=s.dashed, bold=s.bold)
            for tag, s in doc.styles.items()
        )
        for i, tag in enumerate(doc.styles):
            self.origins[("styles", i)] = ("styles", tag)
        return Blueprint(
            title=doc.title,
            service=doc.service,
            description=doc.description,
            owner=doc.owner,
            status=Status(doc.status),
            version=doc.version,
            date=doc.date,
            currency=doc.currency,
            segments=self.items(doc.segments, ("segments",), self.named(Segment, "segment")),
            roles=self.items(doc.roles, ("roles",), self.named(Party, "role")),
            systems=self.items(doc.systems, ("systems",), self.named(Party, "system")),
            phases=self.items(doc.phases, ("phases",), self.named(Phase, "phase")),
            steps=tuple(steps),
            rows=rows,
            lines=self.lines(doc.lines, rows),
            actions=tuple(actions),
            flows=tuple(flows),
            views=self.items(doc.views, ("views",), self.view),
            styles=styles,
            notes=tuple(doc.notes),
            links=self.items(doc.links, ("links",), self.link),
            analysis=None if doc.analysis is None else analysis_settings(doc.analysis),
            simulation=None if doc.simulation is None else self.simulation(doc.simulation, ("simulation",)),
        )

    # --- simulation settings ----------------------------------------------------------------

    def read(self, text: str | None, path: Path, parse: Callable[[str], _T], code: str, key: bool = False) -> _T | None:
        """``parse(text)``, or None with the problem reported at ``path`` (at its key, with ``key``)."""
        if text is None:
            return None
        try:
            return parse(text)
        except ValueError as exc:
            self.problem(path, code, str(exc), getattr(exc, "hint", None), key=key)
            return None

    def item(self, path: Path, i: int) -> Path:
        """The path of a list's item: a lone item written without its list stands at the list's path."""
        if i == 0 and (*path, 0) not in self.smap.values and path in self.smap.values:
            return path
        return (*path, i)

    def duration(self, text: str | None, path: Path) -> float | None:
        if text is None:
            return None
        try:
            return parse_duration(text)
        except ValueError as exc:
            hint = f"add a unit, e.g. `{text} min`" if _is_number(text) else None
            self.problem(path, "value.duration", str(exc), hint)
            return None

    def misspelt(self, path: Path, model: type[pydantic.BaseModel]) -> bool:
        """Whether the mapping at ``path`` has a key ``model`` does not know (already reported)."""
        known = {f.alias or name for name, f in model.model_fields.items()}
        return any(len(k) == len(path) + 1 and k[:-1] == path and k[-1] not in known for k in self.smap.keys)

    def distribution(self, v: str | sd.DistributionDoc | None, path: Path) -> Distribution | None:
        if v is None:
            return None
        if isinstance(v, str):
            return self.read(v, path, sd.parse_distribution, "value.distribution")
        kind = v.distribution
        takes = DISTRIBUTIONS[kind]
        values: dict[str, float] = {}
        sound = True
        for name in sd.PARAMETERS:
            text = getattr(v, name)
            if text is None:
                continue
            if name not in takes:
                self.problem(
                    (*path, name),
                    "value.distribution",
                    f"{sd.article(kind)} distribution takes {sd.parameters_taken(kind)}; leave out `{name}`",
                    key=True,
                )
                sound = False
                continue
            secs = self.duration(text, (*path, name))
            if secs is None:
                sound = False
            else:
                values[name] = secs
        missing = [name for name in takes if getattr(v, name) is None]
        if missing and not self.misspelt(path, sd.DistributionDoc):  # a misspelt key is reported already
            example = ", ".join(f"{k}: {x}" for k, x in _EXAMPLE_PARAMETERS[kind].items())
            self.problem(
                path,
                "value.distribution",
                f"{sd.article(kind)} distribution needs {sd.listed(missing)}",
                f"such as `{{distribution: {kind}, {example}}}`",
            )
        if missing or not sound:
            return None
        dist = sd.make_distribution(kind, values)
        try:
            sd.check_distribution(dist)
        except sd.FormError as exc:
            self.problem(path, "value.distribution", str(exc), exc.hint)
            return None
        return dist

    def simulation(self, doc: sd.SimulationDoc, path: Path) -> SimulationSettings:
        horizon = self.duration(doc.horizon, (*path, "horizon"))
        warmup = self.duration(doc.warmup, (*path, "warmup"))
        if horizon == 0:
            self.problem(
                (*path, "horizon"), "simulation.horizon", "a horizon of 0 s simulates nothing", "such as `8 h`"
            )
        if doc.horizon is not None and doc.customers is not None:
            self.problem(
                (*path, "customers"),
                "simulation.horizon",
                "give either `horizon` (how long to simulate) or `customers` (how many), not both",
                key=True,
            )
        if horizon and warmup is not None and warmup >= horizon:
            self.problem(
                (*path, "warmup"),
                "simulation.warmup",
                f"the warm-up ({format_duration(warmup)}) is not shorter than the horizon ({format_duration(horizon)}): "
                "nothing would be measured",
            )
        resources = tuple(self.resource(rid, value, (*path, "resources", rid)) for rid, value in doc.resources.items())
        actions = tuple(self.sim_action(aid, value, (*path, "actions", aid)) for aid, value in doc.actions.items())
        scenarios = []
        named: dict[str, Path] = {}
        for i, s in enumerate(doc.scenarios):
            at = self.item((*path, "scenarios"), i)
            first = named.setdefault(s.name, at)
            if first != at:
                self.problem(
                    (*at, "name"),
                    "simulation.scenario",
                    f"a second scenario named `{s.name}` (the first is at line {self.smap.locate(first).line})",
                    "give each scenario its own name",
                )
            scenarios.append(self.scenario(s, at))
        return SimulationSettings(
            arrivals=None if doc.arrivals is None else self.arrivals(doc.arrivals, (*path, "arrivals")),
            horizon=horizon,
            customers=doc.customers,
            warmup=warmup,
            replications=doc.replications,
            seed=doc.seed,
            patience=self.distribution(doc.patience, (*path, "patience")),
            resources=resources,
            actions=actions,
            scenarios=tuple(scenarios),
            where=self.smap.locate(path),
        )

    def arrivals(self, v: str | sd.ArrivalsDoc, path: Path) -> Arrivals:
        where = self.smap.locate(path)
        if isinstance(v, str):
            return Arrivals(rate=self.read(v, path, sd.parse_rate, "value.rate"), where=where)
        windows: list[tuple[RateWindow, Path]] = []
        for i, w in enumerate(v.profile):
            at = self.item((*path, "profile"), i)
            start = self.read(w.start, (*at, "from"), sd.parse_time_of_day, "value.time")
            end = self.read(w.end, (*at, "to"), _end_of_day, "value.time")
            rate = self.read(w.rate, (*at, "rate"), sd.parse_rate, "value.rate")
            if start is None or end is None or rate is None:
                continue
            if end <= start:
                self.problem(
                    at,
                    "simulation.window",
                    f"a window of the profile must end after it starts, got `{w.start}` to `{w.end}`",
                    "split a window over midnight in two: up to `24:00` and from `00:00`",
                )
                continue
            windows.append((RateWindow(start=start, end=end, rate=rate), at))
        ordered = sorted(windows, key=lambda x: (x[0].start, x[0].end))
        for (before, _), (after, at) in itertools.pairwise(ordered):
            if after.start < before.end:
                self.problem(
                    at,
                    "simulation.window",
                    f"the window from {sd.format_time_of_day(after.start)} to {sd.format_time_of_day(after.end)} "
                    f"overlaps the one from {sd.format_time_of_day(before.start)} to "
                    f"{sd.format_time_of_day(before.end)}",
                    "give each time of day one rate",
                )
        return Arrivals(
            rate=self.read(v.rate, (*path, "rate"), sd.parse_rate, "value.rate"),
            profile=tuple(w for w, _ in windows),
            replay=v.replay,
            where=where,
        )

    def resource(self, rid: str, v: int | sd.ResourceDoc, path: Path) -> Resource:
        where = self.smap.locate(path, key=True)
        if isinstance(v, int):
            return Resource(id=rid, capacity=v, where=where)
        shifts = []
        for i, s in enumerate(v.shifts):
            at = self.item((*path, "shifts"), i)
            start = self.read(s.start, (*at, "from"), sd.parse_time_of_day, "value.time")
            end = self.read(s.end, (*at, "to"), _end_of_day, "value.time")
            if start is None or end is None:
                continue
            if start == end:
                self.problem(
                    at,
                    "simulation.shift",
                    f"a shift must end at another time than it starts, got `{s.start}` to `{s.end}`",
                    "a shift round the clock is `00:00` to `24:00`",
                )
            shifts.append(Shift(start=start, end=end, capacity=s.capacity))
        capacity = v.capacity
        if capacity is None:
            if v.shifts:
                capacity = max(s.capacity for s in v.shifts)
            elif self.misspelt(path, sd.ResourceDoc):  # `capacty: 2`, reported already
                capacity = 0
            else:
                self.problem(
                    path,
                    "simulation.capacity",
                    f"resource `{rid}` needs a `capacity` (how many can work at once) or `shifts`",
                    "such as `capacity: 2`",
                    key=True,
                )
                capacity = 0
        return Resource(
            id=rid,
            capacity=capacity,
            cost=self.read(v.cost, (*path, "cost"), sd.parse_cost, "value.cost"),
            shifts=tuple(shifts),
            where=where,
        )

    def sim_action(self, aid: str, v: sd.SimActionDoc, path: Path) -> SimAction:
        return SimAction(
            id=aid,
            duration=self.distribution(v.duration, (*path, "duration")),
            resource=v.resource,
            patience=self.distribution(v.patience, (*path, "patience")),
            delay=self.distribution(v.delay, (*path, "delay")),
            where=self.smap.locate(path, key=True),
        )

    def scenario(self, v: sd.ScenarioDoc, path: Path) -> Scenario:
        staff = []
        for rid, text in v.staff.items():
            found = self.read(text, (*path, "staff", rid), sd.parse_staff, "value.staff")
            if found is not None:
                staff.append((rid, *found))
        durations: list[tuple[str, Distribution]] = []
        scale: list[tuple[str, float]] = []
        for aid, value in v.durations.items():
            at = (*path, "durations", aid)
            if isinstance(value, str):
                try:
                    factor = sd.parse_scale(value)
                except sd.FormError as exc:
                    self.problem(at, "value.scale", str(exc), exc.hint)
                    continue
                if factor is not None:
                    scale.append((aid, factor))
                    continue
            dist = self.distribution(value, at)
            if dist is not None:
                durations.append((aid, dist))
        odds = []
        for flow, share in v.odds.items():
            ends = self.read(flow, (*path, "odds", flow), sd.parse_odds_key, "value.odds", key=True)
            if ends is not None:
                odds.append((*ends, share))
        rate = rate_scale = None
        if isinstance(v.arrivals, str):
            try:
                rate_scale = sd.parse_scale(v.arrivals)
            except sd.FormError as exc:
                self.problem((*path, "arrivals"), "value.scale", str(exc), exc.hint)
            else:
                if rate_scale is None:
                    rate = self.read(v.arrivals, (*path, "arrivals"), sd.parse_rate, "value.rate")
        elif v.arrivals is not None:
            written = [k for k in ("rate", "scale") if (*path, "arrivals", k) in self.smap.keys]
            if v.arrivals.rate is not None and v.arrivals.scale is not None:
                self.problem(
                    (*path, "arrivals"),
                    "simulation.arrivals",
                    "give the scenario's arrivals a `rate` (`15/h`) or a `scale` (`1.2`), not both",
                )
            elif not written:
                self.problem(
                    (*path, "arrivals"),
                    "simulation.arrivals",
                    "give the scenario's arrivals a `rate` (`15/h`) or a `scale` (`1.2`)",
                )
            rate = self.read(v.arrivals.rate, (*path, "arrivals", "rate"), sd.parse_rate, "value.rate")
            rate_scale = v.arrivals.scale
        return Scenario(
            name=v.name,
            description=v.description,
            staff=tuple(staff),
            durations=tuple(durations),
            scale=tuple(scale),
            automate=tuple(v.automate),
            remove=tuple(v.remove),
            move=tuple(Move(step=m.step, after=m.after) for m in v.move),
            odds=tuple(odds),
            rate=rate,
            rate_scale=rate_scale,
            where=self.smap.locate(path),
        )


def _end_of_day(text: str) -> float:
    return sd.parse_time_of_day(text, end=True)


#: Example parameters of each distribution written as a mapping.
_EXAMPLE_PARAMETERS: dict[str, dict[str, str]] = {
    "fixed": {"mean": "5 min"},
    "exponential": {"mean": "5 min"},
    "lognormal": {"mean": "5 min", "sd": "2 min"},
    "triangular": {"low": "2 min", "mode": "5 min", "high": "12 min"},
    "uniform": {"low": "2 min", "high": "8 min"},
    "empirical": {},
}


def simulation_settings(
    doc: sd.SimulationDoc, smap: SourceMap, prefix: Path = ("simulation",)
) -> tuple[SimulationSettings, list[Problem]]:
    """The settings in ``doc`` (found at ``prefix`` of the file ``smap`` maps) and every problem found.

    Each settings object's ``where`` is the place in the file it was read from. With problems,
    the settings hold what could be read: good for finding more problems, not for use.
    """
    builder = _Builder(smap)
    settings = builder.simulation(doc, prefix)
    return settings, builder.problems


def analysis_settings(doc: d.AnalysisDoc) -> AnalysisSettings:
    rules = []
    for rule, config in doc.rules.items():
        if isinstance(config, str):
            rules.append(RuleSetting(rule=rule, severity=config))
            continue
        severity = config.get("severity")
        options = tuple((k, v) for k, v in config.items() if k != "severity")
        if isinstance(severity, bool):
            severity = None if severity else "off"
        rules.append(RuleSetting(rule=rule, severity=None if severity is None else str(severity), options=options))
    return AnalysisSettings(
        served=tuple(doc.served),
        rules=tuple(rules),
        ignore=tuple(Suppression(rule=x.rule, subject=x.subject, reason=x.reason) for x in doc.ignore),
    )


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def build(data: Any, smap: SourceMap) -> tuple[Blueprint | None, Origins, list[Problem]]:
    """The blueprint in ``data``, its origins and every problem found on the way.

    With errors in the problems, the blueprint (when there is one) is what remains after the
    values in error are taken out: good for finding more problems, not for use.
    """
    builder = _Builder(smap)
    if data is None:
        builder.problem((), "document.empty", "the file is empty; a blueprint starts with `stageline: 1`")
        return None, {}, builder.problems
    if not isinstance(data, dict):
        builder.problem(
            (), "document.shape", f"expected a mapping of keys (`stageline: 1`, `title: ...`), found {_kind(data)}"
        )
        return None, {}, builder.problems
    try:
        doc = d.BlueprintDoc.model_validate(data)
    except pydantic.ValidationError as exc:
        errors = exc.errors(include_url=False)
        builder.problems.extend(_one_per_mistake([_translate(err, smap) for err in errors]))
        rest = _without(data, errors)
        if rest is None:
            return None, {}, builder.problems
        # The rest of the document is sound: build it, so that the checks can find its
        # problems too. The caller sees the errors and must not use it as the blueprint.
        return builder.blueprint(rest), builder.origins, builder.problems
    bp = builder.blueprint(doc)
    return bp, builder.origins, builder.problems


def translate_errors(exc: pydantic.ValidationError, smap: SourceMap, prefix: Path = ()) -> list[Problem]:
    """A pydantic error about part of a blueprint document (at ``prefix``), in the user's words."""
    out = []
    for err in exc.errors(include_url=False):
        out.append(_translate({**err, "loc": (*prefix, *err["loc"])}, smap))
    return _one_per_mistake(out)


def _one_per_mistake(problems: list[Problem]) -> list[Problem]:
    """Drop "missing `label`" where the same mapping has an unknown `labl`: one typo, one report."""
    meant = {
        (p.path[:-1], p.hint.split("`")[1])
        for p in problems
        if p.code == "key.unknown" and p.hint and p.hint.startswith("did you mean")
    }
    return [p for p in problems if not (p.code == "key.missing" and (p.path[:-1], str(p.path[-1])) in meant)]


#: Keys whose removal would change ids, flows or the placement of other parts.
_KEEP = {"id", "label", "name", "stageline", "title", "from", "to", "url", "phase", "source", "target"}
_COLLECTIONS = {"steps", "flows", "phases", "segments", "roles", "systems", "rows", "views", "styles", "lines"}
#: Lists whose items nothing else refers to by position: a bad item can be left out.
_LEAF_LISTS = {
    "tags",
    "segments",
    "pain_points",
    "evidence",
    "lanes",
    "rows",
    "phases",
    "roles",
    "highlight",
    "kpis",
    "links",
    "activities",
    "notes",
}


def _without(data: Any, errors: Sequence[Any]) -> d.BlueprintDoc | None:
    """The document with the values in error taken out or mended, when that changes nothing else.

    Unknown keys go; a misspelt lane takes the name meant; an id that is not a slug becomes
    one; a bad label becomes a placeholder; a bad item of a list nothing points into goes.
    Anything else (a broken step or flow) stops here: its removal would shift what follows.
    """
    import copy

    pruned = copy.deepcopy(data)
    dropped: list[tuple[list[Any], int]] = []
    for err in errors:
        path = _file_path(tuple(err["loc"]))
        parent: Any = pruned
        for part in path[:-1]:
            try:
                parent = parent[part]
            except (KeyError, IndexError, TypeError):
                return None
        if not path:
            return None
        key = path[-1]
        if isinstance(key, int):
            owner = path[-2] if len(path) >= 2 else None
            if not (isinstance(parent, list) and len(path) >= 3 and owner in _LEAF_LISTS):
                return None
            dropped.append((parent, key))
            continue
        if not isinstance(parent, dict):
            return None
        lane_of_step = len(path) == 3 and path[0] == "steps"
        if err["type"] == "extra_forbidden":
            lane = _lane_meant(key) if lane_of_step else None
            if lane is not None and lane not in parent:
                parent[lane] = parent.pop(key)  # a misspelt lane: keep its actions for the checks
            else:
                parent.pop(key, None)
        elif key == "id" and slugify(str(parent.get(key, ""))):
            parent[key] = slugify(str(parent[key]))
        elif key in ("label", "title") and err["type"] != "missing":
            parent[key] = "?"
        elif key in _KEEP or lane_of_step or (len(path) == 1 and key in _COLLECTIONS):
            return None
        else:
            parent.pop(key, None)
    for items, index in sorted(dropped, key=lambda d: -d[1]):
        if index < len(items):
            del items[index]
    try:
        return d.BlueprintDoc.model_validate(pruned)
    except pydantic.ValidationError:
        return None


def _lane_meant(key: str) -> str | None:
    alias = LANE_ALIASES.get(key)
    if alias is not None:
        return alias.value
    hint = did_you_mean(key, _LANE_KEYS)
    return hint.split("`")[1] if hint else None


def _file_path(loc: tuple[Any, ...]) -> Path:
    """A pydantic error location without the union tags: the path in the file."""
    return tuple(p for p in loc if not (isinstance(p, str) and p.startswith("<") and p.endswith(">")))


def _kind(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value is None:
        return "nothing"
    return f"`{value}`"


# --- pydantic errors, in the user's words ----------------------------------------------------


def _as_written(path: Path, smap: SourceMap) -> Path:
    """The path as the file spells it: a lone item written without its list has no index."""
    out: list[str | int] = []
    for part in path:
        here = tuple(out)
        if type(part) is int and part == 0 and (*here, 0) not in smap.values and here in smap.values:
            continue
        out.append(part)
    return tuple(out)


def _translate(err: Any, smap: SourceMap) -> Problem:
    loc = tuple(err["loc"])
    path = _file_path(loc)
    at = _as_written(path, smap)
    kind = err["type"]
    where = _describe(at)
    hint = None
    value = err.get("input")
    if kind == "extra_forbidden":
        key = str(path[-1])
        allowed = _allowed_keys(loc)
        in_step = len(path) == 3 and path[0] == "steps"
        lane = _lane_meant(key) if in_step else None
        hint = f"did you mean `{lane}`?" if lane else did_you_mean(key, allowed)
        message = f"unknown lane `{key}`" if lane else f"unknown key `{key}` in {_describe(at[:-1])}"
        if hint is None and allowed:
            hint = "expected one of " + ", ".join(f"`{a}`" for a in allowed)
        return Problem("key.unknown", message, location=smap.locate(at, key=True), path=path, hint=hint)
    if kind == "missing":
        key = str(path[-1])
        if path == ("stageline",):
            message = "missing `stageline: 1` at the top of the file"
        else:
            message = f"missing `{key}` in {_describe(_as_written(path[:-1], smap))}"
        return Problem("key.missing", message, location=smap.locate(_as_written(path[:-1], smap)), path=path)
    if kind == "literal_error":
        expected = re.findall(r"'([^']*)'|(\d+)", str(err.get("ctx", {}).get("expected", "")))
        options = [a or b for a, b in expected]
        hint = did_you_mean(str(value), options)
        shown = ", ".join(f"`{o}`" for o in options)
        key = str(path[-1])
        within = f" in {_describe(at[:-1])}" if len(at) > 1 else ""
        message = f"unknown {key} `{value}`{within}: expected {shown}"
        if isinstance(path[-1], int):
            message = f"unknown {_NOUNS.get(str(path[-2]), str(path[-2]))} `{value}` in {_describe(path[:-2])}: expected {shown}"
        return Problem("value.choice", message, location=smap.locate(at), path=path, hint=hint)
    if kind == "string_pattern_mismatch" and path and path[-1] == "id":
        hint = f"try `{slugify(str(value))}`" if slugify(str(value)) else None
        message = f"`{value}` is not a valid id: use lower-case letters, digits, `-`, `_` and `.`"
        return Problem("value.id", message, location=smap.locate(at), path=path, hint=hint)
    message = _MESSAGES.get(kind, "") or _lower(err["msg"])
    if kind == "string_pattern_mismatch":
        message = "expected a colour written `#rrggbb` or `#rgb`, such as `#c0392b`"
    if kind != "version":
        message = f"{where}: {message}"
    if kind in _SHOW_INPUT and value is not None and not isinstance(value, (dict, list)):
        message += f", got `{_short(value)}`"
    elif kind in ("model_type", "dict_type", "list_type"):
        message += f", got {_kind(value)}"
    hint = "start each item on its own line with `- `" if kind == "list_type" and isinstance(value, dict) else None
    return Problem(f"value.{kind}", message, location=smap.locate(at), path=path, hint=hint)


_MESSAGES = {
    "model_type": "expected a mapping of keys and values",
    "model_attributes_type": "expected a mapping of keys and values",
    "dict_type": "expected a mapping of keys and values",
    "list_type": "expected a list",
    "string_type": "expected a text",
    "string_too_short": "is empty; write a few words",
    "finite_number": "expected a finite number",
    "bool_type": "expected `true` or `false`",
}
#: Errors whose message reads better with the value given.
_SHOW_INPUT = {
    "float_parsing",
    "float_type",
    "int_parsing",
    "int_type",
    "int_from_float",
    "greater_than_equal",
    "less_than_equal",
    "greater_than",
    "less_than",
    "finite_number",
    "bool_type",
    "bool_parsing",
    "string_type",
}


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= 40 else text[:37] + "..."


_NOUNS = {
    "steps": "step",
    "phases": "phase",
    "segments": "segment",
    "roles": "role",
    "systems": "system",
    "rows": "row",
    "flows": "flow",
    "views": "view",
    "kpis": "KPI",
    "links": "link",
    "activities": "activity",
    "lanes": "lane",
    "tags": "tag",
    "highlight": "role",
    "pain_points": "pain point",
    "notes": "note",
    "scenarios": "scenario",
    "shifts": "shift",
    "profile": "window",
    "move": "move",
}


def _describe(path: Path) -> str:
    """Name a place in words: ``step 3 (customer)`` rather than ``/steps/2/customer``."""
    if not path:
        return "the blueprint"
    parts: list[str] = []
    for i, part in enumerate(path):
        if isinstance(part, int):
            prev = path[i - 1] if i else ""
            noun = _NOUNS.get(str(prev))
            if noun and parts and parts[-1] == str(prev):
                parts[-1] = f"{noun} {part + 1}"
            else:
                parts.append(f"item {part + 1}")
        else:
            parts.append(str(part))
    return " ".join(parts) if len(parts) == 1 else parts[0] + " (" + ", ".join(parts[1:]) + ")"


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """The keys of the document model at ``loc`` (union tags in ``loc`` pick the branch)."""
    tp: Any = d.BlueprintDoc
    for part in loc[:-1]:
        tp = _step_into(tp, part)
        if tp is None:
            return []
    tp = _unwrap(tp)
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        tp = _unwrap(args[0]) if len(args) == 1 else None
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        return sorted((f.alias or name) for name, f in tp.model_fields.items())
    return []


def _unwrap(tp: Any) -> Any:
    while typing.get_origin(tp) is typing.Annotated:
        tp = typing.get_args(tp)[0]
    return tp


def _step_into(tp: Any, part: Any) -> Any:
    tp = _unwrap(tp)
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        for name, f in tp.model_fields.items():
            if part in (name, f.alias):
                return f.annotation
        return None
    if origin in (list, tuple):
        return typing.get_args(tp)[0] if isinstance(part, int) else None
    if origin is dict:
        return typing.get_args(tp)[1]
    if origin in (typing.Union, getattr(__import__("types"), "UnionType", None)):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return _step_into(args[0], part)
        if isinstance(part, str) and part.startswith("<"):
            for a in args:
                meta = typing.get_args(a)[1:] if typing.get_origin(a) is typing.Annotated else ()
                if any(getattr(m, "tag", None) == part for m in meta):
                    return a
            return None
        return None
    return None
