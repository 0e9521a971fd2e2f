"""Writing and reading back: equal blueprints, and comments that survive an edit."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings

import stageline
from stageline.model import Blueprint
from tests.strategies import blueprints

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _same(a: Blueprint, b: Blueprint) -> None:
    assert a == b


@SETTINGS
@given(blueprints())
def test_yaml_round_trip(bp: Blueprint) -> None:
    _same(stageline.loads(stageline.dumps(bp)), bp)


@SETTINGS
@given(blueprints())
def test_json_round_trip(bp: Blueprint) -> None:
    _same(stageline.loads(stageline.dumps(bp, format="json"), format="json"), bp)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blueprints(), blueprints())
def test_edit_merged_into_source_reads_back(first: Blueprint, second: Blueprint) -> None:
    """Writing a changed blueprint into the text of another gives exactly the changed one."""
    loaded = stageline.loads(stageline.dumps(first))
    edited = replace(second, source=loaded.source)
    _same(stageline.loads(stageline.dumps(edited)), second)


COMMENTED = """\
# Morning rush at the café
stageline: 1
title: Coffee to go   # working title
status: as-is         # explicit default kept
phases: [Arrive, Order]
steps:
  - id: enter
    phase: arrive
    customer: Walks in     # first impression
    evidence: [Storefront, Menu board]
  - id: order
    phase: order
    customer:
      label: Orders a drink
      wait: 5 minutes      # the queue
    frontstage: Barista takes the order
flows:
  - enter.customer -> order.customer
  - from: order.customer
    to: order.frontstage
"""


def test_unchanged_blueprint_is_written_back_byte_for_byte() -> None:
    bp = stageline.loads(COMMENTED)
    assert stageline.dumps(bp) == COMMENTED


def test_edit_keeps_comments_key_order_and_shorthand() -> None:
    bp = stageline.loads(COMMENTED)
    edited = replace(
        bp, title="Coffee to stay", actions=(*bp.actions[:-1], replace(bp.actions[-1], label="Barista greets"))
    )
    text = stageline.dumps(edited)
    title_line = next(line for line in text.splitlines() if line.startswith("title:"))
    assert title_line.startswith("title: Coffee to stay") and title_line.endswith("# working title")
    assert "# Morning rush at the café" in text
    assert "customer: Walks in     # first impression" in text
    assert "wait: 5 minutes      # the queue" in text  # same duration, same words
    assert "frontstage: Barista greets" in text
    assert "from: order.customer" in text  # the mapping form of the flow is kept
    assert text.index("title:") < text.index("status:") < text.index("phases:")
    assert stageline.loads(text) == edited


def test_removing_a_field_removes_it_from_the_text() -> None:
    bp = stageline.loads(COMMENTED)
    order_customer = bp.action("order.customer")
    assert order_customer is not None and order_customer.wait is not None
    actions = tuple(replace(a, wait=None) if a.id == "order.customer" else a for a in bp.actions)
    text = stageline.dumps(replace(bp, actions=actions))
    assert "wait:" not in text
    assert stageline.loads(text).action("order.customer").wait is None  # type: ignore[union-attr]


def test_json_written_from_yaml_is_plain_json() -> None:
    import json

    bp = stageline.loads(COMMENTED)
    data = json.loads(stageline.dumps(bp, format="json"))
    assert data["steps"][1]["customer"] == {"label": "Orders a drink", "wait": "5 min"}
    assert data["flows"] == ["enter.customer -> order.customer", "order.customer -> order.frontstage"]


def test_labelled_flows_need_no_quotes() -> None:
    text = "stageline: 1\ntitle: x\nsteps:\n  - id: a\n    customer: A\n    frontstage: B\nflows:\n  - a.customer -> a.frontstage [30%]: asks politely\n"
    bp = stageline.loads(text)
    assert bp.flows[0].label == "asks politely" and bp.flows[0].probability == 0.3
    assert stageline.dumps(bp) == text
    assert stageline.dumps(replace(bp, source=None)) == text


B = "stageline: 1\ntitle: T\nsteps:\n  - id: a\n    customer: x\n    frontstage: y\n    backstage: z\n"


@pytest.mark.parametrize(
    "flows",
    [
        "flows:\n  - a.customer -> a.frontstage -> a.backstage   # the chain\n  - a.backstage ~> a.customer   # info\n",
        "flows:\n  - a.customer -> a.frontstage -> a.backstage\n  - a.backstage ~> a.customer: done\n  # Section\n  - a.frontstage -> a.customer: back\n",
        "flows:\n  - a.customer -> a.frontstage -> a.backstage\n  - a.backstage ~> a.customer: done\n  - a.customer -> a.backstage\n  # Section\n  - a.frontstage -> a.customer\n",
    ],
)
def test_chains_and_comments_in_flows_are_kept(flows: str) -> None:
    text = B + flows
    assert stageline.dumps(stageline.loads(text)) == text


def test_editing_after_a_chain_keeps_the_chain() -> None:
    text = (
        B
        + "flows:\n  - a.customer -> a.frontstage -> a.backstage   # the chain\n  - a.backstage ~> a.customer   # info\n"
    )
    bp = stageline.loads(text)
    edited = replace(bp, flows=(*bp.flows[:2], replace(bp.flows[2], label="told")))
    out = stageline.dumps(edited)
    assert "  - a.customer -> a.frontstage -> a.backstage   # the chain\n" in out
    assert "a.backstage ~> a.customer: told" in out
    assert stageline.loads(out) == edited


def test_one_item_lists_and_their_comments_are_kept() -> None:
    text = (
        "stageline: 1\ntitle: T\nsteps:\n  - id: a\n    backstage:\n"
        "      - label: Checks stock   # nightly\n        duration: 5 min       # measured in 2025\n"
        "        kpis: [{name: Speed, target: 5, unit: min}]\n"
    )
    assert stageline.dumps(stageline.loads(text)) == text


def test_lines_written_as_true_stay_true() -> None:
    text = B + "rows: [Policies]\nlines: {order_penetration: true, implementation: true}\n"
    assert stageline.dumps(stageline.loads(text)) == text
    fresh = stageline.dumps(replace(stageline.loads(text), source=None))
    assert "  order_penetration: true\n  implementation: true\n" in fresh


def test_explicit_defaults_survive_an_edit_that_removes_other_keys() -> None:
    bp = stageline.loads(COMMENTED)
    actions = tuple(replace(a, wait=None) if a.id == "order.customer" else a for a in bp.actions)
    text = stageline.dumps(replace(bp, actions=actions))
    assert "status: as-is         # explicit default kept" in text
    assert "wait:" not in text
