"""A Stageline drawing as PNG pixels or as a vector PDF, drawn with the bundled Inter.

Stageline wraps text with Inter's own metrics (:mod:`stageline.layout.typeface`), so both
renderers must draw with the very font files Stageline ships, not with whatever Inter (or
none) the user's system has. A system Inter of another version or weight would make labels
run out of their boxes.

* :func:`png` draws with resvg. The bundled files are loaded first and the system fonts after
  them, as a fallback for characters Inter lacks (emoji, CJK); where two fonts tie, resvg takes
  the first, so the bundled Inter always wins over an installed one.
* :func:`pdf` draws with cairo (through CairoSVG) and embeds the fonts. Cairo finds fonts with
  fontconfig, which reads its configuration once per process: before CairoSVG is first imported
  Stageline writes a small ``fonts.conf`` into its cache folder that includes the system
  configuration, adds the bundled font folder and hides every other font of the family Inter,
  and points ``FONTCONFIG_FILE`` at it. A program that used fontconfig before its first PDF keeps
  its old configuration.

The root element of every Stageline SVG is ``<svg xmlns=... width="W" height="H"
viewBox="0 0 W H" ...>`` in pixels; one pixel prints as 0.75 pt, its true size at 96 dpi.
"""

from __future__ import annotations

import hashlib
import html
import io
import math
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from stageline.errors import Problem, RenderError, did_you_mean
from stageline.layout.typeface import FAMILY, FONT_DIR, FONT_FILES
from stageline.render.svg import esc, num

__all__ = ["MAX_PIXELS", "MAX_SCALE", "MAX_SIDE", "PAGE_SIZES", "pdf", "png"]

#: The largest ``--scale`` a PNG may be drawn at.
MAX_SCALE = 8.0
#: The most pixels a PNG may have (about 1 GB of memory while drawing).
MAX_PIXELS = 250_000_000
#: The longest side of a PNG in pixels.
MAX_SIDE = 32_000
#: Points per SVG pixel: true size at 96 dpi.
PT_PER_PX = 0.75
_PT_PER_MM = 72 / 25.4
_PX_PER_MM = _PT_PER_MM / PT_PER_PX
#: The blank border round a printed page, in millimetres.
MARGIN_MM = 10.0
#: How much neighbouring tiles of a tiled PDF repeat of each other, in millimetres.
OVERLAP_MM = 10.0


def _mm(width: float, height: float) -> tuple[float, float]:
    return (round(width * _PT_PER_MM, 2), round(height * _PT_PER_MM, 2))


#: Paper sizes in points, portrait (width, height). ``--page a3`` prints in the orientation that
#: needs fewer pages, ``a3-landscape`` and ``a3-portrait`` in the one named.
PAGE_SIZES: dict[str, tuple[float, float]] = {
    "a0": _mm(841, 1189),
    "a1": _mm(594, 841),
    "a2": _mm(420, 594),
    "a3": _mm(297, 420),
    "a4": _mm(210, 297),
    "a5": _mm(148, 210),
    "letter": (612.0, 792.0),
    "legal": (612.0, 1008.0),
    "tabloid": (792.0, 1224.0),
}
_ORIENTATIONS = ("landscape", "portrait")

_ROOT = re.compile(r"<svg\b[^>]*>")
_ATTRIBUTE = re.compile(r'([A-Za-z_:][-\w:.]*)\s*=\s*"([^"]*)"')
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title>", re.DOTALL)


# -- the drawing --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Root:
    """A Stageline SVG split at its root element: size, other attributes and the content."""

    width: float
    height: float
    attributes: str
    content: str


def _root(svg: str) -> _Root:
    """Read the size from the root ``<svg>`` of a Stageline drawing."""
    match = _ROOT.search(svg)
    attributes = dict(_ATTRIBUTE.findall(match.group(0))) if match else {}
    try:
        width, height = float(attributes["width"]), float(attributes["height"])
    except (KeyError, ValueError):
        width = height = math.nan
    if match is None or not (0 < width < math.inf and 0 < height < math.inf):
        raise RenderError(
            Problem(
                code="render.svg",
                message="the SVG has no root <svg> with a width and height in pixels",
                hint="give a drawing made by Stageline (stageline render --format svg)",
            )
        )
    others = " ".join(
        f'{key}="{value}"' for key, value in attributes.items() if key not in ("width", "height", "viewBox")
    )
    return _Root(width, height, others, svg[match.end() :])


# -- PNG ----------------------------------------------------------------------------------------


def png(svg: str, *, scale: float = 1.0) -> bytes:
    """A Stageline drawing as PNG bytes, ``scale`` pixels per SVG pixel (2 for high-DPI screens).

    The same SVG and scale always give the same bytes. A scale outside (0, 8] or an image over
    250 megapixels or 32,000 pixels a side is refused with a :class:`RenderError`.
    """
    import resvg_py

    root = _root(svg)
    _check_scale(scale)
    _check_size(root, scale)
    try:
        data = resvg_py.svg_to_bytes(
            svg_string=svg,
            zoom=scale,
            # The bundled Inter first and the system fonts after it: where two fonts tie, resvg
            # takes the first loaded, so an installed Inter never replaces the bundled one.
            skip_system_fonts=True,
            font_files=[str(path) for path in FONT_FILES.values()],
            font_dirs=[str(path) for path in _system_font_dirs()],
            font_family=FAMILY,
        )
    except ValueError as exc:
        raise RenderError(Problem(code="render.png", message=f"the PNG could not be drawn: {exc}")) from exc
    return bytes(data)


def _check_scale(scale: float) -> None:
    if not (0 < scale <= MAX_SCALE):
        raise RenderError(
            Problem(
                code="render.scale",
                message=f"the scale must be more than 0 and at most {num(MAX_SCALE)}, not {scale}",
                hint="use --scale 1 for screen size or --scale 2 for high-DPI screens",
            )
        )


def _check_size(root: _Root, scale: float) -> None:
    """Refuse a PNG too big to draw or to open (resvg rounds the scaled size to whole pixels)."""
    width = round(math.ceil(root.width) * scale)
    height = round(math.ceil(root.height) * scale)
    if width * height <= MAX_PIXELS and max(width, height) <= MAX_SIDE:
        return
    raise RenderError(
        Problem(
            code="render.size",
            message=(
                f"the PNG would be {width:,} × {height:,} pixels, more than Stageline draws "
                f"(at most {MAX_PIXELS // 1_000_000} megapixels and {MAX_SIDE:,} pixels a side)"
            ),
            hint="give a smaller --scale, use --format pdf or --format svg, or draw a summary with --view phases",
        )
    )


def _system_font_dirs() -> list[Path]:
    """The folders resvg scans for system fonts, those that exist on this machine."""
    home = Path.home()
    if sys.platform == "win32":
        windows = Path(os.environ.get("WINDIR", r"C:\Windows"))
        local = Path(os.environ.get("LOCALAPPDATA", home / "AppData" / "Local"))
        candidates = [windows / "Fonts", local / "Microsoft" / "Windows" / "Fonts"]
    elif sys.platform == "darwin":
        assets = sorted(Path("/System/Library/AssetsV2").glob("com_apple_MobileAsset_Font*"))
        candidates = [
            Path("/Library/Fonts"),
            Path("/System/Library/Fonts"),
            *assets,
            Path("/Network/Library/Fonts"),
            home / "Library" / "Fonts",
        ]
    else:
        data = Path(os.environ.get("XDG_DATA_HOME") or home / ".local" / "share")
        candidates = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), home / ".fonts", data / "fonts"]
    return [path for path in dict.fromkeys(candidates) if path.is_dir()]


# -- PDF ----------------------------------------------------------------------------------------


def pdf(svg: str, *, page: str | None = None, title: str | None = None) -> bytes:
    """A Stageline drawing as a vector PDF with the fonts embedded, at true size (1 px = 0.75 pt).

    ``page=None`` gives a poster: one page exactly the drawing's size, for a plotter or a viewer.
    ``page="a3"`` (``a0``-``a5``, ``letter``, ``legal``, ``tabloid``) tiles a drawing too big for
    the paper across as many pages as it takes, never shrinking it: 10 mm margins, neighbouring
    tiles overlapping by 10 mm, corner marks where to trim, and a label in the margin naming the
    page, its row and its column. A drawing that fits is one page, at the top left. A bare size
    prints in the orientation that needs fewer pages (landscape when both need as many);
    ``a3-landscape`` or ``a3-portrait`` forces one.

    ``title`` becomes the PDF's title and heads the page labels. The output is deterministic:
    cairo's creation date and producer are dropped, so the same SVG, page and title always give
    the same bytes.
    """
    root = _root(svg)
    sheet = None if page is None else _sheet(page, root)
    cairosvg = _cairosvg()
    if sheet is None:
        pages = [_draw(cairosvg, svg)]
    else:
        label = title or _svg_title(svg) or "Stageline blueprint"
        pages = [_draw(cairosvg, _tile_svg(root, sheet, tile, label)) for tile in _tiles(root, sheet)]
    return _join(pages, title)


@dataclass(frozen=True, slots=True)
class _Sheet:
    """A paper size in SVG pixels, with the area inside the margins where the drawing goes."""

    width: float
    height: float
    margin: float = MARGIN_MM * _PX_PER_MM
    overlap: float = OVERLAP_MM * _PX_PER_MM

    @property
    def width_pt(self) -> float:
        return self.width * PT_PER_PX

    @property
    def height_pt(self) -> float:
        return self.height * PT_PER_PX

    @property
    def area_width(self) -> float:
        return self.width - 2 * self.margin

    @property
    def area_height(self) -> float:
        return self.height - 2 * self.margin


@dataclass(frozen=True, slots=True)
class _Tile:
    """One page of a tiled drawing: its place in the grid and the window of the drawing it shows."""

    row: int
    column: int
    rows: int
    columns: int
    x: float
    y: float

    @property
    def number(self) -> int:
        return (self.row - 1) * self.columns + self.column

    @property
    def count(self) -> int:
        return self.rows * self.columns


def _sheet(page: str, root: _Root) -> _Sheet:
    """The paper for a ``--page`` name such as ``a3``, ``a3-portrait`` or ``letter-landscape``.

    A name without an orientation gives the orientation that tiles ``root`` on fewer pages,
    landscape when both take as many.
    """
    name, _, orientation = page.strip().lower().partition("-")
    size = PAGE_SIZES.get(name)
    if size is None or orientation not in ("", *_ORIENTATIONS):
        choices = [*PAGE_SIZES, *(f"{p}-{o}" for p in PAGE_SIZES for o in _ORIENTATIONS)]
        raise RenderError(
            Problem(
                code="render.page",
                message=f"unknown page size `{page}`; expected one of {', '.join(PAGE_SIZES)}",
                hint=did_you_mean(page, choices)
                or "give a paper size, with -landscape or -portrait to force one, e.g. a3-portrait",
            )
        )
    short, long = sorted(size)
    landscape = _Sheet(long / PT_PER_PX, short / PT_PER_PX)
    portrait = _Sheet(short / PT_PER_PX, long / PT_PER_PX)
    if orientation == "landscape":
        return landscape
    if orientation == "portrait":
        return portrait
    return portrait if _count(root, portrait) < _count(root, landscape) else landscape


def _starts(length: float, area: float, overlap: float) -> list[float]:
    """Where each tile's window starts along one side of the drawing."""
    if length <= area:
        return [0.0]
    step = area - overlap
    count = math.ceil((length - area) / step - 1e-9) + 1
    return [k * step for k in range(count)]


def _count(root: _Root, sheet: _Sheet) -> int:
    """How many pages the drawing takes on ``sheet``."""
    rows = len(_starts(root.height, sheet.area_height, sheet.overlap))
    return rows * len(_starts(root.width, sheet.area_width, sheet.overlap))


def _tiles(root: _Root, sheet: _Sheet) -> Iterator[_Tile]:
    """The pages of a drawing on ``sheet``, row by row from the top left."""
    ys = _starts(root.height, sheet.area_height, sheet.overlap)
    xs = _starts(root.width, sheet.area_width, sheet.overlap)
    for row, y in enumerate(ys, 1):
        for column, x in enumerate(xs, 1):
            yield _Tile(row, column, len(ys), len(xs), x, y)


def _tile_svg(root: _Root, sheet: _Sheet, tile: _Tile, label: str) -> str:
    """A page-sized SVG showing the tile's window of the drawing, with its marks and label."""
    m = sheet.margin
    width = min(sheet.area_width, root.width - tile.x)
    height = min(sheet.area_height, root.height - tile.y)
    window = f"{num(tile.x)} {num(tile.y)} {num(width)} {num(height)}"
    inner = (
        f'<svg x="{num(m)}" y="{num(m)}" width="{num(width)}" height="{num(height)}" '
        f'viewBox="{window}" overflow="hidden" {root.attributes}>{root.content}'
    )
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'width="{num(sheet.width_pt)}pt" height="{num(sheet.height_pt)}pt" viewBox="0 0 {sheet.width} {sheet.height}">'
        f"{inner}{_marks(sheet, tile, width, height)}{_label(sheet, tile, label)}</svg>"
    )


def _marks(sheet: _Sheet, tile: _Tile, width: float, height: float) -> str:
    """Light corner marks round the printed window and ticks where the neighbouring tiles begin.

    To join two tiles, cut one along its corner marks and lay it on the other so that its edge
    meets the other's ticks: the 10 mm between them is printed on both.
    """
    if tile.count == 1:
        return ""
    m, gap, arm = sheet.margin, 1.5 * _PX_PER_MM, 5 * _PX_PER_MM
    left, top, right, bottom = m, m, m + width, m + height
    lines: list[tuple[float, float, float, float]] = []
    for x, y, sx, sy in ((left, top, -1, -1), (right, top, 1, -1), (left, bottom, -1, 1), (right, bottom, 1, 1)):
        lines.append((x + sx * gap, y, x + sx * (gap + arm), y))
        lines.append((x, y + sy * gap, x, y + sy * (gap + arm)))
    step_x, step_y = sheet.area_width - sheet.overlap, sheet.area_height - sheet.overlap
    if tile.column < tile.columns:
        x = m + step_x
        lines += [(x, top - gap, x, top - gap - arm), (x, bottom + gap, x, bottom + gap + arm)]
    if tile.row < tile.rows:
        y = m + step_y
        lines += [(left - gap, y, left - gap - arm, y), (right + gap, y, right + gap + arm, y)]
    path = "".join(f"M{num(x1)} {num(y1)}L{num(x2)} {num(y2)}" for x1, y1, x2, y2 in lines)
    return f'<path d="{path}" fill="none" stroke="#9aa0a6" stroke-width="0.5"/>'


def _label(sheet: _Sheet, tile: _Tile, label: str) -> str:
    """The page's label in the bottom margin, e.g. ``Loan · page 2 of 6 (row 1, column 2)``."""
    text = label
    if tile.count > 1:
        text += f" · page {tile.number} of {tile.count} (row {tile.row}, column {tile.column})"
    size = 9.0
    baseline = sheet.height - sheet.margin / 2 + size / 3
    return (
        f'<text x="{num(sheet.margin + 3 * _PX_PER_MM)}" y="{num(baseline)}" font-family="{FAMILY}" '
        f'font-size="{num(size)}" fill="#5f6368">{esc(text)}</text>'
    )


def _svg_title(svg: str) -> str | None:
    """The drawing's own ``<title>``, for page labels when no title is given."""
    match = _TITLE.search(svg)
    if match is None:
        return None
    return html.unescape(match.group(1)).strip() or None


def _draw(cairosvg: ModuleType, svg: str) -> bytes:
    data = cairosvg.svg2pdf(bytestring=svg.encode("utf-8"), dpi=96)
    return bytes(data)


def _join(pages: list[bytes], title: str | None) -> bytes:
    """One PDF of the single-page PDFs, with Stageline's metadata instead of cairo's."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for data in pages:
        writer.add_page(PdfReader(io.BytesIO(data)).pages[0])
    metadata = {"/Producer": "Stageline"}
    if title:
        metadata["/Title"] = title
    writer.add_metadata(metadata)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# -- cairo and fontconfig -----------------------------------------------------------------------

_SYSTEM_FONTCONFIG = ("/etc/fonts/fonts.conf", "/usr/local/etc/fonts/fonts.conf", "/opt/homebrew/etc/fonts/fonts.conf")
_ours: set[str] = set()


def _cairosvg() -> ModuleType:
    """CairoSVG, imported after fontconfig has been told about the bundled Inter."""
    _use_bundled_fonts()
    try:
        import cairosvg
        import pypdf  # noqa: F401  (joins the pages; part of the same extra)
    except (ImportError, OSError) as exc:
        raise RenderError(
            Problem(
                code="render.pdf",
                message="PDF output needs the optional `pdf` extra",
                hint="pip install 'stageline[pdf]' (and Debian's libcairo2)",
            )
        ) from exc
    module: ModuleType = cairosvg
    return module


def _use_bundled_fonts() -> None:
    """Point ``FONTCONFIG_FILE`` at a configuration that adds the bundled Inter and hides others."""
    current = os.environ.get("FONTCONFIG_FILE")
    if current in _ours:
        return
    base = current or next((p for p in _SYSTEM_FONTCONFIG if Path(p).is_file()), None)
    path = _write_cached(_fontconfig(base))
    if path is not None:
        _ours.add(str(path))
        os.environ["FONTCONFIG_FILE"] = str(path)


def _fontconfig(base: str | None) -> str:
    """A ``fonts.conf``: the system's, the bundled folder, and no Inter but the bundled files."""
    include = f'  <include ignore_missing="yes">{esc(base)}</include>\n' if base else ""
    cache = "" if base else '  <cachedir prefix="xdg">fontconfig</cachedir>\n'
    accept = "".join(
        f'    <acceptfont><pattern><patelt name="file"><string>{esc(str(path.resolve()))}</string></patelt>'
        "</pattern></acceptfont>\n"
        for path in FONT_FILES.values()
    )
    return (
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
        "<!-- Written by Stageline so that cairo draws with the Inter it bundles. -->\n<fontconfig>\n"
        f"{include}{cache}  <dir>{esc(str(FONT_DIR.resolve()))}</dir>\n  <selectfont>\n{accept}"
        f'    <rejectfont><pattern><patelt name="family"><string>{esc(FAMILY)}</string></patelt></pattern>'
        "</rejectfont>\n  </selectfont>\n</fontconfig>\n"
    )


def _write_cached(text: str) -> Path | None:
    """Write ``text`` into Stageline's cache folder (once), or None when no folder is writable."""
    name = f"fonts-{hashlib.sha256(text.encode()).hexdigest()[:16]}.conf"
    for folder in _cache_folders():
        path = folder / name
        try:
            if not (path.is_file() and path.read_text(encoding="utf-8") == text):
                folder.mkdir(parents=True, exist_ok=True)
                _replace(path, text)
        except OSError:
            continue
        return path
    return None


def _replace(path: Path, text: str) -> None:
    """Write a file whole, so that a process reading it at the same time never sees half of it."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False) as tmp:
        tmp.write(text)
    try:
        os.replace(tmp.name, path)
    except OSError:
        os.unlink(tmp.name)
        raise


def _cache_folders() -> list[Path]:
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    user = os.environ.get("USER") or os.environ.get("USERNAME") or "user"
    return [Path(cache) / "stageline", Path(tempfile.gettempdir()) / f"stageline-{user}"]
