"""Errors and located problems.

Every error a user can cause is a :class:`StageLineError`. The tree::

    StageLineError                 root; carries one or more located problems
    ├── SourceError                the file cannot be read as text (missing, binary, encoding, size)
    ├── ParseError  (ValueError)   the text is not well-formed YAML, JSON or TOML
    ├── SettingsError (ValueError) analysis settings name an unknown rule or a bad threshold
    ├── BlueprintError (ValueError)
    │                              the document is well-formed but not a valid blueprint
    ├── RenderError                a drawing cannot be made: an unknown view or theme, a missing
    │                              optional renderer, an output that cannot be written
    └── DataError                  an event log, feedback or metrics file cannot be used: a missing
                                   column, no events at all, a metrics file of the wrong shape

Each problem says where (``file:line:col`` and a JSON pointer), what was expected, and a hint
when the fix is obvious. Internal bugs are the only other exceptions Stageline raises.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "BlueprintError",
    "DataError",
    "Location",
    "ParseError",
    "Problem",
    "RenderError",
    "SettingsError",
    "Severity",
    "SimulationError",
    "SourceError",
    "StageLineError",
    "did_you_mean",
    "json_pointer",
]


class Severity(StrEnum):
    """How serious a problem is: errors make a blueprint invalid, warnings do not.

    Analysis findings use all three; ``info`` is worth knowing but asks for no action.
    """

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """2 for errors, 1 for warnings, 0 for information."""
        return {"error": 2, "warning": 1, "info": 0}[self.value]


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A place in a source file; ``line`` and ``column`` count from 1 (0 when unknown)."""

    file: str = "<string>"
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.file
        return f"{self.file}:{self.line}:{self.column}"


def json_pointer(path: Sequence[str | int]) -> str:
    """The RFC 6901 JSON pointer of a document path, e.g. ``/steps/3/customer``."""
    if not path:
        return ""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (or suspicious) in a blueprint, with where and how to fix it."""

    code: str
    message: str
    severity: Severity = Severity.ERROR
    location: Location = field(default_factory=Location)
    path: tuple[str | int, ...] = ()
    hint: str | None = None
    #: The name or value the problem is about, used to point inside a one-line value.
    subject: str | None = field(default=None, compare=False)

    @property
    def pointer(self) -> str:
        return json_pointer(self.path)

    def sort_key(self) -> tuple[str, int, int, int, str]:
        loc = self.location
        return (loc.file, loc.line, loc.column, 0 if self.severity is Severity.ERROR else 1, self.message)

    def __str__(self) -> str:
        text = f"{self.location}: {self.severity.value}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_dict(self) -> dict[str, object]:
        return {
            "file": self.location.file,
            "line": self.location.line,
            "column": self.location.column,
            "pointer": self.pointer,
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
        }


class StageLineError(Exception):
    """The root of every error a user can cause; carries the located problems."""

    def __init__(self, problems: Problem | Iterable[Problem]) -> None:
        items = [problems] if isinstance(problems, Problem) else list(problems)
        if not items:
            raise ValueError("a StageLineError needs at least one problem")
        self.problems: list[Problem] = sorted(items, key=Problem.sort_key)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]


class SourceError(StageLineError):
    """The file cannot be read as text: missing, unreadable, binary, badly encoded or too big."""


class ParseError(StageLineError, ValueError):
    """The text is not well-formed YAML or JSON."""


class SettingsError(StageLineError, ValueError):
    """Analysis settings (a blueprint's ``analysis:`` key or ``stageline.toml``) that cannot be used."""


class BlueprintError(StageLineError, ValueError):
    """The document parsed but is not a valid blueprint; ``problems`` lists every error found."""


class RenderError(StageLineError):
    """A drawing cannot be made: an unknown view or theme, a missing optional renderer, a bad output."""


class DataError(StageLineError):
    """An event log, feedback or metrics file that cannot be used at all.

    Bad rows are not errors: they are rejected, counted and located in the import's quality
    report, and the rest of the log is measured.
    """


class SimulationError(StageLineError):
    """A blueprint that cannot be simulated as set up: an unknown name in a scenario, a resource
    with no capacity, a queue that would grow without end."""


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A ``did you mean `x`?`` hint for a misspelt name, or None when nothing is close."""
    options = sorted({c for c in choices if isinstance(c, str)})
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close and isinstance(word, str):
        lowered = word.lower().replace(" ", "-").replace("_", "-")
        close = [c for c in options if c.lower().replace("_", "-") == lowered]
    return f"did you mean `{close[0]}`?" if close else None
