"""Figures written for people: ``4.3 days``, ``EUR 12.50``, ``35%``."""

from __future__ import annotations

__all__ = ["duration", "money", "share"]

_UNITS = ((86400.0, "day", "days"), (3600.0, "h", "h"), (60.0, "min", "min"), (1.0, "s", "s"))


def duration(seconds: float) -> str:
    """A duration rounded to two or three significant figures in the largest fitting unit."""
    if seconds <= 0:
        return "0 s"
    size, one, many = next((u for u in _UNITS if seconds >= u[0]), _UNITS[-1])
    value = seconds / size
    text = (f"{value:.1f}" if value < 10 else f"{value:.0f}").removesuffix(".0")
    return f"{text} {one if text == '1' else many}"


def money(amount: float, currency: str | None) -> str:
    text = f"{amount:,.2f}"
    return f"{currency} {text}" if currency else text


def share(fraction: float) -> str:
    """A fraction as a percentage, with a decimal only below 10%."""
    pct = fraction * 100
    if 0 < pct < 10:
        return f"{pct:.1f}%".replace(".0%", "%")
    return f"{pct:.0f}%"
