"""The figures behind `stageline show`, checked against counts made by hand."""

from __future__ import annotations

import stageline
from stageline import FlowKind, Lane, LineKind

TEXT = """\
stageline: 1
title: Hand-counted
phases: [One, Two]
steps:
  - id: a
    phase: one
    evidence: Sign
    customer: {label: Asks, role: customer}
    frontstage: {label: Answers, role: agent}
    backstage: {label: Looks up, role: clerk, fail_point: {cause: wrong record}}
    support: CRM
  - id: b
    phase: two
    customer: Leaves
flows:
  - a.customer <-> a.frontstage    # crosses interaction; role change
  - a.frontstage -> a.backstage    # crosses visibility; role change
  - a.backstage ~> a.support       # crosses internal
  - a.support => b.customer        # crosses interaction, visibility, internal; handoff
  - a.frontstage -> b.customer     # crosses interaction
"""


def test_counts() -> None:
    s = stageline.summarise(stageline.loads(TEXT))
    assert (s.phases, s.steps, s.actions, s.flows, s.fail_points) == (2, 2, 6, 5, 1)
    assert s.actions_per_lane == {
        Lane.EVIDENCE: 1,
        Lane.CUSTOMER: 2,
        Lane.FRONTSTAGE: 1,
        Lane.BACKSTAGE: 1,
        Lane.SUPPORT: 1,
    }
    assert s.actions_per_phase == {"one": 5, "two": 1}
    assert s.flows_per_kind == {
        FlowKind.DEPENDENCY: 2,
        FlowKind.CODEPENDENCY: 1,
        FlowKind.INFORMATION: 1,
        FlowKind.HANDOFF: 1,
    }
    assert s.crossings == {LineKind.INTERACTION: 3, LineKind.VISIBILITY: 2, LineKind.INTERNAL: 2}
    # role changes: customer->agent, agent->clerk; marked: support => customer; the last flow
    # goes from agent to a customer action without a role
    assert s.handoffs == 3


def test_crossed_lines_of_one_flow() -> None:
    bp = stageline.loads(TEXT)
    flow = bp.flows[3]
    assert stageline.crossed_lines(bp, flow) == [LineKind.INTERACTION, LineKind.VISIBILITY, LineKind.INTERNAL]
    assert stageline.is_handoff(bp, flow)
