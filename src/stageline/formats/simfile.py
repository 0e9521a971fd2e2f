"""A side file of simulation settings: the ``simulation:`` key of a blueprint, on its own.

    # what-ifs.yaml
    scenarios:
      - name: One more clerk
        staff: {clerk: +1}
      - name: Faster checks
        durations: {check: x0.8}

Its top level has the keys of a blueprint's ``simulation:`` (``arrivals``, ``horizon``,
``resources``, ``actions``, ``scenarios``...). Every mistake is reported at once, as a
:class:`ParseError` whose problems say ``file:line:col`` and what was expected.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pydantic

from stageline.errors import Location, ParseError, Problem
from stageline.formats.build import simulation_settings, translate_errors
from stageline.formats.compact import simulation_document
from stageline.formats.emit import emit_json, emit_yaml
from stageline.formats.simdoc import SimulationDoc
from stageline.formats.text import MAX_BYTES, decode, read_bytes
from stageline.formats.tree import Path as DocPath
from stageline.formats.tree import SourceMap, parse_json, parse_yaml
from stageline.model.simulation import SimulationSettings

__all__ = ["dumps_simulation", "loads_simulation", "read_simulation_file"]

#: Where a side file's keys would sit in a blueprint: problems and hints read as for the blueprint.
_PREFIX: DocPath = ("simulation",)


def read_simulation_file(path: str | os.PathLike[str]) -> SimulationSettings:
    """The simulation settings in the YAML (or, named ``.json``, JSON) file at ``path``.

    Raises a :class:`ParseError` listing every mistake, located; a :class:`SourceError` when the
    file cannot be read as text.
    """
    file = str(path)
    text = decode(read_bytes(Path(path)), file)
    return loads_simulation(text, file=file)


def loads_simulation(text: str | bytes, *, file: str = "<string>") -> SimulationSettings:
    """The simulation settings in ``text``; raises a :class:`ParseError` listing every mistake."""
    if isinstance(text, bytes):
        text = decode(text, file)
    elif len(text) > MAX_BYTES:
        text = decode(text.encode("utf-8", "surrogatepass"), file)
    if Path(file).suffix.lower() == ".json":
        data, smap = parse_json(text, file)
    else:
        data, smap = parse_yaml(text, file)
    located = _under(smap, _PREFIX)
    if data is None:
        raise ParseError(
            Problem(
                "document.empty",
                "the file is empty; a simulation file holds settings such as `scenarios:` or `resources:`",
                location=Location(file, 1, 1),
            )
        )
    if not isinstance(data, dict):
        raise ParseError(
            Problem(
                "document.shape",
                "expected a mapping of simulation settings (`scenarios: ...`, `resources: ...`), "
                f"found {'a list' if isinstance(data, list) else 'a single value'}",
                location=located.locate(_PREFIX),
            )
        )
    try:
        doc = SimulationDoc.model_validate(data)
    except pydantic.ValidationError as exc:
        raise ParseError(_in_file(translate_errors(exc, located, _PREFIX))) from None
    settings, problems = simulation_settings(doc, located, _PREFIX)
    if problems:
        raise ParseError(_in_file(problems))
    return settings


def dumps_simulation(settings: SimulationSettings, *, format: str = "yaml") -> str:
    """The settings as the text of a side file (``yaml`` or ``json``), which reads back to equal settings."""
    data = simulation_document(settings)
    return emit_json(data) if format == "json" else emit_yaml(data)


def _in_file(problems: list[Problem]) -> list[Problem]:
    """The problems with their paths (JSON pointers) in the side file, without the prefix."""
    n = len(_PREFIX)
    return [replace(p, path=p.path[n:]) if p.path[:n] == _PREFIX else p for p in problems]


def _under(smap: SourceMap, prefix: DocPath) -> SourceMap:
    """The source map with every path put under ``prefix``, as if the file were that key."""
    return SourceMap(
        file=smap.file,
        values={(*prefix, *p): at for p, at in smap.values.items()},
        keys={(*prefix, *p): at for p, at in smap.keys.items()},
        text=smap.text,
    )
