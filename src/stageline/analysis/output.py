"""Reports as JSON, Markdown, HTML and SARIF: a registry of small writers, one per format.

The terminal table lives in the CLI (it needs rich); everything here is plain string building.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from stageline.analysis.registry import RULES
from stageline.analysis.report import Finding, Report, figures_dict
from stageline.errors import Severity
from stageline.model import Lane
from stageline.model.vocabulary import LANE_NAMES
from stageline.wording import duration, money, share

__all__ = ["WRITERS", "dump_report", "effect_text", "headline", "summary_line", "writer"]

WRITERS: dict[str, Callable[[Report], str]] = {}


def writer(name: str) -> Callable[[Callable[[Report], str]], Callable[[Report], str]]:
    def register(fn: Callable[[Report], str]) -> Callable[[Report], str]:
        WRITERS[name] = fn
        return fn

    return register


def dump_report(report: Report, format: str) -> str:
    """The report in ``format`` (json, markdown, html or sarif)."""
    return WRITERS[format](report)


@writer("json")
def _json(report: Report) -> str:
    return json.dumps(report.to_dict(), indent=2, ensure_ascii=False) + "\n"


# --- Markdown ---------------------------------------------------------------------------------


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell or line."""
    return html.escape(text, quote=False).replace("|", "\\|").replace("\n", " ")


def headline(report: Report) -> list[tuple[str, str]]:
    """The figures at the top of every report, as (name, value)."""
    fig = report.figures
    currency = report.blueprint.currency
    out = [
        ("End-to-end time (expected)", duration(fig.end_to_end)),
        ("Customer-felt time (expected)", duration(fig.timeline.customer_felt)),
        ("Cost per customer", money(fig.cost_per_customer, currency)),
    ]
    failures = sum(fig.failure_cost)
    if failures > 0:
        out.append(("of which failures", money(failures, currency)))
    if fig.timeline.time_to_serve is not None:
        out.insert(2, ("Time to serve (served customers)", duration(fig.timeline.time_to_serve)))
    if fig.cost_per_served is not None and fig.served_share is not None:
        out.append(
            ("Cost per served customer", f"{money(fig.cost_per_served, currency)} ({share(fig.served_share)} served)")
        )
    out.append(("Handoffs", str(len(fig.handoffs))))
    out.append(("Rework loops", str(len(fig.timeline.loops))))
    n = fig.timeline.scenarios
    method = {"exact": f"exact, {n} path scenario{'' if n == 1 else 's'}", "none": "no flows"}.get(
        fig.timeline.method, f"approximate ({fig.timeline.scenarios} pass)"
    )
    if report.measured is not None:
        out.append(("Figures", f"{report.measured.describe()} Paths: {method}."))
    else:
        out.append(("Figures", f"assumed (from the blueprint); {method}"))
    return out


@writer("markdown")
def _markdown(report: Report) -> str:
    bp = report.blueprint
    lines = [f"# Analysis: {_md(bp.title)}", ""]
    lines += [summary_line(report), ""]
    lines += ["| Figure | Value |", "|---|---|"]
    lines += [f"| {k} | {_md(v)} |" for k, v in headline(report)]
    lines += ["", "## Opportunities, most valuable first", ""]
    for o in report.opportunities[:20]:
        effect = effect_text(o.effect, bp.currency)
        lines.append(f"{o.rank}. **{_md(o.title)}**{' - ' + effect if effect else ''}")
        for f in o.findings:
            lines.append(f"   - {_badge(f.severity)} {_md(f.message)} (`{f.rule}`, {_where(f)})")
        for fix in o.fixes[:3]:
            lines.append(f"   - Fix: {_md(fix)}")
    lines += ["", "## Findings", "", "| Severity | Rule | Where | Finding |", "|---|---|---|---|"]
    for f in report.findings:
        lines.append(f"| {f.severity.value} | `{f.rule}` | {_where(f)} | {_md(f.message)} |")
    if report.suppressed:
        lines += ["", "## Accepted findings", "", "| Rule | Subject | Reason |", "|---|---|---|"]
        lines += [f"| `{f.rule}` | `{_md(f.subject)}` | {_md(f.suppressed or '')} |" for f in report.suppressed]
    lines += ["", "## Time and cost by step", "", "| Step | Customers reaching it | Expected time | Expected cost |"]
    lines.append("|---|---|---|---|")
    for s in report.figures.steps:
        name = bp.step(s.step).name if bp.step(s.step) else s.step  # type: ignore[union-attr]
        lines.append(f"| {_md(name)} | {share(s.reach)} | {duration(s.time)} | {money(s.cost, bp.currency)} |")
    matrix = report.figures.handoff_matrix
    if matrix:
        lines += ["", "## Handoffs between roles", "", "| From | To | Flows |", "|---|---|---|"]
        lines += [f"| {_md(a)} | {_md(b)} | {n} |" for (a, b), n in sorted(matrix.items())]
    return "\n".join(lines) + "\n"


def summary_line(report: Report) -> str:
    parts = [
        f"{report.count(s)} {s.value}{'s' if report.count(s) != 1 and s is not Severity.INFO else ''}" for s in Severity
    ]
    accepted = f", {len(report.suppressed)} accepted" if report.suppressed else ""
    return f"{', '.join(parts)}{accepted}; {len(report.opportunities)} opportunities."


def _badge(severity: Severity) -> str:
    return {"error": "**error**", "warning": "*warning*", "info": "info"}[severity.value]


def _where(f: Finding) -> str:
    loc = f.location
    return f"line {loc.line}" if loc.line else f"`{f.subject}`" if f.subject else "blueprint"


def effect_text(effect: Any, currency: str | None) -> str:
    parts = []
    if effect.customers > 0:
        parts.append(f"{share(effect.customers)} of customers")
    if effect.time > 0:
        parts.append(f"up to {duration(effect.time)} per customer")
    if effect.cost > 0:
        parts.append(f"up to {money(effect.cost, currency)} per customer")
    if effect.risk > 0:
        parts.append(f"risk priority {effect.risk:g}")
    return ", ".join(parts)


# --- HTML -------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#1d2330;max-width:1200px}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem}
table{border-collapse:collapse;margin:.5rem 0}td,th{border:1px solid #d5d9e0;padding:.35rem .5rem;vertical-align:top;text-align:left}
th{background:#f2f4f7}.error{color:#a4161a;font-weight:600}.warning{color:#8a5300;font-weight:600}.info{color:#455062}
.grid{overflow-x:auto}.grid td{min-width:9rem;font-size:.85rem}.lane{font-weight:600;background:#f7f8fa}
.a{border-radius:4px;padding:.2rem .3rem;margin:.15rem 0;background:#fff;border:1px solid #c8ced8}
.a.has-error{border:2px solid #a4161a}.a.has-warning{border:2px solid #c77c02}
.mark{display:inline-block;min-width:1.2rem;text-align:center;border-radius:9px;font-size:.75rem;color:#fff;margin-left:.25rem}
.mark.error{background:#a4161a}.mark.warning{background:#9a5d00}.mark.info{background:#5a6578}
ol li{margin-bottom:.6rem}.muted{color:#5a6578}code{background:#f2f4f7;border-radius:3px;padding:0 .2rem}
"""


@writer("html")
def _html(report: Report) -> str:
    bp = report.blueprint
    e = html.escape
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8"/>',
        f"<title>Analysis: {e(bp.title)}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>Analysis: {e(bp.title)}</h1>",
        f"<p>{e(summary_line(report))}</p>",
        "<table>",
    ]
    out += [f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in headline(report)]
    out += ["</table>", "<h2>The blueprint, with findings marked</h2>", _grid(report)]
    out += ["<h2>Opportunities, most valuable first</h2>", "<ol>"]
    for o in report.opportunities[:20]:
        effect = effect_text(o.effect, bp.currency)
        items = "".join(
            f'<li><span class="{f.severity.value}">{f.severity.value}</span> {_code(f.message)} '
            f'<span class="muted">({e(f.rule)}, {e(_where(f))})</span></li>'
            for f in o.findings
        )
        fixes = "".join(f"<li>Fix: {_code(x)}</li>" for x in o.fixes[:3])
        out.append(
            f"<li><strong>{_code(o.title)}</strong>"
            + (f' <span class="muted">{e(effect)}</span>' if effect else "")
            + f"<ul>{items}{fixes}</ul></li>"
        )
    out += [
        "</ol>",
        "<h2>Findings</h2>",
        "<table><tr><th>Severity</th><th>Rule</th><th>Where</th><th>Finding</th></tr>",
    ]
    for f in report.findings:
        out.append(
            f'<tr><td class="{f.severity.value}">{f.severity.value}</td><td>{e(f.rule)}</td>'
            f"<td>{e(_where(f))}</td><td>{_code(f.message)}</td></tr>"
        )
    out.append("</table>")
    if report.suppressed:
        out += ["<h2>Accepted findings</h2>", "<table><tr><th>Rule</th><th>Subject</th><th>Reason</th></tr>"]
        out += [
            f"<tr><td>{e(f.rule)}</td><td>{e(f.subject)}</td><td>{e(f.suppressed or '')}</td></tr>"
            for f in report.suppressed
        ]
        out.append("</table>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def _code(text: str) -> str:
    """Escaped text with `quoted` names set in code type, as in the terminal report."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(text))


def _grid(report: Report) -> str:
    """The blueprint as a table of steps and lanes, each action marked with its findings."""
    bp = report.blueprint
    e = html.escape
    marks: dict[str, list[Finding]] = {}
    step_marks: dict[str, list[Finding]] = {}
    for f in report.findings:
        if f.kind == "action":
            marks.setdefault(f.subject, []).append(f)
        elif f.kind == "step":
            step_marks.setdefault(f.subject, []).append(f)
    rows = ['<div class="grid"><table><tr><th></th>']
    for s in bp.steps:
        badges = _badges(step_marks.get(s.id, []))
        rows.append(f"<th>{e(s.name)}{badges}</th>")
    rows.append("</tr>")
    for lane in Lane:
        rows.append(f'<tr><td class="lane">{e(LANE_NAMES[lane])}</td>')
        for s in bp.steps:
            cells = []
            for a in bp.actions_in(s.id, lane):
                found = marks.get(a.id, [])
                worst = max((f.severity.rank for f in found), default=-1)
                cls = {2: " has-error", 1: " has-warning"}.get(worst, "")
                tip = e("\n".join(f"{f.severity.value}: {f.message}" for f in found), quote=True)
                cells.append(f'<div class="a{cls}" title="{tip}">{e(a.label)}{_badges(found)}</div>')
            rows.append(f"<td>{''.join(cells)}</td>")
        rows.append("</tr>")
    rows.append("</table></div>")
    return "".join(rows)


def _badges(found: list[Finding]) -> str:
    out = []
    for sev in Severity:
        n = sum(1 for f in found if f.severity is sev)
        if n:
            out.append(f'<span class="mark {sev.value}" title="{n} {sev.value}">{n}</span>')
    return "".join(out)


# --- SARIF ------------------------------------------------------------------------------------

_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


@writer("sarif")
def _sarif(report: Report) -> str:
    """SARIF 2.1.0, so that code review tools show findings on the blueprint's lines."""
    from stageline import __version__

    used = sorted({f.rule for f in (*report.findings, *report.suppressed)})
    index = {r: i for i, r in enumerate(used)}
    rules = [
        {
            "id": r,
            "name": RULES[r].title,
            "shortDescription": {"text": RULES[r].title},
            "fullDescription": {"text": RULES[r].rationale},
            "help": {"text": RULES[r].fix},
            "defaultConfiguration": {"level": _SARIF_LEVEL[RULES[r].severity]},
            "properties": {"category": RULES[r].category},
        }
        for r in used
    ]
    results = [_result(f, index) for f in report.findings]
    results += [
        {**_result(f, index), "suppressions": [{"kind": "inSource", "justification": f.suppressed or ""}]}
        for f in report.suppressed
    ]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "Stageline",
                        "version": __version__,
                        "rules": rules,
                    }
                },
                "results": results,
                "properties": {"figures": figures_dict(report.figures)},
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _result(f: Finding, index: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": f.rule,
        "ruleIndex": index[f.rule],
        "level": _SARIF_LEVEL[f.severity],
        "message": {"text": f"{f.message}. {f.fix}"},
        "partialFingerprints": {"stageline/v1": f"{f.rule}:{f.subject}"},
        "properties": {"subject": f.subject, "score": round(f.score, 6), "effect": f.effect.to_dict()},
    }
    loc = f.location
    if loc.line:
        out["locations"] = [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": loc.file.replace("\\", "/")},
                    "region": {"startLine": loc.line, "startColumn": max(loc.column, 1)},
                }
            }
        ]
    return out
