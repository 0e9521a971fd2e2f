"""PNG and PDF output: real resvg and cairo drawing with the bundled Inter, sizes, tiles and errors."""

from __future__ import annotations

import io
import math
import struct
import sys
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from PIL import Image, ImageChops
from pypdf import PdfReader
from pypdf.generic import DictionaryObject

from stageline.errors import RenderError
from stageline.layout import typeface
from stageline.render.raster import MAX_SCALE, PAGE_SIZES, pdf, png

STACK = "Inter, 'Helvetica Neue', Arial, sans-serif"
TEXT = "Check the application"
MM = 72 / 25.4  # points per millimetre


def drawing(
    width: int = 240, height: int = 80, *, text: str | None = TEXT, family: str = STACK, weight: int = 400
) -> str:
    """A small SVG shaped like Stageline's: the root format, a coloured box and a line of text."""
    label = (
        f'<text x="10" y="30" font-family="{family}" font-size="14" font-weight="{weight}">{text}</text>'
        if text
        else ""
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" class="stageline">'
        f"<title>Loan application</title>"
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>'
        f'<rect x="4" y="40" width="{width - 8}" height="{height - 44}" rx="4" fill="#1a73e8"/>'
        f"{label}</svg>"
    )


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def image(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as img:
        return img.convert("RGB")


def ink_width(data: bytes) -> int:
    """How wide the dark text is, in pixels (the box below it is blue, the page white)."""
    img = image(data)
    top = img.crop((0, 0, img.width, 36)).convert("L").point(lambda v: 255 if v < 128 else 0)
    box = top.getbbox()
    assert box is not None, "no text was drawn"
    return box[2] - box[0]


def read(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def fonts(reader: PdfReader) -> list[DictionaryObject]:
    """Every font used on every page."""
    found = []
    for page in reader.pages:
        resources = page["/Resources"].get_object()
        for ref in resources.get("/Font", {}).values():
            found.append(ref.get_object())
    return found


# -- PNG ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("scale", [1.0, 2.0, 0.5, 1.5])
def test_png_size_is_the_drawing_times_the_scale(scale: float) -> None:
    data = png(drawing(240, 80), scale=scale)
    assert png_size(data) == (round(240 * scale), round(80 * scale))


def test_png_is_deterministic() -> None:
    assert png(drawing(), scale=2) == png(drawing(), scale=2)


def test_png_draws_the_text() -> None:
    with_text, without = image(png(drawing())), image(png(drawing(text=None)))
    assert ImageChops.difference(with_text, without).getbbox() is not None


def test_png_draws_with_inter_not_another_font() -> None:
    inter = png(drawing())
    dejavu = png(drawing(family="DejaVu Sans"))
    assert inter != dejavu
    expected = typeface.face("regular").width(TEXT, 14)
    assert abs(ink_width(inter) - expected) <= 3, (ink_width(inter), expected)


def test_png_semibold_is_wider_than_regular() -> None:
    assert ink_width(png(drawing(weight=600))) > ink_width(png(drawing(weight=400)))


def test_png_prefers_the_bundled_inter_to_an_installed_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Stageline measures text with its own Inter files, so resvg must draw with those files.

    A copy of the bundled regular face with a far wider "C" stands in for the bundled file: the
    drawing must change, whatever Inter the machine has installed.
    """
    wide = tmp_path / "Inter-Regular.otf"
    with TTFont(typeface.FONT_FILES["regular"]) as font:
        glyph = font.getBestCmap()[ord("C")]
        advance, bearing = font["hmtx"][glyph]
        font["hmtx"][glyph] = (advance * 3, bearing)
        font.save(wide)
    normal = png(drawing(text="CCCC"))
    monkeypatch.setitem(typeface.FONT_FILES, "regular", wide)
    assert ink_width(png(drawing(text="CCCC"))) > ink_width(normal) * 2


@pytest.mark.parametrize("scale", [0, -1, MAX_SCALE + 0.5, math.nan, math.inf])
def test_png_refuses_a_bad_scale(scale: float) -> None:
    with pytest.raises(RenderError) as info:
        png(drawing(), scale=scale)
    problem = info.value.problems[0]
    assert problem.code == "render.scale"
    assert problem.hint


@pytest.mark.parametrize(("width", "height", "scale"), [(20_000, 20_000, 1.0), (40_000, 100, 1.0), (6_000, 3_000, 8.0)])
def test_png_refuses_an_image_too_big_to_draw(width: int, height: int, scale: float) -> None:
    with pytest.raises(RenderError) as info:
        png(drawing(width, height), scale=scale)
    problem = info.value.problems[0]
    assert problem.code == "render.size"
    assert problem.hint is not None
    for suggestion in ("--scale", "--format pdf", "--view phases"):
        assert suggestion in problem.hint


def test_png_refuses_an_svg_without_a_size() -> None:
    with pytest.raises(RenderError) as info:
        png('<svg xmlns="http://www.w3.org/2000/svg"><rect width="5" height="5"/></svg>')
    assert info.value.problems[0].code == "render.svg"


# -- PDF ----------------------------------------------------------------------------------------


def test_pdf_poster_is_the_drawing_at_true_size() -> None:
    reader = read(pdf(drawing(240, 80)))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((240 * 0.75, 80 * 0.75), abs=0.01)


def test_pdf_keeps_the_text_as_text() -> None:
    reader = read(pdf(drawing()))
    assert TEXT in reader.pages[0].extract_text()


@pytest.mark.parametrize(("weight", "face"), [(400, "Inter-Regular"), (600, "Inter-SemiBold")])
def test_pdf_embeds_the_bundled_inter(weight: int, face: str) -> None:
    """Each weight is drawn with its own bundled file, never another Inter the system may have."""
    (font,) = fonts(read(pdf(drawing(weight=weight))))
    assert str(font["/BaseFont"]).endswith("+" + face)
    descriptor = font["/FontDescriptor"].get_object()
    assert "/FontFile3" in descriptor or "/FontFile2" in descriptor


def test_pdf_sets_the_title_and_is_deterministic() -> None:
    data = pdf(drawing(), title="Personal loan application")
    assert read(data).metadata is not None
    assert read(data).metadata.title == "Personal loan application"
    assert pdf(drawing(), title="Personal loan application") == data
    assert b"CreationDate" not in data


def expected_tiles(length_px: float, paper_pt: float) -> int:
    """Tiles along one side by the stated rules: 10 mm margins, 10 mm overlap, true size."""
    area = (paper_pt - 2 * 10 * MM) / 0.75
    overlap = 10 * MM / 0.75
    if length_px <= area:
        return 1
    return 1 + math.ceil((length_px - area) / (area - overlap))


def orientations(width: float, height: float, paper: str) -> dict[str, tuple[int, int, tuple[float, float]]]:
    """Rows, columns and page size (points) of a drawing on each orientation of ``paper``."""
    short, long = PAGE_SIZES[paper]
    return {
        "landscape": (expected_tiles(height, short), expected_tiles(width, long), (long, short)),
        "portrait": (expected_tiles(height, long), expected_tiles(width, short), (short, long)),
    }


def best(width: float, height: float, paper: str) -> tuple[int, int, tuple[float, float]]:
    """The stated choice for a bare size: fewer pages wins, landscape on a tie."""
    sides = orientations(width, height, paper)
    landscape, portrait = sides["landscape"], sides["portrait"]
    return portrait if portrait[0] * portrait[1] < landscape[0] * landscape[1] else landscape


def page_sizes(reader: PdfReader) -> set[tuple[float, float]]:
    return {(round(float(p.mediabox.width), 2), round(float(p.mediabox.height), 2)) for p in reader.pages}


def test_pdf_tiles_a_big_drawing_across_pages() -> None:
    width, height = 3000, 1500
    rows, columns, size = best(width, height, "a4")
    reader = read(pdf(drawing(width, height), page="a4", title="Personal loan application"))
    assert len(reader.pages) == rows * columns > 1
    for number, page in enumerate(reader.pages, 1):
        box = page.mediabox
        assert (float(box.width), float(box.height)) == pytest.approx(size, abs=0.01)
        row, column = divmod(number - 1, columns)
        label = f"Personal loan application · page {number} of {rows * columns} (row {row + 1}, column {column + 1})"
        assert label in page.extract_text()
    assert TEXT in reader.pages[0].extract_text()
    assert TEXT not in reader.pages[-1].extract_text()
    assert all(str(font["/BaseFont"]).endswith("+Inter-Regular") for font in fonts(reader))


# A wide blueprint (Stageline's help-desk example is 2770 x 1291) takes fewer portrait A3 pages,
# a narrow tall one fewer portrait A4 pages, a long strip fewer landscape ones; the last two take
# as many pages either way.
CHOICES = [(2770, 1291, "a3"), (700, 3000, "a4"), (3000, 500, "a4"), (1500, 1100, "a3"), (2000, 2000, "letter")]


@pytest.mark.parametrize(("width", "height", "paper"), CHOICES)
def test_pdf_bare_page_size_takes_the_orientation_with_fewer_pages(width: int, height: int, paper: str) -> None:
    rows, columns, size = best(width, height, paper)
    reader = read(pdf(drawing(width, height), page=paper))
    assert len(reader.pages) == rows * columns
    assert page_sizes(reader) == {(round(size[0], 2), round(size[1], 2))}


def test_pdf_bare_page_size_choice_is_not_always_the_same() -> None:
    """The sizes above exercise both outcomes, and the help-desk size is the reviewer's case."""
    chosen = {best(w, h, p)[2] == orientations(w, h, p)["portrait"][2] for w, h, p in CHOICES}
    assert chosen == {True, False}
    sides = orientations(2770, 1291, "a3")
    assert sides["landscape"][0] * sides["landscape"][1] == 4
    assert sides["portrait"][0] * sides["portrait"][1] == 3


def test_pdf_orientations_tie_gives_landscape() -> None:
    # Fits on one page either way.
    reader = read(pdf(drawing(600, 500), page="a4"))
    short, long = PAGE_SIZES["a4"]
    assert page_sizes(reader) == {(round(long, 2), round(short, 2))}
    assert len(reader.pages) == 1


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_pdf_named_orientation_is_forced(orientation: str) -> None:
    rows, columns, size = orientations(2770, 1291, "a3")[orientation]
    reader = read(pdf(drawing(2770, 1291), page=f"A3-{orientation.title()}"))
    assert len(reader.pages) == rows * columns
    assert page_sizes(reader) == {(round(size[0], 2), round(size[1], 2))}


def test_pdf_labels_pages_with_the_drawing_title_when_none_is_given() -> None:
    reader = read(pdf(drawing(3000, 100), page="a4"))
    assert "Loan application · page 1 of" in reader.pages[0].extract_text()


def test_pdf_portrait_pages() -> None:
    short, long = PAGE_SIZES["a3"]
    reader = read(pdf(drawing(3000, 100), page="A3-portrait"))
    assert len(reader.pages) == expected_tiles(3000, short)
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((short, long), abs=0.01)


def test_pdf_a_drawing_that_fits_is_one_page_at_true_size() -> None:
    data = pdf(drawing(240, 80), page="letter")
    reader = read(data)
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx((792, 612))
    text = reader.pages[0].extract_text()
    assert TEXT in text
    assert "page 1 of" not in text


@pytest.mark.parametrize(("page", "suggestion"), [("a44", "a4"), ("a3-portait", "a3-portrait"), ("leter", "letter")])
def test_pdf_unknown_page_size_suggests_a_known_one(page: str, suggestion: str) -> None:
    with pytest.raises(RenderError) as info:
        pdf(drawing(), page=page)
    problem = info.value.problems[0]
    assert problem.code == "render.page"
    assert problem.hint == f"did you mean `{suggestion}`?"


def test_pdf_unknown_page_size_without_a_close_match_still_hints() -> None:
    with pytest.raises(RenderError) as info:
        pdf(drawing(), page="b5")
    assert info.value.problems[0].hint


def test_pdf_without_cairo_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "cairosvg", None)  # what Python sees when it is not installed
    with pytest.raises(RenderError) as info:
        pdf(drawing())
    problem = info.value.problems[0]
    assert problem.message == "PDF output needs the optional `pdf` extra"
    assert problem.hint == "pip install 'stageline[pdf]' (and Debian's libcairo2)"
