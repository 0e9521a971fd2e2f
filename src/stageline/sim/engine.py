"""The event loop: one replication of a network, on a binary heap of events.

Customers arrive, their journey moves from action to action, each action waits for its resource
(first come, first served), takes its time and hands the journey on. Only the ends of work and a
few other moments go through the heap; everything that happens at the same instant (a journey
moving on, the next customer in the queue starting) is done at once. Arrivals are drawn up
front and merged with the heap.

Figures are kept for the customers who arrive after the warm-up and before the horizon
(``counted``); time averages (queue lengths, busy resources) run from the warm-up to the horizon:
each stretch of waiting or of work is added, cut to that window, when it ends (work when it
starts, as its end is known then). Arrivals stop at the horizon, and the customers still inside
are served to the end, as a service closing its doors would.
"""

from __future__ import annotations

import heapq
import itertools
import math
from array import array
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from stageline.sim.draw import arrival_times, sampler
from stageline.sim.network import DAY, Network, Station

__all__ = ["NodeTally", "Plan", "Replication", "StationTally", "replicate"]

# Event kinds.
_DONE, _READY, _GIVE_UP, _SHIFT = range(4)
# Fields of a case (a list, for speed).
_ARRIVED, _ACTIVE, _FELT, _GONE, _JOINS, _TOKENS, _COUNTED, _LAST, _SEEN = range(9)


@dataclass(frozen=True)
class Plan:
    """How long one replication runs: up to ``horizon`` seconds of arrivals or ``customers``
    arrivals, figures kept from ``warmup`` on (by default after the first tenth of the time)."""

    horizon: float | None = None
    customers: int | None = None
    warmup: float | None = None


@dataclass
class NodeTally:
    visits: int = 0
    cases: int = 0
    rework: int = 0
    abandoned: int = 0
    drop_off: int = 0
    waits: np.ndarray = field(default_factory=lambda: np.zeros(0))
    services: np.ndarray = field(default_factory=lambda: np.zeros(0))
    #: Time-average number waiting and number being served, from the warm-up to the horizon.
    queue: float = 0.0
    busy: float = 0.0


@dataclass
class StationTally:
    utilisation: float = 0.0
    queue: float = 0.0
    capacity: float = 0.0
    staff_cost: float = 0.0


@dataclass
class Replication:
    window: float
    arrived: int
    completed: int
    abandoned: int
    nodes: list[NodeTally]
    stations: list[StationTally]
    cycle: np.ndarray
    felt: np.ndarray
    fixed_cost: float
    transitions: dict[tuple[int, int], int]
    events: int


def replicate(network: Network, plan: Plan, seed: np.random.SeedSequence) -> Replication:
    """Run the network once."""
    n_nodes = len(network.nodes)

    # Children made from the seed's key, not spawned from it: spawning counts on the object, and
    # the same seed must give the same streams in every scenario and process.
    def stream(i: int) -> np.random.Generator:
        key = (*seed.spawn_key, i)
        return np.random.Generator(
            np.random.PCG64(np.random.SeedSequence(seed.entropy, spawn_key=key, pool_size=seed.pool_size))
        )

    arrivals = arrival_times(network, stream(0), plan.horizon, plan.customers)
    horizon = plan.horizon if plan.horizon is not None else (float(arrivals[-1]) if len(arrivals) else 0.0)
    warm = plan.warmup if plan.warmup is not None else horizon / 10

    nodes = network.nodes
    dur_fns = []
    delay_fns = []
    pat_fns = []
    for node in nodes:
        data = network.samples.get(node.id)
        dur_fns.append(sampler(node.duration, stream(2 + 3 * node.stream), data))
        delay_fns.append(sampler(node.delay, stream(3 + 3 * node.stream)))
        pat_fns.append(sampler(node.patience, stream(4 + 3 * node.stream)))
    dur_buf: list[list[float]] = [[] for _ in nodes]
    delay_buf: list[list[float]] = [[] for _ in nodes]
    pat_buf: list[list[float]] = [[] for _ in nodes]
    choice_rng = stream(1)
    coin: list[float] = []

    res = [n.resource for n in nodes]
    has_delay = [n.delay is not None for n in nodes]
    has_pat = [n.patience is not None for n in nodes]
    need = [n.need for n in nodes]
    always = [n.always for n in nodes]
    choices = [n.choices for n in nodes]
    synced = [n.synced for n in nodes]
    costs = [n.cost for n in nodes]
    visible = [n.visible for n in nodes]
    parallel = network.parallel
    # Actions a journey enters straight away: no join to wait at, no delay, one part at a time.
    direct = [not parallel and n.need == 1 and n.delay is None for n in nodes]
    loops = any(i in network.reach[i] for i in range(n_nodes))
    reach = network.reach
    entries = network.entries

    stations = network.stations
    n_st = len(stations)
    cap = [s.capacity_at(0.0) for s in stations]
    busy = [0] * n_st
    waiting = [0] * n_st
    queues: list[deque[list[Any]]] = [deque() for _ in stations]
    sb_area = [0.0] * n_st
    sq_area = [0.0] * n_st

    q_area = [0.0] * n_nodes
    s_area = [0.0] * n_nodes
    visits = [0] * n_nodes
    cases_at = [0] * n_nodes
    rework = [0] * n_nodes
    gave_up = [0] * n_nodes
    drop = [0] * n_nodes
    waits = [array("d") for _ in nodes]
    services = [array("d") for _ in nodes]
    trans: dict[tuple[int, int], int] = {}
    cycle = array("d")
    felt_all = array("d")
    tally: list[Any] = [0, 0, 0, 0.0, 0]  # arrived, completed, abandoned, fixed cost, customers inside

    heap: list[tuple[float, int, int, Any, int]] = []
    push = heapq.heappush
    pop = heapq.heappop
    counter = itertools.count()
    now = 0.0

    # Time averages add up each stretch of waiting or work, cut to the window, when it ends (or,
    # for work, when it starts: its end is known then).
    def start(c: list[Any], k: int, ready: float) -> None:
        buf = dur_buf[k]
        if not buf:
            buf = dur_buf[k] = dur_fns[k]()
        d = buf.pop()
        end = now + d
        push(heap, (end, next(counter), _DONE, c, k))
        a = warm if now < warm else (horizon if now > horizon else now)
        b = warm if end < warm else (horizon if end > horizon else end)
        if b > a:
            s_area[k] += b - a
            r = res[k]
            if r >= 0:
                sb_area[r] += b - a
        if c[_COUNTED]:
            visits[k] += 1
            w = now - ready
            waits[k].append(w)
            services[k].append(d)
            if visible[k]:
                if parallel:
                    c[_FELT].append((ready, now))
                else:
                    c[_FELT] += w
            tally[3] += costs[k]
            if loops:
                seen = c[_SEEN]
                if k in seen:
                    rework[k] += 1
                else:
                    seen.add(k)
                    cases_at[k] += 1
            else:
                cases_at[k] += 1
        if synced[k]:
            c[_ACTIVE] += len(synced[k])
            spread(c, synced[k])

    def enter(c: list[Any], k: int, since: float) -> None:
        """``c`` is ready for ``k``, waiting since ``since`` (a delay before it included)."""
        if c[_GONE]:
            end_token(c, k)
            return
        r = res[k]
        if r < 0:
            start(c, k, since)
            return
        if busy[r] < cap[r]:
            busy[r] += 1
            start(c, k, since)
            return
        waiting[r] += 1
        entry = [c, k, since, True, now]
        queues[r].append(entry)
        if has_pat[k]:
            buf = pat_buf[k]
            if not buf:
                buf = pat_buf[k] = pat_fns[k]()
            push(heap, (now + buf.pop(), next(counter), _GIVE_UP, entry, k))

    def serve(r: int) -> None:
        queue = queues[r]
        while waiting[r] and busy[r] < cap[r]:
            entry = queue.popleft()
            if not entry[3]:
                continue
            entry[3] = False
            c, k = entry[0], entry[1]
            queued(k, r, entry[4])
            waiting[r] -= 1
            if c[_GONE]:
                end_token(c, k)
                continue
            busy[r] += 1
            start(c, k, entry[2])

    def queued(k: int, r: int, since: float) -> None:
        a = warm if since < warm else (horizon if since > horizon else since)
        b = warm if now < warm else (horizon if now > horizon else now)
        if b > a:
            q_area[k] += b - a
            sq_area[r] += b - a

    def spread(c: list[Any], targets: Sequence[int]) -> None:
        """Parts of ``c``'s journey reach ``targets`` at once (``c[_ACTIVE]`` counts them): all are
        placed before any goes on, so that a join among them sees the others coming."""
        if parallel:
            tokens = c[_TOKENS]
            for t in targets:
                tokens[t] = tokens.get(t, 0) + 1
        for t in targets:
            arrive(c, t)

    def waited(c: list[Any], since: float) -> None:
        """``c`` waited in sight from ``since`` until now (in parallel, spells may overlap)."""
        if parallel:
            c[_FELT].append((since, now))
        else:
            c[_FELT] += now - since

    def arrive(c: list[Any], k: int) -> None:
        """A part of ``c``'s journey, already placed, reaches ``k``."""
        if need[k] > 1:
            joins = c[_JOINS]
            if joins is None:
                joins = c[_JOINS] = {}
            got = joins.get(k)
            if got is None:
                got = joins[k] = [0, now]
            got[0] += 1
            if got[0] < need[k]:
                c[_ACTIVE] -= 1
                c[_TOKENS][k] -= 1
                release(c)
                return
            del joins[k]
            if visible[k] and c[_COUNTED]:
                waited(c, got[1])
        go(c, k)

    def go(c: list[Any], k: int) -> None:
        if has_delay[k]:
            buf = delay_buf[k]
            if not buf:
                buf = delay_buf[k] = delay_fns[k]()
            push(heap, (now + buf.pop(), next(counter), _READY, (c, now), k))
        else:
            enter(c, k, now)

    def release(c: list[Any]) -> None:
        """Joins of ``c`` no other part of its journey can still reach go ahead."""
        joins = c[_JOINS]
        if not joins or c[_GONE]:
            return
        tokens = c[_TOKENS]
        live = [p for p, n in tokens.items() if n > 0]
        for j in sorted(joins):
            others = [*live, *(x for x in joins if x != j)]
            if c[_ACTIVE] > 0 and any(p == j or j in reach[p] for p in others):
                continue
            got = joins.pop(j)
            c[_ACTIVE] += 1
            tokens[j] = tokens.get(j, 0) + 1
            if visible[j] and c[_COUNTED]:
                waited(c, got[1])
            go(c, j)
            return  # the released part changes what is live: look again when it moves

    def end_token(c: list[Any], k: int, *, moved: bool = False) -> None:
        c[_ACTIVE] -= 1
        if parallel and not moved:
            c[_TOKENS][k] -= 1
        if c[_JOINS]:
            release(c)
        if c[_ACTIVE] == 0:
            finish(c)

    def finish(c: list[Any]) -> None:
        tally[4] -= 1
        if not c[_COUNTED]:
            return
        felt_all.append(_union(c[_FELT]) if parallel else c[_FELT])
        if c[_GONE]:
            tally[2] += 1
            return
        tally[1] += 1
        cycle.append(now - c[_ARRIVED])
        if c[_LAST] >= 0:
            drop[c[_LAST]] += 1

    for r, s in enumerate(stations):
        if s.changes:
            push(heap, (_next_change(s.changes, 0.0), next(counter), _SHIFT, None, r))

    arr = arrivals.tolist()
    n_arr = len(arr)
    ai = 0
    next_arr = arr[0] if n_arr else math.inf
    events = 0
    inf = math.inf
    n_entries = len(entries)
    while True:
        if heap and heap[0][0] <= next_arr:
            now, _, kind, c, k = pop(heap)
            events += 1
            if kind == _DONE:
                r = res[k]
                if r >= 0:
                    busy[r] -= 1
                    if waiting[r]:
                        serve(r)
                if c[_GONE]:
                    end_token(c, k)
                    continue
                nxt = always[k]
                alt = choices[k]
                if alt:
                    if not coin:
                        coin = choice_rng.random(4096).tolist()
                    u = coin.pop()
                    for t, cum in alt:
                        if u < cum:
                            nxt = (*nxt, t)
                            break
                if parallel:
                    c[_TOKENS][k] -= 1
                if not nxt:
                    c[_LAST] = k
                    end_token(c, k, moved=True)
                    continue
                c[_ACTIVE] += len(nxt) - 1
                if c[_COUNTED]:
                    for t in nxt:
                        key = (k, t)
                        trans[key] = trans.get(key, 0) + 1
                if parallel:
                    spread(c, nxt)
                else:
                    for t in nxt:
                        if direct[t]:
                            enter(c, t, now)
                        else:
                            arrive(c, t)
                if parallel and c[_JOINS]:
                    release(c)
            elif kind == _READY:
                enter(c[0], k, c[1])
            elif kind == _GIVE_UP:
                entry = c
                if entry[3]:
                    entry[3] = False
                    c = entry[0]
                    r = res[k]
                    queued(k, r, entry[4])
                    waiting[r] -= 1
                    if not c[_GONE]:
                        c[_GONE] = True
                        if c[_COUNTED]:
                            gave_up[k] += 1
                            waited(c, entry[2])
                    end_token(c, k)
            elif kind == _SHIFT:
                if ai >= n_arr and not any(waiting) and all(e[2] == _SHIFT for e in heap):
                    break  # nobody waits for the next shift: nothing left to do
                cap[k] = stations[k].capacity_at(now)
                serve(k)
                push(heap, (_next_change(stations[k].changes, now), next(counter), _SHIFT, None, k))
        elif ai < n_arr:
            now = next_arr
            ai += 1
            next_arr = arr[ai] if ai < n_arr else inf
            counted = warm <= now <= horizon
            c = [
                now,
                n_entries,
                [] if parallel else 0.0,
                False,
                None,
                {} if parallel else None,
                counted,
                -1,
                set() if loops else None,
            ]
            tally[4] += 1
            if counted:
                tally[0] += 1
            spread(c, entries)
        else:
            break
        if not tally[4] and ai >= n_arr:
            break  # every customer served; only the shifts would go on

    if tally[4]:  # pragma: no cover - every journey ends; this would be a bug of the loop
        raise RuntimeError(f"{tally[4]} customers never finished their journey")
    window = max(horizon - warm, 0.0)
    sc_snap = [_capacity_area(st, warm, horizon) for st in stations]
    node_tallies = [
        NodeTally(
            visits=visits[i],
            cases=cases_at[i],
            rework=rework[i],
            abandoned=gave_up[i],
            drop_off=drop[i],
            waits=np.frombuffer(waits[i], dtype=float),
            services=np.frombuffer(services[i], dtype=float),
            queue=q_area[i] / window if window > 0 else 0.0,
            busy=s_area[i] / window if window > 0 else 0.0,
        )
        for i in range(n_nodes)
    ]
    station_tallies = [
        StationTally(
            utilisation=sb_area[r] / sc_snap[r] if sc_snap[r] > 0 else 0.0,
            queue=sq_area[r] / window if window > 0 else 0.0,
            capacity=sc_snap[r] / window if window > 0 else float(s.capacity),
            staff_cost=sc_snap[r] * s.cost,
        )
        for r, s in enumerate(stations)
    ]
    return Replication(
        window=window,
        arrived=tally[0],
        completed=tally[1],
        abandoned=tally[2],
        nodes=node_tallies,
        stations=station_tallies,
        cycle=np.frombuffer(cycle, dtype=float),
        felt=np.frombuffer(felt_all, dtype=float),
        fixed_cost=tally[3],
        transitions=trans,
        events=events,
    )


def _next_change(changes: tuple[tuple[float, int], ...], now: float) -> float:
    """The next time after ``now`` a capacity change of the day comes round."""
    day = math.floor(now / DAY) * DAY
    for start, _ in changes:
        if day + start > now:
            return day + start
    return day + DAY + changes[0][0]


def _capacity_area(station: Station, a: float, b: float) -> float:
    """Units of the station on duty, integrated from ``a`` to ``b``."""
    if b <= a:
        return 0.0
    if not station.changes:
        return station.capacity * (b - a)
    total = 0.0
    t = a
    while t < b:
        nxt = min(_next_change(station.changes, t), b)
        total += station.capacity_at(t) * (nxt - t)
        t = nxt
    return total


def _union(spells: list[tuple[float, float]]) -> float:
    """The time covered by spells that may overlap."""
    total = 0.0
    end = -math.inf
    for a, b in sorted(spells):
        if b > end:
            total += b - max(a, end)
            end = b
    return total
