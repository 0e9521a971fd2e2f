"""The interactive HTML page: one self-contained file around a Stageline drawing.

The page needs nothing from the network. It carries the SVG drawing unchanged, the two weights
of Inter that Stageline measured its text with (subset to the characters the page uses, so a
reader's browser lays every label out exactly as Stageline wrapped it), the blueprint's data as
JSON, one style sheet and one script.

What a reader can do: drag to pan, zoom with the wheel, the + / − / Fit buttons or the keys
``+ - 0``; hover over (or tab to) an action to see its details, or over an arrow to read its
label and odds; click (or press Enter on) an action or an arrow to trace it, everything else
fading back until Escape, Clear or a click on the background. What is traced is described in a
side panel beside the drawing, never over it, with the traced action's flows listed there for
the keyboard. Lanes and roles can be hidden with the checkboxes: a dashed outline keeps each
hidden action's place and the bar says how much is hidden. When the drawing marks findings, a
"Findings" button lists them; choosing one shows its action at true size and traces it. The
drawing carries the title, so the page's bar repeats it to screen readers only. Printing shows
the drawing alone.

Safety: user text reaches the page only as escaped HTML (title and subtitle), inside the JSON
block with every character that could end a script escaped, or through ``textContent`` in the
script. The same inputs always give the same bytes.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from collections.abc import Iterator, Mapping
from functools import cache, lru_cache

from stageline.layout.typeface import FAMILY, FONT_FILES, FONT_STACK

__all__ = ["font_face_css", "page"]

#: CSS weights of the bundled font files.
_WEIGHTS = {"regular": 400, "semibold": 600}
# Characters HTML text should not carry: C0 controls but tab, newline and return; lone surrogates.
_UNSAFE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Characters that could end the JSON block, start markup in it, or end a line in old parsers.
_UNSAFE_JSON = re.compile("[<>&\u2028\u2029\ud800-\udfff]")
_ASCII = "".join(chr(c) for c in range(0x20, 0x7F))


def font_face_css(text: str) -> str:
    """``@font-face`` rules for both weights of the bundled Inter, cut down to the characters of ``text``.

    One rule a line, regular (400) then semibold (600), each font a base64 WOFF in a ``data:``
    URL, so a page or a standalone SVG carrying the rules needs nothing from the network and
    draws its text with the very font Stageline measured it with. Characters the font lacks are
    left to the reader's fallback fonts. The same text always gives the same bytes.
    """
    chars = frozenset(text)
    return "\n".join(_font_face(weight, chars) for weight in _WEIGHTS)


def page(svg: str, info: Mapping[str, object]) -> str:
    """The interactive HTML page around ``svg``, a Stageline drawing, described by ``info``.

    ``info`` holds ``title``, ``subtitle``, ``lanes`` and ``roles`` (``[id, name]`` pairs, the
    rows and roles a reader can hide) and ``actions`` (by id: ``label``, ``lane``, ``step``,
    ``role`` and ``details``, the ``[name, value]`` pairs shown on hover).
    """
    title = _text(str(info.get("title") or "Service blueprint"))
    subtitle = _text(str(info.get("subtitle") or ""))
    data = _json(info)
    chars = set(svg) | set(_ASCII) | set(_CSS) | set(_SCRIPT) | set(_BODY_TEXT)
    for text in _strings(info):
        chars.update(text)
    fonts = font_face_css("".join(sorted(chars)))
    description = f'<meta name="description" content="{subtitle}">\n' if subtitle else ""
    return "".join(
        [
            "<!DOCTYPE html>\n",
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n',
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
            '<meta name="generator" content="Stageline">\n',
            description,
            f"<title>{title}</title>\n",
            f"<style>\n{fonts}\n{_CSS.replace('@STACK@', FONT_STACK)}</style>\n",
            "</head>\n<body>\n",
            # The drawing shows the title and subtitle; the bar names the page for screen readers only.
            '<header class="sl-bar">\n',
            f'<h1 class="sl-sr">{title}</h1>\n',
            '<nav class="sl-filters" aria-label="Show or hide lanes and roles">\n',
            '<div class="sl-filter" role="group" aria-labelledby="sl-lanes-name" id="sl-lanes">',
            '<span class="sl-filter-name" id="sl-lanes-name">Lanes</span></div>\n',
            '<div class="sl-filter" role="group" aria-labelledby="sl-roles-name" id="sl-roles">',
            '<span class="sl-filter-name" id="sl-roles-name">Roles</span></div>\n',
            '<div class="sl-filtered" id="sl-filtered" role="status" hidden><span id="sl-filtered-text"></span>',
            '<button type="button" class="sl-link" id="sl-show-all">Show all</button></div>\n',
            "</nav>\n",
            '<div class="sl-tools">\n',
            '<button type="button" id="sl-findings-toggle" aria-expanded="false" aria-controls="sl-findings" hidden>',
            'Findings <span class="sl-count" id="sl-findings-count"></span></button>\n',
            '<div class="sl-zoom" role="group" aria-label="Zoom">\n',
            '<button type="button" id="sl-zoom-out" aria-label="Zoom out" title="Zoom out (−)">−</button>\n',
            '<output id="sl-zoom-level" aria-live="off">100%</output>\n',
            '<button type="button" id="sl-zoom-in" aria-label="Zoom in" title="Zoom in (+)">+</button>\n',
            '<button type="button" id="sl-fit" title="Show the whole blueprint (0)">Fit</button>\n',
            "</div>\n</div>\n</header>\n",
            '<div class="sl-body">\n',
            '<main class="sl-stage" id="sl-stage">\n',
            svg.strip(),
            f'\n<p class="sl-hint">{_HINT}</p>\n',
            "</main>\n",
            '<aside class="sl-panel" id="sl-panel" aria-label="Details" hidden>\n',
            '<section class="sl-detail" id="sl-detail" aria-labelledby="sl-detail-title" hidden>\n',
            '<div class="sl-panel-head"><span class="sl-kicker" id="sl-detail-kind"></span>',
            '<button type="button" id="sl-clear" title="Stop tracing (Esc)">Clear</button></div>\n',
            '<h2 id="sl-detail-title" tabindex="-1"></h2>\n',
            '<p class="sl-status" id="sl-status" role="status"><span id="sl-status-text"></span></p>\n',
            '<div id="sl-detail-body"></div>\n',
            "</section>\n",
            '<section class="sl-findings" id="sl-findings" aria-labelledby="sl-findings-title" hidden>\n',
            '<div class="sl-panel-head"><h2 id="sl-findings-title">Findings</h2>',
            '<button type="button" id="sl-findings-close" aria-label="Close the findings">×</button></div>\n',
            '<ol class="sl-findings-list" id="sl-findings-list"></ol>\n',
            "</section>\n",
            "</aside>\n",
            "</div>\n",
            '<div class="sl-tip" id="sl-tip" role="tooltip" hidden></div>\n',
            f'<script type="application/json" id="sl-data">{data}</script>\n',
            f"<script>\n{_SCRIPT}</script>\n",
            "</body>\n</html>\n",
        ]
    )


def _text(text: str) -> str:
    """``text`` safe as HTML element content or a double-quoted attribute."""
    return html.escape(_UNSAFE_TEXT.sub("", text), quote=True)


def _json(info: Mapping[str, object]) -> str:
    """``info`` as JSON that cannot end its ``<script>`` block or be read as markup."""
    text = json.dumps(info, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return _UNSAFE_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _strings(value: object) -> Iterator[str]:
    """Every string in a JSON-able value, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _strings(v)


@cache
def _coverage(weight: str) -> frozenset[str]:
    """The characters a weight of the bundled font has glyphs for."""
    from fontTools.ttLib import TTFont

    with TTFont(FONT_FILES[weight], lazy=True) as font:
        return frozenset(chr(c) for c in font.getBestCmap())


def _font_face(weight: str, chars: frozenset[str]) -> str:
    data = _subset(weight, chars & _coverage(weight))
    return (
        f'@font-face{{font-family:"{FAMILY}";font-style:normal;font-weight:{_WEIGHTS[weight]};font-display:block;'
        f'src:url(data:font/woff;base64,{data}) format("woff")}}'
    )


@lru_cache(maxsize=32)
def _subset(weight: str, chars: frozenset[str]) -> str:
    """One weight of the bundled font cut down to ``chars``, as base64 WOFF (same input, same bytes)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff"
    # Kerning only: Stageline measures text without ligatures or contextual alternates.
    options.layout_features = ["kern"]
    options.drop_tables = [*options.drop_tables, "GSUB"]
    # Keep the names and the licence (SIL OFL: IDs 13 and 14) with the embedded font.
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    out = io.BytesIO()
    with TTFont(FONT_FILES[weight], recalcTimestamp=False) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text="".join(sorted(chars)))
        subsetter.subset(font)
        font.flavor = "woff"
        font.save(out)
    return base64.b64encode(out.getvalue()).decode("ascii")


_HINT = "Drag to move · Scroll to zoom · Click an action or an arrow to trace it"
_BODY_TEXT = "Zoom out Zoom in Fit Lanes Roles Show all Findings Clear Close the findings Details × " + _HINT

_CSS = """\
*, *::before, *::after { box-sizing: border-box; }
html, body { height: 100%; margin: 0; }
body {
  display: flex; flex-direction: column;
  font: 14px/1.45 @STACK@; color: #1f2933; background: #eef1f4;
  -webkit-font-smoothing: antialiased;
}
button {
  font: inherit; font-size: 13px; color: #1f2933; background: #fff;
  border: 1px solid #c3ccd6; border-radius: 6px; height: 30px; min-width: 30px; padding: 0 10px; cursor: pointer;
}
button:hover { background: #f2f5f8; border-color: #9aa5b1; }
button:active { background: #e4e9ee; }
button[aria-expanded="true"] { background: #243b53; border-color: #243b53; color: #fff; }
:focus-visible { outline: 2px solid #1d4ed8; outline-offset: 2px; }
[hidden] { display: none !important; }
.sl-sr {
  position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; border: 0;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap;
}
.sl-bar {
  display: flex; align-items: center; gap: 8px 24px; padding: 8px 16px;
  background: #fff; border-bottom: 1px solid #e1e6eb;
}
.sl-filters { display: flex; flex-wrap: wrap; align-items: center; gap: 6px 28px; flex: 1 1 0; min-width: 0; }
.sl-filter { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 14px; }
.sl-filter-name {
  font-size: 11px; font-weight: 600; letter-spacing: 0.07em; text-transform: uppercase; color: #52606d;
}
.sl-filter label {
  display: inline-flex; align-items: center; gap: 6px; font-size: 13px; color: #323f4b; cursor: pointer;
  max-width: 20em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
}
.sl-filter input { width: 15px; height: 15px; margin: 0; accent-color: #243b53; cursor: pointer; flex: none; }
.sl-filter label:has(input:not(:checked)) { color: #7b8794; text-decoration: line-through; }
.sl-filtered {
  display: inline-flex; align-items: center; gap: 8px; padding: 2px 4px 2px 10px; border-radius: 999px;
  background: #fff4e5; color: #8a4b0f; font-size: 12.5px; font-weight: 600;
}
.sl-link {
  height: 24px; padding: 0 8px; border: 0; background: transparent; color: #1d4ed8; font-size: 12.5px;
  text-decoration: underline; text-underline-offset: 2px;
}
.sl-link:hover { background: rgba(29, 78, 216, 0.08); }
.sl-tools { display: flex; align-items: center; gap: 12px; flex: none; margin-left: auto; }
.sl-hint {
  position: absolute; right: 12px; bottom: 10px; margin: 0; padding: 3px 10px; border-radius: 999px;
  background: rgba(255, 255, 255, 0.85); font-size: 12px; color: #52606d; pointer-events: none;
}
.sl-count { font-variant-numeric: tabular-nums; }
.sl-zoom { display: flex; align-items: center; gap: 4px; }
.sl-zoom output { min-width: 44px; text-align: center; font-size: 12.5px; color: #52606d; font-variant-numeric: tabular-nums; }
#sl-zoom-in, #sl-zoom-out { font-size: 17px; line-height: 1; padding: 0; }
.sl-body { position: relative; display: flex; flex: 1; min-height: 0; }
.sl-stage {
  position: relative; flex: 1; min-width: 0; overflow: hidden;
  cursor: grab; touch-action: none; user-select: none; -webkit-user-select: none;
}
.sl-stage.sl-dragging { cursor: grabbing; }
.sl-stage > svg { display: block; width: 100%; height: 100%; }
.sl-stage .sl-background { filter: drop-shadow(0 1px 3px rgba(16, 42, 67, 0.12)); }
.sl-action, .sl-flow { cursor: pointer; }
.sl-action:focus, .sl-flow:focus { outline: none; }
.sl-action:focus-visible > :first-child, .sl-action.sl-selected > :first-child { stroke: #1d4ed8; stroke-width: 3px; }
.sl-flow-hit { fill: none; stroke: transparent; stroke-width: 14px; vector-effect: non-scaling-stroke; pointer-events: stroke; }
.sl-flow.sl-hot .sl-flow-path, svg.sl-tracing .sl-flow.sl-hot .sl-flow-path { stroke-width: 3px; }
.sl-flow.sl-selected .sl-flow-path { stroke: #1d4ed8; stroke-width: 3px; }
.sl-action, .sl-flow, .sl-note, .sl-curve, .sl-row, .sl-badge { transition: opacity 0.15s ease; }
svg.sl-tracing .sl-action:not(.sl-on), svg.sl-tracing .sl-flow:not(.sl-on),
svg.sl-tracing .sl-note, svg.sl-tracing .sl-curve, svg.sl-tracing .sl-badge:not(.sl-on) { opacity: 0.14; }
svg.sl-tracing .sl-flow.sl-on .sl-flow-path { stroke-width: 2.5px; }
.sl-off { visibility: hidden; }
svg.stageline .sl-row.sl-off { visibility: visible; opacity: 0.35; }
.sl-ghost {
  fill: rgba(154, 165, 177, 0.08); stroke: #b3bcc6; stroke-width: 1px; stroke-dasharray: 4 3; vector-effect: non-scaling-stroke;
  pointer-events: none;
}
.sl-panel {
  display: flex; flex-direction: column; width: 340px; flex: none; min-height: 0; overflow: hidden;
  background: #fff; border-left: 1px solid #d3dae2; box-shadow: -4px 0 16px rgba(16, 42, 67, 0.06);
}
.sl-detail { flex: 0 1 auto; min-height: 0; overflow: auto; padding: 0 16px 16px; }
.sl-findings { flex: 1 1 40%; min-height: 140px; overflow: auto; padding: 0 16px 16px; }
.sl-detail:not([hidden]) + .sl-findings {
  max-height: 45%; border-top: 1px solid #c3ccd6; box-shadow: 0 -6px 12px -8px rgba(16, 42, 67, 0.25);
}
.sl-panel-head {
  position: sticky; top: 0; z-index: 1; display: flex; align-items: center; justify-content: space-between; gap: 8px;
  min-height: 30px; padding: 12px 0 6px; background: #fff;
}
.sl-kicker, .sl-panel h2#sl-findings-title {
  margin: 0; font-size: 11px; font-weight: 600; letter-spacing: 0.07em; text-transform: uppercase; color: #52606d;
}
#sl-clear, #sl-findings-close { height: 26px; min-width: 26px; font-size: 12.5px; }
#sl-findings-close { padding: 0; font-size: 16px; line-height: 1; }
#sl-detail-title {
  margin: 6px 0 2px; font-size: 15px; font-weight: 600; line-height: 1.35; color: #102a43; overflow-wrap: anywhere;
}
#sl-detail-title:focus { outline: none; }
.sl-status { margin: 0; font-size: 12.5px; color: #52606d; }
.sl-panel dl, .sl-tip dl {
  display: grid; grid-template-columns: minmax(auto, 8em) 1fr; gap: 4px 12px; margin: 10px 0 0; padding-top: 10px;
  border-top: 1px solid #e1e6eb; font-size: 13px; line-height: 1.4; overflow-wrap: anywhere;
}
.sl-panel dt, .sl-tip dt { color: #52606d; }
.sl-panel dd, .sl-tip dd { margin: 0; }
.sl-panel h3 {
  margin: 16px 0 0; font-size: 11px; font-weight: 600; letter-spacing: 0.07em; text-transform: uppercase; color: #52606d;
}
.sl-list { list-style: none; margin: 10px 0 0; padding: 0; display: flex; flex-direction: column; gap: 4px; }
.sl-item {
  display: block; width: 100%; height: auto; padding: 6px 8px; text-align: left; line-height: 1.35;
  border-color: #e1e6eb; overflow-wrap: anywhere;
}
.sl-item[aria-current="true"] { border-color: #1d4ed8; background: #eef4ff; }
.sl-item-main { display: block; font-size: 13px; color: #102a43; }
.sl-item-sub { display: block; font-size: 12px; color: #52606d; }
.sl-dir { color: #52606d; margin-right: 4px; }
.sl-findings-list { list-style: none; margin: 8px 0 0; padding: 0; display: flex; flex-direction: column; gap: 6px; }
.sl-findings-list ul { list-style: none; margin: 4px 0 0; padding: 0; }
.sl-findings-list li li { font-size: 12px; color: #323f4b; margin-top: 2px; }
.sl-sev {
  display: inline-block; margin-right: 6px; padding: 0 5px; border-radius: 4px; font-size: 10.5px; font-weight: 600;
  text-transform: uppercase; letter-spacing: 0.04em; background: #e4e9ee; color: #323f4b;
}
.sl-sev[data-severity="error"] { background: #fde2e1; color: #a61b1b; }
.sl-sev[data-severity="warning"] { background: #fff1d6; color: #8a4b0f; }
.sl-sev[data-severity="info"] { background: #e3effc; color: #1864ab; }
.sl-tip {
  position: fixed; z-index: 10; left: 0; top: 0; width: max-content; max-width: min(360px, calc(100vw - 16px));
  max-height: 60vh; overflow: hidden; padding: 12px 14px; pointer-events: none;
  background: #fff; border: 1px solid #d3dae2; border-radius: 8px; box-shadow: 0 8px 28px rgba(16, 42, 67, 0.16);
  font-size: 13px; line-height: 1.4; color: #1f2933; overflow-wrap: anywhere;
}
.sl-tip.sl-tip-flow { max-width: min(300px, calc(100vw - 16px)); padding: 8px 10px; font-size: 12.5px; }
.sl-tip-kind { margin: 0 0 2px; font-size: 10.5px; font-weight: 600; letter-spacing: 0.06em; text-transform: uppercase; color: #52606d; }
.sl-tip-label { margin: 0; font-size: 14px; font-weight: 600; color: #102a43; }
.sl-tip-flow .sl-tip-label { font-size: 12.5px; font-weight: 400; color: #1f2933; }
.sl-tip-note { margin: 0 0 2px; font-size: 13px; font-weight: 600; color: #102a43; }
.sl-body:has(.sl-panel:not([hidden])) .sl-hint { display: none; }
@media (max-width: 720px), (hover: none) { .sl-hint { display: none; } }
@media (max-width: 720px) {
  .sl-bar { flex-wrap: wrap; }
  .sl-body { flex-direction: column; }
  .sl-panel { width: auto; max-height: 45%; border-left: 0; border-top: 1px solid #d3dae2; }
}
@media (prefers-reduced-motion: reduce) {
  .sl-action, .sl-flow, .sl-note, .sl-curve, .sl-row, .sl-badge { transition: none; }
}
@media print {
  @page { size: landscape; margin: 10mm; }
  html, body { height: auto; display: block; background: #fff; }
  .sl-bar, .sl-panel, .sl-tip, .sl-hint { display: none !important; }
  .sl-body { display: block; }
  .sl-stage { overflow: visible; height: auto; }
  .sl-stage > svg { width: 100%; height: auto; }
  .sl-stage .sl-background { filter: none; }
}
"""

# The page's behaviour. User text goes in only through textContent and DOM attributes.
_SCRIPT = """\
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const stage = $("sl-stage");
  const svg = stage.querySelector("svg");
  const tip = $("sl-tip");
  const panel = $("sl-panel");
  if (!svg) return;
  let data = {};
  try { data = JSON.parse($("sl-data").textContent) || {}; } catch (err) { data = {}; }
  const info = (data.actions && typeof data.actions === "object") ? data.actions : {};
  const has = (id) => Object.prototype.hasOwnProperty.call(info, id);
  const el = (tag, className, text) => {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  // The drawing's own extent, from its viewBox.
  const box = svg.viewBox && svg.viewBox.baseVal;
  const full = {
    x: box ? box.x : 0, y: box ? box.y : 0,
    w: (box && box.width) || parseFloat(svg.getAttribute("width")) || 1000,
    h: (box && box.height) || parseFloat(svg.getAttribute("height")) || 600,
  };
  // The drawing holds focusable actions, so it is a group rather than a single image.
  svg.setAttribute("role", "group");

  const actions = new Map();
  for (const g of svg.querySelectorAll("g.sl-action")) {
    const id = g.getAttribute("data-id") || "";
    actions.set(id, g);
    const title = g.querySelector(":scope > title");
    const label = has(id) ? String(info[id].label) : (title ? title.textContent : id);
    // The details card replaces the browser's own tooltip.
    if (title) title.remove();
    g.setAttribute("tabindex", "0");
    g.setAttribute("role", "button");
    g.setAttribute("aria-label", label);
    g.setAttribute("aria-pressed", "false");
  }
  const labelOf = (id) => { const g = actions.get(id); return g ? g.getAttribute("aria-label") || id : id; };

  // Flows: each gets a wide invisible copy of its path to hover and click, and its title as text.
  const flows = Array.from(svg.querySelectorAll("g.sl-flow"));
  const flowText = new Map();
  for (const f of flows) {
    const title = f.querySelector(":scope > title");
    const text = title ? title.textContent.trim() : "";
    if (title) title.remove();
    flowText.set(f, text);
    const path = f.querySelector("path.sl-flow-path");
    if (path) {
      const hit = document.createElementNS("http://www.w3.org/2000/svg", "path");
      hit.setAttribute("class", "sl-flow-hit");
      hit.setAttribute("d", path.getAttribute("d") || "");
      const t = path.getAttribute("transform");
      if (t) hit.setAttribute("transform", t);
      f.insertBefore(hit, f.firstChild);
    }
    // Reached from the keyboard through the traced action's list of flows in the side panel.
    f.setAttribute("tabindex", "-1");
    f.setAttribute("role", "button");
    f.setAttribute("aria-pressed", "false");
    f.setAttribute("aria-label", text || labelOf(f.getAttribute("data-source")) + " to " + labelOf(f.getAttribute("data-target")));
  }
  // A flow's title names its two ends, then its label and odds when it has them; null when the
  // title reads otherwise.
  function flowParts(f) {
    const text = flowText.get(f) || "";
    const a = labelOf(f.getAttribute("data-source")), b = labelOf(f.getAttribute("data-target"));
    if (!text.startsWith(a + " ")) return null;
    const at = text.indexOf(" " + b, a.length);
    if (at < 0) return null;
    return { from: a, to: b, note: text.slice(at + 1 + b.length).replace(/^\\s*:\\s*/, "").trim() };
  }
  const flowNote = (f) => { const p = flowParts(f); return p ? p.note : ""; };
  const kindOf = (f) => (f.getAttribute("data-kind") || "flow").replace(/[-_]/g, " ");

  // ---- Pan and zoom: the viewBox follows a scale (screen pixels per unit) and a top-left corner.
  const MAX_SCALE = 6;
  let view = { x: full.x, y: full.y, s: 1 };
  let fitted = true;
  let refit = false; // fit again when the side panel closes, unless the reader moved meanwhile
  const size = () => {
    const r = stage.getBoundingClientRect();
    return { w: Math.max(r.width, 1), h: Math.max(r.height, 1) };
  };
  const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), Math.max(lo, hi));
  const fitScale = () => {
    const { w, h } = size();
    return Math.max(Math.min((w - 48) / full.w, (h - 48) / full.h), 0.02);
  };
  const round = (v) => Math.round(v * 1000) / 1000;
  function draw() {
    const { w, h } = size();
    const vw = w / view.s, vh = h / view.s, keep = 80 / view.s;
    view.x = clamp(view.x, full.x - vw + keep, full.x + full.w - keep);
    view.y = clamp(view.y, full.y - vh + keep, full.y + full.h - keep);
    svg.setAttribute("viewBox", [view.x, view.y, vw, vh].map(round).join(" "));
    $("sl-zoom-level").textContent = Math.round(view.s * 100) + "%";
  }
  function fit() {
    const { w, h } = size();
    const s = fitScale();
    view = { s, x: full.x + full.w / 2 - w / 2 / s, y: full.y + full.h / 2 - h / 2 / s };
    fitted = true;
    draw();
  }
  function moved() { fitted = false; refit = false; hideTip(); }
  function zoomAt(factor, px, py) {
    const s = clamp(view.s * factor, Math.min(fitScale() / 2, 0.5), MAX_SCALE);
    const ux = view.x + px / view.s, uy = view.y + py / view.s;
    view = { s, x: ux - px / s, y: uy - py / s };
    moved();
    draw();
  }
  function zoomBy(factor) {
    const { w, h } = size();
    zoomAt(factor, w / 2, h / 2);
  }
  // The page's own moves (to show what was traced) keep the panel's promise to fit again.
  // Cards wait for the pointer to move, so that no card pops up for whatever slid under it.
  let pointer = { x: -1, y: -1 }, still = null;
  document.addEventListener("pointermove", (e) => {
    pointer = { x: e.clientX, y: e.clientY };
    if (still && (still.x !== pointer.x || still.y !== pointer.y)) still = null;
  }, true);
  function shift(dx, dy) {
    view.x -= dx / view.s;
    view.y -= dy / view.s;
    fitted = false;
    still = pointer;
    hideTip();
    draw();
  }
  function pan(dx, dy) {
    moved();
    shift(dx, dy);
  }
  // Pan as little as it takes to bring a screen rectangle into the stage.
  function revealRect(r) {
    const s = stage.getBoundingClientRect();
    const m = 24;
    let dx = 0, dy = 0;
    if (r.left < s.left + m) dx = s.left + m - r.left; else if (r.right > s.right - m) dx = s.right - m - r.right;
    if (r.top < s.top + m) dy = s.top + m - r.top; else if (r.bottom > s.bottom - m) dy = s.bottom - m - r.bottom;
    if (dx || dy) shift(dx, dy);
  }
  const reveal = (g) => revealRect(g.getBoundingClientRect());
  // Bring the traced elements into view: all of them when they fit, else the chosen one.
  function revealTrace(main) {
    const s = stage.getBoundingClientRect();
    let u = null;
    for (const e of svg.querySelectorAll(".sl-on")) {
      const r = e.getBoundingClientRect();
      u = u ? { left: Math.min(u.left, r.left), top: Math.min(u.top, r.top), right: Math.max(u.right, r.right), bottom: Math.max(u.bottom, r.bottom) } : r;
    }
    if (u && u.right - u.left <= s.width - 48 && u.bottom - u.top <= s.height - 48) revealRect(u); else reveal(main);
  }
  // Centre an element at a readable size (true size, or closer if already closer).
  function zoomTo(g) {
    const b = g.getBBox();
    const { w, h } = size();
    const s = clamp(Math.max(view.s, 1), 0.02, MAX_SCALE);
    view = { s, x: b.x + b.width / 2 - w / 2 / s, y: b.y + b.height / 2 - h / 2 / s };
    moved();
    draw();
  }
  $("sl-zoom-in").addEventListener("click", () => zoomBy(1.25));
  $("sl-zoom-out").addEventListener("click", () => zoomBy(0.8));
  $("sl-fit").addEventListener("click", fit);
  stage.addEventListener("wheel", (e) => {
    e.preventDefault();
    const r = stage.getBoundingClientRect();
    const unit = e.deltaMode === 1 ? 16 : e.deltaMode === 2 ? r.height : 1;
    if (!e.ctrlKey && Math.abs(e.deltaX) > Math.abs(e.deltaY)) { pan(-e.deltaX * unit, 0); return; }
    zoomAt(Math.exp(-e.deltaY * unit * 0.0015), e.clientX - r.left, e.clientY - r.top);
  }, { passive: false });

  let drag = null;
  stage.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    drag = { id: e.pointerId, x: e.clientX, y: e.clientY, moved: false, target: e.target };
  });
  stage.addEventListener("pointermove", (e) => {
    if (!drag || e.pointerId !== drag.id) return;
    const dx = e.clientX - drag.x, dy = e.clientY - drag.y;
    if (!drag.moved) {
      if (Math.hypot(dx, dy) < 4) return;
      drag.moved = true;
      stage.setPointerCapture(e.pointerId);
      stage.classList.add("sl-dragging");
    }
    drag.x = e.clientX;
    drag.y = e.clientY;
    pan(dx, dy);
  });
  const endDrag = (e) => {
    if (!drag || e.pointerId !== drag.id) return null;
    const d = drag;
    drag = null;
    stage.classList.remove("sl-dragging");
    return d;
  };
  stage.addEventListener("pointercancel", endDrag);
  stage.addEventListener("pointerup", (e) => {
    const d = endDrag(e);
    if (!d || d.moved) return;
    const t = d.target.closest ? d.target : null;
    const g = t && t.closest("g.sl-action");
    const f = t && t.closest("g.sl-flow");
    const badge = t && t.closest("g.sl-badge");
    const target = badge ? actions.get(badge.getAttribute("data-target") || "") : null;
    if (g && !g.classList.contains("sl-off")) toggle(g);
    else if (target && !target.classList.contains("sl-off")) select(target);
    else if (f && !f.classList.contains("sl-off")) toggleFlow(f);
    else clear();
  });

  // ---- Cards on hover and on keyboard focus: an action's details, a flow's title.
  let tipFor = null;
  function detailList(details) {
    const dl = el("dl");
    for (const pair of details) {
      dl.append(el("dt", "", Array.isArray(pair) ? String(pair[0]) : ""), el("dd", "", Array.isArray(pair) ? String(pair[1]) : String(pair)));
    }
    return dl;
  }
  const detailsOf = (id) => (has(id) && Array.isArray(info[id].details) ? info[id].details : []);
  function showTip(g) {
    const id = g.getAttribute("data-id") || "";
    // The traced action's details are in the side panel already.
    if (selected === id) { hideTip(); return; }
    tip.replaceChildren(el("p", "sl-tip-label", has(id) ? String(info[id].label) : (g.getAttribute("aria-label") || id)));
    const details = detailsOf(id);
    if (details.length) tip.append(detailList(details));
    tip.className = "sl-tip";
    open(g);
    place(g.getBoundingClientRect());
  }
  function showFlowTip(f, x, y) {
    if (tipFor !== f) {
      const p = flowParts(f);
      tip.replaceChildren(el("p", "sl-tip-kind", kindOf(f)));
      if (!p) tip.append(el("p", "sl-tip-label", flowText.get(f) || f.getAttribute("aria-label") || ""));
      else {
        if (p.note) tip.append(el("p", "sl-tip-note", p.note));
        tip.append(el("p", "sl-tip-label", p.from + " \\u2192 " + p.to));
      }
      tip.className = "sl-tip sl-tip-flow";
      open(f);
    }
    place({ left: x - 4, right: x + 4, top: y + 14, bottom: y + 18 });
  }
  function open(target) {
    if (tipFor && tipFor !== target) tipFor.removeAttribute("aria-describedby");
    tip.hidden = false;
    tipFor = target;
    target.setAttribute("aria-describedby", "sl-tip");
  }
  function place(r) {
    const t = tip.getBoundingClientRect();
    const vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight, m = 8, gap = 12;
    let x = r.right + gap;
    if (x + t.width > vw - m) x = r.left - gap - t.width;
    let y = r.top;
    if (x < m) {
      x = clamp(r.left, m, vw - t.width - m);
      y = r.bottom + gap;
      if (y + t.height > vh - m) y = r.top - gap - t.height;
    }
    tip.style.left = Math.round(clamp(x, m, vw - t.width - m)) + "px";
    tip.style.top = Math.round(clamp(y, m, vh - t.height - m)) + "px";
  }
  function hideTip() {
    if (tipFor) tipFor.removeAttribute("aria-describedby");
    tipFor = null;
    tip.hidden = true;
  }
  let hot = null;
  function heat(f) {
    if (hot === f) return;
    if (hot) hot.classList.remove("sl-hot");
    hot = f;
    if (f) f.classList.add("sl-hot");
  }
  function hover(e) {
    if (drag && drag.moved) return;
    if (still && still.x === e.clientX && still.y === e.clientY) return;
    still = null;
    const g = e.target.closest("g.sl-action");
    if (g) { heat(null); if (g !== tipFor) showTip(g); return; }
    const f = e.target.closest("g.sl-flow");
    if (f) { heat(f); showFlowTip(f, e.clientX, e.clientY); }
  }
  svg.addEventListener("pointerover", hover);
  svg.addEventListener("pointermove", hover);
  svg.addEventListener("pointerout", (e) => {
    const g = e.target.closest("g.sl-action, g.sl-flow");
    if (!g || (e.relatedTarget && g.contains(e.relatedTarget))) return;
    if (g === hot) heat(null);
    const f = document.activeElement;
    if (f && f !== g && f.matches && f.matches("g.sl-action:focus-visible")) showTip(f); else hideTip();
  });
  svg.addEventListener("focusin", (e) => {
    const g = e.target.closest("g.sl-action");
    if (!g) return;
    if (!g.matches(":focus-visible")) return;
    reveal(g);
    showTip(g);
  });
  svg.addEventListener("focusout", hideTip);

  // ---- The side panel: what is traced, and the findings list. It takes room from the stage
  // rather than covering the drawing; the view keeps its scale while it is open.
  function layoutPanel() {
    const detail = !$("sl-detail").hidden, list = findingsOpen;
    $("sl-findings").hidden = !list;
    const show = detail || list;
    if (panel.hidden === !show) return;
    if (show) refit = fitted;
    panel.hidden = !show;
    if (show) { fitted = false; draw(); }
    else if (refit || fitted) fit();
    else draw();
  }

  // ---- Tracing: one action, its flows and the actions at their other ends; or one flow and its ends.
  let selected = null, selectedFlow = null;
  function reset() {
    selected = null;
    selectedFlow = null;
    svg.classList.remove("sl-tracing");
    for (const e of svg.querySelectorAll(".sl-on, .sl-selected")) e.classList.remove("sl-on", "sl-selected");
    for (const g of actions.values()) g.setAttribute("aria-pressed", "false");
    for (const f of flows) f.setAttribute("aria-pressed", "false");
    for (const b of $("sl-findings-list").querySelectorAll("[aria-current]")) b.removeAttribute("aria-current");
  }
  function clear() {
    const was = selected !== null ? actions.get(selected) : selectedFlow;
    const inPanel = panel.contains(document.activeElement);
    reset();
    heat(null);
    $("sl-detail").hidden = true;
    layoutPanel();
    // Keyboard focus in the closing panel goes back to where the reader came from.
    if (was && inPanel) {
      if (findingsOpen) $("sl-findings-toggle").focus();
      else if (was.matches("g.sl-action") && !was.classList.contains("sl-off")) was.focus();
      else svg.focus();
    }
  }
  function showDetail(kind, title, status, body) {
    const focusHere = panel.contains(document.activeElement);
    $("sl-detail-kind").textContent = kind;
    $("sl-detail-title").textContent = title;
    $("sl-status-text").textContent = status;
    $("sl-detail-body").replaceChildren(...body);
    $("sl-detail").hidden = false;
    $("sl-detail").scrollTop = 0;
    layoutPanel();
    if (focusHere) $("sl-detail-title").focus();
  }
  function actionButton(g, main, sub, onClick) {
    const b = el("button", "sl-item");
    b.type = "button";
    b.append(main);
    if (sub) b.append(el("span", "sl-item-sub", sub));
    b.addEventListener("click", onClick);
    return b;
  }
  function flowItem(f, id) {
    const out = f.getAttribute("data-source") === id;
    const other = out ? f.getAttribute("data-target") : f.getAttribute("data-source");
    const main = el("span", "sl-item-main");
    main.append(el("span", "sl-dir", out ? "\\u2192" : "\\u2190"), document.createTextNode(labelOf(other)));
    const note = flowNote(f);
    const b = actionButton(f, main, [kindOf(f), note].filter(Boolean).join(" \\u00b7 "), () => selectFlow(f));
    b.setAttribute("aria-label", (out ? "To " : "From ") + labelOf(other) + (note ? ": " + note : ""));
    b.addEventListener("pointerenter", () => heat(f));
    b.addEventListener("pointerleave", () => heat(null));
    b.addEventListener("focus", () => heat(f));
    b.addEventListener("blur", () => heat(null));
    const li = el("li");
    li.append(b);
    return li;
  }
  function select(g, options) {
    reset();
    hideTip();
    const id = g.getAttribute("data-id") || "";
    selected = id;
    svg.classList.add("sl-tracing");
    g.classList.add("sl-on", "sl-selected");
    g.setAttribute("aria-pressed", "true");
    for (const b of svg.querySelectorAll("g.sl-badge")) if (b.getAttribute("data-target") === id) b.classList.add("sl-on");
    const linked = new Set(), traced = [];
    for (const f of flows) {
      if (f.classList.contains("sl-off")) continue;
      const source = f.getAttribute("data-source"), target = f.getAttribute("data-target");
      if (source !== id && target !== id) continue;
      f.classList.add("sl-on");
      traced.push(f);
      const other = actions.get(source === id ? target : source);
      if (other && other !== g) { other.classList.add("sl-on"); linked.add(other); }
    }
    const flowsText = traced.length === 1 ? "1 flow" : traced.length + " flows";
    const linkedText = linked.size === 1 ? "1 connected action" : linked.size + " connected actions";
    const body = [];
    const details = detailsOf(id);
    if (details.length) body.push(detailList(details));
    if (traced.length) {
      const list = el("ul", "sl-list");
      list.append(...traced.map((f) => flowItem(f, id)));
      body.push(el("h3", "", "Flows"), list);
    }
    showDetail("Tracing", labelOf(id), flowsText + " \\u00b7 " + linkedText, body);
    for (const b of $("sl-findings-list").querySelectorAll("button[data-target]")) {
      if (b.getAttribute("data-target") === id) b.setAttribute("aria-current", "true");
    }
    if (!(options && options.still)) revealTrace(g);
  }
  function selectFlow(f) {
    reset();
    hideTip();
    selectedFlow = f;
    svg.classList.add("sl-tracing");
    f.classList.add("sl-on", "sl-selected");
    f.setAttribute("aria-pressed", "true");
    const ends = [f.getAttribute("data-source"), f.getAttribute("data-target")];
    const body = [];
    const list = el("ul", "sl-list");
    ends.forEach((id, i) => {
      const g = actions.get(id);
      if (g) g.classList.add("sl-on");
      const main = el("span", "sl-item-main");
      main.append(el("span", "sl-dir", i ? "To" : "From"), document.createTextNode(labelOf(id)));
      const li = el("li");
      li.append(actionButton(g, main, "", () => { if (g && !g.classList.contains("sl-off")) select(g); }));
      list.append(li);
    });
    body.push(list);
    const note = flowNote(f);
    const kind = kindOf(f);
    showDetail("Flow \\u00b7 " + kind, note || flowText.get(f) || kind, labelOf(ends[0]) + " \\u2192 " + labelOf(ends[1]), body);
    revealTrace(f);
  }
  function toggle(g) {
    if (selected !== null && actions.get(selected) === g) clear(); else select(g);
  }
  function toggleFlow(f) {
    if (selectedFlow === f) clear(); else selectFlow(f);
  }
  $("sl-clear").addEventListener("click", clear);

  // ---- Findings: one entry per badge on the drawing; choosing one shows its action and traces it.
  let findingsOpen = false;
  const badges = Array.from(svg.querySelectorAll("g.sl-badge"));
  let findingCount = 0;
  for (const b of badges) {
    const title = b.querySelector(":scope > title");
    const lines = (title ? title.textContent : "").split("\\n").map((l) => l.trim()).filter(Boolean);
    const items = /^\\d+ findings?\\b/.test(lines[0] || "") ? lines.slice(1) : lines;
    findingCount += Math.max(items.length, 1);
    const id = b.getAttribute("data-target") || "";
    const button = el("button", "sl-item");
    button.type = "button";
    button.setAttribute("data-target", id);
    const main = el("span", "sl-item-main", labelOf(id));
    const list = el("ul");
    for (const line of items) {
      const m = /^([a-z]+): (.*)$/s.exec(line);
      const li = el("li");
      if (m) {
        const sev = el("span", "sl-sev", m[1]);
        sev.setAttribute("data-severity", m[1]);
        li.append(sev, document.createTextNode(m[2]));
      } else li.textContent = line;
      list.append(li);
    }
    button.append(main, list);
    button.addEventListener("click", () => {
      const g = actions.get(id);
      if (!g || g.classList.contains("sl-off")) return;
      select(g, { still: true });
      zoomTo(g);
      button.setAttribute("aria-current", "true");
      button.scrollIntoView({ block: "nearest" });
    });
    const li = el("li");
    li.append(button);
    $("sl-findings-list").append(li);
  }
  function showFindings(on) {
    findingsOpen = on && badges.length > 0;
    $("sl-findings-toggle").setAttribute("aria-expanded", String(findingsOpen));
    layoutPanel();
  }
  if (badges.length) {
    $("sl-findings-toggle").hidden = false;
    $("sl-findings-count").textContent = "(" + findingCount + ")";
    $("sl-findings-toggle").addEventListener("click", () => showFindings(!findingsOpen));
    $("sl-findings-close").addEventListener("click", () => { showFindings(false); $("sl-findings-toggle").focus(); });
  }

  // ---- Filters: hidden lanes and roles take their actions and the flows touching them along.
  // A dashed outline keeps each hidden action's place, a hidden lane's band stays faintly, and the
  // bar says how much is hidden.
  const hiddenLanes = new Set(), hiddenRoles = new Set();
  const ghosts = document.createElementNS("http://www.w3.org/2000/svg", "g");
  ghosts.setAttribute("class", "sl-ghosts");
  ghosts.setAttribute("aria-hidden", "true");
  const layer = svg.querySelector("g.sl-actions");
  if (layer && layer.parentNode) layer.parentNode.insertBefore(ghosts, layer); else svg.append(ghosts);
  function ghost(g) {
    const shape = g.querySelector(":scope > rect, :scope > path") || g;
    const b = shape.getBBox();
    const r = document.createElementNS("http://www.w3.org/2000/svg", "rect");
    r.setAttribute("class", "sl-ghost");
    r.setAttribute("data-id", g.getAttribute("data-id") || "");
    for (const [k, v] of [["x", b.x], ["y", b.y], ["width", b.width], ["height", b.height], ["rx", 6]]) r.setAttribute(k, String(round(v)));
    return r;
  }
  function filter() {
    for (const row of svg.querySelectorAll("g.sl-row, g.sl-note")) {
      row.classList.toggle("sl-off", hiddenLanes.has(row.getAttribute("data-row")));
    }
    for (const curve of svg.querySelectorAll("g.sl-curve")) curve.classList.toggle("sl-off", hiddenLanes.has("sl:emotion"));
    let off = 0;
    for (const g of actions.values()) {
      const gone = hiddenLanes.has(g.getAttribute("data-lane")) || hiddenRoles.has(g.getAttribute("data-role"));
      g.classList.toggle("sl-off", gone);
      g.setAttribute("tabindex", gone ? "-1" : "0");
      if (gone) { g.setAttribute("aria-hidden", "true"); off += 1; } else g.removeAttribute("aria-hidden");
    }
    ghosts.replaceChildren(...Array.from(actions.values()).filter((g) => g.classList.contains("sl-off")).map(ghost));
    const gone = (id) => { const g = actions.get(id); return !!g && g.classList.contains("sl-off"); };
    let offFlows = 0;
    for (const f of flows) {
      const o = gone(f.getAttribute("data-source")) || gone(f.getAttribute("data-target"));
      f.classList.toggle("sl-off", o);
      if (o) offFlows += 1;
    }
    for (const b of badges) b.classList.toggle("sl-off", gone(b.getAttribute("data-target") || ""));
    for (const b of $("sl-findings-list").querySelectorAll("button[data-target]")) b.disabled = gone(b.getAttribute("data-target"));
    const any = hiddenLanes.size + hiddenRoles.size > 0;
    $("sl-filtered").hidden = !any;
    $("sl-filtered-text").textContent = "Hidden: " + off + (off === 1 ? " action" : " actions") + ", " + offFlows + (offFlows === 1 ? " flow" : " flows");
    // The count can change the bar's height, and with it the stage's.
    if (fitted) fit();
    else draw();
    if (tipFor && tipFor.classList.contains("sl-off")) hideTip();
    if (selected !== null) {
      const g = actions.get(selected);
      if (g && !g.classList.contains("sl-off")) select(g, { still: true }); else clear();
    } else if (selectedFlow !== null) {
      if (!selectedFlow.classList.contains("sl-off")) selectFlow(selectedFlow); else clear();
    }
  }
  function checkboxes(groupId, items, hidden) {
    const group = $(groupId);
    const list = Array.isArray(items) ? items.filter((p) => Array.isArray(p) && p.length >= 2) : [];
    if (!list.length) { group.hidden = true; return; }
    for (const [id, name] of list) {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.type = "checkbox";
      input.checked = true;
      input.value = String(id);
      label.title = String(name);
      label.append(input, document.createTextNode(String(name)));
      input.addEventListener("change", () => {
        if (input.checked) hidden.delete(input.value); else hidden.add(input.value);
        filter();
      });
      group.append(label);
    }
  }
  checkboxes("sl-lanes", data.lanes, hiddenLanes);
  checkboxes("sl-roles", data.roles, hiddenRoles);
  $("sl-show-all").addEventListener("click", () => {
    hiddenLanes.clear();
    hiddenRoles.clear();
    for (const input of document.querySelectorAll(".sl-filter input")) input.checked = true;
    filter();
  });

  // ---- Keys: + - 0 zoom, arrows pan, Enter or Space traces the focused action, Escape clears.
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target instanceof Element ? e.target : null;
    const g = t ? t.closest("g.sl-action") : null;
    if (g && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); toggle(g); return; }
    const f = t ? t.closest("g.sl-flow") : null;
    if (f && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); toggleFlow(f); return; }
    if (e.key === "Escape") {
      hideTip();
      if (selected !== null || selectedFlow !== null) clear(); else if (findingsOpen) showFindings(false);
      return;
    }
    if (t && t.closest("input[type=text], input[type=search], textarea, select")) return;
    if (t && t.closest("button") && (e.key === "Enter" || e.key === " ")) return;
    const step = 80;
    switch (e.key) {
      case "+": case "=": zoomBy(1.25); break;
      case "-": case "_": case "\\u2212": zoomBy(0.8); break;
      case "0": fit(); break;
      case "ArrowLeft": pan(step, 0); break;
      case "ArrowRight": pan(-step, 0); break;
      case "ArrowUp": pan(0, step); break;
      case "ArrowDown": pan(0, -step); break;
      default: return;
    }
    e.preventDefault();
  });

  // ---- Printing shows the whole drawing, whatever the view on screen.
  let onScreen = null;
  const toPaper = () => {
    if (onScreen === null) onScreen = svg.getAttribute("viewBox");
    svg.setAttribute("viewBox", [full.x, full.y, full.w, full.h].join(" "));
  };
  const toScreen = () => {
    if (onScreen !== null) svg.setAttribute("viewBox", onScreen);
    onScreen = null;
  };
  window.addEventListener("beforeprint", toPaper);
  window.addEventListener("afterprint", toScreen);
  const printing = window.matchMedia("print");
  printing.addEventListener("change", () => (printing.matches ? toPaper() : toScreen()));

  new ResizeObserver(() => { if (onScreen !== null) return; if (fitted) fit(); else draw(); }).observe(stage);
  fit();

  // The view as plain data, for the live preview to keep across a redraw.
  window.stageline = {
    state: () => ({
      view: { x: view.x, y: view.y, s: view.s }, fitted,
      lanes: Array.from(hiddenLanes), roles: Array.from(hiddenRoles), selected, findings: findingsOpen,
    }),
    restore: (st) => {
      if (!st || typeof st !== "object") return;
      const restoreSet = (groupId, set, ids) => {
        set.clear();
        for (const id of Array.isArray(ids) ? ids : []) set.add(String(id));
        for (const input of $(groupId).querySelectorAll("input")) input.checked = !set.has(input.value);
      };
      restoreSet("sl-lanes", hiddenLanes, st.lanes);
      restoreSet("sl-roles", hiddenRoles, st.roles);
      filter();
      if (st.findings === true) showFindings(true);
      const g = typeof st.selected === "string" ? actions.get(st.selected) : null;
      if (g && !g.classList.contains("sl-off")) select(g, { still: true });
      const v = st.view;
      if (!st.fitted && v && [v.x, v.y, v.s].every(Number.isFinite) && v.s > 0) {
        view = { x: v.x, y: v.y, s: clamp(v.s, 0.01, MAX_SCALE) };
        fitted = false;
        draw();
      }
    },
  };
})();
"""
