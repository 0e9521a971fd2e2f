"""Event logs from Parquet, read in batches; typed timestamps are written as ISO 8601 text."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from stageline.data.columns import Columns, detect
from stageline.data.raw import RAW_SCHEMA, Raw, Rejects
from stageline.errors import Location, Problem, SourceError

__all__ = ["read_parquet"]


def read_parquet(path: str | os.PathLike[str], columns: Columns | None = None) -> tuple[Columns, Raw]:
    """The column mapping (given or detected) and the raw events of a Parquet event log."""
    where = Location(str(path))
    try:
        handle = pq.ParquetFile(path)
    except FileNotFoundError:
        raise SourceError(Problem("source.missing", "no such file", location=where)) from None
    except IsADirectoryError:
        raise SourceError(Problem("source.directory", "is a folder, not a file", location=where)) from None
    except (OSError, pa.ArrowException) as exc:
        raise SourceError(Problem("source.read", f"cannot read the file as Parquet: {exc}", location=where)) from None
    mapping = detect(handle.schema_arrow.names, columns, where=where)
    raw = Raw(iter(()), Rejects(), "parquet")
    raw.batches = _batches(handle, mapping.mapped(), raw)
    return mapping, raw


def _text(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    kind = array.type
    if pa.types.is_timestamp(kind):
        if kind.tz is not None:
            return pc.strftime(array.cast(pa.timestamp(kind.unit, "UTC")), format="%Y-%m-%dT%H:%M:%S%z")
        return pc.strftime(array, format="%Y-%m-%dT%H:%M:%S")
    if pa.types.is_dictionary(kind):
        array = array.cast(kind.value_type)
    return array.cast(pa.string())


def _batches(handle: pq.ParquetFile, wanted: dict[str, str], raw: Raw) -> Iterator[pa.RecordBatch]:
    row = 1
    for b in handle.iter_batches(batch_size=65_536, columns=sorted(set(wanted.values()))):
        n = b.num_rows
        arrays: list[pa.Array] = [pa.array(range(row, row + n), pa.int64())]
        for f in RAW_SCHEMA.names[1:]:
            arrays.append(_text(b.column(wanted[f])) if f in wanted else pa.nulls(n, pa.string()))
        row += n
        raw.read[0] += n
        yield pa.RecordBatch.from_arrays(arrays, schema=RAW_SCHEMA)
