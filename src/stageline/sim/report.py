"""The simulation report: one self-contained HTML page comparing a blueprint's what-if scenarios.

The page is for service designers and operations leads. It shows what was run, a table of the
scenarios side by side (the as-is first), the customer-felt wait and the cycle time of each
scenario as bars with their confidence intervals, how busy each role is, how waits are spread
out, and every action's figures per scenario.

The page needs nothing from the network and no script: its style sheet, the bundled Inter (cut
down to the characters the page uses) and its plots (SVG, built as text) are all inline. User
text is escaped. The same result always gives the same bytes.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from stageline.layout.typeface import FONT_STACK, face
from stageline.model import Blueprint
from stageline.render.html import font_face_css
from stageline.sim.run import ActionResult, Estimate, RoleResult, ScenarioResult, SimulationResult

__all__ = ["WARN_UTILISATION", "format_wait", "html_report"]

#: Utilisation above which a role is flagged: queues grow quickly beyond it.
WARN_UTILISATION = 0.85

# Colours, after the default drawing theme (stageline.layout.theme).
_INK = "#1f2933"
_MUTED = "#52606d"
_FAINT = "#7b8794"
_TITLE = "#102a43"
_GRID = "#e4e9ee"
_RULE = "#c3ccd6"
_WARN = "#c2410c"
_WARN_ZONE = "#fff4e5"
#: One colour per scenario, the as-is first (slate); none of them red or green, which mark
#: better and worse, nor orange, which marks a busy role.
_PALETTE = ("#5f6f80", "#2f6db3", "#7551a8", "#0b7c84", "#b83280", "#8a6a2f", "#3d5a99", "#5b8c2a")
_EPS = 1e-9
#: A scenario whose longest waits are this many times the next one's does not set a wait axis alone.
_OUTLIER = 4.0
# Characters HTML text should not carry: C0 controls but tab, newline and return; lone surrogates.
_UNSAFE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
#: Tick steps for time axes, in seconds.
_TIME_STEPS = (
    1, 2, 5, 10, 15, 20, 30,
    60, 120, 300, 600, 900, 1200, 1800,
    3600, 7200, 10800, 14400, 21600, 43200,
    86400, 172800, 432000, 864000,
)  # fmt: skip

_Floats = npt.NDArray[np.float64]


def html_report(result: SimulationResult, bp: Blueprint) -> str:
    """The simulation report of ``result``, simulated from ``bp``, as one self-contained HTML page."""
    return _Report(result, bp).page()


# Text --------------------------------------------------------------------------------------------


def _esc(text: object) -> str:
    """``text`` safe as HTML or SVG element content or a double-quoted attribute."""
    return html.escape(_UNSAFE_TEXT.sub("", str(text)), quote=True)


def format_wait(seconds: float) -> str:
    """A duration rounded for reading: ``4.2 s``, ``42 s``, ``4 min 10 s``, ``1 h 5 min``, ``2 d 3 h``."""
    if math.isnan(seconds):
        return "—"
    if math.isinf(seconds):
        return "∞"
    sign = "−" if seconds < 0 else ""
    s = abs(seconds)
    if s < 9.95:
        tenths = round(s * 10)
        return f"{sign}{tenths // 10} s" if tenths % 10 == 0 else f"{sign}{tenths / 10:.1f} s"
    whole = round(s)
    if whole < 60:
        return f"{sign}{whole} s"
    if whole < 3600:
        m, sec = divmod(whole, 60)
        return f"{sign}{m} min {sec} s" if sec else f"{sign}{m} min"
    minutes = round(s / 60)
    if minutes < 1440:
        h, m = divmod(minutes, 60)
        return f"{sign}{h} h {m} min" if m else f"{sign}{h} h"
    hours = round(s / 3600)
    d, h = divmod(hours, 24)
    return f"{sign}{d} d {h} h" if h else f"{sign}{d} d"


def _percent(share: float, digits: int = 1) -> str:
    if not math.isfinite(share):
        return "—"
    return f"{share * 100:.{digits}f}%"


def _count(value: float) -> str:
    return "—" if not math.isfinite(value) else f"{value:,.0f}"


def _num(value: float) -> str:
    """A coordinate for SVG: at most one decimal, no trailing zero."""
    text = f"{value:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _fits(text: str, width: float, size: float, weight: str = "regular") -> str:
    """``text``, cut short with an ellipsis to fit ``width`` pixels at ``size``."""
    measure = face(weight)
    if measure.width(text, size) <= width:
        return text
    while text and measure.width(text + "…", size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _width(text: str, size: float, weight: str = "regular") -> float:
    return face(weight).width(text, size)


def _finite(value: float) -> bool:
    return math.isfinite(value)


# Axes --------------------------------------------------------------------------------------------


def _time_axis(top: float, most: int = 5) -> tuple[float, list[float]]:
    """A time axis from 0 reaching ``top``: its end and its ticks (at most ``most`` steps)."""
    top = max(top, 1.0)
    step = float(_TIME_STEPS[-1])
    for candidate in _TIME_STEPS:
        if top / candidate <= most:
            step = float(candidate)
            break
    else:
        step = float(math.ceil(top / most / 86400) * 86400)
    end = math.ceil(top / step - 1e-9) * step
    return end, [i * step for i in range(round(end / step) + 1)]


# Comparisons ---------------------------------------------------------------------------------------


def _versus(est: Estimate, base: Estimate, higher_is_better: bool | None) -> str | None:
    """``better`` or ``worse`` when ``est`` and the as-is ``base`` have intervals that do not overlap."""
    if higher_is_better is None:
        return None
    values = (est.mean, est.half, base.mean, base.half)
    if not all(math.isfinite(v) for v in values):
        return None
    if est.low > base.high:
        return "better" if higher_is_better else "worse"
    if est.high < base.low:
        return "worse" if higher_is_better else "better"
    return None


@dataclass(frozen=True)
class _Metric:
    name: str
    hint: str
    get: Callable[[ScenarioResult], Estimate]
    show: Callable[[float], str]
    #: True: higher is better; False: lower is better; None: neither.
    higher: bool | None
    #: How the half-width is written, when not as the mean is (without the unit, say).
    half: Callable[[float], str] | None = None


def _pm(est: Estimate, show: Callable[[float], str], show_half: Callable[[float], str] | None = None) -> str:
    """``mean ± half`` as HTML, the half smaller (left out when every replication gave the same)."""
    if not math.isfinite(est.mean):
        return '<span class="na">—</span>'
    if est.half == 0:
        half = ""
    elif math.isfinite(est.half):
        half = f' <span class="pm">± {_esc((show_half or show)(est.half))}</span>'
    else:  # one replication: no interval
        half = ""
    return f"{_esc(show(est.mean))}{half}"


# SVG charts ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Bar:
    label: str
    colour: str
    est: Estimate
    value: str
    note: str = ""
    warn: bool = False
    data: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Group:
    name: str | None
    bars: tuple[_Bar, ...]
    data: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class _Line:
    """A reference line across a chart at ``at`` (in axis units)."""

    at: float
    label: str
    colour: str
    dashed: bool = False


def _data_attrs(data: Iterable[tuple[str, str]]) -> str:
    return "".join(f' data-{key}="{_esc(value)}"' for key, value in data)


def _svg_open(ident: str, width: float, height: float, title: str, desc: str, cls: str) -> str:
    return (
        f'<svg class="{cls}" xmlns="http://www.w3.org/2000/svg" role="img" width="{_num(width)}" '
        f'height="{_num(height)}" viewBox="0 0 {_num(width)} {_num(height)}" '
        f'aria-labelledby="{ident}-t {ident}-d">'
        f'<title id="{ident}-t">{_esc(title)}</title><desc id="{ident}-d">{_esc(desc)}</desc>'
    )


def _text(
    x: float,
    y: float,
    text: str,
    *,
    size: float = 12,
    fill: str = _INK,
    anchor: str = "start",
    weight: int = 400,
    cls: str = "",
    extra: str = "",
) -> str:
    klass = f' class="{cls}"' if cls else ""
    bold = f' font-weight="{weight}"' if weight != 400 else ""
    start = f' text-anchor="{anchor}"' if anchor != "start" else ""
    return (
        f'<text{klass} x="{_num(x)}" y="{_num(y)}" font-size="{_num(size)}" fill="{fill}"{bold}{start}{extra}>'
        f"{_esc(text)}</text>"
    )


def _bars_svg(
    ident: str,
    groups: Sequence[_Group],
    *,
    width: float,
    end: float,
    ticks: Sequence[float],
    tick_label: Callable[[float], str],
    title: str,
    desc: str,
    lines: Sequence[_Line] = (),
    zone: tuple[float, float] | None = None,
) -> str:
    """Horizontal bars with 95% whiskers, in groups (one row a bar), on a shared axis from 0 to ``end``."""
    label_size, value_size = 12.5, 12.5
    labels = [b.label for g in groups for b in g.bars]
    left = min(220.0, max([90.0, *(_width(t, label_size) + 18 for t in labels)]))
    right = 14 + max(
        (
            _width(b.value, value_size, "semibold") + (_width("  " + b.note, 11.5) if b.note else 0)
            for g in groups
            for b in g.bars
        ),
        default=0.0,
    )
    right = min(right, width * 0.4)
    plot_w = width - left - right
    row_h, bar_h, group_h = 26.0, 15.0, 28.0
    top = 24.0 if lines else 8.0
    y = top
    placed: list[tuple[_Group, float, list[float]]] = []
    for group in groups:
        gy = y
        if group.name is not None:
            y += group_h
        rows = []
        for _ in group.bars:
            rows.append(y)
            y += row_h
        placed.append((group, gy, rows))
        y += 6
    bottom = y + 2
    height = bottom + 26

    def x_of(value: float) -> float:
        return left + plot_w * max(0.0, min(value, end)) / end

    out = [_svg_open(ident, width, height, title, desc, "chart bars")]
    if zone is not None:
        x0, x1 = x_of(zone[0]), x_of(zone[1])
        out.append(
            f'<rect class="zone" x="{_num(x0)}" y="{_num(top)}" width="{_num(x1 - x0)}" '
            f'height="{_num(bottom - top)}" fill="{_WARN_ZONE}"/>'
        )
    for tick in ticks:
        x = x_of(tick)
        out.append(f'<line x1="{_num(x)}" y1="{_num(top)}" x2="{_num(x)}" y2="{_num(bottom)}" stroke="{_GRID}"/>')
        out.append(_text(x, bottom + 16, tick_label(tick), size=11, fill=_MUTED, anchor="middle", cls="tick"))
    out.append(
        f'<line x1="{_num(left)}" y1="{_num(bottom)}" x2="{_num(left + plot_w)}" y2="{_num(bottom)}" stroke="{_RULE}"/>'
    )
    for group, gy, rows in placed:
        out.append(f'<g class="group"{_data_attrs(group.data)}>')
        if group.name is not None:
            name = _fits(group.name, width - 16, 13, "semibold")
            out.append(_text(8, gy + 18, name, size=13, fill=_TITLE, weight=600, cls="group-name"))
        for bar, ry in zip(group.bars, rows, strict=True):
            out.append(_bar_row(bar, ry, row_h, bar_h, left, right, width, x_of, end, label_size, value_size))
        out.append("</g>")
    for line in lines:
        x = x_of(line.at)
        dash = ' stroke-dasharray="4 3"' if line.dashed else ""
        out.append(
            f'<line class="ref" x1="{_num(x)}" y1="{_num(top - 4)}" x2="{_num(x)}" y2="{_num(bottom)}" '
            f'stroke="{line.colour}" stroke-width="1.5"{dash}/>'
        )
        out.append(_text(x, top - 8, line.label, size=11, fill=line.colour, anchor="middle", weight=600, cls="ref"))
    out.append("</svg>")
    return "".join(out)


def _bar_row(
    bar: _Bar,
    ry: float,
    row_h: float,
    bar_h: float,
    left: float,
    right: float,
    width: float,
    x_of: Callable[[float], float],
    end: float,
    label_size: float,
    value_size: float,
) -> str:
    cy = ry + row_h / 2
    label = _fits(bar.label, left - 18, label_size)
    out = [f'<g class="bar"{_data_attrs(bar.data)}>']
    if label != bar.label:
        out.append(f"<title>{_esc(bar.label)}</title>")
    out.append(_text(left - 10, cy + 4.5, label, size=label_size, fill=_INK, anchor="end", cls="label"))
    est = bar.est
    if _finite(est.mean):
        fill = _WARN if bar.warn else bar.colour
        x0, x1 = x_of(0), x_of(est.mean)
        out.append(
            f'<rect x="{_num(x0)}" y="{_num(cy - bar_h / 2)}" width="{_num(max(x1 - x0, 1.5))}" '
            f'height="{_num(bar_h)}" rx="2" fill="{fill}"/>'
        )
        if _finite(est.half) and est.half > 0:
            lo, hi = x_of(est.low), x_of(est.high)
            cap = 4.5
            out.append(
                f'<path class="whisker" d="M{_num(lo)} {_num(cy)}H{_num(hi)}'
                f"M{_num(lo)} {_num(cy - cap)}V{_num(cy + cap)}"
                f'M{_num(hi)} {_num(cy - cap)}V{_num(cy + cap)}" stroke="{_INK}" stroke-width="1.4" fill="none"/>'
            )
            if est.high > end:
                out.append(
                    f'<path d="M{_num(hi)} {_num(cy - 4)}l5 4l-5 4z" fill="{_INK}"><title>interval goes on</title></path>'
                )
    vx = width - right + 10
    colour = _WARN if bar.warn else _INK
    out.append(
        f'<text class="value" x="{_num(vx)}" y="{_num(cy + 4.5)}" font-size="{_num(value_size)}" '
        f'fill="{colour}" font-weight="600">{_esc(bar.value)}</text>'
    )
    if bar.note:
        nx = vx + _width(bar.value, value_size, "semibold") + 6
        out.append(_text(nx, cy + 4.5, bar.note, size=11.5, fill=_MUTED, cls="note"))
    out.append("</g>")
    return "".join(out)


@dataclass(frozen=True)
class _Spread:
    """One scenario's waits for one histogram row."""

    label: str
    colour: str
    waits: _Floats
    mean: float


def _histogram_svg(ident: str, rows: Sequence[_Spread], *, width: float, title: str, desc: str) -> str:
    """Stacked small histograms on one time axis, one row a scenario: the spread of the waits of those who
    waited, each row scaled to its tallest bar; the dark line marks the mean wait (everyone counted).
    Waits beyond the axis are counted in the last bar, and its tick says so with a "+".
    """
    positive = [r.waits[r.waits > _EPS] for r in rows]
    tops = sorted((float(np.quantile(p, 0.99)) for p in positive if len(p)), reverse=True)
    top = tops[0] if tops else 1.0
    if len(tops) > 1 and tops[1] > 0 and tops[0] > _OUTLIER * tops[1]:
        # One scenario's waits dwarf the others': the axis fits the others, its long waits pile up at the end.
        top = tops[1]
    end, ticks = _time_axis(top)
    bins = 28
    edges = np.linspace(0.0, end, bins + 1)
    counts = []
    overflow = False
    for r, p in zip(rows, positive, strict=True):
        if len(p) and float(p.max()) > end:
            overflow = True
        clipped = np.minimum(p, end)
        hist, _ = np.histogram(clipped, bins=edges)
        counts.append(hist / len(r.waits) if len(r.waits) else hist.astype(float))
    subs = []
    for r, p in zip(rows, positive, strict=True):
        if not len(r.waits):
            subs.append("nobody reached it")
        elif not len(p):
            subs.append("nobody waited")
        else:
            subs.append(f"{_percent(len(p) / len(r.waits), 0)} waited · mean {format_wait(r.mean)}")
    left = min(
        250.0,
        max(
            [
                120.0,
                *(_width(r.label, 12.5, "semibold") + 22 for r in rows),
                *(_width(s, 11) + 22 for s in subs),
            ]
        ),
    )
    right = 18.0
    plot_w = width - left - right
    row_h, bar_max = 50.0, 38.0
    top = 8.0
    height = top + row_h * len(rows) + 30

    def x_of(value: float) -> float:
        return left + plot_w * max(0.0, min(value, end)) / end

    out = [_svg_open(ident, width, height, title, desc, "chart spread")]
    bottom = top + row_h * len(rows)
    for tick in ticks:
        x = x_of(tick)
        out.append(f'<line x1="{_num(x)}" y1="{_num(top)}" x2="{_num(x)}" y2="{_num(bottom)}" stroke="{_GRID}"/>')
        label = format_wait(tick) if tick < end or not overflow else f"{format_wait(tick)}+"
        out.append(_text(x, bottom + 16, label, size=11, fill=_MUTED, anchor="middle", cls="tick"))
    step = plot_w / bins
    for i, (r, hist, sub) in enumerate(zip(rows, counts, subs, strict=True)):
        base = top + row_h * (i + 1) - 6
        out.append(f'<g class="row" data-scenario="{_esc(r.label)}">')
        out.append(_text(10, base - 22, _fits(r.label, left - 22, 12.5, "semibold"), size=12.5, fill=_INK, weight=600))
        out.append(_text(10, base - 6, _fits(sub, left - 22, 11), size=11, fill=_MUTED, cls="note"))
        path = []
        peak = float(hist.max()) if len(hist) else 0.0
        for k, share in enumerate(hist):
            if share <= 0:
                continue
            h = max(1.0, bar_max * float(share) / peak)
            x = left + k * step
            path.append(f"M{_num(x + 0.5)} {_num(base)}v{_num(-h)}h{_num(step - 1)}v{_num(h)}z")
        if path:
            out.append(f'<path d="{"".join(path)}" fill="{r.colour}" fill-opacity="0.85"/>')
        out.append(
            f'<line x1="{_num(left)}" y1="{_num(base)}" x2="{_num(left + plot_w)}" y2="{_num(base)}" stroke="{_RULE}"/>'
        )
        if _finite(r.mean) and len(r.waits):
            x = x_of(r.mean)
            out.append(
                f'<line class="mean" x1="{_num(x)}" y1="{_num(base - bar_max - 4)}" x2="{_num(x)}" y2="{_num(base + 3)}" '
                f'stroke="{_INK}" stroke-width="1.5"><title>mean {_esc(format_wait(r.mean))}</title></line>'
            )
        out.append("</g>")
    out.append("</svg>")
    return "".join(out)


# The page ------------------------------------------------------------------------------------------


def _metrics(currency: str | None) -> tuple[_Metric, ...]:
    def money(value: float) -> str:
        return f"{value:,.2f} {currency}" if currency else f"{value:,.2f}"

    return (
        _Metric("Customers", "arrived per replication", lambda s: s.customers, _count, None),
        _Metric(
            "Throughput",
            "customers served per hour",
            lambda s: s.throughput,
            lambda v: f"{v:,.1f} / h",
            True,
            lambda v: f"{v:,.1f}",
        ),
        _Metric("Felt wait, mean", "waiting as customers feel it", lambda s: s.felt_mean, format_wait, False),
        _Metric("Felt wait, p90", "nine in ten wait less", lambda s: s.felt_p90, format_wait, False),
        _Metric("Cycle time, mean", "from arrival to the end", lambda s: s.cycle_mean, format_wait, False),
        _Metric("Cycle time, p90", "nine in ten are done sooner", lambda s: s.cycle_p90, format_wait, False),
        _Metric("Abandonment", "customers who gave up", lambda s: s.abandonment, _percent, False),
        _Metric("Cost per customer", "staff and fixed costs", lambda s: s.cost, money, False, lambda v: f"{v:,.2f}"),
    )


class _Report:
    def __init__(self, result: SimulationResult, bp: Blueprint) -> None:
        self.result = result
        self.bp = bp
        self.scenarios = result.scenarios
        self.colours = {i: _PALETTE[i % len(_PALETTE)] for i in range(len(self.scenarios))}
        self.names = {p.id: p.name for p in (*bp.systems, *bp.roles)}
        self.steps = {s.id: s.name for s in bp.steps}
        self.actions = bp.action_index
        self._ids = 0

    def ident(self, kind: str) -> str:
        self._ids += 1
        return f"sl-{kind}-{self._ids}"

    # --- the page

    def page(self) -> str:
        title = self.result.blueprint or self.bp.title or "Service blueprint"
        body = "".join(
            [
                self.header(title),
                "<main>\n",
                self.comparison(),
                self.utilisation(),
                self.spreads(),
                self.per_action(),
                "</main>\n",
                '<footer class="foot">Made with Stageline: a discrete-event simulation of the service blueprint. '
                "Scenarios meet the same customers in each replication (common random numbers).</footer>\n",
            ]
        )
        fonts = font_face_css("".join(sorted(set(body) | set(_CSS))))
        return "".join(
            [
                "<!DOCTYPE html>\n",
                '<html lang="en">\n<head>\n<meta charset="utf-8">\n',
                '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
                '<meta name="generator" content="Stageline">\n',
                f'<meta name="description" content="Simulation report: {_esc(title)}">\n',
                f"<title>{_esc(title)} · simulation report</title>\n",
                f"<style>\n{fonts}\n{_CSS.replace('@STACK@', FONT_STACK)}</style>\n",
                "</head>\n<body>\n",
                body,
                "</body>\n</html>\n",
            ]
        )

    def header(self, title: str) -> str:
        result = self.result
        plan = result.plan
        reps = self.scenarios[0].replications if self.scenarios else 0
        facts = [("Replications", f"{reps:,}"), ("Seed", str(result.seed))]
        if plan.customers is not None and plan.horizon is not None:
            facts.append(("Length", f"up to {plan.customers:,} customers in {format_wait(plan.horizon)}"))
        elif plan.customers is not None:
            facts.append(("Customers", f"{plan.customers:,} arrivals"))
        elif plan.horizon is not None:
            facts.append(("Horizon", f"{format_wait(plan.horizon)} of arrivals"))
        if plan.warmup is None:
            warm = "the first tenth of the time"
        elif plan.warmup <= 0:
            warm = "none"
        else:
            warm = format_wait(plan.warmup)
        facts.append(("Warm-up", warm))
        facts.append(("Scenarios", f"{len(self.scenarios)}"))
        if result.currency:
            facts.append(("Currency", result.currency))
        items = "".join(f"<div><dt>{_esc(k)}</dt><dd>{_esc(v)}</dd></div>" for k, v in facts)
        if reps > 1:
            spread = (
                f"Figures are means over the {reps:,} replications (each a fresh run of the service with new "
                "customers), each followed by ± the half-width of its 95% confidence interval: the true mean lies "
                "in that range with 95% confidence. "
            )
        else:
            spread = (
                "Figures come from one replication (one run of the service), so they have no confidence "
                "intervals: run two or more replications to see how far to trust them. "
            )
        if len(self.scenarios) > 1:
            columns = "The first column is the blueprint as it is; every other column is a what-if scenario."
        else:
            columns = "Only the blueprint as it is was simulated: no what-if scenarios."
        return (
            '<header class="top">\n'
            '<p class="kicker">Simulation report</p>\n'
            f"<h1>{_esc(title)}</h1>\n"
            f'<dl class="facts">{items}</dl>\n'
            f'<p class="lede">{_esc(spread)}{_esc(columns)}</p>\n'
            "</header>\n"
        )

    def swatch(self, index: int) -> str:
        return f'<span class="swatch" style="background:{self.colours[index]}" aria-hidden="true"></span>'

    # --- the comparison table and plots

    def comparison(self) -> str:
        scenarios = self.scenarios
        base = scenarios[0]
        head = ['<th scope="col" class="metric">Measure</th>']
        for i, sc in enumerate(scenarios):
            desc = f'<span class="desc">{_esc(sc.description)}</span>' if sc.description else ""
            kind = '<span class="desc">the blueprint as it is</span>' if i == 0 and not sc.description else ""
            head.append(
                f'<th scope="col" data-scenario="{_esc(sc.name)}">{self.swatch(i)}'
                f'<span class="sc-name">{_esc(sc.name)}</span>{desc}{kind}</th>'
            )
        rows = []
        marked = False
        for metric in _metrics(self.result.currency):
            cells = [
                f'<th scope="row" class="metric">{_esc(metric.name)}<span class="hint">{_esc(metric.hint)}</span></th>'
            ]
            for i, sc in enumerate(scenarios):
                est = metric.get(sc)
                verdict = _versus(est, metric.get(base), metric.higher) if i else None
                tag = ""
                cls = "num"
                if verdict is not None:
                    marked = True
                    cls += f" {verdict}"
                    tag = f' <span class="tag">{verdict}</span>'
                cells.append(f'<td class="{cls}">{_pm(est, metric.show, metric.half)}{tag}</td>')
            rows.append(f"<tr>{''.join(cells)}</tr>")
        legend = (
            '<p class="legend"><span class="key better">better</span> <span class="key worse">worse</span> '
            "than the as-is: the two 95% intervals do not overlap. "
            "Differences left unmarked may be chance; run more replications to tell."
        )
        if not marked:
            legend += " No scenario differs from the as-is that clearly here."
        legend += "</p>"
        if len(scenarios) == 1:
            legend = ""
        table = (
            '<div class="table-wrap"><table class="compare">'
            "<caption>Each scenario’s figures, mean ± half-width of the 95% interval</caption>"
            f"<thead><tr>{''.join(head)}</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
        )
        plots = self.mean_plot("felt", "Customer-felt wait", lambda s: s.felt_mean) + self.mean_plot(
            "cycle", "Cycle time", lambda s: s.cycle_mean
        )
        return (
            '<section id="compare" aria-labelledby="compare-h">\n'
            '<h2 id="compare-h">Scenarios compared</h2>\n'
            f"{table}\n{legend}\n"
            f'<div class="grid two">{plots}</div>\n'
            "</section>\n"
        )

    def mean_plot(self, kind: str, name: str, get: Callable[[ScenarioResult], Estimate]) -> str:
        ests = [get(sc) for sc in self.scenarios]
        top = max((e.high if _finite(e.half) else e.mean for e in ests if _finite(e.mean)), default=1.0)
        end, ticks = _time_axis(top, 4)
        bars = tuple(
            _Bar(
                label=sc.name,
                colour=self.colours[i],
                est=e,
                value=format_wait(e.mean),
                note=f"± {format_wait(e.half)}" if _finite(e.half) else "",
                data=(("scenario", sc.name),),
            )
            for i, (sc, e) in enumerate(zip(self.scenarios, ests, strict=True))
        )
        ident = self.ident(kind)
        parts = [
            f"{sc.name}: {format_wait(e.mean)} ± {format_wait(e.half)}"
            for sc, e in zip(self.scenarios, ests, strict=True)
        ]
        svg = _bars_svg(
            ident,
            [_Group(None, bars)],
            width=520,
            end=end,
            ticks=ticks,
            tick_label=format_wait,
            title=f"{name}, mean per scenario",
            desc="; ".join(parts),
        )
        return (
            f'<figure class="card" data-plot="{kind}">{svg}'
            f"<figcaption><strong>{_esc(name)}</strong>, mean per scenario; whiskers span the 95% interval."
            "</figcaption></figure>"
        )

    # --- roles

    def role_name(self, role: str) -> str:
        return self.names.get(role, role)

    def utilisation(self) -> str:
        order: list[str] = []
        for sc in self.scenarios:
            for role in sc.roles:
                if role.id not in order:
                    order.append(role.id)
        if not order:
            return (
                '<section id="roles" aria-labelledby="roles-h">\n<h2 id="roles-h">How busy each role is</h2>\n'
                '<p class="empty">No action holds a resource, so nobody queues for staff.</p>\n</section>\n'
            )
        groups = []
        busy = []
        for role_id in order:
            bars = []
            for i, sc in enumerate(self.scenarios):
                found: RoleResult | None = next((r for r in sc.roles if r.id == role_id), None)
                if found is None:
                    continue
                u = found.utilisation
                cap = found.capacity.mean
                cap_text = f"{cap:,.1f}".removesuffix(".0") if _finite(cap) else "?"
                warn = _finite(u.mean) and u.mean > WARN_UTILISATION
                if warn:
                    busy.append(f"{self.role_name(role_id)} ({sc.name})")
                half = f"± {round(u.half * 100)} · " if _finite(u.half) else ""
                bars.append(
                    _Bar(
                        label=sc.name,
                        colour=self.colours[i],
                        est=u,
                        value=f"{round(u.mean * 100)}%" if _finite(u.mean) else "—",
                        note=f"{half}capacity {cap_text}",
                        warn=warn,
                        data=(("role", role_id), ("scenario", sc.name)),
                    )
                )
            groups.append(_Group(self.role_name(role_id), tuple(bars), (("role", role_id),)))
        top = max(
            (b.est.high if _finite(b.est.half) else b.est.mean for g in groups for b in g.bars if _finite(b.est.mean)),
            default=1.0,
        )
        end = 1.0 if top <= 1.0 + 1e-9 else math.ceil(top * 10) / 10
        ident = self.ident("util")
        desc = "; ".join(f"{g.name}, {b.label}: {b.value}" for g in groups for b in g.bars)
        svg = _bars_svg(
            ident,
            groups,
            width=1000,
            end=end,
            ticks=[0.0, 0.25, 0.5, 0.75, 1.0],
            tick_label=lambda v: f"{round(v * 100)}%",
            title="Utilisation of each role per scenario",
            desc=desc,
            lines=(
                _Line(WARN_UTILISATION, f"{round(WARN_UTILISATION * 100)}%", _WARN, dashed=True),
                _Line(1.0, "100%", _TITLE),
            ),
            zone=(WARN_UTILISATION, 1.0),
        )
        warn_text = (
            f'<p class="alert"><strong>Busy over {round(WARN_UTILISATION * 100)}%:</strong> {_esc(", ".join(busy))}. '
            "Beyond this level a little more demand makes queues grow fast.</p>"
            if busy
            else ""
        )
        return (
            '<section id="roles" aria-labelledby="roles-h">\n<h2 id="roles-h">How busy each role is</h2>\n'
            f'<figure class="card wide" data-plot="utilisation">{svg}'
            "<figcaption>Share of the time each role’s staff (or system) is at work, per scenario, with the "
            f'95% interval and its capacity (how many work at once). <span class="swatch" style="background:{_WARN}" aria-hidden="true"></span>Orange bars are busy over '
            f"{round(WARN_UTILISATION * 100)}%, a common warning level: queues grow quickly beyond it "
            "and a role at 100% cannot keep up.</figcaption></figure>\n"
            f"{warn_text}</section>\n"
        )

    # --- wait-time spreads

    def action_order(self) -> list[str]:
        order: list[str] = []
        for sc in self.scenarios:
            for a in sc.actions:
                if a.id not in order:
                    order.append(a.id)
        return order

    def action_label(self, action_id: str) -> str:
        action = self.actions.get(action_id)
        return action.label if action is not None else action_id

    def spreads(self) -> str:
        figures = []
        rows = [
            _Spread(sc.name, self.colours[i], np.asarray(sc.felt_waits, dtype=np.float64), sc.felt_mean.mean)
            for i, sc in enumerate(self.scenarios)
        ]
        figures.append(self.spread_figure("felt", "Customer-felt wait", "the whole journey", rows))
        for action_id in self.action_order():
            found = [
                (i, sc, next((a for a in sc.actions if a.id == action_id), None)) for i, sc in enumerate(self.scenarios)
            ]
            if not any(a is not None and bool(np.any(a.waits > _EPS)) for _, _, a in found):
                continue
            rows = [
                _Spread(sc.name, self.colours[i], np.asarray(a.waits, dtype=np.float64), a.wait_mean.mean)
                for i, sc, a in found
                if a is not None
            ]
            step = self.steps.get(self.actions[action_id].step, "") if action_id in self.actions else ""
            figures.append(self.spread_figure("wait", self.action_label(action_id), step, rows, action_id))
        return (
            '<section id="waits" aria-labelledby="waits-h">\n<h2 id="waits-h">How long customers wait</h2>\n'
            '<p class="lede">Each row is a scenario, all on the same time axis. The bars show how the waits of '
            "those who waited are spread out, each row scaled to its tallest bar (customers served at once are left "
            "out: the share who waited is written beside); the last bar also counts every longer wait (the “+” on "
            "the axis) and the dark line marks the mean wait over everyone. "
            "Only actions where someone waits are shown.</p>\n"
            f'<div class="grid two">{"".join(figures)}</div>\n</section>\n'
        )

    def spread_figure(self, kind: str, name: str, where: str, rows: Sequence[_Spread], action: str = "") -> str:
        ident = self.ident(kind)
        svg = _histogram_svg(
            ident,
            rows,
            width=520,
            title=f"Spread of waits: {name}",
            desc="; ".join(
                f"{r.label}: mean {format_wait(r.mean)}, {_percent(float(np.mean(r.waits > _EPS)), 0) if len(r.waits) else 'no'} waited"
                for r in rows
            ),
        )
        attrs = f' data-action="{_esc(action)}"' if action else ""
        sub = f' <span class="muted">· {_esc(where)}</span>' if where else ""
        return (
            f'<figure class="card" data-plot="{kind}"{attrs}>{svg}'
            f"<figcaption><strong>{_esc(name)}</strong>{sub}</figcaption></figure>"
        )

    # --- action by action

    def per_action(self) -> str:
        parts = []
        for i, sc in enumerate(self.scenarios):
            rows = []
            for a in sc.actions:
                rows.append(self.action_row(a, sc))
            desc = f'<p class="desc">{_esc(sc.description)}</p>' if sc.description else ""
            table = (
                '<div class="table-wrap"><table class="actions">'
                f"<caption>{_esc(sc.name)}: each action, mean ± half-width of the 95% interval</caption>"
                "<thead><tr>"
                '<th scope="col">Action</th><th scope="col">Role</th>'
                '<th scope="col" class="num">Wait, mean</th><th scope="col" class="num">Wait, p90</th>'
                '<th scope="col" class="num">Queue, mean</th><th scope="col" class="num">Service, mean</th>'
                '<th scope="col" class="num">Gave up</th>'
                f"</tr></thead><tbody>{''.join(rows)}</tbody></table></div>"
            )
            parts.append(
                f'<div class="scenario" data-scenario="{_esc(sc.name)}">'
                f"<h3>{self.swatch(i)}{_esc(sc.name)}</h3>{desc}{table}</div>"
            )
        return (
            '<section id="actions" aria-labelledby="actions-h">\n<h2 id="actions-h">Action by action</h2>\n'
            '<p class="lede">Waits are for a resource (staff or a system) to be free; the queue is the mean number '
            "waiting; “gave up” counts customers who left while waiting, as a share of all arrivals.</p>\n"
            f"{''.join(parts)}</section>\n"
        )

    def action_row(self, a: ActionResult, sc: ScenarioResult) -> str:
        node = next((n for n in sc.network.nodes if n.id == a.id), None)
        role = ""
        if node is not None and node.resource >= 0:
            role = self.role_name(sc.network.stations[node.resource].id)
        step_id = self.actions[a.id].step if a.id in self.actions else ""
        step = self.steps.get(step_id, "")
        step_html = f'<span class="hint">{_esc(step)}</span>' if step else ""
        role_html = _esc(role) if role else '<span class="na">none</span>'
        queue = (lambda v: f"{v:,.1f}") if role else None
        return (
            f'<tr data-action="{_esc(a.id)}"><th scope="row">{_esc(self.action_label(a.id))}{step_html}</th>'
            f"<td>{role_html}</td>"
            f'<td class="num">{_pm(a.wait_mean, format_wait)}</td>'
            f'<td class="num">{_pm(a.wait_p90, format_wait)}</td>'
            f'<td class="num">{_pm(a.queue, queue) if queue else "<span class=na>—</span>"}</td>'
            f'<td class="num">{_pm(a.service_mean, format_wait)}</td>'
            f'<td class="num">{_pm(a.abandoned, _percent)}</td></tr>'
        )


_CSS = """\
*, *::before, *::after { box-sizing: border-box; }
html { background: #eef1f4; }
body {
  margin: 0; font: 14px/1.5 @STACK@; color: #1f2933; background: #eef1f4;
  -webkit-font-smoothing: antialiased;
}
main, .top, .foot { max-width: 1120px; margin: 0 auto; padding: 0 24px; }
.top { padding-top: 36px; padding-bottom: 8px; }
.kicker, h2 {
  margin: 0; font-size: 11.5px; font-weight: 600; letter-spacing: 0.08em; text-transform: uppercase; color: #52606d;
}
h1 { margin: 4px 0 14px; font-size: 28px; line-height: 1.2; font-weight: 600; color: #102a43; overflow-wrap: anywhere; }
h2 { margin-bottom: 14px; font-size: 12.5px; color: #243b53; }
h3 {
  display: flex; align-items: center; gap: 8px; margin: 22px 0 6px; font-size: 15px; font-weight: 600; color: #102a43;
}
.facts { display: flex; flex-wrap: wrap; gap: 8px; margin: 0 0 14px; padding: 0; }
.facts div {
  display: flex; align-items: baseline; gap: 6px; padding: 4px 10px; border-radius: 999px;
  background: #fff; border: 1px solid #d9e2ec;
}
.facts dt { font-size: 12px; color: #52606d; }
.facts dd { margin: 0; font-size: 13px; font-weight: 600; color: #243b53; font-variant-numeric: tabular-nums; }
.lede { margin: 0 0 14px; max-width: 80ch; color: #323f4b; }
.top .lede { margin: 0; }
section {
  margin: 20px 0; padding: 22px 26px 24px; background: #fff; border: 1px solid #e1e6eb; border-radius: 12px;
  box-shadow: 0 1px 3px rgba(16, 42, 67, 0.06);
}
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
caption {
  position: absolute; width: 1px; height: 1px; margin: -1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;
}
th, td { padding: 8px 12px; text-align: left; vertical-align: top; border-bottom: 1px solid #e9edf1; }
thead th { border-bottom: 2px solid #c3ccd6; font-weight: 600; color: #102a43; vertical-align: bottom; }
tbody th { font-weight: 500; color: #243b53; }
tbody tr:last-child th, tbody tr:last-child td { border-bottom: 0; }
td.num, th.num { text-align: right; white-space: nowrap; }
table.compare thead th:not(.metric) { text-align: right; min-width: 10em; }
table.compare td { font-size: 14.5px; }
.metric { width: 15em; }
table.compare .metric { position: sticky; left: 0; z-index: 1; background: #fff; }
.hint, .desc { display: block; font-size: 12px; font-weight: 400; color: #616e7c; white-space: normal; }
.sc-name { font-size: 14px; overflow-wrap: anywhere; }
thead .desc { max-width: 18em; margin-left: auto; }
.pm { font-size: 12px; color: #616e7c; }
.na { color: #9aa5b1; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 6px; border-radius: 3px; vertical-align: 0; }
td.better { background: #e8f6ee; }
td.worse { background: #fdecec; }
.tag, .key {
  display: inline-block; padding: 0 6px; border-radius: 4px; font-size: 10.5px; font-weight: 600; line-height: 1.6;
  letter-spacing: 0.04em; text-transform: uppercase; vertical-align: 1px;
}
.better .tag, .key.better { background: #c9ecd7; color: #1b5e36; }
.worse .tag, .key.worse { background: #f9d2d0; color: #9b1c1c; }
.legend { margin: 12px 0 4px; font-size: 12.5px; color: #52606d; }
.grid { display: grid; gap: 16px; margin-top: 18px; }
.grid.two { grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); }
figure { margin: 0; }
figure.card { padding: 14px 14px 10px; border: 1px solid #e9edf1; border-radius: 10px; background: #fcfdfe; }
figure.wide { margin-top: 4px; }
figure svg { display: block; max-width: 100%; height: auto; overflow: visible; }
figcaption { margin-top: 8px; font-size: 12.5px; color: #52606d; }
figcaption strong { color: #102a43; font-weight: 600; font-size: 13.5px; }
.muted { color: #7b8794; }
.alert {
  margin: 14px 0 0; padding: 10px 14px; border-radius: 8px; background: #fff4e5; color: #7c2d12; font-size: 13px;
  border-left: 3px solid #c2410c;
}
.empty { color: #52606d; }
.scenario + .scenario { margin-top: 8px; }
.scenario .desc { margin: 0 0 6px; font-size: 12.5px; }
table.actions { table-layout: fixed; min-width: 760px; }
table.actions th:first-child { width: 25%; }
table.actions th:nth-child(2) { width: 14%; }
.foot { padding-top: 4px; padding-bottom: 36px; font-size: 12px; color: #7b8794; }
@media (max-width: 640px) {
  main, .top, .foot { padding: 0 12px; }
  .top { padding-top: 20px; }
  section { padding: 16px; }
  .grid.two { grid-template-columns: 1fr; }
}
@media print {
  html, body { background: #fff; }
  section { box-shadow: none; break-inside: avoid-page; }
  figure { break-inside: avoid; }
}
"""
