"""The scene: everything a drawing contains, in absolute coordinates, with colours resolved.

Layout builds a scene from a blueprint and a view; renderers only draw it. Scenes are immutable
and hold no reference to the blueprint, so one scene can be drawn to several formats.
Coordinates are SVG user units (CSS pixels); y grows downwards.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "Arrow",
    "Badge",
    "Band",
    "Box",
    "Curve",
    "Icon",
    "Rule",
    "Scene",
    "Shape",
    "Text",
]

Point = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Text:
    """One or more lines of text; ``y`` is the baseline of the first line."""

    x: float
    y: float
    lines: tuple[str, ...]
    size: float
    fill: str
    weight: str = "regular"  # or "semibold"
    anchor: str = "start"  # start, middle or end
    line_height: float = 0.0


@dataclass(frozen=True, slots=True)
class Shape:
    """A rectangle (rounded by ``radius``), a path ``d`` drawn from (x, y), or an evidence sheet.

    ``kind`` is ``rect``, ``path`` or ``evidence`` (the document shape of physical evidence).
    """

    x: float = 0.0
    y: float = 0.0
    width: float = 0.0
    height: float = 0.0
    fill: str = "none"
    stroke: str = "none"
    stroke_width: float = 1.0
    radius: float = 0.0
    dash: str | None = None
    d: str | None = None  # path data, relative to (x, y), for kind ``path``
    kind: str = "rect"
    marker: str | None = None  # an arrow-head marker id at the path's end (legend samples)
    marker_start: str | None = None


@dataclass(frozen=True, slots=True)
class Icon:
    """A small symbol: ``fail``, ``wait``, ``pain``, ``kpi`` or ``crossing``, centred at (x, y)."""

    kind: str
    x: float
    y: float
    size: float
    colour: str


@dataclass(frozen=True, slots=True)
class Band:
    """A row of the blueprint: a lane, an extra row or the emotion curve, with its label."""

    id: str
    name: str
    x: float
    y: float
    width: float
    height: float
    fill: str
    label: Text
    label_fill: str
    label_stroke: str
    label_width: float


@dataclass(frozen=True, slots=True)
class Rule:
    """A line across the blueprint: interaction, visibility, internal interaction or an optional one."""

    kind: str
    above: str  # the row directly above it
    y: float
    x1: float
    x2: float
    colour: str
    width: float
    dash: str | None
    label: Text


@dataclass(frozen=True, slots=True)
class Box:
    """An action (or a note in an extra row) drawn as a box in its cell."""

    id: str
    kind: str  # action, evidence, note (in an extra row) or more (the "+N more" of a summary cell)
    lane: str
    step: str
    role: str | None
    segments: tuple[str, ...]
    x: float
    y: float
    width: float
    height: float
    fill: str
    stroke: str
    stroke_width: float
    dash: str | None
    label: Text
    meta: Text | None
    icons: tuple[Icon, ...]
    notes: tuple[Text, ...]  # small texts beside icons
    tooltip: str  # the full text, for hover and screen readers
    dim: bool = False
    highlight: bool = False
    #: The colour of the heat bar on its left edge, when measured figures are laid over.
    heat: str | None = None


@dataclass(frozen=True, slots=True)
class Arrow:
    """A flow drawn as an orthogonal polyline from source to target."""

    source: str
    target: str
    kind: str  # dependency, codependency, information or handoff
    points: tuple[Point, ...]
    colour: str
    width: float
    dash: str | None
    head_start: bool
    head_end: bool
    crossings: tuple[Icon, ...]
    label: Text | None
    tooltip: str = ""
    dim: bool = False
    #: The plate behind the label (x1, y1, x2, y2), in the background colour, so it stays readable.
    plate: tuple[float, float, float, float] | None = None
    #: When the label found no room, its number in the legend's flow notes (the label is the number).
    note: int | None = None


@dataclass(frozen=True, slots=True)
class Curve:
    """The customer's emotion across the columns, with its zero line."""

    points: tuple[tuple[float, float, float], ...]  # x, y, emotion
    zero: float  # y of neutral
    x1: float
    x2: float
    colours: tuple[str, str, str]
    stroke: str
    scale: tuple[Text, ...] = ()  # +2, 0 and -2 beside the row label
    #: Indexes of points not joined to the one before (a step with no customer emotion between).
    breaks: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class Badge:
    """A numbered disc on a box or step: how many analysis findings it has, coloured by the worst."""

    target: str  # the action id, or ``step:ID``
    x: float
    y: float
    count: int
    severity: str
    fill: str
    tooltip: str


@dataclass(frozen=True, slots=True)
class Scene:
    """A finished drawing."""

    width: float
    height: float
    title: str
    subtitle: str
    description: str
    background: str
    font_stack: str
    header: tuple[Shape | Text, ...]
    bands: tuple[Band, ...]
    rules: tuple[Rule, ...]
    arrows: tuple[Arrow, ...]
    boxes: tuple[Box, ...]
    curve: Curve | None
    legend: tuple[Shape | Text | Icon, ...]
    #: Arrow-head colours used, so the renderer defines one marker per colour.
    marker_colours: tuple[str, ...]
    dim_opacity: float
    highlight_colour: str
    badges: tuple[Badge, ...] = ()
