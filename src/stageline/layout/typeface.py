"""The typeface Stageline draws with, and text measured with its own metrics.

Stageline ships Inter (SIL Open Font License, see ``fonts/OFL.txt``) so that the text it wraps
is measured with the very font file the PNG and PDF renderers load and the HTML page embeds.
Widths are the sum of the glyphs' advance widths from the font's ``hmtx`` table, unhinted and
unkerned: kerning in Inter only ever narrows a line, so a line measured here never renders
wider than measured. Characters the font lacks (emoji, CJK, most non-Latin scripts) are drawn
by a fallback font; they are counted as one em wide, the widest a fallback glyph usually is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

__all__ = ["FAMILY", "FONT_DIR", "FONT_FILES", "FONT_STACK", "Face", "face"]

FONT_DIR = Path(__file__).parent / "fonts"
#: The font files by weight name.
FONT_FILES: dict[str, Path] = {
    "regular": FONT_DIR / "Inter-Regular.otf",
    "semibold": FONT_DIR / "Inter-SemiBold.otf",
}
FAMILY = "Inter"
#: The CSS font stack written into SVG: Inter first, then fonts no wider than it (Arial, or
#: Liberation Sans which Linux maps Arial to, is narrower than Inter; DejaVu Sans is wider).
FONT_STACK = "Inter, Arial, 'Liberation Sans', Helvetica, sans-serif"
_MISSING_EM = 1.0


@dataclass(slots=True)
class Face:
    """One weight of the typeface: advance widths in em by character."""

    weight: str
    advances: dict[str, float]
    ascender: float
    descender: float
    _words: dict[str, float] = field(default_factory=dict, repr=False)

    def em_width(self, text: str) -> float:
        """The width of ``text`` in em (multiply by the font size for pixels)."""
        cached = self._words.get(text)
        if cached is not None:
            return cached
        advances = self.advances
        width = 0.0
        for ch in text:
            width += advances.get(ch, _MISSING_EM)
        if len(self._words) < 200_000:
            self._words[text] = width
        return width

    def width(self, text: str, size: float) -> float:
        """The width of ``text`` in pixels at ``size`` pixels."""
        return self.em_width(text) * size


@cache
def face(weight: str = "regular") -> Face:
    """The measured face for a weight (``regular`` or ``semibold``), loaded once."""
    from fontTools.ttLib import TTFont

    advances: dict[str, float] = {}
    with TTFont(FONT_FILES[weight], lazy=True) as font:
        upm = float(font["head"].unitsPerEm)
        hmtx = font["hmtx"]
        for code, glyph in font.getBestCmap().items():
            advances[chr(code)] = hmtx[glyph][0] / upm
        hhea = font["hhea"]
        ascent, descent = hhea.ascent, hhea.descent
    # Characters that draw nothing take no room.
    for ch in "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff":
        advances[ch] = 0.0
    return Face(weight=weight, advances=advances, ascender=ascent / upm, descender=-descent / upm)
