"""Import an event log once: judge every row, keep the good ones as Parquet sorted by (case, time).

Readers give each event's fields as text with its place in the file (:mod:`stageline.data.raw`);
one DuckDB pass strips white space from every field, parses timestamps (ISO 8601 with their
offsets or zone names kept as offsets, or a ``strptime`` format), starts and costs, rejects rows
without a case, an activity or a readable timestamp, with a bad start or a cost that is not a
finite number, and duplicates, and counts what is worth a note. The kept events go to a cache
file keyed by the log's path, size, modification time and mapping, so a second ``measure`` of
the same log starts at once. The cache holds times as microseconds since 1970 UTC (``time_us``,
``start_us``) and each event's offset in minutes, so any engine reads the same numbers, and
its place in the file (``row``: the CSV row or XES line users see, which several XES events on
one line share) and its order in the file (``ord``, unique, which breaks ties between events at
the same time), and each event's position in its case (``seq``, from 1), which the sort gives
for free and every
figure that needs the order of a case's events would otherwise sort again for.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from stageline.data.columns import Columns
from stageline.data.quality import EXAMPLES, Issue, Quality
from stageline.data.raw import RAW_SCHEMA, Raw
from stageline.errors import DataError, Location, Problem, SourceError
from stageline.formats.api import write_text

__all__ = [
    "CACHE_VERSION",
    "EVENT_COLUMNS",
    "EventLog",
    "Limits",
    "cache_dir",
    "connect",
    "import_log",
    "log_format",
    "number_in_case",
    "rejected_rows",
]

CACHE_VERSION = 3
#: The columns of an imported log, in order.
EVENT_COLUMNS = (
    "case_id",
    "activity",
    "time_us",
    "start_us",
    "offset_min",
    "lifecycle",
    "resource",
    "cost",
    "outcome",
    "row",
    "ord",
    "seq",
)


@dataclass(frozen=True, slots=True)
class Limits:
    """How much the embedded engine may use."""

    memory: str | None = None  # DuckDB's syntax: "2GB"
    temp: str | None = None  # a folder for spilling
    threads: int | None = None

    def __post_init__(self) -> None:
        if self.memory is not None and not re.fullmatch(r"\s*\d+(\.\d+)?\s*([KMGT]i?B)\s*", self.memory, re.I):
            raise DataError(
                Problem(
                    "data.memory",
                    f"cannot read `{self.memory}` as an amount of memory",
                    hint="write it like 2GB, 512MB or 1.5GiB",
                )
            )

    @property
    def spill(self) -> str:
        """Where the engine spills what does not fit in memory: ``temp``, or a folder of the
        system's temporary folder (an in-memory engine without one could not spill at all)."""
        return self.temp or os.path.join(tempfile.gettempdir(), f"stageline-spill-{os.getuid()}")


@dataclass(frozen=True, slots=True)
class EventLog:
    """An imported log: the Parquet file of its kept events and the report of the import."""

    path: Path
    source: str
    quality: Quality
    columns: Columns

    @property
    def rejected(self) -> Path:
        """The Parquet file listing every rejected row: ``row`` (its place) and ``code``."""
        return self.path.with_name(self.path.stem + ".rejected.parquet")


def log_format(path: str | os.PathLike[str]) -> str:
    """``csv``, ``xes`` or ``parquet``, from the file's name."""
    name = str(path).lower()
    for suffix, kind in (
        (".xes.gz", "xes"),
        (".xes", "xes"),
        (".parquet", "parquet"),
        (".pq", "parquet"),
        (".csv", "csv"),
        (".tsv", "csv"),
        (".txt", "csv"),
    ):
        if name.endswith(suffix):
            return kind
    raise DataError(
        Problem(
            "data.format",
            "cannot tell the log's format from its name",
            location=Location(str(path)),
            hint="expected .csv, .tsv, .xes, .xes.gz or .parquet",
        )
    )


def cache_dir() -> Path:
    """Where imported logs are kept: ``$STAGELINE_CACHE`` or ``~/.cache/stageline/logs``."""
    env = os.environ.get("STAGELINE_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "stageline" / "logs"


def import_log(
    path: str | os.PathLike[str],
    columns: Columns | None = None,
    *,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    cache: Path | None = None,
    limits: Limits | None = None,
    refresh: bool = False,
) -> EventLog:
    """Import (or find in the cache) the log at ``path``."""
    source = Path(path)
    kind = log_format(source)
    try:
        stat = source.stat()
    except FileNotFoundError:
        raise SourceError(Problem("source.missing", "no such file", location=Location(str(path)))) from None
    except OSError as exc:
        raise SourceError(
            Problem("source.read", f"cannot read the file: {exc}", location=Location(str(path)))
        ) from None
    if delimiter is None:
        delimiter = "\t" if source.name.lower().endswith(".tsv") else ","
    if columns is not None and columns.time_format:
        _check_time_format(columns.time_format, Location(str(path)))
    folder = cache or cache_dir()
    key = hashlib.sha256(
        json.dumps(
            [
                CACHE_VERSION,
                str(source.resolve()),
                stat.st_size,
                stat.st_mtime_ns,
                (columns or Columns()).to_dict(),
                encoding,
                delimiter,
            ]
        ).encode()
    ).hexdigest()[:24]
    events = folder / f"{key}.parquet"
    report = folder / f"{key}.json"
    if not refresh and events.exists() and report.exists() and folder.joinpath(f"{key}.rejected.parquet").exists():
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            saved = json.loads(report.read_text(encoding="utf-8"))
            return EventLog(events, str(path), Quality.from_dict(saved["quality"]), Columns(**saved["columns"]))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SourceError(
            Problem("source.write", f"cannot make the cache folder: {exc.strerror}", location=Location(str(folder)))
        ) from None
    mapping, raw = _reader(kind, source, columns, encoding, delimiter)
    quality = _judge(raw, mapping, str(path), kind, events, folder, limits or Limits())
    text = json.dumps({"quality": quality.to_dict(), "columns": mapping.to_dict()}, indent=1)
    write_text(report, text)  # atomic, with the permissions of any other file the user writes
    return EventLog(events, str(path), quality, mapping)


def _check_time_format(time_format: str, where: Location) -> None:
    """Raise a :class:`DataError` when DuckDB's ``strptime`` cannot use the format."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"SELECT try_strptime('2000-01-01', '{_sql_text(time_format)}')")
    except duckdb.Error as exc:
        raise DataError(
            Problem(
                "data.time_format",
                f"cannot read timestamps with the format `{time_format}`: {str(exc).split(': ', 1)[-1]}",
                location=where,
                hint="use strftime codes, for example `%d/%m/%Y %H:%M`",
            )
        ) from None
    finally:
        con.close()


def _reader(kind: str, source: Path, columns: Columns | None, encoding: str, delimiter: str) -> tuple[Columns, Raw]:
    if kind == "csv":
        from stageline.data.csvlog import read_csv

        return read_csv(source, columns, encoding=encoding, delimiter=delimiter)
    if kind == "xes":
        from stageline.data.xeslog import read_xes

        return read_xes(source, columns)
    from stageline.data.parquetlog import read_parquet

    return read_parquet(source, columns)


def connect(limits: Limits, database: str = ":memory:") -> Any:
    """A DuckDB connection with the limits applied and times in UTC; ``database`` a file for
    tables that may outgrow the memory limit."""
    import duckdb

    con = duckdb.connect(database)
    con.execute("SET TimeZone = 'UTC'")
    if limits.memory:
        con.execute(f"SET memory_limit = '{_sql_text(limits.memory)}'")
    con.execute(f"SET temp_directory = '{_sql_text(limits.spill)}'")
    if limits.threads:
        con.execute(f"SET threads = {int(limits.threads)}")
    con.execute("SET preserve_insertion_order = false")
    return con


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


#: What ``_value`` strips from both ends of a field: every character Python calls white space
#: (DuckDB's ``trim`` alone keeps tabs and line breaks).
_SPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


def _value(column: str) -> str:
    """SQL for a field's text without surrounding white space; NULL when nothing is left.

    Trimming every kind of white space is slow, so values that start and end with a printable
    ASCII character (nearly all) skip it.
    """
    clean = f"{column}[1] BETWEEN '!' AND '~' AND {column}[-1] BETWEEN '!' AND '~'"
    return f"nullif(CASE WHEN {clean} THEN {column} ELSE trim({column}, '{_SPACE}') END, '')"


_OFFSET = r"\d:\d\d(?::\d\d(?:[.,]\d+)?)?\s*(Z|z|[+-]\d\d(?::?\d\d)?)$"
#: The date and time of day of an ISO timestamp, before any offset or zone name.
_WALL = r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(?::\d\d(?:\.\d+)?)?"


def _time_sql(column: str, time_format: str | None) -> tuple[str, str]:
    """SQL for the instant (microseconds, UTC) and the offset (minutes) of a text timestamp."""
    text = _value(column)
    if time_format:
        fmt = _sql_text(time_format)
        instant = f"epoch_us(try_strptime({text}, '{fmt}')::TIMESTAMPTZ)"
        zoned = "%z" in time_format or "%Z" in time_format
        offset = _offset_sql(text) if zoned else "NULL::SMALLINT"
        return instant, offset
    # DuckDB wants seconds before an offset or zone (`10:30Z` is ISO 8601 too), a decimal point,
    # and no space before a numeric offset (`09:00:00 +0100`, as some tools write it).
    tight = rf"regexp_replace(replace({text}, ',', '.'), '(\d)\s+([+-]\d\d:?\d\d)$', '\1\2')"
    iso = rf"regexp_replace({tight}, '^(\d{{4}}-\d\d-\d\d[T ]\d\d:\d\d)([^:.0-9])', '\1:00\2')"
    # An ISO timestamp starts with its year: DuckDB would also read words such as `epoch`.
    instant = f"CASE WHEN regexp_matches({text}, '^[0-9]') THEN epoch_us(try_cast({iso} AS TIMESTAMPTZ)) END"
    # A zone name (`CET`, `Europe/Amsterdam`) DuckDB read: the offset is the time of day it
    # names less the instant.
    named = (
        f"CASE WHEN regexp_matches({iso}, '{_WALL}\\s*[A-Za-z]') THEN round((epoch_us(try_cast("
        f"regexp_extract({iso}, '{_WALL}') AS TIMESTAMP)) - {instant}) / 60e6)::SMALLINT END"
    )
    return instant, f"coalesce({_offset_sql(text)}, {named})"


def _offset_sql(text: str) -> str:
    zone = f"regexp_extract({text}, '{_OFFSET}', 1)"
    return (
        f"CASE WHEN {zone} = '' THEN NULL WHEN upper({zone}) = 'Z' THEN 0::SMALLINT "
        f"ELSE ((CASE WHEN left({zone}, 1) = '-' THEN -1 ELSE 1 END) * "
        f"(substr({zone}, 2, 2)::INTEGER * 60 + coalesce(try_cast(nullif(right(replace({zone}, ':', ''), 2), "
        f"substr({zone}, 2, 2)) AS INTEGER), 0)))::SMALLINT END"
    )


#: Reasons a row is rejected, in the order they are judged, with the field a place names.
_REASONS: dict[str, tuple[str, str]] = {
    "case.missing": ("no case id", "case"),
    "activity.missing": ("no activity", "activity"),
    "time.missing": ("no timestamp", "time"),
    "time.bad": ("the timestamp cannot be read", "time"),
    "start.bad": ("the start timestamp cannot be read", "start"),
    "start.after": ("starts after it ends", "start"),
    "cost.bad": ("the cost is not a finite number", "cost"),
    "duplicate": ("the same event as an earlier row (case, activity, time, lifecycle, resource)", "activity"),
}


def _judge(raw: Raw, mapping: Columns, file: str, kind: str, events: Path, folder: Path, limits: Limits) -> Quality:
    staged = _temp(folder, ".raw-")
    try:
        out = _temp(folder, ".events-")
    except BaseException:
        with contextlib.suppress(OSError):
            staged.unlink()
        raise
    try:
        with pq.ParquetWriter(staged, RAW_SCHEMA, compression="zstd") as writer:
            for b in raw.batches:
                writer.write_batch(b)
        quality = _sql_judge(staged, raw, mapping, file, kind, out, limits)
        os.replace(out.with_name(out.name + ".rejected"), events.with_name(events.stem + ".rejected.parquet"))
        os.replace(out, events)
        return quality
    finally:
        for leftover in (staged, out, out.with_name(out.name + ".rejected")):
            with contextlib.suppress(OSError):
                leftover.unlink()


def _temp(folder: Path, prefix: str) -> Path:
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".parquet")
    except OSError as exc:
        raise SourceError(
            Problem("source.write", f"cannot write in the cache folder: {exc.strerror}", location=Location(str(folder)))
        ) from None
    os.close(fd)
    return Path(name)


def _place(kind: str, row: int, column: str | None) -> str:
    if kind == "xes":
        return f"line {row}"
    if kind == "csv" and column:
        return f"row {row}, column `{column}`"
    return f"row {row}"


def _sql_judge(staged: Path, raw: Raw, mapping: Columns, file: str, kind: str, out: Path, limits: Limits) -> Quality:
    # The judged events live in a database file beside the output, so that the engine can
    # write them out of memory when they outgrow its limit.
    database = out.with_name(out.name + ".judging.duckdb")
    database.unlink(missing_ok=True)
    con = connect(limits, str(database))
    try:
        time_us, offset = _time_sql('"time"', mapping.time_format)
        start_us, _ = _time_sql('"start"', mapping.time_format)
        src = _sql_text(str(staged))
        # One pass parses and judges; the texts kept only to judge are not stored.
        con.execute(
            f"""
            CREATE TEMP TABLE judged AS
            SELECT * EXCLUDE (time_text, start_text, cost_text), CASE
                WHEN case_id IS NULL THEN 'case.missing'
                WHEN activity IS NULL THEN 'activity.missing'
                WHEN time_text IS NULL THEN 'time.missing'
                WHEN time_us IS NULL THEN 'time.bad'
                WHEN start_text IS NOT NULL AND start_us IS NULL THEN 'start.bad'
                WHEN start_us > time_us THEN 'start.after'
                WHEN cost_text IS NOT NULL AND (cost IS NULL OR NOT isfinite(cost)) THEN 'cost.bad'
            END AS reason
            FROM (
                SELECT "row", file_row_number AS ord, {_value('"case"')} AS case_id, {_value("activity")} AS activity,
                       {time_us} AS time_us, {offset} AS offset_min, {start_us} AS start_us,
                       {_value('"time"')} AS time_text, {_value('"start"')} AS start_text,
                       lower({_value("lifecycle")}) AS lifecycle, {_value("resource")} AS resource,
                       try_cast({_value("cost")} AS DOUBLE) AS cost, {_value("cost")} AS cost_text,
                       {_value("outcome")} AS outcome
                FROM read_parquet('{src}', file_row_number = true))
            """
        )
        # Repeats of an event: the events that say the same are grouped (a hash aggregate, which
        # spills to disk on big logs where a window would not), and all but the first marked.
        con.execute(
            """
            CREATE TEMP TABLE repeated AS
            WITH twice AS (
                SELECT case_id, activity, time_us, lifecycle, resource, min(ord) AS first
                FROM judged WHERE reason IS NULL
                GROUP BY ALL HAVING count(*) > 1)
            SELECT j.ord FROM judged j JOIN twice t
              ON j.case_id = t.case_id AND j.activity = t.activity AND j.time_us = t.time_us
             AND j.lifecycle IS NOT DISTINCT FROM t.lifecycle AND j.resource IS NOT DISTINCT FROM t.resource
            WHERE j.reason IS NULL AND j.ord <> t.first
            """
        )
        con.execute("""UPDATE judged SET reason = 'duplicate' WHERE ord IN (SELECT ord FROM repeated)""")
        # Sorted by the engine (a sort spills to disk where a window over every case would
        # not), then numbered within each case in one pass over the sorted file.
        sorted_file = out.with_name(out.name + ".sorted")
        con.execute(
            f"""
            COPY (SELECT {", ".join(EVENT_COLUMNS[:-1])} FROM judged WHERE reason IS NULL
                  ORDER BY case_id, time_us, ord)
            TO '{_sql_text(str(sorted_file))}' (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {_ROW_GROUP})
            """
        )
        try:
            number_in_case(sorted_file, out)
        finally:
            sorted_file.unlink(missing_ok=True)
        every = pa.table(
            {"row": [r for r, _ in raw.rejects.every], "code": [c for _, c in raw.rejects.every]},
            schema=pa.schema([("row", pa.int64()), ("code", pa.string())]),
        )
        con.register("reader_rejects", every)
        con.execute(
            f"""
            COPY (SELECT "row", reason AS code FROM judged WHERE reason IS NOT NULL
                  UNION ALL SELECT "row", code FROM reader_rejects ORDER BY "row")
            TO '{_sql_text(str(out) + ".rejected")}' (FORMAT parquet, COMPRESSION zstd)
            """
        )
        rejected = []
        for reason, count, rows in con.execute(
            f"""SELECT reason, count(*), list("row" ORDER BY "row")[1:{EXAMPLES}]
                FROM judged WHERE reason IS NOT NULL GROUP BY reason"""
        ).fetchall():
            message, field_name = _REASONS[reason]
            column = mapping.mapped().get(field_name)
            rejected.append(Issue(reason, message, int(count), tuple(_place(kind, int(r), column) for r in rows)))
        for code, (message, count, rows) in raw.rejects.found.items():
            column = raw.rejects.columns.get(code)
            rejected.append(Issue(code, message, count, tuple(_place(kind, r, column) for r in rows)))
        order = {code: i for i, code in enumerate(_REASONS)}
        rejected.sort(key=lambda i: (order.get(i.code, len(order)), i.code))
        total, first, last = con.execute(
            """SELECT count(*), min(time_us), max(time_us) FROM judged WHERE reason IS NULL"""
        ).fetchone()
        # cases by grouping, which spills to disk (a distinct count would hold them all in memory)
        (cases,) = con.execute(
            """SELECT count(*) FROM (SELECT case_id FROM judged WHERE reason IS NULL GROUP BY case_id)"""
        ).fetchone()
        notes = _notes(con, kind, mapping)
    finally:
        con.close()
        for leftover in (database, database.with_name(database.name + ".wal")):
            leftover.unlink(missing_ok=True)
    read = raw.read[0]
    if read == 0:
        raise DataError(Problem("data.empty", "the log has no events", location=Location(file)))
    quality = Quality(
        file=file,
        format=kind,
        rows=read,
        events=int(total),
        cases=int(cases),
        columns=mapping.mapped(),
        rejected=tuple(rejected),
        notes=tuple(notes),
        first=_iso(first),
        last=_iso(last),
    )
    if total == 0:
        raise DataError(
            Problem(
                "data.empty",
                "no event of the log can be used: " + "; ".join(str(i) for i in rejected),
                location=Location(file),
            )
        )
    return quality


def _iso(us: int | None) -> str | None:
    if us is None:
        return None
    from datetime import UTC, datetime, timedelta

    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=int(us))).isoformat()


_ROW_GROUP = 1_000_000


def number_in_case(source: Path, target: Path, *, batch: int = _ROW_GROUP) -> None:
    """``source`` (events sorted by case) written to ``target`` with each event's position in
    its case (``seq``, from 1), a row group at a time."""
    import numpy as np
    import pyarrow.compute as pc

    reader = pq.ParquetFile(source)
    schema = reader.schema_arrow.append(pa.field("seq", pa.int32()))
    last_case: str | None = None
    last_seq = 0
    with pq.ParquetWriter(target, schema, compression="zstd") as writer:
        for part in reader.iter_batches(batch_size=batch):
            n = part.num_rows
            if not n:
                continue
            case = part.column("case_id")
            starts = np.empty(n, dtype=bool)
            starts[0] = case[0].as_py() != last_case
            if n > 1:
                starts[1:] = pc.not_equal(case.slice(1), case.slice(0, n - 1)).to_numpy(zero_copy_only=False)
            index = np.arange(n)
            seq = index - np.maximum.accumulate(np.where(starts, index, 0)) + 1
            seq[~np.logical_or.accumulate(starts)] += last_seq  # the case the last batch ended in
            writer.write_table(
                pa.Table.from_batches([part]).append_column("seq", pa.array(seq, pa.int32())),
                row_group_size=_ROW_GROUP,
            )
            last_case = case[n - 1].as_py()
            last_seq = int(seq[-1])


def _notes(con: Any, kind: str, mapping: Columns) -> list[Issue]:
    notes: list[Issue] = []
    column = mapping.mapped().get("time")
    count, rows = con.execute(
        f"""SELECT count(*), list("row" ORDER BY "row")[1:{EXAMPLES}] FROM (
              SELECT "row", time_us < max(time_us) OVER (
                  PARTITION BY case_id ORDER BY ord ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS back
              FROM judged WHERE reason IS NULL) WHERE back"""
    ).fetchone()
    if count:
        notes.append(
            Issue(
                "order",
                "earlier than an event before it in the same case (kept; events are ordered by time)",
                int(count),
                tuple(_place(kind, int(r), column) for r in rows),
            )
        )
    offsets = con.execute(
        """SELECT offset_min, count(*), min("row") FROM judged WHERE reason IS NULL
           GROUP BY offset_min ORDER BY count(*) DESC"""
    ).fetchall()
    naive = [(c, r) for o, c, r in offsets if o is None]
    zoned = [(o, c) for o, c, _ in offsets if o is not None]
    if naive and not mapping.time_format:
        count, row = naive[0]
        mixed = " while others carry one" if zoned else ""
        notes.append(
            Issue(
                "offset.none",
                f"the timestamp has no offset{mixed}; read as UTC",
                int(count),
                (_place(kind, int(row), column),),
            )
        )
    if len(zoned) > 1:
        shown = ", ".join(f"{_offset_text(o)} in {c:,}" for o, c in zoned[:4])
        notes.append(
            Issue(
                "offset.mixed",
                f"timestamps carry {len(zoned)} different offsets ({shown}); kept as written, figures use the instants",
                int(sum(c for _, c in zoned[1:])),
            )
        )
    count, cases = con.execute(
        """SELECT count(*), list(case_id ORDER BY case_id)[1:3] FROM (
              SELECT case_id FROM judged WHERE reason IS NULL GROUP BY case_id HAVING count(*) = 1)"""
    ).fetchone()
    if count:
        shown = ", ".join(f"`{c}`" for c in cases)
        notes.append(
            Issue("single", f"the only event of its case (cases {shown}{', ...' if count > 3 else ''})", int(count))
        )
    return notes


def _offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    m = abs(int(minutes))
    return f"{sign}{m // 60:02d}:{m % 60:02d}"


def rejected_rows(log: EventLog) -> list[tuple[str, str, str]]:
    """Every row the import of ``log`` rejected: its place, the reason and the column it names."""
    reasons = {i.code: i.message for i in log.quality.rejected}
    columns = log.quality.columns
    table = pq.read_table(log.rejected)
    out = []
    for row, code in zip(table.column("row").to_pylist(), table.column("code").to_pylist(), strict=True):
        field_name = _REASONS.get(code, ("", ""))[1]
        column = columns.get(field_name, "") if field_name else ""
        if not column and code.startswith("encoding."):
            column = code.split(".", 1)[1]
        place = f"line {row}" if log.quality.format == "xes" else f"row {row}"
        out.append((place, reasons.get(code, code), column))
    return out
