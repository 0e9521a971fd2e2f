"""Views: which columns, rows and actions a drawing shows, and which it emphasises.

Built-in views, by name:

- ``full``: the whole blueprint;
- ``journey``: the customer journey map: physical evidence, customer actions and the emotion
  curve, no backstage;
- ``phases``: one column per phase, a summary for zooming out;
- ``role:ID``: everything, with the actions one role does or owns highlighted (for training);
- ``segment:ID``: the actions that apply to one customer segment;
- ``lanes:A,B``: a subset of lanes (and extra rows).

Views named in the blueprint's ``views:`` are found by id and take precedence over a built-in
view of the same name.
"""

from __future__ import annotations

from dataclasses import dataclass

from stageline.errors import Problem, RenderError, did_you_mean
from stageline.model import Action, Blueprint, Lane, Step, View
from stageline.model.rows import row_order

__all__ = ["BUILT_IN", "Column", "Selection", "select", "view_names"]

BUILT_IN = ("full", "journey", "phases")
_PREFIXES = ("role:", "segment:", "lanes:")
#: A cell of the phase summary lists at most this many actions, then "+N more".
SUMMARY_CELL = 3


@dataclass(frozen=True, slots=True)
class Column:
    """One column of the drawing: a step, or a whole phase in the summary view."""

    id: str
    name: str
    phase: str | None
    time: str | None
    steps: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Selection:
    """What a view shows."""

    id: str
    name: str
    description: str | None
    columns: tuple[Column, ...]
    rows: tuple[str, ...]  # lane and extra-row ids, top to bottom
    actions: tuple[Action, ...]
    #: Actions drawn emphasised; when not empty, the others are dimmed.
    highlight: frozenset[str]
    emotion: bool  # draw the emotion curve row
    summary: bool  # columns are phases
    segments: tuple[str, ...]
    #: Pain points written out under customer actions (journey maps), not only counted.
    pains: bool = False

    def shows(self) -> tuple[object, ...]:
        """What the drawing shows, whatever the view is called: equal for views that draw alike."""
        return (
            self.columns,
            self.rows,
            tuple(a.id for a in self.actions),
            self.highlight,
            self.emotion,
            self.summary,
        )

    def column_of(self) -> dict[str, int]:
        """The column index of each step shown."""
        return {step: i for i, col in enumerate(self.columns) for step in col.steps}


def view_names(bp: Blueprint) -> list[str]:
    """Every view the blueprint can be drawn in: the file's own, then the built-in ones."""
    names = [v.id for v in bp.views]
    names += [n for n in BUILT_IN if n not in names]
    # A role view only for roles that do or own something: the others would highlight nothing.
    active = {a.role for a in bp.actions} | {a.owner for a in bp.actions}
    names += [f"role:{r}" for r in _roles(bp) if r in active and f"role:{r}" not in names]
    names += [f"segment:{s.id}" for s in bp.segments if f"segment:{s.id}" not in names]
    return names


def select(bp: Blueprint, name: str | None = None) -> Selection:
    """The selection for the view called ``name`` (``full`` when None)."""
    name = name or "full"
    for view in bp.views:
        if view.id == name:
            return _apply(bp, view)
    if name == "full":
        return _apply(bp, View(id="full", name="Service blueprint"))
    if name == "journey":
        journey = View(
            id="journey",
            name="Customer journey",
            description="Physical evidence, customer actions and emotions; no backstage.",
            lanes=(Lane.EVIDENCE, Lane.CUSTOMER),
        )
        return _apply(bp, journey, rows=(), emotion=True)
    if name == "phases":
        return _apply(bp, View(id="phases", name="Phase summary", zoom="phases"))
    kind, _, arg = name.partition(":")
    if kind == "role" and arg:
        roles = _roles(bp)
        if arg not in roles:
            raise _unknown(f"role `{arg}`", arg, roles)
        label = next((r.name for r in bp.roles if r.id == arg), arg)
        return _apply(bp, View(id=name, name=f"{label}: their part", highlight=(arg,)))
    if kind == "segment" and arg:
        segments = [s.id for s in bp.segments]
        if arg not in segments:
            raise _unknown(f"segment `{arg}`", arg, segments)
        label = next(s.name for s in bp.segments if s.id == arg)
        return _apply(bp, View(id=name, name=f"For {label}", segments=(arg,)))
    if kind == "lanes" and arg:
        wanted = [w.strip() for w in arg.split(",") if w.strip()]
        known = [lane.value for lane in Lane] + [r.id for r in bp.rows]
        if not wanted:
            raise RenderError(
                Problem(
                    code="render.view",
                    message=f"`{name}` names no lane; expected some of {', '.join(known)}",
                    hint="for example lanes:customer,frontstage",
                )
            )
        for w in wanted:
            if w not in known:
                raise _unknown(f"lane or row `{w}`", w, known)
        lanes = tuple(Lane(w) for w in wanted if w in Lane.__members__.values())
        rows = tuple(w for w in wanted if w not in {lane.value for lane in Lane})
        return _apply(bp, View(id=name, name="Selected lanes", lanes=lanes, rows=rows), rows=rows)
    raise _unknown(f"view `{name}`", name, view_names(bp), extra=" (or role:ID, segment:ID, lanes:A,B)")


def _unknown(what: str, word: str, choices: list[str], extra: str = "") -> RenderError:
    shown = ", ".join(choices[:12]) + (", ..." if len(choices) > 12 else "")
    return RenderError(
        Problem(
            code="render.view",
            message=f"unknown {what}; expected one of {shown}{extra}",
            hint=did_you_mean(word, choices),
        )
    )


def _roles(bp: Blueprint) -> list[str]:
    seen = [r.id for r in bp.roles]
    seen += sorted({a.role for a in bp.actions if a.role and a.role not in seen})
    return seen


def _apply(bp: Blueprint, view: View, rows: tuple[str, ...] | None = None, emotion: bool | None = None) -> Selection:
    lanes = {lane.value for lane in (view.lanes or tuple(Lane))}
    if rows is None:
        # A view that picks lanes but no rows shows no extra rows; one that picks neither, all.
        rows = view.rows if (view.rows or view.lanes) else tuple(r.id for r in bp.rows)
    shown_rows = tuple(r for r in row_order(bp) if r in lanes or r in rows)
    phases = set(view.phases)
    steps = [s for s in bp.steps if not phases or s.phase in phases]
    step_ids = {s.id for s in steps}
    segments = set(view.segments)
    roles = set(view.roles)
    tags = set(view.tags)

    def shown(a: Action) -> bool:
        if a.step not in step_ids or a.lane.value not in lanes:
            return False
        if segments and a.segments and not segments.intersection(a.segments):
            return False
        if roles and a.lane not in (Lane.CUSTOMER, Lane.EVIDENCE) and a.role not in roles:
            return False
        return not tags or bool(tags.intersection(a.tags))

    actions = tuple(a for a in bp.actions if shown(a))
    filtered = bool(view.lanes or view.segments or view.roles or view.tags)
    if filtered:
        # Drop the steps the view leaves empty, so the drawing keeps its reader's attention.
        used = {a.step for a in actions}
        used |= {s.id for s in steps if any(row in rows and texts for row, texts in s.cells)}
        if used:
            steps = [s for s in steps if s.id in used]
    summary = view.zoom == "phases"
    if summary:
        columns = _phase_columns(bp, steps)
    else:
        columns = tuple(Column(s.id, s.name, s.phase, s.time, (s.id,)) for s in steps)
    # A role's part: the actions it does and the ones it owns.
    wanted = set(view.highlight)
    highlight = frozenset(a.id for a in actions if a.role in wanted or a.owner in wanted)
    with_emotion = any(a.emotion is not None for a in actions if a.lane is Lane.CUSTOMER)
    return Selection(
        id=view.id,
        name=view.name,
        description=view.description,
        columns=columns,
        rows=shown_rows,
        actions=actions,
        highlight=highlight,
        emotion=with_emotion if emotion is None else emotion and with_emotion,
        summary=summary,
        pains=not summary and Lane.CUSTOMER.value in lanes and lanes <= {Lane.EVIDENCE.value, Lane.CUSTOMER.value},
        segments=tuple(view.segments),
    )


def _phase_columns(bp: Blueprint, steps: list[Step]) -> tuple[Column, ...]:
    columns: list[Column] = []
    names = {p.id: p.name for p in bp.phases}
    for step in steps:
        key = step.phase or f"step:{step.id}"
        if columns and columns[-1].id == key:
            last = columns[-1]
            columns[-1] = Column(last.id, last.name, last.phase, last.time, (*last.steps, step.id))
        else:
            name = names.get(step.phase, step.phase) if step.phase else step.name
            columns.append(Column(key, name, step.phase, None, (step.id,)))
    return tuple(columns)
