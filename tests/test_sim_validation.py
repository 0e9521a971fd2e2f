"""The simulator checked against queueing theory and against SimPy.

Each test asserts figures of ``stageline.sim`` against values computed here independently: closed
forms (M/M/1, Erlang C, Pollaczek-Khinchine), an exactly solved Markov chain (Erlang A), a law
every sample path obeys (Little's), or the same model written in SimPy.

A simulated figure comes with its 95% confidence interval over 20 replications; it passes when
the theory lies within that interval widened by :data:`MARGIN`, twice its half-width (about four
standard errors). The margin pays for the number of checks: the file makes some 60 (40 or so of
them independent), and with the plain interval a correct simulator would fail one of them in most
runs; widened, a check fails by chance about once in 2,000 runs, the file about once in 50.
The intervals themselves are narrow: 0.1-0.3% of the figure for utilisations, throughputs and
service times, 1-4% for mean waits, queue lengths and percentiles of the wait, so a bias of 0.5%
in the former or 2-8% in the latter fails. The seeds are fixed, so the figures are too; the tests
were also run with 25 other seeds each (all passed).
"""

from __future__ import annotations

import math
import random
from collections.abc import Generator, Mapping, Sequence
from typing import Any

import numpy as np
import pytest
import simpy

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
)
from stageline.sim import Estimate, Options, ScenarioResult, compile_network, simulate
from stageline.sim.engine import Plan, Replication, replicate

#: How much wider than the simulator's 95% confidence interval a check accepts (see above).
MARGIN = 2.0

#: A station: action id, the role (resource) it holds, and its duration.
Station = tuple[str, str, Distribution]


def exp(mean: float) -> Distribution:
    return Distribution("exponential", mean=mean)


def blueprint(
    stations: Sequence[Station],
    capacity: Mapping[str, int],
    rate: float,
    flows: Sequence[Flow] = (),
    patience: Distribution | None = None,
) -> Blueprint:
    """Each station an action of its own step, holding its role when the role has a capacity."""
    roles = sorted({role for _, role, _ in stations})
    return Blueprint(
        title="validation",
        roles=tuple(Party(id=r, name=r.title()) for r in roles),
        steps=tuple(Step(id=f"s-{a}", name=a) for a, _, _ in stations),
        actions=tuple(
            Action(id=a, step=f"s-{a}", lane=Lane.FRONTSTAGE, label=a.title(), role=role) for a, role, _ in stations
        ),
        flows=tuple(flows),
        simulation=SimulationSettings(
            arrivals=Arrivals(rate=rate),
            patience=patience,
            resources=tuple(Resource(id=r, capacity=c) for r, c in capacity.items()),
            actions=tuple(SimAction(id=a, duration=d) for a, _, d in stations),
        ),
    )


def single(duration: Distribution, servers: int, rate: float, patience: Distribution | None = None) -> Blueprint:
    return blueprint([("desk", "clerk", duration)], {"clerk": servers}, rate, patience=patience)


def run(bp: Blueprint, *, replications: int, customers: int, seed: int) -> ScenarioResult:
    options = Options(replications=replications, customers=customers, seed=seed)
    return simulate(bp, options=options).scenarios[0]


def raw(bp: Blueprint, *, replications: int, customers: int, seed: int) -> list[Replication]:
    """The replications ``simulate`` would run, as the engine's raw tallies."""
    network = compile_network(bp)
    seeds = np.random.SeedSequence(seed).spawn(replications)
    return [replicate(network, Plan(customers=customers), s) for s in seeds]


def agrees(estimate: Estimate, theory: float, what: str) -> None:
    """``theory`` lies within the estimate's 95% interval widened by MARGIN."""
    assert estimate.n >= 2, f"{what}: no interval ({estimate})"
    off = abs(estimate.mean - theory)
    assert off <= MARGIN * estimate.half + 1e-12 * abs(theory), (
        f"{what}: simulated {estimate.mean:.5g} ± {estimate.half:.3g}, theory {theory:.5g} "
        f"(off by {off / estimate.half if estimate.half else math.inf:.2f} half-widths)"
    )


# Theory ------------------------------------------------------------------------------------


def erlang_c(servers: int, rate: float, mean: float) -> tuple[float, float]:
    """M/M/c: the chance an arrival waits and the mean wait in queue (Erlang C)."""
    a = rate * mean  # offered load
    assert a < servers
    b = 1.0  # Erlang B by its recursion, then Erlang C from it
    for k in range(1, servers + 1):
        b = a * b / (k + a * b)
    p_wait = servers * b / (servers - a * (1 - b))
    return p_wait, p_wait * mean / (servers - a)


def erlang_a(servers: int, rate: float, mean: float, patience: float) -> dict[str, float]:
    """M/M/c+M solved exactly: the birth-death chain of the number inside, cut where its
    probabilities vanish; the waits follow a tagged arrival through the queue ahead of it."""
    mu, theta = 1 / mean, 1 / patience
    top = servers + 2000
    weights = [1.0]
    for n in range(1, top + 1):
        weights.append(weights[-1] * rate / (min(n, servers) * mu + max(n - servers, 0) * theta))
    assert weights[-1] / sum(weights) < 1e-15
    pi = np.array(weights) / sum(weights)
    cmu = servers * mu
    served = 0.0  # P(served)
    wait_served = 0.0  # E[wait; served]
    stage_times = np.cumsum([1 / (cmu + (i + 1) * theta) for i in range(top - servers + 1)])
    for n in range(top + 1):
        if n < servers:
            served += pi[n]
            continue
        # Arriving to n inside (PASTA), it is served with chance cmu / (cmu + (n - c + 1) theta);
        # the time in each stage of its wait does not depend on how that stage ends.
        p = cmu / (cmu + (n - servers + 1) * theta)
        served += pi[n] * p
        wait_served += pi[n] * p * stage_times[n - servers]
    queue = float(sum(pi[n] * (n - servers) for n in range(servers, top + 1)))
    busy = float(sum(pi[n] * min(n, servers) for n in range(top + 1)))
    return {
        "abandon": float(1 - served),
        "abandon_by_rate": theta * queue / rate,  # the rate of giving up is theta x queue
        "wait_served": float(wait_served / served),
        "queue": queue,
        "utilisation": busy / servers,
    }


# M/M/1 and M/M/c ----------------------------------------------------------------------------


def test_mm1_against_closed_forms() -> None:
    mean, rho = 60.0, 0.7
    lam, mu = rho / mean, 1 / mean
    sc = run(single(exp(mean), 1, lam), replications=20, customers=80_000, seed=11)
    desk, clerk = sc.actions[0], sc.roles[0]
    agrees(desk.wait_mean, rho / (mu - lam), "M/M/1 Wq")
    agrees(clerk.queue, rho**2 / (1 - rho), "M/M/1 Lq")
    agrees(desk.queue, rho**2 / (1 - rho), "M/M/1 Lq of the action")
    agrees(clerk.utilisation, rho, "M/M/1 utilisation")
    agrees(desk.busy, rho, "M/M/1 number in service")
    agrees(desk.service_mean, mean, "M/M/1 service time")
    agrees(sc.throughput, lam * 3600, "M/M/1 throughput per hour")
    # The time inside is exponential with rate mu - lambda: its 90th percentile.
    agrees(sc.cycle_mean, 1 / (mu - lam), "M/M/1 time inside")
    agrees(sc.cycle_p90, math.log(10) / (mu - lam), "M/M/1 p90 of the time inside")
    assert sc.abandonment.mean == 0


@pytest.mark.parametrize(("servers", "rho", "seed"), [(3, 0.8, 21), (5, 0.85, 22)])
def test_mmc_against_erlang_c(servers: int, rho: float, seed: int) -> None:
    mean = 240.0
    lam = rho * servers / mean
    p_wait, wq = erlang_c(servers, lam, mean)
    bp = single(exp(mean), servers, lam)
    sc = run(bp, replications=20, customers=50_000, seed=seed)
    desk, clerk = sc.actions[0], sc.roles[0]
    agrees(desk.wait_mean, wq, f"M/M/{servers} Wq")
    agrees(clerk.queue, lam * wq, f"M/M/{servers} Lq")
    agrees(clerk.utilisation, rho, f"M/M/{servers} utilisation")
    assert clerk.capacity.mean == pytest.approx(servers, rel=1e-9)
    # P(Wq > t) = C exp(-(c mu - lambda) t): the 90th percentile of the wait.
    assert p_wait > 0.1
    agrees(desk.wait_p90, math.log(p_wait / 0.1) / (servers / mean - lam), f"M/M/{servers} p90 of Wq")
    # The chance of waiting at all, from the raw waits of the same replications.
    reps = raw(bp, replications=20, customers=50_000, seed=seed)
    agrees(Estimate.of([float(np.mean(r.nodes[0].waits > 0)) for r in reps]), p_wait, f"M/M/{servers} P(wait)")
    assert [float(r.nodes[0].waits.mean()) for r in reps] == pytest.approx(
        [s.nodes[0].wait.mean for s in sc.summaries], rel=1e-12
    )


# M/G/1 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("duration", "second_moment"),
    [
        (Distribution("fixed", mean=60.0), 60.0**2),
        (Distribution("uniform", low=30.0, high=90.0), 60.0**2 + 60.0**2 / 12),
        (
            Distribution("triangular", low=20.0, mode=40.0, high=120.0),
            60.0**2 + (20**2 + 40**2 + 120**2 - 20 * 40 - 20 * 120 - 40 * 120) / 18,
        ),
        (Distribution("lognormal", mean=60.0, sd=45.0), 60.0**2 + 45.0**2),
    ],
    ids=["M/D/1", "M/U/1", "M/T/1", "M/LN/1"],
)
def test_mg1_against_pollaczek_khinchine(duration: Distribution, second_moment: float) -> None:
    mean, rho = 60.0, 0.8
    lam = rho / mean
    wq = lam * second_moment / (2 * (1 - rho))
    sc = run(single(duration, 1, lam), replications=20, customers=60_000, seed=31)
    agrees(sc.actions[0].service_mean, mean, f"{duration.kind} service time")
    agrees(sc.actions[0].wait_mean, wq, f"{duration.kind}: Pollaczek-Khinchine Wq")
    agrees(sc.roles[0].queue, lam * wq, f"{duration.kind}: Pollaczek-Khinchine Lq")
    agrees(sc.roles[0].utilisation, rho, f"{duration.kind}: utilisation")
    if duration.kind == "fixed":
        assert sc.actions[0].service_mean.half == pytest.approx(0, abs=1e-9)


# Networks ---------------------------------------------------------------------------------

#: A tandem, a branch, a rework loop and a resource two actions share: reception (2 clerks),
#: triage (1 nurse), then either the doctor (2 of them, 30%) and a form the customer fills in
#: (no resource), or the clerks again at the counter (70%), sent back to triage one time in five.
#: Every station serves in exponential times of one mean, so this is a Jackson network.
CLINIC: tuple[Station, ...] = (
    ("reception", "clerk", exp(100.0)),
    ("triage", "nurse", exp(80.0)),
    ("doctor", "doctor", exp(500.0)),
    ("form", "patient", exp(30.0)),
    ("counter", "clerk", exp(100.0)),
)
CLINIC_CAPACITY = {"clerk": 2, "nurse": 1, "doctor": 2}
CLINIC_RATE = 1 / 120
CLINIC_FLOWS = (
    Flow(source="reception", target="triage"),
    Flow(source="triage", target="doctor", probability=0.3),
    Flow(source="triage", target="counter", probability=0.7),
    Flow(source="doctor", target="form"),
    Flow(source="counter", target="triage", probability=0.2),
)
#: Visits per customer, from the traffic equations.
_TRIAGE = 1 / (1 - 0.7 * 0.2)
CLINIC_VISITS = {
    "reception": 1.0,
    "triage": _TRIAGE,
    "doctor": 0.3 * _TRIAGE,
    "form": 0.3 * _TRIAGE,
    "counter": 0.7 * _TRIAGE,
}


def clinic(patience: Distribution | None = None) -> Blueprint:
    return blueprint(CLINIC, CLINIC_CAPACITY, CLINIC_RATE, CLINIC_FLOWS, patience=patience)


def test_littles_law_on_every_station_of_a_network() -> None:
    bp = clinic()
    network = compile_network(bp)
    (rep,) = raw(bp, replications=1, customers=200_000, seed=41)
    assert rep.abandoned == 0
    assert rep.completed == rep.arrived
    for node, tally in zip(network.nodes, rep.nodes, strict=True):
        inside = tally.queue + tally.busy  # time-average number at the action
        arrival_rate = tally.visits / rep.window
        time_there = float(tally.waits.mean() + tally.services.mean())
        assert inside == pytest.approx(arrival_rate * time_there, rel=0.005), node.id
        assert tally.visits / rep.arrived == pytest.approx(CLINIC_VISITS[node.id], rel=0.02), node.id
        assert tally.busy == pytest.approx(arrival_rate * float(tally.services.mean()), rel=0.005), node.id
        if node.resource < 0:
            assert tally.queue == 0
            assert not tally.waits.any()
    assert rep.nodes[1].rework > 0
    # The clerks' queue is the sum of the queues of their two actions.
    clerk = [s.id for s in network.stations].index("clerk")
    assert rep.stations[clerk].queue == pytest.approx(rep.nodes[0].queue + rep.nodes[4].queue, rel=1e-9)
    busy_clerks = rep.nodes[0].busy + rep.nodes[4].busy
    assert rep.stations[clerk].utilisation == pytest.approx(busy_clerks / 2, rel=1e-9)
    assert busy_clerks == pytest.approx(CLINIC_RATE * (1 + CLINIC_VISITS["counter"]) * 100, rel=0.03)


def test_jackson_network() -> None:
    """By Jackson's theorem each station of the clinic is an M/M/c queue of its own, fed at the
    rate the traffic equations give, rework loop and all; customers arriving at a station see it
    as in time average, so both actions of the clerks wait alike."""
    sc = run(clinic(), replications=20, customers=40_000, seed=45)
    index = {a.id: k for k, a in enumerate(sc.actions)}
    roles = {r.id: r for r in sc.roles}
    time_inside = 0.0
    for role, servers in CLINIC_CAPACITY.items():
        ids = [a for a, r, _ in CLINIC if r == role]
        mean = next(d.mean for _, r, d in CLINIC if r == role)
        assert mean is not None
        lam = CLINIC_RATE * sum(CLINIC_VISITS[a] for a in ids)
        _, wq = erlang_c(servers, lam, mean)
        agrees(roles[role].utilisation, lam * mean / servers, f"{role}: utilisation")
        agrees(roles[role].queue, lam * wq, f"{role}: Lq")
        for a in ids:
            agrees(sc.actions[index[a]].wait_mean, wq, f"{a}: Wq")
            time_inside += CLINIC_VISITS[a] * (wq + mean)
    for a, visits in CLINIC_VISITS.items():
        per_customer = Estimate.of([s.nodes[index[a]].visits / s.arrived for s in sc.summaries])
        agrees(per_customer, visits, f"{a}: visits per customer")
    assert sc.actions[index["form"]].wait_mean.mean == 0
    time_inside += CLINIC_VISITS["form"] * 30.0
    agrees(sc.cycle_mean, time_inside, "time inside")


# Abandonment -------------------------------------------------------------------------------


def test_abandonment_against_erlang_a() -> None:
    servers, mean, rho, patience = 3, 60.0, 0.9, 180.0
    lam = rho * servers / mean
    theory = erlang_a(servers, lam, mean, patience)
    _, no_patience = erlang_c(servers, lam, mean)
    # The chain is sound: two ways to the share giving up agree, and without giving up it is Erlang C.
    assert theory["abandon"] == pytest.approx(theory["abandon_by_rate"], rel=1e-9)
    assert erlang_a(servers, lam, mean, 1e12)["wait_served"] == pytest.approx(no_patience, rel=1e-6)
    sc = run(single(exp(mean), servers, lam, patience=exp(patience)), replications=20, customers=80_000, seed=51)
    desk = sc.actions[0]
    assert sc.abandonment.low > 0.01
    assert desk.wait_mean.high < 0.8 * no_patience
    agrees(sc.abandonment, theory["abandon"], "Erlang A: share giving up")
    agrees(desk.abandoned, theory["abandon"], "Erlang A: share giving up at the action")
    agrees(desk.wait_mean, theory["wait_served"], "Erlang A: mean wait of those served")
    agrees(sc.roles[0].queue, theory["queue"], "Erlang A: Lq")
    agrees(sc.roles[0].utilisation, theory["utilisation"], "Erlang A: utilisation")
    agrees(sc.throughput, lam * (1 - theory["abandon"]) * 3600, "Erlang A: served per hour")


# Against SimPy ------------------------------------------------------------------------------

#: Two desks (uniform service), then a single nurse (lognormal), then for 40% a single doctor
#: (triangular): no closed form for the second and third stations, whose arrivals are not Poisson.
SIMPY_RATE = 1 / 80
SIMPY_STATIONS: tuple[Station, ...] = (
    ("desk", "clerk", Distribution("uniform", low=60.0, high=180.0)),
    ("nurse", "nurse", Distribution("lognormal", mean=60.0, sd=60.0)),
    ("doctor", "doctor", Distribution("triangular", low=60.0, mode=120.0, high=240.0)),
)
SIMPY_CAPACITY = {"clerk": 2, "nurse": 1, "doctor": 1}
SIMPY_BRANCH = 0.4


def simpy_run(seed: int, customers: int) -> list[float]:
    """The network in SimPy, as a SimPy user writes it; the mean wait at each station of the
    customers after the first tenth."""
    rng = random.Random(seed)
    env = simpy.Environment()
    desks = simpy.Resource(env, capacity=SIMPY_CAPACITY["clerk"])
    nurse = simpy.Resource(env, capacity=SIMPY_CAPACITY["nurse"])
    doctor = simpy.Resource(env, capacity=SIMPY_CAPACITY["doctor"])
    sigma = math.sqrt(math.log1p((60.0 / 60.0) ** 2))
    waits: list[list[float]] = [[], [], []]

    def visit(
        station: simpy.Resource, duration: float, record: list[float] | None
    ) -> Generator[simpy.Event, Any, None]:
        arrived = env.now
        with station.request() as turn:
            yield turn
            if record is not None:
                record.append(env.now - arrived)
            yield env.timeout(duration)

    def patient(counted: bool) -> Generator[simpy.Event, Any, None]:
        yield from visit(desks, rng.uniform(60.0, 180.0), waits[0] if counted else None)
        yield from visit(nurse, rng.lognormvariate(math.log(60.0) - sigma**2 / 2, sigma), waits[1] if counted else None)
        if rng.random() < SIMPY_BRANCH:
            yield from visit(doctor, rng.triangular(60.0, 240.0, 120.0), waits[2] if counted else None)

    def arrivals() -> Generator[simpy.Event, Any, None]:
        for i in range(customers):
            yield env.timeout(rng.expovariate(SIMPY_RATE))
            env.process(patient(i >= customers // 10))

    env.process(arrivals())
    env.run()
    return [float(np.mean(w)) for w in waits]


def test_against_simpy() -> None:
    replications, customers = 20, 12_000
    bp = blueprint(
        SIMPY_STATIONS,
        SIMPY_CAPACITY,
        SIMPY_RATE,
        [Flow(source="desk", target="nurse"), Flow(source="nurse", target="doctor", probability=SIMPY_BRANCH)],
    )
    sc = run(bp, replications=replications, customers=customers, seed=61)
    theirs = [simpy_run(1000 + i, customers) for i in range(replications)]
    for k, (name, _, _) in enumerate(SIMPY_STATIONS):
        ours = sc.actions[k].wait_mean
        other = Estimate.of([w[k] for w in theirs])
        # Independent streams: the two means differ by chance alone, about as the two
        # intervals combined for a difference.
        tolerance = MARGIN * math.hypot(ours.half, other.half)
        assert abs(ours.mean - other.mean) <= tolerance, (
            f"{name}: Stageline {ours.mean:.4g} ± {ours.half:.3g}, SimPy {other.mean:.4g} ± {other.half:.3g}"
        )
        assert ours.mean > 5  # a real queue, so the comparison means something


# Determinism -------------------------------------------------------------------------------


def figures(sc: ScenarioResult) -> list[float]:
    """Every figure of a scenario, flattened."""
    out: list[float] = []
    estimates = [sc.customers, sc.throughput, sc.abandonment, sc.felt_mean, sc.felt_p90, sc.cycle_mean, sc.cycle_p90]
    estimates += [sc.cost]
    for a in sc.actions:
        estimates += [a.visits, a.wait_mean, a.wait_p90, a.service_mean, a.queue, a.busy, a.abandoned]
        out += a.waits.tolist()
    for r in sc.roles:
        estimates += [r.capacity, r.utilisation, r.queue]
    for e in estimates:
        out += [e.mean, e.half]
    out += sc.felt_waits.tolist()
    return out


def same(a: list[float], b: list[float]) -> bool:
    return len(a) == len(b) and bool(np.array_equal(np.array(a), np.array(b), equal_nan=True))


def test_determinism() -> None:
    bp = clinic(patience=exp(900.0))

    def once(seed: int, jobs: int) -> list[float]:
        options = Options(replications=4, customers=3000, seed=seed, jobs=jobs)
        return figures(simulate(bp, options=options).scenarios[0])

    first = once(7, 1)
    assert len(first) > 1000
    assert same(first, once(7, 1))
    assert same(first, once(7, 2))
    assert not same(first, once(8, 1))
    network = compile_network(bp)
    one, two = (replicate(network, Plan(customers=2000), np.random.SeedSequence(3)) for _ in range(2))
    assert one.events == two.events
    assert one.transitions == two.transitions
    for x, y in zip(one.nodes, two.nodes, strict=True):
        assert np.array_equal(x.waits, y.waits)
        assert (x.queue, x.busy, x.abandoned) == (y.queue, y.busy, y.abandoned)
