"""Customer feedback bound to a blueprint: satisfaction per action, step, phase and the service.

:func:`measure_feedback` links the responses of a :class:`~stageline.data.feedback.Feedback`
(read by :func:`~stageline.data.feedback.read_feedback`) to a blueprint and the event log's
occurrences and judges the links (an unknown action, step, touchpoint or case); its rejections
follow those of reading in one :class:`~stageline.data.quality.Quality` report.
:func:`add_satisfaction` puts the figures on measured :class:`~stageline.metrics.Metrics`.

A response linked to an action counts for that action, its step, its phase and the service; one
linked to a step for that step, its phase and the service. A touchpoint counts for the one action
having it; when several actions have it, for the step they share, else the phase they share,
else for the service only (a note says so). A response linked by case id counts for the last
action the case had completed at or before the response's time (the case's last action when the
response has no time); ties go to the action later in the blueprint.

Figures (:class:`~stageline.metrics.Satisfaction`): the number of responses, mean CSAT, NPS (the
percentage of promoters, 9 or 10, minus that of detractors, 0 to 6), mean CES, the emotion the
ratings imply on the blueprint's -2..+2 scale, and the ten words most comments use. Each scale
maps linearly onto the emotion: CSAT 1..5 to -2..+2, NPS rating 0..10 to -2..+2, CES 1..7 to
+2..-2; a response's emotion is the mean of the scales it has, and a place's emotion the mean
over its responses. The emotion per step, in step order, is the measured emotion curve. Figures
are rounded to three decimals.
"""

from __future__ import annotations

import bisect
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

# Reading's own helpers, shared so that reading and linking collect, order and report rejections alike.
from stageline.data.feedback import Feedback, Response, _Found, _link, _order, _quality
from stageline.data.quality import Quality
from stageline.errors import DataError, Location, Problem, did_you_mean
from stageline.metrics import ActionFigures, Metrics, Satisfaction, ServiceFigures, StageFigures, Word
from stageline.model import Blueprint, Lane

__all__ = ["FeedbackFigures", "add_satisfaction", "comment_words", "measure_feedback"]


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


@dataclass(frozen=True, slots=True)
class FeedbackFigures:
    """What customers said about each part of a blueprint, and the report of the feedback file."""

    #: By action, step and phase id, in blueprint order; only those with responses.
    actions: dict[str, Satisfaction]
    steps: dict[str, Satisfaction]
    phases: dict[str, Satisfaction]
    service: Satisfaction
    #: The measured emotion curve: (step id, emotion) in step order, for steps with ratings.
    curve: tuple[tuple[str, float], ...]
    #: Rows read, responses kept (``events``), the cases they link to, every rejection and note.
    quality: Quality

    def lines(self) -> list[str]:
        """The report as lines for a terminal, in the words of feedback."""
        q = self.quality
        head = f"{q.file}: {_count(q.rows, 'row')} read, {_count(q.events, 'response')} kept" + (
            f", {_count(q.rejected_rows, 'row')} rejected" if q.rejected else ", none rejected"
        )
        return [head] + [f"  rejected {i}" for i in q.rejected] + [f"  note: {i}" for i in q.notes]


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


class _Places:
    """The blueprint's ids and touchpoints, for resolving links."""

    def __init__(self, bp: Blueprint) -> None:
        self.bp = bp
        self.order = {a.id: i for i, a in enumerate(bp.actions)}
        self.step_of = {a.id: a.step for a in bp.actions}
        self.phase_of = {s.id: s.phase for s in bp.steps}
        names: dict[str, list[str]] = {}
        for s in bp.steps:
            names.setdefault(_norm(s.name), []).append(s.id)
        self.step_names = {n: ids[0] for n, ids in names.items() if len(ids) == 1}
        self.touch: dict[str, list[str]] = {}
        self.touch_text: dict[str, str] = {}
        for a in bp.actions:
            texts = [*a.evidence, *([a.channel] if a.channel else []), *([a.label] if a.lane is Lane.EVIDENCE else [])]
            for text in texts:
                key = _norm(text)
                if key and a.id not in self.touch.setdefault(key, []):
                    self.touch[key].append(a.id)
                    self.touch_text.setdefault(key, text)

    def step(self, text: str) -> str | None:
        return text if text in self.phase_of else self.step_names.get(_norm(text))

    def shared(self, actions: list[str]) -> tuple[str, str]:
        """The narrowest place the actions share: (level, id)."""
        if len(actions) == 1:
            return "action", actions[0]
        steps = {self.step_of[a] for a in actions}
        if len(steps) == 1:
            return "step", steps.pop()
        phases = {self.phase_of.get(s) for s in steps}
        if len(phases) == 1 and (phase := phases.pop()) is not None:
            return "phase", phase
        return "service", ""


def measure_feedback(
    bp: Blueprint,
    feedback: Feedback,
    occurrences: Iterable[Mapping[str, Any] | Sequence[Any]] | None = None,
) -> FeedbackFigures:
    """What customers said about each action, step and phase of ``bp`` and the whole service.

    ``occurrences`` are the event log's occurrences of actions as rows ``(case_id, action,
    end_us)`` (tuples, or mappings with those keys), needed only for responses linked by case
    id: ``figures.occurrences(...)`` filtered to ``feedback.cases`` gives them. Responses whose
    link the blueprint or the log does not know are rejected in ``quality``. Raises a located
    :class:`DataError` when no response can be linked.
    """
    places = _Places(bp)
    wanted = feedback.columns.mapped()
    history = _history(occurrences, feedback.cases, places.order) if occurrences is not None else None
    found = _Found()
    notes = _Found()
    buckets: dict[tuple[str, str], list[Response]] = {}
    kept: list[Response] = []
    for r in feedback.responses:
        place = _resolve(r, places, history, wanted, found, notes)
        if place is None:
            continue
        kept.append(r)
        level, ident = place
        chain = [place]
        if level == "action":
            chain.append(("step", places.step_of[ident]))
        if chain[-1][0] == "step":
            phase = places.phase_of.get(chain[-1][1])
            if phase is not None:
                chain.append(("phase", phase))
        for at in chain:
            if at[0] != "service":
                buckets.setdefault(at, []).append(r)
    # Reasons of reading all come before those of linking, so each part keeps its order.
    rejected = feedback.rejected + _order(found.issues())
    quality = _quality(
        feedback.file, feedback.rows, tuple(kept), feedback.columns, rejected, feedback.notes + _order(notes.issues())
    )
    if not kept:
        raise DataError(
            Problem(
                "data.empty",
                "no response of the feedback can be linked to the blueprint: " + "; ".join(str(i) for i in rejected),
                location=Location(feedback.file),
            )
        )
    words = {r.row: comment_words(r.comment) for r in kept if r.comment}

    def of(level: str, ids: Iterable[str]) -> dict[str, Satisfaction]:
        return {i: _satisfaction(buckets[(level, i)], words) for i in ids if (level, i) in buckets}

    steps = of("step", (s.id for s in bp.steps))
    return FeedbackFigures(
        actions=of("action", places.order),
        steps=steps,
        phases=of("phase", (p.id for p in bp.phases)),
        service=_satisfaction(kept, words),
        curve=tuple((s, e) for s, f in steps.items() if (e := f.emotion) is not None),
        quality=quality,
    )


def _history(
    rows: Iterable[Mapping[str, Any] | Sequence[Any]], cases: frozenset[str], order: Mapping[str, int]
) -> dict[str, tuple[list[tuple[int, int]], list[str]]]:
    """Per case in ``cases``: its occurrences' (end, blueprint order) sorted, and their actions."""
    seen: dict[str, list[tuple[int, int, str]]] = {}
    for item in rows if cases else ():
        if isinstance(item, Mapping):
            case, action, end = item.get("case_id"), item.get("action"), item.get("end_us")
        else:
            case, action, end = item[0], item[1], item[2]
        if case is None or end is None or not isinstance(action, str) or action not in order:
            continue
        if str(case) in cases:
            seen.setdefault(str(case), []).append((int(end), order[action], action))
    out: dict[str, tuple[list[tuple[int, int]], list[str]]] = {}
    for case, items in seen.items():
        items.sort()
        out[case] = ([(e, o) for e, o, _ in items], [a for _, _, a in items])
    return out


def _resolve(
    r: Response,
    places: _Places,
    history: dict[str, tuple[list[tuple[int, int]], list[str]]] | None,
    wanted: Mapping[str, str],
    found: _Found,
    notes: _Found,
) -> tuple[str, str] | None:
    """Where a response counts, (level, id); None when it is rejected."""
    bp = places.bp
    kind = _link(r)
    column = wanted.get(kind)
    if kind == "action" and r.action is not None:
        if r.action not in places.order:
            hint = did_you_mean(r.action, places.order)
            message = f"no action `{r.action}` in the blueprint" + (f"; {hint}" if hint else "")
            found.add_value("action.unknown", r.action, message, "an action the blueprint does not have", r.row, column)
            return None
        if r.step is not None:
            step = places.step(r.step)
            if step != places.step_of[r.action]:
                found.add(
                    "link.conflict",
                    f"the action and the step disagree: `{r.action}` is in step `{places.step_of[r.action]}`",
                    r.row,
                    wanted.get("step"),
                )
                return None
        return "action", r.action
    if kind == "step" and r.step is not None:
        step = places.step(r.step)
        if step is None:
            hint = did_you_mean(r.step, [*places.phase_of, *(s.name for s in bp.steps)])
            message = f"no step `{r.step}` in the blueprint" + (f"; {hint}" if hint else "")
            found.add_value("step.unknown", r.step, message, "a step the blueprint does not have", r.row, column)
            return None
        return "step", step
    if kind == "touchpoint" and r.touchpoint is not None:
        actions = places.touch.get(_norm(r.touchpoint))
        if not actions:
            hint = did_you_mean(r.touchpoint, places.touch_text.values())
            message = f"no action has the touchpoint `{r.touchpoint}`" + (f"; {hint}" if hint else "")
            found.add_value("touchpoint.unknown", r.touchpoint, message, "a touchpoint no action has", r.row, column)
            return None
        level, ident = places.shared(actions)
        if level in ("phase", "service"):
            where = f"phase `{ident}`" if level == "phase" else "service"
            text = places.touch_text[_norm(r.touchpoint)]  # as the blueprint writes it
            notes.add_value(
                "touchpoint.wide",
                text,
                f"the touchpoint `{text}` is in several steps; counted for the {where} only",
                "a touchpoint in several steps; counted for the phase or the service only",
                r.row,
                column,
            )
        return level, ident
    case = r.case or ""
    if history is None:
        found.add("case.nolog", "linked by case id, but no event log was given", r.row, column)
        return None
    known = history.get(case)
    if known is None:
        found.add("case.unknown", "the case has no event of the blueprint's actions in the log", r.row, column)
        return None
    ends, actions = known
    at = len(ends) if r.time_us is None else bisect.bisect_right(ends, (r.time_us, math.inf))
    if at == 0:
        found.add("case.early", "given before the case's first event in the log", r.row, wanted.get("time"))
        return None
    return "action", actions[at - 1]


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 3) if values else None


def _satisfaction(responses: Sequence[Response], words: Mapping[int, frozenset[str]]) -> Satisfaction:
    nps = [r.nps for r in responses if r.nps is not None]
    net = None
    if nps:
        net = round(100 * (sum(n >= 9 for n in nps) - sum(n <= 6 for n in nps)) / len(nps), 3)
    counts: Counter[str] = Counter()
    for r in responses:
        counts.update(words.get(r.row, ()))
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:10]
    return Satisfaction(
        responses=len(responses),
        csat=_mean([r.csat for r in responses if r.csat is not None]),
        nps=net,
        ces=_mean([r.ces for r in responses if r.ces is not None]),
        emotion=_mean([e for r in responses if (e := r.emotion) is not None]),
        words=tuple(Word(word=w, count=n) for w, n in top),
    )


# Words too common to tell anything: English, and the commonest Dutch, German, French, Italian
# and Spanish ones.
_STOP_TEXT = """
    a about above after again against all also am an and any are aren't as at be because been before being below
    between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
    even ever every few for from further get got had hadn't has hasn't have haven't having he her here hers herself
    him himself his how i i'd i'll i'm i've if in into is isn't it it's its itself just let's like me more most much
    must mustn't my myself no nor not now of off on once one only or other ought our ours ourselves out over own
    quite really same she should shouldn't so some still such than that that's the their theirs them themselves then
    there there's these they they'd they'll they're they've this those though through to too under until up upon us
    very was wasn't we we'd we'll we're we've were weren't what what's when where which while who whom why will with
    won't would wouldn't yet you you'd you'll you're you've your yours yourself yourselves
    aan al als bij dan dat de deze die dit door een en er geen had heb hebben heeft het hier hij hoe ik in is je
    kan maar me met mijn na naar niet nog nu of om ons ook op over te tot u uit van veel voor was wat we wel werd
    wij zeer zich zij zijn zo
    aber als am an auch auf aus bei bin bis da dann das dass dem den der des die diese doch du durch ein eine einem
    einen einer es für hat habe haben ich ihr im in ist ja kein keine man mich mir mit nach nicht noch nur oder
    schon sehr sich sie sind so über um und uns vom von vor war waren was wie wir wird wurde zu zum zur
    à au aux avec ce ces cette dans de des du elle en est et été était il ils je la le les leur lui ma mais me
    même mes moi mon ne nous on ou par pas peu plus pour qu que qui sa se ses son sont sur ta te tes toi ton très
    tu un une vos votre vous
    ai anche che ci come con da dal dei del della delle di è gli ha hanno ho il io la le lo ma mi molto nel nella
    non per più perché quando questo se si sono su tra un una uno
    al como con cuando de del el ella en era es esta está este fue ha hay la las le les lo los más me mi muy no
    nos o para pero por porque que se sin sobre su sus te tu un una y ya
"""
_STOP = frozenset(_STOP_TEXT.split())
#: Elided articles and prepositions that open a French or Italian word: ``l'accueil``.
_ELIDED_TEXT = "c d j l m n s t qu jusqu lorsqu puisqu dell nell dall all sull quell quest un"
_ELIDED = frozenset(_ELIDED_TEXT.split())
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)*")


def comment_words(text: str) -> frozenset[str]:
    """The words of a comment that say something: lower-cased, letters only, no stop words."""
    text = unicodedata.normalize("NFC", text).lower().replace("\u2019", "'")
    out = set()
    for found in _WORD.findall(text):
        word = found
        if "'" in word and word not in _STOP:
            head, _, rest = word.partition("'")
            word = rest if head in _ELIDED else word[:-2] if word.endswith("'s") else word
        if len(word) > 1 and word not in _STOP:
            out.add(word)
    return frozenset(out)


def add_satisfaction(bp: Blueprint, metrics: Metrics, figures: FeedbackFigures) -> Metrics:
    """``metrics`` with the satisfaction of ``figures`` on each action, step, phase and the service.

    Places the log did not measure (customer actions the log cannot see, say) get figures of
    zero events and cases that carry only the satisfaction. The feedback file joins the sources.
    """
    actions: dict[str, ActionFigures] = {}
    for a in bp.actions:
        had = metrics.actions.get(a.id)
        said = figures.actions.get(a.id)
        if said is not None:
            had = (
                replace(had, satisfaction=said)
                if had
                else ActionFigures(events=0, cases=0, share=0.0, satisfaction=said)
            )
        if had is not None:
            actions[a.id] = had
    actions.update({k: v for k, v in metrics.actions.items() if k not in actions})

    def stages(
        have: dict[str, StageFigures], said: dict[str, Satisfaction], ids: Iterable[str]
    ) -> dict[str, StageFigures]:
        out: dict[str, StageFigures] = {}
        for i in ids:
            had = have.get(i)
            if i in said:
                had = (
                    replace(had, satisfaction=said[i])
                    if had
                    else StageFigures(cases=0, share=0.0, events=0, satisfaction=said[i])
                )
            if had is not None:
                out[i] = had
        out.update({k: v for k, v in have.items() if k not in out})
        return out

    service = metrics.service or ServiceFigures(cases=0, events=0, variants=0)
    sources = metrics.sources + ((figures.quality.file,) if figures.quality.file not in metrics.sources else ())
    return replace(
        metrics,
        sources=sources,
        service=replace(service, satisfaction=figures.service),
        actions=actions,
        steps=stages(metrics.steps, figures.steps, (s.id for s in bp.steps)),
        phases=stages(metrics.phases, figures.phases, (p.id for p in bp.phases)),
    )
