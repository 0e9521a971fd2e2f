"""Event logs from XES (IEEE 1849), plain or gzipped, streamed: memory does not grow with the file.

Each ``<event>`` becomes one raw row placed at its line. The case id is the trace's
``concept:name``; event fields are read from the standard keys (``concept:name``,
``time:timestamp``, ``lifecycle:transition``, ``org:resource``, ``cost:total``) unless the
mapping names other keys. A trace attribute is named with a ``case:`` prefix, as process-mining
tools flatten them (``case:channel``). Nested attributes (lists, containers, children) are
skipped. A file that stops being well-formed XML keeps the events read before the fault, and
the fault is reported at its line and column.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.parsers import expat

import pyarrow as pa

from stageline.data.columns import Columns
from stageline.data.raw import Raw, Rejects, batch
from stageline.errors import DataError, Location, Problem, SourceError

__all__ = ["XES_DEFAULTS", "read_xes"]

XES_DEFAULTS = Columns(
    case="case:concept:name",
    activity="concept:name",
    time="time:timestamp",
    lifecycle="lifecycle:transition",
    resource="org:resource",
    cost="cost:total",
)
_ATTRIBUTES = frozenset({"string", "date", "int", "float", "boolean", "id"})
_BATCH = 65_536
_CHUNK = 1 << 20


def read_xes(path: str | os.PathLike[str], columns: Columns | None = None) -> tuple[Columns, Raw]:
    """The column mapping (standard keys unless given) and the raw events of an XES file."""
    mapping = XES_DEFAULTS.given(**(columns.mapped() if columns else {}))
    if columns is not None and columns.time_format:
        mapping = mapping.given(time_format=columns.time_format)
    source = Path(path)
    try:
        with open(source, "rb") as handle:
            magic = handle.read(2)
    except FileNotFoundError:
        raise SourceError(Problem("source.missing", "no such file", location=Location(str(path)))) from None
    except IsADirectoryError:
        raise SourceError(
            Problem("source.directory", "is a folder, not a file", location=Location(str(path)))
        ) from None
    except OSError as exc:
        raise SourceError(
            Problem("source.read", f"cannot read the file: {exc}", location=Location(str(path)))
        ) from None
    rejects = Rejects()
    raw = Raw(iter(()), rejects, "xes")
    raw.batches = _parse(source, magic == b"\x1f\x8b", mapping, raw)
    return mapping, raw


def _chunks(path: Path, gzipped: bool) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        if not gzipped:
            while chunk := handle.read(_CHUNK):
                yield chunk
            return
        inflate = zlib.decompressobj(31)
        while True:
            data = handle.read(_CHUNK)
            if not data:
                break
            yield inflate.decompress(data)
            while inflate.eof and inflate.unused_data:  # concatenated gzip members
                rest = inflate.unused_data
                inflate = zlib.decompressobj(31)
                yield inflate.decompress(rest)
        yield inflate.flush()


def _parse(path: Path, gzipped: bool, mapping: Columns, raw: Raw) -> Iterator[pa.RecordBatch]:
    wanted = mapping.mapped()
    event_keys = {key: f for f, key in wanted.items() if not key.startswith("case:")}
    trace_keys = {key[5:]: f for f, key in wanted.items() if key.startswith("case:")}
    fields = list(wanted)
    seen: set[str] = set()
    state: dict[str, Any] = {"depth": 0, "nested": 0, "trace": {}, "event": None, "line": 0}
    rows: list[int] = []
    cols: dict[str, list[str | None]] = {f: [] for f in fields}
    parser = expat.ParserCreate()
    parser.buffer_text = False

    def start(name: str, attrs: dict[str, str]) -> None:
        if state["nested"]:
            state["nested"] += 1
            return
        if name in _ATTRIBUTES:
            state["nested"] = 1
            key = attrs.get("key")
            if key is None:
                return
            event = state["event"]
            if event is not None:
                f = event_keys.get(key)
                if f is not None:
                    event[f] = attrs.get("value")
            elif state["in_trace"]:
                f = trace_keys.get(key)
                if f is not None:
                    state["trace"][f] = attrs.get("value")
        elif name == "event":
            state["event"] = {}
            state["line"] = parser.CurrentLineNumber
        elif name == "trace":
            state["in_trace"] = True
            state["trace"] = {}
        elif name in ("list", "container", "values"):
            state["nested"] = 1

    def end(name: str) -> None:
        if state["nested"]:
            state["nested"] -= 1
            return
        if name == "event":
            event = state["event"]
            state["event"] = None
            if not state["in_trace"]:
                return  # an event outside a trace has no case
            trace = state["trace"]
            rows.append(state["line"])
            for f in fields:
                value = event.get(f)
                if value is None:
                    value = trace.get(f)
                else:
                    seen.add(f)
                cols[f].append(value)
        elif name == "trace":
            state["in_trace"] = False
            seen.update(state["trace"])

    state["in_trace"] = False
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    fault: tuple[str, int, int] | None = None
    try:
        for chunk in _chunks(path, gzipped):
            try:
                parser.Parse(chunk, False)
            except expat.ExpatError as exc:
                fault = (expat.ErrorString(exc.code), exc.lineno, exc.offset + 1)
                break
            if len(rows) >= _BATCH:
                raw.read[0] += len(rows)
                yield batch(rows, cols)
                rows.clear()
                cols = {f: [] for f in fields}
        else:
            try:
                parser.Parse(b"", True)
            except expat.ExpatError as exc:
                fault = (expat.ErrorString(exc.code), exc.lineno, exc.offset + 1)
    except (OSError, zlib.error, EOFError) as exc:
        raise SourceError(
            Problem("source.read", f"cannot read the file: {exc}", location=Location(str(path)))
        ) from None
    if fault is not None:
        message, line, column = fault
        raw.rejects.add(
            "xml", f"the file stops being well-formed XML at line {line}, column {column} ({message})", line
        )
    raw.read[0] += len(rows)
    if rows:
        yield batch(rows, cols)
    for f in ("case", "activity", "time"):
        if f not in seen and raw.read[0]:
            raise DataError(
                Problem(
                    "data.column",
                    f"no event has the attribute `{wanted[f]}` for the {f}",
                    location=Location(str(path)),
                    hint=f"name the attribute with `--{f} KEY`",
                )
            )
