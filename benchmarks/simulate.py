"""The simulator: a tandem of queues side by side with SimPy, and a large blueprint alone.

Targets (on this machine, 2 cores):

- the same tandem network of three M/M/5 stations, 100k customers, in SimPy and in Stageline:
  Stageline at least 3x faster;
- 1M customers through a 20-step blueprint in under 60 s.

The tandem: customers arrive as a Poisson stream (one a minute) and go through three stations
one after the other, each with five servers and exponential service of 4 minutes on average
(utilisation 0.8 at each). Both sides run one replication of the same number of customers,
on one core, from their own random numbers; both report the mean wait in queue at each station
of the customers after the first tenth, which agree with each other and with Erlang C (each
station of such a tandem is an M/M/5 queue of its own, by Burke's theorem), printed beside
them.

What each side computes, and what is timed:

- SimPy (4.1, timed from building the environment to the end of ``env.run()`` and the means):
  written as a SimPy user writes it, three ``simpy.Resource(env, capacity=5)``, a source
  process starting one process per customer, which requests each station in turn (``with
  station.request() as req: yield req``), notes its wait and holds the server for an
  exponential time (Python's ``random``); waits collected in lists.
- Stageline ``simulate(bp, options=Options(replications=1, customers=N, jobs=1))`` (timed
  from the blueprint, built beforehand, to the result): compiles the blueprint into its
  network, draws the arrivals and durations with NumPy, runs the event loop, and sums up every
  figure it reports (per action: visits, mean, p90 and spread of the waits and service times,
  time-average queue and number in service; per role: utilisation, queue, capacity;
  throughput, time inside and felt waits with their percentiles, cost).

The large blueprint: 20 actions in a chain, one per step, in the customer, frontstage,
backstage and support lanes; five roles and a system with capacities (utilisations 0.6 to
0.85), actions of the customer lane holding none; exponential, lognormal and triangular
durations; a branch (30% see a specialist), a rework loop (10% go back three actions), a
drop-off (5% leave half-way), and two checks run in parallel and joined. 1M customers, one
replication, ``simulate`` as above (timed the same way).

Every measurement runs in a fresh process, so its peak memory (the process's peak resident
set: ``resource.getrusage``) is its own. ``--repeat N`` runs each N times and keeps the
fastest, which helps on a machine other work shares (the load average before and after is
printed).

Run: .venv/bin/python benchmarks/simulate.py [--customers 100000] [--big-customers 1000000]
     [--repeat N] [--seed 1]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

TARGET_RATIO = 3.0
TARGET_BIG_S = 60.0

#: The tandem: arrivals per second, mean service in seconds, servers per station, stations.
RATE = 1 / 60
SERVICE = 240.0
SERVERS = 5
STATIONS = 3


# --- the tandem -----------------------------------------------------------------------------


def simpy_tandem(customers: int, seed: int) -> dict[str, Any]:
    """The tandem in SimPy; seconds and the mean wait at each station."""
    import simpy

    began = time.perf_counter()
    rng = random.Random(seed)
    env = simpy.Environment()
    stations = [simpy.Resource(env, capacity=SERVERS) for _ in range(STATIONS)]
    waits: list[list[float]] = [[] for _ in stations]

    def customer(counted: bool) -> Generator[simpy.Event, Any, None]:
        for station, record in zip(stations, waits, strict=True):
            arrived = env.now
            with station.request() as req:
                yield req
                if counted:
                    record.append(env.now - arrived)
                yield env.timeout(rng.expovariate(1 / SERVICE))

    def source() -> Generator[simpy.Event, Any, None]:
        for i in range(customers):
            yield env.timeout(rng.expovariate(RATE))
            env.process(customer(i >= customers // 10))

    env.process(source())
    env.run()
    means = [sum(w) / len(w) for w in waits]
    seconds = time.perf_counter() - began
    return {"seconds": seconds, "customers": customers, "waits": means}


def tandem_blueprint() -> Any:
    from stageline.model import (
        Action,
        Arrivals,
        Blueprint,
        Flow,
        Lane,
        Party,
        Resource,
        SimulationSettings,
        Step,
        Timing,
    )

    ids = [f"station-{k + 1}" for k in range(STATIONS)]
    return Blueprint(
        title="tandem",
        roles=tuple(Party(id=f"servers-{i}", name=f"Servers {i}") for i in ids),
        steps=tuple(Step(id=f"step-{i}", name=i) for i in ids),
        actions=tuple(
            Action(id=i, step=f"step-{i}", lane=Lane.FRONTSTAGE, label=i, role=f"servers-{i}", duration=Timing(SERVICE))
            for i in ids
        ),
        flows=tuple(Flow(source=a, target=b) for a, b in itertools.pairwise(ids)),
        simulation=SimulationSettings(
            arrivals=Arrivals(rate=RATE), resources=tuple(Resource(id=f"servers-{i}", capacity=SERVERS) for i in ids)
        ),
    )


def _timed(bp: Any, customers: int, seed: int) -> tuple[float, Any]:
    """Seconds ``simulate`` takes for one replication of ``customers``, and its one scenario."""
    from stageline.sim import Options, simulate

    began = time.perf_counter()
    result = simulate(bp, options=Options(replications=1, customers=customers, seed=seed, jobs=1))
    return time.perf_counter() - began, result.scenarios[0]


def stageline_tandem(customers: int, seed: int) -> dict[str, Any]:
    """The tandem in Stageline; seconds and the mean wait at each station."""
    seconds, sc = _timed(tandem_blueprint(), customers, seed)
    return {
        "seconds": seconds,
        "customers": customers,
        "waits": [a.wait_mean.mean for a in sc.actions],
        "events": sc.events,
    }


def erlang_c_wait(servers: int, rate: float, mean: float) -> float:
    """The mean wait in queue of an M/M/c queue."""
    a = rate * mean
    b = 1.0
    for k in range(1, servers + 1):
        b = a * b / (k + a * b)
    p_wait = servers * b / (servers - a * (1 - b))
    return p_wait * mean / (servers - a)


# --- the large blueprint ----------------------------------------------------------------------

#: (id, lane, role or system, mean seconds, distribution), in journey order.
BIG_ACTIONS: tuple[tuple[str, str, str, float, str], ...] = (
    ("find-us", "customer", "", 120.0, "exponential"),
    ("greet", "frontstage", "receptionist", 60.0, "exponential"),
    ("register", "frontstage", "receptionist", 90.0, "lognormal"),
    ("record", "support", "crm", 20.0, "triangular"),
    ("assess", "backstage", "clerk", 150.0, "exponential"),
    ("specialist", "backstage", "specialist", 400.0, "lognormal"),
    ("quote", "frontstage", "advisor", 200.0, "exponential"),
    ("consider", "customer", "", 600.0, "exponential"),
    ("sign", "frontstage", "advisor", 120.0, "triangular"),
    ("check-id", "backstage", "clerk", 90.0, "exponential"),
    ("check-credit", "support", "crm", 15.0, "exponential"),
    ("approve", "backstage", "clerk", 60.0, "exponential"),
    ("prepare", "backstage", "clerk", 100.0, "lognormal"),
    ("review", "backstage", "specialist", 120.0, "exponential"),
    ("explain", "frontstage", "advisor", 180.0, "exponential"),
    ("pay", "customer", "", 60.0, "exponential"),
    ("receipt", "support", "crm", 5.0, "exponential"),
    ("hand-over", "frontstage", "receptionist", 60.0, "triangular"),
    ("survey", "customer", "", 90.0, "exponential"),
    ("close", "backstage", "clerk", 30.0, "exponential"),
)
BIG_RATE = 1 / 30
BIG_CAPACITY = {"receptionist": 9, "crm": 2, "clerk": 18, "specialist": 10, "advisor": 21}


def big_blueprint() -> Any:
    from stageline.model import (
        Action,
        Arrivals,
        Blueprint,
        Distribution,
        Flow,
        Lane,
        Party,
        Resource,
        SimAction,
        SimulationSettings,
        Step,
        Timing,
    )

    systems = {"crm"}
    actions = []
    special = []
    for aid, lane, who, mean, kind in BIG_ACTIONS:
        actions.append(
            Action(
                id=aid,
                step=f"step-{aid}",
                lane=Lane(lane),
                label=aid.replace("-", " ").title(),
                role=who if who and who not in systems else None,
                system=who if who in systems else None,
                duration=Timing(mean),
            )
        )
        if kind == "lognormal":
            special.append(SimAction(id=aid, duration=Distribution("lognormal", mean=mean, sd=mean * 0.8)))
        elif kind == "triangular":
            special.append(
                SimAction(id=aid, duration=Distribution("triangular", low=mean / 2, mode=mean * 0.75, high=mean * 1.75))
            )
    ids = [a[0] for a in BIG_ACTIONS]
    chain = dict(itertools.pairwise(ids))
    flows = []
    for src, tgt in chain.items():
        if src == "assess":  # a branch: 30% see the specialist first
            flows += [
                Flow(source=src, target="specialist", probability=0.3),
                Flow(source=src, target="quote", probability=0.7),
            ]
        elif src == "specialist":
            flows.append(Flow(source=src, target="quote"))
        elif src == "approve":  # rework: 10% go back to the identity check
            flows += [
                Flow(source=src, target="check-id", probability=0.1),
                Flow(source=src, target=tgt, probability=0.9),
            ]
        elif src == "consider":  # drop-off: 5% leave here
            flows.append(Flow(source=src, target=tgt, probability=0.95))
        elif src == "prepare":  # two checks in parallel, joined before the explanation
            flows += [Flow(source=src, target="review"), Flow(source=src, target="explain")]
        elif src == "review":
            flows.append(Flow(source=src, target="explain"))
        else:
            flows.append(Flow(source=src, target=tgt))
    roles = sorted({who for _, _, who, _, _ in BIG_ACTIONS if who and who not in systems})
    return Blueprint(
        title="twenty steps",
        roles=tuple(Party(id=r, name=r.title()) for r in roles),
        systems=tuple(Party(id=s, name=s.upper()) for s in sorted(systems)),
        steps=tuple(Step(id=f"step-{a}", name=a) for a in ids),
        actions=tuple(actions),
        flows=tuple(flows),
        simulation=SimulationSettings(
            arrivals=Arrivals(rate=BIG_RATE),
            resources=tuple(Resource(id=r, capacity=c) for r, c in BIG_CAPACITY.items()),
            actions=tuple(special),
        ),
    )


def stageline_big(customers: int, seed: int) -> dict[str, Any]:
    """The 20-step blueprint in Stageline; seconds, events and utilisations."""
    seconds, sc = _timed(big_blueprint(), customers, seed)
    return {
        "seconds": seconds,
        "customers": customers,
        "events": sc.events,
        "visits": sum(a.visits.mean for a in sc.actions) / sc.customers.mean,
        "utilisation": {r.id: r.utilisation.mean for r in sc.roles},
        "cycle": sc.cycle_mean.mean,
    }


# --- running --------------------------------------------------------------------------------

CHILDREN = {"simpy": simpy_tandem, "stageline": stageline_tandem, "big": stageline_big}


def child(job: str, customers: int, seed: int) -> dict[str, Any]:
    import resource

    out = CHILDREN[job](customers, seed)
    out["mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def measure(job: str, customers: int, seed: int, repeat: int) -> dict[str, Any]:
    """The fastest of ``repeat`` runs of ``job``, each in a fresh process."""
    runs = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, str(Path(__file__).resolve()), "--child", job, str(customers), str(seed)],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            lines = done.stderr.strip().splitlines()
            return {"error": lines[-1] if lines else f"exit code {done.returncode}"}
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return dict(min(runs, key=lambda r: float(r["seconds"])))


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def tandem_table(customers: int, seed: int, repeat: int) -> None:
    print(
        f"\nTandem of {STATIONS} M/M/{SERVERS} stations (utilisation {RATE * SERVICE / SERVERS:.2f} each), "
        f"{customers:,} customers, one replication"
    )
    header = " ".join(f"{f'wait {k + 1}':>8}" for k in range(STATIONS))
    print(f"{'':<22} {'time':>9} {'customers/s':>12} {'peak MB':>8} {header}")
    theirs = measure("simpy", customers, seed, repeat)
    ours = measure("stageline", customers, seed, repeat)
    for name, r in (("SimPy 4.1", theirs), ("Stageline simulate", ours)):
        if "error" in r:
            print(f"{name:<22} failed: {r['error']}")
            continue
        waits = " ".join(f"{w:>7.1f}s" for w in r["waits"])
        rate = r["customers"] / r["seconds"]
        print(f"{name:<22} {r['seconds']:>7.2f} s {rate:>12,.0f} {r['mb']:>8,.0f} {waits}")
    theory = erlang_c_wait(SERVERS, RATE, SERVICE)
    print(f"{'Erlang C':<22} {'':>9} {'':>12} {'':>8} " + " ".join(f"{theory:>7.1f}s" for _ in range(STATIONS)))
    if "error" in ours or "error" in theirs:
        return
    ratio = theirs["seconds"] / ours["seconds"]
    print(
        f"ratio SimPy / Stageline: {ratio:.1f}x (target {TARGET_RATIO:g}x: {_verdict(ratio >= TARGET_RATIO)}); "
        f"Stageline handled {ours['events']:,} events"
    )


def big_table(customers: int, seed: int, repeat: int) -> None:
    print(
        f"\n20-step blueprint (branch, rework loop, drop-off, parallel join), {customers:,} customers, one replication"
    )
    r = measure("big", customers, seed, repeat)
    if "error" in r:
        print(f"Stageline failed: {r['error']}")
        return
    print(f"{'time':>9} {'customers/s':>12} {'events':>12} {'visits/customer':>16} {'peak MB':>8} {'target':>14}")
    target = f"{TARGET_BIG_S:g} s {_verdict(r['seconds'] < TARGET_BIG_S)}"
    print(
        f"{r['seconds']:>7.2f} s {r['customers'] / r['seconds']:>12,.0f} {r['events']:>12,} "
        f"{r['visits']:>16.2f} {r['mb']:>8,.0f} {target:>14}"
    )
    use = ", ".join(f"{k} {v:.2f}" for k, v in r["utilisation"].items())
    print(f"utilisation: {use}; mean time inside {r['cycle'] / 60:.1f} min")


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description="The simulator side by side with SimPy, and on a large blueprint.")
    parser.add_argument("--customers", type=float, default=100_000, help="customers through the tandem")
    parser.add_argument("--big-customers", type=float, default=1_000_000, help="customers through the 20 steps")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each measurement; the fastest is kept")
    parser.add_argument("--seed", type=int, default=1, help="random seed of every run")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} before the runs")
    repeat = max(1, args.repeat)
    if args.customers:
        tandem_table(int(args.customers), args.seed, repeat)
    if args.big_customers:
        big_table(int(args.big_customers), args.seed, repeat)
    print(f"\nall runs: {time.perf_counter() - began:.0f} s; load average {os.getloadavg()[0]:.1f} after them")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        print(json.dumps(child(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))))
    else:
        main(sys.argv[1:])
