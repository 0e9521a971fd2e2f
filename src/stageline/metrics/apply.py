"""A blueprint with its assumed figures replaced by measured (or simulated) ones, and a record of
which figures were replaced.

``stageline check --metrics`` analyses the result and ``stageline render --metrics`` draws it,
so waits, durations, branch odds and emotions come from the log where the log has them and from
the blueprint where it does not. Expected times are the means (what a customer can expect on
average, which sums along a path); the drawing shows medians and p90 beside them. Tolerances
stay the blueprint's: they are targets, not observations.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from stageline.metrics.shape import Metrics
from stageline.model import Blueprint
from stageline.model.timing import Timing

__all__ = ["Applied", "apply_metrics"]


@dataclass(frozen=True, slots=True)
class Applied:
    """The blueprint with figures replaced, and what was replaced."""

    blueprint: Blueprint
    metrics: Metrics
    #: The blueprint as written, with its assumed figures.
    original: Blueprint
    #: (action id, figure) pairs replaced: figure is ``wait``, ``duration`` or ``emotion``.
    actions: frozenset[tuple[str, str]] = field(default_factory=frozenset)
    #: Flows whose probability was replaced, as (source, target).
    flows: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    @property
    def kind(self) -> str:
        """``measured`` or ``simulated``."""
        return self.metrics.kind

    def replaced(self, action_id: str, figure: str) -> bool:
        return (action_id, figure) in self.actions

    def describe(self) -> str:
        """One sentence saying what was replaced and from where."""
        m = self.metrics
        n_actions = len({a for a, _ in self.actions})
        source = ", ".join(m.sources) or "the metrics file"
        period = ""
        if m.service is not None and m.service.first and m.service.last:
            period = f", {m.service.cases:,} cases from {m.service.first[:10]} to {m.service.last[:10]}"
        return (
            f"Figures {m.kind} from {source}{period}: waits, durations and emotions of {n_actions} "
            f"action{'s' if n_actions != 1 else ''} and the odds of {len(self.flows)} "
            f"flow{'s' if len(self.flows) != 1 else ''}; every other figure is the blueprint's own (assumed)."
        )


def apply_metrics(bp: Blueprint, metrics: Metrics) -> Applied:
    """``bp`` with the figures ``metrics`` has replaced (see the module's text)."""
    replaced: set[tuple[str, str]] = set()
    actions = []
    for action in bp.actions:
        fig = metrics.actions.get(action.id)
        if fig is None:
            actions.append(action)
            continue
        changes: dict[str, object] = {}
        if fig.wait is not None and fig.wait.mean is not None and not fig.wait_includes_service:
            changes["wait"] = Timing(fig.wait.mean, action.wait.tolerance if action.wait else None)
            replaced.add((action.id, "wait"))
        if fig.service is not None and fig.service.mean is not None:
            changes["duration"] = Timing(fig.service.mean, action.duration.tolerance if action.duration else None)
            replaced.add((action.id, "duration"))
        elif fig.wait is not None and fig.wait.mean is not None and fig.wait_includes_service:
            # Without start times the log tells only the time from the previous action to
            # this one's end: the action's own time and its wait together. It replaces the
            # wait, with the action's own assumed duration taken out of it.
            own = action.duration.expected if action.duration else 0.0
            changes["wait"] = Timing(max(0.0, fig.wait.mean - own), action.wait.tolerance if action.wait else None)
            replaced.add((action.id, "wait"))
        if fig.satisfaction is not None and fig.satisfaction.emotion is not None:
            changes["emotion"] = max(-2.0, min(2.0, fig.satisfaction.emotion))
            replaced.add((action.id, "emotion"))
        actions.append(replace(action, **changes) if changes else action)  # type: ignore[arg-type]
    # Branch odds: where the blueprint gives odds to the flows out of an action the log shows
    # (flows without odds are parallel work, not alternatives), each flow's odds become the share
    # of the action's occurrences the log has going on along it; repeats of the action count as
    # rework, not as occurrences, unless the blueprint draws the loop. The rest (cases that end
    # there or go where the blueprint draws nothing) leave the drawn paths, and a drawn loop keeps
    # its measured number of rounds.
    counts = {(f.source, f.target): f.transitions for f in metrics.flows}
    bound = {a for a, f in metrics.actions.items() if f.events}  # feedback alone adds places without events
    outgoing: dict[str, list[int]] = {}
    for i, flow in enumerate(bp.flows):
        outgoing.setdefault(flow.source, []).append(i)
    flows = list(bp.flows)
    replaced_flows: set[tuple[str, str]] = set()
    for source, every in outgoing.items():
        indexes = [i for i in every if bp.flows[i].probability is not None]  # the alternatives
        targets = [bp.flows[i].target for i in indexes]
        if source not in bound or not indexes or not all(t in bound for t in targets):
            continue
        total = metrics.actions[source].events
        if source not in targets:
            total -= counts.get((source, source), 0)
        if total <= 0:
            continue
        for i in indexes:
            flow = bp.flows[i]
            flows[i] = replace(flow, probability=counts.get((source, flow.target), 0) / total)
            replaced_flows.add((source, flow.target))
    out = replace(bp, actions=tuple(actions), flows=tuple(flows))
    return Applied(out, metrics, bp, frozenset(replaced), frozenset(replaced_flows))
