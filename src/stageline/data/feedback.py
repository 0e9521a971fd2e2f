"""Customer feedback bound to a blueprint: what customers said, per action, step and phase.

A feedback file is a CSV with one response a row: ratings, a comment and a link to the
blueprint. Columns are found by their common names or given in :class:`FeedbackColumns`:

- ratings: ``csat`` (customer satisfaction, 1 to 5), ``nps`` (likelihood to recommend, a whole
  number from 0 to 10) and ``ces`` (customer effort, 1 to 7, lower is easier); a response may
  have any of them, and a ``comment``;
- the link: ``action`` (an action id), ``step`` (a step id, or its name), ``touchpoint`` (text
  matched, without regard to case, against the actions' ``evidence`` items, their ``channel``
  and the labels of the physical-evidence lane) or ``case`` (a case id of the event log); when
  a row fills in several, the first of action, step, touchpoint and case decides (an action and a
  step given together must agree);
- ``time``: when the response was given, ISO 8601; a time without an offset is read as UTC and a
  date alone as the end of that day.

Reading and linking are two calls. :func:`read_feedback` reads the file and judges what it can
alone (a rating off its scale, an unreadable time, a row with no link, no rating and no comment,
bytes that are not text). :func:`measure_feedback` links the responses to a blueprint and the
event log's occurrences and judges the links (an unknown action, step, touchpoint or case). Every
row is kept or rejected with a reason and its place, in a :class:`~stageline.data.quality.Quality`
report.

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
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from stageline.data.csvlog import csv_header, read_csv_rows
from stageline.data.quality import EXAMPLES, Issue, Quality
from stageline.data.raw import Rejects
from stageline.errors import DataError, Location, Problem, did_you_mean
from stageline.metrics import ActionFigures, Metrics, Satisfaction, ServiceFigures, StageFigures, Word
from stageline.model import Blueprint, Lane

__all__ = [
    "Feedback",
    "FeedbackColumns",
    "FeedbackFigures",
    "Response",
    "add_satisfaction",
    "comment_words",
    "measure_feedback",
    "read_feedback",
]

#: The fields of a response, in the order reports list them.
_FIELDS = ("csat", "nps", "ces", "comment", "action", "step", "touchpoint", "case", "time")
_RATINGS = ("csat", "nps", "ces")
_LINKS = ("action", "step", "touchpoint", "case")

#: Names recognised for each field, compared without case, spaces, dashes and underscores.
_NAMES = {
    "csat": "csat|csat score|satisfaction|satisfaction score|customer satisfaction|rating|stars",
    "nps": "nps|nps score|nps rating|likelihood to recommend|would recommend|recommend|ltr",
    "ces": "ces|ces score|customer effort|customer effort score|effort|effort score",
    "comment": "comment|comments|feedback|verbatim|remark|remarks|review|free text|text|message|kommentar|"
    "commentaire|opmerking|commento|comentario",
    "action": "action|action id|blueprint action",
    "step": "step|step id|blueprint step|journey step|stage",
    "touchpoint": "touchpoint|touch point|touchpoints|channel|evidence",
    "case": "case:concept:name|case|case id|caseid|case:id|ticket|ticket id|order id|reference",
    "time": "time|timestamp|date|response time|response date|submitted|submitted at|created|created at|answered",
}
_KNOWN = {f: tuple(names.split("|")) for f, names in _NAMES.items()}

#: Ratings: (name in messages, lowest, highest, whole numbers only).
_SCALES: dict[str, tuple[str, float, float, bool]] = {
    "csat": ("CSAT", 1, 5, False),
    "nps": ("NPS", 0, 10, True),
    "ces": ("CES", 1, 7, False),
}

#: Reasons a row is rejected, in the order reports list them.
_REASON_ORDER = """encoding width blank csat.bad csat.range nps.bad nps.range ces.bad ces.range time.bad empty
link.missing action.unknown step.unknown link.conflict touchpoint.unknown case.nolog case.unknown case.early"""
_REASONS = tuple(_REASON_ORDER.split())
#: Distinct unknown values named one by one, per reason; the rest share one line.
_NAMED = 20
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _key(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch not in " _-")


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).lower().split())


@dataclass(frozen=True, slots=True)
class FeedbackColumns:
    """The column of a feedback file holding each field; None where it has none (or to detect it)."""

    csat: str | None = None
    nps: str | None = None
    ces: str | None = None
    comment: str | None = None
    action: str | None = None
    step: str | None = None
    touchpoint: str | None = None
    case: str | None = None
    time: str | None = None

    def mapped(self) -> dict[str, str]:
        """Field -> column, for the fields that have one."""
        return {f: c for f in _FIELDS if (c := getattr(self, f)) is not None}

    def to_dict(self) -> dict[str, str]:
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}


@dataclass(frozen=True, slots=True)
class Response:
    """One customer's answer: ratings on their scales, a comment and the link to the blueprint."""

    #: The row of the file, with the header as row 1.
    row: int
    csat: float | None = None
    nps: int | None = None
    ces: float | None = None
    comment: str | None = None
    action: str | None = None
    step: str | None = None
    touchpoint: str | None = None
    case: str | None = None
    #: When it was given, microseconds since 1970 UTC.
    time_us: int | None = None

    @property
    def emotion(self) -> float | None:
        """The emotion its ratings imply on -2..+2: the mean of its scales, each mapped linearly."""
        found = []
        if self.csat is not None:
            found.append(self.csat - 3)
        if self.nps is not None:
            found.append(self.nps * 0.4 - 2)
        if self.ces is not None:
            found.append(2 - (self.ces - 1) * 2 / 3)
        return sum(found) / len(found) if found else None


@dataclass(frozen=True, slots=True)
class Feedback:
    """A read feedback file: the responses kept and what was rejected, not yet linked."""

    file: str
    columns: FeedbackColumns
    responses: tuple[Response, ...]
    #: Data rows read, rejected ones included.
    rows: int
    rejected: tuple[Issue, ...] = ()
    notes: tuple[Issue, ...] = ()

    @property
    def cases(self) -> frozenset[str]:
        """The case ids responses link to: the only cases whose occurrences linking needs."""
        return frozenset(r.case for r in self.responses if r.case is not None and _link(r) == "case")

    @property
    def quality(self) -> Quality:
        """The report of the reading, before linking."""
        return _quality(self.file, self.rows, self.responses, self.columns, self.rejected, self.notes)


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


class _Found:
    """Rejections or notes as they are met: counted by reason, the first places kept."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], tuple[int, int, list[str]]] = {}
        self.values: dict[str, set[str]] = {}

    def add(self, code: str, message: str, row: int, column: str | None = None) -> None:
        first, count, places = self.items.get((code, message), (row, 0, []))
        if len(places) < EXAMPLES:
            places.append(f"row {row}, column `{column}`" if column else f"row {row}")
        self.items[(code, message)] = (first, count + 1, places)

    def add_value(self, code: str, value: str, message: str, other: str, row: int, column: str | None) -> None:
        """One line per distinct value, up to a limit; the rest under ``other``."""
        seen = self.values.setdefault(code, set())
        if value in seen or len(seen) < _NAMED:
            seen.add(value)
            self.add(code, message, row, column)
        else:
            self.add(code, other, row, column)

    def issues(self) -> list[tuple[int, Issue]]:
        return [(first, Issue(code, msg, n, tuple(p))) for (code, msg), (first, n, p) in self.items.items()]


def _order(items: Iterable[tuple[int, Issue]]) -> tuple[Issue, ...]:
    rank = {code: i for i, code in enumerate(_REASONS)}

    def key(item: tuple[int, Issue]) -> tuple[int, int]:
        first, issue = item
        return rank.get(issue.code, rank.get(issue.code.split(".")[0], len(rank))), first

    return tuple(issue for _, issue in sorted(items, key=key))


def _detect(header: list[str], given: FeedbackColumns | None, where: Location) -> FeedbackColumns:
    given = given or FeedbackColumns()
    by_key: dict[str, str] = {}
    for name in header:
        by_key.setdefault(_key(name), name)
    problems: list[Problem] = []
    chosen: dict[str, str] = {}
    for field_name, column in given.mapped().items():
        if column not in header:
            problems.append(
                Problem(
                    "data.column",
                    f"the feedback has no column `{column}` for the {field_name}",
                    location=where,
                    hint=did_you_mean(column, header) or _listing(header),
                )
            )
        chosen[field_name] = column
    taken = set(chosen.values())
    for field_name in _FIELDS:
        if field_name in chosen:
            continue
        for candidate in _KNOWN[field_name]:
            found = by_key.get(_key(candidate))
            if found is not None and found not in taken:
                chosen[field_name] = found
                taken.add(found)
                break
    if not problems and not any(f in chosen for f in (*_RATINGS, "comment")):
        problems.append(
            Problem(
                "data.column",
                "the feedback has no column of ratings or comments (csat, nps, ces or comment)",
                location=where,
                hint=_listing(header),
            )
        )
    if not problems and not any(f in chosen for f in _LINKS):
        problems.append(
            Problem(
                "data.column",
                "the feedback has no column linking it to the blueprint (action, step, touchpoint or case)",
                location=where,
                hint=_listing(header),
            )
        )
    if problems:
        raise DataError(problems)
    return FeedbackColumns(**chosen)


def _listing(names: list[str]) -> str:
    shown = ", ".join(f"`{n}`" for n in names[:20])
    more = f" and {len(names) - 20} more" if len(names) > 20 else ""
    return f"the file's columns are {shown}{more}"


_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")


def _rating(text: str, scale: str) -> float | str | None:
    """The rating, None when blank, or the code of what is wrong with it."""
    text = text.strip()
    if not text:
        return None
    if not _NUMBER.fullmatch(text):
        return f"{scale}.bad"
    value = float(text.replace(",", "."))
    _, low, high, whole = _SCALES[scale]
    if not low <= value <= high or (whole and value != int(value)):
        return f"{scale}.range"
    return value


def _instant(text: str) -> tuple[int, bool, bool] | None:
    """Microseconds since 1970 UTC, whether an offset was given, whether it was a date alone.

    None for text that is not ISO 8601, or an instant outside the years 1 to 9999 in UTC.
    """
    text = text.strip()
    try:
        if len(text) <= 10 and "T" not in text.upper():
            moment = datetime.combine(date.fromisoformat(text), datetime.max.time(), UTC)
            zoned, day = False, True
        else:
            moment = datetime.fromisoformat(text.replace(",", "."))
            zoned, day = moment.tzinfo is not None, False
        instant = moment.astimezone(UTC) if zoned else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):
        return None
    return (instant - _EPOCH) // timedelta(microseconds=1), zoned, day


def read_feedback(
    path: str | os.PathLike[str],
    columns: FeedbackColumns | None = None,
    *,
    encoding: str = "utf-8",
    delimiter: str | None = None,
) -> Feedback:
    """The responses of the feedback CSV at ``path``, each row kept or rejected with its place.

    Columns not given are detected by their common names. ``delimiter`` defaults to a tab for
    ``.tsv`` files and a comma otherwise. Raises a located :class:`DataError` when the file is
    empty, lacks a column of ratings or comments or a column linking to the blueprint, names a
    column it does not have, or has no row that can be used.
    """
    file = str(path)
    if delimiter is None:
        delimiter = "\t" if file.lower().endswith(".tsv") else ","
    header = csv_header(path, encoding=encoding, delimiter=delimiter)
    mapping = _detect(header, columns, Location(file, 1, 1))
    wanted = mapping.mapped()
    rejects = Rejects()
    found = _Found()
    notes = _Found()
    kept: list[Response] = []
    for row, values in read_csv_rows(path, wanted, encoding=encoding, delimiter=delimiter, rejects=rejects):
        response = _judge(row, values, wanted, found, notes)
        if response is not None:
            kept.append(response)
    judged = found.issues()
    for code, (message, count, rows) in rejects.found.items():
        issue = Issue(code, message, count, tuple(f"row {r}" for r in rows))
        judged.append((rows[0] if rows else 0, issue))
    read = len(kept) + sum(i.count for _, i in judged)
    if read == 0:
        raise DataError(
            Problem("data.empty", "the feedback has no responses, only a header row", location=Location(file, 1, 1))
        )
    rejected = _order(judged)
    if not kept:
        raise DataError(
            Problem(
                "data.empty",
                "no response of the feedback can be used: " + "; ".join(str(i) for i in rejected),
                location=Location(file),
            )
        )
    return Feedback(file, mapping, tuple(kept), read, rejected, _order(notes.issues()))


def _judge(
    row: int, values: Mapping[str, str | None], wanted: Mapping[str, str], found: _Found, notes: _Found
) -> Response | None:
    ratings: dict[str, float | None] = {}
    for scale in _RATINGS:
        value = _rating(values.get(scale) or "", scale)
        if isinstance(value, str):
            name, low, high, whole = _SCALES[scale]
            message = (
                f"the {name} rating is not a number"
                if value.endswith(".bad")
                else f"the {name} rating is not {'a whole number ' if whole else ''}from {low:g} to {high:g}"
            )
            found.add(value, message, row, wanted[scale])
            return None
        ratings[scale] = value
    time_text = (values.get("time") or "").strip()
    time_us = None
    if time_text:
        instant = _instant(time_text)
        if instant is None:
            found.add(
                "time.bad",
                "the time cannot be read (expected ISO 8601, e.g. 2024-03-01T14:30+01:00)",
                row,
                wanted["time"],
            )
            return None
        time_us, zoned, day = instant
        if day:
            notes.add("time.date", "the time is a date alone; read as the end of that day, UTC", row, wanted["time"])
        elif not zoned:
            notes.add("offset.none", "the time has no offset; read as UTC", row, wanted["time"])
    comment = (values.get("comment") or "").strip() or None
    if comment is None and all(v is None for v in ratings.values()):
        found.add("empty", "no rating and no comment", row)
        return None
    links = {f: (values.get(f) or "").strip() or None for f in _LINKS}
    if all(v is None for v in links.values()):
        empty = ", ".join(f"`{wanted[f]}`" for f in _LINKS if f in wanted)
        found.add("link.missing", f"no link to the blueprint ({empty} empty)", row)
        return None
    nps = ratings["nps"]
    return Response(
        row=row,
        csat=ratings["csat"],
        nps=None if nps is None else int(nps),
        ces=ratings["ces"],
        comment=comment,
        time_us=time_us,
        **links,
    )


def _link(r: Response) -> str:
    """Which link decides: the first of action, step, touchpoint and case given."""
    return "action" if r.action else "step" if r.step else "touchpoint" if r.touchpoint else "case"


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


def _quality(
    file: str,
    rows: int,
    kept: Sequence[Response],
    columns: FeedbackColumns,
    rejected: tuple[Issue, ...],
    notes: tuple[Issue, ...],
) -> Quality:
    times = [r.time_us for r in kept if r.time_us is not None]
    return Quality(
        file=file,
        format="csv",
        rows=rows,
        events=len(kept),
        cases=len({r.case for r in kept if r.case is not None}),
        columns=columns.mapped(),
        rejected=rejected,
        notes=notes,
        first=_iso(min(times)) if times else None,
        last=_iso(max(times)) if times else None,
    )


def _iso(us: int) -> str:
    return (_EPOCH + timedelta(microseconds=us)).isoformat()


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
