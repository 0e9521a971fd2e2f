"""Scenarios side by side: replications (in parallel processes), summed up with confidence
intervals.

Replication ``i`` of every scenario starts from the same random seed, so scenarios meet the same
customers (common random numbers) and the same seed always gives the same figures, however many
processes share the work.
"""

from __future__ import annotations

import math
import multiprocessing
import os
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Protocol, TypeVar

import numpy as np

from stageline.errors import Location, Problem, SimulationError, did_you_mean
from stageline.model import Blueprint, Scenario, SimulationSettings
from stageline.sim.engine import Plan, Replication, replicate
from stageline.sim.network import DAY, Network, compile_network

__all__ = [
    "ActionResult",
    "Estimate",
    "Options",
    "RoleResult",
    "ScenarioResult",
    "SimulationResult",
    "Stats",
    "simulate",
    "t95",
]

DEFAULT_REPLICATIONS = 10
DEFAULT_CUSTOMERS = 10_000
DEFAULT_SEED = 1
#: Waits kept per action and replication for the report's plots.
KEEP = 400
#: Below this many simulated customers in all, replications run in this process.
_PARALLEL_FROM = 200_000

# Two-sided 95% Student t quantiles for 1..30 degrees of freedom.
_T95 = (
    12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
    2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
    2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042,
)  # fmt: skip


def t95(df: int) -> float:
    if df <= 0:
        return math.inf
    if df <= len(_T95):
        return _T95[df - 1]
    return 1.959964 + 2.372 / df + 2.824 / df**2  # Cornish-Fisher to the second term


@dataclass(frozen=True)
class Options:
    """Settings given on the command line; they win over the blueprint's ``simulation:`` key."""

    replications: int | None = None
    seed: int | None = None
    horizon: float | None = None
    customers: int | None = None
    warmup: float | None = None
    #: Processes to spread replications over; by default every core when the work is large.
    jobs: int | None = None


@dataclass(frozen=True)
class Estimate:
    """The mean of a figure over the replications and its 95% confidence interval."""

    mean: float
    half: float
    n: int

    @property
    def low(self) -> float:
        return self.mean - self.half

    @property
    def high(self) -> float:
        return self.mean + self.half

    @staticmethod
    def of(values: Sequence[float]) -> Estimate:
        data = [v for v in values if not math.isnan(v)]
        if not data:
            return Estimate(math.nan, math.nan, 0)
        mean = float(np.mean(data))
        if len(data) < 2:
            return Estimate(mean, math.inf, len(data))
        sd = float(np.std(data, ddof=1))
        return Estimate(mean, t95(len(data) - 1) * sd / math.sqrt(len(data)), len(data))


@dataclass(frozen=True)
class Stats:
    """A sample summed up in one replication."""

    count: int
    mean: float
    p50: float
    p90: float
    p95: float
    max: float

    @staticmethod
    def of(values: np.ndarray) -> Stats:
        if len(values) == 0:
            return Stats(0, math.nan, math.nan, math.nan, math.nan, math.nan)
        p50, p90, p95 = np.percentile(values, (50, 90, 95))
        return Stats(len(values), float(values.mean()), float(p50), float(p90), float(p95), float(values.max()))


@dataclass(frozen=True)
class _NodeSummary:
    visits: int
    cases: int
    rework: int
    abandoned: int
    drop_off: int
    wait: Stats
    service: Stats
    queue: float
    busy: float
    sample: np.ndarray


@dataclass(frozen=True)
class _Summary:
    """One replication summed up (what a worker process sends back)."""

    window: float
    arrived: int
    completed: int
    abandoned: int
    nodes: tuple[_NodeSummary, ...]
    utilisation: tuple[float, ...]
    station_queue: tuple[float, ...]
    capacity: tuple[float, ...]
    staff_cost: float
    fixed_cost: float
    cycle: Stats
    felt: Stats
    felt_sample: np.ndarray
    transitions: dict[tuple[int, int], int]
    events: int


def _sample(values: np.ndarray, keep: int = KEEP) -> np.ndarray:
    if len(values) <= keep:
        return np.asarray(np.sort(values))
    return np.asarray(np.quantile(values, np.linspace(0, 1, keep)))


def _summarise(rep: Replication) -> _Summary:
    return _Summary(
        window=rep.window,
        arrived=rep.arrived,
        completed=rep.completed,
        abandoned=rep.abandoned,
        nodes=tuple(
            _NodeSummary(
                n.visits,
                n.cases,
                n.rework,
                n.abandoned,
                n.drop_off,
                Stats.of(n.waits),
                Stats.of(n.services),
                n.queue,
                n.busy,
                _sample(n.waits),
            )
            for n in rep.nodes
        ),
        utilisation=tuple(s.utilisation for s in rep.stations),
        station_queue=tuple(s.queue for s in rep.stations),
        capacity=tuple(s.capacity for s in rep.stations),
        staff_cost=sum(s.staff_cost for s in rep.stations),
        fixed_cost=rep.fixed_cost,
        cycle=Stats.of(rep.cycle),
        felt=Stats.of(rep.felt),
        felt_sample=_sample(rep.felt, KEEP * 2),
        transitions=rep.transitions,
        events=rep.events,
    )


def _one(task: tuple[Network, Plan, np.random.SeedSequence]) -> _Summary:
    network, plan, seed = task
    return _summarise(replicate(network, plan, seed))


@dataclass(frozen=True)
class ActionResult:
    id: str
    visits: Estimate
    wait_mean: Estimate
    wait_p90: Estimate
    service_mean: Estimate
    queue: Estimate
    busy: Estimate
    abandoned: Estimate
    #: Waits of every replication pooled (a sample of each), for plots.
    waits: np.ndarray


@dataclass(frozen=True)
class RoleResult:
    id: str
    capacity: Estimate
    utilisation: Estimate
    queue: Estimate


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    description: str | None
    network: Network
    replications: int
    #: Per customer arriving after the warm-up.
    customers: Estimate
    throughput: Estimate  # per hour
    abandonment: Estimate  # share of customers
    felt_mean: Estimate
    felt_p90: Estimate
    cycle_mean: Estimate
    cycle_p90: Estimate
    cost: Estimate  # per customer
    actions: tuple[ActionResult, ...]
    roles: tuple[RoleResult, ...]
    felt_waits: np.ndarray
    summaries: tuple[_Summary, ...] = field(repr=False, default=())

    @property
    def events(self) -> int:
        return sum(s.events for s in self.summaries)


@dataclass(frozen=True)
class SimulationResult:
    blueprint: str
    currency: str | None
    seed: int
    plan: Plan
    scenarios: tuple[ScenarioResult, ...]


def _plan(settings: SimulationSettings, options: Options, network: Network) -> Plan:
    horizon = options.horizon if options.horizon is not None else settings.horizon
    customers = options.customers if options.customers is not None else settings.customers
    if options.horizon is not None and options.customers is None:
        customers = None
    if options.customers is not None and options.horizon is None:
        horizon = None
    daily = bool(network.profile) or any(s.changes for s in network.stations)
    if horizon is None and customers is None:
        if daily:
            horizon = DAY
        else:
            customers = DEFAULT_CUSTOMERS
    warmup = options.warmup if options.warmup is not None else settings.warmup
    if warmup is None and (daily or network.replay):
        warmup = 0.0  # a day starts with nobody inside; a log replayed is kept whole
    return Plan(horizon=horizon, customers=customers, warmup=warmup)


def simulate(
    bp: Blueprint,
    *,
    settings: SimulationSettings | None = None,
    scenarios: Sequence[str] | None = None,
    options: Options | None = None,
    samples: Mapping[str, np.ndarray] | None = None,
    replay: Sequence[float] = (),
) -> SimulationResult:
    """Simulate the blueprint as it is and under each scenario named (all of them by default).

    ``settings`` replaces the blueprint's ``simulation:`` key; scenarios from both are known.
    """
    options = options or Options()
    base = bp.simulation or SimulationSettings()
    if settings is not None:
        merged = {s.name: s for s in base.scenarios}
        merged.update({s.name: s for s in settings.scenarios})
        base = SimulationSettings(
            arrivals=settings.arrivals or base.arrivals,
            horizon=settings.horizon if settings.horizon is not None else base.horizon,
            customers=settings.customers if settings.customers is not None else base.customers,
            warmup=settings.warmup if settings.warmup is not None else base.warmup,
            replications=settings.replications or base.replications,
            seed=settings.seed if settings.seed is not None else base.seed,
            patience=settings.patience or base.patience,
            resources=_merged_by_id(base.resources, settings.resources),
            actions=_merged_by_id(base.actions, settings.actions),
            scenarios=tuple(merged.values()),
            where=settings.where or base.where,
        )
    if base.where is None and bp.source is not None:
        base = replace(base, where=Location(bp.source.file))
    chosen: list[Scenario | None] = [None]
    known = {s.name: s for s in base.scenarios}
    if scenarios is None:
        chosen += list(base.scenarios)
    else:
        problems = []
        for name in scenarios:
            if name in ("as-is", "baseline"):
                continue
            if name not in known:
                hint = did_you_mean(name, known) or (
                    f"the scenarios are {', '.join(f'`{k}`' for k in known)}"
                    if known
                    else "write scenarios under `simulation: scenarios:`"
                )
                problems.append(Problem("simulation.scenario", f"there is no scenario `{name}`", hint=hint))
            else:
                chosen.append(known[name])
        if problems:
            raise SimulationError(problems)
    networks: list[Network] = []
    problems = []
    for sc in chosen:
        try:
            networks.append(compile_network(bp, base, sc, samples=samples, replay=replay))
        except SimulationError as exc:
            problems.extend(exc.errors)
    if problems:
        raise SimulationError(problems)
    reps = options.replications or base.replications or DEFAULT_REPLICATIONS
    seed = options.seed if options.seed is not None else base.seed if base.seed is not None else DEFAULT_SEED
    plan = _plan(base, options, networks[0])
    if plan.horizon is not None and plan.warmup is not None and plan.warmup >= plan.horizon:
        raise SimulationError(
            Problem(
                "simulation.warmup",
                "the warm-up is as long as the horizon or longer, so no customer would be counted",
                location=base.where or Location(),
                hint="shorten `warmup` or lengthen `horizon`",
            )
        )
    seeds = np.random.SeedSequence(seed).spawn(reps)
    tasks = [(net, plan, s) for net in networks for s in seeds]
    summaries = _run(tasks, options.jobs, plan, networks[0])
    results = []
    for i, (net, sc) in enumerate(zip(networks, chosen, strict=True)):
        mine = summaries[i * reps : (i + 1) * reps]
        results.append(_combine(net, sc, mine))
    if any(r.customers.mean == 0 for r in results):
        raise SimulationError(
            Problem(
                "simulation.nobody",
                "no customer arrived between the warm-up and the end of the run, so there is nothing to report",
                location=base.where or Location(),
                hint="lengthen the run (`horizon`, `customers`) or shorten the `warmup`",
            )
        )
    return SimulationResult(bp.title, bp.currency, seed, plan, tuple(results))


class _HasId(Protocol):
    @property
    def id(self) -> str: ...


_T = TypeVar("_T", bound=_HasId)


def _merged_by_id(base: Sequence[_T], extra: Sequence[_T]) -> tuple[_T, ...]:
    out = {x.id: x for x in base}
    out.update({x.id: x for x in extra})
    return tuple(out.values())


def _run(
    tasks: list[tuple[Network, Plan, np.random.SeedSequence]], jobs: int | None, plan: Plan, net: Network
) -> list[_Summary]:
    size = plan.customers if plan.customers is not None else net.mean_rate() * (plan.horizon or 0.0)
    work = size * len(tasks) * max(1, len(net.nodes))
    cores = os.cpu_count() or 1
    workers = jobs if jobs is not None else (min(cores, len(tasks)) if work >= _PARALLEL_FROM else 1)
    if workers <= 1 or len(tasks) == 1:
        return [_one(t) for t in tasks]
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        return list(pool.map(_one, tasks))


def _combine(net: Network, sc: Scenario | None, reps: Sequence[_Summary]) -> ScenarioResult:
    def est(values: Sequence[float]) -> Estimate:
        return Estimate.of(values)

    actions = []
    for k, node in enumerate(net.nodes):
        ns = [r.nodes[k] for r in reps]
        actions.append(
            ActionResult(
                id=node.id,
                visits=est([n.visits for n in ns]),
                wait_mean=est([n.wait.mean for n in ns]),
                wait_p90=est([n.wait.p90 for n in ns]),
                service_mean=est([n.service.mean for n in ns]),
                queue=est([n.queue for n in ns]),
                busy=est([n.busy for n in ns]),
                abandoned=est(
                    [n.abandoned / r.arrived if r.arrived else math.nan for n, r in zip(ns, reps, strict=True)]
                ),
                waits=np.concatenate([n.sample for n in ns]) if ns else np.zeros(0),
            )
        )
    roles = [
        RoleResult(
            id=st.id,
            capacity=est([r.capacity[j] for r in reps]),
            utilisation=est([r.utilisation[j] for r in reps]),
            queue=est([r.station_queue[j] for r in reps]),
        )
        for j, st in enumerate(net.stations)
    ]
    return ScenarioResult(
        name=net.scenario,
        description=sc.description if sc else None,
        network=net,
        replications=len(reps),
        customers=est([r.arrived for r in reps]),
        throughput=est([r.completed / r.window * 3600 if r.window > 0 else math.nan for r in reps]),
        abandonment=est([r.abandoned / r.arrived if r.arrived else math.nan for r in reps]),
        felt_mean=est([r.felt.mean for r in reps]),
        felt_p90=est([r.felt.p90 for r in reps]),
        cycle_mean=est([r.cycle.mean for r in reps]),
        cycle_p90=est([r.cycle.p90 for r in reps]),
        cost=est([(r.staff_cost + r.fixed_cost) / r.arrived if r.arrived else math.nan for r in reps]),
        actions=tuple(actions),
        roles=tuple(roles),
        felt_waits=np.concatenate([r.felt_sample for r in reps]) if reps else np.zeros(0),
        summaries=tuple(reps),
    )
