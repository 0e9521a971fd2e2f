"""The one-line flow syntax: ``a -> b``, ``a <-> b``, ``a ~> b``, ``a => b``, chains, odds, labels.

order.customer -> order.frontstage
pay.customer -> refund.backstage [5%]: card declined
check.backstage -> decide.backstage -> notify.frontstage
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stageline.model import Flow, FlowKind

__all__ = ["ARROWS", "FlowSyntaxError", "can_format", "format_flow", "parse_flow"]

ARROWS: dict[str, FlowKind] = {kind.arrow: kind for kind in FlowKind}
_ARROW = re.compile(r"\s*(<->|->|~>|=>)\s*")
_PROB = re.compile(r"\s*\[\s*([0-9]*\.?[0-9]+)\s*(%?)\s*\]\s*$")
_ID = re.compile(r"^[^\s:\[\]<>~=]+$")
_BRACKET = re.compile(r"\[[^\]]*\]?")


@dataclass(frozen=True)
class FlowSyntaxError(ValueError):
    message: str

    def __str__(self) -> str:
        return self.message


_EXPECTED = "expected `from -> to`, optionally followed by `[30%]` and `: label`"


def parse_flow(text: str) -> list[Flow]:
    """The flows in one line; a chain ``a -> b -> c`` gives one flow per arrow."""
    head, sep, label_text = text.partition(":")
    label = label_text.strip() or None if sep else None
    probability = None
    m = _PROB.search(head)
    if m:
        value = float(m.group(1))
        probability = value / 100 if m.group(2) else value
        if not 0 <= probability <= 1:
            raise FlowSyntaxError(f"probability `{m.group(0).strip()}` is not between 0 and 1 (0% and 100%)")
        head = head[: m.start()]
    stray = _BRACKET.search(head)
    if stray:
        raise FlowSyntaxError(f"`{stray.group(0)}` is not a probability; write one `[30%]` or `[0.3]` after the target")
    parts = _ARROW.split(head.strip())
    if len(parts) < 3:
        raise FlowSyntaxError(f"{_EXPECTED}, got `{text.strip()}`")
    ids = parts[0::2]
    arrows = parts[1::2]
    for ident in ids:
        if not _ID.match(ident):
            what = "an empty id" if not ident else f"`{ident}`"
            raise FlowSyntaxError(f"{what} is not an action id; {_EXPECTED}")
    return [
        Flow(source=ids[i], target=ids[i + 1], kind=ARROWS[arrows[i]], label=label, probability=probability)
        for i in range(len(arrows))
    ]


def format_flow(flow: Flow) -> str:
    text = f"{flow.source} {flow.kind.arrow} {flow.target}"
    if flow.probability is not None:
        pct = flow.probability * 100
        text += (
            f" [{_short(pct)}%]"
            if _short(pct) and float(_short(pct)) / 100 == flow.probability
            else f" [{flow.probability!r}]"
        )
    if flow.label is not None:
        text += f": {flow.label}"
    return text


def _short(value: float) -> str:
    text = f"{value:.6g}"
    return text if "e" not in text else ""


def can_format(flow: Flow) -> bool:
    """Whether the one-line form carries this flow exactly."""
    if not (_ID.match(flow.source) and _ID.match(flow.target)):
        return False
    if flow.label is not None and (flow.label != flow.label.strip() or not flow.label):
        return False
    try:
        return parse_flow(format_flow(flow)) == [flow]
    except FlowSyntaxError:
        return False
