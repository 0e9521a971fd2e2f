"""The network a blueprint and its scenarios compile to, and the blueprints that cannot be simulated."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from stageline.errors import Location, SimulationError
from stageline.model import (
    Action,
    Arrivals,
    Blueprint,
    Distribution,
    Flow,
    FlowKind,
    Lane,
    Move,
    Party,
    Resource,
    Scenario,
    Shift,
    SimAction,
    SimulationSettings,
    Step,
)
from stageline.model.timing import Timing
from stageline.sim import Options, simulate
from stageline.sim.engine import Plan, replicate
from stageline.sim.network import compile_network, offered_load, visits

HERE = Location("sim.yaml", 7, 3)


def _bp(*, flows: tuple[Flow, ...] | None = None, capacity: int = 2, rate: float = 1 / 120) -> Blueprint:
    steps = tuple(Step(id=f"s{i}", name=f"S{i}") for i in range(1, 5))
    actions = (
        Action(id="ask", step="s1", lane=Lane.CUSTOMER, label="Ask", duration=Timing(30)),
        Action(id="serve", step="s2", lane=Lane.FRONTSTAGE, label="Serve", role="clerk", duration=Timing(100)),
        Action(id="file", step="s3", lane=Lane.BACKSTAGE, label="File", role="clerk", duration=Timing(20)),
        Action(id="leave", step="s4", lane=Lane.CUSTOMER, label="Leave", duration=Timing(10)),
    )
    if flows is None:
        flows = (
            Flow(source="ask", target="serve"),
            Flow(source="serve", target="file"),
            Flow(source="file", target="leave"),
        )
    return Blueprint(
        title="Counter",
        roles=(Party(id="clerk", name="Clerk"),),
        steps=steps,
        actions=actions,
        flows=flows,
        simulation=SimulationSettings(
            arrivals=Arrivals(rate=rate), resources=(Resource(id="clerk", capacity=capacity, where=HERE),)
        ),
    )


def test_actions_hold_their_role_and_follow_the_flows() -> None:
    net = compile_network(_bp())
    by_id = {n.id: n for n in net.nodes}
    assert [net.nodes[i].id for i in net.entries] == ["ask"]
    assert by_id["ask"].resource == -1  # the customer takes their own time
    assert net.stations[by_id["serve"].resource].id == "clerk"
    assert by_id["serve"].always == (2,)
    assert by_id["serve"].duration == Distribution("exponential", mean=100)
    # 1/120 per second x (100 + 20) s of the clerk's work per customer, for 2 clerks
    assert offered_load(net) == pytest.approx([1.0])


def test_branch_odds_give_visits_and_the_rest_ends_the_journey() -> None:
    flows = (
        Flow(source="ask", target="serve", probability=0.6),
        Flow(source="ask", target="leave", probability=0.3),
        Flow(source="serve", target="file"),
        Flow(source="file", target="leave"),
    )
    net = compile_network(_bp(flows=flows))
    # `leave` is reached two ways, so visits are counted in a pilot run (3,000 customers)
    assert visits(net) == pytest.approx([1.0, 0.6, 0.6, 0.9], abs=0.03)


def test_a_rework_loop_is_visited_again() -> None:
    flows = (
        Flow(source="ask", target="serve"),
        Flow(source="serve", target="file"),
        Flow(source="file", target="serve", probability=0.2),
        Flow(source="file", target="leave", probability=0.8),
    )
    net = compile_network(_bp(flows=flows))
    assert visits(net)[1] == pytest.approx(1 / 0.8)
    rep = replicate(net, Plan(customers=4000, warmup=0), np.random.SeedSequence(3))
    serve = rep.nodes[1]
    assert serve.rework > 0
    assert serve.visits == serve.cases + serve.rework
    assert serve.visits / serve.cases == pytest.approx(1.25, rel=0.05)


def test_a_cycle_without_a_choice_is_not_followed() -> None:
    """Information passed back and forth is not a loop customers go round for ever."""
    flows = (
        Flow(source="ask", target="serve"),
        Flow(source="serve", target="file"),
        Flow(source="file", target="serve"),
        Flow(source="file", target="leave"),
    )
    net = compile_network(_bp(flows=flows))
    assert visits(net) == pytest.approx([1, 1, 1, 1])
    rep = replicate(net, Plan(customers=200, warmup=0), np.random.SeedSequence(1))
    assert rep.completed == rep.arrived == 200


def test_parallel_work_joins_before_the_next_action() -> None:
    """`serve` and `file` both follow `ask`; `leave` waits for both."""
    flows = (
        Flow(source="ask", target="serve"),
        Flow(source="ask", target="file"),
        Flow(source="serve", target="leave"),
        Flow(source="file", target="leave"),
    )
    bp = _bp(flows=flows, capacity=50)
    net = compile_network(bp)
    assert net.parallel
    assert net.nodes[3].need == 2
    rep = replicate(net, Plan(customers=500, warmup=0), np.random.SeedSequence(2))
    assert rep.completed == 500
    assert rep.nodes[3].visits == 500  # once per customer, not once per branch


def test_a_join_after_alternatives_does_not_wait_for_the_branch_not_taken() -> None:
    flows = (
        Flow(source="ask", target="serve", probability=0.5),
        Flow(source="ask", target="file", probability=0.5),
        Flow(source="serve", target="leave"),
        Flow(source="file", target="leave"),
    )
    net = compile_network(_bp(flows=flows, capacity=50))
    rep = replicate(net, Plan(customers=400, warmup=0), np.random.SeedSequence(4))
    assert rep.completed == 400
    assert rep.nodes[3].visits == 400


def test_scenarios_change_staff_durations_and_arrivals() -> None:
    bp = _bp(capacity=2)
    sc = Scenario(
        name="change",
        staff=(("clerk", 1, True),),
        scale=(("serve", 0.5),),
        durations=(("file", Distribution("fixed", mean=5)),),
        rate_scale=2.0,
    )
    net = compile_network(bp, scenario=sc)
    assert net.stations[0].capacity == 3
    assert net.nodes[1].duration == Distribution("exponential", mean=50)
    assert net.nodes[2].duration == Distribution("fixed", mean=5)
    assert net.rate == pytest.approx(2 / 120)
    absolute = compile_network(bp, scenario=Scenario(name="four", staff=(("clerk", 4, False),)))
    assert absolute.stations[0].capacity == 4


def test_automating_an_action_frees_it_of_its_role() -> None:
    net = compile_network(_bp(), scenario=Scenario(name="robot", automate=("file",)))
    assert net.nodes[2].resource == -1
    assert offered_load(net) == pytest.approx([100 / 120])


def test_removing_an_action_joins_the_flows_around_it() -> None:
    net = compile_network(_bp(), scenario=Scenario(name="no filing", remove=("file",)))
    assert [n.id for n in net.nodes] == ["ask", "serve", "leave"]
    assert net.nodes[1].always == (2,)
    step_gone = compile_network(_bp(), scenario=Scenario(name="no s3", remove=("s3",)))
    assert "file" not in {n.id for n in step_gone.nodes}


def test_moving_a_step_puts_its_actions_after_another() -> None:
    net = compile_network(_bp(), scenario=Scenario(name="file last", move=(Move(step="s3", after="s4"),)))
    order = {n.id: n for n in net.nodes}
    ids = [n.id for n in net.nodes]
    assert ids == ["ask", "serve", "leave", "file"]
    assert [ids[t] for t in order["serve"].always] == ["leave"]
    assert [ids[t] for t in order["leave"].always] == ["file"]
    assert order["file"].always == ()


def test_new_odds_replace_the_drawn_ones() -> None:
    flows = (
        Flow(source="ask", target="serve", probability=0.6),
        Flow(source="ask", target="leave", probability=0.4),
        Flow(source="serve", target="file"),
    )
    net = compile_network(
        _bp(flows=flows), scenario=Scenario(name="odds", odds=(("ask", "serve", 0.9), ("ask", "leave", 0.1)))
    )
    assert [round(c, 6) for _, c in net.nodes[0].choices] == [0.9, 1.0]


def test_shifts_give_capacity_by_time_of_day() -> None:
    bp = _bp()
    sim = replace(
        bp.simulation,  # type: ignore[type-var]
        resources=(
            Resource(id="clerk", capacity=0, shifts=(Shift(9 * 3600, 17 * 3600, 3), Shift(12 * 3600, 14 * 3600, 1))),
        ),
    )
    net = compile_network(replace(bp, simulation=sim))
    st = net.stations[0]
    assert st.capacity_at(8 * 3600) == 0
    assert st.capacity_at(10 * 3600) == 3
    assert st.capacity_at(13 * 3600) == 4
    assert st.capacity_at(86400 + 13 * 3600) == 4
    assert st.mean_capacity == pytest.approx((8 * 3 + 2) / 24)


def test_customers_wait_for_the_morning_shift() -> None:
    bp = _bp(rate=1 / 600)
    sim = replace(bp.simulation, resources=(Resource(id="clerk", capacity=0, shifts=(Shift(9 * 3600, 17 * 3600, 2),)),))  # type: ignore[type-var]
    result = simulate(replace(bp, simulation=sim), options=Options(replications=2, horizon=86400, jobs=1))
    serve = result.scenarios[0].actions[1]
    # Customers arriving in the night wait for 9:00: hours, not the minutes the load gives.
    assert serve.wait_mean.mean > 3600
    assert result.plan.warmup == 0


def _problems(bp: Blueprint, sc: Scenario | None = None) -> list[str]:
    with pytest.raises(SimulationError) as caught:
        compile_network(bp, scenario=sc)
    return [str(p) for p in caught.value.errors]


def test_a_resource_with_no_capacity_is_refused_where_it_is_written() -> None:
    bp = _bp()
    sim = replace(bp.simulation, resources=(Resource(id="clerk", capacity=0, where=HERE),))  # type: ignore[type-var]
    [message] = _problems(replace(bp, simulation=sim))
    assert message.startswith("sim.yaml:7:3")
    assert "capacity of 0" in message


def test_a_queue_that_never_settles_is_refused_not_simulated_for_ever() -> None:
    [message] = _problems(_bp(capacity=1))
    assert "`clerk` would need 1.00" in message
    assert "utilisation 100%" in message
    assert "capacity above" in message


def test_patience_lets_an_overloaded_queue_settle() -> None:
    bp = _bp(capacity=1)
    sim = replace(bp.simulation, patience=Distribution("exponential", mean=300))  # type: ignore[type-var]
    result = simulate(replace(bp, simulation=sim), options=Options(replications=2, customers=3000, jobs=1))
    assert result.scenarios[0].abandonment.mean > 0.05


def test_unknown_names_in_a_scenario_are_listed_with_suggestions() -> None:
    where = Location("extra.yaml", 3, 5)
    sc = Scenario(
        name="typos",
        staff=(("clerks", 1, True),),
        automate=("fle",),
        remove=("nowhere",),
        move=(Move(step="s9", after="s1"),),
        where=where,
    )
    messages = _problems(_bp(), sc)
    assert len(messages) == 4
    assert all(m.startswith("extra.yaml:3:5") for m in messages)
    text = "\n".join(messages)
    assert "did you mean `clerk`?" in text
    assert "did you mean `file`?" in text
    assert "`nowhere`" in text
    assert "`s9`" in text


def test_an_endless_rework_loop_is_refused() -> None:
    flows = (Flow(source="ask", target="serve"), Flow(source="serve", target="ask", probability=1.0))
    messages = _problems(_bp(flows=flows, capacity=50))
    assert any("never leave" in m for m in messages)


def test_no_arrival_rate_says_how_to_give_one() -> None:
    bp = replace(_bp(), simulation=SimulationSettings(resources=(Resource(id="clerk", capacity=2),)))
    [message] = _problems(bp)
    assert "arrival rate" in message


def test_empirical_durations_need_a_log() -> None:
    bp = _bp()
    sim = replace(bp.simulation, actions=(SimAction(id="serve", duration=Distribution("empirical")),))  # type: ignore[type-var]
    [message] = _problems(replace(bp, simulation=sim))
    assert "--log" in message
    net = compile_network(replace(bp, simulation=sim), samples={"serve": np.array([50.0, 70.0])})
    rep = replicate(net, Plan(customers=300, warmup=0), np.random.SeedSequence(0))
    assert set(np.unique(rep.nodes[1].services)) <= {50.0, 70.0}


def test_replayed_arrivals_come_when_the_log_says() -> None:
    bp = _bp()
    sim = replace(bp.simulation, arrivals=Arrivals(replay=True))  # type: ignore[type-var]
    assert "none was given" in _problems(replace(bp, simulation=sim))[0]
    times = [100.0, 160.0, 400.0, 1000.0]
    net = compile_network(replace(bp, simulation=sim), replay=times)
    rep = replicate(net, Plan(customers=10, warmup=0), np.random.SeedSequence(0))
    assert rep.arrived == 4


def test_unknown_scenario_names_are_refused() -> None:
    with pytest.raises(SimulationError, match="no scenario `more`"):
        simulate(_bp(capacity=3), scenarios=["more"])


def _runs(bp: Blueprint, scenario: Scenario | None = None, customers: int = 600) -> dict[str, int]:
    net = compile_network(bp, scenario=scenario)
    rep = replicate(net, Plan(customers=customers, warmup=0), np.random.SeedSequence(5))
    assert rep.completed == rep.arrived
    return {n.id: t.visits for n, t in zip(net.nodes, rep.nodes, strict=True)}


@pytest.mark.parametrize("first", ["serve", "file"])
def test_a_join_waits_whatever_order_the_flows_are_written_in(first: str) -> None:
    """`ask` starts `serve` and `file`; `file` also feeds `serve`: `serve` runs once."""
    other = "file" if first == "serve" else "serve"
    flows = (Flow(source="ask", target=first), Flow(source="ask", target=other), Flow(source="file", target="serve"))
    runs = _runs(_bp(flows=flows, capacity=50))
    assert runs["serve"] == runs["ask"] == 600


def test_a_two_way_flow_and_a_one_way_flow_into_one_action_run_it_once() -> None:
    flows = (
        Flow(source="ask", target="serve"),
        Flow(source="ask", target="file"),
        Flow(source="file", target="serve", kind=FlowKind.CODEPENDENCY),
    )
    runs = _runs(_bp(flows=flows, capacity=50))
    assert runs["serve"] == 600


def test_removing_a_branch_keeps_its_customers() -> None:
    flows = (
        Flow(source="ask", target="serve", probability=0.5),
        Flow(source="ask", target="leave", probability=0.5),
        Flow(source="serve", target="leave"),
    )
    net = compile_network(_bp(flows=flows, capacity=50), scenario=Scenario(name="no serve", remove=("serve",)))
    assert [(net.nodes[t].id, round(p, 6)) for t, p in net.nodes[0].choices] == [("leave", 1.0)]
    unchanged = _runs(_bp(flows=flows, capacity=50), Scenario(name="same", move=(Move(step="s2", after="s1"),)))
    assert unchanged["leave"] == 600


def test_moving_a_step_of_a_blueprint_without_flows_keeps_the_others_in_order() -> None:
    bp = replace(_bp(capacity=50), flows=())
    runs = _runs(bp, Scenario(name="file last", move=(Move(step="s3", after="s4"),)))
    assert runs == {"ask": 600, "serve": 600, "leave": 600, "file": 600}


def test_felt_wait_counts_parallel_waits_once() -> None:
    """Two delays of an hour side by side: the customer waits an hour, not two."""
    bp = _bp(capacity=50)
    actions = tuple(replace(a, wait=Timing(3600)) if a.id in ("serve", "file") else a for a in bp.actions)
    flows = (
        Flow(source="ask", target="serve"),
        Flow(source="ask", target="file"),
        Flow(source="serve", target="leave"),
        Flow(source="file", target="leave"),
    )
    sim = replace(bp.simulation, resources=())  # type: ignore[type-var]
    net = compile_network(replace(bp, actions=actions, flows=flows, simulation=sim))
    rep = replicate(net, Plan(customers=300, warmup=0), np.random.SeedSequence(1))
    assert rep.felt.max() <= rep.cycle.max()
    assert rep.felt.mean() == pytest.approx(3600, rel=0.05)


def test_staff_changes_follow_the_shifts() -> None:
    bp = _bp()
    shifts = (Shift(8 * 3600, 16 * 3600, 1), Shift(12 * 3600, 20 * 3600, 1))
    sim = replace(bp.simulation, resources=(Resource(id="clerk", capacity=0, shifts=shifts),))  # type: ignore[type-var]
    bp = replace(bp, simulation=replace(sim, arrivals=Arrivals(rate=1 / 1200)))
    plus = compile_network(bp, scenario=Scenario(name="plus", staff=(("clerk", 1, True),))).stations[0]
    assert [plus.capacity_at(h * 3600) for h in (7, 9, 13, 17, 21)] == [0, 2, 3, 2, 0]
    three = compile_network(bp, scenario=Scenario(name="three", staff=(("clerk", 3, False),))).stations[0]
    assert [three.capacity_at(h * 3600) for h in (7, 9, 13, 17, 21)] == [0, 3, 3, 3, 0]


def test_an_automated_action_keeps_no_assumed_wait() -> None:
    bp = _bp()
    actions = tuple(replace(a, wait=Timing(7200)) if a.id == "serve" else a for a in bp.actions)
    net = compile_network(replace(bp, actions=actions), scenario=Scenario(name="robot", automate=("serve",)))
    assert net.nodes[1].delay is None


def test_no_arrivals_and_empirical_patience_are_refused() -> None:
    assert "nobody would come" in _problems(_bp(rate=0.0))[0]
    bp = _bp()
    sim = replace(bp.simulation, actions=(SimAction(id="serve", patience=Distribution("empirical")),))  # type: ignore[type-var]
    assert "durations only" in _problems(replace(bp, simulation=sim))[0]


def test_a_replayed_log_is_scaled_not_given_a_rate() -> None:
    bp = _bp()
    sim = replace(bp.simulation, arrivals=Arrivals(replay=True))  # type: ignore[type-var]
    bp = replace(bp, simulation=sim)
    times = [0.0, 600.0, 1200.0]
    faster = compile_network(bp, scenario=Scenario(name="x2", rate_scale=2.0), replay=times)
    assert faster.replay == (0.0, 300.0, 600.0)
    with pytest.raises(SimulationError, match="replayed"):
        compile_network(bp, scenario=Scenario(name="rate", rate=1.0), replay=times)
