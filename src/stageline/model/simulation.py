"""What a blueprint's ``simulation:`` key (or a side file of scenarios) says: the settings of
``stageline simulate``.

All times are in seconds and all rates per second, whatever unit the file used. Each settings
object remembers where it was written (``where``), so that a problem found when the blueprint is
simulated (a scenario naming an unknown role, a capacity brought down to nothing) points at the
line that caused it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stageline.errors import Location

__all__ = [
    "DISTRIBUTIONS",
    "Arrivals",
    "Distribution",
    "Move",
    "RateWindow",
    "Resource",
    "Scenario",
    "Shift",
    "SimAction",
    "SimulationSettings",
]

#: The kinds of distribution a duration or a patience may have, and the parameters each takes.
DISTRIBUTIONS: dict[str, tuple[str, ...]] = {
    "fixed": ("mean",),
    "exponential": ("mean",),
    "lognormal": ("mean", "sd"),
    "triangular": ("low", "mode", "high"),
    "uniform": ("low", "high"),
    "empirical": (),
}


@dataclass(frozen=True, slots=True)
class Distribution:
    """A random duration in seconds.

    ``fixed`` and ``exponential`` take a ``mean``; ``lognormal`` a ``mean`` and a standard
    deviation ``sd``; ``triangular`` ``low``, ``mode`` and ``high``; ``uniform`` ``low`` and
    ``high``. ``empirical`` draws from the durations measured for the action in an event log
    (``stageline simulate --log``).
    """

    kind: str
    mean: float | None = None
    sd: float | None = None
    low: float | None = None
    mode: float | None = None
    high: float | None = None

    @property
    def expected(self) -> float | None:
        """The mean, where the parameters tell it (not for ``empirical``)."""
        if self.kind in ("fixed", "exponential", "lognormal"):
            return self.mean
        if self.kind == "triangular" and None not in (self.low, self.mode, self.high):
            return (self.low + self.mode + self.high) / 3  # type: ignore[operator]
        if self.kind == "uniform" and None not in (self.low, self.high):
            return (self.low + self.high) / 2  # type: ignore[operator]
        return None


@dataclass(frozen=True, slots=True)
class RateWindow:
    """Customers per second arriving between two times of day (seconds after midnight)."""

    start: float
    end: float
    rate: float


@dataclass(frozen=True, slots=True)
class Arrivals:
    """How customers arrive: a Poisson stream, its rate varying by time of day when a
    ``profile`` is given (the plain ``rate`` holds outside the profile's windows), or the case
    starts of an event log replayed (``replay``)."""

    rate: float | None = None
    profile: tuple[RateWindow, ...] = ()
    replay: bool = False
    where: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Shift:
    """Staff on duty between two times of day (seconds after midnight); ``end`` may be past
    midnight (``end < start``)."""

    start: float
    end: float
    capacity: int


@dataclass(frozen=True, slots=True)
class Resource:
    """A role (or system) that actions hold while they run: how many can work at once, what an
    hour of one of them costs, and when they are on duty (always, when ``shifts`` is empty)."""

    id: str
    capacity: int
    cost: float | None = None  # per second of one unit
    shifts: tuple[Shift, ...] = ()
    where: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class SimAction:
    """How one action behaves in the simulation, beyond what the blueprint says of it.

    ``resource`` names the role or system it holds (the action's ``role``, else its
    ``system``, when one of them is a resource); ``none`` frees it of any. ``delay`` is a wait
    no resource causes (a letter in the post), taken before the action; by default the
    action's assumed ``wait`` when it holds no resource.
    """

    id: str
    duration: Distribution | None = None
    resource: str | None = None
    patience: Distribution | None = None
    delay: Distribution | None = None
    where: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class Move:
    """Take ``step`` out of its place and put it right after ``after``."""

    step: str
    after: str


@dataclass(frozen=True, slots=True)
class Scenario:
    """A what-if: changes laid over the blueprint before it is simulated."""

    name: str
    description: str | None = None
    #: Capacity by resource: ``(id, n, relative)``; relative adds n (which may be negative).
    staff: tuple[tuple[str, int, bool], ...] = ()
    #: New durations by action id; a ``scale`` multiplies the current duration instead.
    durations: tuple[tuple[str, Distribution], ...] = ()
    scale: tuple[tuple[str, float], ...] = ()
    #: Actions that no longer hold a resource (a machine does them).
    automate: tuple[str, ...] = ()
    #: Actions or steps taken out of the path; flows are joined around them.
    remove: tuple[str, ...] = ()
    move: tuple[Move, ...] = ()
    #: New branch odds: ``(source, target, probability)``.
    odds: tuple[tuple[str, str, float], ...] = ()
    #: A new arrival rate, or a factor on the current one (and its profile).
    rate: float | None = None
    rate_scale: float | None = None
    where: Location | None = field(default=None, compare=False)


@dataclass(frozen=True, slots=True)
class SimulationSettings:
    """The ``simulation:`` key of a blueprint."""

    arrivals: Arrivals | None = None
    #: Simulated time per replication, in seconds; or a number of customers instead.
    horizon: float | None = None
    customers: int | None = None
    warmup: float | None = None
    replications: int | None = None
    seed: int | None = None
    #: How long customers wait before they give up, for every action that has a queue.
    patience: Distribution | None = None
    resources: tuple[Resource, ...] = ()
    actions: tuple[SimAction, ...] = ()
    scenarios: tuple[Scenario, ...] = ()
    where: Location | None = field(default=None, compare=False)
