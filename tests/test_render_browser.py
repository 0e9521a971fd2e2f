"""The real examples drawn as HTML pages in Chromium: text fits its boxes in the browser too.

The layout measures text with the bundled Inter's own advance widths; here the browser lays the
same text out with the same font (embedded in the page) and every line must end inside its box.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import stageline
from stageline.layout.engine import BOX_PAD_X
from stageline.render.output import render

if TYPE_CHECKING:
    from playwright.sync_api import Browser

EXAMPLES = sorted(Path(__file__).parent.parent.joinpath("examples").glob("*.yaml"))

# For every text element inside an action or note: how far its longest line reaches, and the
# right edge of the box's shape.
_OVERFLOW = """
() => {
  const out = [];
  for (const g of document.querySelectorAll('g.sl-action, g.sl-note')) {
    const shape = g.querySelector(':scope > rect, :scope > path');
    const box = shape.getBBox();
    for (const text of g.querySelectorAll(':scope > text')) {
      const lines = text.querySelectorAll('tspan').length ? text.querySelectorAll('tspan') : [text];
      for (const line of lines) {
        const x = parseFloat(line.getAttribute('x') || text.getAttribute('x'));
        out.push({id: g.dataset.id || g.dataset.row, text: line.textContent,
                  end: x + line.getComputedTextLength(), right: box.x + box.width});
      }
    }
  }
  return out;
}
"""


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_example_page_in_chromium(browser: Browser, path: Path, tmp_path: Path) -> None:
    bp = stageline.load(path)
    page_file = tmp_path / "page.html"
    page_file.write_bytes(render(bp, format="html"))
    url = page_file.as_uri()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    tab.on("request", lambda r: None if r.url == url else requests.append(r.url))
    tab.on("console", lambda m: errors.append(m.text) if m.type in {"error", "warning"} else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    try:
        tab.goto(url)
        tab.evaluate("document.fonts.ready.then(() => true)")
        assert tab.evaluate("document.fonts.check('12px Inter')")
        lines = tab.evaluate(_OVERFLOW)
        assert len(lines) > len(bp.actions)
        over = [line for line in lines if line["end"] > line["right"] - BOX_PAD_X + 0.5]
        assert not over, over[:5]

        # Hovering a real action shows its details; unchecking a lane hides it.
        action = next(a for a in bp.actions if a.lane.value == "backstage" and a.role)
        tab.hover(f'g.sl-action[data-id="{action.id}"]')
        tab.wait_for_function("label => document.body.innerText.includes(label)", arg=action.label, timeout=3000)
        tab.get_by_label("Backstage actions", exact=True).uncheck()
        hidden = tab.eval_on_selector(f'g.sl-action[data-id="{action.id}"]', "el => getComputedStyle(el).visibility")
        assert hidden == "hidden"
        assert errors == [] and requests == []
    finally:
        context.close()


def test_a_standalone_svg_carries_its_font(browser: Browser, tmp_path: Path) -> None:
    """Opened on its own (no Inter installed here), the SVG draws with the Inter it embeds."""
    bp = stageline.load(EXAMPLES[0])
    file = tmp_path / "drawing.svg"
    file.write_bytes(render(bp, format="svg"))
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    tab = context.new_page()
    try:
        tab.goto(file.as_uri())
        tab.evaluate("document.fonts.ready.then(() => true)")
        faces = tab.evaluate("[...document.fonts].filter(f => f.family.includes('Inter')).length")
        assert faces == 2 and tab.evaluate("document.fonts.check('600 12px Inter')")
        over = [line for line in tab.evaluate(_OVERFLOW) if line["end"] > line["right"] - BOX_PAD_X + 0.5]
        assert not over, over[:5]
    finally:
        context.close()
    plain = render(bp, format="svg", embed_fonts=False)
    assert b"@font-face" not in plain and b"@font-face" in file.read_bytes()
