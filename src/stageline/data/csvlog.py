"""Event logs and feedback from CSV: fields as text, each row numbered as a spreadsheet shows it.

The header is row 1 and the first event row 2; a value spanning lines (the header's too) is
one row. Arrow's multi-threaded reader does the work when the file is regular; a file with rows
of the wrong length, blank rows or bytes that are not text in its encoding is read again, from
where the fast reader stopped, by Python's ``csv`` module, which can say exactly which row is
wrong. Both give the same fields.
"""

from __future__ import annotations

import codecs
import csv
import mmap
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv

from stageline.data.columns import Columns, detect
from stageline.data.raw import RAW_SCHEMA, Raw, Rejects, batch
from stageline.errors import DataError, Location, Problem, SourceError

__all__ = ["csv_header", "read_csv", "read_csv_rows"]

_BATCH = 65_536
csv.field_size_limit(1 << 30)


def _decoder_name(encoding: str) -> str:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise DataError(
            Problem("data.encoding", f"unknown text encoding `{encoding}`", hint="try utf-8, cp1252 or latin-1")
        ) from None
    return "utf-8-sig" if name == "utf-8" else name


def _check_delimiter(path: str | os.PathLike[str], delimiter: str) -> None:
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise DataError(
            Problem(
                "data.delimiter",
                f"cannot split rows on {delimiter!r}: the delimiter is one character, not a quote or a line break",
                location=Location(str(path)),
                hint="for example `,`, `;` or a tab",
            )
        )


def csv_header(path: str | os.PathLike[str], *, encoding: str = "utf-8", delimiter: str = ",") -> list[str]:
    """The column names in the first row of a CSV file."""
    where = Location(str(path), 1, 1)
    _check_delimiter(path, delimiter)
    try:
        with open(path, encoding=_decoder_name(encoding), errors="surrogateescape", newline="") as handle:
            header = next(csv.reader(handle, delimiter=delimiter), None)
        for name in header or ():
            name.encode("utf-8")  # raises on the bytes the decoder could not read
    except FileNotFoundError:
        raise SourceError(Problem("source.missing", "no such file", location=Location(str(path)))) from None
    except IsADirectoryError:
        raise SourceError(
            Problem("source.directory", "is a folder, not a file", location=Location(str(path)))
        ) from None
    except UnicodeEncodeError as exc:
        raise DataError(
            Problem(
                "data.encoding",
                f"the header row is not {encoding} text (byte 0x{ord(exc.object[exc.start]) - 0xDC00:02X})",
                location=where,
                hint="give the file's encoding, for example `--encoding cp1252`",
            )
        ) from None
    except (OSError, csv.Error) as exc:
        raise SourceError(Problem("source.read", f"cannot read the file: {exc}", location=where)) from None
    if not header or not any(h.strip() for h in header):
        raise DataError(Problem("data.empty", "the file is empty: expected a header row", location=where))
    return [h.strip() for h in header]


def read_csv(
    path: str | os.PathLike[str],
    columns: Columns | None = None,
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
) -> tuple[Columns, Raw]:
    """The column mapping (given or detected) and the raw events of a CSV event log."""
    header = csv_header(path, encoding=encoding, delimiter=delimiter)
    mapping = detect(header, columns, where=Location(str(path), 1, 1))
    rejects = Rejects()
    raw = Raw(iter(()), rejects, "csv")
    raw.batches = _batches(Path(path), header, mapping.mapped(), encoding, delimiter, raw)
    return mapping, raw


def read_csv_rows(
    path: str | os.PathLike[str],
    wanted: dict[str, str],
    *,
    encoding: str = "utf-8",
    delimiter: str = ",",
    rejects: Rejects | None = None,
) -> Iterator[tuple[int, dict[str, str | None]]]:
    """Row number and the wanted fields (field -> column) of every row, read exactly.

    For small files (feedback) and for the rows after the fast reader stopped.
    """
    header = csv_header(path, encoding=encoding, delimiter=delimiter)
    yield from _exact(Path(path), header, wanted, encoding, delimiter, rejects or Rejects(), skip=0)


def _batches(
    path: Path, header: list[str], wanted: dict[str, str], encoding: str, delimiter: str, raw: Raw
) -> Iterator[pa.RecordBatch]:
    done = 0
    if _regular(path, encoding):
        fast = _fast(path, header, wanted, encoding, delimiter)
        try:
            for b in fast:
                raw.read[0] += b.num_rows
                done += b.num_rows
                yield b
            return
        except _IrregularError:
            pass
    rows: list[int] = []
    cols: dict[str, list[str | None]] = {f: [] for f in wanted}
    for number, values in _exact(path, header, wanted, encoding, delimiter, raw.rejects, skip=done):
        rows.append(number)
        for f in wanted:
            cols[f].append(values[f])
        if len(rows) >= _BATCH:
            raw.read[0] += len(rows)
            yield batch(rows, cols)
            rows, cols = [], {f: [] for f in wanted}
    raw.read[0] += len(rows) + sum(c for _, c, _ in raw.rejects.found.values())
    if rows:
        yield batch(rows, cols)


class _IrregularError(Exception):
    """The fast reader met something only the exact reader can locate."""


def _regular(path: Path, encoding: str) -> bool:
    """Whether the fast reader can read the whole file: no blank rows (which it would skip
    without a count) and, for UTF-8, no bytes that are not UTF-8 text.

    A blank row is a line break right after another: LF LF, LF CR (which covers CR LF CR LF) or
    CR CR. Line breaks are looked for as bytes, so encodings that do not write them as ASCII
    (UTF-16, UTF-32) always take the exact reader.
    """
    utf8 = _decoder_name(encoding) == "utf-8-sig"
    try:
        if not utf8 and "\r\n".encode(_decoder_name(encoding)) != b"\r\n":
            return False
        size = path.stat().st_size
        if size == 0:
            return False
        with open(path, "rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
            if any(data.find(pair) >= 0 for pair in (b"\n\n", b"\n\r", b"\r\r")) or data[:1] in (b"\n", b"\r"):
                return False
            if utf8:
                decoder = codecs.getincrementaldecoder("utf-8")()
                step = 16 << 20
                for at in range(0, size, step):
                    decoder.decode(data[at : at + step], final=at + step >= size)
            return True
    except (OSError, ValueError):  # UnicodeDecodeError is a ValueError
        return False


def _fast(
    path: Path, header: list[str], wanted: dict[str, str], encoding: str, delimiter: str
) -> Iterator[pa.RecordBatch]:
    irregular: list[bool] = []

    def invalid(_row: object) -> str:
        irregular.append(True)
        return "skip"

    names = [f"c{i}" for i in range(len(header))]  # header names may repeat or be blank
    index = {name: i for i, name in reversed(list(enumerate(header)))}
    chosen = {f: names[index[c]] for f, c in wanted.items()}
    try:
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(
                encoding=_decoder_name(encoding).replace("utf-8-sig", "utf8"),
                column_names=names,
                skip_rows_after_names=1,  # the header, read as a CSV row: it may span lines
                block_size=8 << 20,
            ),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=invalid, newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(
                include_columns=sorted(set(chosen.values())),
                column_types={c: pa.string() for c in chosen.values()},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, OSError, UnicodeError) as exc:  # UnicodeError: bytes the codec cannot read
        raise _IrregularError from exc
    row = 2
    while True:
        try:
            b = reader.read_next_batch()
        except StopIteration:
            return
        except (pa.ArrowInvalid, OSError, UnicodeError) as exc:
            raise _IrregularError from exc
        if irregular:
            raise _IrregularError
        n = b.num_rows
        arrays = [pa.array(range(row, row + n), pa.int64())]
        for f in RAW_SCHEMA.names[1:]:
            arrays.append(b.column(chosen[f]) if f in chosen else pa.nulls(n, pa.string()))
        row += n
        yield pa.RecordBatch.from_arrays(arrays, schema=RAW_SCHEMA)


def _exact(
    path: Path,
    header: Sequence[str],
    wanted: dict[str, str],
    encoding: str,
    delimiter: str,
    rejects: Rejects,
    *,
    skip: int,
) -> Iterator[tuple[int, dict[str, str | None]]]:
    index = {name: i for i, name in reversed(list(enumerate(header)))}
    positions = {f: index[c] for f, c in wanted.items()}
    width = len(header)
    utf8 = _decoder_name(encoding) == "utf-8-sig"
    advice = "give the file's encoding, e.g. `--encoding cp1252`" if utf8 else "is the file in another encoding?"
    with open(path, encoding=_decoder_name(encoding), errors="surrogateescape", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        next(reader, None)
        row = 1
        kept = 0
        try:
            for record in reader:
                row += 1
                if not record:
                    rejects.add("blank", "blank row", row)
                    continue
                if len(record) != width:
                    n = len(record)
                    message = f"has {n} field{'s' if n != 1 else ''}, the header has {width}"
                    if any("\n" in value or "\r" in value for value in record):  # the rest of the file, maybe
                        rejects.add(
                            f"width.{n}.quote", f"{message}; a value in it spans lines (a quote left open?)", row
                        )
                    else:
                        rejects.add(f"width.{n}", message, row)
                    continue
                values: dict[str, str | None] = {}
                bad = None
                for f, i in positions.items():
                    value = record[i]
                    if not value.isascii():
                        try:
                            value.encode("utf-8")
                        except UnicodeEncodeError:
                            bad = wanted[f]
                            break
                    values[f] = value
                if bad is not None:
                    rejects.add(f"encoding.{bad}", f"column `{bad}` is not {encoding} text ({advice})", row, bad)
                    continue
                kept += 1
                if kept > skip:
                    yield row, values
        except csv.Error as exc:
            raise DataError(
                Problem("data.csv", f"cannot read the CSV file past here: {exc}", location=Location(str(path), row + 1))
            ) from None
