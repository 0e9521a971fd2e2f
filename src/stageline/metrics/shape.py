"""The shape of a metrics file: figures per action, flow, step and phase, measured or simulated.

``stageline measure`` writes these figures from an event log; ``stageline simulate`` writes the
same shape from a simulation, so drawing (``render --metrics``) and analysis
(``check --metrics``) treat both alike and say which figures were measured, which simulated and
which only assumed in the blueprint. Durations are seconds; shares are fractions from 0 to 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ActionFigures",
    "Activity",
    "Breaches",
    "Conformance",
    "Count",
    "FlowFigures",
    "Handoff",
    "Metrics",
    "RoleFigures",
    "Satisfaction",
    "ServiceFigures",
    "Spread",
    "StageFigures",
    "Transition",
    "Week",
    "Word",
]

#: The version of this shape; a reader refuses files of a later one.
SHAPE_VERSION = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class Spread:
    """A distribution of durations (seconds): how many, the mean and percentiles."""

    count: int
    mean: float | None = None
    p50: float | None = None
    p90: float | None = None
    p95: float | None = None
    max: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Count:
    """A named count: a resource and its events, a role and its handoffs."""

    name: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Week:
    """How many occurrences in the ISO week starting on ``week`` (a Monday, ``YYYY-MM-DD``)."""

    week: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Word:
    """A word frequent in comments, and how many comments use it."""

    word: str
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Satisfaction:
    """What customers said: ratings on their scales, and the emotion they imply (-2 to +2)."""

    responses: int
    #: Mean CSAT on 1-5.
    csat: float | None = None
    #: Net promoter score, -100 to +100, from 0-10 ratings.
    nps: float | None = None
    #: Mean customer effort on 1-7 (lower is easier).
    ces: float | None = None
    #: The emotion the ratings imply on the blueprint's -2..+2 scale.
    emotion: float | None = None
    words: tuple[Word, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Breaches:
    """Occurrences beyond the blueprint's tolerance (expected + tolerance)."""

    duration: int = 0
    wait: int = 0
    #: Occurrences over either limit (each counted once).
    occurrences: int = 0
    #: The limits compared with, in seconds; None where the blueprint gives no tolerance, or
    #: (for the wait) where the log does not tell when work started.
    duration_limit: float | None = None
    wait_limit: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionFigures:
    """Figures of one action of the blueprint."""

    #: Occurrences (completed or aborted instances) and the cases they happen in.
    events: int
    cases: int
    #: Cases with this action, as a share of all cases.
    share: float
    #: Start to completion, where the log tells when work started.
    service: Spread | None = None
    #: From the end of the case's previous action to the start of this one.
    wait: Spread | None = None
    #: True where the log has no start times, so the wait runs to completion and holds the
    #: service time too.
    wait_includes_service: bool = False
    #: Cases whose last action this is.
    drop_off: int = 0
    #: Occurrences beyond the first in a case, and the cases with any.
    rework: int = 0
    rework_cases: int = 0
    #: Starts no completion or abort pairs with: work begun and never finished.
    unfinished: int = 0
    #: Occurrences that failed (an outcome read as failure, or an aborted lifecycle).
    failures: int = 0
    failure_rate: float | None = None
    #: Mean cost of an occurrence, where the log has costs.
    cost: float | None = None
    resources: int = 0
    top_resources: tuple[Count, ...] = ()
    breaches: Breaches | None = None
    first: str | None = None
    last: str | None = None
    weekly: tuple[Week, ...] = ()
    satisfaction: Satisfaction | None = None
    #: Simulated only: the mean number of customers waiting for it, and how many gave up
    #: waiting for it.
    queue: float | None = None
    abandoned: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class FlowFigures:
    """How often one action directly follows another in a case, and the time between."""

    source: str
    target: str
    transitions: int
    cases: int
    #: Of the source's occurrences followed by another action, the share followed by this one.
    probability: float | None = None
    time: Spread | None = None
    #: Transitions where the resource changed.
    handoffs: int = 0
    #: Whether the blueprint draws this flow (directly, or through actions the log cannot see).
    in_blueprint: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class StageFigures:
    """Figures of a step or a phase: the actions in it taken together."""

    cases: int
    share: float
    events: int
    #: Cases whose last action is in it.
    drop_off: int = 0
    #: Repeats of its actions within a case, and occurrences of them that failed.
    rework: int = 0
    failures: int = 0
    #: Times cases went past it straight from an earlier action to a later one (skipping it).
    skipped: int = 0
    #: Time from a case's first arrival in it to its last completion in it.
    time: Spread | None = None
    satisfaction: Satisfaction | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleFigures:
    """The work of one role of the blueprint (the role its actions name), as the log shows it."""

    events: int
    cases: int
    #: Distinct resources of the log doing the role's actions.
    resources: int = 0
    #: Simulated only: the mean capacity on duty, the share of it busy, and the mean number of
    #: customers waiting for the role.
    capacity: float | None = None
    utilisation: float | None = None
    queue: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Handoff:
    """Work passing from one role to another: how often a case went from an action of ``source``
    to one of ``target``."""

    source: str
    target: str
    transitions: int
    cases: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ServiceFigures:
    """The service end to end."""

    cases: int
    events: int
    #: Distinct sequences of activities.
    variants: int
    case_time: Spread | None = None
    first: str | None = None
    last: str | None = None
    weekly: tuple[Week, ...] = ()
    satisfaction: Satisfaction | None = None
    #: Simulated only: customers served per hour, customers who gave up, the time customers
    #: spent waiting where they can see it (queues and waits in the customer and frontstage
    #: lanes), and the staff and action costs per customer.
    throughput: float | None = None
    abandoned: int = 0
    felt_wait: Spread | None = None
    cost_per_customer: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Transition:
    """A transition between actions seen in the log that the blueprint does not have."""

    source: str
    target: str
    transitions: int
    cases: int
    #: ``missing``: the blueprint has no way from source to target; ``skip``: it has, but only
    #: through actions the log shows, which these cases skipped (listed in ``skipped``).
    kind: str = "missing"
    skipped: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Activity:
    """An activity of the log no action claims, or an action whose activities match nothing."""

    name: str
    events: int = 0
    suggestions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Conformance:
    """How well the log fits the blueprint."""

    #: Cases whose every transition the blueprint draws.
    fitting: int
    fitting_share: float
    extra: tuple[Transition, ...] = ()
    #: Flows between two actions the log shows, never taken.
    unobserved: tuple[tuple[str, str], ...] = ()
    #: Actions with no events in the last ``stale_days`` days of the log (or none at all).
    stale: tuple[str, ...] = ()
    stale_days: float = 90.0
    #: Activities of the log that no action claims, with likely actions.
    unclaimed: tuple[Activity, ...] = ()
    #: Actions whose ``activities`` match nothing in the log, with likely activities.
    unmatched: tuple[Activity, ...] = ()
    #: Activities two actions claim, as (activity, the action that got it, the other action).
    contested: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Metrics:
    """All figures of one blueprint from one source."""

    #: ``measured`` (from an event log) or ``simulated``.
    kind: str
    blueprint: str
    #: Where the figures come from: the log (and feedback) files, or the scenario.
    sources: tuple[str, ...] = ()
    engine: str | None = None
    service: ServiceFigures | None = None
    actions: dict[str, ActionFigures] = field(default_factory=dict)
    flows: tuple[FlowFigures, ...] = ()
    steps: dict[str, StageFigures] = field(default_factory=dict)
    phases: dict[str, StageFigures] = field(default_factory=dict)
    #: By role id of the blueprint; ``handoffs`` between roles, most frequent first.
    roles: dict[str, RoleFigures] = field(default_factory=dict)
    handoffs: tuple[Handoff, ...] = ()
    conformance: Conformance | None = None
    #: The import's data-quality report, as :meth:`stageline.data.quality.Quality.to_dict` gives it.
    quality: dict[str, object] | None = None
    #: The feedback file's report, in the same shape, when feedback was measured too.
    feedback: dict[str, object] | None = None
    version: int = SHAPE_VERSION
