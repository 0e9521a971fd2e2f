"""The `simulation:` key and the simulation side file: written forms, round trips, located errors."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stageline
from stageline.errors import BlueprintError, ParseError, SourceError, StageLineError
from stageline.formats.simdoc import (
    SimulationDoc,
    format_distribution,
    format_rate,
    format_time_of_day,
    parse_cost,
    parse_distribution,
    parse_rate,
    parse_scale,
    parse_staff,
    parse_time_of_day,
)
from stageline.formats.simfile import dumps_simulation, loads_simulation, read_simulation_file
from stageline.model import (
    Arrivals,
    Blueprint,
    Distribution,
    Move,
    RateWindow,
    Resource,
    Scenario,
    Shift,
    SimAction,
    SimulationSettings,
    Step,
    parse_duration,
)
from stageline.model.simulation import DISTRIBUTIONS
from tests.strategies import ids
from tests.strategies import labels as names

ROOT = Path(__file__).parent.parent
HEAD = "stageline: 1\ntitle: t\nsimulation:\n"
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def sim(body: str) -> SimulationSettings:
    """The settings of a blueprint whose `simulation:` key holds ``body`` (indented by two)."""
    found = stageline.loads(HEAD + body, file="bp.yaml").simulation
    assert found is not None
    return found


# --- written forms ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("5 min", Distribution("exponential", mean=300)),
        ("PT5M", Distribution("exponential", mean=300)),
        ("1h 30m", Distribution("exponential", mean=5400)),
        ("exponential 5 min", Distribution("exponential", mean=300)),
        ("fixed 90 s", Distribution("fixed", mean=90)),
        ("Fixed 2 days", Distribution("fixed", mean=172800)),
        ("lognormal 5 min ± 2 min", Distribution("lognormal", mean=300, sd=120)),
        ("lognormal 5 min +- 2 min", Distribution("lognormal", mean=300, sd=120)),
        ("lognormal 5 min+/-2 min", Distribution("lognormal", mean=300, sd=120)),
        ("lognormal 0 s ± 0 s", Distribution("lognormal", mean=0, sd=0)),
        ("triangular 2 min / 5 min / 12 min", Distribution("triangular", low=120, mode=300, high=720)),
        ("triangular 5 min / 5 min / 5 min", Distribution("triangular", low=300, mode=300, high=300)),
        ("uniform 2 min / 8 min", Distribution("uniform", low=120, high=480)),
        ("empirical", Distribution("empirical")),
    ],
)
def test_distribution_text_forms(text: str, expected: Distribution) -> None:
    assert parse_distribution(text) == expected
    assert sim(f"  patience: {text}\n").patience == expected


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("{distribution: fixed, mean: 5 min}", Distribution("fixed", mean=300)),
        ("{distribution: exponential, mean: PT1H}", Distribution("exponential", mean=3600)),
        ("{distribution: lognormal, mean: 5 min, sd: 2 min}", Distribution("lognormal", mean=300, sd=120)),
        (
            "{distribution: triangular, low: 2 min, mode: 5 min, high: 12 min}",
            Distribution("triangular", low=120, mode=300, high=720),
        ),
        ("{distribution: uniform, low: 2 min, high: 8 min}", Distribution("uniform", low=120, high=480)),
        ("{distribution: empirical}", Distribution("empirical")),
    ],
)
def test_distribution_mapping_form(written: str, expected: Distribution) -> None:
    assert sim(f"  actions:\n    check: {{duration: {written}}}\n").actions == (SimAction("check", duration=expected),)


@pytest.mark.parametrize(
    ("text", "per_hour"),
    [
        ("12/h", 12),
        ("12 per hour", 12),
        ("12/hour", 12),
        ("12 / hours", 12),
        ("12 PER HOUR", 12),
        ("300/day", 12.5),
        ("2/min", 120),
        ("0.5/s", 1800),
        ("12", 12),
        ("0", 0),
        ("84/week", 0.5),
    ],
)
def test_rates(text: str, per_hour: float) -> None:
    assert parse_rate(text) == pytest.approx(per_hour / 3600)
    assert sim(f"  arrivals: {text}\n").arrivals == Arrivals(rate=parse_rate(text))


def test_a_bare_number_is_per_hour_in_yaml_and_json() -> None:
    assert sim("  arrivals: 12\n").arrivals == Arrivals(rate=12 / 3600)
    bp = stageline.loads('{"stageline": 1, "title": "t", "simulation": {"arrivals": 6.5}}', format="json")
    assert bp.simulation == SimulationSettings(arrivals=Arrivals(rate=6.5 / 3600))


@pytest.mark.parametrize("text", ["40/h", "40 per hour", "40", "960/day"])
def test_costs(text: str) -> None:
    assert parse_cost(text) == pytest.approx(40 / 3600)
    resource = sim(f"  resources:\n    clerk: {{capacity: 2, cost: {text}}}\n").resources[0]
    assert resource == Resource("clerk", capacity=2, cost=parse_cost(text))


@pytest.mark.parametrize(
    ("text", "seconds"), [("09:00", 32400), ("9:30", 34200), ("00:00", 0), ("17:45:30", 63930), ("23:59", 86340)]
)
def test_times_of_day(text: str, seconds: float) -> None:
    assert parse_time_of_day(text) == seconds
    assert parse_time_of_day("24:00", end=True) == 86400


def test_the_whole_key() -> None:
    settings = sim(
        """\
  arrivals:
    rate: 4/h
    profile:
      - from: 08:00
        to: 12:00
        rate: 20 per hour
      - {from: "12:00", to: "24:00", rate: 2/min}
    replay: true
  horizon: 8 h
  warmup: 30 min
  replications: 20
  seed: 42
  patience: lognormal 20 min ± 5 min
  resources:
    clerk: 2
    advisor:
      cost: 45/h
      shifts:
        - {from: "09:00", to: "13:00", capacity: 2}
        - {from: "22:00", to: "06:00", capacity: 0}
    desk: {capacity: 5, shifts: {from: "09:00", to: "17:00", capacity: 3}}
  actions:
    check: {duration: triangular 2 min / 5 min / 12 min, resource: none}
    decide:
      resource: advisor
      patience: 1 h
      delay: fixed 2 days
"""
    )
    assert settings == SimulationSettings(
        arrivals=Arrivals(
            rate=4 / 3600,
            profile=(RateWindow(8 * 3600, 12 * 3600, 20 / 3600), RateWindow(12 * 3600, 86400, 2 / 60)),
            replay=True,
        ),
        horizon=8 * 3600,
        warmup=1800,
        replications=20,
        seed=42,
        patience=Distribution("lognormal", mean=1200, sd=300),
        resources=(
            Resource("clerk", capacity=2),
            Resource(
                "advisor",
                capacity=2,  # the largest shift's
                cost=45 / 3600,
                shifts=(Shift(9 * 3600, 13 * 3600, 2), Shift(22 * 3600, 6 * 3600, 0)),
            ),
            Resource("desk", capacity=5, shifts=(Shift(9 * 3600, 17 * 3600, 3),)),
        ),
        actions=(
            SimAction("check", duration=Distribution("triangular", low=120, mode=300, high=720), resource="none"),
            SimAction(
                "decide",
                resource="advisor",
                patience=Distribution("exponential", mean=3600),
                delay=Distribution("fixed", mean=172800),
            ),
        ),
    )
    # every part knows where it was written
    assert settings.where is not None and (settings.where.line, settings.where.column) == (4, 3)
    assert settings.arrivals is not None and settings.arrivals.where is not None
    assert settings.arrivals.where.line == 5
    assert [(r.where.line, r.where.column) for r in settings.resources if r.where] == [(18, 5), (19, 5), (24, 5)]
    assert [(a.where.line, a.where.column) for a in settings.actions if a.where] == [(26, 5), (27, 5)]
    assert settings.where.file == "bp.yaml"


def test_customers_instead_of_a_horizon() -> None:
    assert sim("  customers: 500\n") == SimulationSettings(customers=500)


def test_scenarios() -> None:
    settings = sim(
        """\
  scenarios:
    - name: More staff
      description: One more clerk, one advisor fewer, three at the desk.
      staff: {clerk: +1, advisor: -1, desk: 3}
    - name: Faster
      durations:
        check: x0.8
        decide: ×0.5
        file: "*1.25"
        post: fixed 1 day
      automate: check
      remove: [print, post.support]
      move: {step: pay, after: order}
      odds: {check -> decide: 30%, check -> reject: 0.7}
      arrivals: 15/h
    - {name: Busy, arrivals: x1.2}
    - {name: Busier, arrivals: {rate: 20 per hour}}
    - {name: Busiest, arrivals: {scale: 2}}
    - name: Moves
      move:
        - {step: a, after: b}
        - {step: c, after: d}
      automate: [x, y]
"""
    )
    assert settings.scenarios == (
        Scenario(
            "More staff",
            description="One more clerk, one advisor fewer, three at the desk.",
            staff=(("clerk", 1, True), ("advisor", -1, True), ("desk", 3, False)),
        ),
        Scenario(
            "Faster",
            durations=(("post", Distribution("fixed", mean=86400)),),
            scale=(("check", 0.8), ("decide", 0.5), ("file", 1.25)),
            automate=("check",),
            remove=("print", "post.support"),
            move=(Move("pay", "order"),),
            odds=(("check", "decide", 0.3), ("check", "reject", 0.7)),
            rate=15 / 3600,
        ),
        Scenario("Busy", rate_scale=1.2),
        Scenario("Busier", rate=20 / 3600),
        Scenario("Busiest", rate_scale=2),
        Scenario("Moves", automate=("x", "y"), move=(Move("a", "b"), Move("c", "d"))),
    )
    assert [s.where.line for s in settings.scenarios if s.where] == [5, 8, 19, 20, 21, 22]


def test_one_scenario_may_stand_without_its_list_and_empty_keys_are_empty() -> None:
    settings = sim("  scenarios:\n    name: Alone\n    staff:\n    odds:\n    automate:\n  resources:\n  actions:\n")
    assert settings == SimulationSettings(scenarios=(Scenario("Alone"),))
    assert settings.scenarios[0].where is not None and settings.scenarios[0].where.line == 5


def test_an_empty_key_is_no_settings_and_an_empty_mapping_is_default_settings() -> None:
    assert stageline.loads(HEAD).simulation is None
    assert stageline.loads(HEAD + "  {}\n").simulation == SimulationSettings()
    assert stageline.loads(HEAD + "  arrivals: {}\n").simulation == SimulationSettings(arrivals=Arrivals())


def test_staff_scale_and_text_helpers() -> None:
    assert parse_staff("+2") == (2, True) and parse_staff("-1") == (-1, True) and parse_staff("3") == (3, False)
    assert parse_scale("x0.8") == 0.8 and parse_scale("×2") == 2 and parse_scale("*1.5") == 1.5
    assert parse_scale("5 min") is None
    assert format_rate(12 / 3600) == "12/h" and format_rate(0.5) == "30/min" and format_rate(300 / 86400) == "300/day"
    assert format_rate(2 / 60) == "2/min" and format_rate(0) == "0/h"
    assert format_time_of_day(32400) == "09:00" and format_time_of_day(86400) == "24:00"
    assert format_time_of_day(63930) == "17:45:30"
    assert format_distribution(Distribution("exponential", mean=300)) == "5 min"
    assert format_distribution(Distribution("lognormal", mean=300, sd=120)) == "lognormal 5 min ± 2 min"


# --- round trips ------------------------------------------------------------------------------

seconds = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
rates = (
    st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
    | st.integers(0, 1000).map(lambda n: n / 3600)
    | st.integers(0, 1000).map(lambda n: n / 60)
)
factors = st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False)
units = st.sampled_from(["s", "sec", "seconds", "min", "minutes", "h", "hr", "hours", "d", "days", "w", "weeks"])


@st.composite
def distributions(draw: st.DrawFn) -> Distribution:
    kind = draw(st.sampled_from(list(DISTRIBUTIONS)))
    if kind in ("fixed", "exponential"):
        return Distribution(kind, mean=draw(seconds))
    if kind == "lognormal":
        sd = draw(seconds)
        mean = draw(seconds.filter(lambda m: m > 0) if sd else seconds)
        return Distribution(kind, mean=mean, sd=sd)
    if kind == "triangular":
        low, mode, high = sorted(draw(st.lists(seconds, min_size=3, max_size=3)))
        return Distribution(kind, low=low, mode=mode, high=high)
    if kind == "uniform":
        low, high = sorted(draw(st.lists(seconds, min_size=2, max_size=2, unique=True)))
        return Distribution(kind, low=low, high=high)
    return Distribution(kind)


@st.composite
def profiles(draw: st.DrawFn) -> tuple[RateWindow, ...]:
    bounds = sorted(draw(st.lists(st.integers(0, 86400), max_size=6, unique=True)))
    pairs = list(zip(bounds[::2], bounds[1::2], strict=False))
    return tuple(RateWindow(float(a), float(b), draw(rates)) for a, b in pairs)


@st.composite
def resources(draw: st.DrawFn, rid: str) -> Resource:
    shifts: list[Shift] = []
    for _ in range(draw(st.integers(0, 3))):
        start = draw(st.integers(0, 86399))
        end = draw(st.integers(1, 86400))
        end = start + 1 if end == start else end
        shifts.append(Shift(float(start), float(end), draw(st.integers(0, 20))))
    capacity = draw(st.integers(1, 50))
    largest = draw(st.booleans())  # left out when written: the largest shift's
    if shifts and largest:
        capacity = max(s.capacity for s in shifts)
    cost = draw(st.none() | rates)
    return Resource(rid, capacity=capacity, cost=cost, shifts=tuple(shifts))


@st.composite
def scenarios(draw: st.DrawFn, name: str) -> Scenario:
    changed = draw(st.lists(ids, max_size=4, unique=True))
    cut = draw(st.integers(0, len(changed)))
    arrivals = draw(st.sampled_from(["none", "rate", "scale"]))
    return Scenario(
        name=name,
        description=draw(st.none() | names),
        staff=tuple(
            draw(
                st.lists(
                    st.tuples(ids, st.integers(-5, 5), st.just(True))
                    | st.tuples(ids, st.integers(0, 9), st.just(False)),
                    max_size=3,
                    unique_by=lambda s: s[0],
                )
            )
        ),
        durations=tuple((aid, draw(distributions())) for aid in changed[:cut]),
        scale=tuple((aid, draw(factors)) for aid in changed[cut:]),
        automate=tuple(draw(st.lists(ids, max_size=2))),
        remove=tuple(draw(st.lists(ids, max_size=2))),
        move=tuple(draw(st.lists(st.builds(Move, step=ids, after=ids), max_size=2))),
        odds=tuple(
            draw(
                st.lists(
                    st.tuples(ids, ids, st.floats(0, 1)),
                    max_size=3,
                    unique_by=lambda o: (o[0], o[1]),
                )
            )
        ),
        rate=draw(rates) if arrivals == "rate" else None,
        rate_scale=draw(factors) if arrivals == "scale" else None,
    )


@st.composite
def simulation_settings(draw: st.DrawFn) -> SimulationSettings:
    horizon = customers = warmup = None
    match draw(st.sampled_from(["horizon", "customers", "neither"])):
        case "horizon":
            horizon = draw(st.floats(min_value=1, max_value=1e9, allow_nan=False))
            warmup = draw(st.none() | seconds.filter(lambda w: w < horizon))
        case "customers":
            customers = draw(st.integers(1, 10**6))
            warmup = draw(st.none() | seconds)
    arrivals = draw(
        st.none()
        | st.builds(Arrivals, rate=st.none() | rates, profile=profiles(), replay=st.booleans())
        | st.builds(Arrivals, rate=rates)
    )
    resource_ids = draw(st.lists(ids, max_size=3, unique=True))
    action_ids = draw(st.lists(ids, max_size=3, unique=True))
    scenario_names = draw(st.lists(names, max_size=3, unique=True))
    return SimulationSettings(
        arrivals=arrivals,
        horizon=horizon,
        customers=customers,
        warmup=warmup,
        replications=draw(st.none() | st.integers(1, 1000)),
        seed=draw(st.none() | st.integers(0, 2**64)),
        patience=draw(st.none() | distributions()),
        resources=tuple(draw(resources(rid)) for rid in resource_ids),
        actions=tuple(
            SimAction(
                aid,
                duration=draw(st.none() | distributions()),
                resource=draw(st.none() | st.just("none") | ids),
                patience=draw(st.none() | distributions()),
                delay=draw(st.none() | distributions()),
            )
            for aid in action_ids
        ),
        scenarios=tuple(draw(scenarios(name)) for name in scenario_names),
    )


BASE = Blueprint(title="Simulated", steps=(Step(id="a", name="A"),))


@SETTINGS
@given(distributions())
def test_distribution_text_round_trip(dist: Distribution) -> None:
    assert parse_distribution(format_distribution(dist)) == dist


@SETTINGS
@given(st.floats(min_value=0, max_value=1000, allow_nan=False), units)
def test_duration_texts_are_exponential_means(number: float, unit: str) -> None:
    text = f"{number!r} {unit}"
    assert parse_distribution(text) == Distribution("exponential", mean=parse_duration(text))
    assert parse_distribution(f"fixed {text}") == Distribution("fixed", mean=parse_duration(text))


@SETTINGS
@given(rates)
def test_rate_text_round_trip(rate: float) -> None:
    assert parse_rate(format_rate(rate)) == rate
    assert parse_cost(format_rate(rate)) == rate


@SETTINGS
@given(st.integers(0, 10**6), st.sampled_from([("h", 3600), ("hour", 3600), ("min", 60), ("s", 1), ("day", 86400)]))
def test_written_rates(count: int, unit: tuple[str, int]) -> None:
    word, size = unit
    for text in (f"{count}/{word}", f"{count} per {word}", f"{count} / {word}"):
        assert parse_rate(text) == count / size
    assert parse_rate(str(count)) == count / 3600


@SETTINGS
@given(st.integers(0, 86400))
def test_time_of_day_round_trip(second: int) -> None:
    assert parse_time_of_day(format_time_of_day(second), end=True) == second


@SETTINGS
@given(simulation_settings())
def test_yaml_round_trip(settings: SimulationSettings) -> None:
    bp = replace(BASE, simulation=settings)
    assert stageline.loads(stageline.dumps(bp)) == bp


@SETTINGS
@given(simulation_settings())
def test_json_round_trip(settings: SimulationSettings) -> None:
    bp = replace(BASE, simulation=settings)
    assert stageline.loads(stageline.dumps(bp, format="json"), format="json") == bp


@SETTINGS
@given(simulation_settings())
def test_side_file_round_trip(settings: SimulationSettings) -> None:
    assert loads_simulation(dumps_simulation(settings), file="s.yaml") == settings
    assert loads_simulation(dumps_simulation(settings, format="json"), file="s.json") == settings


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(simulation_settings())
def test_edit_merged_into_the_written_settings_reads_back(settings: SimulationSettings) -> None:
    loaded = stageline.loads(HEAD + EXAMPLE)
    edited = replace(loaded, simulation=settings)
    assert stageline.loads(stageline.dumps(edited)) == edited


EXAMPLE = """\
  arrivals: 12/h          # a morning
  horizon: 4 h
  resources:
    clerk: 2              # two at the desk
  actions:
    check: {duration: lognormal 5 min ± 2 min, resource: clerk}
  scenarios:
    name: Faster
    durations: {check: x0.8}
"""


def test_written_settings_keep_their_comments_and_layout() -> None:
    text = HEAD + EXAMPLE
    bp = stageline.loads(text)
    assert stageline.dumps(bp) == text
    assert bp.simulation is not None
    edited = replace(bp, simulation=replace(bp.simulation, horizon=7200))
    assert stageline.dumps(edited) == text.replace("horizon: 4 h", "horizon: 2 h")
    fresh = stageline.dumps(replace(bp, source=None))
    assert fresh.endswith(
        "simulation:\n  arrivals: 12/h\n  horizon: 4 h\n  resources:\n    clerk: 2\n"
        "  actions:\n    check:\n      duration: lognormal 5 min ± 2 min\n      resource: clerk\n"
        "  scenarios:\n    - name: Faster\n      durations:\n        check: x0.8\n"
    )


def test_shortest_forms_are_written() -> None:
    settings = SimulationSettings(
        arrivals=Arrivals(rate=0.5),
        resources=(
            Resource("a", capacity=3),
            Resource("b", capacity=2, shifts=(Shift(32400, 61200, 2),)),
            Resource("c", capacity=4, cost=40 / 3600, shifts=(Shift(79200, 21600, 2),)),
        ),
        actions=(SimAction("x"), SimAction("y", duration=Distribution("exponential", mean=300))),
        scenarios=(
            Scenario("S", staff=(("a", 2, True), ("b", -1, True), ("c", 0, False)), rate_scale=1.5),
            Scenario("T", rate=20 / 3600, odds=(("a", "b", 0.25),)),
        ),
    )
    data = json.loads(dumps_simulation(settings, format="json"))
    assert data == {
        "arrivals": "30/min",
        "resources": {
            "a": 3,
            "b": {"shifts": [{"from": "09:00", "to": "17:00", "capacity": 2}]},
            "c": {"capacity": 4, "cost": "40/h", "shifts": [{"from": "22:00", "to": "06:00", "capacity": 2}]},
        },
        "actions": {"x": {}, "y": {"duration": "5 min"}},
        "scenarios": [
            {"name": "S", "staff": {"a": "+2", "b": "-1", "c": 0}, "arrivals": "x1.5"},
            {"name": "T", "odds": {"a -> b": "25%"}, "arrivals": "20/h"},
        ],
    }
    assert "a: '+2'" in dumps_simulation(settings)  # quoted, or YAML would read the number 2


# --- located errors ---------------------------------------------------------------------------


def error(body: str) -> tuple[int, int, str, str | None]:
    """The one error of a blueprint whose `simulation:` key holds ``body``: line, column, message, hint."""
    with pytest.raises(BlueprintError) as info:
        stageline.loads(HEAD + body, file="bp.yaml")
    problems = info.value.problems
    assert len(problems) == 1, problems
    p = problems[0]
    assert p.location.file == "bp.yaml"
    return p.location.line, p.location.column, p.message, p.hint


@pytest.mark.parametrize(
    ("body", "line", "column", "says"),
    [
        # distributions written as text
        ("  patience: triangular 5 min / 2 min / 12 min\n", 4, 13, "the mode between the two"),
        ("  patience: uniform 8 min / 2 min\n", 4, 13, "low below high"),
        ("  patience: uniform 2 min / 2 min\n", 4, 13, "low below high"),
        ("  patience: lognormal 5 min\n", 4, 13, "written `lognormal 5 min ± 2 min`"),
        ("  patience: triangular 2 min / 5 min\n", 4, 13, "written `triangular 2 min / 5 min / 12 min`"),
        ("  patience: fixed\n", 4, 13, "written `fixed 5 min`"),
        ("  patience: lognormal 0 s ± 2 min\n", 4, 13, "needs a mean above zero"),
        ("  patience: triangular 2 min / 5 mn / 12 min\n", 4, 13, "unknown time unit `mn`"),
        ("  patience: 5 mins or so\n", 4, 13, "expected a distribution such as `5 min` (exponential)"),
        ("  patience: [5 min]\n", 4, 13, "expected a distribution such as `5 min`"),
        ("  patience: gamma 2 min / 3 min\n", 4, 13, "unknown distribution `gamma`: expected one of `fixed`"),
        ("  patience: five min\n", 4, 13, "expected a distribution such as `5 min` (exponential)"),
        # distributions written as mappings
        ("  patience: {distribution: triangular, low: 2 min, high: 5 min}\n", 4, 13, "needs `mode`"),
        (
            "  patience:\n    distribution: fixed\n    mean: 5 min\n    sd: 1 min\n",
            7,
            5,
            "takes only `mean`; leave out `sd`",
        ),
        ("  patience: {distribution: empirical, mean: 5 min}\n", 4, 39, "takes no values; leave out `mean`"),
        ("  patience: {distribution: gamma, mean: 5 min}\n", 4, 28, "unknown distribution `gamma`"),
        ("  patience: {distribution: fixed, mean: 5 mn}\n", 4, 41, "unknown time unit `mn`"),
        ("  patience: {distribution: uniform, low: 5 min, high: 1 min}\n", 4, 13, "low below high"),
        ("  patience: {mean: 5 min}\n", 4, 13, "missing `distribution` in simulation (patience)"),
        # rates
        ("  arrivals: fast\n", 4, 13, "expected a rate such as `12/h`, `12 per hour`"),
        ("  arrivals: 12/fortnight\n", 4, 13, "unknown time unit `fortnight`"),
        ("  arrivals: -5/h\n", 4, 13, "a rate cannot be negative"),
        ("  arrivals: 1e999/h\n", 4, 13, "expected a finite rate"),
        ("  arrivals: .inf\n", 4, 13, "expected a rate"),
        ("  arrivals: {rate: many}\n", 4, 20, "expected a rate"),
        ("  arrivals: {rate: 5/h, replay: maybe}\n", 4, 33, "simulation (arrivals, replay)"),
        ("  arrivals: {rte: 5/h}\n", 4, 14, "unknown key `rte` in simulation (arrivals)"),
        # the profile
        (
            "  arrivals:\n    profile:\n      - {from: '12:00', to: '08:00', rate: 5/h}\n",
            6,
            9,
            "must end after it starts",
        ),
        (
            "  arrivals:\n    profile:\n      - {from: '08:00', to: '12:00', rate: 5/h}\n"
            "      - {from: '11:00', to: '13:00', rate: 5/h}\n",
            7,
            9,
            "from 11:00 to 13:00 overlaps the one from 08:00 to 12:00",
        ),
        (
            "  arrivals:\n    profile:\n      - {from: '25:00', to: '24:00', rate: 5/h}\n",
            6,
            16,
            "`25:00` is not a time",
        ),
        ("  arrivals:\n    profile:\n      - {from: '24:00', to: '24:00', rate: 5/h}\n", 6, 16, "can only end"),
        ("  arrivals:\n    profile:\n      - {from: '09:60', to: '10:00', rate: 5/h}\n", 6, 16, "minutes and seconds"),
        ("  arrivals:\n    profile:\n      - {from: '9am', to: '10:00', rate: 5/h}\n", 6, 16, "such as `09:00`"),
        ("  arrivals:\n    profile:\n      - {from: '08:00', to: '10:00', rate: x}\n", 6, 44, "expected a rate"),
        ("  arrivals:\n    profile:\n      from: '08:00'\n      to: '10:00'\n", 6, 7, "missing `rate`"),
        # the run
        ("  horizon: 8 h\n  customers: 100\n", 5, 3, "either `horizon` (how long to simulate) or `customers`"),
        ("  horizon: 0 h\n", 4, 12, "a horizon of 0 s simulates nothing"),
        ("  horizon: 8\n", 4, 12, "expected a duration"),
        ("  horizon: 1 h\n  warmup: 2 h\n", 5, 11, "the warm-up (2 h) is not shorter than the horizon (1 h)"),
        ("  warmup: soon\n", 4, 11, "expected a duration"),
        ("  replications: 0\n", 4, 17, "greater than or equal to 1"),
        ("  replications: 1001\n", 4, 17, "less than or equal to 1000"),
        ("  replications: true\n", 4, 17, "expected a whole number of replications"),
        ("  replications: many\n", 4, 17, "expected a whole number of replications such as `20`, got `many`"),
        ("  seed: -1\n", 4, 9, "greater than or equal to 0"),
        ("  seed: 1.5\n", 4, 9, "fractional part"),
        ("  customers: 0\n", 4, 14, "greater than or equal to 1"),
        ("  horizn: 8 h\n", 4, 3, "unknown key `horizn` in simulation"),
        ("  - horizon: 8 h\n", 4, 3, "simulation: expected a mapping"),
        # resources
        ("  resources: {clerk: 0}\n", 4, 22, "greater than or equal to 1, got `0`"),
        ("  resources: {clerk: three}\n", 4, 22, "expected a capacity: a whole number such as `3`, got `three`"),
        ("  resources: {clerk: 2.5}\n", 4, 22, "fractional part"),
        ("  resources: {clerk: [2]}\n", 4, 22, "expected a resource: a capacity such as `3`, or a mapping"),
        ("  resources:\n    clerk:\n      cost: 40/h\n", 5, 5, "needs a `capacity`"),
        ("  resources:\n    clerk:\n      capacity: 2\n      cost: forty\n", 7, 13, "expected a cost per hour"),
        ("  resources:\n    clerk:\n      capacity: 2\n      cost: -4/h\n", 7, 13, "a cost cannot be negative"),
        (
            "  resources:\n    clerk:\n      shifts:\n        - {from: '09:00', to: '09:00', capacity: 2}\n",
            7,
            11,
            "a shift must end at another time than it starts",
        ),
        (
            "  resources:\n    clerk:\n      shifts:\n        - {from: '09:00', to: '17:00', capacity: -1}\n",
            7,
            50,
            "simulation (resources, clerk, shift 1, capacity): input should be greater than or equal to 0",
        ),
        (
            "  resources:\n    clerk:\n      shifts:\n        from: '09:00'\n        to: '17:00'\n",
            7,
            9,
            "missing `capacity` in simulation (resources, clerk, shifts)",
        ),
        ("  resources:\n    clerk:\n      capacty: 2\n", 6, 7, "unknown key `capacty`"),
        # actions
        (
            "  actions:\n    check:\n      durration: 5 min\n",
            6,
            7,
            "unknown key `durration` in simulation (actions, check)",
        ),
        ("  actions:\n    check: 5 min\n", 5, 12, "expected a mapping of keys and values, got a text"),
        ("  actions:\n    check: {delay: lognormal 1 day}\n", 5, 20, "needs the mean and the standard deviation"),
        # scenarios
        ("  scenarios:\n    - description: no name\n", 5, 7, "missing `name` in simulation (scenario 1)"),
        ("  scenarios:\n    - name: ''\n", 5, 13, "is empty"),
        ("  scenarios:\n    - name: A\n    - name: A\n", 6, 13, "a second scenario named `A` (the first is at line 5)"),
        ("  scenarios:\n    - name: A\n      staff: {clerk: lots}\n", 6, 22, "expected a number of staff such as `3`"),
        ("  scenarios:\n    - name: A\n      staff: {clerk: 1.5}\n", 6, 22, "or a change such as `+2` or `-1`"),
        ("  scenarios:\n    - name: A\n      durations: {check: x0}\n", 6, 26, "a factor above zero such as `x0.8`"),
        ("  scenarios:\n    - name: A\n      durations: {check: x-1}\n", 6, 26, "a factor above zero"),
        ("  scenarios:\n    - name: A\n      durations: {check: quick}\n", 6, 26, "expected a distribution"),
        ("  scenarios:\n    - name: A\n      odds: {a to b: 30%}\n", 6, 14, "expected a flow `from -> to`"),
        ("  scenarios:\n    - name: A\n      odds: {a -> b: 150%}\n", 6, 22, "less than or equal to 1"),
        ("  scenarios:\n    - name: A\n      odds: {a -> b: most}\n", 6, 22, "expected a share such as `5%`"),
        ("  scenarios:\n    - name: A\n      arrivals: {rate: 5/h, scale: 2}\n", 6, 17, "not both"),
        ("  scenarios:\n    - name: A\n      arrivals: {}\n", 6, 17, "a `rate` (`15/h`) or a `scale` (`1.2`)"),
        ("  scenarios:\n    - name: A\n      arrivals: {scale: 0}\n", 6, 25, "greater than 0"),
        ("  scenarios:\n    - name: A\n      arrivals: x0\n", 6, 17, "a factor above zero"),
        ("  scenarios:\n    - name: A\n      arrivals: lots\n", 6, 17, "expected a rate"),
        ("  scenarios:\n    - name: A\n      staf: {a: 1}\n", 6, 7, "unknown key `staf` in simulation (scenario 1)"),
        ("  scenarios:\n    name: A\n    move: {step: a}\n", 6, 11, "missing `after` in simulation (scenarios, move)"),
        ("  scenarios:\n    name: A\n    moves: []\n", 6, 5, "unknown key `moves` in simulation (scenarios)"),
    ],
)
def test_mistakes_are_located_and_say_what_was_expected(body: str, line: int, column: int, says: str) -> None:
    found_line, found_column, message, _ = error(body)
    assert says in message
    assert (found_line, found_column) == (line, column), message


@pytest.mark.parametrize(
    ("body", "hint"),
    [
        ("  patience: 5\n", "add a unit, e.g. `5 min`"),
        ("  patience: 5 min ± 2 min\n", "write `lognormal 5 min ± 2 min`"),
        ("  patience: normal 5 min\n", "did you mean `lognormal`?"),
        ("  patience: empirical 5 min\n", "write just `empirical`"),
        ("  patience: {distribution: fixed, man: 5 min}\n", "did you mean `mean`?"),
        (
            "  patience: {distribution: lognormal, mean: 5 min}\n",
            "such as `{distribution: lognormal, mean: 5 min, sd: 2 min}`",
        ),
        ("  arrivals:\n    profile:\n      - {from: 9, to: '10:00', rate: 5/h}\n", "write `09:00`"),
        ("  arrivals: 12/hour\n  horizn: 8 h\n", "did you mean `horizon`?"),
        ("  arrivals: {profle: []}\n", "did you mean `profile`?"),
        ("  resources:\n    clerk:\n      capacity: 2\n      cst: 4\n", "did you mean `cost`?"),
        ("  scenarios:\n    - name: A\n    - name: A\n", "give each scenario its own name"),
        ("  scenarios: {name: A, wat: 1}\n", "expected one of `arrivals`, `automate`, `description`, `durations`"),
    ],
)
def test_hints(body: str, hint: str) -> None:
    _, _, _, found = error(body)
    assert found is not None and hint in found


def test_every_mistake_is_reported_at_once() -> None:
    with pytest.raises(BlueprintError) as info:
        stageline.loads(
            HEAD + "  arrivals: fast\n  patience: fixed\n  resources: {clerk: {cost: x}}\n"
            "  scenarios:\n    - name: A\n      staff: {clerk: lots}\n",
            file="bp.yaml",
        )
    assert [(p.location.line, p.code) for p in info.value.problems] == [
        (4, "value.rate"),
        (5, "value.distribution"),
        (6, "simulation.capacity"),
        (6, "value.cost"),
        (9, "value.staff"),
    ]


def test_the_rest_of_the_blueprint_is_still_checked() -> None:
    with pytest.raises(BlueprintError) as info:
        stageline.loads(HEAD + "  replications: 0\nstatus: asis\n", file="bp.yaml")
    assert {p.location.line for p in info.value.problems} == {4, 5}


# --- the side file ----------------------------------------------------------------------------


def test_side_file(tmp_path: Path) -> None:
    path = tmp_path / "what-ifs.yaml"
    path.write_text("# what-ifs\nscenarios:\n  - name: One more clerk\n    staff: {clerk: +1}\n", encoding="utf-8")
    settings = read_simulation_file(path)
    assert settings == SimulationSettings(scenarios=(Scenario("One more clerk", staff=(("clerk", 1, True),)),))
    where = settings.scenarios[0].where
    assert where is not None and (where.file, where.line, where.column) == (str(path), 3, 5)
    assert settings.where is not None and settings.where.line == 2


def test_side_file_in_json(tmp_path: Path) -> None:
    path = tmp_path / "what-ifs.json"
    path.write_text('{"scenarios": {"name": "Busy", "arrivals": "x1.5"}, "horizon": "8 h"}', encoding="utf-8")
    assert read_simulation_file(path) == SimulationSettings(
        horizon=28800, scenarios=(Scenario("Busy", rate_scale=1.5),)
    )


@pytest.mark.parametrize(
    ("text", "line", "column", "says", "pointer"),
    [
        (
            "scenarios:\n  - name: A\n    staff: {clerk: lots}\n",
            3,
            20,
            "expected a number of staff",
            "/scenarios/0/staff/clerk",
        ),
        ("scenarioz: []\n", 1, 1, "unknown key `scenarioz`", "/scenarioz"),
        ("scenarios:\n  name: A\n  staf: 1\n", 3, 3, "unknown key `staf`", "/scenarios/0/staf"),
        ("patience: triangular 5 min / 2 min / 3 min\n", 1, 11, "the mode between the two", "/patience"),
        ("resources:\n  clerk: 0\n", 2, 10, "greater than or equal to 1", "/resources/clerk"),
        ("horizon: 8 h\ncustomers: 3\n", 2, 1, "not both", "/customers"),
        ("", 1, 1, "the file is empty", ""),
        ("- name: A\n", 1, 1, "expected a mapping of simulation settings", ""),
        ("scenarios: [\n", 2, 1, "YAML syntax", ""),
        ("scenarios: {name: A}\nscenarios: {name: B}\n", 2, 1, "duplicate key `scenarios`", ""),
    ],
)
def test_side_file_mistakes(tmp_path: Path, text: str, line: int, column: int, says: str, pointer: str) -> None:
    path = tmp_path / "what-ifs.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError) as info:
        read_simulation_file(path)
    problem = info.value.problems[0]
    assert says in problem.message
    assert str(problem).startswith(f"{path}:{line}:{column}: error: ")
    assert problem.pointer == pointer


def test_side_file_reports_every_mistake_and_names_the_file() -> None:
    with pytest.raises(ParseError) as info:
        loads_simulation("arrivals: fast\nscenarios:\n  - name: A\n  - name: A\n", file="w.yaml")
    assert [str(p).split(": error")[0] for p in info.value.problems] == ["w.yaml:1:11", "w.yaml:4:11"]


def test_side_file_that_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        read_simulation_file(tmp_path / "nope.yaml")
    (tmp_path / "binary.yaml").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    with pytest.raises(StageLineError):
        read_simulation_file(tmp_path / "binary.yaml")


# --- the schema and the docs ------------------------------------------------------------------

DOCS = (ROOT / "docs" / "simulation.md").read_text(encoding="utf-8")


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def test_the_docs_examples_read_without_problems() -> None:
    blocks = _blocks(DOCS, "yaml")
    assert len(blocks) >= 5
    for block in blocks:
        if block.startswith("simulation:"):
            doc = stageline.read_document("stageline: 1\ntitle: t\n" + block)
            assert doc.errors == [] and doc.blueprint is not None and doc.blueprint.simulation, block
        else:
            assert loads_simulation(block) != SimulationSettings(), block


def test_the_docs_name_every_key() -> None:
    from stageline.formats import simdoc

    part = DOCS[DOCS.index("## The simulation settings") :]
    documented = set(re.findall(r"`([a-z_]+)`", part))
    models = [m for m in vars(simdoc).values() if isinstance(m, type) and issubclass(m, pydantic.BaseModel)]
    keys = {f.alias or name for m in models for name, f in m.model_fields.items()}
    assert keys and not keys - documented, keys - documented
    assert all(f"`{kind}" in part for kind in DISTRIBUTIONS)


def test_the_json_schema_knows_the_simulation_key() -> None:
    import jsonschema  # type: ignore[import-untyped, unused-ignore]
    from ruamel.yaml import YAML

    validator = jsonschema.Draft202012Validator(stageline.json_schema())
    (example,) = [b for b in _blocks(DOCS, "yaml") if "replications" in b]
    data = YAML(typ="safe").load("stageline: 1\ntitle: t\n" + example)
    assert not list(validator.iter_errors(data))
    assert list(validator.iter_errors({"stageline": 1, "title": "t", "simulation": {"horizn": "8 h"}}))
    assert list(validator.iter_errors({"stageline": 1, "title": "t", "simulation": {"replications": 0}}))
    schema = SimulationDoc.model_json_schema()
    assert {"arrivals", "resources", "actions", "scenarios"} <= set(schema["properties"])
