"""The blueprint model: immutable, typed, free of I/O.

A :class:`Blueprint` holds phases and steps (the columns), actions placed in a step and a lane
(the cells), flows between actions, extra rows, customer segments, roles and systems, and the
views and styles that present it. References between parts are ids; a blueprint can hold
dangling references, which :mod:`stageline.validate` reports.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from stageline.model.simulation import SimulationSettings
from stageline.model.timing import Timing
from stageline.model.vocabulary import FlowKind, Lane, LineKind, Status

__all__ = [
    "Action",
    "ActivityMatch",
    "AnalysisSettings",
    "Blueprint",
    "FailPoint",
    "Flow",
    "Kpi",
    "Link",
    "OptionalLine",
    "Party",
    "Phase",
    "Row",
    "RuleSetting",
    "Segment",
    "Source",
    "Step",
    "Style",
    "Suppression",
    "View",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    """A reference to something outside the blueprint: research, a ticket, a dashboard."""

    url: str
    title: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Segment:
    """A customer segment or persona the blueprint (or an action) applies to."""

    id: str
    name: str
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Party:
    """A role (who acts) or a system (what is used), declared once and referenced by id."""

    id: str
    name: str
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Phase:
    """A stage of the journey grouping consecutive steps (e.g. discover, order, receive)."""

    id: str
    name: str
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Step:
    """A column of the blueprint: one moment in time, in one phase."""

    id: str
    name: str
    phase: str | None = None
    time: str | None = None
    description: str | None = None
    #: Text in the extra rows for this step, by row id.
    cells: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Row:
    """An extra row users add: policies and regulations, emotions, KPIs, partners..."""

    id: str
    name: str
    description: str | None = None
    #: The lane or row this row sits under; ``"top"`` puts it above physical evidence;
    #: None places it at the bottom.
    after: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OptionalLine:
    """An optional line (order penetration, implementation) drawn under a lane or row."""

    kind: LineKind
    below: str
    label: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FailPoint:
    """Where an action can go wrong (Shostack), scored like an FMEA on 1-10 scales."""

    cause: str | None = None
    effect: str | None = None
    likelihood: int | None = None
    severity: int | None = None
    detectability: int | None = None
    recovery: str | None = None
    #: The share of occurrences that fail (0-1), for the expected cost of failures.
    rate: float | None = None
    #: What one failure costs (rework, compensation, lost revenue), in the blueprint's currency.
    cost: float | None = None

    @property
    def risk_priority(self) -> int | None:
        """Severity x likelihood x detectability, when all three are given."""
        if self.likelihood is None or self.severity is None or self.detectability is None:
            return None
        return self.severity * self.likelihood * self.detectability


@dataclass(frozen=True, slots=True, kw_only=True)
class Kpi:
    """A measure of an action: a name, a target and a unit (``98`` ``%``)."""

    name: str
    target: float | None = None
    unit: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivityMatch:
    """How an action is recognised in an event log: an exact name, a glob or a regex."""

    name: str | None = None
    glob: str | None = None
    regex: str | None = None
    #: Only events with this lifecycle transition (start, complete, schedule...).
    lifecycle: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Action:
    """Something done in one step by one lane: a cell of the blueprint."""

    id: str
    step: str
    lane: Lane
    label: str
    description: str | None = None
    role: str | None = None
    channel: str | None = None
    system: str | None = None
    owner: str | None = None
    segments: tuple[str, ...] = ()
    duration: Timing | None = None
    wait: Timing | None = None
    cost: float | None = None
    fail_point: FailPoint | None = None
    #: The customer's emotion at this action, from -2 (very negative) to +2 (very positive).
    emotion: float | None = None
    pain_points: tuple[str, ...] = ()
    kpis: tuple[Kpi, ...] = ()
    evidence: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    activities: tuple[ActivityMatch, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Flow:
    """An arrow between two actions."""

    source: str
    target: str
    kind: FlowKind = FlowKind.DEPENDENCY
    label: str | None = None
    #: The chance of taking this flow when it is one of several alternatives from its source.
    probability: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class View:
    """A named selection and emphasis of the blueprint; empty selections mean everything."""

    id: str
    name: str
    description: str | None = None
    lanes: tuple[Lane, ...] = ()
    rows: tuple[str, ...] = ()
    phases: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    highlight: tuple[str, ...] = ()
    #: ``detail`` shows every step; ``phases`` collapses each phase to one column.
    zoom: str = "detail"


@dataclass(frozen=True, slots=True, kw_only=True)
class Style:
    """How actions with a tag are drawn."""

    tag: str
    fill: str | None = None
    stroke: str | None = None
    text: str | None = None
    dashed: bool | None = None
    bold: bool | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleSetting:
    """A user's setting for one analysis rule: its severity (``off`` to silence it) and thresholds."""

    rule: str
    severity: str | None = None
    #: Threshold values as written: numbers, or text such as ``20%`` or ``10 min``.
    options: tuple[tuple[str, float | str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Suppression:
    """A finding accepted on purpose, with the reason written down."""

    rule: str
    reason: str
    #: The action, step or flow (``a -> b``) it is about; None accepts the rule everywhere.
    subject: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AnalysisSettings:
    """How ``stageline check`` analyses this blueprint."""

    #: Actions that mean the customer was served (for the cost per served customer).
    served: tuple[str, ...] = ()
    rules: tuple[RuleSetting, ...] = ()
    ignore: tuple[Suppression, ...] = ()


@dataclass(frozen=True, slots=True)
class Source:
    """The text a blueprint was read from, so that writing it back keeps comments and order."""

    text: str
    file: str = "<string>"
    format: str = "yaml"


@dataclass(frozen=True, kw_only=True)
class Blueprint:
    """One service process drawn for its customer segments."""

    title: str
    service: str | None = None
    description: str | None = None
    owner: str | None = None
    status: Status = Status.AS_IS
    version: str | None = None
    date: date | None = None
    currency: str | None = None
    segments: tuple[Segment, ...] = ()
    roles: tuple[Party, ...] = ()
    systems: tuple[Party, ...] = ()
    phases: tuple[Phase, ...] = ()
    steps: tuple[Step, ...] = ()
    rows: tuple[Row, ...] = ()
    lines: tuple[OptionalLine, ...] = ()
    actions: tuple[Action, ...] = ()
    flows: tuple[Flow, ...] = ()
    views: tuple[View, ...] = ()
    styles: tuple[Style, ...] = ()
    notes: tuple[str, ...] = ()
    links: tuple[Link, ...] = ()
    analysis: AnalysisSettings | None = None
    simulation: SimulationSettings | None = None
    #: Where it was read from; not part of its value (two blueprints read from differently
    #: formatted files compare equal).
    source: Source | None = field(default=None, compare=False, repr=False)

    @cached_property
    def action_index(self) -> dict[str, Action]:
        """Actions by id (the first one, should ids repeat)."""
        index: dict[str, Action] = {}
        for action in self.actions:
            index.setdefault(action.id, action)
        return index

    def action(self, action_id: str) -> Action | None:
        """The action with this id, or None."""
        return self.action_index.get(action_id)

    @cached_property
    def _by_step(self) -> dict[str, list[Action]]:
        out: dict[str, list[Action]] = {}
        for a in self.actions:
            out.setdefault(a.step, []).append(a)
        return out

    def actions_in(self, step: str, lane: Lane | None = None) -> Iterator[Action]:
        """The actions of one step, optionally of one lane, in file order."""
        for a in self._by_step.get(step, ()):
            if lane is None or a.lane is lane:
                yield a

    @cached_property
    def step_order(self) -> dict[str, int]:
        """Each step's column number, from 0."""
        return {s.id: i for i, s in enumerate(self.steps)}

    def step(self, step_id: str) -> Step | None:
        i = self.step_order.get(step_id)
        return None if i is None else self.steps[i]
