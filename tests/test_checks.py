"""Each built-in check fires where it should, and stays quiet where it must."""

from __future__ import annotations

import pytest

from tests.helpers import problems_of

BASE = """\
stageline: 1
title: Checks
segments: [Regulars]
roles: [Barista]
phases: [Order, Receive]
steps:
  - id: order
    phase: order
    evidence: Menu
    customer: {label: Orders, emotion: 1, segments: [regulars]}
    frontstage: {label: Takes order, role: barista, channel: in-person}
    backstage: Makes drink
  - id: collect
    phase: receive
    customer: Collects
flows:
  - order.customer -> order.frontstage
  - order.frontstage => order.backstage
  - order.backstage -> collect.customer
"""


def codes(text: str) -> list[str]:
    return [p.code for p in problems_of(text)]


def test_the_base_is_clean() -> None:
    assert codes(BASE) == []


CASES = [
    # (code, change to BASE as (old, new))
    ("ids.duplicate", ("  - id: collect", "  - id: order")),
    ("steps.phase", ("    phase: receive", "    phase: recieve")),
    ("steps.no-phase", ("    phase: receive\n", "")),
    ("steps.phase-split", ("phases: [Order, Receive]", "phases: [Order, Receive]\n")),
    ("phases.empty", ("phases: [Order, Receive]", "phases: [Order, Receive, Follow up]")),
    ("steps.empty", ("    customer: Collects\n", "")),
    ("actions.segment", ("segments: [regulars]", "segments: [regular]")),
    ("actions.role", ("role: barista", "role: baristo")),
    ("actions.channel", ("channel: in-person", "channel: pigeon")),
    ("actions.emotion", ("{label: Takes order,", "{label: Takes order, emotion: 1,")),
    ("actions.evidence", ("    evidence: Menu", "    evidence: {label: Menu, duration: 1 min}")),
    ("flows.unknown", ("  - order.backstage -> collect.customer", "  - order.backstage -> collect.frontstage")),
    ("flows.evidence", ("  - order.backstage -> collect.customer", "  - order.evidence -> collect.customer")),
    ("flows.self", ("  - order.backstage -> collect.customer", "  - order.backstage -> order.backstage")),
    (
        "flows.duplicate",
        (
            "  - order.backstage -> collect.customer",
            "  - order.backstage -> collect.customer\n  - order.backstage -> collect.customer",
        ),
    ),
    (
        "flows.probability",
        (
            "  - order.backstage -> collect.customer",
            "  - order.backstage -> collect.customer [60%]\n  - order.backstage -> order.customer [50%]",
        ),
    ),
    ("rows.unknown", ("    customer: Collects", "    customer: Collects\n    rows: {policy: No refunds}")),
    ("rows.after", ("roles: [Barista]", "roles: [Barista]\nrows: [{name: Policy, after: nowhere}]")),
    ("ids.reserved", ("roles: [Barista]", "roles: [Barista]\nrows: [{id: customer, name: Policy}]")),
    ("lines.below", ("roles: [Barista]", "roles: [Barista]\nlines: {order_penetration: basement}")),
    (
        "lines.order",
        (
            "roles: [Barista]",
            "roles: [Barista]\nrows: [{name: Prep, after: support}]\nlines: {order_penetration: prep, implementation: support}",
        ),
    ),
    ("views.unknown", ("roles: [Barista]", "roles: [Barista]\nviews: [{name: V, phases: [ordr]}]")),
    ("views.role", ("roles: [Barista]", "roles: [Barista]\nviews: [{name: V, highlight: [cook]}]")),
    ("views.tag", ("roles: [Barista]", "roles: [Barista]\nviews: [{name: V, tags: [vip]}]")),
    ("styles.unused", ("roles: [Barista]", "roles: [Barista]\nstyles: {vip: {fill: '#ffeeee'}}")),
]


@pytest.mark.parametrize(("code", "change"), CASES, ids=[c[0] for c in CASES])
def test_check_fires(code: str, change: tuple[str, str]) -> None:
    old, new = change
    assert old in BASE
    text = BASE.replace(old, new, 1)
    if code == "steps.phase-split":
        text = text.replace(
            "  - id: collect\n    phase: receive\n    customer: Collects\n",
            "  - id: collect\n    phase: receive\n    customer: Collects\n  - id: again\n    phase: order\n    customer: Orders again\n",
        )
    found = codes(text)
    assert code in found, found


def test_phase_order_is_warned() -> None:
    text = BASE.replace("phases: [Order, Receive]", "phases: [Receive, Order]")
    assert codes(text) == ["steps.phase-order"]


def test_declared_roles_match_by_id_or_name() -> None:
    assert codes(BASE.replace("role: barista", "role: Barista")) == []


def test_undeclared_roles_are_fine_when_none_are_declared() -> None:
    assert codes(BASE.replace("roles: [Barista]\n", "")) == []


def test_probabilities_up_to_one_are_fine() -> None:
    text = BASE.replace(
        "  - order.backstage -> collect.customer",
        "  - order.backstage -> collect.customer [60%]\n  - order.backstage -> order.customer [0.4]",
    )
    assert codes(text) == []


def test_tagged_styles_and_views_are_fine() -> None:
    text = BASE.replace("Makes drink", "{label: Makes drink, tags: [vip]}").replace(
        "roles: [Barista]",
        "roles: [Barista]\nviews: [{name: V, tags: [vip], highlight: [barista], phases: [order]}]\nstyles: {vip: {fill: '#fee'}}",
    )
    assert codes(text) == []


def test_rows_and_lines_that_resolve_are_fine() -> None:
    text = BASE.replace(
        "roles: [Barista]",
        "roles: [Barista]\nrows: [{name: Prep, after: support}, Policy]\nlines: {order_penetration: true, implementation: prep}",
    ).replace("    customer: Collects", "    customer: Collects\n    rows: {policy: No refunds, prep: [Grind beans]}")
    assert codes(text) == []


def test_check_problems_point_at_the_offending_value() -> None:
    (p,) = problems_of(BASE.replace("segments: [regulars]", "segments: [regular]"))
    assert (p.location.line, p.location.column) == (10, 54)
    assert p.pointer == "/steps/0/customer/segments/0"
