"""Run the rules on a blueprint: findings located, scored, suppressed and grouped into opportunities."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from stageline.analysis import rules as _rules  # noqa: F401  (registers the built-in rules)
from stageline.analysis.figures import figures
from stageline.analysis.registry import RULES, Context
from stageline.analysis.report import Finding, Report, rank, score
from stageline.analysis.settings import SettingsSource, resolve
from stageline.errors import Location, Problem, SettingsError, Severity, did_you_mean
from stageline.formats.build import Origins
from stageline.formats.tree import SourceMap
from stageline.metrics import Metrics
from stageline.metrics.apply import apply_metrics
from stageline.model import Blueprint
from stageline.validate import locate_path

__all__ = ["analyse"]


def analyse(
    bp: Blueprint,
    *,
    source_map: SourceMap | None = None,
    origins: Origins | None = None,
    project: SettingsSource | None = None,
    only: Iterable[str] | None = None,
    metrics: Metrics | None = None,
) -> Report:
    """Every finding of the registered rules, ranked, with the figures behind them.

    Settings come from ``project`` (a ``stageline.toml``) and then the blueprint's own
    ``analysis:`` key. ``only`` limits the run to some rules (by id or category). ``metrics``
    (measured or simulated) replace the blueprint's assumed waits, durations, odds and emotions
    where they have them, and the rules of the ``measured`` category look at them. Raises a
    :class:`SettingsError` when the settings name unknown rules or give bad thresholds.
    """
    if source_map is None and bp.source is not None:
        from stageline.formats import read_document  # a blueprint read from text: point into it

        doc = read_document(bp.source.text, file=bp.source.file, format=bp.source.format)
        source_map, origins = doc.source_map, doc.origins
    smap = source_map or SourceMap()
    own = SettingsSource(bp.analysis, smap) if bp.analysis is not None else None
    resolved, problems = resolve(project, own)
    for i, action_id in enumerate(resolved.served):
        if bp.action(action_id) is None:
            problems.append(
                Problem(
                    "analysis.served",
                    f"`served` names `{action_id}`, which is not an action of this blueprint",
                    location=smap.locate(("analysis", "served", i)),
                    hint=did_you_mean(action_id, bp.action_index),
                )
            )
    selected = _select(only)
    if problems:
        raise SettingsError(problems)
    measured = apply_metrics(bp, metrics) if metrics is not None else None
    if measured is not None:
        bp = measured.blueprint
    fig = figures(bp, resolved.served)
    ctx = Context(bp, fig, measured)
    found: list[Finding] = []
    for rule in RULES.values():
        severity = resolved.severity[rule.id]
        if severity is None or (selected is not None and rule.id not in selected):
            continue
        for hit in rule.run(ctx, resolved.options[rule.id]):
            file_path, location = locate_path(hit.path, smap, origins or {}) if hit.path else ((), Location(smap.file))
            found.append(
                Finding(
                    rule=rule.id,
                    title=rule.title,
                    severity=severity,
                    message=hit.message,
                    kind=hit.kind,
                    subject=hit.subject,
                    step=hit.step,
                    path=file_path,
                    location=location,
                    evidence=hit.evidence,
                    effect=hit.effect,
                    fix=hit.fix or rule.fix,
                    score=score(severity, hit.effect, fig),
                )
            )
    kept: list[Finding] = []
    accepted: list[Finding] = []
    used: set[int] = set()
    for f in found:
        match = next(
            (
                i
                for i, placed in enumerate(resolved.ignore)
                if placed.suppression.rule == f.rule and placed.suppression.subject in (None, f.subject)
            ),
            None,
        )
        if match is None:
            kept.append(f)
        else:
            used.add(match)
            accepted.append(_accepted(f, resolved.ignore[match].suppression.reason))
    notes = tuple(
        Problem(
            "analysis.unused-ignore",
            f"nothing to accept: rule `{p.suppression.rule}` finds nothing"
            + (f" at `{p.suppression.subject}`" if p.suppression.subject else ""),
            Severity.WARNING,
            location=p.location,
        )
        for i, p in enumerate(resolved.ignore)
        if i not in used and (selected is None or p.suppression.rule in selected)
    )
    kept.sort(key=lambda f: (-f.score, -f.severity.rank, f.location, f.rule))
    accepted.sort(key=lambda f: (f.location, f.rule))
    return Report(bp, fig, tuple(kept), rank(kept, bp), tuple(accepted), notes, measured)


def _accepted(f: Finding, reason: str) -> Finding:
    return replace(f, suppressed=reason)


def _select(only: Iterable[str] | None) -> set[str] | None:
    if only is None:
        return None
    chosen: set[str] = set()
    problems = []
    categories = {r.category for r in RULES.values()}
    for name in only:
        if name in RULES:
            chosen.add(name)
        elif name in categories:
            chosen.update(r.id for r in RULES.values() if r.category == name)
        else:
            problems.append(
                Problem(
                    "analysis.rule",
                    f"unknown rule or category `{name}`",
                    hint=did_you_mean(name, [*RULES, *categories]),
                )
            )
    if problems:
        raise SettingsError(problems)
    return chosen
