"""Durations as people write them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stageline.model.timing import MAX_SECONDS, Timing, format_duration, format_timing, parse_duration, parse_timing


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("90 s", 90),
        ("90s", 90),
        ("5 min", 300),
        ("5 minutes", 300),
        ("1h 30m", 5400),
        ("1.5 h", 5400),
        ("2 days", 172800),
        ("1 w", 604800),
        ("PT5M", 300),
        ("P1DT2H", 93600),
        ("pt1h30m", 5400),
    ],
)
def test_parse(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    "text", ["", "5", "five min", "5 parsecs", "P", "PT", "1e400 s", "1e300 s", "101 w" * 60, "-5 min"]
)
def test_parse_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_unknown_unit_is_named() -> None:
    with pytest.raises(ValueError, match="unknown time unit `parsecs`"):
        parse_duration("5 parsecs")


@pytest.mark.parametrize(
    ("seconds", "text"), [(90, "90 s"), (300, "5 min"), (5400, "90 min"), (86400, "1 d"), (0.25, "0.25 s"), (0, "0 s")]
)
def test_format_prefers_whole_numbers(seconds: float, text: str) -> None:
    assert format_duration(seconds) == text


def test_timing_with_tolerance() -> None:
    assert parse_timing("3 min ± 1 min") == Timing(180, 60)
    assert parse_timing("3 min +- 30 s") == Timing(180, 30)
    assert parse_timing("3 min +/- 30 s").limit == 210
    assert format_timing(Timing(180, 60)) == "3 min ± 1 min"


@given(st.floats(min_value=0, max_value=MAX_SECONDS, allow_nan=False))
def test_format_reads_back_exactly(seconds: float) -> None:
    assert parse_duration(format_duration(seconds)) == seconds
