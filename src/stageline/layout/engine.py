"""Lay a blueprint out as a scene: the grid of steps and lanes, boxes, arrows, lines and legend.

The drawing follows the conventions service designers know (Bitner, Ostrom and Morgan; Nielsen
Norman Group): time runs left to right in steps grouped by phases; the lanes run top to bottom
(physical evidence, customer, frontstage, backstage, support) with extra rows where the file
places them; the lines of interaction, visibility (dashed) and internal interaction sit between
their lanes; arrows are one-way (dependency), two-way (codependency), dashed (information) or
heavy (handoff), and every arrow that crosses a line is marked where it crosses.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace

from stageline.layout import route
from stageline.layout.heat import Heat, heat_colour
from stageline.layout.legend import legend
from stageline.layout.scene import Arrow, Badge, Band, Box, Curve, Icon, Rule, Scene, Shape, Text
from stageline.layout.text import clean, fit, wrap
from stageline.layout.theme import Paint, Theme, get_theme, readable_text
from stageline.layout.typeface import FONT_STACK, face
from stageline.layout.view import SUMMARY_CELL, Column, Selection, select
from stageline.memory import paused_gc
from stageline.model import Action, Blueprint, Flow, Lane, LineKind, Style
from stageline.model.vocabulary import LANE_NAMES, LINE_NAMES, STANDARD_LINES
from stageline.wording import duration as duration_words

__all__ = ["Findings", "layout"]

MARGIN = 28.0
LABEL_W = 148.0
COL_W = 164.0
GUTTER_MIN = 28.0
ROW_PAD = 12.0
STACK_GAP = 8.0
LINKED_GAP = 22.0
LINE_STEP = 14.0  # between two lines in one gap: room for the lower one's label
_NOTES = ("note", "more")  # boxes that are not actions
#: Ids of things drawn that are not in the file hold a colon, which no id in a file can.
EMOTION_ROW = "sl:emotion"
_FOLD = 10.0
BOX_PAD_X = 8.0
LABEL_SIZE = 12.0
LABEL_LEADING = 15.0
META_SIZE = 10.5
NOTE_SIZE = 11.0
ICON_ROW = 15.0
EMOTION_H = 84.0
MIN_WIDTH = 760.0
_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


@dataclass(slots=True)
class _Planned:
    """A box measured but not yet placed."""

    id: str
    kind: str
    lane: str
    step: str
    col: int
    row: int
    paint: Paint
    stroke_width: float
    dash: str | None
    bold: bool
    lines: tuple[str, ...]
    meta: tuple[str, ...]  # the role, channel and duration line, wrapped to at most two lines
    marks: list[list[tuple[str, str]]]  # rows of (icon kind, short text)
    tooltip: str
    role: str | None = None
    segments: tuple[str, ...] = ()
    size: float = LABEL_SIZE
    top: float = 0.0
    height: float = 0.0
    pains: list[tuple[str, ...]] = field(default_factory=list)  # pain points written out, wrapped
    heat: str | None = None  # the colour of its heat bar, when measured figures are laid over


#: Analysis findings to mark on the drawing: by action id (or ``step:ID``), (severity, message) pairs.
Findings = Mapping[str, Sequence[tuple[str, str]]]
_SEVERITY_RANK = {"error": 2, "warning": 1, "info": 0}


def layout(
    bp: Blueprint,
    view: str | Selection | None = None,
    theme: str | Theme = "default",
    findings: Findings | None = None,
    heat: Heat | None = None,
) -> Scene:
    """The scene for ``bp`` drawn in ``view`` (a name, ``full`` when None, or a selection) and ``theme``.

    With ``findings`` (from ``stageline check``), each action or step that has some carries a
    numbered badge coloured by the most serious, its tooltip listing them. With ``heat``
    (measured or simulated figures, :mod:`stageline.layout.heat`), each action with figures
    carries a heat bar, its measured wait and its figures in the tooltip.
    """
    sel = view if isinstance(view, Selection) else select(bp, view)
    th = theme if isinstance(theme, Theme) else get_theme(theme)
    with paused_gc():
        # Where arrows between two facing boxes cannot be kept apart, those boxes are made
        # taller (room to move the arrows' ends) and the drawing is laid out again.
        extra: dict[str, float] = {}
        for _ in range(3):
            lay = _Layout(bp, sel, th, findings or {}, extra, heat)
            scene = lay.scene()
            if not lay.crowded:
                break
            for box in lay.crowded:
                extra[box] = extra.get(box, 0.0) + 2 * route.TRACK
        return scene


class _Gaps:
    """The gaps between rows: the lines drawn in each, and the arrow tracks above and below them.

    An arrow between two actions of one row runs above the row's line (it stays on its side of
    it); arrows to other rows take the tracks below the line.
    """

    def __init__(self, lines: dict[int, list[tuple[LineKind, str | None]]]) -> None:
        self.lines = lines
        self.tracks: dict[tuple[int, str], int] = {}

    def used(self, gap: int) -> bool:
        return bool(self.tracks.get((gap, "upper")) or self.tracks.get((gap, "lower")))

    def _upper(self, gap: int) -> float:
        return 6.0 + self.tracks.get((gap, "upper"), 0) * route.TRACK

    def line(self, gap: int, k: int) -> float:
        """The offset of the gap's ``k``-th line from the gap's top."""
        return self._upper(gap) + 8.0 + LINE_STEP * k

    def track(self, gap: int, zone: str, t: int) -> float:
        """The offset of track ``t`` in the ``upper`` or ``lower`` zone from the gap's top."""
        if zone == "upper":
            return 6.0 + (t + 0.5) * route.TRACK
        lines = len(self.lines.get(gap, ()))
        below = self.line(gap, lines - 1) + 8.0 if lines else self._upper(gap) + 2.0
        return below + (t + 0.5) * route.TRACK

    def height(self, gap: int) -> float:
        lines = len(self.lines.get(gap, ()))
        end = self.track(gap, "lower", self.tracks.get((gap, "lower"), 0)) - route.TRACK / 2 + 4.0
        return max(end, 26.0 if lines else 12.0)


class _Layout:
    def __init__(
        self,
        bp: Blueprint,
        sel: Selection,
        th: Theme,
        findings: Findings,
        extra: dict[str, float] | None = None,
        heat: Heat | None = None,
    ) -> None:
        self.bp, self.sel, self.th, self.findings, self.heat = bp, sel, th, findings, heat
        #: Extra height for boxes whose facing arrows could not be kept apart last time.
        self.extra = extra or {}
        #: Boxes whose facing arrows could not be kept apart this time.
        self.crowded: set[str] = set()
        self.row_index = {r: i for i, r in enumerate(sel.rows)}
        self.col_of = sel.column_of()
        self.styles = {s.tag: s for s in bp.styles}
        self.roles = {r.id: r.name for r in bp.roles}
        self.systems = {s.id: s.name for s in bp.systems}
        self.labels = {a.id: clean(a.label) for a in sel.actions}
        self.subtitle_lines: tuple[str, ...] = ()
        #: Rectangles already drawn on (boxes, flow labels), by grid cell, to keep labels apart.
        self.taken: dict[tuple[int, int], list[tuple[tuple[float, float, float, float], int]]] = {}
        #: Flow labels with no room beside their arrow: (number, text), listed in the legend.
        self.notes: list[tuple[int, str]] = []

    # -- measuring -----------------------------------------------------------------------------

    def scene(self) -> Scene:
        boxes = self._plan_boxes()
        ncols, nrows = len(self.sel.columns), len(self.sel.rows)
        by_id = {b.id: b for b in boxes if b.kind not in _NOTES}
        flows = self._flows(by_id)
        row_h = self._stack(boxes, _side_ports(flows, by_id))
        slots = {b.id: route.Slot(b.id, b.col, b.row, b.top, b.height) for b in boxes}
        plans = route.plan_routes([(slots[f.source], slots[f.target]) for f in flows], slots.values())

        # Horizontal gaps: the lines, with tracks for arrows above and below them.
        gaps = _Gaps(self._gap_lines())
        channel: dict[tuple[int, str], list[route.Plan]] = defaultdict(list)
        for p in plans:
            if p.gap is not None:
                channel[p.gap, p.zone].append(p)
        for (gap, zone), members in channel.items():
            tracks, count = route.assign_tracks([(min(p.gutters), max(p.gutters)) for p in members])
            for p, t in zip(members, tracks, strict=True):
                p.gap_track = t
            gaps.tracks[gap, zone] = count

        # Vertical positions.
        # The subtitle wraps to two lines at the narrowest the drawing can be.
        narrowest = max(2 * MARGIN + LABEL_W + ncols * (COL_W + GUTTER_MIN) + GUTTER_MIN, MIN_WIDTH)
        self.subtitle_lines = wrap(self._subtitle(), narrowest - 2 * MARGIN, 12.5, 2)[0]
        title_h = 64.0 + 16.0 * (len(self.subtitle_lines) - 1)
        header_top = MARGIN + title_h
        phase_h = 30.0 if any(c.phase for c in self.sel.columns) and not self.sel.summary else 0.0
        step_lines = [self._column_title(c) for c in self.sel.columns]
        step_h = max((14.0 + 15.0 * len(lines) + (14.0 if time else 0.0) for lines, time in step_lines), default=30.0)
        y = header_top + phase_h + step_h + 6.0
        emotion_top = None
        if self.sel.emotion:
            emotion_top = y
            y += EMOTION_H + 8.0
        gap_top: dict[int, float] = {}
        row_top: list[float] = []
        gap_top[-1] = y
        y += gaps.height(-1) if gaps.used(-1) else 0.0
        for r in range(nrows):
            row_top.append(y)
            y += row_h[r]
            gap_top[r] = y
            y += gaps.height(r) if r < nrows - 1 or gaps.used(r) else 0.0
        grid_bottom = y

        # Ports along box sides, ordered by where the other end is, to avoid needless crossings.
        self._spread_ports(plans, boxes, row_top)
        _part_facing_ports(plans, row_top)

        # Vertical segments: tracks per gutter, and per column for direct arrows.
        port_y = {}
        for p in plans:
            port_y[p.index] = (
                row_top[p.src.row] + p.src.top + p.src_y,
                row_top[p.dst.row] + p.dst.top + p.dst_y,
            )
        gutter_segments: dict[int, list[tuple[route.Plan, int, float, float]]] = defaultdict(list)
        column_direct: dict[int, list[route.Plan]] = defaultdict(list)
        for p in plans:
            ys, yd = port_y[p.index]
            p.tracks = [0] * len(p.gutters)
            if p.shape == "channel":
                assert p.gap is not None
                yc = gap_top[p.gap] + gaps.track(p.gap, p.zone, p.gap_track)
                gutter_segments[p.gutters[0]].append((p, 0, min(ys, yc), max(ys, yc)))
                gutter_segments[p.gutters[1]].append((p, 1, min(yd, yc), max(yd, yc)))
            elif p.shape == "direct":
                column_direct[p.src.col].append(p)
            else:
                gutter_segments[p.gutters[0]].append((p, 0, min(ys, yd), max(ys, yd)))
        gutter_tracks: dict[int, int] = {}
        for g, segs in gutter_segments.items():
            tracks, count = route.assign_tracks([(lo, hi) for _, _, lo, hi in segs])
            for (p, k, _, _), t in zip(segs, tracks, strict=True):
                p.tracks[k] = t
            gutter_tracks[g], crowded = _order_facing_stubs(g, segs, port_y, count)
            self.crowded |= crowded
        direct_tracks: dict[int, int] = {}
        for col, members in column_direct.items():
            spans = []
            for p in members:
                ys, yd = port_y[p.index]
                spans.append((min(ys, yd), max(ys, yd)))
            tracks, count = route.assign_tracks(spans)
            for p, t in zip(members, tracks, strict=True):
                p.x_track = t
            direct_tracks[col] = count

        # Horizontal positions.
        gutter_w = [max(GUTTER_MIN, 16.0 + gutter_tracks.get(g, 0) * route.TRACK) for g in range(ncols + 1)]
        col_x: list[float] = []
        x = MARGIN + LABEL_W
        for k in range(ncols):
            x += gutter_w[k]
            col_x.append(x)
            x += COL_W
        grid_right = x + gutter_w[ncols]
        width = max(grid_right + MARGIN, MIN_WIDTH)
        grid_left = MARGIN + LABEL_W

        def gutter_x(g: int, track: int) -> float:
            left = col_x[g] - gutter_w[g] if g < ncols else col_x[-1] + COL_W
            count = gutter_tracks.get(g, 1)
            return left + (gutter_w[g] - count * route.TRACK) / 2 + (track + 0.5) * route.TRACK

        # Rules (the lines between lanes).
        rules: list[Rule] = []
        for gap, kinds in sorted(gaps.lines.items()):
            for k, (kind, label) in enumerate(kinds):
                ly = gap_top[gap] + gaps.line(gap, k)
                rules.append(self._rule(kind, label, self.sel.rows[gap], ly, grid_left, grid_right))
        rule_ys = [r.y for r in rules]

        # Boxes in absolute coordinates.
        placed: dict[str, Box] = {}
        for b in boxes:
            box = placed[b.id] = self._box(b, col_x[b.col], row_top[b.row] + b.top)
            self._claim((box.x, box.y, box.x + box.width, box.y + box.height))

        # Arrows.
        arrows = [
            self._arrow(flows[p.index], p, placed, port_y[p.index], gap_top, gaps, gutter_x, rule_ys, direct_tracks)
            for p in plans
        ]
        arrows = self._place_labels(arrows, flows)

        bands = self._bands(row_top, row_h, grid_left, grid_right, emotion_top)
        header = self._header(width, header_top, phase_h, step_h, step_lines, col_x, gutter_w, grid_left, grid_right)
        curve = self._curve(emotion_top, col_x, grid_left, grid_right) if emotion_top is not None else None
        badges = self._badges(placed, col_x, gutter_w, header_top + phase_h)
        items, legend_h = legend(
            self.bp,
            self.sel,
            self.th,
            arrows,
            list(placed.values()),
            MARGIN,
            grid_bottom + 24.0,
            width - 2 * MARGIN,
            severities={b.severity for b in badges},
            notes=self.notes,
            heat=self.heat,
        )
        height = grid_bottom + 24.0 + legend_h + MARGIN
        colours = sorted({a.colour for a in arrows} | {self.th.flows[k] for k in self.th.flows})
        return Scene(
            width=round(width, 1),
            height=round(height, 1),
            title=self._title(),
            subtitle=self._subtitle(),
            description=self._description(len(placed), len(arrows)),
            background=self.th.background,
            font_stack=FONT_STACK,
            header=tuple(header),
            bands=tuple(bands),
            rules=tuple(rules),
            arrows=tuple(arrows),
            boxes=tuple(placed[b.id] for b in boxes),
            curve=curve,
            legend=tuple(items),
            marker_colours=tuple(colours),
            dim_opacity=self.th.dim_opacity,
            highlight_colour=self.th.highlight,
            badges=tuple(badges),
        )

    def _badges(self, boxes: dict[str, Box], col_x: list[float], gutter_w: list[float], step_top: float) -> list[Badge]:
        if not self.findings:
            return []
        colours = dict(self.th.findings)
        out: list[Badge] = []

        def badge(target: str, x: float, y: float, found: Sequence[tuple[str, str]]) -> Badge:
            worst = max((sev for sev, _ in found), key=lambda sev: _SEVERITY_RANK.get(sev, 0))
            lines = [f"{sev}: {clean(message)}" for sev, message in found]
            shown = lines[:12] + ([f"... and {len(lines) - 12} more"] if len(lines) > 12 else [])
            tooltip = f"{len(found)} finding{'s' if len(found) != 1 else ''} from stageline check\n" + "\n".join(shown)
            return Badge(target, x, y, len(found), worst, colours.get(worst, colours["info"]), tooltip)

        for box in boxes.values():
            found = self.findings.get(box.id)
            if found and box.kind not in _NOTES:
                out.append(badge(box.id, box.x + box.width - 3.0, box.y + 3.0, found))
        for k, column in enumerate(self.sel.columns):
            found = [f for step in column.steps for f in self.findings.get(f"step:{step}", ())]
            if found:
                right = col_x[k] + COL_W + gutter_w[k + 1] / 2 - 2.0
                out.append(badge(f"step:{column.id}", right - 3.0, step_top + 3.0, found))
        return out

    def _plan_boxes(self) -> list[_Planned]:
        out: list[_Planned] = []
        count: dict[tuple[int, int], int] = defaultdict(int)
        hidden: dict[tuple[int, int], int] = defaultdict(int)
        for a in self.sel.actions:
            col = self.col_of.get(a.step)
            row = self.row_index.get(a.lane.value)
            if col is None or row is None:
                continue
            if self.sel.summary and count[col, row] >= SUMMARY_CELL:
                hidden[col, row] += 1
                continue
            count[col, row] += 1
            out.append(self._plan_action(a, col, row))
        for col_i, column in enumerate(self.sel.columns):
            for step_id in column.steps:
                step = self.bp.step(step_id)
                if step is None:
                    continue
                for row_id, texts in step.cells:
                    row = self.row_index.get(row_id)
                    if row is None:
                        continue
                    for n, text in enumerate(texts):
                        out.append(self._plan_note(f"note:{step_id}:{row_id}:{n}", text, row_id, step_id, col_i, row))
        for (col, row), n in sorted(hidden.items()):
            lane = self.sel.rows[row]
            more = self._plan_note(f"more:{col}:{lane}", f"+{n} more", lane, self.sel.columns[col].id, col, row)
            more.kind = "more"
            more.paint = Paint(self.th.background, self.th.muted, self.th.muted)
            more.dash = "3 3"
            out.append(more)
        return out

    def _plan_action(self, a: Action, col: int, row: int) -> _Planned:
        th = self.th
        evidence = a.lane is Lane.EVIDENCE
        paint = th.boxes[a.lane.value]
        stroke_width = th.box_stroke_width
        dash: str | None = None
        bold = False
        for tag in a.tags:
            style = self.styles.get(tag)
            if style is not None:
                paint, sw, dash_set, bold_set = _apply_style(paint, style, self.th.tag_colours)
                stroke_width = max(stroke_width, sw) if bold_set else stroke_width
                dash = "5 3" if dash_set else dash if dash_set is None else None
                bold = bold or bool(bold_set)
        max_lines = 2 if self.sel.summary else 4
        label = clean(a.label) or a.id
        room = COL_W - 2 * BOX_PAD_X - (_FOLD if evidence else 0.0)  # evidence text clears the fold
        lines, _cut = wrap(label, room, LABEL_SIZE, max_lines, "semibold" if bold else "regular")
        meta_parts = []
        if a.role:
            meta_parts.append(self.roles.get(a.role, a.role))
        elif a.system:
            meta_parts.append(self.systems.get(a.system, a.system))
        if a.channel:
            meta_parts.append(a.channel)
        if self.heat is not None:
            if a.id in self.heat.durations:
                meta_parts.append(self.heat.durations[a.id])
        elif a.duration is not None:
            meta_parts.append(duration_words(a.duration.expected))
        meta = (
            wrap(clean(" · ".join(meta_parts)), COL_W - 2 * BOX_PAD_X, META_SIZE, 1 if self.sel.summary else 2)[0]
            if meta_parts and not evidence
            else ()
        )
        found: list[tuple[str, str]] = []
        if not evidence:
            if a.fail_point is not None:
                rpn = a.fail_point.risk_priority
                found.append(("fail", f"RPN {rpn}" if rpn is not None else "fail point"))
            shaded = self.heat is not None and a.id in self.heat.values
            if self.heat is not None:
                # Measured waits are filled clocks; the blueprint's own stay outlined.
                if a.id in self.heat.waits:
                    if not (shaded and self.heat.measure == "wait"):  # the heat mark says it already
                        found.append(("mwait", self.heat.waits[a.id]))
                elif a.id in self.heat.assumed_waits:
                    found.append(("wait", self.heat.assumed_waits[a.id]))
            elif a.wait is not None:
                found.append(("wait", duration_words(a.wait.expected)))
            if a.pain_points and not self.sel.pains:
                found.append(("pain", str(len(a.pain_points))))
            if a.kpis:
                found.append(("kpi", str(len(a.kpis))))
        heat_colour_ = None
        if self.heat is not None and a.id in self.heat.values:
            shade, text = self.heat.values[a.id]
            heat_colour_ = heat_colour(shade)
            found.insert(0, ("heat", text))
        marks = _mark_rows(found)
        pains = [
            wrap(clean(p), COL_W - 2 * BOX_PAD_X - 14.0, META_SIZE, 3)[0]
            for p in (a.pain_points if self.sel.pains else ())
            if clean(p)
        ]
        return _Planned(
            id=a.id,
            kind="evidence" if evidence else "action",
            lane=a.lane.value,
            step=a.step,
            col=col,
            row=row,
            paint=paint,
            stroke_width=stroke_width,
            dash=dash,
            bold=bold,
            lines=lines,
            meta=meta,
            marks=marks,
            pains=pains,
            tooltip=self._tooltip(a, label),
            role=a.role,
            segments=a.segments,
            heat=heat_colour_,
        )

    def _plan_note(self, nid: str, text: str, row_id: str, step: str, col: int, row: int) -> _Planned:
        lines, _ = wrap(clean(text), COL_W - 2 * BOX_PAD_X, NOTE_SIZE, 5)
        return _Planned(
            id=nid,
            kind="note",
            lane=row_id,
            step=step,
            col=col,
            row=row,
            paint=self.th.boxes["row"],
            stroke_width=self.th.box_stroke_width,
            dash=None,
            bold=False,
            lines=lines,
            meta=(),
            marks=[],
            tooltip=clean(text),
            size=NOTE_SIZE,
        )

    def _tooltip(self, a: Action, label: str) -> str:
        parts = [label]
        if a.description:
            parts.append(clean(a.description))
        if self.heat is not None and a.id in self.heat.details:
            parts.append(f"{self.heat.kind.capitalize()}: {clean(self.heat.details[a.id])}")
        return "\n".join(parts)

    def _stack(self, boxes: list[_Planned], ports: dict[str, int]) -> list[float]:
        """Stack each cell's boxes; boxes joined by a flow get more room between them.

        A box is tall enough for the arrows on its busiest side (``ports``) to keep a track apart.
        """
        cells: dict[tuple[int, int], float] = defaultdict(lambda: ROW_PAD)
        last: dict[tuple[int, int], str] = {}
        linked = {frozenset((f.source, f.target)) for f in self.bp.flows}
        for b in boxes:
            leading = LABEL_LEADING if b.kind not in _NOTES else 14.0
            h = 8.0 + leading * max(1, len(b.lines)) + 13.0 * len(b.meta) + ICON_ROW * len(b.marks) + 5.0
            h += sum(13.0 * len(lines) + 3.0 for lines in b.pains) + (3.0 if b.pains else 0.0)
            h = max(h, 12.0 + route.TRACK * (ports.get(b.id, 0) + 1)) + self.extra.get(b.id, 0.0)
            b.height = max(h, 32.0)
            above = last.get((b.col, b.row))
            if above is not None and frozenset((above, b.id)) in linked:
                cells[b.col, b.row] += LINKED_GAP - STACK_GAP  # room for the arrow between them
            b.top = cells[b.col, b.row]
            cells[b.col, b.row] = b.top + b.height + STACK_GAP
            last[b.col, b.row] = b.id
        heights = [self._label_height(r) for r in self.sel.rows]
        for (_, row), bottom in cells.items():
            heights[row] = max(heights[row], bottom - STACK_GAP + ROW_PAD)
        return heights

    def _label_height(self, row_id: str) -> float:
        """The least height of a row: 44 px, or what its wrapped label needs."""
        return max(44.0, 20.0 + 15.0 * (len(self._row_label(row_id)) - 1) + 10.0)

    def _row_label(self, row_id: str) -> tuple[str, ...]:
        lanes = {lane.value for lane in Lane}
        names = {r.id: r.name for r in self.bp.rows} | {EMOTION_ROW: "Customer emotion"}
        name = LANE_NAMES[Lane(row_id)] if row_id in lanes else names.get(row_id, row_id)
        room = LABEL_W - (48.0 if row_id == EMOTION_ROW else 24.0)  # the emotion scale sits beside it
        return wrap(clean(name), room, 12.0, 4, "semibold")[0]

    def _flows(self, by_id: dict[str, _Planned]) -> list[Flow]:
        out: list[Flow] = []
        seen: set[tuple[str, str, str]] = set()
        for f in self.bp.flows:
            src, dst = by_id.get(f.source), by_id.get(f.target)
            if src is None or dst is None or f.source == f.target:
                continue
            if self.sel.summary and src.col == dst.col:
                continue
            key = (f.source, f.target, f.kind.value)
            if key in seen:
                continue
            seen.add(key)
            out.append(f)
        return out

    def _gap_lines(self) -> dict[int, list[tuple[LineKind, str | None]]]:
        rows = self.sel.rows
        out: dict[int, list[tuple[LineKind, str | None]]] = defaultdict(list)
        wanted: list[tuple[str, LineKind, str | None]] = [
            (lane.value, kind, None) for kind, lane in STANDARD_LINES.items()
        ]
        wanted += [(line.below, line.kind, line.label) for line in self.bp.lines]
        for below, kind, label in wanted:
            r = self.row_index.get(below)
            if r is not None and r < len(rows) - 1:
                out[r].append((kind, label))
        return dict(out)

    def _spread_ports(self, plans: list[route.Plan], boxes: list[_Planned], row_top: list[float]) -> None:
        sides: dict[tuple[str, str], list[tuple[tuple[float, ...], route.Plan, bool]]] = defaultdict(list)
        for p in plans:
            other_d = (row_top[p.dst.row] + p.dst.top + p.dst.height / 2, float(p.dst.col))
            other_s = (row_top[p.src.row] + p.src.top + p.src.height / 2, float(p.src.col))
            sides[p.src.id, p.src_side].append((other_d, p, True))
            sides[p.dst.id, p.dst_side].append((other_s, p, False))
        for (_, side), members in sides.items():
            if side in ("T", "B"):
                continue
            members.sort(key=lambda m: (m[0], m[1].index))
            n = len(members)
            # Left-side ports sit a track lower than right-side ones, so that the stubs of two
            # facing boxes across a gutter never lie on one line and read as one arrow.
            stagger = route.TRACK if side == "L" else 0.0
            for k, (_, p, is_src) in enumerate(members):
                slot = p.src if is_src else p.dst
                inner = max(slot.height - 12.0 - stagger, 0.0)
                offset = 6.0 + stagger + inner * (k + 1) / (n + 1) if n > 1 else slot.height / 2 + stagger / 2
                if is_src:
                    p.src_y = offset
                else:
                    p.dst_y = offset
        for p in plans:
            if p.src_side == "B":
                p.src_y, p.dst_y = p.src.height, 0.0
            elif p.src_side == "T":
                p.src_y, p.dst_y = 0.0, p.dst.height

    # -- drawing -------------------------------------------------------------------------------

    def _box(self, b: _Planned, x: float, y: float) -> Box:
        size = b.size
        leading = LABEL_LEADING if b.kind not in _NOTES else 14.0
        label = Text(
            x + BOX_PAD_X,
            y + 8.0 + size * 0.95,
            b.lines,
            size,
            b.paint.text,
            "semibold" if b.bold else "regular",
            line_height=leading,
        )
        cursor = y + 8.0 + leading * max(1, len(b.lines))
        meta = None
        if b.meta:
            meta = Text(
                x + BOX_PAD_X,
                cursor + META_SIZE * 0.95,
                b.meta,
                META_SIZE,
                _muted_on(self.th, b.paint),
                line_height=13.0,
            )
            cursor += 13.0 * len(b.meta)
        notes: list[Text] = []
        icons: list[Icon] = []
        if b.pains:
            cursor += 3.0
            pain_ink = readable_text(b.paint.fill, self.th.icons["pain"])
            for lines in b.pains:
                icons.append(Icon("pain", x + BOX_PAD_X + 5.0, cursor + 7.0, 10.0, self.th.icons["pain"]))
                notes.append(
                    Text(x + BOX_PAD_X + 14.0, cursor + META_SIZE * 0.95, lines, META_SIZE, pain_ink, line_height=13.0)
                )
                cursor += 13.0 * len(lines) + 3.0
        iy = cursor + 7.0
        for row in b.marks:
            ix = x + BOX_PAD_X
            for kind, short in row:
                colour = b.heat if kind == "heat" and b.heat else self.th.icons[kind]
                icons.append(Icon(kind, ix + 5.5, iy, 11.0, colour))
                notes.append(Text(ix + 13.0, iy + 3.6, (short,), 10.0, _muted_on(self.th, b.paint)))
                ix += 13.0 + _text_w(short, 10.0) + 8.0
            iy += ICON_ROW
        dim = bool(self.sel.highlight) and b.id not in self.sel.highlight and b.kind not in _NOTES
        return Box(
            id=b.id,
            kind=b.kind,
            lane=b.lane,
            step=b.step,
            role=b.role,
            segments=b.segments,
            x=x,
            y=y,
            width=COL_W,
            height=b.height,
            fill=b.paint.fill,
            stroke=b.paint.stroke,
            stroke_width=b.stroke_width,
            dash=b.dash,
            label=label,
            meta=meta,
            icons=tuple(icons),
            notes=tuple(notes),
            tooltip=b.tooltip,
            dim=dim,
            highlight=b.id in self.sel.highlight,
            heat=b.heat,
        )

    def _arrow(
        self,
        flow: Flow,
        p: route.Plan,
        boxes: dict[str, Box],
        ports: tuple[float, float],
        gap_top: dict[int, float],
        gaps: _Gaps,
        gutter_x: Callable[[int, int], float],
        rule_ys: list[float],
        direct_tracks: dict[int, int],
    ) -> Arrow:
        src, dst = boxes[flow.source], boxes[flow.target]
        ys, yd = ports
        sx = src.x + src.width if p.src_side == "R" else src.x
        dx = dst.x + dst.width if p.dst_side == "R" else dst.x
        pts: list[tuple[float, float]]
        if p.shape == "direct":
            n = direct_tracks.get(p.src.col, 1)
            x = src.x + src.width / 2 + (p.x_track - (n - 1) / 2) * 10.0
            pts = [(x, ys), (x, yd)]
        elif p.shape == "channel":
            assert p.gap is not None
            yc = gap_top[p.gap] + gaps.track(p.gap, p.zone, p.gap_track)
            g1 = gutter_x(p.gutters[0], p.tracks[0])
            g2 = gutter_x(p.gutters[1], p.tracks[1])
            pts = [(sx, ys), (g1, ys), (g1, yc), (g2, yc), (g2, yd), (dx, yd)]
        else:
            g = gutter_x(p.gutters[0], p.tracks[0])
            pts = [(sx, ys), (g, ys), (g, yd), (dx, yd)]
        # Coordinates to the hundredth, so that runs meant to be straight are exactly straight.
        pts = _simplify([(round(x, 2), round(y, 2)) for x, y in pts])
        kind = flow.kind.value
        colour = self.th.flows[kind]
        crossings = []
        for (x1, y1), (x2, y2) in itertools.pairwise(pts):
            if x1 == x2:
                lo, hi = sorted((y1, y2))
                crossings += [Icon("crossing", x1, ry, 7.0, self.th.crossing) for ry in rule_ys if lo < ry < hi]
        text = _flow_text(flow)
        src_name = self.labels.get(flow.source, flow.source)
        dst_name = self.labels.get(flow.target, flow.target)
        tooltip = f"{src_name} {flow.kind.arrow} {dst_name}" + (f": {clean(text)}" if text else "")
        dim = bool(self.sel.highlight) and not ({flow.source, flow.target} & self.sel.highlight)
        return Arrow(
            source=flow.source,
            target=flow.target,
            kind=kind,
            points=tuple(pts),
            colour=colour,
            width=_weight(kind, flow.probability),
            dash="4 3" if kind == "information" else None,
            head_start=kind == "codependency",
            head_end=True,
            crossings=tuple(crossings),
            label=None,
            tooltip=tooltip,
            dim=dim,
        )

    def _place_labels(self, arrows: list[Arrow], flows: list[Flow]) -> list[Arrow]:
        """Each flow's label and odds placed where they touch no box, no other label and no other arrow.

        The most likely branches are placed first. Where the whole label finds no room, its odds
        alone are tried; where even those find none, the label goes where it covers only arrows
        (on a plate that keeps it readable). Only a label with no room at all is left to the
        arrow's tooltip.
        """
        segments: dict[int, list[tuple[float, float, float, float]]] = {}
        for k, arrow in enumerate(arrows):
            rects = [
                (min(a[0], b[0]) - 1.0, min(a[1], b[1]) - 1.0, max(a[0], b[0]) + 1.0, max(a[1], b[1]) + 1.0)
                for a, b in itertools.pairwise(arrow.points)
            ]
            segments[k] = rects
            for rect in rects:
                self._claim(rect, owner=k)
        order = sorted(
            (k for k, f in enumerate(flows) if _flow_text(f)),
            key=lambda k: (-(flows[k].probability or 0.0), k),
        )
        out = list(arrows)
        for k in order:
            flow = flows[k]
            full = clean(_flow_text(flow))
            odds = f"{flow.probability * 100:.0f}%" if flow.probability is not None else None
            texts = [full] + ([odds] if odds and odds != full else [])
            placed = None
            for strict in (True, False):
                for text in texts:
                    placed = self._label_spot(text, arrows[k].points, k, strict)
                    if placed:
                        break
                if placed:
                    break
            note = None
            if placed is None:
                # No room beside the arrow: a numbered mark on it, and the words in the legend.
                note = len(self.notes) + 1
                # Room for the widest number it may get once the notes are numbered in order.
                room = "8" * len(str(len(order)))
                placed = self._label_spot(room, arrows[k].points, k, False) or self._on_arrow(room, arrows[k].points)
                self.notes.append((note, full))
            label, rect = placed
            self._claim(rect)
            out[k] = replace(arrows[k], label=label, plate=rect, note=note)
        return self._renumber(out)

    def _renumber(self, arrows: list[Arrow]) -> list[Arrow]:
        """Number the flow notes in reading order (left to right, then top to bottom)."""
        noted = sorted(
            (k for k, a in enumerate(arrows) if a.note is not None and a.label is not None),
            key=lambda k: (arrows[k].label.x, arrows[k].label.y),  # type: ignore[union-attr]
        )
        texts = dict(self.notes)
        self.notes = []
        for number, k in enumerate(noted, start=1):
            a = arrows[k]
            assert a.label is not None and a.plate is not None and a.note is not None
            self.notes.append((number, texts[a.note]))
            label = replace(a.label, lines=(str(number),))
            arrows[k] = replace(a, label=label, note=number)
        return arrows

    def _on_arrow(
        self, text: str, pts: tuple[tuple[float, float], ...]
    ) -> tuple[Text, tuple[float, float, float, float]]:
        """``text`` centred on one of the arrow's runs, where it covers no box or label if it can."""
        width = _text_w(text, 10.0)
        spots: list[tuple[float, float]] = []
        for a, b in sorted(
            itertools.pairwise(pts), key=lambda ab: -(abs(ab[1][0] - ab[0][0]) + abs(ab[1][1] - ab[0][1]))
        ):
            mx, my = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
            if a[1] == b[1]:
                spots += [(x, a[1]) for x in _spread(mx, min(a[0], b[0]), max(a[0], b[0]), 8.0)]
            else:
                spots += [(a[0], y) for y in _spread(my, min(a[1], b[1]), max(a[1], b[1]), 8.0)]
        best = None
        for cx, cy in spots:
            x, y = cx - width / 2, cy - 6.0
            rect = (x - 2.0, y, x + width + 2.0, y + 12.0)
            found = Text(x, y + 9.5, (text,), 10.0, self.th.muted), rect
            if not self._occupied(rect, None):
                return found
            best = best or found
        assert best is not None
        return best

    def _label_spot(
        self, text: str, pts: tuple[tuple[float, float], ...], owner: int, strict: bool
    ) -> tuple[Text, tuple[float, float, float, float]] | None:
        """A free place for ``text`` beside one of the arrow's runs, longest runs first."""
        width = _text_w(text, 10.0)
        runs = sorted(itertools.pairwise(pts), key=lambda ab: -(abs(ab[1][0] - ab[0][0]) + abs(ab[1][1] - ab[0][1])))
        for a, b in runs:
            candidates: list[tuple[float, float]] = []
            if a[1] == b[1]:  # horizontal: above or below it, from the middle outwards
                length = abs(b[0] - a[0])
                if length < width + 10.0:
                    continue
                lo = min(a[0], b[0]) + width / 2 + 6.0
                hi = max(a[0], b[0]) - width / 2 - 6.0
                for cx in _spread((lo + hi) / 2, lo, hi, 16.0):
                    candidates += [(cx - width / 2, a[1] - 13.0), (cx - width / 2, a[1] + 3.0)]
            else:  # vertical: beside it, on either side, from the middle outwards
                lo, hi = min(a[1], b[1]) + 4.0, max(a[1], b[1]) - 16.0
                if hi < lo:
                    continue
                for y in _spread((lo + hi) / 2, lo, hi, 12.0):
                    candidates += [(a[0] + 4.0, y), (a[0] - 4.0 - width, y)]
            for x, y in candidates:
                rect = (x - 2.0, y, x + width + 2.0, y + 12.0)
                if not self._occupied(rect, owner if strict else None):
                    label = Text(x, y + 9.5, (text,), 10.0, self.th.muted)
                    return label, rect
        return None

    _CELL = 160.0

    def _claim(self, rect: tuple[float, float, float, float], owner: int = -1) -> None:
        """Mark ``rect`` as drawn on: by a box or label (owner -1) or by arrow number ``owner``."""
        x1, y1, x2, y2 = rect
        size = self._CELL
        entry = (rect, owner)
        taken = self.taken
        for i in range(int(x1 // size), int(x2 // size) + 1):
            for j in range(int(y1 // size), int(y2 // size) + 1):
                cell = taken.get((i, j))
                if cell is None:
                    taken[i, j] = [entry]
                else:
                    cell.append(entry)

    def _occupied(self, rect: tuple[float, float, float, float], arrow: int | None) -> bool:
        """Whether ``rect`` touches a box or label, or (given ``arrow``) any other arrow than that one."""
        x1, y1, x2, y2 = rect
        size = self._CELL
        taken = self.taken
        for i in range(int(x1 // size), int(x2 // size) + 1):
            for j in range(int(y1 // size), int(y2 // size) + 1):
                for b, owner in taken.get((i, j), ()):
                    if owner >= 0 and (arrow is None or owner == arrow):
                        continue
                    if x1 < b[2] and b[0] < x2 and y1 < b[3] and b[1] < y2:
                        return True
        return False

    def _rule(self, kind: LineKind, label: str | None, above: str, y: float, x1: float, x2: float) -> Rule:
        name = label or LINE_NAMES[kind]
        dash = {"visibility": "9 5", "order-penetration": "2 4", "implementation": "2 4"}.get(kind.value)
        width = 1.6 if kind.value in ("interaction", "visibility", "internal") else 1.2
        text = Text(MARGIN + 2.0, y - 3.0, (fit(clean(name), LABEL_W - 4.0, 9.5),), 9.5, self.th.muted)
        return Rule(kind.value, above, round(y, 2), MARGIN, x2, self.th.line, width, dash, text)

    def _bands(
        self, row_top: list[float], row_h: list[float], left: float, right: float, emotion_top: float | None
    ) -> list[Band]:
        bands: list[Band] = []
        names = {r.id: r.name for r in self.bp.rows}
        if emotion_top is not None:
            bands.append(self._band(EMOTION_ROW, "Customer emotion", emotion_top, EMOTION_H, left, right, "emotion"))
        for r, row_id in enumerate(self.sel.rows):
            lane_name = LANE_NAMES.get(Lane(row_id)) if row_id in {lane.value for lane in Lane} else None
            name = lane_name or names.get(row_id, row_id)
            fill_key = row_id if lane_name else "row"
            bands.append(self._band(row_id, name, row_top[r], row_h[r], left, right, fill_key))
        return bands

    def _band(self, rid: str, name: str, y: float, h: float, left: float, right: float, fill_key: str) -> Band:
        label = Text(
            MARGIN + 10.0, y + 20.0, self._row_label(rid), 12.0, self.th.label.text, "semibold", line_height=15.0
        )
        return Band(
            id=rid,
            name=clean(name),
            x=left,
            y=y,
            width=right - left,
            height=h,
            fill=self.th.bands[fill_key],
            label=label,
            label_fill=self.th.label.fill,
            label_stroke=self.th.label.stroke,
            label_width=LABEL_W - 8.0,
        )

    def _column_title(self, column: Column) -> tuple[tuple[str, ...], str | None]:
        lines, _ = wrap(clean(column.name) or column.id, COL_W + 8.0, 12.0, 3, "semibold")
        time = column.time
        if self.sel.summary:
            n = len(column.steps)
            time = f"{n} step" + ("s" if n != 1 else "")
        return lines, (fit(clean(time), COL_W + 8.0, 11.0) if time else None)

    def _header(
        self,
        width: float,
        top: float,
        phase_h: float,
        step_h: float,
        step_lines: list[tuple[tuple[str, ...], str | None]],
        col_x: list[float],
        gutter_w: list[float],
        grid_left: float,
        grid_right: float,
    ) -> list[Shape | Text]:
        th = self.th
        out: list[Shape | Text] = []
        title = fit(clean(self.bp.title), width - 2 * MARGIN, 22.0, "semibold")
        out.append(Text(MARGIN, MARGIN + 20.0, (title,), 22.0, th.title, "semibold"))
        out.append(Text(MARGIN, MARGIN + 42.0, self.subtitle_lines, 12.5, th.muted, line_height=16.0))
        cols = self.sel.columns

        def left_edge(k: int) -> float:
            return col_x[k] - gutter_w[k] / 2

        def right_edge(k: int) -> float:
            return col_x[k] + COL_W + gutter_w[k + 1] / 2

        if phase_h:
            names = {p.id: p.name for p in self.bp.phases}
            k = 0
            while k < len(cols):
                phase = cols[k].phase
                end = k
                while end + 1 < len(cols) and cols[end + 1].phase == phase:
                    end += 1
                x1, x2 = left_edge(k) + 2.0, right_edge(end) - 2.0
                if phase:
                    out.append(
                        Shape(x1, top, x2 - x1, phase_h - 4.0, fill=th.phase.fill, stroke=th.phase.stroke, radius=4)
                    )
                    name = fit(clean(names.get(phase, phase)), x2 - x1 - 16.0, 12.5, "semibold")
                    out.append(Text(x1 + 10.0, top + 17.5, (name,), 12.5, th.phase.text, "semibold"))
                k = end + 1
        y = top + phase_h
        for k, (lines, time) in enumerate(step_lines):
            x1, x2 = left_edge(k) + 2.0, right_edge(k) - 2.0
            out.append(Shape(x1, y, x2 - x1, step_h - 4.0, fill=th.step.fill, stroke=th.step.stroke, radius=4))
            out.append(Text(x1 + 8.0, y + 18.0, lines, 12.0, th.step.text, "semibold", line_height=15.0))
            if time:
                out.append(Text(x1 + 8.0, y + 18.0 + 15.0 * len(lines), (time,), 11.0, _muted_on(th, th.step)))
        label = "Phases" if self.sel.summary else "Steps"
        out.append(Text(MARGIN + 10.0, y + 18.0, (label,), 12.0, th.muted, "semibold"))
        return out

    def _curve(self, top: float, col_x: list[float], left: float, right: float) -> Curve:
        values: dict[int, list[float]] = defaultdict(list)
        for a in self.sel.actions:
            if a.lane is Lane.CUSTOMER and a.emotion is not None and a.step in self.col_of:
                values[self.col_of[a.step]].append(max(-2.0, min(2.0, a.emotion)))
        mid = top + EMOTION_H / 2
        amp = EMOTION_H / 2 - 14.0
        pts = tuple(
            (round(col_x[c] + COL_W / 2, 2), round(mid - (sum(v) / len(v)) / 2 * amp, 2), round(sum(v) / len(v), 2))
            for c, v in sorted(values.items())
        )
        # The curve is drawn only between neighbouring steps that both have an emotion.
        cols = sorted(values)
        breaks = tuple(k for k in range(1, len(cols)) if cols[k] != cols[k - 1] + 1)
        x = MARGIN + LABEL_W - 16.0
        scale = tuple(
            Text(x, y + 3.5, (mark,), 10.0, _muted_on(self.th, self.th.label), anchor="end")
            for mark, y in (("+2", mid - amp), ("0", mid), ("\u22122", mid + amp))
        )
        return Curve(pts, mid, left, right, self.th.emotion, self.th.line, scale, breaks)

    # -- words ---------------------------------------------------------------------------------

    def _title(self) -> str:
        title = clean(self.bp.title)
        return title if self.sel.id == "full" else f"{title}: {clean(self.sel.name)}"

    def _subtitle(self) -> str:
        bp = self.bp
        parts = [clean(self.sel.name)]
        if bp.service:
            parts.append(clean(bp.service))
        segments = {s.id: s.name for s in bp.segments}
        if self.sel.segments:
            parts.append("segment: " + ", ".join(clean(segments.get(s, s)) for s in self.sel.segments))
        elif bp.segments:
            parts.append("segments: " + ", ".join(clean(s.name) for s in bp.segments))
        parts.append(bp.status.value)
        if bp.version:
            parts.append(f"version {clean(bp.version)}")
        if bp.date:
            parts.append(bp.date.isoformat())
        if bp.owner:
            parts.append(f"owner: {clean(bp.owner)}")
        if self.heat is not None:
            parts.append(f"{self.heat.kind} from {clean(self.heat.source)}")
        return " · ".join(parts)

    def _description(self, boxes: int, arrows: int) -> str:
        sel = self.sel
        lanes = [LANE_NAMES[Lane(r)].lower() for r in sel.rows if r in {lane.value for lane in Lane}]
        what = "phases" if sel.summary else "steps"
        text = (
            f"{clean(self.sel.name)} of {clean(self.bp.title)}: {len(sel.columns)} {what}, "
            f"{len(sel.actions)} actions in the rows {', '.join(lanes) or 'none'}, {arrows} flows."
        )
        if self.bp.description:
            text += " " + clean(self.bp.description)
        return text


def _order_facing_stubs(
    gutter: int, segs: list[tuple[route.Plan, int, float, float]], port_y: dict[int, tuple[float, float]], count: int
) -> tuple[int, set[str]]:
    """Keep stubs from the two sides of a gutter off each other; returns the gutter's track count
    and the boxes whose stubs could not be kept apart this way (two arrows that each need the
    other's track to be further right), which need room to move their ends.

    A stub from a box left of the gutter runs from the box to its track; one from a box right
    of it, from its track to the box. Where two such stubs are within a track's height of each
    other, the left one's track must lie left of the right one's, or they would overlap and
    read as one arrow. A right stub whose track is not further right moves to a new track at
    the right of the gutter, which no other arrow uses.
    """
    stubs: list[tuple[float, bool, route.Plan, int, str]] = []  # height, from the left?, arrow, segment, box
    for p, k, _, _ in segs:
        if p.shape == "channel":
            ends = [(p.src, p.src_side, port_y[p.index][0])] if k == 0 else [(p.dst, p.dst_side, port_y[p.index][1])]
        else:
            ends = [(p.src, p.src_side, port_y[p.index][0]), (p.dst, p.dst_side, port_y[p.index][1])]
        for slot, _side, y in ends:
            stubs.append((y, slot.col < gutter, p, k, slot.id))  # the box is left of the gutter, or right
    stubs.sort(key=lambda t: t[0])

    def clashes() -> Iterator[tuple[route.Plan, int, str, str]]:
        for i, (y, left, p, k, box) in enumerate(stubs):
            for y2, left2, p2, k2, box2 in stubs[i + 1 :]:
                if y2 - y >= route.TRACK:
                    break
                if left == left2 or p2 is p:
                    continue
                (lp, lk), (rp, rk) = ((p, k), (p2, k2)) if left else ((p2, k2), (p, k))
                if lp.tracks[lk] >= rp.tracks[rk]:
                    yield rp, rk, box, box2

    for _ in range(len(segs) + 1):
        clash = next(clashes(), None)
        if clash is None:
            return count, set()
        clash[0].tracks[clash[1]] = count
        count += 1
    return count, {box for _, _, a, b in clashes() for box in (a, b)}


def _side_ports(flows: list[Flow], boxes: dict[str, _Planned]) -> dict[str, int]:
    """The most arrows that can meet one side of each box (arrows between columns meet the sides
    facing each other; arrows within a column are counted on the right, where brackets run)."""
    count: dict[tuple[str, str], int] = defaultdict(int)
    for f in flows:
        src, dst = boxes[f.source], boxes[f.target]
        if src.col == dst.col:
            count[src.id, "R"] += 1
            count[dst.id, "R"] += 1
        else:
            forward = dst.col > src.col
            count[src.id, "R" if forward else "L"] += 1
            count[dst.id, "L" if forward else "R"] += 1
    most: dict[str, int] = {}
    for (box, _), n in count.items():
        most[box] = max(most.get(box, 0), n)
    return most


def _part_facing_ports(plans: list[route.Plan], row_top: list[float]) -> None:
    """Move ports apart where two boxes face each other across a gutter at nearly the same height.

    A stub leaving the right side of a box and one entering the left side of the box across
    the gutter would otherwise lie on one line and read as a single arrow between other boxes.
    """
    facing: dict[int, list[tuple[float, str, route.Plan, bool]]] = defaultdict(list)
    same_side: dict[tuple[str, str], list[float]] = defaultdict(list)
    for p in plans:
        for is_src, slot, side in ((True, p.src, p.src_side), (False, p.dst, p.dst_side)):
            same_side[slot.id, side].append(p.src_y if is_src else p.dst_y)
    for p in plans:
        for is_src, slot, side in ((True, p.src, p.src_side), (False, p.dst, p.dst_side)):
            if side not in ("L", "R"):
                continue
            gutter = slot.col + 1 if side == "R" else slot.col
            y = row_top[slot.row] + slot.top + (p.src_y if is_src else p.dst_y)
            facing[gutter].append((y, side, p, is_src))
    for ports in facing.values():
        ports.sort(key=lambda t: (t[0], t[1], t[2].index))
        for k in range(1, len(ports)):
            y0, side0, p0, src0 = ports[k - 1]
            y, side, p, src = ports[k]
            if side == side0 or y - y0 >= route.TRACK:
                continue
            # Move the lower port down, or else the upper one up, wherever its box has room and
            # no other arrow on that side comes within a track.
            for at, (q, is_src, here, there) in ((k, (p, src, y, y0)), (k - 1, (p0, src0, y0, y))):
                moved = _move_port(q, is_src, here, there, same_side)
                if moved is not None:
                    ports[at] = (moved, *ports[at][1:])
                    break


def _move_port(
    p: route.Plan, is_src: bool, here: float, there: float, same_side: dict[tuple[str, str], list[float]]
) -> float | None:
    """Move one end of ``p`` (now at ``here``) a track away from ``there``; its new height, or None."""
    slot, side = (p.src, p.src_side) if is_src else (p.dst, p.dst_side)
    old = p.src_y if is_src else p.dst_y
    neighbours = same_side[slot.id, side]
    for target in (there + route.TRACK, there - route.TRACK) if here >= there else (there - route.TRACK,):
        offset = old + target - here
        if not 3.0 <= offset <= slot.height - 3.0:
            continue
        if any(o != old and abs(o - offset) < route.TRACK for o in neighbours):
            continue
        neighbours[neighbours.index(old)] = offset
        if is_src:
            p.src_y = offset
        else:
            p.dst_y = offset
        return target
    return None


def _spread(mid: float, lo: float, hi: float, step: float, most: int = 16) -> Iterator[float]:
    """``mid``, then points on either side of it ``step`` apart within [lo, hi]: ``most`` a side."""
    yield mid
    k = 1
    while (mid - k * step >= lo or mid + k * step <= hi) and k <= most:
        if mid + k * step <= hi:
            yield mid + k * step
        if mid - k * step >= lo:
            yield mid - k * step
        k += 1


def _flow_text(flow: Flow) -> str:
    """A flow's label with its odds (``70%``), as drawn beside it."""
    text = flow.label or ""
    if flow.probability is not None:
        pct = f"{flow.probability * 100:.0f}%"
        text = f"{text} {pct}".strip() if pct not in text else text
    return text


def _weight(kind: str, probability: float | None) -> float:
    """Line width: handoffs heavier; with odds, likely branches heavier than rare ones."""
    base = 1.9 if kind == "handoff" else 1.25
    if probability is None:
        return base
    return round(base * (0.7 + 1.1 * max(0.0, min(1.0, probability))), 2)


def _mark_rows(marks: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The marks (icon and short text) in rows that fit inside a box."""
    room = COL_W - 2 * BOX_PAD_X
    rows: list[list[tuple[str, str]]] = []
    used = room + 1.0
    for kind, words in marks:
        short = fit(words, 60.0, 10.0)
        width = 13.0 + _text_w(short, 10.0)
        if used + width > room:
            rows.append([])
            used = -8.0
        rows[-1].append((kind, short))
        used += width + 8.0
    return rows


def _apply_style(paint: Paint, style: Style, colours: bool) -> tuple[Paint, float, bool | None, bool | None]:
    """The paint of a box with a tag style; without ``colours`` only its weight and dashes apply."""
    if not colours:
        return paint, 2.2 if style.bold else 1.0, style.dashed, style.bold
    fill = style.fill if style.fill and _COLOUR.match(style.fill) else paint.fill
    stroke = style.stroke if style.stroke and _COLOUR.match(style.stroke) else paint.stroke
    text = style.text if style.text and _COLOUR.match(style.text) else paint.text
    text = readable_text(_long_hex(fill), _long_hex(text))
    return Paint(_long_hex(fill), _long_hex(stroke), text), 2.2 if style.bold else 1.0, style.dashed, style.bold


def _long_hex(colour: str) -> str:
    value = colour.lstrip("#").lower()
    return "#" + ("".join(c * 2 for c in value) if len(value) == 3 else value)


def _muted_on(th: Theme, paint: Paint) -> str:
    return readable_text(paint.fill, th.muted)


def _text_w(text: str, size: float) -> float:
    return face().width(text, size)


def _simplify(pts: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Drop repeated points and points in the middle of a straight run."""
    out = [pts[0]]
    for p in pts[1:]:
        last = out[-1]
        if abs(last[0] - p[0]) < 0.01 and abs(last[1] - p[1]) < 0.01:
            continue
        if len(out) >= 2:
            before = out[-2]
            if (before[0] == last[0] == p[0]) or (before[1] == last[1] == p[1]):
                out[-1] = p
                continue
        out.append(p)
    return out
