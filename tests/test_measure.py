"""Measured figures: hand-computed on small logs, cross-checked on the real logs against an
independent computation, and the same on Spark as on DuckDB."""

from __future__ import annotations

import gzip
import math
import xml.etree.ElementTree as ET
from collections import Counter, defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import stageline
from stageline.data import Columns, EventLog, Options, import_log, measure
from stageline.metrics import Metrics, dumps_metrics, loads_metrics

ROOT = Path(__file__).parent.parent
LOGS = ROOT.parent / "shared" / "data" / "eventlogs"

FIXTURES = Path(__file__).parent / "fixtures"
BLUEPRINT = (FIXTURES / "repair.yaml").read_text(encoding="utf-8")
LOG = (FIXTURES / "repair-log.csv").read_text(encoding="utf-8")


@pytest.fixture
def repair(tmp_path: Path) -> tuple[stageline.Blueprint, EventLog]:
    (tmp_path / "log.csv").write_text(LOG, encoding="utf-8")
    bp = stageline.loads(BLUEPRINT, file="repair.yaml")
    log = import_log(tmp_path / "log.csv", Columns(time="timestamp"), cache=tmp_path / "cache")
    return bp, log


def test_figures_of_a_small_log_are_the_hand_computed_ones(repair: tuple[stageline.Blueprint, EventLog]) -> None:
    bp, log = repair
    m = measure(bp, log, Options(stale_days=0.5))
    assert m.kind == "measured" and m.engine == "duckdb"
    s = m.service
    assert s is not None and (s.cases, s.events, s.variants) == (3, 13, 3)
    # c1 09:00-12:05, c2 09:00-14:10, c3 09:00-10:30 (the unclaimed Escalate counts for the case)
    assert s.case_time is not None and s.case_time.p50 == 185 * 60 and s.case_time.max == 310 * 60

    log_ = m.actions["log"]
    assert (log_.events, log_.cases, log_.share) == (3, 3, 1.0)
    assert log_.service is not None and log_.service.mean == pytest.approx((10 + 5 + 5) * 60 / 3)
    # waits: from the report's end to the log's start: 20 min, 1 h 55 min, 5 min
    assert log_.wait is not None and log_.wait.p50 == 20 * 60 and log_.wait.max == 115 * 60
    assert not log_.wait_includes_service
    assert log_.breaches is not None
    assert (log_.breaches.duration, log_.breaches.wait) == (0, 0)  # 15 min and 2 h limits

    rep = m.actions["repair"]
    assert (rep.events, rep.cases, rep.rework, rep.rework_cases) == (3, 2, 1, 1)
    assert (rep.failures, rep.failure_rate) == (1, pytest.approx(1 / 3))
    # services 2 h, 30 min, 1 h; the limit is 1 h 30 min
    assert rep.service is not None and rep.service.p50 == 3600
    assert rep.breaches is not None and rep.breaches.duration == 1
    assert [(c.name, c.count) for c in rep.top_resources] == [("tom", 2), ("tim", 1)]

    close = m.actions["close"]  # the glob claims "Close" and "Close and notify"
    assert (close.events, close.drop_off) == (2, 2)
    assert close.wait is not None and close.wait_includes_service
    assert m.actions["refund"].events == 1  # the regex did not claim "Escalate"
    assert "report.customer" in m.actions

    flows = {(f.source, f.target): f for f in m.flows}
    assert flows[("log", "repair")].transitions == 2
    assert flows[("repair", "repair")].transitions == 1
    assert flows[("repair", "close")].probability == pytest.approx(2 / 3)
    assert flows[("repair", "close")].handoffs == 2  # tom -> ann, tim -> bob
    assert flows[("log", "refund")].in_blueprint is False

    c = m.conformance
    assert c is not None
    assert [(t.source, t.target, t.kind, t.skipped) for t in c.extra] == [("log", "refund", "skip", ("repair",))]
    assert (c.fitting, c.fitting_share) == (2, pytest.approx(2 / 3))
    assert c.unobserved == (("repair", "refund"),)
    assert [(a.name, a.events) for a in c.unclaimed] == [("Escalate", 1)]
    assert [a.name for a in c.unmatched] == ["refund: /Pay(ment)? back/"]  # no payback in this log
    # the log ends 2024-03-06 10:30; in the half day before, only c3 had events
    assert set(c.stale) == {"repair", "close"}

    steps = m.steps
    assert (steps["report"].cases, steps["report"].drop_off) == (3, 0)
    assert steps["fix"].drop_off == 2 and steps["refund"].drop_off == 1
    assert (steps["fix"].rework, steps["fix"].failures, steps["fix"].skipped) == (1, 1, 1)  # c3 went past it
    assert steps["report"].skipped == 0
    assert m.phases["fix"].cases == 3


def test_unmatched_patterns_suggest_the_activity_meant(tmp_path: Path) -> None:
    (tmp_path / "log.csv").write_text(LOG, encoding="utf-8")
    bp = stageline.loads(BLUEPRINT.replace("activities: [Log]", "activities: [Logg]"), file="r.yaml")
    log = import_log(tmp_path / "log.csv", Columns(time="timestamp"), cache=tmp_path / "cache")
    c = measure(bp, log).conformance
    assert c is not None
    assert (c.unmatched[0].name, c.unmatched[0].suggestions) == ("log: Logg", ("Log",))
    assert c.contested == ()
    both = stageline.loads(BLUEPRINT.replace("activities: [Refund,", "activities: [Log, Refund,"), file="r.yaml")
    contested = measure(both, log).conformance
    assert contested is not None and contested.contested == (("Log", "log", "refund"),)
    assert [a.name for a in c.unclaimed] == ["Log", "Escalate"]
    assert c.unclaimed[0].suggestions[0] == "log"


def test_metrics_files_read_back_equal(repair: tuple[stageline.Blueprint, EventLog]) -> None:
    bp, log = repair
    m = measure(bp, log)
    assert loads_metrics(dumps_metrics(m)) == m


# --- the real logs, against an independent computation --------------------------------------


def _xes_events(path: Path) -> list[tuple[str, str, datetime, str | None, int]]:
    """(case, activity, time, resource, order) of every event, read with ElementTree."""
    out: list[tuple[str, str, datetime, str | None, int]] = []
    opener: Any = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as handle:
        case = ""
        in_event = False
        for kind, el in ET.iterparse(handle, events=("start", "end")):
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "event":
                in_event = kind == "start"
                if kind == "end":
                    attrs = {c.get("key"): c.get("value") for c in el}
                    time = datetime.fromisoformat(str(attrs["time:timestamp"]))
                    out.append((case, str(attrs["concept:name"]), time, attrs.get("org:resource"), len(out)))
                    el.clear()
            elif kind == "end" and tag == "string" and not in_event and el.get("key") == "concept:name":
                case = str(el.get("value"))  # the trace's name comes before its events
    return out


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    at = (len(ordered) - 1) * q
    low = math.floor(at)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (at - low)


def _parquet_events(path: Path) -> list[tuple[str, str, datetime, str | None, int]]:
    """(case, activity, time, resource, order) of every row, read with pyarrow."""
    import pyarrow.parquet as pq

    table = pq.read_table(path, columns=["case:concept:name", "concept:name", "time:timestamp", "org:resource"])
    rows = zip(*(table.column(i).to_pylist() for i in range(4)), strict=True)
    return [(c, a, t.replace(tzinfo=UTC), r, i) for i, (c, a, t, r) in enumerate(rows)]


def _oracle(bp: stageline.Blueprint, path: Path) -> dict[str, Any]:
    events = _parquet_events(path) if path.suffix == ".parquet" else _xes_events(path)
    seen: set[tuple[str, str, datetime, str | None]] = set()
    kept = []
    for case, activity, time, resource, order in events:
        key = (case, activity, time, resource)
        if key not in seen:  # the import rejects repeats of the same event
            seen.add(key)
            kept.append((case, activity, time, resource, order))
    action_of = {m.name: a.id for a in bp.actions for m in a.activities if m.name}
    by_case: dict[str, list[tuple[datetime, int, str]]] = defaultdict(list)
    for case, activity, time, _, order in kept:
        by_case[case].append((time, order, activity))
    figures: dict[str, Any] = {"actions": defaultdict(lambda: {"events": 0, "cases": set(), "drop": 0, "waits": []})}
    transitions: Counter[tuple[str, str]] = Counter()
    variants = set()
    spans = []
    for case, items in by_case.items():
        items.sort()
        variants.add(tuple(a for _, _, a in items))
        spans.append((items[-1][0] - items[0][0]).total_seconds())
        occ = [(t, action_of[a]) for t, _, a in items if a in action_of]
        for i, (t, action) in enumerate(occ):
            f = figures["actions"][action]
            f["events"] += 1
            f["cases"].add(case)
            if i > 0:
                f["waits"].append(max(0.0, (t - occ[i - 1][0]).total_seconds()))
                transitions[(occ[i - 1][1], action)] += 1
        if occ:
            figures["actions"][occ[-1][1]]["drop"] += 1
    figures.update(cases=len(by_case), events=len(kept), variants=len(variants), span_p50=_percentile(spans, 0.5))
    figures["transitions"] = transitions
    return figures


def _check_against_oracle(m: Metrics, expected: dict[str, Any]) -> None:
    s = m.service
    assert s is not None
    assert (s.cases, s.events, s.variants) == (expected["cases"], expected["events"], expected["variants"])
    assert s.case_time is not None and s.case_time.p50 == pytest.approx(expected["span_p50"], abs=1e-3)
    assert set(m.actions) == set(expected["actions"])
    for action_id, e in expected["actions"].items():
        got = m.actions[action_id]
        assert (got.events, got.cases, got.drop_off) == (e["events"], len(e["cases"]), e["drop"]), action_id
        if e["waits"]:
            assert got.wait is not None
            assert got.wait.count == len(e["waits"])
            assert got.wait.p50 == pytest.approx(_percentile(e["waits"], 0.5), abs=1e-3), action_id
            assert got.wait.p90 == pytest.approx(_percentile(e["waits"], 0.9), abs=1e-3), action_id
    got_flows = {(f.source, f.target): f.transitions for f in m.flows}
    assert got_flows == dict(expected["transitions"])


def _real(name: str) -> Path:
    path = LOGS / name
    if not path.exists():
        pytest.skip(f"{path} is not here (the shared event logs sit beside the project)")
    return path


@pytest.fixture(scope="module")
def helpdesk(tmp_path_factory: pytest.TempPathFactory) -> tuple[stageline.Blueprint, EventLog]:
    path = _real("helpdesk.xes.gz")
    bp = stageline.load(ROOT / "examples" / "help-desk.yaml")
    return bp, import_log(path, cache=tmp_path_factory.mktemp("cache"))


def test_helpdesk_figures_match_an_independent_computation(helpdesk: tuple[stageline.Blueprint, EventLog]) -> None:
    bp, log = helpdesk
    assert log.quality.rejected_rows == 127 and [i.code for i in log.quality.rejected] == ["duplicate"]
    m = measure(bp, log)
    expected = _oracle(bp, _real("helpdesk.xes.gz"))
    _check_against_oracle(m, expected)
    role_of = {a.id: a.role for a in bp.actions if a.role}
    handoffs: Counter[tuple[str, str]] = Counter()
    for (source, target), n in expected["transitions"].items():
        if role_of.get(source) and role_of.get(target) and role_of[source] != role_of[target]:
            handoffs[(role_of[source], role_of[target])] += n
    assert {(h.source, h.target): h.transitions for h in m.handoffs} == dict(handoffs)
    assert handoffs and set(m.roles) <= set(role_of.values())


def test_permit_figures_match_an_independent_computation(tmp_path: Path) -> None:
    path = _real("receipt.parquet")
    bp = stageline.load(ROOT / "examples" / "permit-application.yaml")
    log = import_log(path, cache=tmp_path)
    assert log.quality.events == 8_577 and log.quality.cases == 1_434
    _check_against_oracle(measure(bp, log), _oracle(bp, path))


def test_loan_figures_match_an_independent_computation(tmp_path: Path) -> None:
    path = _real("bpic2012.xes.gz")
    bp = stageline.load(ROOT / "examples" / "loan-application.yaml")
    log = import_log(path, cache=tmp_path)
    assert log.quality.events == 262_200 and log.quality.cases == 13_087 and not log.quality.rejected
    m = measure(bp, log)
    assert m.service is not None and m.service.variants == 4_366  # as published for BPIC 2012
    # The oracle above ignores lifecycles, so compare what lifecycles do not change.
    plain = _oracle(bp, path)
    assert (m.service.cases, m.service.events) == (plain["cases"], plain["events"])
    assert m.service.case_time is not None
    assert m.service.case_time.p50 == pytest.approx(plain["span_p50"], abs=1e-3)
    # W_ work items: a START then a COMPLETE; the service time is measured between them.
    fix = m.actions["complete.frontstage"]
    assert fix.service is not None and fix.service.count > 0.9 * fix.events
    assert not fix.wait_includes_service


# Py4J, which drives Spark's JVM, leaves its gateway sockets for the garbage collector.
@pytest.mark.filterwarnings("ignore::ResourceWarning", "ignore::pytest.PytestUnraisableExceptionWarning")
def test_spark_gives_the_same_figures_as_duckdb(helpdesk: tuple[stageline.Blueprint, EventLog]) -> None:
    pytest.importorskip("pyspark", reason="the Spark engine is the optional extra stageline[spark]")
    from stageline.data.engine import connect_engine

    bp, log = helpdesk
    tmp = log.path.parent
    (tmp / "pairs.csv").write_text(
        "case,activity,lifecycle,timestamp,cost,outcome\n"
        "c1,A,start,2024-01-01T09:00:00Z,,\nc1,A,start,2024-01-01T09:10:00Z,,\n"
        "c1,A,complete,2024-01-01T09:20:00Z,1.1,ok\nc1,A,complete,2024-01-01T09:40:00Z,2.2,failed\n"
        "c1,B,complete,2024-01-01T09:40:00Z,0.3,\nc2,A,start,2024-01-01T11:00:00Z,,\n"
        "c2,A,complete,2024-01-01T11:05:00Z,0.7,\n",
        encoding="utf-8",
    )
    cases = [
        (bp, log),  # no lifecycle: completions only
        (  # a start column, outcomes, rework
            stageline.load(FIXTURES / "repair.yaml"),
            import_log(FIXTURES / "repair-log.csv", Columns(time="timestamp"), cache=tmp),
        ),
        (  # lifecycles paired first in first out, costs, failures, ties in time
            stageline.loads(PAIRS_BLUEPRINT, file="pairs.yaml"),
            import_log(tmp / "pairs.csv", Columns(time="timestamp"), cache=tmp),
        ),
    ]
    spark = connect_engine("spark", stageline.data.Limits(threads=2))
    try:
        for blueprint, events in cases:
            on_duckdb = measure(blueprint, events, Options(engine="duckdb"))
            on_spark = measure(blueprint, events, engine=spark)
            assert on_spark.engine == "spark"
            assert dumps_metrics(on_spark).replace('"spark"', '"duckdb"') == dumps_metrics(on_duckdb)
    finally:
        spark.close()


PAIRS_BLUEPRINT = """\
stageline: 1
title: Pairs
steps:
  - id: one
    backstage:
      id: a
      label: Does A
      wait: 10 min ± 10 min
      activities: [{name: A, lifecycle: complete}, {name: A, lifecycle: start}]
  - id: two
    backstage:
      id: b
      label: Does B
      activities: [B]
flows:
  - a -> b
"""


def test_starts_pair_first_in_first_out_and_leftovers_are_counted(tmp_path: Path) -> None:
    (tmp_path / "log.csv").write_text(
        "case,activity,lifecycle,timestamp\n"
        "c1,A,start,2024-01-01T09:00:00Z\n"
        "c1,A,start,2024-01-01T09:10:00Z\n"
        "c1,A,complete,2024-01-01T09:20:00Z\n"
        "c1,A,complete,2024-01-01T09:40:00Z\n"
        "c1,B,complete,2024-01-01T10:00:00Z\n"
        "c2,A,start,2024-01-01T11:00:00Z\n"
        "c2,A,complete,2024-01-01T11:05:00Z\n"
        "c2,A,start,2024-01-01T11:30:00Z\n",
        encoding="utf-8",
    )
    bp = stageline.loads(PAIRS_BLUEPRINT, file="pairs.yaml")
    m = measure(bp, import_log(tmp_path / "log.csv", Columns(time="timestamp"), cache=tmp_path / "c"))
    a = m.actions["a"]
    # c1: 09:00 -> 09:20 and 09:10 -> 09:40 (first in, first out); c2: 11:00 -> 11:05
    assert a.events == 3 and a.service is not None and a.service.count == 3
    assert a.service.max == 30 * 60 and a.service.p50 == 20 * 60
    assert a.unfinished == 1  # c2 started A again at 11:30 and never finished it
    assert not a.wait_includes_service
    # the second occurrence began at 09:10, before the first ended: it waited for nothing
    assert a.wait is not None and a.wait.max == 0


def test_events_on_one_xes_line_are_told_apart(tmp_path: Path) -> None:
    events = (
        '<event><string key="concept:name" value="A"/><date key="time:timestamp" value="2024-01-01T09:00:00Z"/></event>'
    )
    other = events.replace('value="A"', 'value="B"')
    (tmp_path / "log.xes").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<log>\n<trace><string key="concept:name" value="c1"/>\n'
        f"{events}\n{events}{other}\n</trace>\n</log>\n",
        encoding="utf-8",
    )
    log = import_log(tmp_path / "log.xes", cache=tmp_path / "c")
    # line 5 holds a repeat of A (rejected) and B (kept), though they share the line
    assert (log.quality.rows, log.quality.events) == (3, 2)
    assert [(i.code, i.places) for i in log.quality.rejected] == [("duplicate", ("line 5",))]
