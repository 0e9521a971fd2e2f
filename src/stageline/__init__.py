"""Stageline: service blueprints as typed, computable models.

    import stageline
    bp = stageline.load("blueprint.yaml")          # every problem at once, located
    for action in bp.actions_in("order", stageline.Lane.CUSTOMER):
        print(action.id, action.label)

The public surface is listed in ``__all__``; everything else is internal.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from stageline.analysis import analyse
    from stageline.errors import (
        BlueprintError,
        DataError,
        Location,
        ParseError,
        Problem,
        RenderError,
        SettingsError,
        Severity,
        SimulationError,
        SourceError,
        StageLineError,
    )
    from stageline.formats import Document, dump, dumps, load, loads, read_document, read_path
    from stageline.formats.schema import json_schema
    from stageline.model import (
        Action,
        ActivityMatch,
        AnalysisSettings,
        Arrivals,
        Blueprint,
        Channel,
        Distribution,
        FailPoint,
        Flow,
        FlowKind,
        Kpi,
        Lane,
        LineKind,
        Link,
        Move,
        OptionalLine,
        Party,
        Phase,
        RateWindow,
        Resource,
        Row,
        RuleSetting,
        Scenario,
        Segment,
        Shift,
        SimAction,
        SimulationSettings,
        Source,
        Status,
        Step,
        Style,
        Suppression,
        Timing,
        View,
    )
    from stageline.summary import Summary, crossed_lines, is_handoff, summarise
    from stageline.validate import validate

__version__ = "0.1.0"

# The library is imported on first use, so that `stageline --help` does not pay for pydantic
# and ruamel.yaml.
_LAZY = {
    "BlueprintError": "stageline.errors",
    "DataError": "stageline.errors",
    "Location": "stageline.errors",
    "ParseError": "stageline.errors",
    "Problem": "stageline.errors",
    "RenderError": "stageline.errors",
    "SettingsError": "stageline.errors",
    "Severity": "stageline.errors",
    "SimulationError": "stageline.errors",
    "SourceError": "stageline.errors",
    "StageLineError": "stageline.errors",
    "Document": "stageline.formats",
    "dump": "stageline.formats",
    "dumps": "stageline.formats",
    "load": "stageline.formats",
    "loads": "stageline.formats",
    "read_document": "stageline.formats",
    "read_path": "stageline.formats",
    "json_schema": "stageline.formats.schema",
    "Action": "stageline.model",
    "Arrivals": "stageline.model",
    "Distribution": "stageline.model",
    "Move": "stageline.model",
    "RateWindow": "stageline.model",
    "Resource": "stageline.model",
    "Scenario": "stageline.model",
    "Shift": "stageline.model",
    "SimAction": "stageline.model",
    "SimulationSettings": "stageline.model",
    "ActivityMatch": "stageline.model",
    "AnalysisSettings": "stageline.model",
    "Blueprint": "stageline.model",
    "Channel": "stageline.model",
    "FailPoint": "stageline.model",
    "Flow": "stageline.model",
    "FlowKind": "stageline.model",
    "Kpi": "stageline.model",
    "Lane": "stageline.model",
    "LineKind": "stageline.model",
    "Link": "stageline.model",
    "OptionalLine": "stageline.model",
    "Party": "stageline.model",
    "Phase": "stageline.model",
    "Row": "stageline.model",
    "RuleSetting": "stageline.model",
    "Segment": "stageline.model",
    "Source": "stageline.model",
    "Status": "stageline.model",
    "Step": "stageline.model",
    "Style": "stageline.model",
    "Suppression": "stageline.model",
    "Timing": "stageline.model",
    "View": "stageline.model",
    "Summary": "stageline.summary",
    "crossed_lines": "stageline.summary",
    "is_handoff": "stageline.summary",
    "summarise": "stageline.summary",
    "validate": "stageline.validate",
    "analyse": "stageline.analysis",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'stageline' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


__all__ = [
    "Action",
    "ActivityMatch",
    "AnalysisSettings",
    "Arrivals",
    "Blueprint",
    "BlueprintError",
    "Channel",
    "DataError",
    "Distribution",
    "Document",
    "FailPoint",
    "Flow",
    "FlowKind",
    "Kpi",
    "Lane",
    "LineKind",
    "Link",
    "Location",
    "Move",
    "OptionalLine",
    "ParseError",
    "Party",
    "Phase",
    "Problem",
    "RateWindow",
    "RenderError",
    "Resource",
    "Row",
    "RuleSetting",
    "Scenario",
    "Segment",
    "SettingsError",
    "Severity",
    "Shift",
    "SimAction",
    "SimulationError",
    "SimulationSettings",
    "Source",
    "SourceError",
    "StageLineError",
    "Status",
    "Step",
    "Style",
    "Summary",
    "Suppression",
    "Timing",
    "View",
    "__version__",
    "analyse",
    "crossed_lines",
    "dump",
    "dumps",
    "is_handoff",
    "json_schema",
    "load",
    "loads",
    "read_document",
    "read_path",
    "summarise",
    "validate",
]
