"""The interactive HTML page: one self-contained file around a Stageline drawing.

The page needs nothing from the network. It carries the SVG drawing unchanged, the two weights
of Inter that Stageline measured its text with (subset to the characters the page uses, so a
reader's browser lays every label out exactly as Stageline wrapped it), the blueprint's data as
JSON, one style sheet and one script.

What a reader can do: drag to pan, zoom with the wheel, the + / − / Fit buttons or the keys
``+ - 0``; hover over (or tab to) an action to see its details; click (or press Enter on) an
action to trace its flows and the actions they connect, everything else fading back until
Escape or a click on the background; hide lanes and roles with the checkboxes. Printing shows
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

__all__ = ["page"]

#: CSS weights of the bundled font files.
_WEIGHTS = {"regular": 400, "semibold": 600}
# Characters HTML text should not carry: C0 controls but tab, newline and return; lone surrogates.
_UNSAFE_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Characters that could end the JSON block, start markup in it, or end a line in old parsers.
_UNSAFE_JSON = re.compile("[<>&\u2028\u2029\ud800-\udfff]")
_ASCII = "".join(chr(c) for c in range(0x20, 0x7F))


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
    fonts = "\n".join(_font_face(weight, frozenset(chars)) for weight in _WEIGHTS)
    sub = f'\n<p class="sl-sub">{subtitle}</p>' if subtitle else ""
    return "".join(
        [
            "<!DOCTYPE html>\n",
            '<html lang="en">\n<head>\n<meta charset="utf-8">\n',
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n',
            '<meta name="generator" content="Stageline">\n',
            f"<title>{title}</title>\n",
            f"<style>\n{fonts}\n{_CSS.replace('@STACK@', FONT_STACK)}</style>\n",
            "</head>\n<body>\n",
            '<header class="sl-top">\n',
            f'<div class="sl-heading">\n<h1>{title}</h1>{sub}\n</div>\n',
            '<div class="sl-zoom" role="group" aria-label="Zoom">\n',
            '<button type="button" id="sl-zoom-out" aria-label="Zoom out" title="Zoom out (−)">−</button>\n',
            '<output id="sl-zoom-level" aria-live="off">100%</output>\n',
            '<button type="button" id="sl-zoom-in" aria-label="Zoom in" title="Zoom in (+)">+</button>\n',
            '<button type="button" id="sl-fit" title="Show the whole blueprint (0)">Fit</button>\n',
            "</div>\n</header>\n",
            '<nav class="sl-toolbar" aria-label="Show or hide lanes and roles">\n',
            '<div class="sl-filter" role="group" aria-labelledby="sl-lanes-name" id="sl-lanes">',
            '<span class="sl-filter-name" id="sl-lanes-name">Lanes</span></div>\n',
            '<div class="sl-filter" role="group" aria-labelledby="sl-roles-name" id="sl-roles">',
            '<span class="sl-filter-name" id="sl-roles-name">Roles</span></div>\n',
            f'<p class="sl-hint">{_HINT}</p>\n',
            "</nav>\n",
            '<main class="sl-stage" id="sl-stage">\n',
            svg.strip(),
            "\n",
            '<div class="sl-status" id="sl-status" role="status" hidden><span id="sl-status-text"></span>',
            '<button type="button" id="sl-clear">Clear</button></div>\n',
            "</main>\n",
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


_HINT = "Drag to move · Scroll or + − to zoom · Click an action to trace its flows"
_BODY_TEXT = "Zoom out Zoom in Fit Lanes Roles Clear " + _HINT

_CSS = """\
*, *::before, *::after { box-sizing: border-box; }
html, body { height: 100%; margin: 0; }
body {
  display: flex; flex-direction: column;
  font: 14px/1.45 @STACK@; color: #1f2933; background: #eef1f4;
  -webkit-font-smoothing: antialiased;
}
button {
  font: inherit; font-size: 14px; color: #1f2933; background: #fff;
  border: 1px solid #c3ccd6; border-radius: 6px; height: 32px; min-width: 32px; padding: 0 10px; cursor: pointer;
}
button:hover { background: #f2f5f8; border-color: #9aa5b1; }
button:active { background: #e4e9ee; }
:focus-visible { outline: 2px solid #1d4ed8; outline-offset: 2px; }
.sl-top {
  display: flex; align-items: center; gap: 24px; padding: 14px 24px 12px;
  background: #fff; border-bottom: 1px solid #e1e6eb;
}
.sl-heading { flex: 1; min-width: 0; }
.sl-top h1 {
  margin: 0; font-size: 18px; font-weight: 600; line-height: 1.3; color: #102a43; letter-spacing: -0.01em;
  white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
}
.sl-sub {
  margin: 2px 0 0; font-size: 13px; color: #52606d;
  display: -webkit-box; -webkit-line-clamp: 2; -webkit-box-orient: vertical; overflow: hidden; overflow-wrap: anywhere;
}
.sl-zoom { display: flex; align-items: center; gap: 6px; flex: none; }
.sl-zoom output { min-width: 48px; text-align: center; font-size: 13px; color: #52606d; font-variant-numeric: tabular-nums; }
#sl-zoom-in, #sl-zoom-out { font-size: 18px; line-height: 1; padding: 0; }
.sl-toolbar {
  display: flex; flex-wrap: wrap; align-items: center; gap: 8px 32px; padding: 9px 24px;
  background: #fff; border-bottom: 1px solid #e1e6eb;
}
.sl-filter { display: flex; flex-wrap: wrap; align-items: center; gap: 4px 16px; }
.sl-filter[hidden] { display: none; }
.sl-filter-name {
  font-size: 11.5px; font-weight: 600; letter-spacing: 0.07em; text-transform: uppercase; color: #52606d;
}
.sl-filter label {
  display: inline-flex; align-items: center; gap: 6px; font-size: 13px; color: #323f4b; cursor: pointer;
  max-width: 24em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis;
}
.sl-filter input { width: 15px; height: 15px; margin: 0; accent-color: #243b53; cursor: pointer; flex: none; }
.sl-hint { margin: 0 0 0 auto; font-size: 12.5px; color: #52606d; }
.sl-stage {
  position: relative; flex: 1; min-height: 0; overflow: hidden;
  cursor: grab; touch-action: none; user-select: none; -webkit-user-select: none;
}
.sl-stage.sl-dragging { cursor: grabbing; }
.sl-stage > svg { display: block; width: 100%; height: 100%; }
.sl-stage .sl-background { filter: drop-shadow(0 1px 3px rgba(16, 42, 67, 0.12)); }
.sl-action { cursor: pointer; }
.sl-action:focus { outline: none; }
.sl-action:focus-visible > :first-child { stroke: #1d4ed8; stroke-width: 3px; }
.sl-action.sl-selected > :first-child { stroke: #1d4ed8; stroke-width: 3px; }
.sl-action, .sl-flow, .sl-note, .sl-curve { transition: opacity 0.15s ease; }
svg.sl-tracing .sl-action:not(.sl-on), svg.sl-tracing .sl-flow:not(.sl-on),
svg.sl-tracing .sl-note, svg.sl-tracing .sl-curve { opacity: 0.14; }
svg.sl-tracing .sl-flow.sl-on .sl-flow-path { stroke-width: 2.5px; }
.sl-off { visibility: hidden; }
.sl-status {
  position: absolute; left: 16px; bottom: 16px; display: flex; align-items: center; gap: 12px;
  max-width: calc(100% - 32px); padding: 6px 6px 6px 14px; border-radius: 8px;
  background: #102a43; color: #fff; font-size: 13px; box-shadow: 0 4px 16px rgba(16, 42, 67, 0.2); cursor: default;
}
.sl-status[hidden] { display: none; }
.sl-status span { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.sl-status button {
  height: 26px; font-size: 13px; color: #fff; background: transparent; border-color: rgba(255, 255, 255, 0.55); flex: none;
}
.sl-status button:hover { background: rgba(255, 255, 255, 0.12); }
.sl-status button:focus-visible { outline-color: #fff; }
.sl-tip {
  position: fixed; z-index: 10; left: 0; top: 0; width: max-content; max-width: min(360px, calc(100vw - 16px));
  max-height: 60vh; overflow: hidden; padding: 12px 14px; pointer-events: none;
  background: #fff; border: 1px solid #d3dae2; border-radius: 8px; box-shadow: 0 8px 28px rgba(16, 42, 67, 0.16);
  font-size: 13px; line-height: 1.4; color: #1f2933; overflow-wrap: anywhere;
}
.sl-tip[hidden] { display: none; }
.sl-tip-label { margin: 0; font-size: 14px; font-weight: 600; color: #102a43; }
.sl-tip dl {
  display: grid; grid-template-columns: minmax(auto, 9em) 1fr; gap: 4px 12px; margin: 10px 0 0; padding-top: 10px;
  border-top: 1px solid #e1e6eb;
}
.sl-tip dt { color: #52606d; }
.sl-tip dd { margin: 0; }
@media (prefers-reduced-motion: reduce) {
  .sl-action, .sl-flow, .sl-note, .sl-curve { transition: none; }
}
@media print {
  @page { size: landscape; margin: 10mm; }
  html, body { height: auto; display: block; background: #fff; }
  .sl-top, .sl-toolbar, .sl-tip, .sl-status { display: none !important; }
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
  if (!svg) return;
  let data = {};
  try { data = JSON.parse($("sl-data").textContent) || {}; } catch (err) { data = {}; }
  const info = (data.actions && typeof data.actions === "object") ? data.actions : {};
  const has = (id) => Object.prototype.hasOwnProperty.call(info, id);

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
  const flows = Array.from(svg.querySelectorAll("g.sl-flow"));

  // ---- Pan and zoom: the viewBox follows a scale (screen pixels per unit) and a top-left corner.
  const MAX_SCALE = 6;
  let view = { x: full.x, y: full.y, s: 1 };
  let fitted = true;
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
  function zoomAt(factor, px, py) {
    const s = clamp(view.s * factor, Math.min(fitScale() / 2, 0.5), MAX_SCALE);
    const ux = view.x + px / view.s, uy = view.y + py / view.s;
    view = { s, x: ux - px / s, y: uy - py / s };
    fitted = false;
    hideTip();
    draw();
  }
  function zoomBy(factor) {
    const { w, h } = size();
    zoomAt(factor, w / 2, h / 2);
  }
  function pan(dx, dy) {
    view.x -= dx / view.s;
    view.y -= dy / view.s;
    fitted = false;
    hideTip();
    draw();
  }
  function reveal(g) {
    const r = g.getBoundingClientRect(), s = stage.getBoundingClientRect();
    const m = 24;
    let dx = 0, dy = 0;
    if (r.left < s.left + m) dx = s.left + m - r.left; else if (r.right > s.right - m) dx = s.right - m - r.right;
    if (r.top < s.top + m) dy = s.top + m - r.top; else if (r.bottom > s.bottom - m) dy = s.bottom - m - r.bottom;
    if (dx || dy) pan(dx, dy);
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
    if (e.button !== 0 || e.target.closest(".sl-status")) return;
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
    const g = d.target.closest ? d.target.closest("g.sl-action") : null;
    if (g && !g.classList.contains("sl-off")) toggle(g); else clear();
  });

  // ---- Details card, on hover and on keyboard focus.
  let tipFor = null;
  function showTip(g) {
    const id = g.getAttribute("data-id") || "";
    const a = has(id) ? info[id] : null;
    tip.replaceChildren();
    const label = document.createElement("p");
    label.className = "sl-tip-label";
    label.textContent = a ? String(a.label) : (g.getAttribute("aria-label") || id);
    tip.append(label);
    const details = a && Array.isArray(a.details) ? a.details : [];
    if (details.length) {
      const dl = document.createElement("dl");
      for (const pair of details) {
        const dt = document.createElement("dt"), dd = document.createElement("dd");
        dt.textContent = Array.isArray(pair) ? String(pair[0]) : "";
        dd.textContent = Array.isArray(pair) ? String(pair[1]) : String(pair);
        dl.append(dt, dd);
      }
      tip.append(dl);
    }
    tip.hidden = false;
    tipFor = g;
    g.setAttribute("aria-describedby", "sl-tip");
    place(g);
  }
  function place(g) {
    const r = g.getBoundingClientRect(), t = tip.getBoundingClientRect();
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
  svg.addEventListener("pointerover", (e) => {
    if (drag && drag.moved) return;
    const g = e.target.closest("g.sl-action");
    if (g && g !== tipFor) showTip(g);
  });
  svg.addEventListener("pointerout", (e) => {
    const g = e.target.closest("g.sl-action");
    if (!g || (e.relatedTarget && g.contains(e.relatedTarget))) return;
    const f = document.activeElement;
    if (f && f !== g && f.matches && f.matches("g.sl-action:focus-visible")) showTip(f); else hideTip();
  });
  svg.addEventListener("focusin", (e) => {
    const g = e.target.closest("g.sl-action");
    if (!g) return;
    if (g.matches(":focus-visible")) reveal(g);
    showTip(g);
  });
  svg.addEventListener("focusout", hideTip);

  // ---- Tracing: one action, its flows and the actions at their other ends.
  let selected = null;
  function clear() {
    selected = null;
    svg.classList.remove("sl-tracing");
    for (const el of svg.querySelectorAll(".sl-on")) el.classList.remove("sl-on", "sl-selected");
    for (const g of actions.values()) g.setAttribute("aria-pressed", "false");
    $("sl-status").hidden = true;
  }
  function select(g) {
    clear();
    const id = g.getAttribute("data-id") || "";
    selected = id;
    svg.classList.add("sl-tracing");
    g.classList.add("sl-on", "sl-selected");
    g.setAttribute("aria-pressed", "true");
    const linked = new Set();
    let count = 0;
    for (const f of flows) {
      if (f.classList.contains("sl-off")) continue;
      const source = f.getAttribute("data-source"), target = f.getAttribute("data-target");
      if (source !== id && target !== id) continue;
      f.classList.add("sl-on");
      count += 1;
      const other = actions.get(source === id ? target : source);
      if (other && other !== g) { other.classList.add("sl-on"); linked.add(other); }
    }
    const label = g.getAttribute("aria-label") || id;
    const flowsText = count === 1 ? "1 flow" : count + " flows";
    const linkedText = linked.size === 1 ? "1 connected action" : linked.size + " connected actions";
    $("sl-status-text").textContent = "Tracing \\u201c" + label + "\\u201d \\u00b7 " + flowsText + ", " + linkedText;
    $("sl-status").hidden = false;
  }
  function toggle(g) {
    if (selected !== null && actions.get(selected) === g) clear(); else select(g);
  }
  $("sl-clear").addEventListener("click", clear);

  // ---- Filters: hidden lanes and roles take their actions and the flows touching them along.
  const hiddenLanes = new Set(), hiddenRoles = new Set();
  function filter() {
    for (const row of svg.querySelectorAll("g.sl-row, g.sl-note")) {
      row.classList.toggle("sl-off", hiddenLanes.has(row.getAttribute("data-row")));
    }
    for (const curve of svg.querySelectorAll("g.sl-curve")) curve.classList.toggle("sl-off", hiddenLanes.has("emotion"));
    for (const g of actions.values()) {
      const off = hiddenLanes.has(g.getAttribute("data-lane")) || hiddenRoles.has(g.getAttribute("data-role"));
      g.classList.toggle("sl-off", off);
      g.setAttribute("tabindex", off ? "-1" : "0");
      if (off) g.setAttribute("aria-hidden", "true"); else g.removeAttribute("aria-hidden");
    }
    const gone = (id) => { const g = actions.get(id); return !!g && g.classList.contains("sl-off"); };
    for (const f of flows) {
      f.classList.toggle("sl-off", gone(f.getAttribute("data-source")) || gone(f.getAttribute("data-target")));
    }
    if (tipFor && tipFor.classList.contains("sl-off")) hideTip();
    if (selected !== null) {
      const g = actions.get(selected);
      if (g && !g.classList.contains("sl-off")) select(g); else clear();
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

  // ---- Keys: + - 0 zoom, arrows pan, Enter or Space traces the focused action, Escape clears.
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target instanceof Element ? e.target : null;
    const g = t ? t.closest("g.sl-action") : null;
    if (g && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); toggle(g); return; }
    if (e.key === "Escape") { clear(); hideTip(); return; }
    if (t && t.closest("input[type=text], input[type=search], textarea, select")) return;
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
      lanes: Array.from(hiddenLanes), roles: Array.from(hiddenRoles), selected,
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
      const v = st.view;
      if (!st.fitted && v && [v.x, v.y, v.s].every(Number.isFinite) && v.s > 0) {
        view = { x: v.x, y: v.y, s: clamp(v.s, 0.01, MAX_SCALE) };
        fitted = false;
        draw();
      }
      const g = typeof st.selected === "string" ? actions.get(st.selected) : null;
      if (g && !g.classList.contains("sl-off")) select(g);
    },
  };
})();
"""
