"""Customer feedback files: what customers said, read from a CSV and judged row by row.

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

:func:`read_feedback` reads the file and judges what it can alone (a rating off its scale, an
unreadable time, a row with no link, no rating and no comment, bytes that are not text). Linking
the responses to a blueprint, and the figures, are :mod:`stageline.data.satisfaction`'s. Every row
is kept or rejected with a reason and its place, in a :class:`~stageline.data.quality.Quality`
report.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, timedelta

from stageline.data.columns import match_columns
from stageline.data.csvlog import csv_header, read_csv_rows
from stageline.data.quality import EXAMPLES, Issue, Quality
from stageline.data.raw import Rejects
from stageline.errors import DataError, Location, Problem

__all__ = ["Feedback", "FeedbackColumns", "Response", "read_feedback"]

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

#: Reasons a row is rejected, in the order reports list them: reading's, then linking's.
_REASON_ORDER = """encoding width blank csat.bad csat.range nps.bad nps.range ces.bad ces.range time.bad empty
link.missing action.unknown step.unknown link.conflict touchpoint.unknown case.nolog case.unknown case.early"""
_REASONS = tuple(_REASON_ORDER.split())
#: Distinct unknown values named one by one, per reason; the rest share one line.
_NAMED = 20
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


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
    chosen, problems = match_columns(header, given.mapped(), _KNOWN, _FIELDS, "feedback", where)
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
        column = rejects.columns.get(code)
        issue = Issue(
            code, message, count, tuple(f"row {r}, column `{column}`" if column else f"row {r}" for r in rows)
        )
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
