"""``stageline render``: draw a blueprint to SVG, PNG, PDF or interactive HTML."""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from stageline.errors import Location, Problem, SourceError, StageLineError
from stageline.model import Blueprint

if TYPE_CHECKING:
    from stageline.layout.engine import Findings
    from stageline.metrics.apply import Applied

__all__ = ["render_command"]

_ALL_FORMATS = ("svg", "png", "pdf", "html")


@click.command("render")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("-o", "--output", help="Output file, or - for standard output (default: beside FILE, named after it).")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(_ALL_FORMATS),
    help="Output format (default: from -o's extension, else svg).",
)
@click.option(
    "-v", "--view", help="View: full, journey, phases, role:ID, segment:ID, lanes:A,B or a view named in the file."
)
@click.option("-t", "--theme", default="default", show_default=True, help="Theme: default, high-contrast or print.")
@click.option(
    "--scale", type=float, default=1.0, show_default=True, help="PNG: pixels per SVG unit (2 for high-DPI screens)."
)
@click.option(
    "--page",
    help="PDF: tile onto pages of this size (a4, a3, letter, ...; the orientation needing fewer pages, or "
    "a3-portrait / a3-landscape); default: one poster page.",
)
@click.option(
    "--all-views",
    "all_views",
    type=click.Path(file_okay=False),
    help="Write every view in every format into this folder.",
)
@click.option(
    "--no-embed-fonts", "plain", is_flag=True, help="SVG: do not embed the fonts (smaller; needs Inter installed)."
)
@click.option(
    "--findings", "with_findings", is_flag=True, help="Run `stageline check` and mark each action's findings on it."
)
@click.option(
    "--metrics",
    "metrics_path",
    type=click.Path(dir_okay=False),
    help="Lay figures measured (`stageline measure`) or simulated over the drawing.",
)
@click.option(
    "--heat",
    default="wait",
    show_default=True,
    help="With --metrics: the figure that shades each action "
    "(wait, service, cases, drop-off, rework, failures, breaches, satisfaction).",
)
@click.option("--views", "list_views", is_flag=True, help="List the views this blueprint can be drawn in and exit.")
@click.option("--watch", is_flag=True, help="Serve a live preview on localhost that redraws on every save.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="--watch: the port to serve on (0 picks a free one).",
)
def render_command(
    file: str,
    output: str | None,
    fmt: str | None,
    view: str | None,
    theme: str,
    scale: float,
    page: str | None,
    all_views: str | None,
    plain: bool,
    with_findings: bool,
    metrics_path: str | None,
    heat: str,
    list_views: bool,
    watch: bool,
    port: int,
) -> None:
    """Draw a blueprint: phases and steps across, lanes down, the three lines, flows and marks.

    The format comes from -o's extension (.svg, .png, .pdf, .html) or --format. HTML is one
    self-contained page with pan and zoom, details on hover, flows highlighted on click and
    filters by lane and role. With --metrics, measured (or simulated) figures replace the
    assumed ones, each action gets a heat bar and its figures in the tooltip, and the title and
    legend say what was measured. Exits 1 when the blueprint or the options cannot be used.
    """
    ask = _Ask(
        view=view,
        theme=theme,
        scale=scale,
        page=page,
        findings=with_findings,
        embed_fonts=not plain,
        metrics=metrics_path,
        heat=heat,
    )
    try:
        if watch:
            if output is not None or fmt not in (None, "html") or all_views is not None:
                raise click.UsageError("--watch serves the HTML page; leave out -o, --format and --all-views")
            _watch(file, ask, port)
            return
        from stageline.formats import load

        bp = load(file)
        if list_views:
            _list_views(bp)
            return
        if all_views is not None:
            failed = _all_views(bp, file, Path(all_views), ask)
            if failed:
                sys.exit(1)
            return
        _one(bp, file, output, fmt, ask)
    except StageLineError as exc:
        for problem in exc.problems:
            click.echo(_located(problem), err=True)
        sys.exit(1)


@dataclass(frozen=True, slots=True)
class _Ask:
    """What the user asked to draw, beyond the file and the output."""

    view: str | None
    theme: str
    scale: float
    page: str | None
    findings: bool
    embed_fonts: bool
    metrics: str | None = None
    heat: str = "wait"

    def marks(self, file: str) -> Findings | None:
        """The findings of `stageline check` on ``file`` (with its stageline.toml), when asked for."""
        if not self.findings:
            return None
        from stageline.cli.check import analyse_file

        return analyse_file(file, metrics=self.metrics).by_place()

    def measured(self, bp: Blueprint) -> Applied | None:
        """The metrics file applied to ``bp``, when one was given."""
        if self.metrics is None:
            return None
        from stageline.metrics import load_metrics
        from stageline.metrics.apply import apply_metrics

        return apply_metrics(bp, load_metrics(self.metrics))


#: Where a problem with no place in a file comes from: the option that asked for it.
_OPTIONS = {
    "render.view": "--view",
    "render.theme": "--theme",
    "render.format": "--format",
    "render.extension": "--output",
    "render.scale": "--scale",
    "render.size": "--scale",
    "render.page": "--page",
    "render.heat": "--heat",
}


def _located(problem: Problem) -> str:
    if problem.location.line or problem.location.file != "<string>":
        return str(problem)
    where = _OPTIONS.get(problem.code, "stageline render")
    return f"{where}: {problem.severity.value}: {problem.message}" + (f" ({problem.hint})" if problem.hint else "")


def _one(bp: Blueprint, file: str, output: str | None, fmt: str | None, ask: _Ask) -> None:
    from stageline.formats.api import write_bytes
    from stageline.render.output import FORMATS, Options, draw, format_for

    if output is None:
        kind = fmt or "svg"
        target: str = str(Path(file).with_name(_file_name(Path(file).stem, ask.view, kind)))
    else:
        kind = format_for(output, fmt) if output != "-" else (fmt or "svg")
        target = output
    if target == "-" and kind in ("png", "pdf") and sys.stdout.isatty():
        raise click.UsageError(f"{kind.upper()} is binary; give -o FILE or redirect the output")
    if kind not in FORMATS:
        from stageline.render.output import render

        render(bp, format=kind)  # raises the located error for an unknown format
    drawing = draw(bp, ask.view, ask.theme, ask.marks(file), ask.measured(bp), ask.heat)
    data = FORMATS[kind](drawing, Options(scale=ask.scale, page=ask.page, embed_fonts=ask.embed_fonts))
    if target == "-":
        try:
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        except OSError as exc:
            raise SourceError(
                Problem("output.unwritable", f"cannot write: {exc.strerror or exc}", location=Location("<stdout>"))
            ) from None
        return
    write_bytes(target, data)
    click.echo(f"wrote {target}", err=True)


def _file_name(stem: str, view: str | None, kind: str) -> str:
    suffix = "" if view in (None, "full") else "-" + re.sub(r"[^A-Za-z0-9_.-]+", "-", view or "").strip("-")
    return f"{stem}{suffix}.{kind}"


def _all_views(bp: Blueprint, file: str, folder: Path, ask: _Ask) -> bool:
    from stageline.formats.api import write_bytes
    from stageline.layout.view import view_names
    from stageline.render.output import FORMATS, Options, draw

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SourceError(
            Problem("output.folder", f"cannot make this folder: {exc.strerror or exc}", location=Location(str(folder)))
        ) from None
    stem = Path(file).stem
    failed = False
    marks = ask.marks(file)
    measured = ask.measured(bp)
    seen: dict[object, str] = {}
    used: set[str] = set()
    for name in view_names(bp):
        drawing = draw(bp, name, ask.theme, marks, measured, ask.heat)
        same = seen.setdefault(drawing.selection.shows(), name)
        if same != name:
            click.echo(f"skipped view {name}: it shows the same as {same}", err=True)
            continue
        base = _file_name(stem, name if name != "full" else None, "")
        k = 1
        while base in used:  # two view names that make the same file name (role-x and role:x)
            k += 1
            base = _file_name(stem, f"{name}-{k}", "")
        used.add(base)
        for kind in _ALL_FORMATS:
            target = folder / f"{base}{kind}"
            try:
                write_bytes(
                    target, FORMATS[kind](drawing, Options(scale=ask.scale, page=ask.page, embed_fonts=ask.embed_fonts))
                )
            except StageLineError as exc:
                failed = True
                for problem in exc.problems:
                    click.echo(f"{target}: {_located(problem)}", err=True)
                continue
            click.echo(f"wrote {target}", err=True)
    return failed


def _list_views(bp: Blueprint) -> None:
    from stageline.layout.view import view_names

    own = {v.id: v for v in bp.views}
    for name in view_names(bp):
        view = own.get(name)
        described = f"  {view.name}" if view else ""
        click.echo(f"{name}{described}")


def _watch(file: str, ask: _Ask, port: int) -> None:
    from stageline.cli.watch import serve_forever
    from stageline.errors import BlueprintError, ParseError, RenderError
    from stageline.formats import load
    from stageline.layout.heat import HEATS
    from stageline.layout.theme import get_theme
    from stageline.layout.view import select

    # Options no save can fix are refused now; a file with errors is served, to be fixed live.
    get_theme(ask.theme)
    if ask.heat not in HEATS:
        from stageline.render.output import draw

        draw(load(file), heat=ask.heat)  # raises the located error for an unknown heat
    if ask.metrics is not None:
        from stageline.metrics import load_metrics

        load_metrics(ask.metrics)
    try:
        select(load(file), ask.view)
    except (BlueprintError, ParseError):
        pass
    except RenderError:
        raise

    def page(path: Path) -> str:
        from stageline.formats import load
        from stageline.render.output import FORMATS, Options, draw

        bp = load(str(path))
        drawing = draw(bp, ask.view, ask.theme, ask.marks(str(path)), ask.measured(bp), ask.heat)
        return FORMATS["html"](drawing, Options()).decode("utf-8")

    serve_forever(Path(file), page, host="127.0.0.1", port=port, echo=lambda text: click.echo(text, err=True))
