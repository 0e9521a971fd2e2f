"""Figures of a blueprint measured from event logs or predicted by simulation, in one shape."""

from stageline.metrics.io import dumps_metrics, load_metrics, loads_metrics
from stageline.metrics.shape import (
    ActionFigures,
    Activity,
    Breaches,
    Conformance,
    Count,
    FlowFigures,
    Handoff,
    Metrics,
    RoleFigures,
    Satisfaction,
    ServiceFigures,
    Spread,
    StageFigures,
    Transition,
    Week,
    Word,
)

__all__ = [
    "ActionFigures",
    "Activity",
    "Breaches",
    "Conformance",
    "Count",
    "FlowFigures",
    "Handoff",
    "Metrics",
    "RoleFigures",
    "Satisfaction",
    "ServiceFigures",
    "Spread",
    "StageFigures",
    "Transition",
    "Week",
    "Word",
    "dumps_metrics",
    "load_metrics",
    "loads_metrics",
]
