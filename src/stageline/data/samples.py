"""What a simulation draws from an event log: each action's measured durations and the times
customers arrived.

An action's durations are its occurrences' service times (start to completion), so only actions
whose events tell when work started have any; arrivals are the times of each case's first event.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from stageline.data import figures as fx
from stageline.data.bind import bind
from stageline.data.engine import connect_engine
from stageline.data.importer import EventLog
from stageline.data.measure import Options
from stageline.model import Blueprint

__all__ = ["LogSamples", "first_times", "log_samples"]


@dataclass(frozen=True)
class LogSamples:
    #: Seconds from start to completion of each occurrence, by action id.
    durations: dict[str, np.ndarray] = field(default_factory=dict)
    #: Seconds from the first case's arrival, in order.
    arrivals: tuple[float, ...] = ()


def log_samples(bp: Blueprint, log: EventLog, options: Options | None = None) -> LogSamples:
    options = options or Options()
    eng = connect_engine(options.engine, options.limits)
    try:
        events = eng.read(log.path)
        seen = events.group_by([events.activity, events.lifecycle.fill_null("").name("lc")]).aggregate(n=events.count())
        rows = seen.to_pyarrow().to_pylist()
        binding = bind(bp, [(r["activity"], r["lc"], int(r["n"])) for r in rows])
        step_phase = {s.id: s.phase for s in bp.steps}
        places = {a.id: (a.step, step_phase.get(a.step) or "") for a in bp.actions}
        tables = fx.Tables(eng, events, binding.actions, places)
        starts = [activity for activity, lc in binding.actions if lc == "start"]
        occ = fx.occurrences(tables, options.failure_outcomes, starts=starts)
        timed = occ.filter(occ.service_us.notnull()).select("action", "service_us").order_by(["action", "service_us"])
        table = timed.to_pyarrow()
        durations: dict[str, np.ndarray] = {}
        if table.num_rows:
            actions = np.asarray(table.column("action").to_pylist(), dtype=object)
            secs = table.column("service_us").to_numpy(zero_copy_only=False).astype(float) / 1e6
            for action in sorted(set(actions.tolist())):
                durations[str(action)] = secs[actions == action]
        first = first_times(events)
        return LogSamples(durations, first)
    finally:
        eng.close()


def first_times(events: object) -> tuple[float, ...]:
    """Each case's first moment (its first start, else its first event), in seconds from the
    earliest, in order."""
    import ibis

    ev = events  # an Ibis table
    moment = ibis.coalesce(ev.start_us, ev.time_us)  # type: ignore[attr-defined]
    per_case = ev.group_by("case_id").aggregate(first=moment.min())  # type: ignore[attr-defined]
    table = per_case.order_by("first").select("first").to_pyarrow()
    values = table.column("first").to_numpy(zero_copy_only=False).astype(float)
    if not len(values):
        return ()
    return tuple(((values - values[0]) / 1e6).tolist())
