"""Checks on a blueprint: every problem at once, sorted by where it is in the file."""

from __future__ import annotations

from dataclasses import replace

from stageline.errors import Location, Problem
from stageline.formats.build import Origins
from stageline.formats.tree import SourceMap
from stageline.model import Blueprint
from stageline.validate import checks as _checks  # noqa: F401  (registers the built-ins)
from stageline.validate.registry import CHECKS, Check, check

__all__ = ["CHECKS", "Check", "check", "locate_path", "validate"]

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


def locate_path(
    path: tuple[str | int, ...], smap: SourceMap, origins: Origins
) -> tuple[tuple[str | int, ...], Location]:
    """A model path (``("actions", 7, "role")``) as a path in the file, and where that is."""
    file_path: tuple[str | int, ...] = path
    if len(path) >= 2 and isinstance(path[1], int) and (str(path[0]), path[1]) in origins:
        base = origins[(str(path[0]), path[1])]
        rest = tuple(_FILE_NAMES.get(p, p) if isinstance(p, str) else p for p in path[2:])
        file_path = (*base, *rest)
    return file_path, smap.locate(file_path)


def _locate(problem: Problem, smap: SourceMap, origins: Origins) -> Problem:
    file_path, location = locate_path(problem.path, smap, origins)
    if file_path not in smap.values and problem.subject:
        location = smap.locate_text(file_path, problem.subject)
    return replace(problem, path=file_path, location=location)
