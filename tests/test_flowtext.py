"""The one-line flow syntax."""

from __future__ import annotations

import pytest

from stageline.formats.flowtext import FlowSyntaxError, format_flow, parse_flow
from stageline.model import Flow, FlowKind


def test_arrows() -> None:
    assert [f.kind for f in parse_flow("a -> b")] == [FlowKind.DEPENDENCY]
    assert [f.kind for f in parse_flow("a <-> b")] == [FlowKind.CODEPENDENCY]
    assert [f.kind for f in parse_flow("a ~> b")] == [FlowKind.INFORMATION]
    assert [f.kind for f in parse_flow("a=>b")] == [FlowKind.HANDOFF]


def test_probability_and_label() -> None:
    (f,) = parse_flow("review.backstage -> reject.frontstage [15%]: incomplete: missing payslip")
    assert f == Flow(
        source="review.backstage", target="reject.frontstage", probability=0.15, label="incomplete: missing payslip"
    )
    assert parse_flow("a -> b [0.4]")[0].probability == 0.4


def test_chain() -> None:
    flows = parse_flow("a -> b => c: same label")
    assert [(f.source, f.target, f.kind) for f in flows] == [
        ("a", "b", FlowKind.DEPENDENCY),
        ("b", "c", FlowKind.HANDOFF),
    ]
    assert {f.label for f in flows} == {"same label"}


def test_ids_with_dashes_and_dots() -> None:
    (f,) = parse_flow("pre-check.back-stage.2->x")
    assert (f.source, f.target) == ("pre-check.back-stage.2", "x")


@pytest.mark.parametrize("text", ["a", "a ->", "-> b", "a --> b", "a -> b [150%]", "a b -> c", "a -> b [x]"])
def test_refused(text: str) -> None:
    with pytest.raises(FlowSyntaxError):
        parse_flow(text)


def test_format_reads_back() -> None:
    for text in ["a -> b", "a <-> b [30%]", "a ~> b: why", "a => b [12.5%]: handoff to the back office"]:
        (f,) = parse_flow(text)
        assert format_flow(f) == text
