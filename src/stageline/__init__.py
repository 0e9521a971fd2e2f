"""Stageline: service blueprints as typed, computable models.

    >>> import stageline
    >>> bp = stageline.load("examples/cafe.yaml")
    >>> [a.label for a in bp.actions_in("order", stageline.Lane.CUSTOMER)]

The public surface is listed in ``__all__``; everything else is internal.
"""

from stageline.errors import (
    BlueprintError,
    Location,
    ParseError,
    Problem,
    Severity,
    SourceError,
    StageLineError,
)
from stageline.formats import Document, dump, dumps, load, loads, read_document, read_path
from stageline.formats.schema import json_schema
from stageline.model import (
    Action,
    ActivityMatch,
    Blueprint,
    Channel,
    FailPoint,
    Flow,
    FlowKind,
    Kpi,
    Lane,
    LineKind,
    Link,
    OptionalLine,
    Party,
    Phase,
    Row,
    Segment,
    Source,
    Status,
    Step,
    Style,
    Timing,
    View,
)
from stageline.summary import Summary, crossed_lines, is_handoff, summarise
from stageline.validate import validate

__version__ = "0.1.0"

__all__ = [
    "Action",
    "ActivityMatch",
    "Blueprint",
    "BlueprintError",
    "Channel",
    "Document",
    "FailPoint",
    "Flow",
    "FlowKind",
    "Kpi",
    "Lane",
    "LineKind",
    "Link",
    "Location",
    "OptionalLine",
    "ParseError",
    "Party",
    "Phase",
    "Problem",
    "Row",
    "Segment",
    "Severity",
    "Source",
    "SourceError",
    "StageLineError",
    "Status",
    "Step",
    "Style",
    "Summary",
    "Timing",
    "View",
    "__version__",
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
