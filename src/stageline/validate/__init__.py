"""Checks on a blueprint: every problem at once, sorted by where it is in the file."""

from __future__ import annotations

from dataclasses import replace

from stageline.errors import Location, Problem
from stageline.formats.build import Origins
from stageline.formats.tree import SourceMap
from stageline.model import Blueprint
from stageline.validate import checks as _checks  # noqa: F401  (registers the built-ins)
from stageline.validate.registry import CHECKS, Check, check

__all__ = ["CHECKS", "Check", "check", "validate"]

#: Model field names spelt differently in the file.
_FILE_NAMES = {"source": "from", "target": "to"}


def validate(bp: Blueprint, smap: SourceMap | None = None, origins: Origins | None = None) -> list[Problem]:
    """Every problem the registered checks find, located in the source file when given."""
    found: list[Problem] = []
    for chk in CHECKS.values():
        for problem in chk.run(bp):
            found.append(_locate(problem, smap, origins or {}) if smap is not None else problem)
    unique = {(p.location, p.severity, p.message): p for p in found}  # a chain names an id twice
    return sorted(unique.values(), key=Problem.sort_key)


def _locate(problem: Problem, smap: SourceMap, origins: Origins) -> Problem:
    path = problem.path
    file_path: tuple[str | int, ...] = path
    if len(path) >= 2 and isinstance(path[1], int) and (str(path[0]), path[1]) in origins:
        base = origins[(str(path[0]), path[1])]
        rest = tuple(_FILE_NAMES.get(p, p) if isinstance(p, str) else p for p in path[2:])
        file_path = (*base, *rest)
    location: Location = smap.locate(file_path)
    if file_path not in smap.values and problem.subject:
        location = smap.locate_text(file_path, problem.subject)
    return replace(problem, path=file_path, location=location)
