"""The fixed vocabulary of a blueprint: lanes, lines, flow kinds, statuses and channels."""

from __future__ import annotations

from enum import StrEnum

__all__ = [
    "CHANNELS",
    "LANE_ALIASES",
    "LANE_NAMES",
    "LINE_NAMES",
    "STANDARD_LINES",
    "Channel",
    "FlowKind",
    "Lane",
    "LineKind",
    "Status",
]


class Lane(StrEnum):
    """The five standard lanes, in their fixed order from top to bottom."""

    EVIDENCE = "evidence"
    CUSTOMER = "customer"
    FRONTSTAGE = "frontstage"
    BACKSTAGE = "backstage"
    SUPPORT = "support"

    @property
    def order(self) -> int:
        return _LANE_ORDER[self]


_LANE_ORDER = {lane: i for i, lane in enumerate(Lane)}

LANE_NAMES: dict[Lane, str] = {
    Lane.EVIDENCE: "Physical evidence",
    Lane.CUSTOMER: "Customer actions",
    Lane.FRONTSTAGE: "Frontstage actions",
    Lane.BACKSTAGE: "Backstage actions",
    Lane.SUPPORT: "Support processes",
}

#: Other names users give the lanes, accepted in files and normalised to the standard key.
LANE_ALIASES: dict[str, Lane] = {
    "physical-evidence": Lane.EVIDENCE,
    "physical_evidence": Lane.EVIDENCE,
    "onstage": Lane.FRONTSTAGE,
    "front-stage": Lane.FRONTSTAGE,
    "back-stage": Lane.BACKSTAGE,
    "support-processes": Lane.SUPPORT,
    "support_processes": Lane.SUPPORT,
}


class LineKind(StrEnum):
    """The lines drawn between lanes; the last two are optional and placed by the user."""

    INTERACTION = "interaction"
    VISIBILITY = "visibility"
    INTERNAL = "internal"
    ORDER_PENETRATION = "order-penetration"
    IMPLEMENTATION = "implementation"


LINE_NAMES: dict[LineKind, str] = {
    LineKind.INTERACTION: "Line of interaction",
    LineKind.VISIBILITY: "Line of visibility",
    LineKind.INTERNAL: "Line of internal interaction",
    LineKind.ORDER_PENETRATION: "Line of order penetration",
    LineKind.IMPLEMENTATION: "Line of implementation",
}

#: The standard lines and the lane directly above each of them.
STANDARD_LINES: dict[LineKind, Lane] = {
    LineKind.INTERACTION: Lane.CUSTOMER,
    LineKind.VISIBILITY: Lane.FRONTSTAGE,
    LineKind.INTERNAL: Lane.BACKSTAGE,
}


class FlowKind(StrEnum):
    """What an arrow between two actions means (Nielsen Norman Group's arrow conventions)."""

    DEPENDENCY = "dependency"  # one-way arrow: the target depends on the source
    CODEPENDENCY = "codependency"  # two-way arrow: each depends on the other
    INFORMATION = "information"  # information passed, no dependency of control
    HANDOFF = "handoff"  # responsibility passes to another person, unit or system

    @property
    def arrow(self) -> str:
        return _ARROWS[self]


_ARROWS = {
    FlowKind.DEPENDENCY: "->",
    FlowKind.CODEPENDENCY: "<->",
    FlowKind.INFORMATION: "~>",
    FlowKind.HANDOFF: "=>",
}


class Status(StrEnum):
    """Whether a blueprint describes the service as it is, as it should be, or a proposal."""

    AS_IS = "as-is"
    TO_BE = "to-be"
    PROPOSED = "proposed"


class Channel(StrEnum):
    """The channels users name most; other channel names are legal but warned about."""

    IN_PERSON = "in-person"
    PHONE = "phone"
    WEB = "web"
    APP = "app"
    EMAIL = "email"
    CHAT = "chat"
    SMS = "sms"
    MAIL = "mail"
    VIDEO = "video"
    KIOSK = "kiosk"
    SOCIAL = "social"
    SELF_SERVICE = "self-service"
    SYSTEM = "system"


CHANNELS: frozenset[str] = frozenset(c.value for c in Channel)
