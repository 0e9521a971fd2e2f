"""The typed blueprint model (pure: no I/O)."""

from stageline.model.blueprint import (
    Action,
    ActivityMatch,
    Blueprint,
    FailPoint,
    Flow,
    Kpi,
    Link,
    OptionalLine,
    Party,
    Phase,
    Row,
    Segment,
    Source,
    Step,
    Style,
    View,
)
from stageline.model.ids import derived_action_id, slugify
from stageline.model.timing import Timing, format_duration, parse_duration
from stageline.model.vocabulary import Channel, FlowKind, Lane, LineKind, Status

__all__ = [
    "Action",
    "ActivityMatch",
    "Blueprint",
    "Channel",
    "FailPoint",
    "Flow",
    "FlowKind",
    "Kpi",
    "Lane",
    "LineKind",
    "Link",
    "OptionalLine",
    "Party",
    "Phase",
    "Row",
    "Segment",
    "Source",
    "Status",
    "Step",
    "Style",
    "Timing",
    "View",
    "derived_action_id",
    "format_duration",
    "parse_duration",
    "slugify",
]
