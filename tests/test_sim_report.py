"""The simulation report: one self-contained HTML page comparing scenarios, checked as text and in Chromium."""

from __future__ import annotations

import html
import math
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from stageline.model import (
    Action,
    Arrivals,
    Blueprint,
    Distribution,
    Flow,
    Lane,
    Party,
    Resource,
    Scenario,
    SimAction,
    SimulationSettings,
    Step,
)
from stageline.model.timing import Timing
from stageline.sim import Options, SimulationResult, simulate
from stageline.sim.report import WARN_UTILISATION, format_wait, html_report
from stageline.sim.run import Estimate

if TYPE_CHECKING:
    from playwright.sync_api import Browser

ROLES = {"cashier": "Cashier", "barista": "Barista"}


def cafe(title: str = "Coffee to go", scenario: str = "third barista") -> Blueprint:
    """A café: a customer action without a resource, two roles, patience, costs and three scenarios."""
    steps = (
        Step(id="order", name="Order"),
        Step(id="pay", name="Pay"),
        Step(id="make", name="Make"),
        Step(id="collect", name="Collect"),
    )
    actions = (
        Action(id="order.c", step="order", lane=Lane.CUSTOMER, label="Chooses a drink", duration=Timing(40)),
        Action(
            id="order.f",
            step="order",
            lane=Lane.FRONTSTAGE,
            label="Takes the order",
            role="cashier",
            duration=Timing(50),
        ),
        Action(
            id="pay.f", step="pay", lane=Lane.FRONTSTAGE, label="Takes payment", role="cashier", duration=Timing(30)
        ),
        Action(
            id="make.b", step="make", lane=Lane.BACKSTAGE, label="Pulls the shot", role="barista", duration=Timing(150)
        ),
        Action(
            id="collect.f",
            step="collect",
            lane=Lane.FRONTSTAGE,
            label="Hands over the cup",
            role="barista",
            duration=Timing(15),
        ),
    )
    flows = tuple(
        Flow(source=a, target=b)
        for a, b in (("order.c", "order.f"), ("order.f", "pay.f"), ("pay.f", "make.b"), ("make.b", "collect.f"))
    )
    simulation = SimulationSettings(
        arrivals=Arrivals(rate=1 / 95),
        resources=(
            Resource(id="cashier", capacity=1, cost=18 / 3600),
            Resource(id="barista", capacity=2, cost=20 / 3600),
        ),
        actions=(SimAction(id="make.b", duration=Distribution("lognormal", mean=170, sd=60)),),
        patience=Distribution("exponential", mean=1800),
        scenarios=(
            Scenario(name=scenario, description="Add one barista at the bar.", staff=(("barista", 1, True),)),
            Scenario(name="kiosk", description="Customers order at a kiosk.", automate=("order.f",)),
        ),
    )
    return Blueprint(
        title=title,
        currency="EUR",
        roles=tuple(Party(id=k, name=v) for k, v in ROLES.items()),
        steps=steps,
        actions=actions,
        flows=flows,
        simulation=simulation,
    )


@pytest.fixture(scope="module")
def bp() -> Blueprint:
    return cafe()


@pytest.fixture(scope="module")
def result(bp: Blueprint) -> SimulationResult:
    return simulate(bp, options=Options(replications=3, customers=2000))


@pytest.fixture(scope="module")
def report(result: SimulationResult, bp: Blueprint) -> str:
    return html_report(result, bp)


def figure(page: str, plot: str) -> str:
    """The ``<figure>`` of one plot."""
    match = re.search(rf'<figure class="[^"]*" data-plot="{plot}"[^>]*>.*?</figure>', page, re.S)
    assert match, plot
    return match.group()


def figures(page: str, plot: str) -> list[str]:
    return re.findall(rf'<figure class="[^"]*" data-plot="{plot}"[^>]*>.*?</figure>', page, re.S)


# Text ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0 s"),
        (0.04, "0 s"),
        (4.24, "4.2 s"),
        (9.96, "10 s"),
        (42.4, "42 s"),
        (59.6, "1 min"),
        (250, "4 min 10 s"),
        (3599.7, "1 h"),
        (3900, "1 h 5 min"),
        (86399, "1 d"),
        (2 * 86400 + 3 * 3600, "2 d 3 h"),
        (math.nan, "—"),
        (math.inf, "∞"),
    ],
)
def test_durations_are_rounded_for_reading(seconds: float, text: str) -> None:
    assert format_wait(seconds) == text


# The page -------------------------------------------------------------------------------------------


def test_page_is_self_contained_and_accessible(report: str) -> None:
    assert report.startswith("<!DOCTYPE html>")
    assert "<title>Coffee to go · simulation report</title>" in report
    assert "<script" not in report
    assert "<link" not in report
    assert "<img" not in report
    # The only URLs are SVG's namespace and the embedded fonts (data: URLs).
    urls = set(re.findall(r"https?://[^\s\"')]+", report))
    assert urls == {"http://www.w3.org/2000/svg"}
    assert "url(data:font/woff;base64," in report
    # Every plot is a figure with a caption, every SVG an image with a title and description.
    svgs = re.findall(r"<svg [^>]*>", report)
    assert len(svgs) >= 4
    for tag in svgs:
        assert 'role="img"' in tag
        assert "aria-labelledby=" in tag
    assert report.count("<figure") == report.count("<figcaption>") == len(svgs)
    assert len(re.findall(r"<svg [^>]*><title id=", report)) == len(svgs)


def test_header_says_what_was_run(report: str, result: SimulationResult) -> None:
    assert "<h1>Coffee to go</h1>" in report
    assert "<dt>Replications</dt><dd>3</dd>" in report
    assert f"<dt>Seed</dt><dd>{result.seed}</dd>" in report
    assert "<dt>Customers</dt><dd>2,000 arrivals</dd>" in report
    assert "<dt>Warm-up</dt><dd>the first tenth of the time</dd>" in report
    assert "95% confidence interval" in report


def test_every_scenario_appears_in_the_table_and_the_plots(report: str, result: SimulationResult) -> None:
    names = [sc.name for sc in result.scenarios]
    assert names == ["as-is", "third barista", "kiosk"]
    heads = re.findall(r'<th scope="col" data-scenario="([^"]*)">', report)
    assert heads == names  # as-is first
    for plot in ("felt", "cycle"):
        assert re.findall(r'<g class="bar" data-scenario="([^"]*)">', figure(report, plot)) == names
    assert re.findall(r'<div class="scenario" data-scenario="([^"]*)">', report) == names


def test_every_role_appears_in_the_utilisation_plot(report: str, result: SimulationResult) -> None:
    plot = figure(report, "utilisation")
    assert re.findall(r'<g class="group" data-role="([^"]*)">', plot) == ["cashier", "barista"]
    for name in ROLES.values():
        assert f">{name}</text>" in plot
    # One bar per role and scenario, and the reference lines.
    bars = re.findall(r'<g class="bar" data-role="([^"]*)" data-scenario="([^"]*)">', plot)
    assert len(bars) == len(ROLES) * len(result.scenarios)
    assert ">85%</text>" in plot
    assert ">100%</text>" in plot


def test_utilisation_figures_match_the_result(report: str, result: SimulationResult) -> None:
    plot = figure(report, "utilisation")
    seen = 0
    for sc in result.scenarios:
        for role in sc.roles:
            match = re.search(
                rf'<g class="bar" data-role="{role.id}" data-scenario="{html.escape(sc.name)}">.*?'
                r'<rect [^>]*fill="([^"]+)"/>.*?<text class="value"[^>]*>([^<]*)</text>',
                plot,
                re.S,
            )
            assert match, (sc.name, role.id)
            fill, text = match.groups()
            assert text == f"{round(role.utilisation.mean * 100)}%"
            # Busy roles are drawn in the warning colour, and only they.
            assert (fill == "#c2410c") == (role.utilisation.mean > WARN_UTILISATION)
            seen += 1
    assert seen == 6


def test_comparison_table_shows_means_and_half_widths(report: str, result: SimulationResult) -> None:
    table = re.search(r'<table class="compare">.*?</table>', report, re.S)
    assert table
    for sc in result.scenarios:
        felt = f'{format_wait(sc.felt_mean.mean)} <span class="pm">± {format_wait(sc.felt_mean.half)}</span>'
        assert felt in table.group()
        assert f"{sc.abandonment.mean * 100:.1f}%" in table.group()
        assert f"{sc.cost.mean:,.2f} EUR" in table.group()


def test_better_and_worse_only_where_intervals_do_not_overlap(report: str, result: SimulationResult) -> None:
    base, extra = result.scenarios[0], result.scenarios[1]
    # A third barista cuts the wait far beyond the noise; the as-is column is never marked.
    assert extra.felt_mean.high < base.felt_mean.low
    rows = re.findall(r"<tr>(.*?)</tr>", re.search(r"<tbody>(.*?)</tbody>", report, re.S).group(1))  # type: ignore[union-attr]
    felt_row = next(r for r in rows if "Felt wait, mean" in r)
    cells = re.findall(r'<td class="([^"]*)">', felt_row)
    assert cells[0] == "num"
    assert cells[1] == "num better"
    # Customers arriving are the same in every scenario (common random numbers): never marked.
    customers_row = next(r for r in rows if "Customers<" in r)
    assert re.findall(r'<td class="([^"]*)">', customers_row) == ["num"] * 3
    assert 'class="legend"' in report


def test_wait_spreads_for_actions_that_wait(report: str, result: SimulationResult) -> None:
    assert len(figures(report, "felt")) == 2  # the mean plot and the spread of felt waits
    plotted = [re.search(r'data-action="([^"]*)"', f).group(1) for f in figures(report, "wait")]  # type: ignore[union-attr]
    waiting = [a.id for a in result.scenarios[0].actions if (a.waits > 0).any()]
    assert "order.c" not in plotted  # no resource: nobody waits
    assert plotted == waiting
    spread = figures(report, "wait")[0]
    assert re.findall(r'<g class="row" data-scenario="([^"]*)">', spread) == [sc.name for sc in result.scenarios]
    # The kiosk takes orders without the cashier: nobody waits there.
    order = next(f for f in figures(report, "wait") if 'data-action="order.f"' in f)
    assert "nobody waited" in order


def test_per_action_tables(report: str, result: SimulationResult) -> None:
    for sc in result.scenarios:
        block = re.search(rf'<div class="scenario" data-scenario="{html.escape(sc.name)}">.*?</table>', report, re.S)
        assert block
        for a in sc.actions:
            assert f'<tr data-action="{a.id}">' in block.group()
        make = re.search(r'<tr data-action="make.b">(.*?)</tr>', block.group(), re.S)
        assert make
        action = next(a for a in sc.actions if a.id == "make.b")
        assert format_wait(action.wait_mean.mean) in make.group(1)
        assert "Barista" in make.group(1)


def test_user_text_is_escaped() -> None:
    bp = cafe(title="<b>&", scenario="<i>more</i> & co")
    result = simulate(bp, options=Options(replications=2, customers=300))
    page = html_report(result, bp)
    assert "<b>&" not in page
    assert "<i>more" not in page
    assert "<title>&lt;b&gt;&amp; · simulation report</title>" in page
    assert "<h1>&lt;b&gt;&amp;</h1>" in page
    assert 'data-scenario="&lt;i&gt;more&lt;/i&gt; &amp; co"' in page
    assert ">&lt;i&gt;more&lt;/i&gt; &amp; co</text>" in page


def test_same_input_same_bytes(result: SimulationResult, bp: Blueprint, report: str) -> None:
    assert html_report(result, bp) == report
    again = simulate(bp, options=Options(replications=3, customers=2000))
    assert html_report(again, bp) == report


def test_one_replication_has_no_intervals() -> None:
    bp = cafe()
    result = simulate(bp, options=Options(replications=1, customers=300), scenarios=[])
    assert result.scenarios[0].felt_mean.half == math.inf
    page = html_report(result, bp)
    assert "one replication" in page
    assert 'class="pm"' not in page
    assert 'class="whisker"' not in page
    assert 'class="legend"' not in page  # nothing to compare with


def test_estimates_without_data_show_a_dash(result: SimulationResult, bp: Blueprint) -> None:
    from dataclasses import replace

    sc = replace(result.scenarios[0], cost=Estimate(math.nan, math.nan, 0))
    page = html_report(replace(result, scenarios=(sc,)), bp)
    row = re.search(r"Cost per customer.*?</tr>", page, re.S)
    assert row
    assert '<span class="na">—</span>' in row.group()


# In a browser ---------------------------------------------------------------------------------------


def test_report_in_chromium(browser: Browser, report: str, tmp_path: Path) -> None:
    file = tmp_path / "report.html"
    file.write_text(report, encoding="utf-8")
    context = browser.new_context(viewport={"width": 1200, "height": 900}, reduced_motion="reduce")
    tab = context.new_page()
    errors: list[str] = []
    requests: list[str] = []
    url = file.as_uri()
    tab.on("console", lambda m: errors.append(m.text) if m.type in {"error", "warning"} else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on("request", lambda r: None if r.url == url else requests.append(r.url))
    try:
        tab.goto(url)
        tab.evaluate("document.fonts.ready.then(() => true)")
        assert tab.title() == "Coffee to go · simulation report"
        sizes = tab.eval_on_selector_all(
            "svg", "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.width, r.height]; })"
        )
        assert len(sizes) >= 4
        assert all(w > 100 and h > 40 for w, h in sizes)
        # The page's text is set in the embedded Inter, and nothing is wider than the window.
        assert tab.evaluate("document.fonts.check('14px Inter') && document.fonts.check('600 14px Inter')")
        assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shot = tmp_path / "report.png"
        tab.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
        assert errors == []
        assert requests == []
    finally:
        context.close()
