"""``stageline.toml``: project-wide settings, found next to a blueprint or in a folder above it.

    [analysis.rules]
    "gaps.no-owner" = "off"
    "experience.crowded-step" = { max_actions = 8 }

    [[analysis.ignore]]
    rule = "gaps.dead-end"
    subject = "change.backstage"
    reason = "The confirmation letter is posted by the core system."

The ``[analysis]`` table has the same shape as a blueprint's ``analysis:`` key.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pydantic

from stageline.errors import Location, ParseError, Problem
from stageline.formats import document as d
from stageline.formats.build import analysis_settings, translate_errors
from stageline.formats.text import decode, read_bytes
from stageline.formats.tree import SourceMap
from stageline.model import AnalysisSettings

__all__ = ["PROJECT_FILE", "ProjectConfig", "find_project_file", "read_project_config", "toml_source_map"]

PROJECT_FILE = "stageline.toml"


@dataclass(frozen=True)
class ProjectConfig:
    file: str
    analysis: AnalysisSettings | None
    source_map: SourceMap


def find_project_file(start: str | os.PathLike[str]) -> Path | None:
    """The nearest ``stageline.toml`` in ``start``'s folder or a folder above it."""
    here = Path(start).resolve()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        candidate = folder / PROJECT_FILE
        if candidate.is_file():
            return candidate
    return None


def read_project_config(path: str | os.PathLike[str]) -> ProjectConfig:
    """Read a ``stageline.toml``; raises a :class:`ParseError` naming the line of each mistake."""
    file = str(path)
    text = decode(read_bytes(Path(path)), file)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ParseError(_toml_problem(exc, file)) from None
    smap = toml_source_map(text, file)
    table = data.get("analysis")
    unknown = sorted(set(data) - {"analysis"})
    problems = [
        Problem("project.key", f"unknown table `{k}`; stageline.toml has `[analysis]`", location=smap.locate((k,)))
        for k in unknown
    ]
    if table is None:
        if problems:
            raise ParseError(problems)
        return ProjectConfig(file, None, smap)
    if not isinstance(table, dict):
        problems.append(Problem("project.shape", "`analysis` must be a table", location=smap.locate(("analysis",))))
        raise ParseError(problems)
    try:
        doc = d.AnalysisDoc.model_validate(table)
    except pydantic.ValidationError as exc:
        raise ParseError(problems + translate_errors(exc, smap, ("analysis",))) from None
    if problems:
        raise ParseError(problems)
    return ProjectConfig(file, analysis_settings(doc), smap)


def _toml_problem(exc: tomllib.TOMLDecodeError, file: str) -> Problem:
    message = str(exc)
    found = re.search(r"\(at line (\d+), column (\d+)\)", message)
    where = Location(file, int(found.group(1)), int(found.group(2))) if found else Location(file)
    message = re.sub(r"\s*\(at (line \d+, column \d+|end of document)\)", "", message)
    return Problem("project.syntax", f"not valid TOML: {message[:1].lower()}{message[1:]}", location=where)


_HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r'^\s*((?:"[^"]*"|\'[^\']*\'|[A-Za-z0-9_-]+)(?:\s*\.\s*(?:"[^"]*"|\'[^\']*\'|[A-Za-z0-9_-]+))*)\s*=')
_INLINE_KEY = re.compile(r'[{,]\s*("[^"]*"|[A-Za-z0-9_-]+)\s*=')


def _split_key(text: str) -> list[str]:
    parts = re.findall(r'"([^"]*)"|\'([^\']*)\'|([A-Za-z0-9_-]+)', text)
    return [a or b or c for a, b, c in parts]


def toml_source_map(text: str, file: str) -> SourceMap:
    """Where each table and key of a TOML file starts: enough to point at mistakes."""
    values: dict[tuple[str | int, ...], tuple[int, int]] = {}
    keys: dict[tuple[str | int, ...], tuple[int, int]] = {}
    table: tuple[str | int, ...] = ()
    arrays: dict[tuple[str | int, ...], int] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        header = _HEADER.match(line)
        if header and not _KEY.match(line):
            name = tuple(_split_key(header.group(2)))
            if header.group(1) == "[[":
                arrays[name] = arrays.get(name, -1) + 1
                table = (*name, arrays[name])
            else:
                table = name
            column = line.index("[") + 1
            values.setdefault(table, (number, column))
            keys.setdefault(table, (number, column))
            continue
        key = _KEY.match(line)
        if key:
            path = (*table, *_split_key(key.group(1)))
            column = len(line) - len(line.lstrip()) + 1
            keys.setdefault(path, (number, column))
            values.setdefault(path, (number, line.index("=", key.start(1)) + 2))
            for inner in _INLINE_KEY.finditer(line, key.end()):
                sub = (*path, *_split_key(inner.group(1)))
                keys.setdefault(sub, (number, inner.start(1) + 1))
                values.setdefault(sub, (number, inner.start(1) + 1))
    return SourceMap(file=file, values=values, keys=keys, text=text)
