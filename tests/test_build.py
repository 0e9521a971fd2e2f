"""From the written shorthand to the model: ids, names, durations, rows and lines."""

from __future__ import annotations

import stageline
from stageline import Lane, LineKind, Timing
from stageline.model import ActivityMatch, FailPoint, Kpi, Link, OptionalLine, Party, Phase, Row, Segment
from tests.helpers import one_error


def test_shorthand_expands_to_the_model() -> None:
    bp = stageline.loads(
        """\
stageline: 1
title: Shorthand
segments: [First-time visitors]
roles: [Barista, {id: mgr, name: Shift manager}]
phases: [Order, Follow up]
rows: [Policies & regulations]
lines: {order_penetration: true, implementation: true}
steps:
  - name: Order at the counter
    phase: order
    customer: Orders
    frontstage:
      - Greets
      - {id: pay, label: Takes payment, fail_point: Card declined, kpis: [Speed], activities: W_Pay}
      - label: Prints receipt
        duration: 20 s ± 5 s
        wait: {expected: 1 min, tolerance: 30 s}
        links: ['https://example.org/receipts']
    rows: {policies-regulations: Receipts on request}
  - id: follow-up
    phase: follow-up
    customer: {label: Rates the visit, segments: first-time-visitors, emotion: 1.5}
"""
    )
    assert bp.segments == (Segment(id="first-time-visitors", name="First-time visitors"),)
    assert bp.roles == (Party(id="barista", name="Barista"), Party(id="mgr", name="Shift manager"))
    assert bp.phases == (Phase(id="order", name="Order"), Phase(id="follow-up", name="Follow up"))
    assert bp.rows == (Row(id="policies-regulations", name="Policies & regulations"),)
    assert bp.lines == (
        OptionalLine(kind=LineKind.ORDER_PENETRATION, below="support"),
        OptionalLine(kind=LineKind.IMPLEMENTATION, below="policies-regulations"),
    )
    assert [s.id for s in bp.steps] == ["order-at-the-counter", "follow-up"]
    assert bp.steps[1].name == "Follow up"
    assert bp.steps[0].cells == (("policies-regulations", ("Receipts on request",)),)
    ids = [(a.id, a.lane) for a in bp.actions]
    assert ids == [
        ("order-at-the-counter.customer", Lane.CUSTOMER),
        ("order-at-the-counter.frontstage", Lane.FRONTSTAGE),
        ("pay", Lane.FRONTSTAGE),
        ("order-at-the-counter.frontstage.2", Lane.FRONTSTAGE),  # counted among the unnamed
        ("follow-up.customer", Lane.CUSTOMER),
    ]
    pay = bp.action("pay")
    assert pay is not None
    assert pay.fail_point == FailPoint(cause="Card declined")
    assert pay.kpis == (Kpi(name="Speed"),)
    assert pay.activities == (ActivityMatch(name="W_Pay"),)
    receipt = bp.action("order-at-the-counter.frontstage.2")
    assert receipt is not None
    assert receipt.duration == Timing(20, 5) and receipt.wait == Timing(60, 30)
    assert receipt.links == (Link(url="https://example.org/receipts"),)
    rating = bp.action("follow-up.customer")
    assert rating is not None and rating.segments == ("first-time-visitors",) and rating.emotion == 1.5


def test_numbers_are_read_as_text_where_text_is_expected() -> None:
    bp = stageline.loads("stageline: 1\ntitle: 404\nversion: 2\nsteps:\n  - id: a\n    customer: 42\n")
    assert (bp.title, bp.version, bp.actions[0].label) == ("404", "2", "42")


def test_bad_id() -> None:
    p = one_error("stageline: 1\ntitle: x\nsteps:\n  - id: Order Step\n    customer: A\n")
    assert p.message == "`Order Step` is not a valid id: use lower-case letters, digits, `-`, `_` and `.`"
    assert p.hint == "try `order-step`"


def test_a_name_without_letters_needs_an_id() -> None:
    p = one_error("stageline: 1\ntitle: x\nsteps:\n  - name: '!!!'\n    customer: A\n")
    assert "give it an `id`" in p.message


def test_activity_needs_one_matcher_and_a_valid_regex() -> None:
    text = "stageline: 1\ntitle: x\nsteps:\n  - id: a\n    customer:\n      label: A\n      activities: [{regex: '(unclosed'}]\n"
    p = one_error(text)
    assert p.code == "value.regex" and p.location.line == 7


def test_one_item_may_stand_without_its_list_and_empty_keys_are_empty() -> None:
    bp = stageline.loads(
        """\
stageline: 1
title: Singles
segments: Regulars
roles: Barista
systems: POS
phases: Order
rows: Policies
steps:
  id: a
  phase: order
  customer: {label: Orders, kpis: Speed, links: 'https://example.org', segments: regulars}
  frontstage: {label: Takes order, role: barista, system: pos}
flows: a.customer -> a.frontstage
views: {name: Journey, lanes: customer}
notes:
links:
"""
    )
    assert [s.id for s in bp.segments] == ["regulars"] and [p.id for p in bp.phases] == ["order"]
    assert [s.id for s in bp.steps] == ["a"] and len(bp.flows) == 1 and bp.views[0].lanes == (Lane.CUSTOMER,)
    assert bp.action("a.customer").kpis == (Kpi(name="Speed"),)  # type: ignore[union-attr]
    assert bp.notes == () and bp.links == ()
    assert stageline.dumps(bp) == bp.source.text  # type: ignore[union-attr]
