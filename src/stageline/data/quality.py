"""The data-quality report of an import: what was read, what was kept, what was rejected and why.

Nothing is dropped silently. Every row Stageline does not keep is counted under a reason, with
the places of the first few; things worth knowing that cost no row (events out of order in the
file, timestamps without an offset, cases of one event) are counted as notes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["EXAMPLES", "Issue", "Quality"]

#: How many places each reason lists.
EXAMPLES = 5


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


@dataclass(frozen=True, slots=True)
class Issue:
    """One reason rows were rejected, or one note, with how often and where."""

    code: str
    message: str
    count: int
    #: Places of the first occurrences, as users find them: ``row 17, column `time```, ``line 80``.
    places: tuple[str, ...] = ()

    def __str__(self) -> str:
        where = f" ({'; '.join(self.places)}{'; ...' if self.count > len(self.places) else ''})"
        return f"{_count(self.count, 'row')}: {self.message}{where if self.places else ''}"

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "count": self.count, "places": list(self.places)}

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Issue:
        return Issue(str(data["code"]), str(data["message"]), int(data["count"]), tuple(data.get("places", ())))


@dataclass(frozen=True, slots=True)
class Quality:
    """What an import read and kept."""

    file: str
    format: str
    #: Data rows (CSV) or events (XES, Parquet) read.
    rows: int
    #: Events kept.
    events: int
    cases: int
    #: Column of the log holding each field.
    columns: Mapping[str, str] = field(default_factory=dict)
    rejected: tuple[Issue, ...] = ()
    notes: tuple[Issue, ...] = ()
    #: First and last timestamp kept, ISO 8601 in UTC.
    first: str | None = None
    last: str | None = None

    @property
    def rejected_rows(self) -> int:
        return sum(i.count for i in self.rejected)

    def lines(self) -> list[str]:
        """The report as lines for a terminal."""
        out = [
            f"{self.file}: {_count(self.rows, 'row')} read, {_count(self.events, 'event')} kept "
            f"in {_count(self.cases, 'case')}"
            + (f", {_count(self.rejected_rows, 'row')} rejected" if self.rejected else ", none rejected")
        ]
        out += [f"  rejected {issue}" for issue in self.rejected]
        out += [f"  note: {issue}" for issue in self.notes]
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "format": self.format,
            "rows": self.rows,
            "events": self.events,
            "cases": self.cases,
            "rejected_rows": self.rejected_rows,
            "columns": dict(self.columns),
            "first": self.first,
            "last": self.last,
            "rejected": [i.to_dict() for i in self.rejected],
            "notes": [i.to_dict() for i in self.notes],
        }

    @staticmethod
    def from_dict(data: Mapping[str, Any]) -> Quality:
        return Quality(
            file=str(data["file"]),
            format=str(data["format"]),
            rows=int(data["rows"]),
            events=int(data["events"]),
            cases=int(data["cases"]),
            columns={str(k): str(v) for k, v in data.get("columns", {}).items()},
            rejected=tuple(Issue.from_dict(i) for i in data.get("rejected", ())),
            notes=tuple(Issue.from_dict(i) for i in data.get("notes", ())),
            first=data.get("first"),
            last=data.get("last"),
        )
