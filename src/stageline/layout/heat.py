"""Measured (or simulated) figures laid over a drawing: a heat bar on each action and the figures
in its marks and tooltip.

One figure is chosen for the heat (the median wait unless told otherwise); each action with
figures gets a bar on its left edge shaded from light (low) to dark (high) over the actions in
the drawing, and a mark with the value. Times are shaded on a logarithmic scale, since waits run
from seconds to days. Actions without figures get no bar: their figures are the blueprint's own,
and the legend says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath

from stageline.metrics.apply import Applied
from stageline.metrics.shape import ActionFigures
from stageline.wording import duration, share

__all__ = ["HEATS", "Heat", "figure_rows", "heat_colour", "heat_of"]


@dataclass(frozen=True, slots=True)
class _Measure:
    title: str
    value: Callable[[ActionFigures], float | None]
    text: Callable[[float], str]
    #: Times shade on a log scale.
    times: bool = False
    #: Whether a high value is good (satisfaction): the shading is then reversed.
    high_is_good: bool = False


def _ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


HEATS: dict[str, _Measure] = {
    "wait": _Measure("median wait", lambda f: f.wait.p50 if f.wait else None, duration, times=True),
    "service": _Measure("median time taken", lambda f: f.service.p50 if f.service else None, duration, times=True),
    "cases": _Measure("share of cases", lambda f: f.share, share),
    "drop-off": _Measure("cases ending here", lambda f: _ratio(f.drop_off, f.cases), share),
    "rework": _Measure("cases doing it again", lambda f: _ratio(f.rework_cases, f.cases), share),
    "failures": _Measure("failure rate", lambda f: f.failure_rate, share),
    "breaches": _Measure(
        "over tolerance",
        lambda f: _ratio(f.breaches.occurrences, f.events) if f.breaches else None,
        share,
    ),
    "satisfaction": _Measure(
        "mean CSAT (1-5)",
        lambda f: f.satisfaction.csat if f.satisfaction else None,
        lambda v: f"CSAT {v:.1f}",
        high_is_good=True,
    ),
}

#: Light to dark: a sequential scale readable on white and in grey.
_STOPS = ((255, 243, 191), (255, 192, 120), (247, 103, 7), (201, 42, 42), (134, 14, 40))


def heat_colour(fraction: float) -> str:
    """The colour of a value at ``fraction`` (0 to 1) of the scale."""
    f = min(1.0, max(0.0, fraction)) * (len(_STOPS) - 1)
    i = min(int(f), len(_STOPS) - 2)
    t = f - i
    rgb = (round(a + (b - a) * t) for a, b in zip(_STOPS[i], _STOPS[i + 1], strict=True))
    return "#" + "".join(f"{c:02x}" for c in rgb)


@dataclass(frozen=True, slots=True)
class Heat:
    """What a drawing shows of measured figures."""

    measure: str
    title: str
    #: ``measured`` or ``simulated``.
    kind: str
    #: Action id -> (shade 0..1, the value as text).
    values: dict[str, tuple[float, str]] = field(default_factory=dict)
    low: str = ""
    high: str = ""
    #: Action id -> measured wait text (median), shown in the wait mark.
    waits: dict[str, str] = field(default_factory=dict)
    #: Action id -> the blueprint's own (assumed) wait, for actions without a measured one.
    assumed_waits: dict[str, str] = field(default_factory=dict)
    #: Action id -> the time it takes: measured median, or the blueprint's own.
    durations: dict[str, str] = field(default_factory=dict)
    #: Whether some values are times since the previous action (no start times in the log).
    starred: bool = False
    #: Action id -> the figures in words, for its tooltip.
    details: dict[str, str] = field(default_factory=dict)
    #: Where the figures come from, for the title block.
    source: str = ""
    reversed_scale: bool = False


def heat_of(applied: Applied, measure: str = "wait", actions: set[str] | None = None) -> Heat:
    """The heat of ``measure`` (a key of :data:`HEATS`) over ``actions`` (all when None)."""
    spec = HEATS[measure]
    m = applied.metrics
    raw: dict[str, float] = {}
    for action_id, fig in m.actions.items():
        if (actions is not None and action_id not in actions) or not fig.events:
            continue  # places with feedback alone have no figures from the log
        value = spec.value(fig)
        if value is not None and math.isfinite(value):
            raw[action_id] = value

    def scaled(v: float) -> float:
        return math.log1p(max(0.0, v)) if spec.times else v

    lo = min((scaled(v) for v in raw.values()), default=0.0)
    hi = max((scaled(v) for v in raw.values()), default=0.0)
    values = {}
    starred = False
    for action_id, v in raw.items():
        f = (scaled(v) - lo) / (hi - lo) if hi > lo else 0.5
        text = spec.text(v)
        if measure == "wait" and m.actions[action_id].wait_includes_service:
            text += "*"  # the log has no start: the time since the previous action, its own included
            starred = True
        values[action_id] = (1.0 - f if spec.high_is_good else f, text)
    low = spec.text(min(raw.values())) if raw else ""
    high = spec.text(max(raw.values())) if raw else ""
    waits = {
        a: duration(f.wait.p50)
        for a, f in m.actions.items()
        if f.wait is not None and f.wait.p50 is not None and not f.wait_includes_service
    }
    details = {a: _details(f) for a, f in m.actions.items()}
    original = applied.original
    assumed_waits = {a.id: duration(a.wait.expected) for a in original.actions if a.wait is not None}
    durations = {a.id: duration(a.duration.expected) for a in original.actions if a.duration is not None}
    for action_id, fig in m.actions.items():
        if fig.service is not None and fig.service.p50 is not None:
            durations[action_id] = duration(fig.service.p50)
    source = ", ".join(PurePath(s).name for s in m.sources) or "a metrics file"
    if m.service is not None and m.service.first and m.service.last:
        source += f" ({m.service.cases:,} cases, {m.service.first[:10]} to {m.service.last[:10]})"
    return Heat(
        measure,
        spec.title,
        m.kind,
        values,
        low,
        high,
        waits,
        assumed_waits,
        durations,
        starred,
        details,
        source,
        spec.high_is_good,
    )


def figure_rows(f: ActionFigures, kind: str = "measured") -> list[tuple[str, str]]:
    """An action's figures as (name, value) rows for a reader."""
    rows = [(f"Cases ({kind})", f"{f.cases:,} ({share(f.share)}), {f.events:,} times")]
    if f.wait is not None and f.wait.p50 is not None and f.wait.p90 is not None:
        what = "Since the previous action" if f.wait_includes_service else "Wait"
        rows.append((f"{what} ({kind})", f"median {duration(f.wait.p50)}, p90 {duration(f.wait.p90)}"))
    if f.service is not None and f.service.p50 is not None and f.service.p90 is not None:
        rows.append((f"Time taken ({kind})", f"median {duration(f.service.p50)}, p90 {duration(f.service.p90)}"))
    if f.drop_off:
        rows.append(("Cases ending here", f"{f.drop_off:,}"))
    if f.rework:
        rows.append(("Done again", f"{f.rework:,} times in {f.rework_cases:,} cases"))
    if f.failures:
        rows.append(("Failed", f"{f.failures:,} ({share(f.failure_rate or 0.0)})"))
    if f.breaches is not None and f.breaches.occurrences:
        rows.append(("Over tolerance", f"{f.breaches.occurrences:,} times"))
    if f.unfinished:
        rows.append(("Begun, never finished", f"{f.unfinished:,}"))
    if f.top_resources:
        rows.append(("Resources", ", ".join(f"{c.name} ({c.count:,})" for c in f.top_resources)))
    if f.satisfaction is not None and f.satisfaction.csat is not None:
        rows.append(("CSAT", f"{f.satisfaction.csat:.1f} from {f.satisfaction.responses:,} responses"))
    return rows


def _details(f: ActionFigures) -> str:
    return "; ".join(f"{name.split(' (')[0].lower()}: {value}" for name, value in figure_rows(f))
