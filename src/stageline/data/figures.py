"""The measured figures, written once as Ibis expressions so DuckDB and Spark compute the same.

From the imported events and the binding (which action each activity is), one table of
*occurrences* is built: one row per completed or aborted instance of an action, with when work
on it began (its start event, or the log's start column), when it ended, the wait since the
case's previous occurrence ended, the action before it and whether the resource changed. Every
figure is an aggregate of that table, or of the events for case-level figures. Times are integer
microseconds throughout, so both engines agree to the microsecond; percentiles interpolate
linearly between the nearest ranks on both.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pyarrow as pa

__all__ = [
    "FAILURE_OUTCOMES",
    "Tables",
    "cases_per_week",
    "occurrences",
    "per_action",
    "per_case",
    "per_flow",
    "per_resource",
    "per_stage",
    "per_week",
    "repeats",
    "rework",
    "service",
    "spread",
    "unfinished",
    "unfit_cases",
]

#: Outcome values read as failures (compared in lower case).
FAILURE_OUTCOMES = (
    "fail",
    "failed",
    "failure",
    "error",
    "rejected",
    "declined",
    "cancelled",
    "canceled",
    "aborted",
    "abandoned",
    "no",
    "false",
    "0",
)
_QUEUE = ("schedule", "assign", "reassign")
_ABORT = ("ate_abort", "pi_abort", "withdraw")
_OTHER = ("suspend", "resume", "autoskip", "manualskip")
WEEK_US = 7 * 86_400 * 1_000_000
#: 1970-01-01 was a Thursday: shifting by three days makes weeks start on Monday.
MONDAY_SHIFT_US = 3 * 86_400 * 1_000_000


class Tables:
    """The Ibis tables the figures are computed from."""

    def __init__(
        self, engine: Any, events: Any, binding: dict[tuple[str, str], str], places: dict[str, tuple[str, str]]
    ) -> None:
        self.events = events
        bound = pa.table(
            {
                "b_activity": [a for a, _ in binding],
                "b_lifecycle": [lc for _, lc in binding],
                "action": list(binding.values()),
            },
            schema=pa.schema([("b_activity", pa.string()), ("b_lifecycle", pa.string()), ("action", pa.string())]),
        )
        self.binding = engine.table("binding", bound)
        self.places = engine.table(
            "places",
            pa.table(
                {
                    "p_action": list(places),
                    "step": [s for s, _ in places.values()],
                    "phase": [p for _, p in places.values()],
                },
                schema=pa.schema([("p_action", pa.string()), ("step", pa.string()), ("phase", pa.string())]),
            ),
        )


def occurrences(
    tables: Tables, failure_outcomes: Iterable[str] = FAILURE_OUTCOMES, *, starts: Iterable[str] = ()
) -> Any:
    """One row per completed or aborted instance of a bound action (see the module's text).

    ``starts``: the activities with ``start`` events to pair with their completions; only their
    events go through that pairing (a sort of its own).
    """
    import ibis

    ev = tables.events
    ev = ev.mutate(lc=ev.lifecycle.fill_null(""))
    b = tables.binding
    joined = ev.inner_join(b, [ev.activity == b.b_activity, ev.lc == b.b_lifecycle])
    kind = ibis.cases(
        (joined.lc == "start", "start"),
        (joined.lc.isin(_QUEUE), "queue"),
        (joined.lc.isin(_ABORT), "abort"),
        (joined.lc.isin(_OTHER), "other"),
        else_="complete",
    )
    work = joined.select(
        "case_id", "activity", "action", "time_us", "start_us", "resource", "cost", "outcome", "row", "ord", kind=kind
    )
    work = work.filter(work.kind.isin(("start", "complete", "abort")))
    failures = [o.lower() for o in failure_outcomes]

    def finished(t: Any, paired: Any) -> Any:
        return t.select(
            "case_id",
            "action",
            "resource",
            "cost",
            "row",
            "ord",
            end_us=t.time_us,
            begin_us=ibis.coalesce(t.start_us, paired),
            failed=(t.kind == "abort") | t.outcome.lower().isin(failures).fill_null(False),
        )

    started = sorted(set(starts))
    if started:
        # First in, first out: a case's n-th start of an activity pairs with its n-th completion
        # (or abort), so overlapping instances pair up; a start after its completion pairs with
        # nothing, and starts left over are counted by :func:`unfinished`.
        numbered = _numbered(work.filter(work.activity.isin(started)))
        s = numbered.filter(numbered.is_start).select(
            s_case=numbered.case_id, s_activity=numbered.activity, s_k=numbered.k, s_time=numbered.time_us
        )
        c = numbered.filter(~numbered.is_start)
        j = c.left_join(s, [c.case_id == s.s_case, c.activity == s.s_activity, c.k == s.s_k])
        paired = ibis.ifelse(j.s_time <= j.time_us, j.s_time, ibis.null("int64"))
        single = work.filter(~work.activity.isin(started))
        done = finished(j, paired).union(finished(single, ibis.null("int64")))
    else:
        done = finished(work, ibis.null("int64"))
    # One sort: the case's occurrences in time order give what came before and whether any came after.
    by_case = ibis.window(group_by=done.case_id, order_by=[done.end_us, done.ord])
    done = done.mutate(
        prev_end=done.end_us.lag().over(by_case),
        prev_action=done.action.lag().over(by_case),
        prev_resource=done.resource.lag().over(by_case),
        next_ord=done.ord.lead().over(by_case),
    )
    service = ibis.ifelse(done.begin_us.notnull(), done.end_us - done.begin_us, ibis.null("int64"))

    def after_previous(moment: Any) -> Any:
        gap = moment - done.prev_end
        return ibis.ifelse(gap < 0, 0, gap)  # work that overlaps the previous action waited for nothing

    return done.select(
        "case_id",
        "action",
        "resource",
        "cost",
        "failed",
        "row",
        "end_us",
        "begin_us",
        "prev_action",
        "prev_resource",
        service_us=service,
        # the wait where the log tells when work began; else only the time since the previous
        # action ended, which holds this one's own time too; ``gap_us`` is whichever is known
        wait_us=after_previous(done.begin_us),
        since_us=after_previous(done.end_us),
        gap_us=after_previous(ibis.coalesce(done.begin_us, done.end_us)),
        last=done.next_ord.isnull(),
        handoff=(done.prev_resource.notnull() & done.resource.notnull() & (done.prev_resource != done.resource)),
        week_us=((done.end_us + MONDAY_SHIFT_US) // WEEK_US) * WEEK_US - MONDAY_SHIFT_US,
    )


def _numbered(t: Any) -> Any:
    """Each start, and each completion or abort, numbered in time order per case and activity."""
    import ibis

    t = t.mutate(is_start=t.kind == "start")
    order = ibis.window(group_by=[t.case_id, t.activity, t.is_start], order_by=[t.time_us, t.ord])
    return t.mutate(k=ibis.row_number().over(order))


def unfinished(tables: Tables, starts: Iterable[str]) -> Any:
    """Per action, the starts no completion or abort pairs with (work begun, never finished)."""
    ev = tables.events
    ev = ev.mutate(lc=ev.lifecycle.fill_null(""))
    b = tables.binding
    joined = ev.inner_join(b, [ev.activity == b.b_activity, ev.lc == b.b_lifecycle])
    joined = joined.filter(
        joined.activity.isin(sorted(set(starts))) & joined.lc.isin(("start", "complete", "", *_ABORT))
    )
    kind = (joined.lc == "start").ifelse("start", "complete")
    numbered = _numbered(joined.select("case_id", "activity", "action", "time_us", "ord", kind=kind))
    s = numbered.filter(numbered.is_start)
    c = numbered.filter(~numbered.is_start).select(c_case="case_id", c_activity="activity", c_k="k", c_time="time_us")
    j = s.left_join(c, [s.case_id == c.c_case, s.activity == c.c_activity, s.k == c.c_k])
    left = j.filter(j.c_time.isnull() | (j.c_time < j.time_us))
    return left.group_by("action").aggregate(n=left.count())


def repeats(occ: Any) -> Any:
    """Occurrences of each action per case: more than one is rework."""
    return occ.group_by(["case_id", "action"]).aggregate(n=occ.count())


def spread(column: Any, prefix: str) -> dict[str, Any]:
    """Aggregates of a duration column (microseconds): count, mean, p50, p90, p95, max."""
    return {
        f"{prefix}_n": column.count(),
        f"{prefix}_mean": column.mean(),
        f"{prefix}_p50": column.quantile(0.5),
        f"{prefix}_p90": column.quantile(0.9),
        f"{prefix}_p95": column.quantile(0.95),
        f"{prefix}_max": column.max(),
    }


def per_action(occ: Any, limits: Any) -> Any:
    """Per action: occurrences, cases, spreads of service and wait, drop-off, failures, costs,
    resources, breaches of the blueprint's tolerances, first and last time (rework is
    occurrences less cases; :func:`rework` counts the cases with a repeat)."""
    j = occ.left_join(limits, occ.action == limits.l_action)
    over_service = (j.service_us > j.duration_limit_us).fill_null(False)
    over_wait = (j.wait_us > j.wait_limit_us).fill_null(False)  # only where work's start is known
    return j.group_by("action").aggregate(
        events=j.count(),
        cases=j.case_id.nunique(),
        **spread(j.service_us, "service"),
        **spread(j.wait_us, "wait"),
        **spread(j.since_us, "since"),
        with_begin=j.begin_us.count(),
        drop_off=j.last.sum(),
        failures=j.failed.sum(),
        cost=j.cost.mean(),
        resources=j.resource.nunique(),
        over_duration=over_service.sum(),
        over_wait=over_wait.sum(),
        over_any=(over_service | over_wait).sum(),
        first_us=j.end_us.min(),
        last_us=j.end_us.max(),
    )


def rework(counts: Any) -> Any:
    """Per action, the cases doing it more than once (from :func:`repeats`)."""
    again = counts.filter(counts.n > 1)
    return again.group_by("action").aggregate(cases=again.count(), extra=(again.n - 1).sum())


def per_resource(occ: Any) -> Any:
    """Occurrences per (action, resource)."""
    r = occ.filter(occ.resource.notnull())
    return r.group_by(["action", "resource"]).aggregate(n=r.count())


def per_week(occ: Any) -> Any:
    """Occurrences per (action, week)."""
    return occ.group_by(["action", "week_us"]).aggregate(n=occ.count())


def per_flow(occ: Any) -> Any:
    """Directly-follows between actions within cases: transitions, cases, time between, handoffs."""
    f = occ.filter(occ.prev_action.notnull())
    return f.group_by(["prev_action", "action"]).aggregate(
        transitions=f.count(),
        cases=f.case_id.nunique(),
        handoffs=f.handoff.sum(),
        # from the end of the source to the start (or end) of the target
        **spread(f.gap_us, "time"),
    )


def per_stage(occ: Any, places: Any, level: str) -> Any:
    """Per step or phase (``level``): cases, events, drop-off, rework (repeats of its actions),
    failures, and the time spent in it per case."""
    import ibis

    j = occ.inner_join(places, occ.action == places.p_action)
    j = j.filter(j[level].notnull())
    visits = j.group_by(["case_id", level]).aggregate(
        began=ibis.coalesce(j.begin_us, j.end_us).min(),
        ended=j.end_us.max(),
        n=j.count(),
        dropped=j.last.max(),
        actions=j.action.nunique(),
        failed=j.failed.sum(),
    )
    span = visits.ended - visits.began
    return visits.group_by(level).aggregate(
        cases=visits.count(),
        events=visits.n.sum(),
        drop_off=visits.dropped.sum(),
        rework=(visits.n - visits.actions).sum(),
        failures=visits.failed.sum(),
        **spread(span, "time"),
    )


def per_case(events: Any) -> Any:
    """Per case: first and last time, events and the sequence of activities (its variant)."""
    import ibis

    # Ordered aggregation is not portable (Spark has none), so each activity carries its
    # position in the case (``seq``, from the import) and the collected list is sorted: the same
    # sequence gives the same text.
    keyed = events.mutate(
        first=ibis.coalesce(events.start_us, events.time_us),
        step=events.seq.cast("string").lpad(10, "0").concat("\x1e", events.activity),
    )
    return keyed.group_by("case_id").aggregate(
        began=keyed.first.min(),
        ended=keyed.time_us.max(),
        n=keyed.count(),
        variant=keyed.step.collect().sort().join("\x1f"),
    )


def service(cases: Any) -> Any:
    """The whole service: cases, events, variants, case time."""
    span = cases.ended - cases.began
    return cases.aggregate(
        cases=cases.count(),
        events=cases.n.sum(),
        variants=cases.variant.nunique(),
        **spread(span, "case"),
        first_us=cases.began.min(),
        last_us=cases.ended.max(),
    )


def cases_per_week(cases: Any) -> Any:
    """Cases begun per week."""
    week = ((cases.began + MONDAY_SHIFT_US) // WEEK_US) * WEEK_US - MONDAY_SHIFT_US
    w = cases.mutate(week_us=week)
    return w.group_by("week_us").aggregate(n=w.count())


def unfit_cases(occ: Any, allowed: Any) -> Any:
    """The number of cases with a transition the blueprint does not draw."""
    f = occ.filter(occ.prev_action.notnull())
    j = f.left_join(allowed, [f.prev_action == allowed.a_source, f.action == allowed.a_target])
    bad = j.filter(j.a_source.isnull())
    return bad.aggregate(n=bad.case_id.nunique())
