"""A scene drawn as SVG: plain string building, deterministic, accessible and safe.

The same scene always gives the same bytes. The drawing carries a ``<title>`` and ``<desc>``,
every action a ``<title>`` with its full text, and text stays text. All user text is escaped
and stripped of characters XML cannot carry, so no label can add an element or an attribute.

The structure is stable, for the interactive HTML page and for anyone styling the SVG::

    svg.stageline
      g.sl-header                  title block, phases, steps
      g.sl-row[data-row]           one per lane or extra row (``sl:emotion`` for the emotion curve)
      g.sl-line[data-line]         the lines between lanes
      g.sl-flows > g.sl-flow[data-source][data-target][data-kind]
      g.sl-actions > g.sl-action[data-id][data-lane][data-step][data-role]   (g.sl-note in rows)
      g.sl-legend
"""

from __future__ import annotations

import re
from functools import lru_cache

from stageline.layout.scene import Arrow, Badge, Band, Box, Curve, Icon, Rule, Scene, Shape, Text
from stageline.memory import paused_gc
from stageline.render.icons import icon_svg

__all__ = ["esc", "num", "svg"]

_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"})
_RADIUS = 4.0


@lru_cache(maxsize=8192)
def esc(text: str) -> str:
    """``text`` safe inside an element or a double-quoted attribute."""
    return _UNSAFE.sub("", text).translate(_ESCAPE)


def num(value: float) -> str:
    """A coordinate to seven significant figures (two decimals up to 99,999), without trailing zeros."""
    return f"{value:.7g}"


def svg(scene: Scene) -> str:
    """The SVG document for ``scene``."""
    with paused_gc():
        return _svg(scene)


def _svg(scene: Scene) -> str:
    markers = {colour: k for k, colour in enumerate(scene.marker_colours)}
    w, h = num(scene.width), num(scene.height)
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{w}" height="{h}" viewBox="0 0 {w} {h}" class="stageline" role="img" '
        f'aria-labelledby="sl-title sl-desc" font-family="{esc(scene.font_stack)}">',
        f'<title id="sl-title">{esc(scene.title)}</title>',
        f'<desc id="sl-desc">{esc(scene.description)}</desc>',
        "<defs>",
        *_markers(markers),
        "</defs>",
        f'<rect class="sl-background" width="{w}" height="{h}" fill="{esc(scene.background)}"/>',
        '<g class="sl-header">',
    ]
    out += [_part(p, markers) for p in scene.header]
    out.append("</g>")
    out += [_band(b) for b in scene.bands]
    if scene.curve is not None:
        out.append(_curve(scene.curve))
    out += [_rule(r) for r in scene.rules]
    out.append('<g class="sl-flows">')
    out += [_arrow(a, markers, scene.dim_opacity, scene.background) for a in scene.arrows]
    out.append('</g>\n<g class="sl-actions">')
    out += [_box(b, scene) for b in scene.boxes]
    out.append("</g>")
    if scene.badges:
        out.append('<g class="sl-badges">')
        out += [_badge(b) for b in scene.badges]
        out.append("</g>")
    out.append('<g class="sl-legend">')
    out += [_part(p, markers) for p in scene.legend]
    out.append("</g>\n</svg>\n")
    return "\n".join(out)


def _markers(markers: dict[str, int]) -> list[str]:
    out = []
    for colour, k in markers.items():
        c = esc(colour)
        out.append(
            f'<marker id="sl-head-{k}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" '
            f'markerUnits="userSpaceOnUse" orient="auto"><path d="M0 0.8L10 5L0 9.2Z" fill="{c}"/></marker>'
        )
        out.append(
            f'<marker id="sl-tail-{k}" viewBox="0 0 10 10" refX="1" refY="5" markerWidth="8" markerHeight="8" '
            f'markerUnits="userSpaceOnUse" orient="auto"><path d="M10 0.8L0 5L10 9.2Z" fill="{c}"/></marker>'
        )
    return out


def _text(t: Text, extra: str = "") -> str:
    attrs = f'font-size="{num(t.size)}" fill="{esc(t.fill)}"'
    if t.weight == "semibold":
        attrs += ' font-weight="600"'
    if t.anchor != "start":
        attrs += f' text-anchor="{esc(t.anchor)}"'
    x = num(t.x)
    if len(t.lines) == 1:
        return f'<text x="{x}" y="{num(t.y)}" {attrs}{extra}>{esc(t.lines[0])}</text>'
    spans = "".join(
        f'<tspan x="{x}" y="{num(t.y + k * t.line_height)}">{esc(line)}</tspan>' for k, line in enumerate(t.lines)
    )
    return f"<text {attrs}{extra}>{spans}</text>"


def _part(p: Shape | Text | Icon, markers: dict[str, int]) -> str:
    if isinstance(p, Text):
        return _text(p)
    if isinstance(p, Icon):
        return icon_svg(p, esc(p.colour), num)
    return _shape(p, markers)


def _stroke(stroke: str, width: float, dash: str | None) -> str:
    attrs = f'stroke="{esc(stroke)}"'
    if stroke != "none":
        attrs += f' stroke-width="{num(width)}"'
    if dash:
        attrs += f' stroke-dasharray="{esc(dash)}"'
    return attrs


def _shape(s: Shape, markers: dict[str, int]) -> str:
    paint = f'fill="{esc(s.fill)}" {_stroke(s.stroke, s.stroke_width, s.dash)}'
    if s.kind == "path":
        heads = ""
        if s.marker is not None and s.marker in markers:
            heads += f' marker-end="url(#sl-head-{markers[s.marker]})"'
        if s.marker_start is not None and s.marker_start in markers:
            heads += f' marker-start="url(#sl-tail-{markers[s.marker_start]})"'
        return f'<path transform="translate({num(s.x)} {num(s.y)})" d="{esc(s.d or "")}" {paint}{heads}/>'
    if s.kind == "evidence":
        return f'<path d="{_sheet(s.x, s.y, s.width, s.height)}" {paint}/>'
    radius = f' rx="{num(s.radius)}"' if s.radius else ""
    return f'<rect x="{num(s.x)}" y="{num(s.y)}" width="{num(s.width)}" height="{num(s.height)}"{radius} {paint}/>'


def _sheet(x: float, y: float, w: float, h: float) -> str:
    """A sheet of paper with its top-right corner folded: the shape of physical evidence."""
    fold = min(12.0, w / 3, h / 3)
    return (
        f"M{num(x)} {num(y)}H{num(x + w - fold)}L{num(x + w)} {num(y + fold)}V{num(y + h)}H{num(x)}Z"
        f"M{num(x + w - fold)} {num(y)}V{num(y + fold)}H{num(x + w)}"
    )


def _band(b: Band) -> str:
    return (
        f'<g class="sl-row" data-row="{esc(b.id)}">'
        f'<rect x="{num(b.x)}" y="{num(b.y)}" width="{num(b.width)}" height="{num(b.height)}" fill="{esc(b.fill)}"/>'
        f'<rect x="{num(b.label.x - 10)}" y="{num(b.y)}" width="{num(b.label_width)}" height="{num(b.height)}" '
        f'rx="4" fill="{esc(b.label_fill)}" stroke="{esc(b.label_stroke)}"/>'
        f"{_text(b.label)}</g>"
    )


def _rule(r: Rule) -> str:
    return (
        f'<g class="sl-line" data-line="{esc(r.kind)}" data-above="{esc(r.above)}">'
        f'<line x1="{num(r.x1)}" y1="{num(r.y)}" x2="{num(r.x2)}" y2="{num(r.y)}" '
        f"{_stroke(r.colour, r.width, r.dash)}/>{_text(r.label)}</g>"
    )


def _curve(c: Curve) -> str:
    neg, neutral, pos = (esc(x) for x in c.colours)
    out = [
        '<g class="sl-curve">',
        f'<line x1="{num(c.x1)}" y1="{num(c.zero)}" x2="{num(c.x2)}" y2="{num(c.zero)}" stroke="{neutral}" '
        'stroke-width="1" stroke-dasharray="3 4"/>',
    ]
    if len(c.points) > 1:
        d = "".join(
            ("M" if k == 0 or k in c.breaks else "L") + f"{num(x)} {num(y)}" for k, (x, y, _) in enumerate(c.points)
        )
        out.append(f'<path d="{d}" fill="none" stroke="{esc(c.stroke)}" stroke-width="2" stroke-linejoin="round"/>')
    for x, y, value in c.points:
        colour = pos if value > 0 else neg if value < 0 else neutral
        out.append(
            f'<circle cx="{num(x)}" cy="{num(y)}" r="5" fill="{colour}" stroke="#ffffff" stroke-width="1.5">'
            f"<title>emotion {value:+g}</title></circle>"
        )
    out += [_text(t) for t in c.scale]
    out.append("</g>")
    return "".join(out)


def _path(points: tuple[tuple[float, float], ...]) -> str:
    """An orthogonal polyline with its corners slightly rounded."""
    if len(points) < 3:
        return "M" + "L".join(f"{num(x)} {num(y)}" for x, y in points)
    parts = [f"M{num(points[0][0])} {num(points[0][1])}"]
    for (ax, ay), (bx, by), (cx, cy) in zip(points, points[1:], points[2:], strict=False):
        r = min(_RADIUS, abs(bx - ax + by - ay) / 2, abs(cx - bx + cy - by) / 2)
        inx = bx - r * _sign(bx - ax)
        iny = by - r * _sign(by - ay)
        outx = bx + r * _sign(cx - bx)
        outy = by + r * _sign(cy - by)
        parts.append(f"L{num(inx)} {num(iny)}Q{num(bx)} {num(by)} {num(outx)} {num(outy)}")
    parts.append(f"L{num(points[-1][0])} {num(points[-1][1])}")
    return "".join(parts)


def _sign(v: float) -> float:
    return (v > 0) - (v < 0)


def _arrow(a: Arrow, markers: dict[str, int], dim_opacity: float, background: str) -> str:
    k = markers[a.colour]
    heads = f' marker-end="url(#sl-head-{k})"' if a.head_end else ""
    if a.head_start:
        heads += f' marker-start="url(#sl-tail-{k})"'
    opacity = f' opacity="{num(dim_opacity)}"' if a.dim else ""
    out = [
        f'<g class="sl-flow{" sl-dim" if a.dim else ""}" data-source="{esc(a.source)}" data-target="{esc(a.target)}" '
        f'data-kind="{esc(a.kind)}"{opacity}><title>{esc(a.tooltip)}</title>'
        f'<path class="sl-flow-path" d="{_path(a.points)}" fill="none" {_stroke(a.colour, a.width, a.dash)}'
        f' stroke-linejoin="round"{heads}/>'
    ]
    out += [icon_svg(c, esc(c.colour), num) for c in a.crossings]
    if a.plate is not None:
        x1, y1, x2, y2 = a.plate
        out.append(
            f'<rect x="{num(x1)}" y="{num(y1)}" width="{num(x2 - x1)}" height="{num(y2 - y1)}" rx="2" '
            f'fill="{esc(background)}" opacity="0.9"'
            + (f' stroke="{esc(a.colour)}" stroke-width="1"' if a.note is not None else "")
            + "/>"
        )
    if a.label is not None:
        out.append(_text(a.label))
    out.append("</g>")
    return "".join(out)


def _badge(b: Badge) -> str:
    size = 10.0 if b.count < 10 else 9.0
    text = str(b.count) if b.count < 100 else "99+"
    return (
        f'<g class="sl-badge" data-target="{esc(b.target)}" data-severity="{esc(b.severity)}">'
        f"<title>{esc(b.tooltip)}</title>"
        f'<circle cx="{num(b.x)}" cy="{num(b.y)}" r="8.5" fill="{esc(b.fill)}" stroke="#ffffff" stroke-width="1.5"/>'
        f'<text x="{num(b.x)}" y="{num(b.y + 3.5)}" font-size="{num(size)}" fill="#ffffff" font-weight="600" '
        f'text-anchor="middle">{text}</text></g>'
    )


def _box(b: Box, scene: Scene) -> str:
    x, y, w, h = num(b.x), num(b.y), num(b.width), num(b.height)
    classes = "sl-note" if b.kind in ("note", "more") else "sl-action"
    if b.kind == "evidence":
        classes += " sl-evidence"
    if b.dim:
        classes += " sl-dim"
    if b.highlight:
        classes += " sl-highlight"
    if b.kind in ("note", "more"):
        attrs = f'data-row="{esc(b.lane)}" data-step="{esc(b.step)}"'
    else:
        attrs = (
            f'id="sl-a-{esc(b.id)}" data-id="{esc(b.id)}" data-lane="{esc(b.lane)}" data-step="{esc(b.step)}" '
            f'data-role="{esc(b.role or "")}"'
        )
        if b.segments:
            attrs += f' data-segments="{esc(" ".join(b.segments))}"'
    opacity = f' opacity="{num(scene.dim_opacity)}"' if b.dim else ""
    paint = f'fill="{esc(b.fill)}" {_stroke(b.stroke, b.stroke_width, b.dash)}'
    if b.kind == "evidence":
        shape = f'<path d="{_sheet(b.x, b.y, b.width, b.height)}" {paint} stroke-linejoin="round"/>'
    else:
        shape = f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="{6 if b.kind in ("action", "evidence") else 3}" {paint}/>'
    out = [f'<g class="{classes}" {attrs}{opacity}><title>{esc(b.tooltip)}</title>', shape]
    if b.highlight:
        out.append(
            f'<rect x="{num(b.x - 3)}" y="{num(b.y - 3)}" width="{num(b.width + 6)}" height="{num(b.height + 6)}" '
            f'rx="8" fill="none" stroke="{esc(scene.highlight_colour)}" stroke-width="2.5"/>'
        )
    if b.heat is not None:
        out.append(
            f'<rect class="sl-heat" x="{num(b.x + 1.5)}" y="{num(b.y + 1.5)}" width="5" '
            f'height="{num(b.height - 3)}" rx="2.5" fill="{esc(b.heat)}"/>'
        )
    out.append(_text(b.label))
    if b.meta is not None:
        out.append(_text(b.meta))
    out += [icon_svg(i, esc(i.colour), num) for i in b.icons]
    out += [_text(t) for t in b.notes]
    out.append("</g>")
    return "".join(out)
