"""The interactive HTML page in a real Chromium: offline, in Inter, and every interaction working."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from stageline.layout.typeface import face
from stageline.render.html import page
from tests.test_html import MINI_INFO, MINI_SVG

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


@dataclass
class Viewer:
    """A browser tab on a page, with what it asked the network for and the errors it logged."""

    tab: Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def visible(self, selector: str) -> bool:
        return bool(self.tab.eval_on_selector(selector, "el => getComputedStyle(el).visibility === 'visible'"))

    def opacity(self, selector: str) -> float:
        return float(self.tab.eval_on_selector(selector, "el => getComputedStyle(el).opacity"))

    def view_box(self) -> list[float]:
        text = self.tab.get_attribute("svg.stageline", "viewBox") or ""
        return [float(v) for v in text.split()]


def action(id: str) -> str:
    return f'g.sl-action[data-id="{id}"]'


def flow(source: str, target: str) -> str:
    return f'g.sl-flow[data-source="{source}"][data-target="{target}"]'


def open_page(browser: Browser, file: Path) -> Iterator[Viewer]:
    context = browser.new_context(viewport={"width": 1100, "height": 760}, reduced_motion="reduce")
    tab = context.new_page()
    viewer = Viewer(tab)
    url = file.as_uri()
    tab.on("request", lambda r: None if r.url == url else viewer.requests.append(r.url))
    tab.on("console", lambda m: viewer.errors.append(m.text) if m.type in {"error", "warning"} else None)
    tab.on("pageerror", lambda e: viewer.errors.append(str(e)))
    tab.goto(url)
    tab.evaluate("document.fonts.ready.then(() => true)")
    try:
        yield viewer
        assert viewer.errors == []
        assert viewer.requests == []
    finally:
        context.close()


@pytest.fixture(scope="module")
def mini_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    file = tmp_path_factory.mktemp("html") / "mini.html"
    file.write_text(page(MINI_SVG, MINI_INFO), encoding="utf-8")
    return file


@pytest.fixture
def viewer(browser: Browser, mini_file: Path) -> Iterator[Viewer]:
    yield from open_page(browser, mini_file)


def test_loads_offline_without_errors(viewer: Viewer) -> None:
    tab = viewer.tab
    assert tab.title() == "Coffee to go"
    assert tab.inner_text("h1") == "Coffee to go"
    assert tab.inner_text(".sl-sub") == "Service blueprint · as-is"
    tab.hover(action("order.customer"))
    tab.click(action("order.customer"))
    assert viewer.requests == []
    assert viewer.errors == []


def test_text_is_set_in_the_embedded_inter(viewer: Viewer) -> None:
    tab = viewer.tab
    faces = tab.evaluate(
        "[...document.fonts].filter(f => f.family.replace(/\"/g, '') === 'Inter').map(f => [f.weight, f.status])"
    )
    assert sorted(faces) == [["400", "loaded"], ["600", "loaded"]]
    assert tab.evaluate("document.fonts.check('12px Inter') && document.fonts.check('600 12px Inter')")
    # The browser's width of a label is the width Stageline measured it at (less a little kerning);
    # a fallback font would be several per cent off.
    text = "Pulls the espresso shot"
    width = tab.eval_on_selector(f"{action('prepare.backstage')} text", "t => t.getComputedTextLength()")
    measured = face("regular").width(text, 12.5)
    assert measured * 0.985 <= width <= measured * 1.001
    bold = tab.eval_on_selector("g.sl-row[data-row='customer'] text", "t => t.getComputedTextLength()")
    assert (
        face("semibold").width("Customer actions", 12.5) * 0.985
        <= bold
        <= face("semibold").width("Customer actions", 12.5)
    )


def test_hover_shows_the_details(viewer: Viewer) -> None:
    tab = viewer.tab
    assert tab.is_hidden("#sl-tip")
    tab.hover(action("order.frontstage"))
    assert tab.is_visible("#sl-tip")
    assert tab.inner_text("#sl-tip .sl-tip-label") == "Takes the order and the payment"
    assert tab.eval_on_selector_all("#sl-tip dt", "els => els.map(e => e.textContent)") == ["Step", "Role", "Duration"]
    assert tab.eval_on_selector_all("#sl-tip dd", "els => els.map(e => e.textContent)") == ["Order", "Cashier", "1 min"]
    # The card sits inside the window, beside the action.
    box = tab.eval_on_selector("#sl-tip", "t => t.getBoundingClientRect().toJSON()")
    assert box["left"] >= 0 and box["right"] <= 1100 and box["top"] >= 0 and box["bottom"] <= 760
    tab.mouse.move(5, 740)
    assert tab.is_hidden("#sl-tip")


def test_keyboard_reaches_actions(viewer: Viewer) -> None:
    tab = viewer.tab
    attrs = tab.eval_on_selector_all(
        "g.sl-action", "gs => gs.map(g => [g.getAttribute('tabindex'), g.getAttribute('role'), g.ariaLabel])"
    )
    assert attrs[0] == ["0", "button", "Orders a flat white at the counter"]
    assert all(a[0] == "0" for a in attrs)
    # The details card replaces the browser's own tooltip.
    assert tab.eval_on_selector_all("g.sl-action > title", "ts => ts.length") == 0
    tab.focus(action("prepare.backstage"))
    assert tab.inner_text("#sl-tip .sl-tip-label") == "Pulls the espresso shot"
    tab.keyboard.press("Enter")
    assert tab.get_attribute(action("prepare.backstage"), "aria-pressed") == "true"
    assert tab.eval_on_selector("svg.stageline", "s => s.classList.contains('sl-tracing')")
    tab.keyboard.press("Escape")
    assert not tab.eval_on_selector("svg.stageline", "s => s.classList.contains('sl-tracing')")


def test_click_traces_flows(viewer: Viewer) -> None:
    tab = viewer.tab
    tab.click(action("order.frontstage"))
    traced = tab.eval_on_selector_all(
        "g.sl-flow.sl-on", "fs => fs.map(f => f.dataset.source + ' > ' + f.dataset.target)"
    )
    assert traced == ["order.customer > order.frontstage", "order.frontstage > prepare.backstage"]
    for id in ("order.frontstage", "order.customer", "prepare.backstage"):
        assert viewer.opacity(action(id)) == 1
    assert viewer.opacity(action("prepare.frontstage")) < 0.3
    assert viewer.opacity(flow("prepare.backstage", "prepare.frontstage")) < 0.3
    assert viewer.opacity(flow("order.customer", "order.frontstage")) == 1
    assert "2 flows, 2 connected actions" in tab.inner_text("#sl-status")
    # Another action moves the trace; the background clears it.
    tab.click(action("prepare.frontstage"))
    assert tab.eval_on_selector_all("g.sl-flow.sl-on", "fs => fs.length") == 1
    tab.mouse.click(1000, 700)
    assert tab.eval_on_selector_all(".sl-on", "els => els.length") == 0
    assert viewer.opacity(action("prepare.frontstage")) == 1
    assert tab.is_hidden("#sl-status")


def test_unchecking_a_lane_hides_it(viewer: Viewer) -> None:
    tab = viewer.tab
    lanes = tab.eval_on_selector_all("#sl-lanes label", "ls => ls.map(l => l.textContent)")
    assert lanes == ["Customer actions", "Frontstage actions", "Backstage actions"]
    tab.uncheck('#sl-lanes input[value="backstage"]')
    assert not viewer.visible('g.sl-row[data-row="backstage"]')
    assert not viewer.visible(action("prepare.backstage"))
    assert not viewer.visible(flow("order.frontstage", "prepare.backstage"))
    assert not viewer.visible(flow("prepare.backstage", "prepare.frontstage"))
    assert viewer.visible('g.sl-row[data-row="frontstage"]')
    assert viewer.visible(action("prepare.frontstage"))
    assert viewer.visible(flow("order.customer", "order.frontstage"))
    assert tab.get_attribute(action("prepare.backstage"), "tabindex") == "-1"
    tab.check('#sl-lanes input[value="backstage"]')
    assert viewer.visible(action("prepare.backstage"))
    assert viewer.visible(flow("order.frontstage", "prepare.backstage"))


def test_unchecking_a_role_hides_its_actions(viewer: Viewer) -> None:
    tab = viewer.tab
    tab.click(action("order.frontstage"))
    tab.uncheck('#sl-roles input[value="barista"]')
    assert not viewer.visible(action("prepare.backstage"))
    assert not viewer.visible(action("prepare.frontstage"))
    assert not viewer.visible(flow("order.frontstage", "prepare.backstage"))
    assert viewer.visible(action("order.frontstage"))
    assert viewer.visible(action("order.customer"))
    assert viewer.visible('g.sl-row[data-row="backstage"]')
    # The trace follows: only the flow still shown stays traced.
    traced = tab.eval_on_selector_all("g.sl-flow.sl-on", "fs => fs.map(f => f.dataset.target)")
    assert traced == ["order.frontstage"]


def test_zoom_and_pan(viewer: Viewer) -> None:
    tab = viewer.tab
    fit = viewer.view_box()
    tab.click("#sl-zoom-in")
    zoomed = viewer.view_box()
    assert zoomed[2] == pytest.approx(fit[2] / 1.25, rel=1e-3)
    assert tab.inner_text("#sl-zoom-level") != "100%"
    tab.click("#sl-zoom-out")
    assert viewer.view_box()[2] == pytest.approx(fit[2], rel=1e-3)
    tab.mouse.move(500, 400)
    tab.mouse.wheel(0, -200)
    tab.wait_for_function(f"document.querySelector('svg.stageline').viewBox.baseVal.width < {fit[2] * 0.9}")
    tab.keyboard.press("0")
    assert viewer.view_box() == pytest.approx(fit, rel=1e-3)
    tab.keyboard.press("+")
    assert viewer.view_box()[2] < fit[2]
    tab.keyboard.press("-")
    tab.keyboard.press("-")
    assert viewer.view_box()[2] > fit[2]
    # Dragging the background pans and traces nothing.
    tab.keyboard.press("0")
    tab.mouse.move(1000, 700)
    tab.mouse.down()
    tab.mouse.move(900, 650, steps=4)
    tab.mouse.up()
    moved = viewer.view_box()
    assert moved[0] > fit[0] and moved[1] > fit[1]
    assert tab.eval_on_selector_all(".sl-on", "els => els.length") == 0


def test_print_shows_the_drawing_only(viewer: Viewer) -> None:
    tab = viewer.tab
    tab.click("#sl-zoom-in")
    tab.emulate_media(media="print")
    assert tab.is_hidden("header.sl-top")
    assert tab.is_hidden("nav.sl-toolbar")
    # The whole drawing, whatever the zoom on screen; the screen's view comes back afterwards.
    tab.wait_for_function("document.querySelector('svg.stageline').getAttribute('viewBox') === '0 0 720 430'")
    tab.emulate_media(media="screen")
    tab.wait_for_function("document.querySelector('svg.stageline').viewBox.baseVal.width < 720")
    assert tab.is_visible("header.sl-top")


def test_hostile_text_is_shown_as_text(browser: Browser, tmp_path: Path) -> None:
    info = json.loads(json.dumps(MINI_INFO))
    evil = '<img src=x onerror="document.title=1"></script><script>document.title=2</script>'
    info["actions"]["order.customer"]["label"] = evil
    info["actions"]["order.customer"]["details"] = [[evil, "\u202eevil \U0001f9d1\u200d\U0001f373"]]
    info["lanes"][0][1] = evil
    file = tmp_path / "evil.html"
    file.write_text(page(MINI_SVG, info), encoding="utf-8")
    for viewer in open_page(browser, file):
        tab = viewer.tab
        tab.hover(action("order.customer"))
        assert tab.inner_text("#sl-tip .sl-tip-label") == evil
        assert tab.inner_text("#sl-tip dt") == evil
        assert tab.inner_text("#sl-lanes label:first-of-type") == evil
        assert tab.eval_on_selector_all("img", "els => els.length") == 0
        assert tab.title() == "Coffee to go"
