"""A blueprint (with a scenario laid over it) compiled into the network the simulator runs.

Each action is a station. The blueprint's flows route customers between them the way
:mod:`stageline.analysis.graph` reads them: flows with a probability leaving an action are
alternatives (one is taken; what the probabilities leave over is the share of customers whose
journey ends there), flows without one are all taken, in parallel; a two-way flow starts its
target with its source. An action several always-taken flows reach waits for all of them (a
join), unless no other part of the customer's journey can still reach it.

An action holds a resource while it runs: the one its ``simulation.actions`` entry names, else
its role, else its system, when that role or system is listed under ``simulation.resources``.
Actions holding none (a customer filling in a form) take their time without queueing; their
assumed ``wait`` becomes a delay before them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from stageline.analysis.graph import Edge, build_graph
from stageline.analysis.paths import depth_first
from stageline.errors import Location, Problem, SimulationError, did_you_mean
from stageline.model import (
    Action,
    Blueprint,
    Distribution,
    Flow,
    Lane,
    Resource,
    Scenario,
    SimAction,
    SimulationSettings,
)

__all__ = ["DAY", "Network", "Node", "Station", "compile_network", "offered_load", "visits"]

DAY = 86400.0
#: A loop customers go round again with at least this probability never lets them go.
_ENDLESS = 0.999
_VISIBLE = (Lane.CUSTOMER, Lane.FRONTSTAGE)


@dataclass(frozen=True)
class Node:
    """One action as the simulator sees it."""

    id: str
    step: str
    lane: Lane
    duration: Distribution | None
    resource: int  # index into Network.stations, or -1
    delay: Distribution | None
    patience: Distribution | None
    cost: float  # fixed cost of one occurrence
    visible: bool
    #: Alternatives: (target, cumulative probability); the rest of 1 ends the journey here.
    choices: tuple[tuple[int, float], ...] = ()
    #: Targets always taken when this action ends, and those started when it starts.
    always: tuple[int, ...] = ()
    synced: tuple[int, ...] = ()
    #: Flows into it (but those going back): a join waits for this many arrivals.
    need: int = 1
    #: Its place in the blueprint, which picks its random numbers: an action draws the same
    #: durations in every scenario, whatever the scenario removes or moves.
    stream: int = 0


@dataclass(frozen=True)
class Station:
    """A resource: its capacity by time of day (``changes``: seconds after midnight, capacity
    from then on; empty for a constant ``capacity``) and its cost per second of one unit."""

    id: str
    capacity: int
    cost: float
    changes: tuple[tuple[float, int], ...] = ()
    where: Location | None = field(default=None, compare=False)

    def capacity_at(self, t: float) -> int:
        if not self.changes:
            return self.capacity
        day = t % DAY
        cap = self.changes[-1][1]
        for start, c in self.changes:
            if start <= day:
                cap = c
        return cap

    @property
    def mean_capacity(self) -> float:
        if not self.changes:
            return float(self.capacity)
        total = 0.0
        points = [*self.changes, (DAY + self.changes[0][0], self.changes[0][1])]
        for (start, c), (end, _) in itertools.pairwise(points):
            total += c * (end - start)
        return total / DAY


@dataclass(frozen=True)
class Network:
    blueprint: str
    scenario: str
    nodes: tuple[Node, ...]
    stations: tuple[Station, ...]
    entries: tuple[int, ...]
    #: Arrivals: a constant rate (per second), daily windows of other rates, or times replayed.
    rate: float
    profile: tuple[tuple[float, float, float], ...] = ()
    replay: tuple[float, ...] = ()
    #: reach[a][b]: whether b can follow a in a journey (for joins).
    reach: tuple[frozenset[int], ...] = ()
    #: Durations measured in a log, for ``empirical`` distributions, by action id.
    samples: Mapping[str, np.ndarray] = field(default_factory=dict)
    currency: str | None = None
    #: Flows of the blueprint the network keeps, as (source id, target id).
    flows: tuple[tuple[str, str], ...] = ()

    @property
    def parallel(self) -> bool:
        """Whether a customer's journey can be in two places at once."""
        return any(len(n.always) + bool(n.choices) > 1 or n.synced or n.need > 1 for n in self.nodes)

    def mean_rate(self) -> float:
        if self.replay:
            span = self.replay[-1] - self.replay[0]
            return len(self.replay) / span if span > 0 else math.nan
        if not self.profile:
            return self.rate
        covered = sum(end - start for start, end, _ in self.profile)
        return (sum((end - start) * r for start, end, r in self.profile) + (DAY - covered) * self.rate) / DAY


def _err(code: str, message: str, where: Location | None, hint: str | None = None) -> Problem:
    return Problem(code, message, location=where or Location(), hint=hint)


def compile_network(
    bp: Blueprint,
    settings: SimulationSettings | None = None,
    scenario: Scenario | None = None,
    *,
    samples: Mapping[str, np.ndarray] | None = None,
    replay: Sequence[float] = (),
) -> Network:
    """The network to simulate; raises :class:`SimulationError` listing every problem found."""
    settings = settings or bp.simulation or SimulationSettings()
    if settings.where is None and bp.source is not None:  # no `simulation:` key: the file itself
        settings = replace(settings, where=Location(bp.source.file))
    problems: list[Problem] = []
    samples = dict(samples or {})
    ids = bp.action_index
    step_ids = {s.id for s in bp.steps}
    sim_actions = {a.id: a for a in settings.actions}
    for sa in settings.actions:
        if sa.id not in ids:
            problems.append(
                _err(
                    "simulation.action",
                    f"`simulation.actions` names `{sa.id}`, which is no action of the blueprint",
                    sa.where,
                    did_you_mean(sa.id, ids),
                )
            )
    resources = {r.id: r for r in settings.resources}
    parties = (
        {p.id for p in (*bp.roles, *bp.systems)}
        | {a.role for a in bp.actions if a.role}
        | {a.system for a in bp.actions if a.system}
    )
    for r in settings.resources:
        if r.id not in parties:
            problems.append(
                _err(
                    "simulation.resource",
                    f"resource `{r.id}` is no role or system of the blueprint",
                    r.where,
                    did_you_mean(r.id, parties),
                )
            )

    durations: dict[str, Distribution | None] = {}
    for a in bp.actions:
        sim = sim_actions.get(a.id)
        if sim and sim.duration is not None:
            durations[a.id] = sim.duration
        elif a.duration is not None:
            durations[a.id] = Distribution("exponential", mean=a.duration.expected)
        else:
            durations[a.id] = None
    held: dict[str, str | None] = {}
    for a in bp.actions:
        held[a.id] = _resource_of(a, sim_actions.get(a.id), resources)

    # The scenario's changes.
    staff: dict[str, tuple[int, bool]] = {}
    held_before = dict(held)
    actions: list[Action] = list(bp.actions)
    flows = list(bp.flows)
    if not flows:  # steps one after another: written out, so that scenarios can change them
        implicit = build_graph(bp)
        flows = [Flow(source=bp.actions[e.source].id, target=bp.actions[e.target].id) for e in implicit.edges]
    rate = settings.arrivals.rate if settings.arrivals and settings.arrivals.rate is not None else None
    profile = tuple((w.start, w.end, w.rate) for w in settings.arrivals.profile) if settings.arrivals else ()
    name = "as-is"
    if scenario is not None:
        name = scenario.name
        where = scenario.where

        def known(aid: str, what: str) -> bool:
            if aid in ids:
                return True
            problems.append(
                _err(
                    "scenario.action",
                    f"scenario `{name}` {what} `{aid}`, which is no action of the blueprint",
                    where,
                    did_you_mean(aid, ids),
                )
            )
            return False

        for rid, n, relative in scenario.staff:
            if rid not in resources:
                problems.append(
                    _err(
                        "scenario.staff",
                        f"scenario `{name}` changes the staff of `{rid}`, which is not under `simulation.resources`",
                        where,
                        did_you_mean(rid, resources) or "list it under `simulation.resources` with its capacity",
                    )
                )
                continue
            staff[rid] = (n, relative)
        for aid, new in scenario.durations:
            if known(aid, "sets the duration of"):
                durations[aid] = new
        for aid, factor in scenario.scale:
            if known(aid, "scales the duration of"):
                durations[aid] = _scaled(durations[aid], factor)
        for aid in scenario.automate:
            if known(aid, "automates"):
                held[aid] = None
        replaying = settings.arrivals is not None and settings.arrivals.replay
        if scenario.rate is not None and replaying:
            problems.append(
                _err(
                    "scenario.arrivals",
                    f"scenario `{name}` gives a new arrival rate, but the arrivals are replayed from a log",
                    where,
                    "scale the log's arrivals instead, e.g. `arrivals: x1.2`",
                )
            )
        elif scenario.rate is not None:
            rate, profile = scenario.rate, ()
        if scenario.rate_scale is not None:
            rate = None if rate is None else rate * scenario.rate_scale
            profile = tuple((s, e, r * scenario.rate_scale) for s, e, r in profile)
            replay = [t / scenario.rate_scale for t in replay]  # the same customers, closer together
        for gone in scenario.remove:
            if gone in step_ids:
                removed = {a.id for a in actions if a.step == gone}
            elif gone in ids:
                removed = {gone}
            else:
                problems.append(
                    _err(
                        "scenario.remove",
                        f"scenario `{name}` removes `{gone}`, which is no action or step of the blueprint",
                        where,
                        did_you_mean(gone, [*ids, *step_ids]),
                    )
                )
                continue
            actions, flows = _without(actions, flows, removed)
        for mv in scenario.move:
            for sid in (mv.step, mv.after):
                if sid not in step_ids:
                    problems.append(
                        _err(
                            "scenario.move",
                            f"scenario `{name}` moves `{sid}`, which is no step of the blueprint",
                            where,
                            did_you_mean(sid, step_ids),
                        )
                    )
            if mv.step in step_ids and mv.after in step_ids:
                actions, flows = _moved(actions, flows, mv.step, mv.after)
        odds = {(f.source, f.target): i for i, f in enumerate(flows)}
        for src, tgt, p in scenario.odds:
            i = odds.get((src, tgt))
            if i is None:
                problems.append(
                    _err(
                        "scenario.odds",
                        f"scenario `{name}` sets the odds of `{src} -> {tgt}`, a flow the blueprint does not have",
                        where,
                    )
                )
                continue
            flows[i] = replace(flows[i], probability=p)
    if settings.arrivals is not None and settings.arrivals.replay and not replay:
        problems.append(
            _err(
                "simulation.replay",
                "the arrivals are to be replayed from an event log, but none was given",
                settings.arrivals.where,
                "run `stageline simulate FILE --log LOG`",
            )
        )
    if rate is None and not profile and not (settings.arrivals and settings.arrivals.replay):
        problems.append(
            _err(
                "simulation.arrivals",
                "the simulation needs an arrival rate",
                settings.where,
                "add `simulation: {arrivals: 12/h}` to the blueprint",
            )
        )

    stations: list[Station] = []
    station_of: dict[str, int] = {}
    for r in resources.values():
        station = _station(r, problems, scenario, staff.get(r.id))
        station_of[r.id] = len(stations)
        stations.append(station)

    sub = replace(bp, actions=tuple(actions), flows=tuple(flows))
    graph = build_graph(sub)
    # Actions no flow reaches that feed another run just before it, delaying it.
    edges = list(graph.edges)
    # Several feeding one action run one after the other.
    groups: dict[int, list[int]] = {}
    for feeder, fed in sorted(graph.attached_to.items()):
        groups.setdefault(fed, []).append(feeder)
    for fed, feeders in groups.items():
        into = [e for e in edges if e.target == fed and e.source not in feeders]
        edges = [e for e in edges if e not in into and not (e.target == fed and e.source in feeders[:-1])]
        edges += [Edge(e.source, feeders[0], e.probability, e.sync, e.flow) for e in into]
        edges += [Edge(a, b, None) for a, b in itertools.pairwise(feeders)]
    edges = _without_endless_cycles(len(actions), edges, graph.entries)
    out: dict[int, list[Edge]] = {i: [] for i in range(len(actions))}
    for e in edges:
        out[e.source].append(e)
    # An action waits for every flow into it (a two-way flow and a forward alternative too);
    # what can no longer come is let go of as the journey goes on. Flows going back (rework)
    # start it again on their own.
    back = _back_edges(len(actions), edges, graph.entries)
    need = [0] * len(actions)
    for e in edges:
        if e not in back:
            need[e.target] += 1
    entries = graph.entries or ([0] if actions else [])
    patience_all = settings.patience
    place = {a.id: i for i, a in enumerate(bp.actions)}
    if patience_all is not None and patience_all.kind == "empirical":
        problems.append(
            _err(
                "simulation.empirical",
                "the patience is to come from an event log, but a log gives durations only",
                settings.where,
                "give it as a distribution such as `20 min`",
            )
        )
    nodes: list[Node] = []
    for i, a in enumerate(actions):
        sim = sim_actions.get(a.id)
        dist = durations.get(a.id)
        if dist is not None and dist.kind == "empirical" and a.id not in samples:
            problems.append(
                _err(
                    "simulation.empirical",
                    f"`{a.id}` takes its durations from an event log, but none was given or it has no durations for it",
                    sim.where if sim else settings.where,
                    "run `stageline simulate FILE --log LOG`, with a log whose events this action claims",
                )
            )
        for what, given in (("patience", sim.patience if sim else None), ("delay", sim.delay if sim else None)):
            if given is not None and given.kind == "empirical":
                problems.append(
                    _err(
                        "simulation.empirical",
                        f"`{a.id}` takes its {what} from an event log, but a log gives durations only",
                        sim.where if sim else settings.where,
                        f"give its {what} as a distribution such as `20 min` or `lognormal 20 min ± 5 min`",
                    )
                )
        holder = held.get(a.id)
        delay = sim.delay if sim and sim.delay is not None else None
        if delay is None and held_before.get(a.id) is None and a.wait is not None and a.wait.expected > 0:
            delay = Distribution("fixed", mean=a.wait.expected)
        patience = sim.patience if sim and sim.patience is not None else (patience_all if a.lane in _VISIBLE else None)
        choices: list[tuple[int, float]] = []
        total = 0.0
        for e in out[i]:
            if e.probability is not None and not e.sync:
                total += e.probability
                choices.append((e.target, total))
        if total > 1 + 1e-9:
            problems.append(
                _err(
                    "simulation.odds",
                    f"the probabilities of the flows leaving `{a.id}` add up to {total:.0%}, more than 100%",
                    scenario.where if scenario else None,
                )
            )
        nodes.append(
            Node(
                id=a.id,
                step=a.step,
                lane=a.lane,
                duration=dist,
                resource=station_of[holder] if holder is not None and holder in station_of else -1,
                delay=delay,
                patience=patience,
                cost=a.cost or 0.0,
                visible=a.lane in _VISIBLE,
                choices=tuple(choices),
                always=tuple(e.target for e in out[i] if e.probability is None and not e.sync),
                synced=tuple(e.target for e in out[i] if e.sync),
                need=max(1, need[i]),
                stream=place[a.id],
            )
        )
    if not actions:
        problems.append(_err("simulation.empty", "the blueprint has no actions to simulate", settings.where))
    network = Network(
        blueprint=bp.title,
        scenario=name,
        nodes=tuple(nodes),
        stations=tuple(stations),
        entries=tuple(entries),
        rate=rate or 0.0,
        profile=profile,
        replay=tuple(replay),
        reach=_reach(nodes),
        samples=samples,
        currency=bp.currency,
        flows=tuple((actions[e.source].id, actions[e.target].id) for e in edges),
    )
    if not problems:
        problems.extend(_stability(network, settings, scenario))
    if problems:
        raise SimulationError(problems)
    return network


def _back_edges(n: int, edges: list[Edge], entries: Sequence[int]) -> set[Edge]:
    """The edges closing a cycle, found depth-first from the entries."""
    succ: list[list[Edge]] = [[] for _ in range(n)]
    for e in edges:
        succ[e.source].append(e)
    back: set[Edge] = set()
    depth_first(n, succ, entries, lambda e, _path: back.add(e))
    return back


def _without_endless_cycles(n: int, edges: list[Edge], entries: Sequence[int]) -> list[Edge]:
    """The edges without those closing a cycle no alternative is on (information passed back, say):
    customers could never leave such a cycle, so, as in the analysis, it is not followed."""
    succ: list[list[Edge]] = [[] for _ in range(n)]
    for e in edges:
        succ[e.source].append(e)
    cut: set[Edge] = set()

    def closing(e: Edge, path: list[Edge]) -> None:
        if e.probability is not None:
            return
        start = next((k for k in range(len(path) - 1, -1, -1) if path[k].source == e.target), len(path))
        if not any(x.probability is not None for x in path[start:]):
            cut.add(e)

    depth_first(n, succ, entries, closing)
    return [e for e in edges if e not in cut]


def _resource_of(a: Action, sim: SimAction | None, resources: Mapping[str, Resource]) -> str | None:
    named = sim.resource if sim else None
    if named is not None:
        return None if named == "none" else named
    for candidate in (a.role, a.system):
        if candidate and candidate in resources:
            return candidate
    return None


def _scaled(dist: Distribution | None, factor: float) -> Distribution | None:
    if dist is None:
        return None
    if dist.kind == "empirical":
        return replace(dist, mean=factor)  # the sampler multiplies by it
    return Distribution(
        dist.kind,
        *(None if v is None else v * factor for v in (dist.mean, dist.sd, dist.low, dist.mode, dist.high)),
    )


def _station(
    r: Resource, problems: list[Problem], scenario: Scenario | None, change: tuple[int, bool] | None = None
) -> Station:
    """The station of a resource, with a scenario's ``change`` of staff: ``(n, relative)``, on
    duty whenever someone is (a shift's hours stay as they are; closed hours stay closed)."""
    cost = r.cost or 0.0
    where = scenario.where if change is not None and scenario is not None else r.where

    def changed(c: int) -> int:
        if change is None or c <= 0:
            return c
        n, relative = change
        return max(0, c + n) if relative else n

    if r.shifts:
        changes: dict[float, int] = {}
        cover = [0] * 1440
        for s in r.shifts:
            start, end = int(s.start // 60), int(s.end // 60)
            minutes = range(start, end) if end > start else [*range(start, 1440), *range(0, end)]
            for m in minutes:
                cover[m] += s.capacity
        cover = [changed(c) for c in cover]
        prev = None
        for m, c in enumerate(cover):
            if c != prev:
                changes[m * 60.0] = c
                prev = c
        if max(cover) <= 0:
            problems.append(
                _err(
                    "simulation.capacity",
                    f"`{r.id}` has nobody on duty in any shift, so its work never gets done",
                    where,
                    "give a shift a capacity of at least 1",
                )
            )
        return Station(r.id, max(cover), cost, tuple(sorted(changes.items())), r.where)
    capacity = changed(r.capacity)
    if capacity <= 0:
        problems.append(
            _err(
                "simulation.capacity",
                f"`{r.id}` has a capacity of {capacity}, so its work never gets done",
                where,
                "give it a capacity of at least 1, or automate its actions (`automate:`)",
            )
        )
    return Station(r.id, capacity, cost, where=r.where)


def _without(actions: list[Action], flows: list[Flow], removed: set[str]) -> tuple[list[Action], list[Flow]]:
    """The actions and flows with ``removed`` taken out, flows joined around them."""
    fl = list(flows)
    for gone in sorted(removed):
        into = [f for f in fl if f.target == gone and f.source != gone]
        outof = [f for f in fl if f.source == gone and f.target != gone]
        kept = [f for f in fl if gone not in (f.source, f.target)]
        have = {(f.source, f.target) for f in kept}
        for a in into:
            for b in outof:
                if a.source == b.target:
                    continue
                p = (
                    None
                    if a.probability is None and b.probability is None
                    else (a.probability or 1.0) * (b.probability or 1.0)
                )
                if (a.source, b.target) in have:
                    # the joined way adds its odds to the flow already there (always stays always)
                    i = next(k for k, f in enumerate(kept) if (f.source, f.target) == (a.source, b.target))
                    old = kept[i].probability
                    if old is not None and p is not None:
                        kept[i] = replace(kept[i], probability=min(1.0, old + p))
                    elif old is not None:
                        kept[i] = replace(kept[i], probability=None)
                    continue
                kept.append(replace(a, target=b.target, probability=p))
                have.add((a.source, b.target))
        fl = kept
    return [a for a in actions if a.id not in removed], list(fl)


def _moved(actions: list[Action], flows: list[Flow], step: str, after: str) -> tuple[list[Action], list[Flow]]:
    """``step`` taken out of its place (flows joined around it) and put right after ``after``."""
    members = {a.id for a in actions if a.step == step}
    if not members or step == after:
        return actions, flows
    fl = list(flows)
    inner = [f for f in fl if f.source in members and f.target in members]
    entry = [m for m in members if not any(f.target == m for f in inner)]
    exits = [m for m in members if not any(f.source == m for f in inner)]
    # Out of its place: the step's own flows aside, the rest joined around it.
    rest, rest_flows = _without(list(actions), [f for f in fl if f not in inner], members)
    host = {a.id for a in rest if a.step == after}
    leaving = [f for f in rest_flows if f.source in host and f.target not in host]
    kept = [f for f in rest_flows if f not in leaving]
    ordered_entry = [a.id for a in actions if a.id in entry]
    ordered_exit = [a.id for a in actions if a.id in exits]
    for f in leaving:
        for e in ordered_entry:
            kept.append(replace(f, target=e))
    for x in ordered_exit:
        for f in leaving:
            kept.append(replace(f, source=x))
    if not leaving:
        for h in [a.id for a in rest if a.id in host]:
            for e in ordered_entry:
                kept.append(Flow(source=h, target=e))
    seen: set[tuple[str, str]] = set()
    unique = []
    for f in [*kept, *inner]:
        if (f.source, f.target) not in seen:
            seen.add((f.source, f.target))
            unique.append(f)
    moved = [a for a in actions if a.id in members]
    order: list[Action] = []
    for a in rest:
        order.append(a)
        if a.step == after and (a is rest[-1] or rest[rest.index(a) + 1].step != after):
            order.extend(moved)
    return order, unique


def _reach(nodes: Sequence[Node]) -> tuple[frozenset[int], ...]:
    succ = [set(n.always) | {t for t, _ in n.choices} | set(n.synced) for n in nodes]
    out: list[frozenset[int]] = []
    for i in range(len(nodes)):
        seen: set[int] = set()
        stack = list(succ[i])
        while stack:
            j = stack.pop()
            if j not in seen:
                seen.add(j)
                stack.extend(succ[j])
        out.append(frozenset(seen))
    return tuple(out)


#: Customers a pilot run follows to count visits where the journey splits and joins.
PILOT = 3000


def visits(network: Network) -> list[float]:
    """Expected visits of each action per customer: the traffic equations where journeys go one
    way at a time, else counted in a short pilot run with no queues (how often a join goes
    ahead depends on which parts of a journey can still reach it)."""
    if any(node.need > 1 for node in network.nodes):
        return _pilot_visits(network)
    n = len(network.nodes)
    a = np.zeros((n, n))
    for i, node in enumerate(network.nodes):
        prev = 0.0
        for t, cum in node.choices:
            a[t, i] += cum - prev
            prev = cum
        for t in (*node.always, *node.synced):
            a[t, i] += 1.0
    e = np.zeros(n)
    for i in network.entries:
        e[i] = 1.0
    try:
        v = np.linalg.solve(np.eye(n) - a, e)
    except np.linalg.LinAlgError:
        return [math.inf] * n
    return [float(x) if x >= 0 else math.inf for x in v]


def _pilot_visits(network: Network) -> list[float]:
    from stageline.sim.engine import Plan, replicate  # the engine runs networks: imported late

    free = replace(
        network,
        stations=tuple(replace(st, capacity=1 << 30, changes=()) for st in network.stations),
        nodes=tuple(replace(node, patience=None) for node in network.nodes),
        rate=network.rate or 1.0,
        profile=(),
        replay=(),
    )
    rep = replicate(free, Plan(customers=PILOT, warmup=0.0), np.random.SeedSequence(0))
    return [t.visits / rep.arrived if rep.arrived else 0.0 for t in rep.nodes]


def offered_load(network: Network, *, firm: bool = False) -> list[float]:
    """Busy servers each station needs on average: arrivals x visits x mean duration; with
    ``firm``, only for the work no customer gives up waiting for."""
    v = visits(network)
    lam = network.mean_rate()
    load = [0.0] * len(network.stations)
    for i, node in enumerate(network.nodes):
        if node.resource < 0 or node.duration is None or (firm and node.patience is not None):
            continue
        mean = _mean(network, node)
        load[node.resource] += lam * v[i] * mean
    return load


def _mean(network: Network, node: Node) -> float:
    d = node.duration
    if d is None:
        return 0.0
    if d.kind == "empirical":
        data = network.samples.get(node.id)
        return float(np.mean(data)) * (d.mean or 1.0) if data is not None and len(data) else 0.0
    return d.expected or 0.0


def _stability(network: Network, settings: SimulationSettings, scenario: Scenario | None) -> list[Problem]:
    problems = []
    for i, node in enumerate(network.nodes):
        prev = 0.0
        for t, cum in node.choices:
            if cum - prev >= _ENDLESS and t in network.reach[t] and i in network.reach[t]:
                problems.append(
                    _err(
                        "simulation.endless",
                        f"customers go from `{node.id}` back to `{network.nodes[t].id}` with a probability of {cum - prev:.1%}: they would never leave",
                        scenario.where if scenario else settings.where,
                    )
                )
            prev = cum
    if problems:
        return problems
    lam = network.mean_rate()
    if not network.replay and not lam > 0:
        return [
            _err(
                "simulation.arrivals",
                "the arrival rate is 0 at every hour: nobody would come",
                scenario.where if scenario else settings.where,
                "give a rate above 0, e.g. `arrivals: 12/h`",
            )
        ]
    if not math.isfinite(lam):
        return problems  # one arrival replayed: no load to judge
    # Work customers can give up waiting for settles however much of it there is; the rest
    # must fit in the capacity.
    for station, load in zip(network.stations, offered_load(network, firm=True), strict=True):
        cap = station.mean_capacity
        if cap > 0 and load / cap >= 1:
            problems.append(
                _err(
                    "simulation.unstable",
                    f"`{station.id}` would need {load:.2f} people (or units) busy all the time, "
                    f"but has {cap:g}: its queue would grow without end (utilisation {load / cap:.0%})",
                    scenario.where if scenario else station.where or settings.where,
                    f"give `{station.id}` a capacity above {load:g}, shorten its actions, lower the arrival rate, "
                    "or let customers give up (`patience:`)",
                )
            )
    return problems
