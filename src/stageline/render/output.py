"""Draw a blueprint in a view and theme to SVG, PNG, PDF or HTML bytes.

Each output format is a small named function in :data:`FORMATS`, taking the finished drawing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from stageline.errors import Problem, RenderError, did_you_mean
from stageline.layout.engine import Findings, layout
from stageline.layout.heat import HEATS, heat_of
from stageline.layout.scene import Scene
from stageline.layout.view import Selection, select
from stageline.metrics import Metrics
from stageline.metrics.apply import Applied, apply_metrics
from stageline.model import Blueprint

__all__ = ["FORMATS", "Drawing", "Options", "draw", "format_for", "render"]


@dataclass(frozen=True, slots=True)
class Drawing:
    """A blueprint laid out in one view: its scene and the SVG drawn from it."""

    bp: Blueprint
    selection: Selection
    scene: Scene
    svg: str
    findings: Findings = field(default_factory=dict)
    measured: Applied | None = None


@dataclass(frozen=True, slots=True)
class Options:
    """Settings only some formats use: the PNG scale and the PDF page size."""

    scale: float = 1.0
    page: str | None = None
    #: SVG: carry the fonts (subset to the characters used), so the file looks the same anywhere.
    embed_fonts: bool = True


FORMATS: dict[str, Callable[[Drawing, Options], bytes]] = {}
_EXTENSIONS = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".html": "html", ".htm": "html"}


def _format(name: str) -> Callable[[Callable[[Drawing, Options], bytes]], Callable[[Drawing, Options], bytes]]:
    def register(fn: Callable[[Drawing, Options], bytes]) -> Callable[[Drawing, Options], bytes]:
        FORMATS[name] = fn
        return fn

    return register


@_format("svg")
def _svg(d: Drawing, o: Options) -> bytes:
    if not o.embed_fonts:
        return d.svg.encode("utf-8")
    from stageline.render.html import font_face_css

    css = font_face_css(d.svg)
    return d.svg.replace("<defs>", f"<defs><style>{css}</style>", 1).encode("utf-8")


@_format("png")
def _png(d: Drawing, o: Options) -> bytes:
    from stageline.render.raster import png

    return png(d.svg, scale=o.scale)


@_format("pdf")
def _pdf(d: Drawing, o: Options) -> bytes:
    from stageline.render.raster import pdf

    return pdf(d.svg, page=o.page, title=d.scene.title)


@_format("html")
def _html(d: Drawing, o: Options) -> bytes:
    from stageline.render.details import page_info
    from stageline.render.html import page

    info = page_info(d.bp, d.selection, d.scene.title, d.scene.subtitle, d.findings, d.measured)
    return page(d.svg, info).encode("utf-8")


def draw(
    bp: Blueprint,
    view: str | None = None,
    theme: str = "default",
    findings: Findings | None = None,
    measured: Applied | None = None,
    heat: str = "wait",
) -> Drawing:
    """Lay ``bp`` out in ``view`` and ``theme`` and draw it as SVG, marking ``findings`` and
    laying ``measured`` figures over it (the ``heat`` figure shading each action), if given."""
    from stageline.render.svg import svg

    if heat not in HEATS:
        raise RenderError(
            Problem(
                "render.heat",
                f"unknown heat `{heat}`; expected one of {', '.join(HEATS)}",
                hint=did_you_mean(heat, HEATS),
            )
        )
    if measured is not None:
        bp = measured.blueprint
    selection = select(bp, view)
    shading = None
    if measured is not None:
        shading = heat_of(measured, heat, {a.id for a in selection.actions})
    scene = layout(bp, selection, theme, findings, shading)
    return Drawing(bp, selection, scene, svg(scene), findings or {}, measured)


def render(
    bp: Blueprint,
    *,
    view: str | None = None,
    theme: str = "default",
    format: str = "svg",
    scale: float = 1.0,
    page: str | None = None,
    findings: Findings | None = None,
    embed_fonts: bool = True,
    metrics: Metrics | None = None,
    heat: str = "wait",
) -> bytes:
    """The drawing of ``bp`` as bytes in ``format`` (svg, png, pdf or html).

    ``findings`` (``Report.by_place()`` from :func:`stageline.analyse`) are marked on the boxes.
    ``metrics`` (measured or simulated) replace the assumed figures they have and shade each
    action by the ``heat`` figure (a key of :data:`stageline.layout.heat.HEATS`).
    An SVG carries its fonts unless ``embed_fonts`` is False (for tools that replace fonts anyway).
    """
    writer = FORMATS.get(format)
    if writer is None:
        raise RenderError(
            Problem(
                code="render.format",
                message=f"unknown output format `{format}`; expected one of {', '.join(FORMATS)}",
                hint=did_you_mean(format, FORMATS),
            )
        )
    measured = apply_metrics(bp, metrics) if metrics is not None else None
    drawing = draw(bp, view, theme, findings, measured, heat)
    return writer(drawing, Options(scale=scale, page=page, embed_fonts=embed_fonts))


def format_for(path: str | Path, given: str | None = None) -> str:
    """The output format: ``given``, else from the file's extension."""
    if given:
        return given
    suffix = Path(path).suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    raise RenderError(
        Problem(
            code="render.extension",
            message=f"cannot tell the output format from `{Path(path).name}`",
            hint="end the file name in .svg, .png, .pdf or .html, or give --format",
        )
    )
