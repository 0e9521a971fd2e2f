"""The small marks on boxes, drawn as SVG paths (emoji do not render in cairo or resvg).

Each icon is designed on a 16 x 16 grid and placed centred on its point.
"""

from __future__ import annotations

from collections.abc import Callable

from stageline.layout.scene import Icon

__all__ = ["ICONS", "icon_svg"]

ICONS: dict[str, Callable[[str], str]] = {}


def _icon(name: str) -> Callable[[Callable[[str], str]], Callable[[str], str]]:
    def register(draw: Callable[[str], str]) -> Callable[[str], str]:
        ICONS[name] = draw
        return draw

    return register


@_icon("fail")
def _fail(colour: str) -> str:
    # A warning triangle with an exclamation mark.
    return (
        f'<path d="M8 1.2L15.3 14.3H0.7Z" fill="{colour}" stroke="{colour}" stroke-width="1.2" stroke-linejoin="round"/>'
        '<path d="M7.1 5.4h1.8v4.9h-1.8zM7.1 11.4h1.8v1.7h-1.8z" fill="#ffffff"/>'
    )


@_icon("wait")
def _wait(colour: str) -> str:
    # A clock face.
    return (
        f'<circle cx="8" cy="8" r="6.6" fill="#ffffff" stroke="{colour}" stroke-width="1.8"/>'
        f'<path d="M8 4.2V8.3L10.8 10" fill="none" stroke="{colour}" stroke-width="1.6" stroke-linecap="round"/>'
    )


@_icon("mwait")
def _measured_wait(colour: str) -> str:
    # A clock face filled in: a wait measured, not assumed.
    return (
        f'<circle cx="8" cy="8" r="6.6" fill="{colour}" stroke="{colour}" stroke-width="1.8"/>'
        '<path d="M8 4.2V8.3L10.8 10" fill="none" stroke="#ffffff" stroke-width="1.6" stroke-linecap="round"/>'
    )


@_icon("heat")
def _heat(colour: str) -> str:
    # A swatch of the heat bar's colour, outlined so the lightest shade shows on white.
    return f'<rect x="2" y="2" width="12" height="12" rx="2.5" fill="{colour}" stroke="#868e96" stroke-width="1"/>'


@_icon("pain")
def _pain(colour: str) -> str:
    # A lightning bolt: a point of friction.
    return f'<path d="M9.8 0.8L2.8 9.2H7.4L5.9 15.2L13.2 6.4H8.6Z" fill="{colour}"/>'


@_icon("kpi")
def _kpi(colour: str) -> str:
    # Three rising bars: something measured.
    return f'<path d="M1.5 14.5V9.5H4.9V14.5ZM6.3 14.5V5.8H9.7V14.5ZM11.1 14.5V1.5H14.5V14.5Z" fill="{colour}"/>'


@_icon("crossing")
def _crossing(colour: str) -> str:
    # Where an arrow crosses one of the blueprint's lines.
    return f'<circle cx="8" cy="8" r="5.6" fill="#ffffff" stroke="{colour}" stroke-width="2.6"/>'


@_icon("dot")
def _dot(colour: str) -> str:
    return f'<circle cx="8" cy="8" r="6.5" fill="{colour}"/>'


def icon_svg(icon: Icon, colour: str, number: Callable[[float], str]) -> str:
    """The SVG for ``icon`` (``colour`` already escaped), scaled to its size around its centre."""
    scale = icon.size / 16.0
    x, y = icon.x - icon.size / 2, icon.y - icon.size / 2
    return (
        f'<g class="sl-icon sl-icon-{icon.kind}" transform="translate({number(x)} {number(y)}) '
        f'scale({scale:.4g})">{ICONS[icon.kind](colour)}</g>'
    )
