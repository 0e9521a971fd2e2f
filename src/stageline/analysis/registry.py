"""A registry of small named rules; the built-in rules register themselves the same way.

A rule is a function of a :class:`Context` (the blueprint and its figures) and its options that
yields :class:`Hit`s; the engine turns each hit into a located, ranked finding.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from stageline.analysis.figures import Figures
from stageline.errors import Severity
from stageline.metrics.apply import Applied
from stageline.model import Action, Blueprint

__all__ = ["RULES", "Context", "Effect", "Hit", "Option", "Rule", "rule"]


@dataclass(frozen=True)
class Option:
    """A threshold a user can change, with its default and the kind of value it takes."""

    name: str
    default: float
    #: ``number``, ``count``, ``share`` (0-1, written ``25%``), ``duration`` (seconds, written
    #: ``10 min``) or ``score`` (1-10 scale products such as a risk priority).
    kind: str
    help: str


@dataclass(frozen=True)
class Effect:
    """What fixing a finding is worth, per customer, from the blueprint's figures."""

    #: Expected seconds saved per customer.
    time: float = 0.0
    #: Expected cost saved per customer, in the blueprint's currency.
    cost: float = 0.0
    #: The share of customers it touches (0-1).
    customers: float = 0.0
    #: Risk priority number removed (severity x likelihood x detectability, up to 1000).
    risk: float = 0.0

    def to_dict(self) -> dict[str, float]:
        return {"time": self.time, "cost": self.cost, "customers": self.customers, "risk": self.risk}


@dataclass(frozen=True)
class Hit:
    """What a rule found, before the engine adds the rule's id, severity and location."""

    message: str
    #: ``action``, ``step``, ``flow``, ``phase``, ``role`` or ``blueprint``.
    kind: str
    #: The id of what it is about (an action or step id, ``a -> b`` for a flow).
    subject: str
    #: The step where the fix belongs, for grouping findings into opportunities.
    step: str | None = None
    #: Where it is in the model, e.g. ``("actions", 7)`` or ``("flows", 3)``.
    path: tuple[str | int, ...] = ()
    #: Facts behind it, as (name, value) pairs of readable text.
    evidence: tuple[tuple[str, str], ...] = ()
    effect: Effect = field(default_factory=Effect)
    #: A suggestion specific to this finding; the rule's general fix otherwise.
    fix: str | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    #: Why it matters, citing the method it comes from.
    rationale: str
    severity: Severity
    fix: str
    options: tuple[Option, ...]
    run: Callable[[Context, Mapping[str, float]], Iterable[Hit]]

    @property
    def category(self) -> str:
        return self.id.split(".", 1)[0]


RULES: dict[str, Rule] = {}

RuleFunction = Callable[["Context", Mapping[str, float]], Iterable[Hit]]


def rule(
    id: str,
    *,
    title: str,
    rationale: str,
    severity: Severity,
    fix: str,
    options: Iterable[Option] = (),
) -> Callable[[RuleFunction], RuleFunction]:
    """Register a rule under ``id`` (``category.name``); built-in rules register this way too."""

    def register(fn: RuleFunction) -> RuleFunction:
        if id in RULES:
            raise ValueError(f"a rule named {id!r} is already registered")
        RULES[id] = Rule(id, title, rationale, severity, fix, tuple(options), fn)
        return fn

    return register


@dataclass(frozen=True)
class Context:
    """What rules look at: the blueprint and the figures computed from it."""

    blueprint: Blueprint
    figures: Figures
    #: Measured or simulated figures, when the check was given a metrics file; the blueprint
    #: above then already carries them in place of its assumed ones.
    measured: Applied | None = None

    @cached_property
    def positions(self) -> dict[str, int]:
        """Each action's index in ``blueprint.actions`` (the flow graph keeps the same order)."""
        return self.figures.graph.index

    def at(
        self,
        action: Action,
        message: str,
        *,
        evidence: tuple[tuple[str, str], ...] = (),
        effect: Effect | None = None,
        fix: str | None = None,
    ) -> Hit:
        """A hit about one action."""
        path: tuple[str | int, ...] = ("actions", self.positions[action.id])
        return Hit(message, "action", action.id, action.step, path, evidence, effect or Effect(), fix)

    def at_step(
        self,
        step_id: str,
        message: str,
        *,
        evidence: tuple[tuple[str, str], ...] = (),
        effect: Effect | None = None,
        fix: str | None = None,
    ) -> Hit:
        """A hit about one step (a column)."""
        path: tuple[str | int, ...] = ("steps", self.blueprint.step_order[step_id])
        return Hit(message, "step", step_id, step_id, path, evidence, effect or Effect(), fix)

    def at_flow(
        self,
        n: int,
        message: str,
        *,
        evidence: tuple[tuple[str, str], ...] = (),
        effect: Effect | None = None,
        fix: str | None = None,
    ) -> Hit:
        """A hit about the flow at index ``n``."""
        flow = self.blueprint.flows[n]
        source = self.blueprint.action(flow.source)
        subject = f"{flow.source} {flow.kind.arrow} {flow.target}"
        step = source.step if source else None
        return Hit(message, "flow", subject, step, ("flows", n), evidence, effect or Effect(), fix)

    def step_name(self, step_id: str) -> str:
        step = self.blueprint.step(step_id)
        return step.name if step else step_id
