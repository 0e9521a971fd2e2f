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
    # The drawing carries the title; the page's heading is for screen readers only.
    assert tab.text_content("h1") == "Coffee to go"
    assert tab.eval_on_selector("h1", "h => h.getBoundingClientRect().width") <= 1
    assert (
        tab.eval_on_selector_all("header.sl-bar > :not(h1)", "els => els.map(e => e.innerText).join(' ')").find(
            "Coffee"
        )
        == -1
    )
    assert tab.get_attribute('meta[name="description"]', "content") == "Service blueprint · as-is"
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


def rect(viewer: Viewer, selector: str) -> dict[str, float]:
    return dict(viewer.tab.eval_on_selector(selector, "e => e.getBoundingClientRect().toJSON()"))


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["left"] < b["right"] and b["left"] < a["right"] and a["top"] < b["bottom"] and b["top"] < a["bottom"]


def test_click_traces_flows(viewer: Viewer) -> None:
    tab = viewer.tab
    assert tab.is_hidden("#sl-panel")
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
    assert "2 flows · 2 connected actions" in tab.inner_text("#sl-status")
    assert tab.inner_text("#sl-detail-title") == "Takes the order and the payment"
    assert tab.eval_on_selector_all("#sl-detail dd", "els => els.map(e => e.textContent)") == [
        "Order",
        "Cashier",
        "1 min",
    ]
    # Another action moves the trace; the background clears it.
    tab.click(action("prepare.frontstage"))
    assert tab.eval_on_selector_all("g.sl-flow.sl-on", "fs => fs.length") == 1
    tab.mouse.click(20, 700)
    assert tab.eval_on_selector_all(".sl-on", "els => els.length") == 0
    assert viewer.opacity(action("prepare.frontstage")) == 1
    assert tab.is_hidden("#sl-status")
    assert tab.is_hidden("#sl-panel")


def test_details_panel_covers_nothing_traced(viewer: Viewer) -> None:
    """The traced action's details sit in a side panel beside the drawing, never over what is traced."""
    tab = viewer.tab
    fit = viewer.view_box()
    tab.click(action("order.frontstage"))
    # The floating card gives way to the panel, even with the pointer still on the action.
    assert tab.is_hidden("#sl-tip")
    panel, stage = rect(viewer, "#sl-panel"), rect(viewer, "#sl-stage")
    assert panel["width"] > 200 and panel["left"] >= stage["right"] - 0.5
    # Everything traced is in view, inside the stage, clear of the panel; the view kept its scale.
    for selector in ("g.sl-action.sl-on", "g.sl-flow.sl-on"):
        for box in tab.eval_on_selector_all(selector, "els => els.map(e => e.getBoundingClientRect().toJSON())"):
            assert stage["left"] <= box["left"] and box["right"] <= stage["right"], box
            assert stage["top"] <= box["top"] and box["bottom"] <= stage["bottom"], box
            assert not overlaps(box, panel)
    assert viewer.view_box()[2] / rect(viewer, "#sl-stage")["width"] == pytest.approx(fit[2] / 1100, rel=1e-3)
    # Hovering another action still shows its card; the traced one's card stays away.
    tab.hover(action("prepare.frontstage"))
    assert tab.inner_text("#sl-tip .sl-tip-label") == "Hands over the cup"
    tab.hover(action("order.frontstage"))
    assert tab.is_hidden("#sl-tip")
    # Clearing gives the room back and the drawing fits again.
    tab.click("#sl-clear")
    assert tab.is_hidden("#sl-panel")
    assert viewer.view_box() == pytest.approx(fit, rel=1e-3)


def flow_point(viewer: Viewer, source: str, target: str, offset: float = 5) -> tuple[float, float]:
    """A point beside a flow's line (the flows in the mini drawing start with a straight piece)."""
    x, y = viewer.tab.eval_on_selector(
        f"{flow(source, target)} path.sl-flow-path",
        """p => {
          const m = p.getScreenCTM(), a = p.getPointAtLength(8);
          return [m.a * a.x + m.c * a.y + m.e, m.b * a.x + m.d * a.y + m.f];
        }""",
    )
    return float(x) + offset, float(y)


def test_hovering_a_flow_shows_its_label(viewer: Viewer) -> None:
    tab = viewer.tab
    # Each flow gets an invisible wide copy of its path that the pointer can find.
    hits = tab.eval_on_selector_all(
        "g.sl-flow > path.sl-flow-hit",
        "ps => ps.map(p => [getComputedStyle(p).pointerEvents, parseFloat(getComputedStyle(p).strokeWidth)])",
    )
    assert hits == [["stroke", 14.0]] * 3
    assert tab.eval_on_selector_all("g.sl-flow > title", "ts => ts.length") == 0
    # Five pixels beside the line is still on the flow.
    tab.mouse.move(*flow_point(viewer, "order.frontstage", "prepare.backstage", 0))
    tab.mouse.move(*flow_point(viewer, "order.frontstage", "prepare.backstage", 5))
    assert tab.is_visible("#sl-tip")
    assert tab.text_content("#sl-tip .sl-tip-kind") == "handoff"
    assert tab.inner_text("#sl-tip .sl-tip-note") == "paid orders 100%"
    assert tab.inner_text("#sl-tip .sl-tip-label") == "Takes the order and the payment → Pulls the espresso shot"
    assert tab.eval_on_selector(flow("order.frontstage", "prepare.backstage"), "f => f.classList.contains('sl-hot')")
    tip = rect(viewer, "#sl-tip")
    assert tip["left"] >= 0 and tip["right"] <= 1100 and tip["bottom"] <= 760
    tab.mouse.move(20, 700)
    assert tab.is_hidden("#sl-tip")


def test_a_title_in_another_form_is_shown_whole(browser: Browser, tmp_path: Path) -> None:
    svg = MINI_SVG.replace(
        "<title>Pulls the espresso shot -&gt; Hands over the cup</title>", "<title>Shot goes to the counter</title>"
    )
    file = tmp_path / "other.html"
    file.write_text(page(svg, MINI_INFO), encoding="utf-8")
    for viewer in open_page(browser, file):
        tab = viewer.tab
        tab.mouse.move(*flow_point(viewer, "prepare.backstage", "prepare.frontstage", 4))
        assert tab.inner_text("#sl-tip .sl-tip-label") == "Shot goes to the counter"
        assert tab.is_hidden("#sl-tip .sl-tip-note")


def test_clicking_a_flow_traces_it_and_its_ends(viewer: Viewer) -> None:
    tab = viewer.tab
    tab.mouse.click(*flow_point(viewer, "order.frontstage", "prepare.backstage", 5))
    on = tab.eval_on_selector_all(
        ".sl-on", "els => els.map(e => e.dataset.id || e.dataset.source + ' > ' + e.dataset.target)"
    )
    assert sorted(on) == ["order.frontstage", "order.frontstage > prepare.backstage", "prepare.backstage"]
    assert tab.get_attribute(flow("order.frontstage", "prepare.backstage"), "aria-pressed") == "true"
    assert viewer.opacity(flow("order.customer", "order.frontstage")) < 0.3
    assert viewer.opacity(action("order.customer")) < 0.3
    assert tab.inner_text("#sl-detail-kind").lower() == "flow · handoff"
    assert tab.inner_text("#sl-detail-title") == "paid orders 100%"
    assert tab.inner_text("#sl-status") == "Takes the order and the payment → Pulls the espresso shot"
    # Its ends lead on: the panel's "To" entry traces the target action.
    tab.click("#sl-detail-body .sl-item >> nth=1")
    assert tab.get_attribute(action("prepare.backstage"), "aria-pressed") == "true"
    assert tab.inner_text("#sl-detail-title") == "Pulls the espresso shot"
    # A second click on a traced flow clears it.
    tab.mouse.click(*flow_point(viewer, "order.frontstage", "prepare.backstage", 5))
    tab.mouse.click(*flow_point(viewer, "order.frontstage", "prepare.backstage", 5))
    assert tab.eval_on_selector_all(".sl-on", "els => els.length") == 0


def test_keyboard_reaches_flows_through_the_panel(viewer: Viewer) -> None:
    tab = viewer.tab
    tab.focus(action("order.frontstage"))
    tab.keyboard.press("Enter")
    entries = tab.eval_on_selector_all("#sl-detail-body .sl-item", "bs => bs.map(b => b.ariaLabel)")
    assert entries == ["From Orders a flat white at the counter", "To Pulls the espresso shot: paid orders 100%"]
    # Focus on an entry shows which flow it is on the drawing; Enter traces that flow.
    tab.focus("#sl-detail-body .sl-item >> nth=1")
    assert tab.eval_on_selector(flow("order.frontstage", "prepare.backstage"), "f => f.classList.contains('sl-hot')")
    tab.keyboard.press("Enter")
    assert tab.get_attribute(flow("order.frontstage", "prepare.backstage"), "aria-pressed") == "true"
    assert tab.evaluate("document.activeElement.id") == "sl-detail-title"
    # Escape clears and gives focus back to the drawing.
    tab.keyboard.press("Escape")
    assert tab.is_hidden("#sl-panel")
    assert tab.evaluate("document.activeElement.closest('svg') !== null")


def ghosts(viewer: Viewer) -> list[str]:
    return list(viewer.tab.eval_on_selector_all("rect.sl-ghost", "rs => rs.map(r => r.dataset.id)"))


def test_unchecking_a_lane_hides_it(viewer: Viewer) -> None:
    tab = viewer.tab
    lanes = tab.eval_on_selector_all("#sl-lanes label", "ls => ls.map(l => l.textContent)")
    assert lanes == ["Customer actions", "Frontstage actions", "Backstage actions"]
    assert tab.is_hidden("#sl-filtered")
    tab.uncheck('#sl-lanes input[value="backstage"]')
    # The band stays, faded, with a dashed outline where each hidden action was; the bar counts them.
    assert viewer.visible('g.sl-row[data-row="backstage"]')
    assert viewer.opacity('g.sl-row[data-row="backstage"]') < 0.5
    assert viewer.opacity('g.sl-row[data-row="frontstage"]') == 1
    assert ghosts(viewer) == ["prepare.backstage"]
    ghost = tab.eval_on_selector("rect.sl-ghost", "r => [r.x, r.y, r.width, r.height].map(a => a.baseVal.value)")
    assert ghost == [466, 316, 200, 48]
    assert tab.inner_text("#sl-filtered-text") == "Hidden: 1 action, 2 flows"
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
    assert ghosts(viewer) == []
    assert tab.is_hidden("#sl-filtered")


def test_show_all_brings_back_what_was_hidden(viewer: Viewer) -> None:
    tab = viewer.tab
    tab.uncheck('#sl-lanes input[value="customer"]')
    tab.uncheck('#sl-roles input[value="barista"]')
    assert tab.inner_text("#sl-filtered-text") == "Hidden: 3 actions, 3 flows"
    assert sorted(ghosts(viewer)) == ["order.customer", "prepare.backstage", "prepare.frontstage"]
    tab.click("#sl-show-all")
    assert tab.is_hidden("#sl-filtered")
    assert tab.eval_on_selector_all(".sl-filter input", "is => is.every(i => i.checked)")
    assert tab.eval_on_selector_all(".sl-off", "els => els.length") == 0
    assert ghosts(viewer) == []


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
    assert viewer.opacity('g.sl-row[data-row="backstage"]') == 1
    assert sorted(ghosts(viewer)) == ["prepare.backstage", "prepare.frontstage"]
    assert tab.inner_text("#sl-filtered-text") == "Hidden: 2 actions, 2 flows"
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
    assert tab.is_hidden("header.sl-bar")
    assert tab.is_hidden(".sl-hint")
    # The whole drawing, whatever the zoom on screen; the screen's view comes back afterwards.
    tab.wait_for_function("document.querySelector('svg.stageline').getAttribute('viewBox') === '0 0 720 430'")
    tab.emulate_media(media="screen")
    tab.wait_for_function("document.querySelector('svg.stageline').viewBox.baseVal.width < 720")
    assert tab.is_visible("header.sl-bar")


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


BADGES = """<g class="sl-badges">
<g class="sl-badge" data-target="order.frontstage" data-severity="warning"><title>2 findings from stageline check
warning: nobody owns `Takes the order and the payment`
info: the customer moves from counter to app</title><circle cx="400" cy="222" r="8.5" fill="#b45309"/></g>
<g class="sl-badge" data-target="prepare.backstage" data-severity="info"><title>1 finding from stageline check
info: `Pulls the espresso shot` has no duration</title><circle cx="666" cy="316" r="8.5" fill="#1864ab"/></g>
</g>
"""


@pytest.fixture
def findings(browser: Browser, tmp_path: Path) -> Iterator[Viewer]:
    file = tmp_path / "findings.html"
    file.write_text(page(MINI_SVG.replace('<g class="sl-legend">', BADGES + '<g class="sl-legend">'), MINI_INFO))
    yield from open_page(browser, file)


def test_findings_list_needs_badges(viewer: Viewer) -> None:
    assert viewer.tab.is_hidden("#sl-findings-toggle")


def test_findings_list_shows_each_badge(findings: Viewer) -> None:
    tab = findings.tab
    assert tab.inner_text("#sl-findings-toggle") == "Findings (3)"
    assert tab.get_attribute("#sl-findings-toggle", "aria-expanded") == "false"
    tab.click("#sl-findings-toggle")
    assert tab.get_attribute("#sl-findings-toggle", "aria-expanded") == "true"
    assert tab.is_visible("#sl-findings")
    entries = tab.eval_on_selector_all(
        "#sl-findings-list > li > button",
        "bs => bs.map(b => [b.querySelector('.sl-item-main').textContent,"
        " [...b.querySelectorAll('li')].map(l => l.textContent)])",
    )
    assert entries == [
        [
            "Takes the order and the payment",
            ["warningnobody owns `Takes the order and the payment`", "infothe customer moves from counter to app"],
        ],
        ["Pulls the espresso shot", ["info`Pulls the espresso shot` has no duration"]],
    ]
    assert tab.eval_on_selector_all("#sl-findings .sl-sev", "s => s.map(e => e.dataset.severity)") == [
        "warning",
        "info",
        "info",
    ]
    # The panel takes room from the drawing rather than covering it; the toggle closes it again.
    assert rect(findings, "#sl-stage")["right"] <= rect(findings, "#sl-panel")["left"] + 0.5
    tab.click("#sl-findings-toggle")
    assert tab.is_hidden("#sl-panel")


def test_choosing_a_finding_zooms_to_its_action_and_traces_it(findings: Viewer) -> None:
    tab = findings.tab
    tab.click("#sl-findings-toggle")
    tab.click("#sl-findings-list > li:nth-child(2) > button")
    assert tab.get_attribute(action("prepare.backstage"), "aria-pressed") == "true"
    assert tab.get_attribute("#sl-findings-list > li:nth-child(2) > button", "aria-current") == "true"
    assert tab.inner_text("#sl-detail-title") == "Pulls the espresso shot"
    # At true size at least, centred in the stage, both lists in the panel.
    stage, box = rect(findings, "#sl-stage"), rect(findings, action("prepare.backstage"))
    assert box["width"] >= 200 * 0.999
    assert (box["left"] + box["right"]) / 2 == pytest.approx((stage["left"] + stage["right"]) / 2, abs=1)
    assert (box["top"] + box["bottom"]) / 2 == pytest.approx((stage["top"] + stage["bottom"]) / 2, abs=1)
    assert tab.is_visible("#sl-detail") and tab.is_visible("#sl-findings")
    # Escape clears the trace first, then closes the findings.
    tab.keyboard.press("Escape")
    assert tab.is_hidden("#sl-detail") and tab.is_visible("#sl-findings")
    tab.keyboard.press("Escape")
    assert tab.is_hidden("#sl-panel")


def test_clicking_a_badge_traces_its_action(findings: Viewer) -> None:
    tab = findings.tab
    tab.click('g.sl-badge[data-target="prepare.backstage"]')
    assert tab.get_attribute(action("prepare.backstage"), "aria-pressed") == "true"


def test_findings_of_hidden_actions_cannot_be_chosen(findings: Viewer) -> None:
    tab = findings.tab
    tab.click("#sl-findings-toggle")
    tab.uncheck('#sl-roles input[value="barista"]')
    assert tab.is_disabled("#sl-findings-list > li:nth-child(2) > button")
    assert not findings.visible('g.sl-badge[data-target="prepare.backstage"]')
