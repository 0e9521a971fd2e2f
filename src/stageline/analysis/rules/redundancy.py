"""Redundancy and rework: the same work done twice, and loops that send customers round again."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from stageline.analysis.registry import Context, Effect, Hit, Option, rule
from stageline.errors import Severity
from stageline.model import Action, Lane
from stageline.wording import duration, money, share

__all__ = ["endless_loop", "rework_loop", "similar_work", "similarity", "words"]

#: Similarity added when two actions share a role or a system.
SAME_PARTY_BONUS = 0.25
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "has",
        "have",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "the",
        "their",
        "them",
        "then",
        "they",
        "this",
        "to",
        "was",
        "were",
        "will",
        "with",
        "who",
        "what",
        "when",
        "which",
        "again",
        "all",
        "any",
    ]
)
_WORD = re.compile(r"[^\W\d_]{3,}")
#: Words shared by more actions than this say nothing about two of them being alike.
_COMMON = 40


def words(label: str) -> frozenset[str]:
    """The content words of a label, lower-cased and crudely stemmed."""
    out = set()
    for w in _WORD.findall(label.lower()):
        if w in _STOP:
            continue
        stem = w
        for suffix in ("ing", "ed", "es", "s"):
            if w.endswith(suffix) and len(w) - len(suffix) >= 4:
                stem = w[: -len(suffix)]
                break
        out.add(stem)
    return frozenset(out)


def similarity(a: Action, b: Action, wa: frozenset[str], wb: frozenset[str]) -> float:
    """Shared words over all words (Jaccard), plus a bonus when both have the same role or system."""
    if not wa or not wb:
        return 0.0
    score = len(wa & wb) / len(wa | wb)
    if (a.role and a.role == b.role) or (a.system and a.system == b.system):
        score += SAME_PARTY_BONUS
    return score


@rule(
    "redundancy.similar-work",
    title="Similar work in several steps",
    rationale=(
        "The same work done twice (the same task, role or system in several steps) is waste the "
        "customer often feels: being asked again, checked again, waiting again."
    ),
    severity=Severity.WARNING,
    fix="Do the work once and pass its result on, or make the second time visibly different (a re-check with a reason).",
    options=[
        Option(
            "min_similarity",
            0.6,
            "share",
            "Label similarity (shared words over all words, not counting the role's or system's name; +25% for the same role or system) at which two actions are flagged.",
        )
    ],
)
def similar_work(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    bp = ctx.blueprint
    actions = [a for a in bp.actions if a.lane is not Lane.EVIDENCE]
    # The party's own name in a label ("Clerk ...") says who, not what: the bonus counts that.
    names = {p.id: words(p.name) | words(p.id) for p in (*bp.roles, *bp.systems)}
    wordsets = [
        words(a.label) - names.get(a.role or "", words(a.role or "")) - names.get(a.system or "", words(a.system or ""))
        for a in actions
    ]
    index: dict[str, list[int]] = {}
    for i, ws in enumerate(wordsets):
        for w in ws:
            index.setdefault(w, []).append(i)
    pairs: set[tuple[int, int]] = set()
    for members in index.values():
        if len(members) > _COMMON:
            continue
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                if actions[i].step != actions[j].step and actions[i].lane is actions[j].lane:
                    pairs.add((i, j))
    for i, j in sorted(pairs):
        a, b = actions[i], actions[j]
        score = similarity(a, b, wordsets[i], wordsets[j])
        if score < opts["min_similarity"]:
            continue
        reach = ctx.figures.reach(b.id)
        cost = (b.cost or 0.0) * ctx.figures.visits(b.id)
        yield ctx.at(
            b,
            f"`{b.label}` looks like `{a.label}` in step `{ctx.step_name(a.step)}`",
            evidence=(("similar to", a.id), ("similarity", share(min(score, 1.0)))),
            effect=Effect(
                time=(b.duration.expected if b.duration else 0.0) * ctx.figures.visits(b.id),
                cost=cost,
                customers=reach,
            ),
        )


@rule(
    "redundancy.rework-loop",
    title="Rework loop",
    rationale=(
        "A loop that sends work or the customer back repeats every action in it; with loop-back "
        "probability q a customer goes round q / (1 - q) extra times on average."
    ),
    severity=Severity.WARNING,
    fix="Find why the loop is taken (missing information, errors upstream) and fix it there: first-time right.",
)
def rework_loop(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    fig = ctx.figures
    currency = ctx.blueprint.currency
    for loop in fig.timeline.loops:
        if loop.endless:
            continue
        d = fig.graph.actions[loop.decision]
        reach = fig.reach(d.id)
        rounds = reach * loop.extra_rounds
        members = [fig.graph.actions[m] for m, _ in loop.members]
        cost = rounds * sum((fig.graph.actions[m].cost or 0.0) * r for m, r in loop.members)
        customer = any(m.lane is Lane.CUSTOMER for m in members)
        who = "customers" if customer else "cases"
        back = ", ".join(f"`{fig.graph.actions[e.target].label}`" for e in loop.edges)
        yield ctx.at(
            d,
            f"{share(loop.probability)} of the {who} at `{d.label}` go round again to {back}; "
            f"each round repeats {len(members)} actions and takes {duration(loop.span)}",
            evidence=(
                ("loop-back probability", share(loop.probability)),
                ("extra rounds per customer", f"{rounds:.2f}"),
                ("time added per customer", duration(rounds * loop.span)),
                ("cost added per customer", money(cost, currency)),
                ("customer goes round too", "yes" if customer else "no"),
            ),
            effect=Effect(time=rounds * loop.span, cost=cost, customers=reach * loop.probability),
        )


@rule(
    "redundancy.endless-loop",
    title="Loop nobody leaves",
    rationale="A loop whose loop-back alternatives add up to 100% never ends: the blueprint has no way out of it.",
    severity=Severity.ERROR,
    fix="Add the alternative that leaves the loop, with its probability, or lower the loop-back odds.",
)
def endless_loop(ctx: Context, opts: Mapping[str, float]) -> Iterator[Hit]:
    fig = ctx.figures
    for loop in fig.timeline.loops:
        if loop.endless:
            d = fig.graph.actions[loop.decision]
            yield ctx.at(d, f"every customer at `{d.label}` goes round again: the loop has no way out")
