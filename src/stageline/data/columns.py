"""Which column of a log holds what: the column mapping and its automatic detection.

An event log has one row per event. Stageline needs a case id, an activity and a timestamp; a
start timestamp or a lifecycle transition, a resource, a cost and an outcome are used when the
log has them. Logs that follow the XES standard names (``case:concept:name``,
``concept:name``, ``time:timestamp``...) or the common names process-mining tools export
(``case_id``, ``activity``, ``timestamp``...) are mapped without being told.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace

from stageline.errors import DataError, Location, Problem, did_you_mean

__all__ = ["FIELDS", "REQUIRED", "Columns", "detect", "match_columns"]

#: The fields of an event, in the order reports list them.
FIELDS = ("case", "activity", "time", "start", "lifecycle", "resource", "cost", "outcome")
REQUIRED = ("case", "activity", "time")

#: Names recognised for each field, compared without case, spaces, dashes and underscores.
_KNOWN: dict[str, tuple[str, ...]] = {
    "case": ("case:concept:name", "case", "case_id", "caseid", "case id", "case:id", "trace", "ticket"),
    "activity": ("concept:name", "activity", "activity_name", "activity name", "event", "task", "action"),
    "time": (
        "time:timestamp",
        "timestamp",
        "complete_timestamp",
        "end_timestamp",
        "completed",
        "time",
        "end",
        "end time",
    ),
    "start": ("start_timestamp", "start_time", "start timestamp", "start", "started"),
    "lifecycle": ("lifecycle:transition", "lifecycle", "transition", "event_type"),
    "resource": ("org:resource", "resource", "user", "employee", "agent", "performer"),
    "cost": ("cost:total", "cost:amount", "cost"),
    "outcome": ("outcome", "result", "status"),
}


def _key(name: str) -> str:
    return "".join(ch for ch in name.lower() if ch not in " _-")


@dataclass(frozen=True, slots=True)
class Columns:
    """The log column holding each field of an event; None where the log has no such column."""

    case: str | None = None
    activity: str | None = None
    time: str | None = None
    start: str | None = None
    lifecycle: str | None = None
    resource: str | None = None
    cost: str | None = None
    outcome: str | None = None
    #: ``strptime`` format of the timestamps; None reads ISO 8601 (offsets kept).
    time_format: str | None = None

    def mapped(self) -> dict[str, str]:
        """Field -> column, for the fields that have one."""
        return {f: c for f in FIELDS if (c := getattr(self, f)) is not None}

    def given(self, **overrides: str | None) -> Columns:
        """A copy with the non-None overrides applied."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def to_dict(self) -> dict[str, str]:
        return {f.name: v for f in fields(self) if (v := getattr(self, f.name)) is not None}


def detect(header: Iterable[str], given: Columns | None = None, *, where: Location | None = None) -> Columns:
    """The mapping for a log with these column names: what was given, the rest detected.

    Raises a located :class:`DataError` when a given column is not in the log or a required
    field has no column, listing the columns the log has and naming the closest one.
    """
    names = list(header)
    given = given or Columns()
    where = where or Location()
    chosen, problems = match_columns(names, given.mapped(), _KNOWN, FIELDS, "log", where)
    taken = set(chosen.values())
    for field_name in REQUIRED:
        if chosen.get(field_name) is None:
            problems.append(
                Problem(
                    "data.column",
                    f"no column for the {field_name}: give `--{field_name} COLUMN`",
                    location=where,
                    hint=_hint(_KNOWN[field_name], [n for n in names if n not in taken], names),
                )
            )
    if problems:
        raise DataError(problems)
    return Columns(**{f: chosen.get(f) for f in FIELDS}, time_format=given.time_format)


def match_columns(
    names: list[str],
    given: Mapping[str, str],
    known: Mapping[str, Sequence[str]],
    fields_in_order: Sequence[str],
    what: str,
    where: Location,
) -> tuple[dict[str, str], list[Problem]]:
    """The column of each field: the ``given`` ones (a problem for each the file lacks), then the
    first free column with one of the ``known`` names of each other field, compared without
    case, spaces, dashes and underscores. ``what`` names the file in messages (``log``)."""
    by_key: dict[str, str] = {}
    for name in names:
        by_key.setdefault(_key(name), name)
    problems: list[Problem] = []
    chosen: dict[str, str] = {}
    for field_name, column in given.items():
        if column not in names:
            problems.append(
                Problem(
                    "data.column",
                    f"the {what} has no column `{column}` for the {field_name}",
                    location=where,
                    hint=_hint([column], names, names, what),
                )
            )
        chosen[field_name] = column
    taken = set(chosen.values())
    for field_name in fields_in_order:
        if field_name in chosen:
            continue
        for candidate in known[field_name]:
            found = by_key.get(_key(candidate))
            if found is not None and found not in taken:
                chosen[field_name] = found
                taken.add(found)
                break
    return chosen, problems


def _hint(wanted: Iterable[str], free: list[str], names: list[str], what: str = "log") -> str:
    """The closest free column to any of the wanted names, then all the file's columns."""
    for name in wanted:
        close = did_you_mean(name, free)
        if close:
            return f"{close} {_listing(names, what)}"
    return _listing(names, what)


def _listing(names: list[str], what: str = "log") -> str:
    shown = ", ".join(f"`{n}`" for n in names[:20])
    more = f" and {len(names) - 20} more" if len(names) > 20 else ""
    return f"the {what}'s columns are {shown}{more}" if names else f"the {what} has no columns"
