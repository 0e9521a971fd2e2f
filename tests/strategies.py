"""Hypothesis strategies for valid blueprints (actions in step, lane, file order)."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from stageline.model import (
    Action,
    ActivityMatch,
    AnalysisSettings,
    Blueprint,
    FailPoint,
    Flow,
    FlowKind,
    Kpi,
    Lane,
    LineKind,
    Link,
    OptionalLine,
    Party,
    Phase,
    Row,
    RuleSetting,
    Segment,
    Status,
    Step,
    Style,
    Suppression,
    Timing,
    View,
    derived_action_id,
)

text = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)
labels = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30)
words = st.text("abcdefghijklmnopqrstuvwxyz -", min_size=1, max_size=20).filter(lambda s: s.strip(" -"))
ids = st.from_regex(r"\A[a-z][a-z0-9_-]{0,10}\Z")
opt_text = st.none() | text
finite = st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False)
durations = st.builds(Timing, expected=finite, tolerance=st.none() | finite)
scores = st.none() | st.integers(1, 10)
colours = st.from_regex(r"\A#[0-9a-f]{6}\Z")


@st.composite
def blueprints(draw: st.DrawFn) -> Blueprint:
    segments = draw(
        st.lists(st.builds(Segment, id=ids, name=text, description=opt_text), max_size=3, unique_by=lambda s: s.id)
    )
    roles = draw(
        st.lists(st.builds(Party, id=ids, name=text, description=opt_text), max_size=3, unique_by=lambda s: s.id)
    )
    systems = draw(
        st.lists(st.builds(Party, id=ids, name=text, description=opt_text), max_size=2, unique_by=lambda s: s.id)
    )
    phases = draw(
        st.lists(st.builds(Phase, id=ids, name=text, description=opt_text), max_size=3, unique_by=lambda s: s.id)
    )
    rows = draw(
        st.lists(
            st.builds(
                Row,
                id=ids.map(lambda s: "r-" + s),
                name=text,
                description=opt_text,
                after=st.none() | st.sampled_from(["top", "support", "customer"]),
            ),
            max_size=2,
            unique_by=lambda r: r.id,
        )
    )
    step_ids = draw(st.lists(ids, min_size=1, max_size=5, unique=True))
    phase_ids = [p.id for p in phases]
    if phase_ids:
        cuts = sorted(
            draw(st.lists(st.integers(0, len(step_ids)), min_size=len(phase_ids) - 1, max_size=len(phase_ids) - 1))
        )
        bounds = [0, *cuts, len(step_ids)]
        step_phase = [None] * len(step_ids)
        for k, pid in enumerate(phase_ids):
            for i in range(bounds[k], bounds[k + 1]):
                step_phase[i] = pid
    else:
        step_phase = [None] * len(step_ids)
    steps = []
    actions: list[Action] = []
    explicit = 0
    for sid, phase in zip(step_ids, step_phase, strict=True):
        cells = tuple((r.id, tuple(draw(st.lists(text, min_size=1, max_size=2)))) for r in rows if draw(st.booleans()))
        steps.append(
            Step(id=sid, name=draw(text), phase=phase, time=draw(opt_text), description=draw(opt_text), cells=cells)
        )
        for lane in Lane:
            auto = 0
            for _ in range(draw(st.integers(0, 2))):
                if draw(st.booleans()):
                    aid = derived_action_id(sid, lane.value, auto)
                    auto += 1
                else:
                    explicit += 1
                    aid = f"x{explicit}-{draw(ids)}"
                actions.append(draw(action(aid, sid, lane, [s.id for s in segments])))
    flows = []
    movers = [a.id for a in actions if a.lane is not Lane.EVIDENCE]
    if len(movers) >= 2:
        used: set[tuple[str, str, FlowKind]] = set()
        odds: dict[str, float] = {}
        for _ in range(draw(st.integers(0, 6))):
            src, dst = draw(st.lists(st.sampled_from(movers), min_size=2, max_size=2, unique=True))
            kind = draw(st.sampled_from(list(FlowKind)))
            if (src, dst, kind) in used:
                continue
            used.add((src, dst, kind))
            prob = draw(st.none() | st.sampled_from([0.1, 0.25, 0.3]))
            if prob is not None and odds.get(src, 0.0) + prob > 1:
                prob = None  # the odds leaving one action stay within 100%
            if prob is not None:
                odds[src] = odds.get(src, 0.0) + prob
            flows.append(Flow(source=src, target=dst, kind=kind, label=draw(st.none() | words), probability=prob))
    views = draw(
        st.lists(
            st.builds(
                View,
                id=ids,
                name=text,
                description=opt_text,
                lanes=st.lists(st.sampled_from(list(Lane)), max_size=3).map(tuple),
                phases=st.lists(st.sampled_from(phase_ids), max_size=2).map(tuple) if phase_ids else st.just(()),
                segments=st.lists(st.sampled_from([s.id for s in segments]), max_size=2).map(tuple)
                if segments
                else st.just(()),
                zoom=st.sampled_from(["detail", "phases"]),
            ),
            max_size=2,
            unique_by=lambda v: v.id,
        )
    )
    lines = []
    if draw(st.booleans()):
        lines.append(OptionalLine(kind=LineKind.ORDER_PENETRATION, below="support"))
    return Blueprint(
        title=draw(labels),
        service=draw(opt_text),
        description=draw(opt_text),
        owner=draw(opt_text),
        status=draw(st.sampled_from(list(Status))),
        version=draw(opt_text),
        date=draw(st.none() | st.dates(dt.date(1990, 1, 1), dt.date(2100, 1, 1))),
        currency=draw(st.none() | st.sampled_from(["EUR", "USD"])),
        segments=tuple(segments),
        roles=tuple(roles),
        systems=tuple(systems),
        phases=tuple(phases),
        steps=tuple(steps),
        rows=tuple(rows),
        lines=tuple(lines),
        actions=tuple(actions),
        flows=tuple(flows),
        views=tuple(views),
        styles=tuple(
            draw(
                st.lists(
                    st.builds(Style, tag=words, fill=st.none() | colours, dashed=st.none() | st.booleans()),
                    max_size=2,
                    unique_by=lambda s: s.tag,
                )
            )
        ),
        notes=tuple(draw(st.lists(text, max_size=2))),
        links=tuple(draw(st.lists(st.builds(Link, url=text, title=opt_text), max_size=2))),
        analysis=draw(st.none() | analysis_settings(actions)),
    )


@st.composite
def analysis_settings(draw: st.DrawFn, actions: list[Action]) -> AnalysisSettings:
    """Settings as users write them: any rule id (checked only by `stageline check`), thresholds as numbers or text."""
    rule_ids = st.from_regex(r"\A[a-z]+\.[a-z-]{1,12}\Z")
    values = st.integers(0, 1000).map(float) | st.sampled_from(["20%", "10 min", "3"])
    rules = draw(
        st.lists(
            st.builds(
                RuleSetting,
                rule=rule_ids,
                severity=st.none() | st.sampled_from(["error", "warning", "info", "off"]),
                options=st.lists(
                    st.tuples(st.from_regex(r"\A[a-z_]{1,10}\Z"), values), max_size=2, unique_by=lambda o: o[0]
                ).map(tuple),
            ),
            max_size=3,
            unique_by=lambda r: r.rule,
        )
    )
    ignore = draw(
        st.lists(
            st.builds(Suppression, rule=rule_ids, subject=st.none() | ids, reason=labels.filter(str.strip)), max_size=2
        )
    )
    served = draw(st.lists(st.sampled_from([a.id for a in actions]), max_size=2)) if actions else []
    return AnalysisSettings(served=tuple(served), rules=tuple(rules), ignore=tuple(ignore))


@st.composite
def action(draw: st.DrawFn, aid: str, step: str, lane: Lane, segment_ids: list[str]) -> Action:
    rich = draw(st.booleans())
    if not rich:
        return Action(id=aid, step=step, lane=lane, label=draw(labels))
    fail = draw(
        st.none()
        | st.builds(
            FailPoint,
            cause=opt_text,
            effect=opt_text,
            likelihood=scores,
            severity=scores,
            detectability=scores,
            recovery=opt_text,
            rate=st.none() | st.floats(0, 1),
            cost=st.none() | finite,
        )
    )
    return Action(
        id=aid,
        step=step,
        lane=lane,
        label=draw(labels),
        description=draw(opt_text),
        role=draw(opt_text),
        channel=draw(st.none() | st.sampled_from(["web", "phone", "in-person"])),
        system=draw(opt_text),
        owner=draw(opt_text),
        segments=tuple(draw(st.lists(st.sampled_from(segment_ids), max_size=2))) if segment_ids else (),
        duration=draw(st.none() | durations),
        wait=draw(st.none() | durations),
        cost=draw(st.none() | finite),
        fail_point=fail,
        emotion=draw(st.none() | st.floats(-2, 2, allow_nan=False)),
        pain_points=tuple(draw(st.lists(text, max_size=2))),
        kpis=tuple(draw(st.lists(st.builds(Kpi, name=text, target=st.none() | finite, unit=opt_text), max_size=2))),
        evidence=tuple(draw(st.lists(text, max_size=2))),
        tags=tuple(draw(st.lists(words, max_size=2))),
        links=tuple(draw(st.lists(st.builds(Link, url=text, title=opt_text), max_size=1))),
        activities=tuple(
            draw(
                st.lists(
                    st.builds(ActivityMatch, name=text)
                    | st.builds(ActivityMatch, glob=text, lifecycle=st.none() | st.sampled_from(["start", "complete"])),
                    max_size=2,
                )
            )
        ),
    )
