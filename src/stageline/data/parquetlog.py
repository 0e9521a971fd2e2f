"""Event logs from Parquet, read in batches; typed timestamps are written as ISO 8601 text.

A timestamp column with a time zone is written in that zone with its offset (``+01:00`` in
winter, ``+02:00`` in summer for ``Europe/Amsterdam``), so each event keeps the offset it
happened at; a column without a zone is written without an offset. Columns that are not text
(lists, structs) or bytes that are not UTF-8 text stop the import with the column named; a file
that cannot be read past some row stops it with that row named.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from stageline.data.columns import Columns, detect
from stageline.data.raw import RAW_SCHEMA, Raw, Rejects
from stageline.errors import DataError, Location, Problem, SourceError

__all__ = ["read_parquet"]


def read_parquet(path: str | os.PathLike[str], columns: Columns | None = None) -> tuple[Columns, Raw]:
    """The column mapping (given or detected) and the raw events of a Parquet event log."""
    where = Location(str(path))
    if Path(path).is_dir():
        raise SourceError(Problem("source.directory", "is a folder, not a file", location=where))
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
    raw.batches = _batches(handle, mapping.mapped(), raw, where)
    return mapping, raw


def _text(array: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    kind = array.type
    if pa.types.is_timestamp(kind):
        if kind.tz is not None:
            try:  # in the column's own zone, with each instant's offset
                return pc.strftime(array, format="%Y-%m-%dT%H:%M:%S%z")
            except pa.ArrowException:  # a zone this system's time-zone database does not know
                return pc.strftime(array.cast(pa.timestamp(kind.unit, "UTC")), format="%Y-%m-%dT%H:%M:%S%z")
        return pc.strftime(array, format="%Y-%m-%dT%H:%M:%S")
    if pa.types.is_dictionary(kind):
        array = array.cast(kind.value_type)
    return array.cast(pa.string())


def _batches(handle: pq.ParquetFile, wanted: dict[str, str], raw: Raw, where: Location) -> Iterator[pa.RecordBatch]:
    row = 1
    batches = handle.iter_batches(batch_size=65_536, columns=sorted(set(wanted.values())))
    while True:
        try:
            b = next(batches)
        except StopIteration:
            return
        except (OSError, pa.ArrowException) as exc:
            raise SourceError(
                Problem("source.read", f"cannot read the file as Parquet from row {row}: {exc}", location=where)
            ) from None
        n = b.num_rows
        arrays: list[pa.Array] = [pa.array(range(row, row + n), pa.int64())]
        for f in RAW_SCHEMA.names[1:]:
            if f not in wanted:
                arrays.append(pa.nulls(n, pa.string()))
                continue
            column = b.column(wanted[f])
            try:
                arrays.append(_text(column))
            except (pa.ArrowNotImplementedError, pa.ArrowTypeError):
                raise DataError(
                    Problem(
                        "data.column",
                        f"column `{wanted[f]}` for the {f} holds {column.type}, not text, numbers or timestamps",
                        location=where,
                    )
                ) from None
            except pa.ArrowInvalid as exc:
                raise DataError(
                    Problem(
                        "data.encoding",
                        f"column `{wanted[f]}` for the {f} cannot be read as text between rows {row} and {row + n - 1}: "
                        f"{exc}",
                        location=where,
                    )
                ) from None
        row += n
        raw.read[0] += n
        yield pa.RecordBatch.from_arrays(arrays, schema=RAW_SCHEMA)
