"""The built-in checks: references, ids, phases, flows, rows, lines, views and styles."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence

from stageline.errors import Problem, Severity, did_you_mean
from stageline.model import Blueprint, Lane, LineKind
from stageline.model.rows import row_order
from stageline.model.vocabulary import CHANNELS
from stageline.validate.registry import check

__all__ = [
    "action_refs",
    "duplicate_ids",
    "empty_steps",
    "flow_refs",
    "row_refs",
    "step_phases",
    "style_tags",
    "view_refs",
]

ERROR, WARNING = Severity.ERROR, Severity.WARNING


def _p(
    code: str,
    message: str,
    path: tuple[str | int, ...],
    severity: Severity = ERROR,
    hint: str | None = None,
    subject: str | None = None,
) -> Problem:
    return Problem(code, message, severity=severity, path=path, hint=hint, subject=subject)


def _unknown(
    code: str,
    what: str,
    name: str,
    known: Iterable[str],
    path: tuple[str | int, ...],
    severity: Severity = ERROR,
    declare: str | None = None,
) -> Problem:
    known = list(known)
    hint = did_you_mean(name, known)
    if hint is None and declare:
        listed = sorted({k for k in known if k == k.lower()} or set(known))  # ids, not names too
        hint = f"declare it under `{declare}:`" if not known else f"known: {', '.join(listed[:8])}"
    return Problem(code, f"unknown {what} `{name}`", severity=severity, path=path, hint=hint, subject=name)


@check("ids.duplicate", "Ids are unique within their kind")
def duplicate_ids(bp: Blueprint) -> Iterator[Problem]:
    for name, items in (
        ("segments", bp.segments),
        ("roles", bp.roles),
        ("systems", bp.systems),
        ("phases", bp.phases),
        ("steps", bp.steps),
        ("rows", bp.rows),
        ("actions", bp.actions),
        ("views", bp.views),
    ):
        seen: dict[str, int] = {}
        for i, item in enumerate(items):
            ident = item.id  # type: ignore[attr-defined]
            if ident in seen:
                noun = name[:-1]
                yield _p(
                    "ids.duplicate",
                    f"duplicate {noun} id `{ident}` (also {noun} {seen[ident] + 1})",
                    (name, i),
                    hint="give one of them an `id` of its own" if name == "actions" else None,
                )
            else:
                seen[ident] = i
    lanes_and_rows = {lane.value for lane in Lane}
    for i, row in enumerate(bp.rows):
        if row.id in lanes_and_rows:
            yield _p("ids.reserved", f"row id `{row.id}` is the id of a standard lane", ("rows", i))
        elif row.id == "top":
            yield _p(
                "ids.reserved", "row id `top` is reserved: `after: top` puts a row above physical evidence", ("rows", i)
            )


@check("steps.phase", "Every step sits in a known phase, and each phase's steps are together")
def step_phases(bp: Blueprint) -> Iterator[Problem]:
    phase_ids = [p.id for p in bp.phases]
    if not bp.steps:
        yield _p("steps.none", "the blueprint has no steps yet", (), WARNING, "add a `steps:` list")
        return
    if not phase_ids:
        for i, step in enumerate(bp.steps):
            if step.phase is not None:
                yield _unknown("steps.phase", "phase", step.phase, [], ("steps", i, "phase"), declare="phases")
        return
    last_seen: dict[str, int] = {}
    previous = None
    for i, step in enumerate(bp.steps):
        if step.phase is None:
            yield _p(
                "steps.no-phase",
                f"step `{step.id}` is outside any phase",
                ("steps", i),
                hint="add `phase:` with one of " + ", ".join(f"`{p}`" for p in phase_ids),
            )
        elif step.phase not in phase_ids:
            yield _unknown("steps.phase", "phase", step.phase, phase_ids, ("steps", i, "phase"))
        elif step.phase != previous and step.phase in last_seen:
            yield _p(
                "steps.phase-split",
                f"phase `{step.phase}` is split: step `{step.id}` comes after steps of another phase",
                ("steps", i, "phase"),
                WARNING,
                "keep each phase's steps together",
            )
        if step.phase is not None:
            last_seen[step.phase] = i
        previous = step.phase
    order = {p: i for i, p in enumerate(phase_ids)}
    seen_order = [order[s.phase] for s in bp.steps if s.phase in order]
    if seen_order != sorted(seen_order):
        yield _p("steps.phase-order", "steps do not follow the order of `phases:`", ("phases",), WARNING)
    used = {s.phase for s in bp.steps}
    for i, phase in enumerate(bp.phases):
        if phase.id not in used:
            yield _p("phases.empty", f"phase `{phase.id}` has no steps", ("phases", i), WARNING)


@check("steps.empty", "Every step has at least one action")
def empty_steps(bp: Blueprint) -> Iterator[Problem]:
    busy = {a.step for a in bp.actions}
    for i, step in enumerate(bp.steps):
        if step.id not in busy:
            yield _p("steps.empty", f"step `{step.id}` has no actions", ("steps", i), WARNING)


@check("actions.refs", "Actions name known segments, roles, systems and channels")
def action_refs(bp: Blueprint) -> Iterator[Problem]:
    segments = [s.id for s in bp.segments]
    roles = [r.id for r in bp.roles] + [r.name for r in bp.roles]
    systems = [s.id for s in bp.systems] + [s.name for s in bp.systems]
    for i, a in enumerate(bp.actions):
        for j, seg in enumerate(a.segments):
            if seg not in segments:
                yield _unknown(
                    "actions.segment", "segment", seg, segments, ("actions", i, "segments", j), declare="segments"
                )
        if a.role is not None and bp.roles and a.role not in roles:
            yield _unknown("actions.role", "role", a.role, roles, ("actions", i, "role"), WARNING, declare="roles")
        if a.system is not None and bp.systems and a.system not in systems:
            yield _unknown(
                "actions.system", "system", a.system, systems, ("actions", i, "system"), WARNING, declare="systems"
            )
        if a.channel is not None and a.channel not in CHANNELS:
            yield _p(
                "actions.channel",
                f"unusual channel `{a.channel}`",
                ("actions", i, "channel"),
                WARNING,
                did_you_mean(a.channel, CHANNELS) or "common channels: " + ", ".join(sorted(CHANNELS)),
            )
        if a.emotion is not None and a.lane is not Lane.CUSTOMER:
            yield _p(
                "actions.emotion",
                f"`emotion` is the customer's feeling, but `{a.id}` is a {a.lane.value} action",
                ("actions", i, "emotion"),
                WARNING,
                "move it to the customer action of this step",
            )
        if a.lane is Lane.EVIDENCE and (a.duration or a.wait or a.role or a.fail_point):
            yield _p(
                "actions.evidence",
                f"`{a.id}` is physical evidence, which takes no time, role or fail point",
                ("actions", i),
                WARNING,
                "put these on the action that produces the evidence",
            )


@check("flows.refs", "Flows connect known actions sensibly")
def flow_refs(bp: Blueprint) -> Iterator[Problem]:
    ids = list(bp.action_index)
    seen: Counter[tuple[str, str, str]] = Counter()
    out_prob: dict[str, list[int]] = defaultdict(list)
    for i, f in enumerate(bp.flows):
        for end, field in ((f.source, "from"), (f.target, "to")):
            action = bp.action(end)
            if action is None:
                yield _unknown("flows.unknown", "action", end, ids, ("flows", i, field))
            elif action.lane is Lane.EVIDENCE:
                yield _p(
                    "flows.evidence",
                    f"a flow {'from' if field == 'from' else 'to'} physical evidence `{end}`; flows connect actions",
                    ("flows", i, field),
                    hint="connect the action that produces or shows it, and list the item in its `evidence:`",
                    subject=end,
                )
        if f.source == f.target:
            yield _p("flows.self", f"a flow from `{f.source}` to itself", ("flows", i))
        key = (f.source, f.target, f.kind.value)
        seen[key] += 1
        if seen[key] == 2:
            yield _p(
                "flows.duplicate",
                f"the flow `{f.source} {f.kind.arrow} {f.target}` is given twice",
                ("flows", i),
                WARNING,
            )
        if f.probability is not None:
            out_prob[f.source].append(i)
    for source, indexes in out_prob.items():
        total = sum(bp.flows[i].probability or 0.0 for i in indexes)
        if total > 1 + 1e-9:
            yield _p(
                "flows.probability",
                f"the probabilities of the flows leaving `{source}` add up to {total:.0%}, more than 100%",
                ("flows", indexes[-1], "probability"),
            )


@check("rows.refs", "Extra rows and optional lines refer to known lanes and rows")
def row_refs(bp: Blueprint) -> Iterator[Problem]:
    row_ids = [r.id for r in bp.rows]
    places = [lane.value for lane in Lane] + row_ids
    for i, row in enumerate(bp.rows):
        if row.after is not None and row.after != "top" and row.after not in places:
            yield _unknown("rows.after", "lane or row", row.after, [*places, "top"], ("rows", i, "after"))
        if row.after == row.id:
            yield _p("rows.after", f"row `{row.id}` cannot sit under itself", ("rows", i, "after"))
        elif _in_a_circle(bp, row.id):
            yield _p("rows.circle", f"row `{row.id}` sits under a row that sits under it", ("rows", i, "after"))
    for i, step in enumerate(bp.steps):
        for row_id, _texts in step.cells:
            if row_id not in row_ids:
                yield _unknown("rows.unknown", "row", row_id, row_ids, ("steps", i, "rows", row_id), declare="rows")
    for line in bp.lines:
        if line.below not in places:
            field = line.kind.value.replace("-", "_")
            yield _unknown("lines.below", "lane or row", line.below, places, ("lines", field))
    kinds = {line.kind: line for line in bp.lines}
    op, impl = kinds.get(LineKind.ORDER_PENETRATION), kinds.get(LineKind.IMPLEMENTATION)
    if (
        op
        and impl
        and op.below in places
        and impl.below in places
        and row_order(bp).index(impl.below) < row_order(bp).index(op.below)
    ):
        yield _p(
            "lines.order",
            "the line of implementation is drawn above the line of order penetration",
            ("lines",),
            WARNING,
        )


def _in_a_circle(bp: Blueprint, row_id: str) -> bool:
    after = {r.id: r.after for r in bp.rows}
    seen = {row_id}
    place = after.get(row_id)
    while place in after:
        if place in seen:
            return True
        seen.add(place)
        place = after[place]
    return False


@check("views.refs", "Views select known phases, segments, rows, roles and tags")
def view_refs(bp: Blueprint) -> Iterator[Problem]:
    known: dict[str, Sequence[str]] = {
        "phases": [p.id for p in bp.phases],
        "segments": [s.id for s in bp.segments],
        "rows": [r.id for r in bp.rows],
    }
    roles = {a.role for a in bp.actions if a.role} | {r.id for r in bp.roles}
    tags = {t for a in bp.actions for t in a.tags}
    for i, view in enumerate(bp.views):
        for field, names in known.items():
            for j, name in enumerate(getattr(view, field)):
                if name not in names:
                    yield _unknown("views.unknown", field[:-1], name, names, ("views", i, field, j))
        for field in ("roles", "highlight"):
            for j, name in enumerate(getattr(view, field)):
                if name not in roles:
                    yield _unknown("views.role", "role", name, roles, ("views", i, field, j), WARNING)
        for j, tag in enumerate(view.tags):
            if tag not in tags:
                yield _unknown("views.tag", "tag", tag, tags, ("views", i, "tags", j), WARNING)


@check("styles.tags", "Styles attach to tags that actions carry")
def style_tags(bp: Blueprint) -> Iterator[Problem]:
    tags = {t for a in bp.actions for t in a.tags}
    for i, style in enumerate(bp.styles):
        if style.tag not in tags:
            yield _p(
                "styles.unused",
                f"no action carries the tag `{style.tag}`",
                ("styles", i),
                WARNING,
                did_you_mean(style.tag, tags),
            )
