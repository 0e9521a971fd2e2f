"""Time along the flows, checked against figures worked out by hand on small graphs.

Every action takes the minutes in its label (``a 10`` takes 10 min); the expected values below
are the sums and maxima a person would write down for each graph.
"""

from __future__ import annotations

import pytest

from stageline import loads
from stageline.analysis.figures import figures
from stageline.analysis.paths import MAX_SCENARIOS

MIN = 60.0


def blueprint(flows: list[str], lanes: dict[str, str] | None = None, **minutes: float) -> str:
    """One step per action (in the order given), each in the backstage lane unless told otherwise."""
    lanes = lanes or {}
    steps = []
    for name, m in minutes.items():
        lane = lanes.get(name, "backstage")
        steps.append(
            f"  - id: {name}\n    {lane}:\n      id: {name}\n      label: {name} {m:g}\n      duration: {m:g} min"
        )
    return (
        "stageline: 1\ntitle: t\nsteps:\n"
        + "\n".join(steps)
        + "\nflows:\n"
        + "\n".join(f"  - {f}" for f in flows)
        + "\n"
    )


def fig(text: str):  # type: ignore[no-untyped-def]
    return figures(loads(text))


def at(f, action_id: str) -> int:  # type: ignore[no-untyped-def]
    return f.graph.index[action_id]


def test_a_sequence_adds_up() -> None:
    f = fig(blueprint(["a -> b -> c"], a=10, b=20, c=30))
    assert f.end_to_end == pytest.approx(60 * MIN)
    assert f.timeline.method == "exact"
    assert [f.graph.actions[i].id for i in f.timeline.critical_path] == ["a", "b", "c"]
    assert f.timeline.visits == (1.0, 1.0, 1.0)


def test_parallel_branches_join_on_the_longest() -> None:
    f = fig(blueprint(["a -> b", "a -> c", "b -> d", "c -> d"], a=10, b=20, c=50, d=5))
    assert f.end_to_end == pytest.approx(65 * MIN)  # 10 + max(20, 50) + 5
    assert [f.graph.actions[i].id for i in f.timeline.critical_path] == ["a", "c", "d"]
    assert f.timeline.visits[at(f, "d")] == pytest.approx(1.0)  # joined, not counted twice


def test_alternatives_weigh_by_probability() -> None:
    f = fig(blueprint(["a -> b [70%]", "a -> c [30%]", "b -> d", "c -> d"], a=10, b=20, c=50, d=5))
    assert f.end_to_end == pytest.approx((10 + 0.7 * 20 + 0.3 * 50 + 5) * MIN)  # 44 min
    assert f.timeline.scenarios == 2
    assert f.timeline.reach[at(f, "b")] == pytest.approx(0.7)
    assert f.timeline.reach[at(f, "d")] == pytest.approx(1.0)
    assert f.timeline.critical_path_probability == pytest.approx(0.7)


def test_missing_share_stops_there() -> None:
    f = fig(blueprint(["a -> b [60%]", "a -> c [30%]"], a=10, b=20, c=40))
    assert f.end_to_end == pytest.approx((10 + 0.6 * 20 + 0.3 * 40) * MIN)
    assert f.timeline.stops == ((at(f, "a"), pytest.approx(0.1)),)


def test_a_loop_back_repeats_its_round() -> None:
    # c sends 25% back to b: 1/3 extra rounds of b + c (50 min) on average.
    f = fig(blueprint(["a -> b -> c", "c -> b [25%]", "c -> d [75%]"], a=10, b=20, c=30, d=5))
    (loop,) = f.timeline.loops
    assert loop.probability == pytest.approx(0.25)
    assert loop.span == pytest.approx(50 * MIN)
    assert loop.extra_rounds == pytest.approx(1 / 3)
    assert f.end_to_end == pytest.approx((10 + 20 + 30 + 50 / 3 + 5) * MIN)
    assert f.timeline.visits[at(f, "b")] == pytest.approx(4 / 3)
    assert f.timeline.reach[at(f, "d")] == pytest.approx(1.0)  # 75% of 1/(1-25%): everyone leaves


def test_a_rework_branch_that_flows_back_is_a_loop() -> None:
    # c sends 20% to rework r, which flows back to b without a probability of its own.
    f = fig(blueprint(["a -> b -> c", "c -> r [20%]", "r -> b", "c -> d [80%]"], a=10, b=20, c=30, r=7, d=5))
    (loop,) = f.timeline.loops
    assert f.graph.actions[loop.decision].id == "c"
    assert loop.span == pytest.approx((7 + 20 + 30) * MIN)
    assert f.end_to_end == pytest.approx((10 + 20 + 30 + 0.25 * 57 + 5) * MIN)
    assert f.timeline.visits[at(f, "r")] == pytest.approx(0.25)
    assert f.timeline.reach[at(f, "d")] == pytest.approx(1.0)


def test_a_loop_nobody_leaves_is_marked_endless() -> None:
    f = fig(blueprint(["a -> b -> c", "c -> b [100%]"], a=1, b=2, c=3))
    assert [lp.endless for lp in f.timeline.loops] == [True]


def test_a_two_way_flow_starts_both_ends_together() -> None:
    f = fig(blueprint(["a <-> b"], a=10, b=20))
    assert f.end_to_end == pytest.approx(20 * MIN)


def test_customer_felt_time_runs_from_the_first_to_the_last_customer_action() -> None:
    text = blueprint(
        ["prep -> a -> b -> c -> file"],
        lanes={"a": "customer", "c": "customer"},
        prep=15,
        a=10,
        b=20,
        c=5,
        file=60,
    )
    f = fig(text)
    assert f.timeline.customer_felt == pytest.approx((10 + 20 + 5) * MIN)
    assert f.end_to_end == pytest.approx(110 * MIN)


def test_waits_count_before_the_action() -> None:
    text = blueprint(["a -> b"], a=10, b=20).replace("duration: 20 min", "duration: 20 min\n      wait: 1 h")
    assert fig(text).end_to_end == pytest.approx(90 * MIN)


def test_a_source_nobody_triggers_runs_when_it_is_needed() -> None:
    # The registry s only feeds b: it runs once a is done and delays b by its 15 minutes.
    f = fig(blueprint(["a -> b", "s ~> b"], lanes={"s": "support"}, a=10, b=20, s=15))
    assert f.end_to_end == pytest.approx((10 + 15 + 20) * MIN)
    assert f.timeline.visits[at(f, "s")] == pytest.approx(1.0)


def test_without_flows_steps_follow_each_other_and_lanes_run_in_parallel() -> None:
    text = """stageline: 1
title: t
steps:
  - id: one
    customer: {label: c, duration: 10 min}
    backstage: {label: b, duration: 30 min, cost: 4}
  - id: two
    frontstage: {label: f, duration: 20 min, cost: 6}
"""
    f = fig(text)
    assert f.end_to_end == pytest.approx(50 * MIN)
    assert f.cost_per_customer == pytest.approx(10)


def test_cost_per_customer_follows_the_odds_and_the_rework() -> None:
    text = blueprint(["a -> b -> c", "c -> b [25%]", "c -> d [75%]"], a=1, b=1, c=1, d=1)
    text = text.replace("label: b 1\n      duration: 1 min", "label: b 1\n      duration: 1 min\n      cost: 9")
    assert fig(text).cost_per_customer == pytest.approx(9 * 4 / 3)


def test_too_many_scenarios_fall_back_to_an_approximation() -> None:
    n = 13  # 2**13 = 8192 path scenarios
    assert 2**n > MAX_SCENARIOS
    minutes = {f"n{i}": 1.0 for i in range(2 * n + 1)}
    flows = []
    for i in range(n):
        flows += [f"n{2 * i} -> n{2 * i + 1} [50%]", f"n{2 * i} -> n{2 * i + 2} [50%]", f"n{2 * i + 1} -> n{2 * i + 2}"]
    f = fig(blueprint(flows, **minutes))
    assert f.timeline.method == "approximate"
    # Worst case: every optional action taken, 2n + 1 minutes.
    assert f.end_to_end == pytest.approx((2 * n + 1) * MIN)


def test_time_to_serve_counts_only_the_customers_served() -> None:
    text = blueprint(["a -> b [70%]", "a -> c [30%]", "b -> d"], a=10, b=20, c=1, d=5)
    f = figures(loads(text), served=("d",))
    assert f.timeline.time_to_serve == pytest.approx(35 * MIN)  # only the 70% who reach d
    assert f.end_to_end == pytest.approx((10 + 0.7 * 25 + 0.3 * 1) * MIN)
    assert f.served_share == pytest.approx(0.7)


def test_a_customer_waits_for_the_work_between_their_actions() -> None:
    text = blueprint(["c -> b -> d"], lanes={"c": "customer", "d": "customer"}, c=1, b=30, d=2)
    text = text.replace(
        "label: d 2\n      duration: 2 min", "label: d 2\n      duration: 2 min\n      wait: 10 min ± 5 min"
    )
    f = fig(text)
    assert f.timeline.waited[at(f, "d")] == pytest.approx(40 * MIN)  # 30 min of b, then its own 10
    assert f.timeline.waited[at(f, "c")] == pytest.approx(0.0)
    assert f.timeline.waited[at(f, "b")] is None  # not a customer action
