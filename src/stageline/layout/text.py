"""Text made safe to draw, wrapped to a width with the typeface's own metrics, and ellipsised."""

from __future__ import annotations

import re

from stageline.layout.typeface import face

__all__ = ["ELLIPSIS", "clean", "fit", "wrap"]

ELLIPSIS = "…"
# Characters XML 1.0 cannot carry (C0 controls but tab, newline and return; lone surrogates; the
# two non-characters), and the line and paragraph breaks that would end a line of SVG text.
_UNDRAWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_SPACES = re.compile(r"[\t\n\r\u2028\u2029 ]+")


def clean(text: str) -> str:
    """``text`` on one line with runs of white space as one space and undrawable characters gone."""
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text  # the usual case, and the fast one
    return _SPACES.sub(" ", _UNDRAWABLE.sub("", text)).strip()


def fit(text: str, width: float, size: float, weight: str = "regular") -> str:
    """``text`` cut short with an ellipsis so that it fits ``width`` (unchanged when it fits)."""
    f = face(weight)
    if f.width(text, size) <= width:
        return text
    limit = width - f.width(ELLIPSIS, size)
    # Binary search for the longest prefix that fits with the ellipsis.
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if f.width(text[:mid], size) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo].rstrip() + ELLIPSIS if lo else ELLIPSIS if limit >= 0 else ""


def wrap(text: str, width: float, size: float, max_lines: int, weight: str = "regular") -> tuple[tuple[str, ...], bool]:
    """Lines of ``text`` no wider than ``width``, at most ``max_lines`` of them.

    Words wrap greedily; a word wider than the line is broken between characters. When the text
    needs more lines, the last one ends in an ellipsis. Returns the lines and whether the text
    was cut short (so the caller can offer the full text as a tooltip).
    """
    f = face(weight)
    em_limit = width / size
    if f.em_width(text) <= em_limit and max_lines >= 1:
        return (text,), False  # fits on one line
    space = f.em_width(" ")
    lines: list[str] = []
    current: list[str] = []
    current_w = 0.0
    words = text.split(" ")
    i = 0
    while i < len(words):
        word = words[i]
        w = f.em_width(word)
        needed = w if not current else current_w + space + w
        if needed <= em_limit:
            current.append(word)
            current_w = needed
            i += 1
            continue
        if current:
            lines.append(" ".join(current))
            current, current_w = [], 0.0
            if len(lines) == max_lines:
                break
            continue
        # One word longer than a whole line: break it where it stops fitting.
        head = _longest_prefix(word, em_limit, weight)
        lines.append(word[:head])
        words[i] = word[head:]
        if len(lines) == max_lines:
            break
    else:
        if current:
            lines.append(" ".join(current))
        return tuple(lines), False
    rest = " ".join(words[i:])
    if not rest:
        return tuple(lines), False
    last = lines[-1] + " " + rest
    lines[-1] = fit(last, width, size, weight)
    return tuple(lines), True


def _longest_prefix(word: str, em_limit: float, weight: str) -> int:
    f = face(weight)
    lo, hi = 1, len(word)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if f.em_width(word[:mid]) <= em_limit:
            lo = mid
        else:
            hi = mid - 1
    return lo
