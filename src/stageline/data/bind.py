"""Which action each activity of a log is: the binding of the blueprint to the log.

An action's ``activities`` name the activities that identify it: exact names, globs or regular
expressions, optionally for one lifecycle transition only. Each distinct (activity, lifecycle)
of the log goes to the first action, in file order, that claims it. Activities no action claims
are reported with the actions whose names are closest, and actions whose activities match
nothing with the activities closest to what they name, since a typo is the usual cause.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from fnmatch import fnmatchcase

from stageline.errors import BlueprintError, Location, Problem
from stageline.metrics import Activity
from stageline.model import ActivityMatch, Blueprint

__all__ = ["Binding", "bind"]


@dataclass(frozen=True, slots=True)
class Binding:
    """Action by (activity, lifecycle); what is left over on either side."""

    #: (activity, lifecycle or "") -> action id
    actions: dict[tuple[str, str], str]
    unclaimed: tuple[Activity, ...]
    unmatched: tuple[Activity, ...]
    #: (activity, first action, other action) where two actions claim one activity.
    contested: tuple[tuple[str, str, str], ...]

    @property
    def bound(self) -> frozenset[str]:
        """Actions with at least one activity in the log."""
        return frozenset(self.actions.values())


#: Lifecycle transitions that belong to the action claiming the activity's other transitions:
#: the queueing, starting, pausing and abandoning of its work.
_PHASES_OF_WORK = frozenset(
    {"schedule", "assign", "reassign", "start", "suspend", "resume", "ate_abort", "pi_abort", "withdraw"}
)


def _matches(m: ActivityMatch, pattern: re.Pattern[str] | None, activity: str, lifecycle: str) -> bool:
    if m.lifecycle is not None and m.lifecycle.strip().lower() != lifecycle:
        return False
    if m.name is not None:
        return activity == m.name
    if m.glob is not None:
        return fnmatchcase(activity, m.glob)
    return pattern is not None and pattern.fullmatch(activity) is not None


def _describe(m: ActivityMatch) -> str:
    text = m.name if m.name is not None else m.glob if m.glob is not None else f"/{m.regex}/"
    return f"{text} ({m.lifecycle})" if m.lifecycle else str(text)


def bind(bp: Blueprint, seen: Iterable[tuple[str, str, int]]) -> Binding:
    """Bind ``bp``'s actions to the log's (activity, lifecycle, events) triples."""
    matchers: list[tuple[str, ActivityMatch, re.Pattern[str] | None]] = []
    problems: list[Problem] = []
    for action in bp.actions:
        for m in action.activities:
            pattern = None
            if m.regex is not None:
                try:
                    pattern = re.compile(m.regex)
                except re.error as exc:
                    problems.append(
                        Problem(
                            "binding.regex",
                            f"action `{action.id}`: the activity pattern `{m.regex}` is not a regular expression: {exc}",
                            location=Location(bp.source.file if bp.source else "<string>"),
                        )
                    )
            matchers.append((action.id, m, pattern))
    if problems:
        raise BlueprintError(problems)
    actions: dict[tuple[str, str], str] = {}
    unclaimed: list[tuple[str, str, int]] = []
    contested: list[tuple[str, str, str]] = []
    hits: dict[int, int] = {}
    counts: dict[str, int] = {}
    for activity, lifecycle, events in sorted(seen):
        counts[activity] = counts.get(activity, 0) + events
        owner = None
        for i, (action_id, m, pattern) in enumerate(matchers):
            if _matches(m, pattern, activity, lifecycle):
                hits[i] = hits.get(i, 0) + events
                if owner is None:
                    owner = action_id
                elif action_id != owner:
                    contested.append((activity, owner, action_id))
        if owner is None:
            unclaimed.append((activity, lifecycle, events))
        else:
            actions[(activity, lifecycle)] = owner
    owners: dict[str, set[str]] = {}
    for (activity, _), action_id in actions.items():
        owners.setdefault(activity, set()).add(action_id)
    left: list[tuple[str, int]] = []
    for activity, lifecycle, events in unclaimed:
        # The start of work an action claims the completion of is part of that action.
        only = owners.get(activity, set())
        if lifecycle in _PHASES_OF_WORK and len(only) == 1:
            actions[(activity, lifecycle)] = next(iter(only))
        else:
            left.append((activity, events))
    claimed = {a for a, _ in actions}
    totals: dict[str, int] = {}
    for activity, events in left:
        if activity not in claimed:  # some lifecycles of a claimed activity are left on purpose
            totals[activity] = totals.get(activity, 0) + events
    labels = {a.id: a.label for a in bp.actions}
    out_unclaimed = tuple(
        Activity(name=name, events=events, suggestions=_closest(name, labels))
        for name, events in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    names = sorted(counts)
    out_unmatched = tuple(
        Activity(
            name=f"{action_id}: {_describe(m)}",
            suggestions=tuple(difflib.get_close_matches(m.name or m.glob or m.regex or "", names, n=3, cutoff=0.5)),
        )
        for i, (action_id, m, _) in enumerate(matchers)
        if i not in hits
    )
    seen_pairs = set()
    unique_contested = []
    for item in contested:
        if item not in seen_pairs:
            seen_pairs.add(item)
            unique_contested.append(item)
    return Binding(actions, out_unclaimed, out_unmatched, tuple(unique_contested))


def _closest(activity: str, labels: dict[str, str]) -> tuple[str, ...]:
    """Action ids whose id or label is most like the activity's name."""

    def words(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()

    wanted = words(activity)
    scored = []
    for action_id, label in labels.items():
        score = max(
            difflib.SequenceMatcher(None, wanted, words(action_id)).ratio(),
            difflib.SequenceMatcher(None, wanted, words(label)).ratio(),
        )
        if score >= 0.5:
            scored.append((-score, action_id))
    return tuple(a for _, a in sorted(scored)[:3])
