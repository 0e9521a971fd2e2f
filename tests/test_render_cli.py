"""`stageline render`: outputs, views, every format at once, and clear errors that write nothing."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image
from pypdf import PdfReader

import stageline
from stageline.cli.main import main
from stageline.layout.view import select, view_names
from stageline.templates import template_text

EXAMPLES = Path(__file__).parent.parent / "examples"


def run(*args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout_bytes, result.stderr


def image(path: Path) -> tuple[int, int]:
    """The size of the PNG at ``path``."""
    with Image.open(path) as im:
        assert im.format == "PNG"
        return im.size


@pytest.fixture
def cafe(tmp_path: Path) -> Path:
    path = tmp_path / "cafe.yaml"
    path.write_text(template_text("cafe"), encoding="utf-8")
    return path


def test_default_output_is_an_svg_beside_the_blueprint(cafe: Path) -> None:
    code, _, err = run("render", str(cafe))
    assert code == 0, err
    svg = cafe.with_suffix(".svg")
    root = ET.fromstring(svg.read_text(encoding="utf-8"))
    assert root.get("class") == "stageline" and f"wrote {svg}" in err
    code, _, _ = run("render", str(cafe), "--view", "journey")
    assert code == 0 and (cafe.parent / "cafe-journey.svg").exists()


def test_format_follows_the_extension(cafe: Path, tmp_path: Path) -> None:
    for name in ("a.svg", "a.png", "a.pdf", "a.html"):
        code, _, err = run("render", str(cafe), "-o", str(tmp_path / name))
        assert code == 0, err
    assert image(tmp_path / "a.png") is not None
    assert len(PdfReader(tmp_path / "a.pdf").pages) == 1
    assert (tmp_path / "a.html").read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html>")
    code, _, _ = run("render", str(cafe), "-o", str(tmp_path / "two.png"), "--scale", "2")
    assert code == 0
    one, two = image(tmp_path / "a.png"), image(tmp_path / "two.png")
    assert two == (one[0] * 2, one[1] * 2)


def test_standard_output(cafe: Path) -> None:
    code, out, _ = run("render", str(cafe), "-o", "-")
    assert code == 0 and out.startswith(b"<svg ")
    code, out, _ = run("render", str(cafe), "-o", "-", "--format", "png")
    with Image.open(io.BytesIO(out)) as im:
        assert code == 0 and im.format == "PNG"


def test_all_views_skips_views_that_draw_the_same(tmp_path: Path) -> None:
    path = tmp_path / "help-desk.yaml"
    shutil.copy(EXAMPLES / "help-desk.yaml", path)
    code, _, err = run("render", str(path), "--all-views", str(tmp_path / "out"))
    assert code == 0 and "skipped view phases: it shows the same as summary" in err
    assert "skipped view segment:premium: it shows the same as premium" in err
    assert not (tmp_path / "out" / "help-desk-phases.svg").exists()
    assert (tmp_path / "out" / "help-desk-summary.svg").exists()


def test_views_are_listed(tmp_path: Path) -> None:
    path = tmp_path / "help-desk.yaml"
    shutil.copy(EXAMPLES / "help-desk.yaml", path)
    code, out, _ = run("render", str(path), "--views")
    names = [line.split()[0] for line in out.decode().splitlines()]
    assert code == 0 and names == view_names(stageline.load(path))
    assert {"full", "journey", "phases", "specialist-training", "role:specialist", "segment:premium"} <= set(names)


def test_all_views_writes_every_view_in_every_format(cafe: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, err = run("render", str(cafe), "--all-views", str(out))
    assert code == 0, err
    bp = stageline.load(cafe)
    distinct = {select(bp, v).shows() for v in view_names(bp)}
    written = sorted(p.name for p in out.iterdir())
    assert len(written) == 4 * len(distinct)
    assert {p.suffix for p in out.iterdir()} == {".svg", ".png", ".pdf", ".html"}
    assert "cafe.svg" in written and "cafe-journey.pdf" in written


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--view", "jorney"), "--view: error: unknown view `jorney`"),
        (("--theme", "dark"), "--theme: error: unknown theme `dark`"),
        (("--page", "a7"), "--page: error: unknown page size `a7`"),
        (("--scale", "20"), "--scale: error:"),
    ],
)
def test_bad_options_say_which_and_write_nothing(
    cafe: Path, tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    target = tmp_path / ("out.pdf" if "--page" in args else "out.png")
    code, _, err = run("render", str(cafe), "-o", str(target), *args)
    assert code == 1 and expected in err, err
    assert not target.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out")]


def test_a_failed_render_leaves_the_previous_file_alone(cafe: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.svg"
    target.write_text("previous", encoding="utf-8")
    code, _, _ = run("render", str(cafe), "-o", str(target), "--view", "nope")
    assert code == 1 and target.read_text(encoding="utf-8") == "previous"


def test_unknown_extension_and_invalid_blueprint(cafe: Path, tmp_path: Path) -> None:
    code, _, err = run("render", str(cafe), "-o", str(tmp_path / "x.bmp"))
    assert code == 1 and "--output: error: cannot tell the output format" in err
    bad = tmp_path / "bad.yaml"
    bad.write_text("stageline: 1\ntitle: x\nsteps:\n  - id: a\n    custmer: Walks in\n", encoding="utf-8")
    code, _, err = run("render", str(bad))
    assert code == 1 and "bad.yaml:5:5: error: unknown lane `custmer`" in err
    assert not (tmp_path / "bad.svg").exists()


def test_findings_flag_marks_the_check_results(tmp_path: Path) -> None:
    path = tmp_path / "hospital.yaml"
    shutil.copy(EXAMPLES / "hospital-outpatient.yaml", path)
    code, out, err = run("render", str(path), "--findings", "-o", "-")
    assert code == 0, err
    root = ET.fromstring(out)
    badges = root.findall(".//{http://www.w3.org/2000/svg}g[@class='sl-badge']")
    report = stageline.analyse(stageline.load(path))
    assert len(badges) == len(report.by_place())
    code, _, err = run("render", str(path), "--findings", "-o", str(tmp_path / "h.html"))
    assert code == 0 and "Finding (" in (tmp_path / "h.html").read_text(encoding="utf-8")


def test_watch_refuses_what_no_save_can_fix(cafe: Path) -> None:
    code, _, err = run("render", str(cafe), "--watch", "--theme", "dark")
    assert code == 1 and "--theme: error: unknown theme `dark`" in err
    code, _, err = run("render", str(cafe), "--watch", "--view", "jorney")
    assert code == 1 and "--view: error: unknown view `jorney`" in err
    code, _, err = run("render", str(cafe), "--watch", "-o", "x.png")
    assert code == 2 and "--watch serves the HTML page" in err
    code, _, err = run("render", str(cafe), "--watch", "--port", "99999")
    assert code == 2 and "--port" in err


def test_folders_and_files_that_cannot_be_written_are_reported(cafe: Path, tmp_path: Path) -> None:
    code, _, err = run("render", str(cafe), "--all-views", str(cafe / "x"))
    assert code == 1 and "cannot make this folder" in err
    code, _, err = run("render", str(cafe), "--view", "lanes:,")
    assert code == 1 and "`lanes:,` names no lane" in err
    # A file system that refuses the bytes (here: a file size limit) gives a message, not a traceback.
    script = "import resource; resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000)); from stageline.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-c", script, "render", str(cafe), "-o", str(tmp_path / "big.svg")],
        check=False,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1 and "cannot write here" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "big.svg").exists() and not list(tmp_path.glob(".big.svg*"))


def test_all_views_never_overwrites_one_view_with_another(tmp_path: Path) -> None:
    path = tmp_path / "bp.yaml"
    path.write_text(
        "stageline: 1\ntitle: Two names, one file\nroles: [Barista]\n"
        "steps:\n  - id: order\n    customer: Orders\n    frontstage: {label: Takes the order, role: barista}\n"
        "views:\n  - id: role-barista\n    name: Barista only\n    lanes: [frontstage]\n",
        encoding="utf-8",
    )
    code, _, err = run("render", str(path), "--all-views", str(tmp_path / "out"))
    assert code == 0, err
    names = sorted(p.name for p in (tmp_path / "out").glob("*.svg"))
    assert "bp-role-barista.svg" in names and "bp-role-barista-2.svg" in names
