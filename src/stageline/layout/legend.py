"""The legend under a drawing: what each kind of arrow, mark, shape and tag style means.

Only what the drawing uses is explained, so the legend stays short.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from stageline.layout.heat import Heat, heat_colour
from stageline.layout.scene import Arrow, Box, Icon, Shape, Text
from stageline.layout.text import clean, fit
from stageline.layout.theme import Theme
from stageline.layout.typeface import face
from stageline.layout.view import Selection
from stageline.model import Blueprint

__all__ = ["legend"]

_SIZE = 11.0
_COLOUR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")
_ROW = 22.0
_SAMPLE = 30.0

_ARROWS = (
    ("dependency", "depends on (one-way)"),
    ("codependency", "depend on each other (two-way)"),
    ("information", "information passed"),
    ("handoff", "handoff of responsibility"),
)
_MARKS = (
    ("fail", "fail point (risk priority)"),
    ("wait", "wait before it starts"),
    ("mwait", "wait before it starts, measured (median)"),
    ("pain", "pain points"),
    ("kpi", "KPIs measured"),
)


def legend(
    bp: Blueprint,
    sel: Selection,
    th: Theme,
    arrows: Sequence[Arrow],
    boxes: Sequence[Box],
    x: float,
    y: float,
    width: float,
    severities: set[str] | None = None,
    notes: Sequence[tuple[int, str]] = (),
    heat: Heat | None = None,
) -> tuple[list[Shape | Text | Icon], float]:
    """Legend items placed from (x, y) in rows no wider than ``width``; returns them and the height."""
    entries: list[tuple[list[Shape | Text | Icon], str]] = []
    kinds = {a.kind for a in arrows}
    for kind, words in _ARROWS:
        if kind in kinds:
            colour = th.flows[kind]
            dash = "4 3" if kind == "information" else None
            line = Shape(
                kind="path",
                d="M0 0 H24",
                stroke=colour,
                stroke_width=1.9 if kind == "handoff" else 1.25,
                dash=dash,
                marker=colour,
                marker_start=colour if kind == "codependency" else None,
            )
            entries.append(([line], words))
    if any(a.crossings for a in arrows):
        sample: list[Shape | Text | Icon] = [
            Shape(kind="path", d="M12 -9 V9", stroke=th.flows["dependency"], stroke_width=1.25)
        ]
        sample.append(Shape(kind="path", d="M2 0 H22", stroke=th.line, stroke_width=1.6))
        sample.append(Icon("crossing", 12, 0, 7.0, th.crossing))
        entries.append((sample, "crosses a line"))
    marks = {i.kind for b in boxes for i in b.icons}
    for kind, words in _MARKS:
        if kind in marks:
            assumed = ", the blueprint's own (assumed)" if heat is not None and kind == "wait" else ""
            entries.append(([Icon(kind, 8, 0, 11.0, th.icons[kind])], words + assumed))
    if heat is not None and any(b.heat for b in boxes):
        swatches: list[Shape | Text | Icon] = [
            Shape(5.0 * k, -6, 5, 12, fill=heat_colour(k / 4), stroke="none") for k in range(5)
        ]
        swatches.append(Shape(0, -6, 25, 12, fill="none", stroke=th.muted, stroke_width=0.75, radius=1))
        light, dark = (heat.high, heat.low) if heat.reversed_scale else (heat.low, heat.high)
        entries.append(
            (
                swatches,
                f"{heat.title}, {heat.kind}: light {light} to dark {dark}; "
                "no bar: no figures, the blueprint's own are shown"
                + (
                    "; * time since the previous action, its own time included (no start times)" if heat.starred else ""
                ),
            )
        )
    if any(b.kind == "evidence" for b in boxes):
        paint = th.boxes["evidence"]
        entries.append(
            ([Shape(0, -7, 22, 14, fill=paint.fill, stroke=paint.stroke, kind="evidence")], "physical evidence")
        )
    tags = {t for a in sel.actions for t in a.tags}
    for style in bp.styles:
        if style.tag in tags:
            coloured = th.tag_colours
            fill = style.fill if style.fill and coloured and _COLOUR.match(style.fill) else th.background
            stroke = (
                style.stroke
                if style.stroke and coloured and _COLOUR.match(style.stroke)
                else th.boxes["support"].stroke
            )
            entries.append(
                (
                    [
                        Shape(
                            0,
                            -7,
                            22,
                            14,
                            fill=fill,
                            stroke=stroke,
                            stroke_width=2.2 if style.bold else 1.0,
                            radius=3,
                            dash="5 3" if style.dashed else None,
                        )
                    ],
                    f"tagged {clean(style.tag).replace('-', ' ').replace('_', ' ')}",
                )
            )
    if sel.emotion:
        neg, neutral, pos = th.emotion
        dots: list[Shape | Text | Icon] = [
            Icon("dot", 3 + 10 * k, 0, 8.0, c) for k, c in enumerate((pos, neutral, neg))
        ]
        entries.append((dots, "emotion: positive, neutral, negative"))
    if sel.highlight:
        entries.append(
            (
                [Shape(0, -7, 22, 14, fill="none", stroke=th.highlight, stroke_width=2.5, radius=3)],
                "highlighted in this view",
            )
        )
    if severities:
        colours = dict(th.findings)
        ordered = [sev for sev in ("error", "warning", "info") if sev in severities]
        discs: list[Shape | Text | Icon] = [
            Icon("dot", 5 + 12 * k, 0, 10.0, colours[sev]) for k, sev in enumerate(ordered)
        ]
        entries.append((discs, "findings from stageline check: " + ", ".join(ordered)))
    for number, words in notes:
        plate = Shape(0, -7, 14, 13, fill=th.background, stroke=th.flows["dependency"], radius=2)
        entries.append(([plate, Text(4, 3.5, (str(number),), 10.0, th.muted)], f"flow: {words}"))
    if not entries:
        return [], 0.0
    items: list[Shape | Text | Icon] = [Text(x, y + 4.0, ("Legend",), _SIZE, th.muted, "semibold")]
    cx, cy = x + 60.0, y
    for sample, meaning in entries:
        words = fit(meaning, width - 60.0 - _SAMPLE - 22.0, _SIZE)
        w = _SAMPLE + face().width(words, _SIZE) + 22.0
        if cx + w > x + width and cx > x + 60.0:
            cx, cy = x + 60.0, cy + _ROW
        for part in sample:
            items.append(_moved(part, cx, cy))
        items.append(Text(cx + _SAMPLE, cy + 4.0, (words,), _SIZE, th.ink))
        cx += w
    return items, cy - y + _ROW


def _moved(part: Shape | Text | Icon, dx: float, dy: float) -> Shape | Text | Icon:
    if isinstance(part, Icon):
        return Icon(part.kind, part.x + dx, part.y + dy, part.size, part.colour)
    if isinstance(part, Text):
        return Text(part.x + dx, part.y + dy, part.lines, part.size, part.fill, part.weight, part.anchor)
    if part.kind == "path":
        return Shape(
            dx,
            dy,
            kind="path",
            fill=part.fill,
            stroke=part.stroke,
            stroke_width=part.stroke_width,
            dash=part.dash,
            d=part.d,
            marker=part.marker,
            marker_start=part.marker_start,
        )
    return Shape(
        part.x + dx,
        part.y + dy,
        part.width,
        part.height,
        fill=part.fill,
        stroke=part.stroke,
        stroke_width=part.stroke_width,
        radius=part.radius,
        dash=part.dash,
        kind=part.kind,
    )
