"""Rule settings from a blueprint's ``analysis:`` key and ``stageline.toml``, checked and located.

The project file gives defaults; the blueprint's own settings win, rule by rule and threshold by
threshold. Suppressions from both apply.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from stageline.analysis.registry import RULES, Option
from stageline.errors import Location, Problem, Severity, did_you_mean
from stageline.formats.tree import SourceMap
from stageline.model import AnalysisSettings, Suppression
from stageline.model.timing import parse_duration

__all__ = ["PlacedSuppression", "Resolved", "SettingsSource", "resolve"]

_SEVERITIES = {"error": Severity.ERROR, "warning": Severity.WARNING, "info": Severity.INFO}


@dataclass(frozen=True)
class SettingsSource:
    """Settings and the file they were read from (for locating mistakes)."""

    settings: AnalysisSettings
    source_map: SourceMap | None = None


@dataclass(frozen=True)
class PlacedSuppression:
    suppression: Suppression
    location: Location


@dataclass
class Resolved:
    #: Severity by rule id; None turns the rule off.
    severity: dict[str, Severity | None] = field(default_factory=dict)
    options: dict[str, dict[str, float]] = field(default_factory=dict)
    ignore: list[PlacedSuppression] = field(default_factory=list)
    served: tuple[str, ...] = ()


def resolve(*sources: SettingsSource | None) -> tuple[Resolved, list[Problem]]:
    """The settings for every registered rule, later sources overriding earlier ones."""
    out = Resolved(
        severity={r.id: r.severity for r in RULES.values()},
        options={r.id: {o.name: o.default for o in r.options} for r in RULES.values()},
    )
    problems: list[Problem] = []
    for src in sources:
        if src is None:
            continue
        smap = src.source_map or SourceMap()

        def where(*path: str | int, key: bool = False, smap: SourceMap = smap) -> Location:
            return smap.locate(("analysis", *path), key=key)

        if src.settings.served:
            out.served = src.settings.served
        for setting in src.settings.rules:
            rule = RULES.get(setting.rule)
            if rule is None:
                problems.append(
                    Problem(
                        "analysis.rule",
                        f"unknown rule `{setting.rule}`",
                        location=where("rules", setting.rule, key=True),
                        hint=did_you_mean(setting.rule, RULES) or "`stageline check --rules` lists them",
                    )
                )
                continue
            if setting.severity is not None:
                if setting.severity == "off":
                    out.severity[rule.id] = None
                elif setting.severity in _SEVERITIES:
                    out.severity[rule.id] = _SEVERITIES[setting.severity]
                else:
                    problems.append(
                        Problem(
                            "analysis.severity",
                            f"unknown severity `{setting.severity}`; use error, warning, info or off",
                            location=where("rules", rule.id, "severity"),
                        )
                    )
            for name, value in setting.options:
                option = next((o for o in rule.options if o.name == name), None)
                if option is None:
                    names = ", ".join(f"`{o.name}`" for o in rule.options) or "no thresholds"
                    problems.append(
                        Problem(
                            "analysis.option",
                            f"rule `{rule.id}` has no threshold `{name}`; it has {names}",
                            location=where("rules", rule.id, name, key=True),
                            hint=did_you_mean(name, [o.name for o in rule.options]),
                        )
                    )
                    continue
                parsed = _value(option, value)
                if isinstance(parsed, str):
                    problems.append(Problem("analysis.value", parsed, location=where("rules", rule.id, name)))
                else:
                    out.options[rule.id][name] = parsed
        for i, s in enumerate(src.settings.ignore):
            if s.rule not in RULES:
                problems.append(
                    Problem(
                        "analysis.rule",
                        f"unknown rule `{s.rule}`",
                        location=where("ignore", i, "rule"),
                        hint=did_you_mean(s.rule, RULES),
                    )
                )
                continue
            out.ignore.append(PlacedSuppression(s, where("ignore", i)))
    return out, problems


def _value(option: Option, value: float | str) -> float | str:
    """The value as a number, or a message saying what was expected."""
    if isinstance(value, bool):
        return f"`{option.name}` expects {_expected(option)}, not `{str(value).lower()}`"
    if isinstance(value, float) and not math.isfinite(value):
        return f"`{option.name}` expects {_expected(option)}, not `{value}`"
    if option.kind == "share":
        if isinstance(value, str):
            found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*%\s*", value)
            if not found:
                return f"`{option.name}` expects {_expected(option)}, not `{value}`"
            return float(found.group(1)) / 100
        if not 0 <= value <= 1:
            return f"`{option.name}` expects {_expected(option)}; write `{value:g}%` for a percentage"
        return float(value)
    if option.kind == "duration":
        if isinstance(value, str):
            try:
                return parse_duration(value)
            except ValueError as exc:
                return f"`{option.name}`: {exc}"
        return float(value)
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return f"`{option.name}` expects {_expected(option)}, not `{value}`"
        if not math.isfinite(value):
            return f"`{option.name}` expects {_expected(option)}, not `{value}`"
    if option.kind == "count" and (value < 0 or value != int(value)):
        return f"`{option.name}` expects {_expected(option)}, not `{value:g}`"
    return float(value)


def _expected(option: Option) -> str:
    return {
        "share": "a share such as `20%` or `0.2`",
        "duration": "a duration such as `10 min`",
        "count": "a whole number such as `3`",
        "score": "a number such as `100`",
    }.get(option.kind, "a number")
