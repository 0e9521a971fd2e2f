"""``stageline simulate`` as a user runs it, and its figures read by ``check`` and ``render``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stageline.cli.main import main
from stageline.metrics import load_metrics

FIXTURES = Path(__file__).parent / "fixtures"

CAFE = """\
stageline: 1
title: Coffee to go
currency: EUR
roles: [{id: barista, name: Barista}]
steps:
  - id: order
    customer: {id: ask, label: Orders a drink, duration: 30 s}
    frontstage: {id: take, label: Takes the order, role: barista, duration: 1 min}
  - id: make
    backstage: {id: brew, label: Makes the drink, role: barista, duration: 2 min}
  - id: pick-up
    customer: {id: collect, label: Picks up the drink, duration: 20 s}
flows:
  - ask -> take
  - take -> brew
  - brew -> collect
simulation:
  arrivals: 30/h
  customers: 3000
  replications: 4
  resources:
    barista: {capacity: 2, cost: 18/h}
  scenarios:
    - name: third barista
      staff: {barista: +1}
    - name: faster machine
      durations: {brew: x0.5}
"""


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def _cafe(tmp_path: Path, text: str = CAFE) -> Path:
    path = tmp_path / "cafe.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_scenarios_are_compared_side_by_side(tmp_path: Path) -> None:
    code, out, err = _run("simulate", str(_cafe(tmp_path)))
    assert code == 0, err
    assert "as-is" in out and "third barista" in out and "faster machine" in out
    assert "4 replications of 3,000 customers, seed 1" in " ".join(out.split())
    assert "barista busy" in out
    assert "wait for take" in out


def test_json_has_every_figure_with_its_interval_and_more_staff_waits_less(tmp_path: Path) -> None:
    code, out, err = _run("simulate", str(_cafe(tmp_path)), "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    base, more, faster = data["scenarios"]
    assert [s["name"] for s in data["scenarios"]] == ["as-is", "third barista", "faster machine"]
    # 30/h x 3 min of barista work = 1.5 baristas busy: 75% of two, 50% of three
    assert abs(base["roles"]["barista"]["utilisation"]["mean"] - 0.75) < 0.03
    assert abs(more["roles"]["barista"]["utilisation"]["mean"] - 0.5) < 0.03
    wait = base["actions"]["take"]["wait_mean"]
    assert wait["low"] <= wait["mean"] <= wait["high"]
    assert more["felt_wait_mean"]["high"] < base["felt_wait_mean"]["low"]
    assert faster["actions"]["take"]["wait_mean"]["high"] < base["actions"]["take"]["wait_mean"]["low"]
    # a third barista costs more per customer: 3 x 18/h / 30 customers an hour
    assert abs(more["cost_per_customer"]["mean"] - 1.8) < 0.1


def test_the_same_seed_gives_the_same_figures(tmp_path: Path) -> None:
    path = str(_cafe(tmp_path))
    first = _run("simulate", path, "--format", "json", "--seed", "7", "-n", "2")[1]
    again = _run("simulate", path, "--format", "json", "--seed", "7", "-n", "2", "--jobs", "2")[1]
    other = _run("simulate", path, "--format", "json", "--seed", "8", "-n", "2")[1]
    assert first == again
    assert first != other


def test_metrics_files_are_written_per_scenario_and_read_by_check_and_render(tmp_path: Path) -> None:
    path = _cafe(tmp_path)
    out = tmp_path / "sim.json"
    code, _, err = _run("simulate", str(path), "-o", str(out), "--scenario", "third barista", "-q")
    assert code == 0, err
    written = sorted(p.name for p in tmp_path.glob("sim.*.json"))
    assert written == ["sim.as-is.json", "sim.third-barista.json"]
    metrics = load_metrics(tmp_path / "sim.third-barista.json")
    assert metrics.kind == "simulated"
    assert metrics.roles["barista"].utilisation is not None
    assert metrics.actions["take"].wait is not None
    code, report, err = _run("check", str(path), "--metrics", str(tmp_path / "sim.as-is.json"), "--fail-on", "never")
    assert code == 0, err
    assert "simulated" in " ".join(report.split())
    svg = tmp_path / "heat.svg"
    code, _, err = _run(
        "render", str(path), "--metrics", str(tmp_path / "sim.as-is.json"), "--heat", "wait", "-o", str(svg)
    )
    assert code == 0, err
    assert "<svg" in svg.read_text(encoding="utf-8")


def test_html_report_is_written(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    code, _, err = _run("simulate", str(_cafe(tmp_path)), "--html", str(report), "-n", "2", "-q")
    assert code == 0, err
    text = report.read_text(encoding="utf-8")
    assert "third barista" in text and "<svg" in text


def test_a_side_file_adds_scenarios_and_its_mistakes_are_located(tmp_path: Path) -> None:
    side = tmp_path / "what-if.yaml"
    side.write_text("scenarios:\n  - name: lunch rush\n    arrivals: x1.3\n", encoding="utf-8")
    code, out, err = _run("simulate", str(_cafe(tmp_path)), "--scenarios", str(side), "--scenario", "lunch rush")
    assert code == 0, err
    assert "lunch rush" in out and "third barista" not in out
    side.write_text("scenarios:\n  - name: typo\n    staff: {baristas: +1}\n", encoding="utf-8")
    code, _, err = _run("simulate", str(_cafe(tmp_path)), "--scenarios", str(side))
    assert code == 1
    assert f"{side}:2:5" in err
    assert "did you mean `barista`?" in err


def test_an_overloaded_blueprint_is_refused_with_the_fix(tmp_path: Path) -> None:
    path = _cafe(tmp_path, CAFE.replace("arrivals: 30/h", "arrivals: 45/h"))
    code, _, err = _run("simulate", str(path))
    assert code == 1
    assert "barista" in err and "grow without end" in err
    assert "Traceback" not in err
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if text.strip().startswith("barista:"))
    assert f"{path}:{line}:" in err


def test_a_scenario_that_leaves_nobody_is_refused_where_it_is_written(tmp_path: Path) -> None:
    path = _cafe(tmp_path, CAFE.replace("staff: {barista: +1}", "staff: {barista: 0}"))
    code, _, err = _run("simulate", str(path))
    assert code == 1
    assert "capacity of 0" in err
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if "name: third barista" in text)
    assert f"{path}:{line}:" in err


def test_an_unknown_scenario_lists_the_known_ones(tmp_path: Path) -> None:
    code, _, err = _run("simulate", str(_cafe(tmp_path)), "--scenario", "third baristas")
    assert code == 1
    assert "did you mean `third barista`?" in err


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    code, _, err = _run("simulate", str(_cafe(tmp_path)), "--horizon", "soon")
    assert code == 2
    assert "--horizon" in err and "duration" in err


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=40))
def test_any_scenario_side_file_is_read_or_refused_with_a_place(tmp_path: Path, text: str) -> None:
    side = tmp_path / "side.yaml"
    side.write_text(f"scenarios:\n  - name: x\n    staff: {json.dumps({'barista': text})}\n", encoding="utf-8")
    code, _, err = _run(
        "simulate", str(_cafe(tmp_path)), "--scenarios", str(side), "-n", "1", "--customers", "50", "-q"
    )
    assert "Traceback" not in err
    assert code in (0, 1)
    if code == 1:
        assert str(side) in err or str(tmp_path / "cafe.yaml") in err


SIDE = """\
arrivals: {replay: true}
replications: 2
actions:
  log: {duration: empirical}
  repair: {duration: empirical}
"""


def test_a_log_gives_empirical_durations_and_replayed_arrivals(tmp_path: Path) -> None:
    from stageline.data.importer import import_log
    from stageline.data.samples import log_samples
    from stageline.formats import load
    from stageline.formats.simfile import loads_simulation
    from stageline.sim import simulate

    bp = load(FIXTURES / "repair.yaml")
    found = log_samples(bp, import_log(FIXTURES / "repair-log.csv", cache=tmp_path / "cache"))
    # start to completion of each occurrence, read off the log by hand
    assert sorted(found.durations) == ["log", "repair"]
    assert sorted(found.durations["log"].tolist()) == [300.0, 300.0, 600.0]
    assert sorted(found.durations["repair"].tolist()) == [1800.0, 3600.0, 7200.0]
    assert found.arrivals == (0.0, 86400.0, 172800.0)
    result = simulate(bp, settings=loads_simulation(SIDE), samples=found.durations, replay=found.arrivals)
    base = result.scenarios[0]
    assert base.customers.mean == 3
    repair = next(a for a in base.actions if a.id == "repair")
    assert 1800 <= repair.service_mean.mean <= 7200
    log = base.summaries[0].nodes[[n.id for n in base.network.nodes].index("log")]
    assert log.service.count == 3
    assert log.service.max in (300.0, 600.0)  # drawn from what the log measured

    side = tmp_path / "replay.yaml"
    side.write_text(SIDE, encoding="utf-8")
    code, out, err = _run(
        "simulate",
        str(FIXTURES / "repair.yaml"),
        "--scenarios",
        str(side),
        "--log",
        str(FIXTURES / "repair-log.csv"),
        "--format",
        "json",
    )
    assert code == 0, err
    assert json.loads(out)["scenarios"][0]["customers"]["mean"] == 3


def test_empirical_durations_without_a_log_say_how_to_give_one(tmp_path: Path) -> None:
    side = tmp_path / "replay.yaml"
    side.write_text(SIDE, encoding="utf-8")
    code, _, err = _run("simulate", str(FIXTURES / "repair.yaml"), "--scenarios", str(side))
    assert code == 1
    assert "--log" in err
    assert f"{side}:" in err


def test_branch_odds_over_a_whole_are_refused_before_anything_runs(tmp_path: Path) -> None:
    text = CAFE.replace("  - take -> brew\n", "  - take -> brew [70%]\n  - take -> collect [60%]\n")
    path = _cafe(tmp_path, text)
    code, _, err = _run("simulate", str(path))
    assert code == 1
    assert "add up to 130%" in err
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "take -> collect" in t)
    assert f"{path}:{line}:" in err
    side = tmp_path / "odds.yaml"
    side.write_text('scenarios:\n  - name: odd\n    odds: {"take -> brew": 100%}\n', encoding="utf-8")
    fine = _cafe(tmp_path, CAFE.replace("  - take -> brew\n", "  - take -> brew [70%]\n  - take -> collect [30%]\n"))
    code, _, err = _run("simulate", str(fine), "--scenarios", str(side), "--scenario", "odd")
    assert code == 1
    assert f"{side}:2:" in err and "add up to 130%" in err


def test_customers_waiting_overnight_are_served_when_the_shift_starts(tmp_path: Path) -> None:
    text = CAFE.replace(
        "    barista: {capacity: 2, cost: 18/h}", '    barista: {shifts: {from: "08:00", to: "20:00", capacity: 4}}'
    )
    text = text.replace("  customers: 3000\n", "  horizon: 1 day\n")
    code, out, err = _run("simulate", str(_cafe(tmp_path, text)), "--format", "json", "-n", "2", "--scenario", "as-is")
    assert code == 0, err
    base = json.loads(out)["scenarios"][0]
    assert base["abandonment"]["mean"] == 0
    # everyone who came in the 12 closed hours waited for 08:00, and all were served
    assert base["throughput_per_hour"]["mean"] * 24 == pytest.approx(base["customers"]["mean"], rel=1e-6)
    assert base["felt_wait_mean"]["mean"] > 3600


def test_run_lengths_that_count_nobody_are_refused(tmp_path: Path) -> None:
    path = str(_cafe(tmp_path))
    assert "longer than 0" in _run("simulate", path, "--horizon", "0 s")[2]
    assert "not both" in _run("simulate", path, "--horizon", "1 h", "--customers", "5")[2]
    assert "shorter than the horizon" in _run("simulate", path, "--horizon", "30 min", "--warmup", "1 h")[2]
    code, _, err = _run("simulate", path, "--warmup", "10 days")
    assert code == 1
    assert "no customer arrived between the warm-up and the end" in err


def test_a_blueprint_without_simulation_settings_is_told_what_to_add(tmp_path: Path) -> None:
    text = CAFE[: CAFE.index("simulation:")]
    path = _cafe(tmp_path, text)
    code, _, err = _run("simulate", str(path))
    assert code == 1
    assert err.startswith(f"{path}: error: the simulation needs an arrival rate")
    assert "simulation: {arrivals: 12/h}" in err
