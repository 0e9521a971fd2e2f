"""Durations as people write them (``5 min``, ``1h 30m``, ``2 days``, ``PT5M``) and back."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

__all__ = ["UNITS", "Timing", "format_duration", "format_timing", "parse_duration", "parse_timing"]

#: Seconds in each time unit, by every spelling Stageline reads.
UNITS: dict[str, float] = {}
for _names, _secs in (
    (("s", "sec", "secs", "second", "seconds"), 1.0),
    (("m", "min", "mins", "minute", "minutes"), 60.0),
    (("h", "hr", "hrs", "hour", "hours"), 3600.0),
    (("d", "day", "days"), 86400.0),
    (("w", "wk", "week", "weeks"), 604800.0),
):
    for _n in _names:
        UNITS[_n] = _secs

_PART = re.compile(r"\s*(\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*([a-zA-Z]+)\s*")
_ISO = re.compile(
    r"^P(?:(?P<w>\d+(?:\.\d+)?)W)?(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)
_EXPECTED = "a duration such as `90 s`, `5 min`, `1h 30m`, `2 days` or `PT5M`"


def parse_duration(text: str) -> float:
    """Seconds in ``text``; raises ValueError saying what was expected."""
    raw = text.strip()
    if not raw:
        raise ValueError(f"expected {_EXPECTED}, got an empty text")
    iso = _ISO.match(raw.upper())
    if iso and raw.upper() not in ("P", "PT") and any(iso.groupdict().values()):
        parts = iso.groupdict()
        secs = sum(float(parts[k] or 0) * UNITS[k] for k in ("w", "d", "h", "m", "s"))
        return _finite(secs, text)
    total = 0.0
    pos = 0
    while pos < len(raw):
        m = _PART.match(raw, pos)
        if not m:
            raise ValueError(f"expected {_EXPECTED}, got `{text}`")
        unit = m.group(2).lower()
        if unit not in UNITS:
            raise ValueError(f"unknown time unit `{m.group(2)}` in `{text}`; use s, min, h, d or w")
        total += float(m.group(1)) * UNITS[unit]
        pos = m.end()
    return _finite(total, text)


#: The longest duration Stageline accepts: a hundred years.
MAX_SECONDS = 100 * 365.25 * 86400


def _finite(secs: float, text: str) -> float:
    if not math.isfinite(secs) or secs > MAX_SECONDS:
        raise ValueError(f"duration `{text}` is longer than a hundred years")
    return secs


def format_duration(seconds: float) -> str:
    """The shortest exact text for ``seconds`` that :func:`parse_duration` reads back."""
    units = (("d", 86400.0), ("h", 3600.0), ("min", 60.0), ("s", 1.0))
    for whole in (True, False):
        for unit, size in units:
            value = seconds / size
            exact = value * size == seconds and (value == int(value) if whole else _short(value))
            if value >= 1 and exact:
                return f"{_num(value)} {unit}"
    return f"{_num(seconds)} s"


def _short(value: float) -> bool:
    return len(_num(value)) <= 6


def _num(value: float) -> str:
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = repr(value)
    if "e" in text or "E" in text:
        text = f"{value:.17f}".rstrip("0").rstrip(".")
        if float(text) != value:  # pragma: no cover - repr always round-trips
            text = repr(value)
    return text


@dataclass(frozen=True, slots=True)
class Timing:
    """An expected duration in seconds and the tolerance around it (Shostack's time frame)."""

    expected: float
    tolerance: float | None = None

    @property
    def limit(self) -> float | None:
        """The longest acceptable time, when a tolerance is given."""
        return None if self.tolerance is None else self.expected + self.tolerance


_PLUS_MINUS = re.compile(r"\s*(?:±|\+/-|\+-)\s*")


def parse_timing(text: str) -> Timing:
    """``5 min`` or ``5 min ± 2 min`` (also ``+-`` or ``+/-``)."""
    parts = _PLUS_MINUS.split(text)
    if len(parts) > 2:
        raise ValueError(f"expected `duration ± tolerance`, got `{text}`")
    expected = parse_duration(parts[0])
    tolerance = parse_duration(parts[1]) if len(parts) == 2 else None
    return Timing(expected, tolerance)


def format_timing(timing: Timing) -> str:
    text = format_duration(timing.expected)
    if timing.tolerance is not None:
        text += f" ± {format_duration(timing.tolerance)}"
    return text
