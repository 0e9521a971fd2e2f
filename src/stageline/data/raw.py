"""The raw form every reader produces: the event fields as text, each with its place in the file.

Readers (CSV, XES, Parquet) only find the fields; parsing timestamps and numbers, and judging
rows, happens once for all of them in :mod:`stageline.data.importer`. A reader rejects only what
it alone can see (a CSV row with the wrong number of fields, bytes that are not text) and says
where.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa

from stageline.data.columns import FIELDS

__all__ = ["RAW_SCHEMA", "Raw", "Rejects", "batch"]

#: ``row``: the place of the event in its file (CSV row with the header as row 1, XES line,
#: Parquet row from 1); then every field as text, null where the log has none.
RAW_SCHEMA = pa.schema([pa.field("row", pa.int64()), *(pa.field(f, pa.string()) for f in FIELDS)])


@dataclass
class Rejects:
    """Rows a reader could not turn into fields, by reason."""

    #: code -> (message, count, first rows)
    found: dict[str, tuple[str, int, list[int]]] = field(default_factory=dict)
    #: code -> the column its places name, for reasons about one column (CSV bytes that are not text)
    columns: dict[str, str] = field(default_factory=dict)
    #: Every rejected row with its code, in the order met, for the full list of rejected rows.
    every: list[tuple[int, str]] = field(default_factory=list)

    def add(self, code: str, message: str, row: int, column: str | None = None) -> None:
        self.every.append((row, code))
        text, count, rows = self.found.get(code, (message, 0, []))
        if len(rows) < 5:
            rows.append(row)
        self.found[code] = (text, count + 1, rows)
        if column is not None:
            self.columns[code] = column


@dataclass
class Raw:
    """A reader's output: batches in file order, what it rejected, and how to name a place."""

    batches: Iterator[pa.RecordBatch]
    rejects: Rejects
    #: ``csv`` (places are rows and columns), ``xes`` (lines) or ``parquet`` (rows).
    kind: str
    #: Rows (or events) read, counted as the batches are consumed; rejected ones included.
    read: list[int] = field(default_factory=lambda: [0])


def batch(rows: list[int], columns: dict[str, list[str | None]]) -> pa.RecordBatch:
    """A raw batch from Python lists (fields not given are null)."""
    n = len(rows)
    arrays = [pa.array(rows, pa.int64())]
    for name in FIELDS:
        values = columns.get(name)
        arrays.append(pa.nulls(n, pa.string()) if values is None else pa.array(values, pa.string()))
    return pa.RecordBatch.from_arrays(arrays, schema=RAW_SCHEMA)
