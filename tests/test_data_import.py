"""Importing event logs: every row kept or rejected with its place, never a traceback.

CSV bad inputs each get a located message while the rest of the log is imported; offsets are
kept beside the UTC instants; Arrow's fast CSV reader and the exact Python reader give the same
events, also when the fast one hands over mid-file; generated logs of good and bad rows are
checked against an independent reading of what should be kept; Parquet logs (real and
generated); the cache; and files that cannot be read at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stageline.data import Columns, EventLog, Issue, Quality, csvlog, import_log
from stageline.data.columns import detect
from stageline.data.raw import Rejects
from stageline.errors import DataError, SourceError, StageLineError

ROOT = Path(__file__).parent.parent
LOGS = ROOT.parent / "shared" / "data" / "eventlogs"
UTC = dt.UTC
HEADER = "case,activity,timestamp"


# --- helpers -------------------------------------------------------------------------------------


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def load(path: Path, **options: Any) -> EventLog:
    """Import into a cache folder beside the log, always afresh unless told otherwise."""
    options.setdefault("cache", path.parent / "cache")
    options.setdefault("refresh", True)
    return import_log(path, **options)


def events(log: EventLog) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = pq.read_table(log.path).to_pylist()
    return rows


def issue(quality: Quality, code: str) -> Issue:
    found = [i for i in (*quality.rejected, *quality.notes) if i.code == code]
    assert found, f"no {code} in {quality.lines()}"
    return found[0]


def codes(quality: Quality) -> set[str]:
    return {i.code for i in (*quality.rejected, *quality.notes)}


def us(text: str) -> int:
    """Microseconds since 1970 UTC of an ISO timestamp (naive ones read as UTC)."""
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - dt.datetime(1970, 1, 1, tzinfo=UTC)) // dt.timedelta(microseconds=1)


def balanced(quality: Quality) -> None:
    """Every row read is kept or counted under a reason."""
    assert quality.rows == quality.events + quality.rejected_rows, quality.lines()


def error_of(exc: pytest.ExceptionInfo[StageLineError]) -> str:
    return "\n".join(str(p) for p in exc.value.problems)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- 1. CSV: each bad input located, the rest imported ---------------------------------------------


def test_unreadable_timestamps_are_rejected_at_their_row_and_column(tmp_path: Path) -> None:
    log = load(
        write(
            tmp_path,
            "log.csv",
            f"{HEADER}\n1,A,2024-01-01T10:00:00Z\n1,B,yesterday\n1,C,2024-02-30T10:00:00Z\n"
            "1,D,epoch\n1,E,2024-01-01T12:00:00Z\n",
        )
    )
    q = log.quality
    bad = issue(q, "time.bad")
    assert bad.count == 3
    assert bad.places == ("row 3, column `timestamp`", "row 4, column `timestamp`", "row 5, column `timestamp`")
    assert [e["activity"] for e in events(log)] == ["A", "E"]
    balanced(q)


def test_rows_without_a_case_activity_or_time_are_each_named(tmp_path: Path) -> None:
    log = load(
        write(
            tmp_path, "log.csv", f"{HEADER}\n,A,2024-01-01T10:00:00Z\n1,  ,2024-01-01T10:00:00Z\n1,B,\n1,C,2024-01-01\n"
        )
    )
    q = log.quality
    assert issue(q, "case.missing").places == ("row 2, column `case`",)
    assert issue(q, "activity.missing").places == ("row 3, column `activity`",)
    assert issue(q, "time.missing").places == ("row 4, column `timestamp`",)
    assert [e["row"] for e in events(log)] == [5]
    balanced(q)


def test_mixed_offsets_are_noted_and_kept(tmp_path: Path) -> None:
    log = load(
        write(
            tmp_path,
            "log.csv",
            f"{HEADER}\n1,A,2024-01-01T10:00:00+01:00\n1,B,2024-01-01T11:00:00+01:00\n"
            "2,A,2024-07-01T10:00:00+02:00\n2,B,2024-07-01T11:00:00\n",
        )
    )
    q = log.quality
    mixed = issue(q, "offset.mixed")
    assert "2 different offsets" in mixed.message
    assert "+01:00 in 2" in mixed.message and "+02:00 in 1" in mixed.message
    assert mixed.count == 1
    naive = issue(q, "offset.none")
    assert naive.count == 1
    assert naive.places == ("row 5, column `timestamp`",)
    assert "while others carry one" in naive.message
    assert q.events == 4
    balanced(q)


def test_events_out_of_order_are_noted_at_their_rows_and_sorted(tmp_path: Path) -> None:
    log = load(
        write(
            tmp_path,
            "log.csv",
            f"{HEADER}\n1,A,2024-01-01T10:00:00Z\n1,B,2024-01-01T12:00:00Z\n2,A,2024-01-01T09:00:00Z\n"
            "1,C,2024-01-01T11:00:00Z\n2,B,2024-01-01T08:00:00Z\n",
        )
    )
    order = issue(log.quality, "order")
    assert order.count == 2
    assert order.places == ("row 5, column `timestamp`", "row 6, column `timestamp`")
    assert [(e["case_id"], e["activity"]) for e in events(log)] == [
        ("1", "A"),
        ("1", "C"),
        ("1", "B"),
        ("2", "B"),
        ("2", "A"),
    ]


def test_duplicate_events_are_rejected_after_the_first(tmp_path: Path) -> None:
    text = (
        "case,activity,timestamp,resource,lifecycle\n"
        "1,A,2024-01-01T10:00:00Z,ann,complete\n"
        "1,A,2024-01-01T11:00:00+01:00,ann,COMPLETE\n"  # the same instant and, lower-cased, lifecycle
        "1,A,2024-01-01T10:00:00Z,bob,complete\n"  # another resource: another event
        "1,A,2024-01-01T10:00:00Z,ann,start\n"  # another transition
        " 1 ,A,2024-01-01T10:00:00Z,ann,complete\n"
    )
    log = load(write(tmp_path, "log.csv", text))
    dup = issue(log.quality, "duplicate")
    assert dup.count == 2
    assert dup.places == ("row 3, column `activity`", "row 6, column `activity`")
    assert sorted(e["row"] for e in events(log)) == [2, 4, 5]
    balanced(log.quality)


def test_a_header_only_log_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "log.csv", f"{HEADER}\n")
    with pytest.raises(DataError) as exc:
        load(path)
    assert exc.value.problems[0].code == "data.empty"
    assert str(exc.value) == f"{path}: error: the log has no events"


def test_a_zero_byte_log_is_an_error_at_its_first_row(tmp_path: Path) -> None:
    path = write(tmp_path, "log.csv", b"")
    with pytest.raises(DataError) as exc:
        load(path)
    assert str(exc.value.problems[0].location) == f"{path}:1:1"
    assert "empty" in str(exc.value)


def test_a_log_of_only_bad_rows_says_why_each_went(tmp_path: Path) -> None:
    path = write(tmp_path, "log.csv", f"{HEADER}\n1,A,never\n\n1,B\n")
    with pytest.raises(DataError) as exc:
        load(path)
    text = str(exc.value)
    assert "no event of the log can be used" in text
    assert "row 2, column `timestamp`" in text and "blank row (row 3)" in text and "row 4" in text


def test_cases_of_one_event_are_noted_by_name(tmp_path: Path) -> None:
    log = load(
        write(
            tmp_path,
            "log.csv",
            f"{HEADER}\nx,A,2024-01-01T10:00:00Z\ny,A,2024-01-01T10:00:00Z\ny,B,2024-01-02T10:00:00Z\n",
        )
    )
    single = issue(log.quality, "single")
    assert single.count == 1
    assert "`x`" in single.message and "`y`" not in single.message


def test_bytes_that_are_not_utf8_reject_their_row_at_the_column(tmp_path: Path) -> None:
    data = f"{HEADER},note\n1,Caf\xe9,2024-01-01T10:00:00Z,ok\n1,B,2024-01-01T11:00:00Z,na\xefve\n".encode("cp1252")
    path = write(tmp_path, "log.csv", data)
    log = load(path)
    rejected = [i for i in log.quality.rejected if i.code.startswith("encoding")]
    assert len(rejected) == 1
    assert rejected[0].places == ("row 2, column `activity`",)
    assert "not utf-8 text" in rejected[0].message and "--encoding cp1252" in rejected[0].message
    assert [e["activity"] for e in events(log)] == ["B"]  # a bad byte in a column not used costs nothing
    balanced(log.quality)

    again = load(path, encoding="cp1252")
    assert again.quality.rejected == ()
    assert [e["activity"] for e in events(again)] == ["Café", "B"]


def test_bytes_cp1252_leaves_undefined_reject_their_row(tmp_path: Path) -> None:
    # 0x81 has no character in cp1252: the row is rejected, not the import
    path = write(
        tmp_path, "log.csv", b"case,activity,timestamp\n1,A\x81,2024-01-01T10:00:00Z\n1,B\xe9,2024-01-01T11:00Z\n"
    )
    log = load(path, encoding="cp1252")
    assert [i.places for i in log.quality.rejected] == [("row 2, column `activity`",)]
    assert [e["activity"] for e in events(log)] == ["Bé"]


def test_a_header_that_is_not_text_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, "log.csv", b"case,activit\xe9,timestamp\n1,A,2024-01-01\n")
    with pytest.raises(DataError) as exc:
        load(path)
    assert str(exc.value.problems[0].location) == f"{path}:1:1"
    assert "0xE9" in str(exc.value)


def test_an_unknown_encoding_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="unknown text encoding `klingon`"):
        load(write(tmp_path, "log.csv", f"{HEADER}\n1,A,2024-01-01\n"), encoding="klingon")


def test_a_missing_required_column_names_the_columns_the_log_has(tmp_path: Path) -> None:
    path = write(tmp_path, "log.csv", "case,activty,timestamp\n1,A,2024-01-01\n")
    with pytest.raises(DataError) as exc:
        load(path)
    (problem,) = exc.value.problems
    assert str(problem.location) == f"{path}:1:1"
    assert problem.message == "no column for the activity: give `--activity COLUMN`"
    assert problem.hint == "did you mean `activty`? the log's columns are `case`, `activty`, `timestamp`"


def test_a_given_column_that_is_missing_is_named_with_a_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, "log.csv", "Case,Activity,When\n1,A,2024-01-01\n")
    with pytest.raises(DataError) as exc:
        load(path, columns=Columns(time="when "))
    (problem,) = exc.value.problems
    assert problem.message == "the log has no column `when ` for the time"
    assert problem.hint is not None
    assert problem.hint.startswith("did you mean `When`?") and "`Case`, `Activity`, `When`" in problem.hint


def test_columns_are_detected_by_xes_and_common_names() -> None:
    found = detect(["Case ID", "Activity", "Complete Timestamp", "start_time", "org:resource", "cost", "Status"])
    assert found.mapped() == {
        "case": "Case ID",
        "activity": "Activity",
        "time": "Complete Timestamp",
        "start": "start_time",
        "resource": "org:resource",
        "cost": "cost",
        "outcome": "Status",
    }


def test_rows_of_the_wrong_width_are_rejected_and_the_rest_kept(tmp_path: Path) -> None:
    log = load(
        write(
            tmp_path,
            "log.csv",
            f"{HEADER}\n1,A,2024-01-01T10:00:00Z\n1,B\n1,C,2024-01-01T11:00:00Z,extra\n1,D,2024-01-01T12:00:00Z\n",
        )
    )
    q = log.quality
    assert issue(q, "width.2").places == ("row 3",)
    assert issue(q, "width.4").places == ("row 4",)
    assert "has 2 fields, the header has 3" in issue(q, "width.2").message
    assert [e["row"] for e in events(log)] == [2, 5]
    balanced(q)


def test_blank_rows_are_counted_and_rows_after_them_keep_their_numbers(tmp_path: Path) -> None:
    for newline in ("\n", "\r\n", "\r"):
        text = newline.join([HEADER, "1,A,2024-01-01T10:00:00Z", "", "", "1,B,2024-01-01T11:00:00Z", ""])
        log = load(write(tmp_path, "log.csv", text.encode()))
        assert issue(log.quality, "blank").places == ("row 3", "row 4"), repr(newline)
        assert [e["row"] for e in events(log)] == [2, 5], repr(newline)
        balanced(log.quality)


def test_quoted_values_with_line_breaks_and_delimiters_are_one_row(tmp_path: Path) -> None:
    text = (
        f"{HEADER},note\n"
        '1,"Check, then\nsign",2024-01-01T10:00:00Z,"a ""quoted"" note\r\nover lines"\n'
        "1,B,2024-01-01T11:00:00Z,x\n"
        '1,C,not a time,"\n\n"\n'
        "1,D,2024-01-01T12:00:00Z,y\n"
    )
    log = load(write(tmp_path, "log.csv", text))
    got = events(log)
    assert [(e["row"], e["activity"]) for e in got] == [(2, "Check, then\nsign"), (3, "B"), (5, "D")]
    assert issue(log.quality, "time.bad").places == ("row 4, column `timestamp`",)


def test_a_quote_left_open_is_named_where_it_opens(tmp_path: Path) -> None:
    text = f'{HEADER}\n1,A,2024-01-01T10:00:00Z\n1,"B,2024-01-01T11:00:00Z\n1,C,2024-01-01T12:00:00Z\n'
    log = load(write(tmp_path, "log.csv", text))
    (open_quote,) = log.quality.rejected
    assert open_quote.places == ("row 3",)
    assert open_quote.message == "has 2 fields, the header has 3; a value in it spans lines (a quote left open?)"
    assert log.quality.rows == 2  # the rest of the file is that one value
    balanced(log.quality)


def test_a_header_spanning_lines_is_row_one(tmp_path: Path) -> None:
    path = write(
        tmp_path, "log.csv", '"case\nid",activity,timestamp\n1,A,2024-01-01T10:00:00Z\n1,B,2024-01-01T11:00Z\n'
    )
    log = load(path, columns=Columns(case="case\nid"))
    assert [(e["row"], e["case_id"]) for e in events(log)] == [(2, "1"), (3, "1")]
    assert log.quality.rows == 2


def test_a_byte_order_mark_is_not_part_of_the_first_column(tmp_path: Path) -> None:
    body = f"{HEADER}\n1,A,2024-01-01T10:00:00Z\n1,B,2024-01-01T11:00:00Z\n".encode()
    for tail in (b"", b"\n"):  # the fast reader, and the exact one (a blank row at the end)
        log = load(write(tmp_path, "log.csv", b"\xef\xbb\xbf" + body + tail))
        assert log.columns.case == "case"
        assert [e["case_id"] for e in events(log)] == ["1", "1"]


def test_tab_separated_logs_are_read_by_their_name_or_when_told(tmp_path: Path) -> None:
    text = "case\tactivity\ttimestamp\n1\tA, with a comma\t2024-01-01T10:00:00Z\n1\tB\t2024-01-01T11:00:00Z\n"
    tsv = load(write(tmp_path, "log.tsv", text))
    assert [e["activity"] for e in events(tsv)] == ["A, with a comma", "B"]
    told = load(write(tmp_path, "log.txt", text), delimiter="\t")
    assert events(told) == events(tsv)
    semi = load(write(tmp_path, "semi.csv", text.replace("\t", ";")), delimiter=";")
    assert [e["activity"] for e in events(semi)] == ["A, with a comma", "B"]


@pytest.mark.parametrize("delimiter", [";;", "", '"', "\n"])
def test_a_delimiter_that_cannot_split_rows_is_a_data_error(tmp_path: Path, delimiter: str) -> None:
    path = write(tmp_path, "log.csv", f"{HEADER}\n1,A,2024-01-01\n")
    with pytest.raises(DataError) as exc:
        load(path, delimiter=delimiter)
    assert exc.value.problems[0].code == "data.delimiter"
    assert leftovers(tmp_path / "cache") == []


def test_strptime_formats_read_timestamps_and_reject_the_rest(tmp_path: Path) -> None:
    text = f"{HEADER}\n1,A,31/01/2024 10:00\n1,B,2024-01-31T11:00:00Z\n1,C,31/01/2024 12:30\n"
    log = load(write(tmp_path, "log.csv", text), columns=Columns(time_format="%d/%m/%Y %H:%M"))
    assert [(e["activity"], e["time_us"], e["offset_min"]) for e in events(log)] == [
        ("A", us("2024-01-31T10:00:00+00:00"), None),
        ("C", us("2024-01-31T12:30:00+00:00"), None),
    ]
    assert issue(log.quality, "time.bad").places == ("row 3, column `timestamp`",)
    assert "offset.none" not in codes(log.quality)  # the format says there is none

    zoned = load(
        write(tmp_path, "zoned.csv", f"{HEADER}\n1,A,31/01/2024 10:00 +0530\n"),
        columns=Columns(time_format="%d/%m/%Y %H:%M %z"),
    )
    assert [(e["time_us"], e["offset_min"]) for e in events(zoned)] == [(us("2024-01-31T10:00:00+05:30"), 330)]


def test_a_strptime_format_duckdb_cannot_use_is_a_data_error(tmp_path: Path) -> None:
    path = write(tmp_path, "log.csv", f"{HEADER}\n1,A,2024-01-01\n")
    with pytest.raises(DataError) as exc:
        load(path, columns=Columns(time_format="%Y-%Q"))
    assert exc.value.problems[0].code == "data.time_format"
    assert "`%Y-%Q`" in str(exc.value)
    assert leftovers(tmp_path / "cache") == []


def test_a_start_column_is_read_and_bad_or_late_starts_rejected(tmp_path: Path) -> None:
    text = (
        "case,activity,start_timestamp,end_timestamp\n"
        "1,A,2024-01-01T09:00:00Z,2024-01-01T10:00:00Z\n"
        "1,B,,2024-01-01T11:00:00Z\n"
        "1,C,soon,2024-01-01T12:00:00Z\n"
        "1,D,2024-01-01T14:00:00+01:00,2024-01-01T12:30:00Z\n"  # 13:00 UTC: after its end
        "1,E,2024-01-01T13:30:00+01:00,2024-01-01T12:30:00Z\n"  # 12:30 UTC: as long as zero
    )
    log = load(write(tmp_path, "log.csv", text))
    assert log.columns.start == "start_timestamp" and log.columns.time == "end_timestamp"
    assert [(e["activity"], e["start_us"]) for e in events(log)] == [
        ("A", us("2024-01-01T09:00:00Z")),
        ("B", None),
        ("E", us("2024-01-01T12:30:00Z")),
    ]
    assert issue(log.quality, "start.bad").places == ("row 4, column `start_timestamp`",)
    assert issue(log.quality, "start.after").places == ("row 5, column `start_timestamp`",)
    balanced(log.quality)


def test_costs_that_are_not_finite_numbers_are_rejected(tmp_path: Path) -> None:
    costs = ["12.5", "", " 3 ", "1,5", "twelve", "1e3", "nan", "inf", "-7"]
    rows = [f'1,A{i},2024-01-01T{10 + i}:00:00Z,"{c}"' for i, c in enumerate(costs)]
    log = load(write(tmp_path, "log.csv", "\n".join([f"{HEADER},cost", *rows]) + "\n"))
    assert [(e["activity"], e["cost"]) for e in events(log)] == [
        ("A0", 12.5),
        ("A1", None),
        ("A2", 3.0),
        ("A5", 1000.0),
        ("A8", -7.0),
    ]
    bad = issue(log.quality, "cost.bad")
    assert bad.count == 4
    assert bad.places == tuple(f"row {r}, column `cost`" for r in (5, 6, 8, 9))
    balanced(log.quality)


def test_the_report_reads_as_lines(tmp_path: Path) -> None:
    log = load(write(tmp_path, "log.csv", f"{HEADER}\n1,A,2024-01-01T10:00:00Z\n1,B\n"))
    lines = log.quality.lines()
    assert lines[0] == f"{tmp_path / 'log.csv'}: 2 rows read, 1 event kept in 1 case, 1 row rejected"
    assert "  rejected 1 row: has 2 fields, the header has 3 (row 3)" in lines
    assert Quality.from_dict(log.quality.to_dict()) == log.quality


# --- 2. offsets -----------------------------------------------------------------------------------


def test_each_event_keeps_its_offset_beside_the_utc_instant(tmp_path: Path) -> None:
    stamps = [
        "2024-03-31T01:30:00+01:00",
        "2024-03-31T03:30:00+02:00",
        "2024-03-31T06:00:00.250+05:30",
        "2024-03-31T00:00:00-03:30",
        "2024-03-31T00:00:00Z",
        "2024-03-31 01:00:00,5-0800",
        "2024-03-31T00:00:00",
        "2024-03-31 10:00:00 Europe/Amsterdam",
        "2024-01-15T10:00 EST",
    ]
    rows = [f'c{i},A,"{s}"' for i, s in enumerate(stamps)]
    log = load(write(tmp_path, "log.csv", "\n".join([HEADER, *rows]) + "\n"))
    got = {e["case_id"]: (e["time_us"], e["offset_min"]) for e in events(log)}
    assert got == {
        "c0": (us("2024-03-31T00:30:00+00:00"), 60),
        "c1": (us("2024-03-31T01:30:00+00:00"), 120),
        "c2": (us("2024-03-31T00:30:00.250+00:00"), 330),
        "c3": (us("2024-03-31T03:30:00+00:00"), -210),
        "c4": (us("2024-03-31T00:00:00+00:00"), 0),
        "c5": (us("2024-03-31T09:00:00.5+00:00"), -480),
        "c6": (us("2024-03-31T00:00:00+00:00"), None),
        "c7": (us("2024-03-31T08:00:00+00:00"), 120),  # a zone name: its offset on that day
        "c8": (us("2024-01-15T15:00:00+00:00"), -300),
    }
    assert log.quality.first == "2024-01-15T15:00:00+00:00"
    assert log.quality.last == "2024-03-31T09:00:00.500000+00:00"


# --- 3. the fast and the exact CSV readers ------------------------------------------------------


TRICKY = (
    "case,activity,timestamp,resource,cost,note\n"
    '1,"A, then B",2024-01-01T10:00:00+01:00,ann,1.5,plain\n'
    '1,"say ""hi""",2024-01-01T11:00:00Z,,,"two\nlines"\n'
    '1,a"b,2024-01-01T12:00:00Z, bob ,2,\n'
    '2,"",2024-01-01T10:00:00Z,x,3,empty activity\n'
    "2,Ünïcødé ✓,2024-01-01T10:00:00.123456Z,x,x,bad cost\n"
    '2,"cr\rinside",2024-01-01T10:30:00Z,x,4,"\r\n"\n'
    "3,A\x00B,2024-01-01T10:00:00Z,x,5,nul\n"
    "3,Z,2024-01-01T10:00:00Z,x,5,no newline at the end"
)


def test_the_fast_and_the_exact_reader_keep_the_same_events(tmp_path: Path) -> None:
    fast_path = write(tmp_path, "fast.csv", TRICKY)
    exact_path = write(tmp_path, "exact.csv", TRICKY + "\n\n")  # a blank row: only the exact reader counts it
    assert csvlog._regular(fast_path, "utf-8") and not csvlog._regular(exact_path, "utf-8")
    fast, exact = load(fast_path), load(exact_path)
    assert events(fast) == events(exact)
    assert len(events(fast)) == 6
    assert {e["activity"] for e in events(fast)} >= {"A, then B", 'say "hi"', 'a"b', "cr\rinside", "A\x00B"}
    assert [i for i in exact.quality.rejected if i.code != "blank"] == list(fast.quality.rejected)
    assert issue(exact.quality, "blank").places == ("row 10",)


@dataclass(frozen=True)
class BigLog:
    regular: Path  # every row good: the fast reader reads it all
    irregular: Path  # the same with two bad rows near the end
    rows: int
    wide: int  # the row with a field too many
    bad_time: int


NOTE = "a long note in a column no field uses so that fewer rows fill an 8 MB block " * 3


def _big_rows(count: int, wide: int, bad_time: int) -> Iterator[str]:
    start = dt.datetime(2024, 1, 1, tzinfo=UTC)
    for row in range(2, count + 2):
        stamp = (start + dt.timedelta(seconds=row)).isoformat()
        case = f"case-{row // 7}"
        if row == wide:
            yield f"{case},act {row},{stamp},res,1,{NOTE},extra\n"
        elif row == bad_time:
            yield f"{case},act {row},soon,res,1,{NOTE}\n"
        elif row % 997 == 0:  # values over lines and with a delimiter: still one row
            yield f'{case},"act {row}\nsecond line, with a comma",{stamp},"res, team",{row % 13},"{NOTE}\n"\n'
        else:
            yield f"{case},act {row},{stamp},res {row % 17},{row % 13}.25,{NOTE}\n"


@pytest.fixture(scope="module")
def big_log(tmp_path_factory: pytest.TempPathFactory) -> BigLog:
    """Logs of three 8 MB blocks, one of them with two bad rows near its end."""
    count = 90_000
    wide, bad_time = count - 1_000, count - 500
    folder = tmp_path_factory.mktemp("big")
    paths = []
    for name, bad in (("regular.csv", (0, 0)), ("irregular.csv", (wide, bad_time))):
        path = folder / name
        with path.open("w", encoding="utf-8", newline="") as handle:
            handle.write("case,activity,timestamp,resource,cost,note\n")
            handle.writelines(_big_rows(count, *bad))
        assert path.stat().st_size > 2 * (8 << 20)
        paths.append(path)
    return BigLog(paths[0], paths[1], count, wide, bad_time)


def _exact_rows(path: Path, skip: int) -> list[tuple[int, str | None]]:
    header = csvlog.csv_header(path)
    wanted = detect(header).mapped()
    return [(row, v["activity"]) for row, v in csvlog._exact(path, header, wanted, "utf-8", ",", Rejects(), skip=skip)]


def test_the_fast_reader_numbers_rows_across_blocks_as_the_exact_one_does(big_log: BigLog) -> None:
    assert csvlog._regular(big_log.regular, "utf-8")
    header = csvlog.csv_header(big_log.regular)
    wanted = detect(header).mapped()
    batches = list(csvlog._fast(big_log.regular, header, wanted, "utf-8", ","))
    assert len(batches) >= 3
    fast = [(r["row"], r["activity"]) for b in batches for r in b.to_pylist()]
    assert fast == _exact_rows(big_log.regular, 0)
    assert fast[-1][0] == big_log.rows + 1


def test_the_exact_reader_resumes_after_the_rows_the_fast_one_gave(big_log: BigLog) -> None:
    # after the fast reader yielded `done` rows, the exact one skips that many kept rows
    full = _exact_rows(big_log.irregular, 0)
    assert len(full) == big_log.rows - 1  # the wide row is the exact reader's to reject
    header = csvlog.csv_header(big_log.regular)
    first_block = next(csvlog._fast(big_log.regular, header, detect(header).mapped(), "utf-8", ",")).num_rows
    for done in (1, 996, first_block, big_log.wide - 2, big_log.wide - 1, len(full)):
        assert _exact_rows(big_log.irregular, done) == full[done:], done


def test_rows_keep_their_numbers_in_a_big_log_with_bad_rows_late(big_log: BigLog, tmp_path: Path) -> None:
    assert csvlog._regular(big_log.irregular, "utf-8")  # it starts on the fast reader
    log = load(big_log.irregular, cache=tmp_path / "cache")
    q = log.quality
    assert q.rows == big_log.rows
    assert issue(q, "width.7").places == (f"row {big_log.wide}",)
    assert issue(q, "time.bad").places == (f"row {big_log.bad_time}, column `timestamp`",)
    balanced(q)
    table = pq.read_table(log.path, columns=["row", "activity", "time_us"])
    rows = table.column("row").to_pylist()
    numbers = [int(a.split()[1]) for a in table.column("activity").to_pylist()]
    assert rows == numbers  # each event's place is the row it was written at
    assert sorted(rows) == [r for r in range(2, big_log.rows + 2) if r not in (big_log.wide, big_log.bad_time)]
    start = us("2024-01-01T00:00:00+00:00")
    assert table.column("time_us").to_pylist() == [start + r * 1_000_000 for r in rows]

    exact_path = tmp_path / "exact.csv"
    exact_path.write_bytes(big_log.irregular.read_bytes() + b"\n")  # a blank row: the exact reader throughout
    assert not csvlog._regular(exact_path, "utf-8")
    exact = load(exact_path)
    assert pq.read_table(exact.path).equals(pq.read_table(log.path))
    assert issue(exact.quality, "blank").places == (f"row {big_log.rows + 2}",)


def test_a_big_regular_log_is_read_whole_by_the_fast_reader(big_log: BigLog, tmp_path: Path) -> None:
    log = load(big_log.regular, cache=tmp_path / "cache")
    assert (log.quality.rows, log.quality.events, log.quality.rejected) == (big_log.rows, big_log.rows, ())
    rows = pq.read_table(log.path, columns=["row"]).column("row").to_pylist()
    assert sorted(rows) == list(range(2, big_log.rows + 2))


# --- 4. generated logs against an independent reading ------------------------------------------

COLUMNS = ["case", "activity", "timestamp", "resource", "cost", "note"]
USED = COLUMNS[:5]  # `note` is in no field: its bytes never cost a row
BAD_BYTE = "\ue000"  # written as the byte 0xFF, which is never UTF-8

plain_text = st.text(st.characters(exclude_categories=("Cs", "Co")), max_size=12)
garbage_time = st.sampled_from(
    [
        "",
        "  ",
        "yesterday",
        "epoch",
        "infinity",
        "2024-13-01",
        "2024-02-30T10:00:00",
        "10:00",
        "1/2/2024",
        "2024-01-01T10:00:00 junk",
    ]
) | st.text(st.characters(exclude_categories=("Cs", "Co", "Nd")), max_size=8)


@st.composite
def iso_times(draw: st.DrawFn) -> str:
    moment = draw(st.datetimes(dt.datetime(1971, 1, 1), dt.datetime(2099, 12, 31)))
    text = moment.strftime("%Y-%m-%d") + draw(st.sampled_from("T ")) + moment.strftime("%H:%M")
    fraction = draw(st.sampled_from(["minutes", "", "ms", "us"]))
    if fraction != "minutes":
        text += f":{moment.second:02d}"
    if fraction == "ms":
        text += f".{moment.microsecond // 1000:03d}"
    elif fraction == "us":
        text += f".{moment.microsecond:06d}"
    zone = draw(st.sampled_from(["", "Z", "offset"]))
    if zone == "Z":
        text += "Z"
    elif zone == "offset":
        minutes = draw(st.integers(-14 * 4, 14 * 4)) * 15
        sign = "-" if minutes < 0 else "+"
        text += f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    return draw(st.sampled_from(["", " ", "\t"])) + text + draw(st.sampled_from(["", " ", "\r\n"]))


cells = {
    "case": st.sampled_from(["c1", "c2", " c1 ", "", " ", "\t", "c1\n", "\xa0c2"]) | plain_text,
    "activity": st.sampled_from(["A", "B", "a,b", 'say "hi"', "line\nbreak", "cr\rcr", "é"]) | plain_text,
    "timestamp": iso_times() | garbage_time,
    "resource": st.sampled_from(["", "r1", " r1", "R1"]) | plain_text,
    "cost": st.sampled_from(["", "1", "2.5", " -3 ", "1e3", "abc", "1,5", "nan", "inf", "12€"])
    | st.floats(allow_nan=False, allow_infinity=False).map(repr),
    "note": plain_text,
}


@st.composite
def records(draw: st.DrawFn) -> list[str] | str:
    """One row: a record of six fields (one may hold a bad byte), a wrong width, a blank or a copy."""
    kind = draw(st.sampled_from(["event"] * 6 + ["wide", "blank", "copy"]))
    if kind == "blank":
        return "blank"
    if kind == "copy":
        return "copy"
    if kind == "wide":
        return draw(st.lists(plain_text, min_size=1, max_size=8).filter(lambda r: len(r) != len(COLUMNS)))
    record = [draw(cells[name]) for name in COLUMNS]
    spoiled = draw(st.none() | st.sampled_from(range(len(COLUMNS))))
    if spoiled is not None and draw(st.integers(0, 3)) == 0:
        record[spoiled] += BAD_BYTE
    return record


def build(rows: list[list[str] | str], delimiter: str, crlf: bool) -> tuple[bytes, list[list[str] | None]]:
    """The file's bytes and each data row as written (None for a blank row).

    Rows end in CR LF with values quoted when they must be, or in LF with every value quoted
    (a writer ending rows in LF alone leaves a CR in a value bare, which breaks the row).
    """
    buffer = io.StringIO()
    newline = "\r\n" if crlf else "\n"
    if crlf:
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    else:
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline, quoting=csv.QUOTE_ALL)
    writer.writerow(COLUMNS)
    written: list[list[str] | None] = []
    for drawn in rows:
        row = drawn
        if drawn == "copy":
            earlier = [r for r in written if r is not None and len(r) == len(COLUMNS)]
            row = list(earlier[-1]) if earlier else "blank"
        if row == "blank":
            buffer.write(newline)
            written.append(None)
        else:
            assert isinstance(row, list)
            writer.writerow(row)
            written.append(row)
    return buffer.getvalue().encode("utf-8").replace(BAD_BYTE.encode("utf-8"), b"\xff"), written


def instant(text: str) -> tuple[int, int | None] | None:
    """(microseconds UTC, offset minutes) of an ISO timestamp; None when it is not one."""
    text = text.strip()
    if not text[:1].isdigit():
        return None
    try:
        moment = dt.datetime.fromisoformat(text.replace(",", "."))
    except ValueError:
        return None
    offset = moment.utcoffset()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    micros = (moment - dt.datetime(1970, 1, 1, tzinfo=UTC)) // dt.timedelta(microseconds=1)
    return micros, None if offset is None else int(offset.total_seconds() // 60)


def number(text: str) -> float | bool | None:
    """The cost: None when empty, False when not a finite number."""
    text = text.strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        return False
    return value if math.isfinite(value) else False


@dataclass
class Expected:
    kept: list[tuple[Any, ...]]
    rejected: dict[str, list[int]]
    late: list[int]  # rows earlier than an event before them in their case


def oracle(written: list[list[str] | None]) -> Expected:
    """Which rows a log of these rows keeps, worked out from the rows as written."""
    kept: list[tuple[Any, ...]] = []
    rejected: dict[str, list[int]] = {}
    seen: set[tuple[Any, ...]] = set()
    latest: dict[str, int] = {}
    late: list[int] = []

    def reject(code: str, row: int) -> None:
        rejected.setdefault(code, []).append(row)

    for row, record in enumerate(written, start=2):
        if record is None:
            reject("blank", row)
            continue
        if len(record) != len(COLUMNS):
            spans = any("\n" in v or "\r" in v for v in record)
            reject(f"width.{len(record)}{'.quote' if spans else ''}", row)
            continue
        if any(BAD_BYTE in record[COLUMNS.index(name)] for name in USED):
            reject("encoding", row)
            continue
        case, activity, stamp, resource, _, _ = (v.strip() for v in record)
        when = instant(record[2])
        price = number(record[4])
        if not case:
            reject("case.missing", row)
        elif not activity:
            reject("activity.missing", row)
        elif not stamp:
            reject("time.missing", row)
        elif when is None:
            reject("time.bad", row)
        elif price is False:
            reject("cost.bad", row)
        elif (key := (case, activity, when[0], resource or None)) in seen:
            reject("duplicate", row)
        else:
            seen.add(key)
            kept.append((row, case, activity, when[0], when[1], resource or None, price))
            if case in latest and when[0] < latest[case]:
                late.append(row)
            latest[case] = max(latest.get(case, when[0]), when[0])
    return Expected(kept, rejected, late)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rows=st.lists(records(), max_size=14), delimiter=st.sampled_from([",", ",", ";", "\t"]), crlf=st.booleans())
def test_generated_logs_keep_exactly_the_rows_an_independent_reading_keeps(
    rows: list[list[str] | str], delimiter: str, crlf: bool
) -> None:
    data, written = build(rows, delimiter, crlf)
    expected = oracle(written)
    with tempfile.TemporaryDirectory() as folder:
        path = write(Path(folder), "log.csv", data)
        try:
            log = load(path, delimiter=delimiter)
        except StageLineError as exc:
            assert not expected.kept, f"{exc}\nexpected {expected}"
            assert exc.problems[0].code == "data.empty"
            assert leftovers(Path(folder) / "cache") == []
            return
        table = events(log)
        q = log.quality
    got = [
        (e["row"], e["case_id"], e["activity"], e["time_us"], e["offset_min"], e["resource"], e["cost"]) for e in table
    ]
    assert got == sorted(expected.kept, key=lambda k: (k[1], k[3], k[0]))
    assert q.rows == len(written) == q.events + q.rejected_rows
    found: dict[str, list[str]] = {}
    counts: Counter[str] = Counter()
    for i in q.rejected:
        code = "encoding" if i.code.startswith("encoding.") else i.code
        found.setdefault(code, []).extend(i.places)
        counts[code] += i.count
    assert counts == Counter({code: len(r) for code, r in expected.rejected.items()})
    column = {"case.missing": "case", "activity.missing": "activity", "time.missing": "timestamp"}
    column |= {"time.bad": "timestamp", "cost.bad": "cost", "duplicate": "activity"}
    for code, places in found.items():
        if code == "encoding":  # one issue per column: each lists its first rows
            assert all(p.split(",")[0] in {f"row {r}" for r in expected.rejected[code]} for p in places)
            continue
        first = expected.rejected[code][:5]
        named = [f"row {r}, column `{column[code]}`" if code in column else f"row {r}" for r in first]
        assert places == named
    late = [i for i in q.notes if i.code == "order"]
    assert (late[0].count if late else 0) == len(expected.late)


# --- 5. Parquet ---------------------------------------------------------------------------------


def test_the_receipt_log_imports_whole() -> None:
    log_path = LOGS / "receipt.parquet"
    if not log_path.exists():
        pytest.skip(f"{log_path} is not here (the shared event logs sit beside the project)")
    with tempfile.TemporaryDirectory() as folder:
        log = import_log(log_path, cache=Path(folder))
        q = log.quality
        assert (q.format, q.rows, q.events, q.cases, q.rejected) == ("parquet", 8577, 8577, 1434, ())
        assert q.columns == {
            "case": "case:concept:name",
            "activity": "concept:name",
            "time": "time:timestamp",
            "lifecycle": "lifecycle:transition",
            "resource": "org:resource",
        }
        first = pq.read_table(log.path).slice(0, 1).to_pylist()[0]
        source = pq.read_table(log_path).slice(0, 1).to_pylist()[0]
    # the milliseconds survive; the column has no zone, so neither has the event
    assert first["row"] == 1 and first["case_id"] == source["case:concept:name"] == "case-10011"
    assert first["time_us"] == us(source["time:timestamp"].isoformat())
    assert first["time_us"] % 1_000_000 == 276_000
    assert first["offset_min"] is None
    assert issue(q, "offset.none").count == 8577


def parquet(folder: Path, name: str, table: pa.Table) -> Path:
    path = folder / name
    pq.write_table(table, path)
    return path


def test_zoned_parquet_timestamps_keep_each_events_offset(tmp_path: Path) -> None:
    moments = [dt.datetime(2024, 1, 1, 9, 0, tzinfo=UTC), dt.datetime(2024, 7, 1, 9, 0, 0, 500_000, tzinfo=UTC)]
    for zone, offsets in (("Europe/Amsterdam", [60, 120]), ("+05:30", [330, 330]), ("UTC", [0, 0])):
        table = pa.table(
            {
                "case_id": ["1", "1"],
                "activity": ["A", "B"],
                "timestamp": pa.array(moments, pa.timestamp("us", zone)),
            }
        )
        log = load(parquet(tmp_path, "zoned.parquet", table))
        assert [(e["time_us"], e["offset_min"]) for e in events(log)] == [
            (us("2024-01-01T09:00:00+00:00"), offsets[0]),
            (us("2024-07-01T09:00:00.5+00:00"), offsets[1]),
        ], zone


def test_naive_parquet_timestamps_of_every_unit_are_read_as_utc(tmp_path: Path) -> None:
    moment = dt.datetime(2024, 1, 1, 9, 0, 0, 123_456)
    for unit, micros in (("s", 0), ("ms", 123_000), ("us", 123_456), ("ns", 123_456)):
        table = pa.table({"case": ["1"], "activity": ["A"], "time": pa.array([moment], pa.timestamp(unit))})
        (event,) = events(load(parquet(tmp_path, "naive.parquet", table)))
        assert event["time_us"] == us("2024-01-01T09:00:00+00:00") + micros, unit
        assert event["offset_min"] is None


def test_parquet_dictionary_strings_numbers_and_nulls(tmp_path: Path) -> None:
    table = pa.table(
        {
            "case": pa.array(["1", "1", None, "2"]).dictionary_encode(),
            "activity": pa.array(["A", "B", "A", "A"]).dictionary_encode(),
            "timestamp": pa.array(["2024-01-01T10:00:00+01:00", "2024-01-01T11:00:00+01:00", "2024-01-01", None]),
            "cost": pa.array([1, 2, 3, None], pa.int32()),
            "resource": pa.array(["x", None, "y", "z"], pa.large_string()),
        }
    )
    log = load(parquet(tmp_path, "dict.parquet", table))
    assert [(e["case_id"], e["activity"], e["cost"], e["resource"]) for e in events(log)] == [
        ("1", "A", 1.0, "x"),
        ("1", "B", 2.0, None),
    ]
    assert issue(log.quality, "case.missing").places == ("row 3",)
    assert issue(log.quality, "time.missing").places == ("row 4",)
    balanced(log.quality)


def test_a_parquet_log_without_the_needed_columns_names_those_it_has(tmp_path: Path) -> None:
    path = parquet(tmp_path, "cols.parquet", pa.table({"case": ["1"], "when": ["2024-01-01"]}))
    with pytest.raises(DataError) as exc:
        load(path)
    messages = [p.message for p in exc.value.problems]
    assert messages == [
        "no column for the activity: give `--activity COLUMN`",
        "no column for the time: give `--time COLUMN`",
    ]
    assert all(p.hint == "the log's columns are `case`, `when`" for p in exc.value.problems)
    assert all(p.location.file == str(path) for p in exc.value.problems)


def test_parquet_columns_that_are_not_text_are_named(tmp_path: Path) -> None:
    nested = pa.table({"case": [[1], [2]], "activity": ["A", "B"], "timestamp": ["2024-01-01", "2024-01-02"]})
    with pytest.raises(DataError, match=r"column `case` for the case holds list<element: int64>"):
        load(parquet(tmp_path, "nested.parquet", nested))
    binary = pa.table(
        {"case": pa.array([b"1", b"\xff"], pa.binary()), "activity": ["A", "B"], "timestamp": ["2024-01-01"] * 2}
    )
    with pytest.raises(DataError, match=r"column `case` for the case cannot be read as text between rows 1 and 2"):
        load(parquet(tmp_path, "binary.parquet", binary))
    assert leftovers(tmp_path / "cache") == []


def test_a_parquet_file_damaged_inside_is_a_source_error(tmp_path: Path) -> None:
    table = pa.table(
        {"case": [str(i // 3) for i in range(30_000)], "activity": ["A"] * 30_000, "time": ["2024-01-01"] * 30_000}
    )
    good = parquet(tmp_path, "good.parquet", table).read_bytes()
    damaged = bytearray(good)
    for i in range(40, 140):  # the first data page's header
        damaged[i] ^= 0x55
    path = write(tmp_path, "damaged.parquet", bytes(damaged))
    with pytest.raises(SourceError) as exc:
        load(path)
    assert exc.value.problems[0].location.file == str(path)
    assert "cannot read the file as Parquet" in str(exc.value)
    assert leftovers(tmp_path / "cache") == []


# --- 6. the cache -------------------------------------------------------------------------------


def test_a_second_import_is_served_from_the_cache(tmp_path: Path) -> None:
    path = write(tmp_path, "log.csv", f"{HEADER}\n1,A,2024-01-01T10:00:00Z\n1,B,never\n")
    cache = tmp_path / "cache"
    first = import_log(path, cache=cache)
    made = first.path.stat()
    second = import_log(path, cache=cache)
    assert second.path == first.path and second.quality == first.quality and second.columns == first.columns
    assert second.path.stat().st_ino == made.st_ino and second.path.stat().st_mtime_ns == made.st_mtime_ns
    again = import_log(path, cache=cache, refresh=True)
    assert again.quality == first.quality
    assert again.path.stat().st_ino != made.st_ino  # written anew
    assert sorted(p.suffix for p in cache.iterdir()) == [".json", ".parquet", ".parquet"]  # events, rejected rows


def test_a_changed_log_is_imported_again(tmp_path: Path) -> None:
    path = write(tmp_path, "log.csv", f"{HEADER}\n1,A,2024-01-01T10:00:00Z\n")
    cache = tmp_path / "cache"
    first = import_log(path, cache=cache)
    with path.open("a", encoding="utf-8") as handle:
        handle.write("1,B,2024-01-01T11:00:00Z\n")
    grown = import_log(path, cache=cache)
    assert (first.quality.events, grown.quality.events) == (1, 2)
    path.write_text(f"{HEADER}\n1,C,2024-01-01T10:00:00Z\n1,D,2024-01-01T11:00:00Z\n", encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))  # the same size, later
    touched = import_log(path, cache=cache)
    assert [e["activity"] for e in events(touched)] == ["C", "D"]
    other_mapping = import_log(path, Columns(case="case"), cache=cache)
    assert other_mapping.path != touched.path and other_mapping.quality == touched.quality


def test_a_damaged_cache_report_is_imported_again(tmp_path: Path) -> None:
    path = write(tmp_path, "log.csv", f"{HEADER}\n1,A,2024-01-01T10:00:00Z\n")
    first = import_log(path, cache=tmp_path / "cache")
    first.path.with_suffix(".json").write_text("{not json", encoding="utf-8")
    assert import_log(path, cache=tmp_path / "cache").quality == first.quality


@pytest.mark.parametrize(
    ("content", "options"),
    [
        (f"{HEADER}\n1,A,never\n", {}),
        (f"{HEADER}\n", {}),
        ("case,what,timestamp\n1,A,2024-01-01\n", {}),
        (f"{HEADER}\n1,A,2024-01-01\n", {"columns": Columns(time_format="%Y-%Q")}),
        (f"{HEADER}\n1,A,2024-01-01\n", {"encoding": "klingon"}),
    ],
)
def test_a_failed_import_leaves_nothing_in_the_cache(tmp_path: Path, content: str, options: dict[str, Any]) -> None:
    path = write(tmp_path, "log.csv", content)
    cache = tmp_path / "cache"
    with pytest.raises(DataError):
        import_log(path, cache=cache, **options)
    assert leftovers(cache) == []


def test_a_failed_refresh_keeps_no_temporary_files(tmp_path: Path) -> None:
    path = write(tmp_path, "log.csv", f"{HEADER}\n1,A,2024-01-01T10:00:00Z\n")
    cache = tmp_path / "cache"
    import_log(path, cache=cache)
    before = leftovers(cache)
    stat = path.stat()
    path.write_text(f"{HEADER}\n1,A,2024-01-01T10:xx:00Z\n", encoding="utf-8")  # the same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # and the same time: the same key
    with pytest.raises(DataError):
        import_log(path, cache=cache, refresh=True)
    assert leftovers(cache) == before  # no .raw- or .events- file stays


def test_a_cache_folder_that_is_a_file_is_a_source_error(tmp_path: Path) -> None:
    path = write(tmp_path, "log.csv", f"{HEADER}\n1,A,2024-01-01T10:00:00Z\n")
    blocker = write(tmp_path, "blocker", "")
    with pytest.raises(SourceError) as exc:
        import_log(path, cache=blocker / "cache")
    assert exc.value.problems[0].code == "source.write"


# --- 7. files that cannot be read --------------------------------------------------------------


@pytest.mark.parametrize("name", ["missing.csv", "missing.tsv", "missing.xes", "missing.xes.gz", "missing.parquet"])
def test_a_missing_file_is_a_located_source_error(tmp_path: Path, name: str) -> None:
    with pytest.raises(SourceError) as exc:
        load(tmp_path / name)
    assert str(exc.value) == f"{tmp_path / name}: error: no such file"


@pytest.mark.parametrize("name", ["folder.csv", "folder.parquet", "folder.xes"])
def test_a_folder_is_a_located_source_error(tmp_path: Path, name: str) -> None:
    (tmp_path / name).mkdir()
    with pytest.raises(SourceError) as exc:
        load(tmp_path / name)
    assert str(exc.value) == f"{tmp_path / name}: error: is a folder, not a file"


def test_an_unknown_extension_is_a_data_error_naming_the_formats(tmp_path: Path) -> None:
    path = write(tmp_path, "log.xlsx", b"PK\x03\x04")
    with pytest.raises(DataError) as exc:
        load(path)
    (problem,) = exc.value.problems
    assert problem.location.file == str(path)
    assert problem.hint == "expected .csv, .tsv, .xes, .xes.gz or .parquet"


def test_a_file_that_is_not_parquet_is_a_source_error(tmp_path: Path) -> None:
    path = write(tmp_path, "log.parquet", f"{HEADER}\n1,A,2024-01-01\n")
    with pytest.raises(SourceError, match="cannot read the file as Parquet"):
        load(path)


def test_every_rejected_row_is_listed(tmp_path: Path) -> None:
    from stageline.data.importer import rejected_rows

    path = tmp_path / "log.csv"
    path.write_bytes(
        b"case,activity,time,cost\n1,a,2020-01-01T10:00:00Z,3\n1,b,2020-01-02,x\n2,x\n"
        b"3,\xe9t\xe9,2020-01-04,1\n3,q,notatime,\n,q,2020-01-01,\n"
    )
    log = import_log(path, cache=tmp_path / "cache")
    rows = rejected_rows(log)
    assert len(rows) == log.quality.rejected_rows == 5
    assert rows == [
        ("row 3", "the cost is not a finite number", "cost"),
        ("row 4", "has 2 fields, the header has 4", ""),
        (
            "row 5",
            "column `activity` is not utf-8 text (give the file's encoding, e.g. `--encoding cp1252`)",
            "activity",
        ),
        ("row 6", "the timestamp cannot be read", "time"),
        ("row 7", "no case id", "case"),
    ]
    again = import_log(path, cache=tmp_path / "cache")  # from the cache: the list is kept too
    assert rejected_rows(again) == rows


def test_a_space_before_the_offset_is_read(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "log.csv"
    path.write_text(
        "case,activity,time\n1,a,2024-03-04 09:00:00 +0100\n1,b,2024-03-04 10:00 -02:30\n", encoding="utf-8"
    )
    log = import_log(path, cache=tmp_path / "cache")
    assert not log.quality.rejected
    rows = pq.read_table(log.path).select(["time_us", "offset_min"]).to_pylist()
    assert rows == [
        {"time_us": 1_709_539_200_000_000, "offset_min": 60},  # 08:00 UTC
        {"time_us": 1_709_555_400_000_000, "offset_min": -150},  # 12:30 UTC
    ]


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(1, 7), min_size=1, max_size=12),
    batch=st.integers(1, 9),
)
def test_events_are_numbered_within_their_case_across_batches(sizes: list[int], batch: int) -> None:
    """Positions in a case come from one pass over the sorted file, a batch at a time."""
    from stageline.data.importer import number_in_case

    cases = [f"c{i:03d}" for i, n in enumerate(sizes) for _ in range(n)]
    expected = [k + 1 for n in sizes for k in range(n)]
    with tempfile.TemporaryDirectory() as folder:
        source, target = Path(folder) / "sorted.parquet", Path(folder) / "numbered.parquet"
        pq.write_table(pa.table({"case_id": cases, "ord": list(range(len(cases)))}), source, row_group_size=batch)
        number_in_case(source, target, batch=batch)
        table = pq.read_table(target)
    assert table.column("seq").to_pylist() == expected
    assert table.column("case_id").to_pylist() == cases
    assert table.schema.field("seq").type == pa.int32()
