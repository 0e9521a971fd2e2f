"""Synthetic event logs of any size for the data benchmarks, and the blueprint that matches them.

The service is an insurance claim: 20 activities over five phases, about 10 events per case.
Every case starts with the claim being reported and registered, then walks a Markov chain:
a main path (coverage check, damage assessment, decision, offer, payment or repair, closing)
with branches (documents requested, fraud screening, on-site inspection, rejection), rework
loops (documents uploaded go back to the coverage check, an appeal goes back to the decision,
a revised offer is sent again) and drop-off (a customer who never sends the documents, never
answers the offer, or walks away after a rejection). Three activities are recorded as start and
complete pairs, so their service time shows; the others as one complete event. Staff
activities carry a resource from a pool per activity, system activities the resource
``system``, customer activities none; some carry a cost, the decision an outcome. Timestamps
are ISO 8601 text with milliseconds and the offset of Central European time (+01:00 in
winter, +02:00 in summer), as a Dutch or German system exports them.

Columns, in CSV and Parquet alike: ``case_id``, ``activity``, ``lifecycle``, ``timestamp``,
``resource``, ``cost``, ``outcome``, the names Stageline detects without being told and that
pm4py is given as keys. Events are written case by case, each case in time order, as an
XES export lists them.

Cases are made in blocks of 100,000, each from its own seed, with numpy and written with
pyarrow as they are made, so a log of 100M events is written in minutes with memory that does
not grow with its size; the same seed and size always give the same files.

Run: .venv/bin/python benchmarks/eventlogs.py EVENTS FOLDER [--seed N] [--csv] [--xes] [--no-parquet]
writes FOLDER/claims-EVENTS.parquet (and .csv, .xes) and FOLDER/claims.yaml.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

SEED = 2012
#: Cases per block: about a million events, a few tens of MB of arrays.
BLOCK = 100_000
#: A case longer than this is cut (a handful in a million reach it, through rework loops).
MAX_STEPS = 48
#: When the first case is reported; cases arrive over two years whatever the log's size, so
#: every log has summer and winter times.
FIRST_US = int(datetime(2023, 1, 2, 8, tzinfo=UTC).timestamp()) * 1_000_000
SPAN_US = 730 * 86_400 * 1_000_000
EVENTS_PER_CASE = 10
MINUTE = 60.0
HOUR = 3600.0
DAY = 86_400.0


@dataclass(frozen=True)
class Activity:
    """One activity of the claim service and the blueprint action that claims it."""

    name: str
    step: str
    lane: str
    label: str
    #: Median wait since the case's previous event, in seconds.
    wait: float
    #: Median time from start to complete, in seconds; 0 for activities logged as one event.
    service: float = 0.0
    #: The staff pool it draws a resource from: (role, size); ("system", 1) for the system.
    pool: tuple[str, int] | None = None
    #: Mean cost per occurrence, in EUR.
    cost: float | None = None


ACTIVITIES = (
    Activity("Report claim", "report", "customer", "Reports the claim online", 0.0),
    Activity("Register claim", "report", "support", "Claims system registers the claim", 40.0, pool=("system", 1)),
    Activity(
        "Check coverage",
        "coverage",
        "backstage",
        "Clerk checks the policy covers the damage",
        6 * HOUR,
        pool=("clerk", 40),
        cost=12.0,
    ),
    Activity(
        "Request documents",
        "coverage",
        "frontstage",
        "Agent asks for missing documents",
        30 * MINUTE,
        pool=("agent", 30),
    ),
    Activity("Upload documents", "coverage", "customer", "Uploads the requested documents", 2 * DAY),
    Activity(
        "Assess damage",
        "assess",
        "backstage",
        "Assessor estimates the damage",
        1 * DAY,
        45 * MINUTE,
        ("assessor", 25),
        35.0,
    ),
    Activity("Fraud screening", "assess", "support", "Fraud rules screen the claim", 5 * MINUTE, pool=("system", 1)),
    Activity("Schedule inspection", "inspect", "frontstage", "Agent books an inspection", 4 * HOUR, pool=("agent", 30)),
    Activity(
        "Inspect on site",
        "inspect",
        "backstage",
        "Inspector sees the damage on site",
        3 * DAY,
        90 * MINUTE,
        ("inspector", 15),
        120.0,
    ),
    Activity(
        "Decide claim",
        "decide",
        "backstage",
        "Senior handler decides the claim",
        8 * HOUR,
        pool=("handler", 20),
        cost=18.0,
    ),
    Activity("Reject claim", "decide", "frontstage", "Agent explains the rejection", 30 * MINUTE, pool=("agent", 30)),
    Activity("Appeal decision", "decide", "customer", "Appeals against the decision", 5 * DAY),
    Activity("Send offer", "offer", "frontstage", "Handler sends the settlement offer", 2 * HOUR, pool=("handler", 20)),
    Activity("Accept offer", "offer", "customer", "Accepts the offer", 3 * DAY),
    Activity(
        "Revise offer", "offer", "backstage", "Handler revises the offer", 1 * DAY, 30 * MINUTE, ("handler", 20), 9.0
    ),
    Activity("Pay claim", "pay", "support", "Payment system pays the claim", 1 * DAY, pool=("system", 1)),
    Activity(
        "Order repair", "repair", "backstage", "Clerk orders the repair from a partner", 4 * HOUR, pool=("clerk", 40)
    ),
    Activity("Repair done", "repair", "support", "Partner reports the repair done", 10 * DAY, pool=("partner", 60)),
    Activity("Rate service", "close", "customer", "Rates the service", 2 * DAY),
    Activity("Close file", "close", "backstage", "Clerk closes the file", 1 * DAY, pool=("clerk", 40), cost=4.0),
)
NAMES = tuple(a.name for a in ACTIVITIES)
INDEX = {n: i for i, n in enumerate(NAMES)}
END = len(ACTIVITIES)

#: Where a case goes after each activity; what is missing to 1 is drop-off (the case ends).
NEXT: dict[str, dict[str, float]] = {
    "Report claim": {"Register claim": 1.0},
    "Register claim": {"Check coverage": 1.0},
    "Check coverage": {"Assess damage": 0.70, "Request documents": 0.18, "Reject claim": 0.12},
    "Request documents": {"Upload documents": 0.85},
    "Upload documents": {"Check coverage": 1.0},
    "Assess damage": {"Decide claim": 0.65, "Schedule inspection": 0.25, "Fraud screening": 0.10},
    "Fraud screening": {"Decide claim": 0.85, "Reject claim": 0.15},
    "Schedule inspection": {"Inspect on site": 0.95},
    "Inspect on site": {"Decide claim": 1.0},
    "Decide claim": {"Send offer": 0.68, "Reject claim": 0.32},
    "Reject claim": {"Close file": 0.70, "Appeal decision": 0.10},
    "Appeal decision": {"Decide claim": 1.0},
    "Send offer": {"Accept offer": 0.75, "Revise offer": 0.15},
    "Revise offer": {"Send offer": 1.0},
    "Accept offer": {"Pay claim": 0.6, "Order repair": 0.4},
    "Order repair": {"Repair done": 0.97},
    "Repair done": {"Close file": 1.0},
    "Pay claim": {"Rate service": 0.25, "Close file": 0.75},
    "Rate service": {"Close file": 1.0},
    "Close file": {},
}
#: Transitions the blueprint does not draw, so conformance has something to find.
UNDRAWN = {("Fraud screening", "Reject claim")}
PHASES = (
    ("report", "Report", ("report", "coverage")),
    ("assess", "Assess", ("assess", "inspect")),
    ("decide", "Decide", ("decide",)),
    ("settle", "Settle", ("offer", "pay", "repair")),
    ("close", "Close", ("close",)),
)
STEP_NAMES = {
    "report": "Report the claim",
    "coverage": "Check the coverage",
    "assess": "Assess the damage",
    "inspect": "Inspect on site",
    "decide": "Decide",
    "offer": "Settle the amount",
    "pay": "Pay out",
    "repair": "Repair",
    "close": "Close",
}
#: Daylight saving time in Central Europe: from 01:00 UTC on the last Sunday of March to
#: 01:00 UTC on the last Sunday of October.
YEARS = range(2022, 2060)


def _last_sunday(year: int, month: int) -> datetime:
    day = datetime(year, month + 1, 1, 1, tzinfo=UTC) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


_DST = np.array(
    [int(_last_sunday(y, m).timestamp()) * 1_000_000 for y in YEARS for m in (3, 10)],
    dtype=np.int64,
)


def offsets_min(us: np.ndarray) -> np.ndarray:
    """The Central European offset in minutes (60 or 120) at each instant (microseconds, UTC)."""
    summer = np.searchsorted(_DST, us, side="right") % 2 == 1
    return np.where(summer, 120, 60).astype(np.int16)


def _transitions() -> np.ndarray:
    """Cumulative transition probabilities, one row per activity, END last."""
    p = np.zeros((END + 1, END + 1))
    for source, targets in NEXT.items():
        for target, odds in targets.items():
            p[INDEX[source], INDEX[target]] = odds
        p[INDEX[source], END] = 1.0 - sum(targets.values())
    p[END, END] = 1.0
    return np.cumsum(p, axis=1)


_CUMULATIVE = _transitions()
_PAIRED = np.array([a.service > 0 for a in ACTIVITIES])
_WAIT = np.array([a.wait for a in ACTIVITIES])
_SERVICE = np.array([a.service for a in ACTIVITIES])
_COST = np.array([np.nan if a.cost is None else a.cost for a in ACTIVITIES])


def _pools() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per activity, the first index and size of its resource pool in one list of names."""
    names: list[str] = []
    first: dict[str, int] = {}
    start = np.full(END, -1, dtype=np.int64)
    size = np.zeros(END, dtype=np.int64)
    for i, a in enumerate(ACTIVITIES):
        if a.pool is None:
            continue
        role, n = a.pool
        if role not in first:
            first[role] = len(names)
            names += ["system"] if role == "system" else [f"{role}-{k + 1:03d}" for k in range(n)]
        start[i], size[i] = first[role], n
    return start, size, names


_POOL_START, _POOL_SIZE, RESOURCES = _pools()
SCHEMA = pa.schema(
    [
        ("case_id", pa.string()),
        ("activity", pa.string()),
        ("lifecycle", pa.string()),
        ("timestamp", pa.string()),
        ("resource", pa.string()),
        ("cost", pa.float64()),
        ("outcome", pa.string()),
    ]
)


def walks(rng: np.random.Generator, cases: int) -> np.ndarray:
    """The activities each case visits, one row per case, padded with -1 after its end."""
    seq = np.full((cases, MAX_STEPS), -1, dtype=np.int8)
    state = np.full(cases, INDEX["Report claim"], dtype=np.int64)
    alive = np.ones(cases, dtype=bool)
    for k in range(MAX_STEPS):
        seq[alive, k] = state[alive]
        u = rng.random(cases)
        state = (_CUMULATIVE[state] < u[:, None]).sum(axis=1)
        alive &= state != END
        if not alive.any():
            break
    return seq


def block(seed: int, number: int, first_case: int, arrival_us: int) -> pa.Table:
    """Block ``number`` of the log: BLOCK cases, numbered from ``first_case``, one every
    ``arrival_us`` on average."""
    rng = np.random.default_rng([seed, number])
    seq = walks(rng, BLOCK)
    case_of, _ = np.nonzero(seq >= 0)
    act = seq[seq >= 0].astype(np.int64)
    n = len(act)
    # What follows each occurrence in its case (END at the last), for the decision's outcome.
    last = np.ones(n, dtype=bool)
    last[:-1] = case_of[1:] != case_of[:-1]
    following = np.where(last, END, np.roll(act, -1))
    # Times: each occurrence waits after the case's previous event, then takes its service.
    # Log-normal around the activity's median, the long tail cut at 30 times the median.
    wait_s = np.minimum(rng.lognormal(0.0, 0.8, n), 30.0) * _WAIT[act]
    service_s = np.minimum(rng.lognormal(0.0, 0.6, n), 30.0) * _SERVICE[act]
    arrival = FIRST_US + (first_case + np.arange(BLOCK)) * arrival_us + rng.integers(0, arrival_us, BLOCK)
    step_us = ((wait_s + service_s) * 1e6).astype(np.int64)
    cum = np.cumsum(step_us)
    first = np.ones(n, dtype=bool)
    first[1:] = case_of[1:] != case_of[:-1]
    before = np.maximum.accumulate(np.where(first, np.arange(n), 0))
    base = cum[before] - step_us[before]
    end_us = arrival[case_of] + (cum - base)
    end_us -= end_us % 1000  # milliseconds, as exports usually have
    start_us = end_us - ((service_s * 1e6).astype(np.int64) // 1000) * 1000
    pool = _POOL_START[act]
    resource = np.where(pool >= 0, pool + (rng.random(n) * np.maximum(_POOL_SIZE[act], 1)).astype(np.int64), -1)
    cost = np.round(_COST[act] * rng.lognormal(0.0, 0.3, n), 2)
    outcome = np.where(act == INDEX["Decide claim"], np.where(following == INDEX["Reject claim"], 1, 0), -1).astype(
        np.int64
    )
    # Paired activities give two events: start, then complete.
    reps = 1 + _PAIRED[act]
    occ = np.repeat(np.arange(n), reps)
    is_start = np.zeros(len(occ), dtype=bool)
    is_start[np.cumsum(reps)[_PAIRED[act]] - 2] = True
    when = np.where(is_start, start_us[occ], end_us[occ])
    lifecycle = np.where(is_start, 0, 1)
    cost_ev = np.where(is_start, np.nan, cost[occ])
    outcome_ev = np.where(is_start, -1, outcome[occ])
    case_ids = pc.binary_join_element_wise(
        "C", pc.utf8_lpad(pa.array(first_case + case_of[occ]).cast(pa.string()), 9, "0"), ""
    )
    return pa.table(
        [
            case_ids,
            pc.take(pa.array(NAMES), pa.array(act[occ])),
            pc.take(pa.array(["start", "complete"]), pa.array(lifecycle)),
            iso_text(when),
            pc.take(pa.array(RESOURCES), pa.array(resource[occ], mask=resource[occ] < 0)),
            pa.array(cost_ev, mask=np.isnan(cost_ev)),
            pc.take(pa.array(["approved", "rejected"]), pa.array(outcome_ev, mask=outcome_ev < 0)),
        ],
        schema=SCHEMA,
    )


def iso_text(us: np.ndarray) -> pa.Array:
    """``2023-05-04T10:11:12.345+02:00``: local Central European time with its offset."""
    offset = offsets_min(us)
    local = pa.array(us + offset.astype(np.int64) * 60_000_000, pa.timestamp("us"))
    # A cast writes `2023-05-04 10:11:12.345` ten times faster than strftime.
    text = pc.replace_substring(local.cast(pa.timestamp("ms")).cast(pa.string()), " ", "T", max_replacements=1)
    zone = pc.take(pa.array(["+01:00", "+02:00"]), pa.array((offset == 120).astype(np.int8)))
    return pc.binary_join_element_wise(text, zone, "")


def events(count: int, seed: int = SEED) -> Iterator[pa.Table]:
    """The first ``count`` events of the log, block by block (the last case may be cut short)."""
    made = 0
    number = 0
    arrival_us = max(1, SPAN_US * EVENTS_PER_CASE // max(count, 1))
    while made < count:
        table = block(seed, number, number * BLOCK, arrival_us)
        table = table.slice(0, min(table.num_rows, count - made))
        made += table.num_rows
        number += 1
        yield table


def write(
    count: int, folder: Path, seed: int = SEED, *, parquet: bool = True, csv: bool = False, xes: bool = False
) -> dict[str, Path]:
    """Write the log of ``count`` events in the asked formats and the blueprint; the paths written.

    Each file is written under a temporary name and renamed when complete, so a file that
    exists is whole.
    """
    folder.mkdir(parents=True, exist_ok=True)
    stem = folder / f"claims-{count}"
    kinds = [kind for kind, wanted in (("parquet", parquet), ("csv", csv), ("xes", xes)) if wanted]
    paths = {kind: stem.with_suffix(f".{kind}") for kind in kinds}
    parts = {kind: path.with_name(path.name + ".part") for kind, path in paths.items()}
    tables: list[pq.ParquetWriter | pacsv.CSVWriter] = []
    if parquet:
        tables.append(pq.ParquetWriter(parts["parquet"], SCHEMA, compression="zstd"))
    if csv:
        tables.append(pacsv.CSVWriter(parts["csv"], SCHEMA))
    xes_file = open(parts["xes"], "wb") if xes else None  # noqa: SIM115
    try:
        if xes_file is not None:
            xes_file.write(XES_HEAD.encode())
        for k, table in enumerate(events(count, seed)):
            for writer in tables:
                writer.write_table(table)
            if xes_file is not None:
                xes_file.write(xes_text(table, first=k == 0))
        if xes_file is not None:
            xes_file.write(b"\t</trace>\n</log>\n")
    finally:
        for writer in tables:
            writer.close()
        if xes_file is not None:
            xes_file.close()
    for kind, path in paths.items():
        parts[kind].replace(path)
    paths["blueprint"] = folder / "claims.yaml"
    paths["blueprint"].write_text(blueprint_yaml(), encoding="utf-8")
    return paths


XES_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1.0" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
\t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
\t<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
\t<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
\t<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
\t<extension name="Cost" prefix="cost" uri="http://www.xes-standard.org/cost.xesext"/>
\t<global scope="trace">
\t\t<string key="concept:name" value="__INVALID__"/>
\t</global>
\t<global scope="event">
\t\t<string key="concept:name" value="__INVALID__"/>
\t\t<string key="lifecycle:transition" value="complete"/>
\t</global>
\t<classifier name="Activity" keys="concept:name"/>
\t<string key="concept:name" value="Synthetic insurance claims"/>
"""


def xes_text(table: pa.Table, first: bool) -> bytes:
    """The events of ``table`` as XES (UTF-8), a trace opened at each new case.

    Blocks hold whole cases, so each block opens a trace at its first event and, unless it is
    the ``first`` block of the file, closes the previous block's last trace there; the writer
    closes the file's last trace.
    """
    case = table.column("case_id").combine_chunks()
    ids = case.to_numpy(zero_copy_only=False)
    new_case = np.ones(len(ids), dtype=bool)
    new_case[1:] = ids[1:] != ids[:-1]
    if first:
        new_case[0] = False
    opening = pc.binary_join_element_wise('\t<trace>\n\t\t<string key="concept:name" value="', case, '"/>\n', "")
    head = pc.if_else(pa.array(new_case), pc.binary_join_element_wise("\t</trace>\n", opening, ""), "")
    if first and len(ids):
        head = pa.concat_arrays([opening.slice(0, 1), head.slice(1)])

    def attribute(tag: str, key: str, column: str) -> pa.Array:
        values = table.column(column).combine_chunks().cast(pa.string())
        return pc.fill_null(pc.binary_join_element_wise(f'\t\t\t<{tag} key="{key}" value="', values, '"/>\n', ""), "")

    body = pc.binary_join_element_wise(
        head,
        "\t\t<event>\n",
        attribute("string", "concept:name", "activity"),
        attribute("string", "lifecycle:transition", "lifecycle"),
        attribute("string", "org:resource", "resource"),
        attribute("date", "time:timestamp", "timestamp"),
        attribute("float", "cost:total", "cost"),
        attribute("string", "outcome", "outcome"),
        "\t\t</event>\n",
        "",
    )
    return _utf8(body)


def _utf8(text: pa.Array) -> bytes:
    """The bytes of a string array without nulls, one value after the other."""
    offsets = np.frombuffer(text.buffers()[1], dtype=np.int32)[text.offset : text.offset + len(text) + 1]
    return memoryview(text.buffers()[2])[int(offsets[0]) : int(offsets[-1])].tobytes()


def blueprint_yaml() -> str:
    """The claim service as a blueprint: one action per activity, the flows the cases take."""
    out = [
        "stageline: 1",
        "title: Insurance claim (synthetic benchmark log)",
        "service: Property damage claims",
        "description: >-",
        "  The blueprint the synthetic benchmark logs were generated from: 20 actions, each",
        "  claiming one activity of the log, with the branches, rework loops and drop-off the",
        "  cases take.",
        "currency: EUR",
        "phases:",
    ]
    out += [f"  - id: {pid}\n    name: {name}" for pid, name, _ in PHASES]
    out.append("steps:")
    phase_of = {s: pid for pid, _, steps in PHASES for s in steps}
    for step in (s for _, _, steps in PHASES for s in steps):
        out += [f"  - id: {step}", f"    name: {STEP_NAMES[step]}", f"    phase: {phase_of[step]}"]
        for a in ACTIVITIES:
            if a.step != step:
                continue
            out += [f"    {a.lane}:", f"      label: {a.label}"]
            if a.pool is not None and a.pool[0] != "system":
                out.append(f"      role: {a.pool[0]}")
            if a.service:
                out.append(f"      duration: {_span(a.service)} ± {_span(a.service, a.service)}")
            if a.wait:
                out.append(f"      wait: {_span(a.wait)} ± {_span(a.wait * 2, a.wait)}")
            if a.cost is not None:
                out.append(f"      cost: {a.cost:g}")
            out.append(f"      activities: [{a.name}]")
    out.append("flows:")
    ids = {a.name: f"{a.step}.{a.lane}" for a in ACTIVITIES}
    for source, targets in NEXT.items():
        for target, odds in targets.items():
            if (source, target) in UNDRAWN:
                continue
            arrow = "=>" if _role(source) != _role(target) and _role(target) not in ("", "system") else "->"
            share = "" if odds == 1.0 else f" [{odds * 100:g}%]"
            out.append(f"  - {ids[source]} {arrow} {ids[target]}{share}")
    return "\n".join(out) + "\n"


def _role(name: str) -> str:
    pool = ACTIVITIES[INDEX[name]].pool
    return pool[0] if pool else ""


def _span(seconds: float, unit_of: float | None = None) -> str:
    """``seconds`` as a blueprint duration, in the unit that suits ``unit_of`` (itself by default)."""
    scale = seconds if unit_of is None else unit_of
    if scale >= DAY:
        return "1 day" if seconds == DAY else f"{seconds / DAY:g} days"
    if scale >= HOUR:
        return f"{seconds / HOUR:g} h"
    if scale >= MINUTE:
        return f"{seconds / MINUTE:g} min"
    return f"{seconds:g} s"


def main(argv: list[str]) -> None:
    seed = SEED
    if "--seed" in argv:
        k = argv.index("--seed")
        seed = int(argv[k + 1])
        del argv[k : k + 2]
    flags = {a for a in argv if a.startswith("--")}
    rest = [a for a in argv if not a.startswith("--")]
    count, folder = int(float(rest[0])), Path(rest[1])
    began = time.perf_counter()
    paths = write(count, folder, seed, parquet="--no-parquet" not in flags, csv="--csv" in flags, xes="--xes" in flags)
    took = time.perf_counter() - began
    for kind, path in paths.items():
        print(f"{kind:>9}: {path} ({path.stat().st_size / 1e6:,.1f} MB)")
    print(f"{count:,} events in {took:.1f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
