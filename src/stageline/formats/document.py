"""The shape of a blueprint file, as pydantic models: the source of the JSON Schema.

These models mirror what a person writes, shorthand included (a step's lane may hold one label,
one action or a list of them; a flow may be written ``a -> b``). They check shapes, types,
ranges and unknown keys; :mod:`stageline.formats.build` turns them into the model.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, Tag
from pydantic_core import PydanticCustomError

__all__ = [
    "FLOW_KEYS",
    "ActionDoc",
    "ActivityDoc",
    "AnalysisDoc",
    "BlueprintDoc",
    "DocModel",
    "FailPointDoc",
    "FlowDoc",
    "KpiDoc",
    "LinesDoc",
    "LinkDoc",
    "PartyDoc",
    "PhaseDoc",
    "RowDoc",
    "SegmentDoc",
    "StepDoc",
    "StyleDoc",
    "SuppressionDoc",
    "TimingDoc",
    "ViewDoc",
    "shape_of",
]

TEXT, MAP, LIST = "<text>", "<map>", "<list>"


def shape_of(value: Any) -> str | None:
    """Which written form a value has: a text, a mapping or a list."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return TEXT
    if isinstance(value, dict):
        return MAP
    if isinstance(value, list):
        return LIST
    return None


def _to_text(value: Any) -> Any:
    """Numbers where text is expected become text, as written (``2026.10``, ``0800``)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return getattr(value, "written", None) or str(value)
    return value


def _one_or_many(value: Any) -> Any:
    """One item may stand without its list; a key left empty is an empty list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


Text = Annotated[str, BeforeValidator(_to_text, json_schema_input_type=Union[str, int, float])]
Texts = Annotated[list[Text], BeforeValidator(_one_or_many, json_schema_input_type=Union[str, list[str]])]
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$", max_length=200)]
Score = Annotated[int, Field(ge=1, le=10), BeforeValidator(lambda v: _not_bool(v, "a score from 1 to 10"))]
#: A number that is finite: infinity and "not a number" are refused.
Number = Annotated[float, Field(allow_inf_nan=False), BeforeValidator(lambda v: _not_bool(v, "a number"))]


def _not_bool(value: Any, what: str) -> Any:
    if isinstance(value, bool):
        raise PydanticCustomError(
            "expected", "expected {what}, not `{value}`", {"what": what, "value": str(value).lower()}
        )
    return value


def _plain_date(value: Any) -> Any:
    if not isinstance(value, (str, dt.date)) or isinstance(value, dt.datetime):
        raise PydanticCustomError("date", "expected a date written `YYYY-MM-DD`, such as `2026-11-22`")
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise PydanticCustomError("date", "expected a date written `YYYY-MM-DD`, such as `2026-11-22`")
    return value


def _format_version(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int) or value != 1:
        raise PydanticCustomError(
            "version",
            "unsupported format version `{value}`; this Stageline reads `stageline: 1`",
            {"value": str(value)},
        )
    return 1


def _shape(what: str) -> Discriminator:
    return Discriminator(shape_of, custom_error_type="shape", custom_error_message=f"expected {what}")


class DocModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)


class LinkDoc(DocModel):
    """A link to research, a ticket or a dashboard."""

    url: Text = Field(description="The address.")
    title: Text | None = Field(None, description="What the link is, shown instead of the address.")


LinkItem = Annotated[
    Annotated[Text, Tag(TEXT)] | Annotated[LinkDoc, Tag(MAP)],
    _shape("a link: an address, or a mapping with `url` and `title`"),
]


class SegmentDoc(DocModel):
    """A customer segment or persona."""

    id: Id | None = Field(None, description="Readable slug; made from the name when left out.")
    name: Text = Field(description="Short name, e.g. `First-time borrower`.")
    description: Text | None = Field(None, description="Who they are, in a sentence or two.")


class PartyDoc(DocModel):
    """A role or a system, declared so that actions can refer to it by id."""

    id: Id | None = Field(None, description="Readable slug; made from the name when left out.")
    name: Text
    description: Text | None = None


class PhaseDoc(DocModel):
    """A stage of the journey: consecutive steps grouped under one heading."""

    id: Id | None = Field(None, description="Readable slug; made from the name when left out.")
    name: Text
    description: Text | None = None


class RowDoc(DocModel):
    """An extra row: policies and regulations, partners, KPIs, notes..."""

    id: Id | None = Field(None, description="Readable slug; made from the name when left out.")
    name: Text
    description: Text | None = None
    after: Text | None = Field(
        None,
        description="The lane or row this row sits under (`top` for above physical evidence); "
        "at the bottom when left out.",
    )


class TimingDoc(DocModel):
    """A duration with its tolerance."""

    expected: Text = Field(description="e.g. `5 min`, `1h 30m`, `2 days`, `PT5M`.")
    tolerance: Text | None = Field(None, description="How much longer is still acceptable.")


TimingField = Annotated[
    Annotated[Text, Tag(TEXT)] | Annotated[TimingDoc, Tag(MAP)], _shape("a duration such as `5 min` or `5 min ± 2 min`")
]


def _share(value: Any) -> Any:
    """``5%`` or ``0.05``: a share between 0 and 1."""
    if isinstance(value, str):
        found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*", value)
        if not found:
            raise PydanticCustomError(
                "share", "expected a share such as `5%` or `0.05`, not `{value}`", {"value": value}
            )
        return float(found.group(1)) / 100
    return _not_bool(value, "a share such as `5%` or `0.05`")


ShareValue = Annotated[
    float,
    Field(ge=0, le=1, allow_inf_nan=False),
    BeforeValidator(_share, json_schema_input_type=Union[str, float]),
]


class FailPointDoc(DocModel):
    """Where the action can go wrong, scored like an FMEA (1 = best, 10 = worst)."""

    cause: Text | None = Field(None, description="What goes wrong.")
    effect: Text | None = Field(None, description="What the customer or the business suffers.")
    likelihood: Score | None = Field(None, description="Occurrence, 1 (rare) to 10 (almost always).")
    severity: Score | None = Field(None, description="Severity, 1 (unnoticed) to 10 (disastrous).")
    detectability: Score | None = Field(
        None, description="Detection, 1 (always caught before harm) to 10 (never caught)."
    )
    recovery: Text | None = Field(None, description="The recovery or fail-safe in place.")
    rate: ShareValue | None = Field(None, description="The share of occurrences that fail: `5%` or `0.05`.")
    cost: Number | None = Field(None, ge=0, description="What one failure costs, in the blueprint's currency.")


FailPointField = Annotated[
    Annotated[Text, Tag(TEXT)] | Annotated[FailPointDoc, Tag(MAP)],
    _shape("a fail point: a cause, or a mapping with `cause`, `effect`..."),
]


class KpiDoc(DocModel):
    """A key performance indicator."""

    name: Text
    target: Number | None = None
    unit: Text | None = Field(None, description="e.g. `%`, `min`, `EUR`, `score`.")


KpiItem = Annotated[
    Annotated[Text, Tag(TEXT)] | Annotated[KpiDoc, Tag(MAP)],
    _shape("a KPI: a name, or a mapping with `name`, `target` and `unit`"),
]


class ActivityDoc(DocModel):
    """How the action shows in an event log; give one of `name`, `glob` or `regex`."""

    name: Text | None = Field(None, description="The exact activity name.")
    glob: Text | None = Field(None, description="A pattern with `*` and `?`, e.g. `W_Valideren*`.")
    regex: Text | None = Field(None, description="A regular expression matched against the whole name.")
    lifecycle: Text | None = Field(
        None, description="Only events with this lifecycle transition: `start`, `complete`..."
    )


ActivityItem = Annotated[
    Annotated[Text, Tag(TEXT)] | Annotated[ActivityDoc, Tag(MAP)],
    _shape("an activity: a name, or a mapping with `name`, `glob` or `regex`"),
]
Activities = Annotated[
    list[ActivityItem],
    BeforeValidator(_one_or_many, json_schema_input_type=Union[str, list[str | ActivityDoc]]),
]


Kpis = Annotated[list[KpiItem], BeforeValidator(_one_or_many, json_schema_input_type=Union[KpiItem, list[KpiItem]])]
Links = Annotated[list[LinkItem], BeforeValidator(_one_or_many, json_schema_input_type=Union[LinkItem, list[LinkItem]])]


class ActionDoc(DocModel):
    """One action in a step's lane."""

    id: Id | None = Field(
        None, description="Readable slug for flows; `STEP.LANE` (then `STEP.LANE.2`...) when left out."
    )
    label: Text = Field(min_length=1, description="What happens, in a few words: `Barista takes the order`.")
    description: Text | None = None
    role: Text | None = Field(None, description="Who does it: a role id or name.")
    channel: Text | None = Field(
        None,
        description="in-person, phone, web, app, email, chat, sms, mail, video, kiosk, social, self-service, system",
    )
    system: Text | None = Field(None, description="The system used: a system id or name.")
    owner: Text | None = Field(None, description="Who is accountable for it.")
    segments: Texts = Field(default_factory=list, description="Segment ids it applies to (all when empty).")
    duration: TimingField | None = Field(None, description="Expected time, e.g. `3 min ± 1 min`.")
    wait: TimingField | None = Field(None, description="Expected wait before it, e.g. `10 min ± 5 min`.")
    cost: Number | None = Field(None, ge=0, description="Cost per occurrence, in the blueprint's currency.")
    fail_point: FailPointField | None = Field(None, description="Where it can go wrong.")
    emotion: Number | None = Field(
        None, ge=-2, le=2, description="The customer's feeling, -2 (very negative) to +2 (very positive)."
    )
    pain_points: Texts = Field(default_factory=list, description="What annoys or hurts here.")
    kpis: Kpis = Field(default_factory=list, description="How it is measured.")
    evidence: Texts = Field(default_factory=list, description="Physical evidence involved in it.")
    tags: Texts = Field(default_factory=list, description="Tags for styles and views.")
    links: Links = Field(default_factory=list)
    activities: Activities = Field(
        default_factory=list, description="Event-log activity names that identify this action."
    )


ActionItem = Annotated[
    Annotated[Text, Tag(TEXT)] | Annotated[ActionDoc, Tag(MAP)], _shape("an action: a label, or a mapping with `label`")
]
Actions = Annotated[
    Annotated[Text, Tag(TEXT)] | Annotated[ActionDoc, Tag(MAP)] | Annotated[list[ActionItem], Tag(LIST)],
    Discriminator(
        shape_of,
        custom_error_type="shape",
        custom_error_message="expected actions: a label, a mapping with `label`, or a list of them",
    ),
]


class StepDoc(DocModel):
    """A column of the blueprint, with its actions listed by lane."""

    id: Id | None = Field(None, description="Readable slug; made from the name when left out.")
    name: Text | None = Field(None, description="Short name shown at the top of the column.")
    phase: Text | None = Field(None, description="The id of the phase this step belongs to.")
    time: Text | None = Field(None, description="When it happens, e.g. `Day 1` or `0-5 min`.")
    description: Text | None = None
    evidence: Actions | None = Field(None, description="Physical evidence the customer sees or receives.")
    customer: Actions | None = Field(None, description="What the customer does.")
    frontstage: Actions | None = Field(None, description="Employee or system actions the customer sees.")
    backstage: Actions | None = Field(None, description="Employee actions the customer does not see.")
    support: Actions | None = Field(None, description="Systems, partners and processes relied upon.")
    rows: dict[str, Texts] = Field(default_factory=dict, description="Text in extra rows, by row id.")


FlowKindName = Literal["dependency", "codependency", "information", "handoff"]


class FlowDoc(DocModel):
    """An arrow between two actions."""

    source: Text = Field(alias="from", description="The id of the action it starts at.")
    target: Text = Field(alias="to", description="The id of the action it points to.")
    kind: FlowKindName = Field(
        "dependency", description="dependency (->), codependency (<->), information (~>), handoff (=>)"
    )
    label: Text | None = None
    probability: Number | None = Field(
        None, ge=0, le=1, description="Chance of taking it when it is one of several alternatives."
    )


#: The keys of a flow written as a mapping.
FLOW_KEYS = frozenset({"from", "to", "kind", "label", "probability"})


def _labelled_flow(value: Any) -> Any:
    """``- a -> b: label`` unquoted reads as a one-key mapping; take it as the flow it is."""
    if isinstance(value, dict) and len(value) == 1:
        ((key, label),) = value.items()
        if key not in FLOW_KEYS and any(a in key for a in ("->", "~>", "=>")):
            if label is None:
                return key  # `- a -> b:` with nothing after the colon
            if isinstance(label, bool):
                return f"{key}: {str(label).lower()}"
            if shape_of(label) == TEXT:
                return f"{key}: {_to_text(label)}"
    return value


FlowItem = Annotated[
    Annotated[
        Annotated[Text, Tag(TEXT)] | Annotated[FlowDoc, Tag(MAP)],
        _shape("a flow: `a -> b`, `a <-> b`, `a ~> b`, `a => b`, or a mapping with `from` and `to`"),
    ],
    BeforeValidator(
        _labelled_flow,
        json_schema_input_type=Union[
            str, FlowDoc, Annotated[dict[str, str], Field(min_length=1, max_length=1, title="a -> b: label")]
        ],
    ),
]

LineBelow = Annotated[
    bool | Text,
    Field(description="`true`, or the lane or row the line is drawn under."),
]


class LinesDoc(DocModel):
    """The optional lines; the three standard lines are always drawn."""

    order_penetration: LineBelow | None = Field(
        None, description="Customer-induced above, customer-independent below (under `support` by default)."
    )
    implementation: LineBelow | None = Field(
        None, description="Operations above, planning and management below (at the bottom by default)."
    )


LaneName = Literal["evidence", "customer", "frontstage", "backstage", "support"]


LaneNames = Annotated[
    list[LaneName], BeforeValidator(_one_or_many, json_schema_input_type=Union[LaneName, list[LaneName]])
]


class ViewDoc(DocModel):
    """A named selection of the blueprint; a list left out means everything."""

    id: Id | None = Field(None, description="Readable slug; made from the name when left out.")
    name: Text
    description: Text | None = None
    lanes: LaneNames = Field(default_factory=list)
    rows: Texts = Field(default_factory=list)
    phases: Texts = Field(default_factory=list)
    segments: Texts = Field(default_factory=list)
    roles: Texts = Field(default_factory=list)
    tags: Texts = Field(default_factory=list)
    highlight: Texts = Field(default_factory=list, description="Roles to emphasise (e.g. for training).")
    zoom: Literal["detail", "phases"] = Field("detail", description="`phases` collapses each phase to one column.")


Colour = Annotated[str, Field(pattern=r"^#(?:[0-9a-fA-F]{3}){1,2}$", description="A colour as `#rgb` or `#rrggbb`.")]


class StyleDoc(DocModel):
    """How actions carrying a tag are drawn."""

    fill: Colour | None = None
    stroke: Colour | None = None
    text: Colour | None = None
    dashed: bool | None = None
    bold: bool | None = None


SegmentItem = Annotated[
    Annotated[Text, Tag(TEXT)] | Annotated[SegmentDoc, Tag(MAP)], _shape("a segment: a name, or a mapping with `name`")
]
PartyItem = Annotated[
    Annotated[Text, Tag(TEXT)] | Annotated[PartyDoc, Tag(MAP)], _shape("a name, or a mapping with `name`")
]
PhaseItem = Annotated[
    Annotated[Text, Tag(TEXT)] | Annotated[PhaseDoc, Tag(MAP)], _shape("a phase: a name, or a mapping with `name`")
]
RowItem = Annotated[
    Annotated[Text, Tag(TEXT)] | Annotated[RowDoc, Tag(MAP)], _shape("a row: a name, or a mapping with `name`")
]


Segments = Annotated[
    list[SegmentItem], BeforeValidator(_one_or_many, json_schema_input_type=Union[SegmentItem, list[SegmentItem]])
]
Parties = Annotated[
    list[PartyItem], BeforeValidator(_one_or_many, json_schema_input_type=Union[PartyItem, list[PartyItem]])
]
Phases = Annotated[
    list[PhaseItem], BeforeValidator(_one_or_many, json_schema_input_type=Union[PhaseItem, list[PhaseItem]])
]
Steps = Annotated[list[StepDoc], BeforeValidator(_one_or_many, json_schema_input_type=Union[StepDoc, list[StepDoc]])]
Rows = Annotated[list[RowItem], BeforeValidator(_one_or_many, json_schema_input_type=Union[RowItem, list[RowItem]])]
Flows = Annotated[list[FlowItem], BeforeValidator(_one_or_many, json_schema_input_type=Union[FlowItem, list[FlowItem]])]
Views = Annotated[list[ViewDoc], BeforeValidator(_one_or_many, json_schema_input_type=Union[ViewDoc, list[ViewDoc]])]


RuleSeverity = Literal["error", "warning", "info", "off"]
OptionValue = Annotated[
    bool | Number | str, Field(description="A threshold: a number, a share (`20%`) or a duration (`10 min`).")
]
RuleConfig = Annotated[
    RuleSeverity | dict[str, OptionValue],
    Field(description="`off`, a severity, or a mapping of `severity` and the rule's thresholds."),
]


class SuppressionDoc(DocModel):
    """A finding accepted on purpose: which rule, where, and why."""

    rule: Text = Field(description="The rule's id, e.g. `gaps.no-evidence`.")
    subject: Text | None = Field(
        None, description="The action or step id, or flow `a -> b`, it applies to; everywhere when left out."
    )
    reason: Text = Field(
        min_length=1, description="Why the finding is accepted: kept with the blueprint for reviewers."
    )


Suppressions = Annotated[
    list[SuppressionDoc],
    BeforeValidator(_one_or_many, json_schema_input_type=Union[SuppressionDoc, list[SuppressionDoc]]),
]


class AnalysisDoc(DocModel):
    """Settings for `stageline check`: which rules, with what thresholds, and accepted findings."""

    served: Texts = Field(
        default_factory=list, description="Actions that mean the customer was served, for the cost per served customer."
    )
    rules: dict[str, RuleConfig] = Field(default_factory=dict, description="Settings by rule id.")
    ignore: Suppressions = Field(default_factory=list, description="Findings accepted on purpose, each with a reason.")


# The `simulation:` key lives in its own module, which builds on the pieces above.
from stageline.formats.simdoc import SimulationDoc  # noqa: E402


class BlueprintDoc(DocModel):
    """A Stageline service blueprint."""

    model_config = ConfigDict(title="Stageline blueprint")

    stageline: Annotated[Literal[1], BeforeValidator(_format_version)] = Field(
        description="The format version; always `1`."
    )
    title: Text = Field(min_length=1, description="The blueprint's title.")
    service: Text | None = Field(None, description="The service process it describes.")
    description: Text | None = None
    owner: Text | None = Field(None, description="Who keeps it up to date.")
    status: Literal["as-is", "to-be", "proposed"] = Field("as-is")
    version: Text | None = Field(None, description="A version label, e.g. `2026.2`.")
    date: Annotated[dt.date, BeforeValidator(_plain_date, json_schema_input_type=dt.date)] | None = Field(
        None, description="When this version was made, `YYYY-MM-DD`."
    )
    currency: Text | None = Field(None, description="Currency of the costs, e.g. `EUR`.")
    segments: Segments = Field(default_factory=list, description="Customer segments or personas.")
    roles: Parties = Field(default_factory=list, description="Roles that act in the service.")
    systems: Parties = Field(default_factory=list, description="Systems the service relies on.")
    phases: Phases = Field(default_factory=list, description="Stages of the journey, in order.")
    steps: Steps = Field(default_factory=list, description="The columns, in time order.")
    rows: Rows = Field(default_factory=list, description="Extra rows beyond the five lanes.")
    lines: LinesDoc | None = Field(None, description="Optional lines: order penetration, implementation.")
    flows: Flows = Field(default_factory=list, description="Arrows between actions: `a -> b`.")
    views: Views = Field(default_factory=list)
    styles: dict[str, StyleDoc] = Field(default_factory=dict, description="Styles by tag.")
    notes: Texts = Field(default_factory=list)
    links: Links = Field(default_factory=list)
    analysis: AnalysisDoc | None = Field(None, description="Settings for `stageline check`.")
    simulation: SimulationDoc | None = Field(None, description="Settings for `stageline simulate`.")
