"""The live preview: served on localhost, redrawn on every save, problems shown in place."""

from __future__ import annotations

import html
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from stageline.cli import watch
from stageline.cli.watch import Preview, serve_forever
from stageline.errors import Location, Problem, RenderError, StageLineError
from stageline.render.html import page
from tests.test_html import MINI_INFO, MINI_SVG

if TYPE_CHECKING:
    from playwright.sync_api import Browser


def simple(path: Path) -> str:
    """A page showing the file's text; a file saying ``broken`` has a located problem."""
    text = path.read_text(encoding="utf-8")
    if "broken" in text:
        raise StageLineError(
            Problem("test.broken", "step `<pay>` is broken & unknown", location=Location(str(path), 3, 5))
        )
    return f'<!DOCTYPE html><html><body><p id="content">{html.escape(text)}</p></body></html>'


def get(url: str, headers: dict[str, str] | None = None) -> str:
    with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as response:
        return str(response.read().decode("utf-8"))


def until(check: Callable[[], bool], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.fixture
def blueprint(tmp_path: Path) -> Path:
    file = tmp_path / "bp.yaml"
    file.write_text("first", encoding="utf-8")
    return file


@pytest.fixture
def preview(blueprint: Path) -> Iterator[Preview]:
    with Preview(blueprint, simple, interval=0.05) as running:
        yield running


def save(file: Path, text: str) -> None:
    """Save as editors do: write a new file beside it and rename it over the old one."""
    temp = file.with_name(file.name + ".swp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, file)


def test_serves_the_page_and_its_version(preview: Preview) -> None:
    assert preview.url.startswith("http://127.0.0.1:")
    body = get(preview.url)
    assert '<p id="content">first</p>' in body
    assert 'new EventSource("/events")' in body
    assert body.index("EventSource") < body.index("</body>")
    assert get(preview.url + "version").strip() == "1"


def test_a_save_is_served_within_moments(preview: Preview, blueprint: Path) -> None:
    blueprint.write_text("second version", encoding="utf-8")
    until(lambda: get(preview.url + "version").strip() == "2")
    assert '<p id="content">second version</p>' in get(preview.url)
    save(blueprint, "third")
    until(lambda: get(preview.url + "version").strip() == "3")
    assert '<p id="content">third</p>' in get(preview.url)


def test_problems_are_shown_escaped_then_the_drawing_comes_back(preview: Preview, blueprint: Path) -> None:
    save(blueprint, "broken")
    until(lambda: preview.version == 2)
    body = get(preview.url)
    assert f"{blueprint}:3:5: error: step `&lt;pay&gt;` is broken &amp; unknown" in body
    assert "<pay>" not in body
    assert "EventSource" in body  # the problem page reloads by itself too
    save(blueprint, "fixed")
    until(lambda: preview.version == 3)
    assert '<p id="content">fixed</p>' in get(preview.url)


def test_a_file_missing_for_a_moment_is_waited_for(preview: Preview, blueprint: Path) -> None:
    blueprint.unlink()
    time.sleep(0.3)
    assert preview.version == 1  # not redrawn as missing yet
    blueprint.write_text("back again", encoding="utf-8")
    until(lambda: preview.version == 2)
    assert '<p id="content">back again</p>' in get(preview.url)


def test_a_file_gone_for_good_is_reported(blueprint: Path) -> None:
    def render(path: Path) -> str:
        if not path.exists():
            raise StageLineError(Problem("source.missing", "file not found", location=Location(str(path))))
        return simple(path)

    with Preview(blueprint, render, interval=0.05) as running:
        blueprint.unlink()
        until(lambda: running.version == 2)
        assert "file not found" in get(running.url)
        blueprint.write_text("restored", encoding="utf-8")
        until(lambda: running.version == 3)


def test_an_unexpected_failure_does_not_stop_the_preview(blueprint: Path) -> None:
    def render(path: Path) -> str:
        if path.read_text(encoding="utf-8") == "crash":
            raise RuntimeError("<boom>")
        return simple(path)

    with Preview(blueprint, render, interval=0.05) as running:
        save(blueprint, "crash")
        until(lambda: running.version == 2)
        assert "internal error: RuntimeError: &lt;boom&gt;" in get(running.url)
        save(blueprint, "fine")
        until(lambda: running.version == 3)


def test_events_announce_each_version(preview: Preview, blueprint: Path) -> None:
    with urllib.request.urlopen(preview.url + "events", timeout=5) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert stream.readline() == b"retry: 1000\n"
        assert stream.readline() == b"data: 1\n"
        assert stream.readline() == b"\n"
        save(blueprint, "next")
        assert stream.readline() == b"data: 2\n"


def test_other_paths_and_hosts_are_refused(preview: Preview) -> None:
    with pytest.raises(urllib.error.HTTPError) as missing:
        get(preview.url + "secrets")
    missing.value.close()
    assert missing.value.code == 404
    with pytest.raises(urllib.error.HTTPError) as foreign:
        get(preview.url, {"Host": f"attacker.example:{preview.port}"})
    foreign.value.close()
    assert foreign.value.code == 403
    assert "first" in get(preview.url, {"Host": f"localhost:{preview.port}"})


def test_stops_cleanly(blueprint: Path) -> None:
    running = Preview(blueprint, simple, interval=0.05)
    running.start()
    url = running.url
    # An open event stream does not hold the preview up.
    stream = urllib.request.urlopen(url + "events", timeout=5)
    stream.readline()
    started = time.monotonic()
    running.stop()
    assert time.monotonic() - started < 3
    stream.close()
    with pytest.raises(urllib.error.URLError):
        get(url)
    running.stop()  # stopping twice is harmless


def test_a_busy_port_is_a_located_error(preview: Preview, blueprint: Path) -> None:
    with pytest.raises(RenderError) as error:
        Preview(blueprint, simple, port=preview.port).start()
    assert error.value.problems[0].code == "render.port"
    assert "--port" in str(error.value)


def test_serve_forever_prints_the_address_and_stops_on_ctrl_c(blueprint: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[str] = []

    class Clock:
        monotonic = staticmethod(time.monotonic)

        @staticmethod
        def sleep(seconds: float) -> None:
            assert get(said[0].split(" at ")[1].split()[0]).count("first") == 1
            raise KeyboardInterrupt

    monkeypatch.setattr(watch, "time", Clock)
    serve_forever(blueprint, simple, host="127.0.0.1", port=0, echo=said.append)
    assert said[0].startswith(f"Previewing {blueprint} at http://127.0.0.1:")
    assert said[-1] == "Preview stopped."
    with pytest.raises(urllib.error.URLError):
        get(said[0].split(" at ")[1].split()[0])


def test_the_browser_reloads_by_itself_and_keeps_the_view(browser: Browser, tmp_path: Path) -> None:
    file = tmp_path / "bp.yaml"
    file.write_text("Coffee to go", encoding="utf-8")

    def render(path: Path) -> str:
        title = path.read_text(encoding="utf-8")
        if title == "broken":
            return simple(path)
        return page(MINI_SVG.replace(">Coffee to go<", f">{html.escape(title)}<"), {**MINI_INFO, "title": title})

    context = browser.new_context(viewport={"width": 1000, "height": 700})
    try:
        with Preview(file, render, interval=0.05) as running:
            tab = context.new_page()
            tab.goto(running.url)
            tab.click("#sl-zoom-in")
            tab.uncheck('#sl-roles input[value="barista"]')
            zoomed = tab.get_attribute("svg.stageline", "viewBox")
            save(file, "Coffee to stay")
            tab.wait_for_function("document.querySelector('h1').textContent === 'Coffee to stay'", timeout=8000)
            tab.wait_for_load_state()
            assert tab.text_content(".sl-header text") == "Coffee to stay"
            assert tab.get_attribute("svg.stageline", "viewBox") == zoomed
            assert not tab.is_checked('#sl-roles input[value="barista"]')
            assert (
                tab.eval_on_selector('g.sl-action[data-id="prepare.backstage"]', "g => getComputedStyle(g).visibility")
                == "hidden"
            )
            # A save that breaks the file shows its problems, and they go away on the next save.
            save(file, "broken")
            tab.wait_for_function("document.querySelector('h1').textContent.endsWith('cannot be drawn')", timeout=8000)
            assert "error: step `<pay>` is broken & unknown" in tab.inner_text(".sl-problems")
            save(file, "Coffee to go")
            tab.wait_for_function("document.querySelector('h1').textContent === 'Coffee to go'", timeout=8000)
    finally:
        context.close()
