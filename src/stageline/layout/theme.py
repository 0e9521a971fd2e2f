"""Themes: the colours a blueprint is drawn in, chosen so that all text meets WCAG AA contrast.

``default`` is for screens and slides, ``high-contrast`` for projectors and low vision, and
``print`` for greyscale printers: its lanes differ in lightness, not in hue alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from stageline.errors import Problem, RenderError, did_you_mean

__all__ = ["THEMES", "Paint", "Theme", "contrast", "get_theme", "readable_text", "theme"]


@dataclass(frozen=True, slots=True)
class Paint:
    """How one kind of box is drawn."""

    fill: str
    stroke: str
    text: str


@dataclass(frozen=True, slots=True)
class Theme:
    """Every colour and line weight a drawing uses."""

    name: str
    background: str
    ink: str  # main text
    muted: str  # secondary text on the background and on boxes
    title: str
    phase: Paint  # the phase header band
    step: Paint  # the step header cells
    label: Paint  # the row labels at the left
    bands: dict[str, str]  # row background by lane id ("row" for extra rows, "emotion")
    boxes: dict[str, Paint]  # box paint by lane id ("row" for notes in extra rows)
    line: str  # the lines of interaction, visibility and internal interaction
    flows: dict[str, str]  # arrow colour by flow kind
    crossing: str  # the marker where an arrow crosses a line
    icons: dict[str, str]  # fail, wait, mwait (measured), pain, kpi, heat
    emotion: tuple[str, str, str]  # negative, neutral, positive
    highlight: str
    #: Badge colours for analysis findings by severity (white text on them).
    findings: tuple[tuple[str, str], ...] = (("error", "#c92a2a"), ("warning", "#b45309"), ("info", "#1864ab"))
    box_stroke_width: float = 1.0
    dim_opacity: float = 0.28
    #: Whether tag styles' colours apply (the print theme keeps only their dashes and weight).
    tag_colours: bool = True


def theme(name: str) -> Callable[[Callable[[], Theme]], Callable[[], Theme]]:
    """Register a theme under ``name``."""

    def register(build: Callable[[], Theme]) -> Callable[[], Theme]:
        THEMES[name] = build
        return build

    return register


THEMES: dict[str, Callable[[], Theme]] = {}


def get_theme(name: str) -> Theme:
    """The theme called ``name``; an unknown name is a located-free user error with a suggestion."""
    build = THEMES.get(name)
    if build is None:
        raise RenderError(
            Problem(
                code="render.theme",
                message=f"unknown theme `{name}`; expected one of {', '.join(sorted(THEMES))}",
                hint=did_you_mean(name, THEMES),
            )
        )
    return build()


@theme("default")
def _default() -> Theme:
    ink = "#1f2933"
    return Theme(
        name="default",
        background="#ffffff",
        ink=ink,
        muted="#4b5866",
        title="#102a43",
        phase=Paint("#243b53", "#243b53", "#ffffff"),
        step=Paint("#eef2f6", "#d9e2ec", ink),
        label=Paint("#f5f7fa", "#d9e2ec", "#243b53"),
        bands={
            "evidence": "#fbfaf6",
            "customer": "#f5f9fd",
            "frontstage": "#f4fbf7",
            "backstage": "#fefaf2",
            "support": "#f9f7fd",
            "row": "#fafafa",
            "emotion": "#fcfcfd",
        },
        boxes={
            "evidence": Paint("#f3eee2", "#9c8a66", ink),
            "customer": Paint("#dcebf9", "#3a78b5", ink),
            "frontstage": Paint("#dcf2e5", "#2b8a57", ink),
            "backstage": Paint("#fcebcd", "#c27c0e", ink),
            "support": Paint("#ebe4f6", "#7551a8", ink),
            "row": Paint("#fff8db", "#cdb458", ink),
        },
        line="#334e68",
        flows={
            "dependency": "#486581",
            "codependency": "#486581",
            "information": "#7b8794",
            "handoff": "#c2410c",
        },
        crossing="#334e68",
        icons={
            "fail": "#c92a2a",
            "wait": "#b45309",
            "mwait": "#b45309",
            "pain": "#862e9c",
            "kpi": "#1864ab",
            "heat": "#868e96",
        },
        emotion=("#c92a2a", "#7b8794", "#2b8a3e"),
        highlight="#c2255c",
    )


@theme("high-contrast")
def _high_contrast() -> Theme:
    black, white = "#000000", "#ffffff"
    plain = Paint(white, black, black)
    return Theme(
        name="high-contrast",
        background=white,
        ink=black,
        muted="#1a1a1a",
        title=black,
        phase=Paint(black, black, white),
        step=Paint(white, black, black),
        label=Paint(white, black, black),
        bands={k: white for k in ("evidence", "customer", "frontstage", "backstage", "support", "row", "emotion")},
        boxes={
            "evidence": Paint("#fff3c4", black, black),
            "customer": Paint("#cfe6ff", black, black),
            "frontstage": Paint("#c9f2d5", black, black),
            "backstage": Paint("#ffe0b8", black, black),
            "support": Paint("#e6d9ff", black, black),
            "row": plain,
        },
        line=black,
        flows={"dependency": black, "codependency": black, "information": "#303030", "handoff": "#a30000"},
        crossing=black,
        icons={
            "fail": "#a30000",
            "wait": "#7a3d00",
            "mwait": "#7a3d00",
            "pain": "#5c0f73",
            "kpi": "#003d80",
            "heat": "#495057",
        },
        emotion=("#a30000", "#303030", "#005c1a"),
        highlight="#0033cc",
        findings=(("error", "#a30000"), ("warning", "#7a3d00"), ("info", "#003d80")),
        box_stroke_width=2.0,
        dim_opacity=0.2,
    )


@theme("print")
def _print() -> Theme:
    black = "#000000"
    return Theme(
        name="print",
        background="#ffffff",
        ink=black,
        muted="#333333",
        title=black,
        phase=Paint("#333333", "#333333", "#ffffff"),
        step=Paint("#eeeeee", "#999999", black),
        label=Paint("#f4f4f4", "#999999", black),
        bands={k: "#ffffff" for k in ("evidence", "customer", "frontstage", "backstage", "support", "row", "emotion")},
        # Lightness steps that survive a greyscale printer; the row labels name each lane.
        boxes={
            "evidence": Paint("#ffffff", "#555555", black),
            "customer": Paint("#e6e6e6", black, black),
            "frontstage": Paint("#f2f2f2", black, black),
            "backstage": Paint("#d9d9d9", black, black),
            "support": Paint("#cccccc", black, black),
            "row": Paint("#ffffff", "#777777", black),
        },
        line=black,
        flows={"dependency": "#222222", "codependency": "#222222", "information": "#555555", "handoff": black},
        crossing=black,
        icons={"fail": black, "wait": black, "mwait": black, "pain": black, "kpi": black, "heat": black},
        emotion=("#000000", "#555555", "#000000"),
        highlight=black,
        findings=(("error", black), ("warning", "#333333"), ("info", "#555555")),
        box_stroke_width=1.2,
        dim_opacity=0.3,
        tag_colours=False,
    )


def _luminance(colour: str) -> float:
    value = colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    channels = [int(value[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    """The WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@cache
def readable_text(fill: str, preferred: str) -> str:
    """``preferred`` when it meets AA (4.5:1) on ``fill``, else black or white, whichever is clearer."""
    if contrast(preferred, fill) >= 4.5:
        return preferred
    return "#000000" if contrast("#000000", fill) >= contrast("#ffffff", fill) else "#ffffff"
