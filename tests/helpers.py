"""Small helpers shared by the tests."""

from __future__ import annotations

import pytest

import stageline
from stageline.errors import Problem, StageLineError


def problems_of(text: str, *, format: str = "yaml", file: str = "bp.yaml") -> list[Problem]:
    """Every problem (errors and warnings) Stageline reports for ``text``."""
    try:
        return stageline.read_document(text, file=file, format=format).problems
    except StageLineError as exc:
        return exc.problems


def one_error(text: str, **kwargs: str) -> Problem:
    found = [p for p in problems_of(text, **kwargs) if p.severity.value == "error"]
    assert len(found) == 1, found
    return found[0]


def raises(text: str | bytes, **kwargs: str) -> StageLineError:
    with pytest.raises(StageLineError) as info:
        stageline.loads(text, **kwargs)
    return info.value
