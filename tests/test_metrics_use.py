"""Measured figures in use: the blueprint they make, `check --metrics` and `render --metrics`."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import stageline
from stageline.analysis import RULES, analyse
from stageline.cli import main
from stageline.data import Columns, Options, import_log, measure
from stageline.layout.heat import HEATS, heat_colour, heat_of
from stageline.metrics import Metrics, dumps_metrics
from stageline.metrics.apply import apply_metrics

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def measured(tmp_path_factory: pytest.TempPathFactory) -> tuple[stageline.Blueprint, Metrics]:
    bp = stageline.load(FIXTURES / "repair.yaml")
    log = import_log(FIXTURES / "repair-log.csv", Columns(time="timestamp"), cache=tmp_path_factory.mktemp("c"))
    return bp, measure(bp, log, Options(stale_days=0.5))


def test_measured_figures_replace_assumed_ones_and_say_so(measured: tuple[stageline.Blueprint, Metrics]) -> None:
    bp, m = measured
    applied = apply_metrics(bp, m)
    before, after = bp.action("repair"), applied.blueprint.action("repair")
    assert before is not None and after is not None and before.duration is not None and after.duration is not None
    assert before.duration.expected == 3600 and after.duration.expected == pytest.approx((7200 + 1800 + 3600) / 3)
    assert after.duration.tolerance == before.duration.tolerance  # a target, kept
    log_ = applied.blueprint.action("log")
    assert log_ is not None and log_.wait is not None and log_.wait.expected == pytest.approx((1200 + 6900 + 300) / 3)
    assert applied.replaced("log", "wait") and applied.replaced("repair", "duration")
    # without start times, the time since `repair` less close's own assumed time is its wait
    assert applied.replaced("close", "wait") and not applied.replaced("close", "duration")
    # no flow in the file has odds, so none are replaced: flows without odds are parallel work
    assert applied.flows == frozenset()
    assert applied.original is bp
    assert "measured from" in applied.describe() and "assumed" in applied.describe()


def test_branch_odds_are_measured_where_the_blueprint_gives_odds(measured: tuple[stageline.Blueprint, Metrics]) -> None:
    m = measured[1]
    text = (FIXTURES / "repair.yaml").read_text(encoding="utf-8")
    text = text.replace("  - repair -> refund\n", "  - repair -> refund [10%]\n").replace(
        "log -> repair -> close\n", "log -> repair\n  - repair -> close [90%]\n"
    )
    branching = stageline.loads(text, file="repair.yaml")
    applied = apply_metrics(branching, m)
    odds = {(f.source, f.target): f.probability for f in applied.blueprint.flows}
    # repair happened 3 times, once as a repeat (rework): 2 occurrences went on, both to close
    assert odds[("repair", "close")] == pytest.approx(1.0)
    assert odds[("repair", "refund")] == 0.0
    assert applied.flows == {("repair", "close"), ("repair", "refund")}


def test_check_with_metrics_finds_what_the_log_shows(measured: tuple[stageline.Blueprint, Metrics]) -> None:
    bp, m = measured
    plain = analyse(bp)
    assert not [f for f in plain.findings if f.rule.startswith("measured.")]
    report = analyse(bp, metrics=m)
    found = {(f.rule, f.subject) for f in report.findings}
    assert ("measured.breach", "repair") in found  # 2 h against a limit of 1 h 30 min, 1 of 3
    assert ("measured.rework", "repair") in found  # repeated in 1 of its 2 cases
    assert ("measured.off-blueprint", "log") in found  # log -> refund skips repair
    assert ("measured.unclaimed", "Escalate") in found
    assert ("measured.stale", "repair") in found
    assert any(rule == "measured.unused-flow" for rule, _ in found)
    assert ("measured.drift", "log") in found  # 10 min assumed, 5 min measured
    assert ("measured.drift", "repair") not in found  # 1 h assumed, 1 h measured
    # c3 ends at the refund; once the blueprint goes on from there, that is a drop-off
    text = (FIXTURES / "repair.yaml").read_text(encoding="utf-8") + "  - refund -> close\n"
    going_on = analyse(stageline.loads(text, file="repair.yaml"), metrics=m)
    drops = {(f.rule, f.subject) for f in going_on.findings if f.rule == "measured.drop-off"}
    assert drops == {("measured.drop-off", "refund")}
    fired = {rule for rule, _ in found} | {rule for rule, _ in drops}
    assert {r for r in RULES if r.startswith("measured.")} <= fired
    assert report.measured is not None
    figures = report.to_dict()["figures"]
    assert figures["basis"] == "measured" and figures["sources"].startswith("Figures measured from")


def test_heat_shades_from_light_to_dark() -> None:
    def lightness(colour: str) -> float:
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    shades = [lightness(heat_colour(k / 20)) for k in range(21)]
    assert shades == sorted(shades, reverse=True)
    assert heat_colour(-1) == heat_colour(0) and heat_colour(2) == heat_colour(1)


def test_every_heat_can_be_drawn(measured: tuple[stageline.Blueprint, Metrics]) -> None:
    bp, m = measured
    applied = apply_metrics(bp, m)
    for name in HEATS:
        heat = heat_of(applied, name)
        assert heat.title and heat.kind == "measured"
        for shade, text in heat.values.values():
            assert 0.0 <= shade <= 1.0 and text
    wait = heat_of(applied, "wait")
    assert wait.values["log"][1] == "20 min" and wait.values["close"][1].endswith("*")
    assert wait.starred


# --- the command line ---------------------------------------------------------------------------


@pytest.fixture
def metrics_file(tmp_path: Path, measured: tuple[stageline.Blueprint, Metrics]) -> Path:
    path = tmp_path / "metrics.json"
    path.write_text(dumps_metrics(measured[1]), encoding="utf-8")
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_measure_writes_the_metrics_and_a_summary(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    code, stdout, stderr = run(
        "measure",
        str(FIXTURES / "repair.yaml"),
        "--log",
        str(FIXTURES / "repair-log.csv"),
        "--time",
        "timestamp",
        "--cache",
        str(tmp_path / "cache"),
        "-o",
        str(out),
    )
    assert code == 0, stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["stageline"] == "metrics" and data["kind"] == "measured"
    assert data["actions"]["repair"]["events"] == 3
    assert "13 rows read, 13 events kept in 3 cases, none rejected" in stdout
    assert "no action claims activity `Escalate`" in stdout
    code, stdout, _ = run(
        "measure", str(FIXTURES / "repair.yaml"), "--log", str(FIXTURES / "repair-log.csv"), "--time", "timestamp",
        "--cache", str(tmp_path / "cache"), "-o", "-", "-q",
    )  # fmt: skip
    assert code == 0 and json.loads(stdout)["kind"] == "measured"


def test_measure_reports_bad_input_located_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "m.json"
    code, _, stderr = run(
        "measure", str(FIXTURES / "repair.yaml"), "--log", str(FIXTURES / "repair-log.csv"),
        "--time", "when", "--cache", str(tmp_path / "cache"), "-o", str(out),
    )  # fmt: skip
    assert code == 1 and not out.exists()
    assert "repair-log.csv:1:1: error: the log has no column `when` for the time" in stderr
    assert "Traceback" not in stderr
    code, _, stderr = run("measure", str(FIXTURES / "repair.yaml"), "--log", str(tmp_path / "missing.csv"))
    assert code == 1 and "missing.csv: error: no such file" in stderr


def test_check_and_render_take_the_metrics(tmp_path: Path, metrics_file: Path) -> None:
    bp = str(FIXTURES / "repair.yaml")
    code, stdout, _ = run("check", bp, "--metrics", str(metrics_file), "--fail-on", "never", "--format", "json")
    assert code == 0
    report = json.loads(stdout)
    assert {f["rule"] for f in report["findings"]} >= {"measured.breach", "measured.rework"}
    svg_path = tmp_path / "r.svg"
    code, _, stderr = run("render", bp, "--metrics", str(metrics_file), "--heat", "rework", "-o", str(svg_path))
    assert code == 0, stderr
    svg = svg_path.read_text(encoding="utf-8")
    bars = re.findall(r'<g class="sl-action[^"]*" id="sl-a-([^"]+)"[^>]*>(?:(?!</g>).)*?class="sl-heat"', svg, re.S)
    assert set(bars) == {"report.customer", "log", "repair", "close", "refund"}
    assert "cases doing it again, measured" in svg
    assert "measured from repair-log.csv (3 cases, 2024-03-04 to 2024-03-06)" in svg
    html_path = tmp_path / "r.html"
    assert run("render", bp, "--metrics", str(metrics_file), "-o", str(html_path))[0] == 0
    page = html_path.read_text(encoding="utf-8")
    # the details card gives the blueprint's own figures as assumed, then the measured ones
    assert re.search(r'\["Duration \(assumed\)",\s*"1 h \(tolerance 30 min\)"\]', page)
    assert re.search(r'\["Time taken \(measured\)",\s*"median 1 h, p90 1.8 h"\]', page)


def test_bad_metrics_and_heat_are_located(tmp_path: Path, metrics_file: Path) -> None:
    bp = str(FIXTURES / "repair.yaml")
    code, _, stderr = run(
        "render", bp, "--metrics", str(metrics_file), "--heat", "rwork", "-o", str(tmp_path / "x.svg")
    )
    assert code == 1 and "--heat: error: unknown heat `rwork`" in stderr and "did you mean `rework`?" in stderr
    broken = tmp_path / "broken.json"
    broken.write_text(metrics_file.read_text(encoding="utf-8").replace('"events": 3,', '"events": "three",', 1))
    code, _, stderr = run("render", bp, "--metrics", str(broken), "-o", str(tmp_path / "x.svg"))
    assert code == 1 and re.search(r"broken\.json:\d+:\d+: error: /actions/[^:]+/events: input should be", stderr)
    assert not (tmp_path / "x.svg").exists()
    code, _, stderr = run("check", bp, "--metrics", str(FIXTURES / "repair.yaml"))
    assert code == 2 and "repair.yaml:1:1: error: JSON syntax" in stderr
    other = tmp_path / "other.json"
    other.write_text('{"title": "not metrics"}', encoding="utf-8")
    code, _, stderr = run("check", bp, "--metrics", str(other))
    assert code == 2 and "other.json:1:1: error: not a Stageline metrics file" in stderr


def test_a_case_ending_at_an_unseen_action_is_no_drop_off(measured: tuple[stageline.Blueprint, Metrics]) -> None:
    _, m = measured
    # close goes on to a customer action the log cannot see: cases ending at close end well
    text = (
        (FIXTURES / "repair.yaml")
        .read_text(encoding="utf-8")
        .replace(
            "  - id: refund\n", "  - id: thanks\n    phase: fix\n    customer: Customer says thanks\n  - id: refund\n"
        )
    )
    text += "  - close -> thanks.customer\n"
    report = analyse(stageline.loads(text, file="repair.yaml"), metrics=m)
    assert not [f for f in report.findings if f.rule == "measured.drop-off"]


def test_only_flows_with_odds_get_measured_odds(measured: tuple[stageline.Blueprint, Metrics]) -> None:
    _, m = measured
    text = (FIXTURES / "repair.yaml").read_text(encoding="utf-8")
    text = text.replace("  - repair -> refund\n", "  - repair -> refund [10%]\n  - repair -> report.customer\n")
    applied = apply_metrics(stageline.loads(text, file="repair.yaml"), m)
    odds = {(f.source, f.target): f.probability for f in applied.blueprint.flows}
    assert odds[("repair", "refund")] == 0.0
    assert odds[("repair", "close")] is None and odds[("repair", "report.customer")] is None  # parallel work
