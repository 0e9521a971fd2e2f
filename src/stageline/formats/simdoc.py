"""The ``simulation:`` key of a blueprint file (and of a simulation side file): its pydantic models,
part of the JSON Schema, and the written forms of its values.

    simulation:
      arrivals: 12/h
      horizon: 8 h
      resources: {clerk: 2}
      actions:
        check: {duration: lognormal 5 min ± 2 min}
      scenarios:
        - name: One more clerk
          staff: {clerk: +1}

What people write as text (a distribution such as ``lognormal 5 min ± 2 min``, a rate such as
``12/h``, a time of day such as ``09:00``) is text in these models; :mod:`stageline.formats.build`
reads it with the parsers below, reporting each mistake where it was written, and
:mod:`stageline.formats.compact` writes it back with the formatters. Every parser raises a
:class:`FormError` (a ``ValueError``) saying what was expected, with an example.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, Tag
from pydantic_core import PydanticCustomError

from stageline.errors import did_you_mean
from stageline.formats.document import (
    MAP,
    TEXT,
    DocModel,
    Number,
    ShareValue,
    Text,
    Texts,
    _not_bool,
    _one_or_many,
    _shape,
)
from stageline.model.simulation import DISTRIBUTIONS, Distribution
from stageline.model.timing import UNITS, format_duration, parse_duration

__all__ = [
    "COST_EXPECTED",
    "DISTRIBUTION_EXAMPLES",
    "DISTRIBUTION_EXPECTED",
    "PARAMETERS",
    "RATE_EXPECTED",
    "ArrivalsDoc",
    "DistributionDoc",
    "FormError",
    "MoveDoc",
    "RateWindowDoc",
    "ResourceDoc",
    "ScenarioArrivalsDoc",
    "ScenarioDoc",
    "ShiftDoc",
    "SimActionDoc",
    "SimulationDoc",
    "article",
    "check_distribution",
    "format_distribution",
    "format_number",
    "format_rate",
    "format_scale",
    "format_staff",
    "format_time_of_day",
    "listed",
    "make_distribution",
    "parameters_taken",
    "parse_cost",
    "parse_distribution",
    "parse_odds_key",
    "parse_rate",
    "parse_scale",
    "parse_staff",
    "parse_time_of_day",
]


class FormError(ValueError):
    """A written value that cannot be read: the message says what was expected, ``hint`` how to fix it."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.hint = hint


# --- numbers ------------------------------------------------------------------------------------

_NUMBER = r"[-+]?(?:\d+(?:_\d+)*(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"


def format_number(value: float) -> str:
    """The shortest text ``float()`` reads back exactly: ``12``, ``0.5``, ``1e-05``."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


# --- rates and costs ----------------------------------------------------------------------------

_PER = UNITS

_RATE = re.compile(rf"\s*(?P<num>{_NUMBER})\s*(?:(?:/|\bper\b)\s*(?P<unit>[A-Za-z]+))?\s*", re.IGNORECASE)
#: The units a rate is written in, in the order of preference when two spellings are as short.
_RATE_UNITS = (("h", 3600.0), ("min", 60.0), ("s", 1.0), ("day", 86400.0))

RATE_EXPECTED = "a rate such as `12/h`, `12 per hour`, `300/day` or `0.5/s` (a bare number is per hour)"
COST_EXPECTED = "a cost per hour such as `40/h` or `40 per hour` (a bare number is per hour)"


def _per_second(text: str, expected: str, noun: str) -> float:
    found = _RATE.fullmatch(text)
    if not found:
        raise FormError(f"expected {expected}, got `{text}`")
    unit = found.group("unit")
    size = 3600.0 if unit is None else _PER.get(unit.lower())
    if size is None:
        raise FormError(
            f"unknown time unit `{unit}` in `{text}`; use s, min, h, day or week",
            did_you_mean(unit.lower(), _PER) if unit else None,
        )
    number = float(found.group("num"))
    if not math.isfinite(number):
        raise FormError(f"expected a finite {noun}, got `{text}`")
    if number < 0:
        raise FormError(f"a {noun} cannot be negative, got `{text}`")
    return (number + 0.0) / size  # + 0.0: no negative zero


def parse_rate(text: str) -> float:
    """Customers (or events) per second in ``12/h``, ``12 per hour``, ``300/day``, ``0.5/s`` or ``12``."""
    return _per_second(text, RATE_EXPECTED, "rate")


def parse_cost(text: str) -> float:
    """A cost per second in ``40/h``, ``40 per hour`` or ``40`` (a bare number is per hour)."""
    return _per_second(text, COST_EXPECTED, "cost")


def format_rate(per_second: float) -> str:
    """The shortest exact text for a rate (or cost) per second: ``12/h``, ``0.5/s``, ``300/day``."""
    best: str | None = None
    best_number = ""
    for unit, size in _RATE_UNITS:
        scaled = per_second * size
        if not math.isfinite(scaled):
            continue
        for digits in range(16):
            value = round(scaled, digits)
            number = format_number(value)
            if float(number) / size == per_second:
                if best is None or len(number) < len(best_number):
                    best, best_number = f"{number}/{unit}", number
                break
    return best if best is not None else f"{format_number(per_second)}/s"


# --- times of day -------------------------------------------------------------------------------

_CLOCK = re.compile(r"\s*(\d{1,2}):(\d{2})(?::(\d{2}))?\s*")
_DAY = 86400


def parse_time_of_day(text: str, *, end: bool = False) -> float:
    """Seconds after midnight in ``09:00``, ``9:30`` or ``17:45:30``; ``24:00`` only when ``end``."""
    found = _CLOCK.fullmatch(text)
    if not found:
        hint = None
        if text.strip().isdigit() and int(text) <= 24:
            hint = f"write `{int(text):02d}:00`"
        raise FormError(f"expected a time of day such as `09:00` or `17:30`, got `{text}`", hint)
    hours, minutes, seconds = (int(g) if g else 0 for g in found.groups())
    if minutes > 59 or seconds > 59:
        raise FormError(f"`{text.strip()}` is not a time of day: minutes and seconds go from 00 to 59")
    total = hours * 3600 + minutes * 60 + seconds
    if total > _DAY:
        raise FormError(f"`{text.strip()}` is not a time of day: the clock goes from 00:00 to 24:00")
    if total == _DAY and not end:
        raise FormError("`24:00` can only end a window or a shift; midnight at the start is `00:00`")
    return float(total)


def format_time_of_day(seconds: float) -> str:
    """``09:00`` (or ``09:00:30``) for seconds after midnight."""
    whole = round(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" if not secs else f"{hours:02d}:{minutes:02d}:{secs:02d}"


# --- distributions ------------------------------------------------------------------------------

#: How each kind of distribution is written, as an example.
DISTRIBUTION_EXAMPLES = {
    "fixed": "fixed 5 min",
    "exponential": "exponential 5 min",
    "lognormal": "lognormal 5 min ± 2 min",
    "triangular": "triangular 2 min / 5 min / 12 min",
    "uniform": "uniform 2 min / 8 min",
    "empirical": "empirical",
}
DISTRIBUTION_EXPECTED = (
    "a distribution such as `5 min` (exponential), `fixed 5 min`, `lognormal 5 min ± 2 min`, "
    "`triangular 2 min / 5 min / 12 min`, `uniform 2 min / 8 min` or `empirical`"
)
#: The parameters in words.
PARAMETERS = {"mean": "mean", "sd": "standard deviation", "low": "low", "mode": "mode", "high": "high"}

_KIND = re.compile(r"\s*([A-Za-z]+)(?![A-Za-z])\s*(.*)", re.DOTALL)
_PLUS_MINUS = re.compile(r"\s*(?:±|\+/-|\+-)\s*")
#: The text form's parameters, in the order they are written.
_WRITTEN = {
    "fixed": ("mean",),
    "exponential": ("mean",),
    "lognormal": ("mean", "sd"),
    "triangular": ("low", "mode", "high"),
    "uniform": ("low", "high"),
    "empirical": (),
}


def article(kind: str) -> str:
    """``a lognormal``, ``an exponential``."""
    return ("an " if kind[:1] in "aeiou" else "a ") + kind


def parse_distribution(text: str) -> Distribution:
    """The distribution in ``5 min``, ``fixed 5 min``, ``lognormal 5 min ± 2 min``,
    ``triangular 2 min / 5 min / 12 min``, ``uniform 2 min / 8 min`` or ``empirical``."""
    found = _KIND.fullmatch(text)
    kind = found.group(1).lower() if found else None
    if found is None or kind not in DISTRIBUTIONS:
        return _bare(text, found.group(1) if found else None, found.group(2) if found else "")
    rest = found.group(2).strip()
    example = DISTRIBUTION_EXAMPLES[kind]
    if kind == "empirical":
        if rest:
            raise FormError(
                f"`empirical` takes no values (it draws from the durations measured in the event log), got `{text}`",
                "write just `empirical`",
            )
        return Distribution("empirical")
    if kind == "lognormal":
        pieces = _PLUS_MINUS.split(rest)
    elif kind in ("triangular", "uniform"):
        pieces = [p.strip() for p in rest.split("/")]
    else:
        pieces = [rest]
    names = _WRITTEN[kind]
    if len(pieces) != len(names) or not all(pieces):
        needs = listed([f"the {PARAMETERS[n]}" for n in names], quote=False)
        raise FormError(f"{article(kind)} distribution needs {needs}, written `{example}`; got `{text.strip()}`")
    values: dict[str, float] = {}
    for name, piece in zip(names, pieces, strict=True):
        try:
            values[name] = parse_duration(piece)
        except ValueError as exc:
            raise FormError(f"the {PARAMETERS[name]} in `{text.strip()}`: {exc}", _unit_hint(piece)) from None
    dist = make_distribution(kind, values)
    check_distribution(dist)
    return dist


def _bare(text: str, word: str | None, rest: str) -> Distribution:
    """A bare duration: exponential with that mean (``word`` and ``rest``: the text as ``kind rest``)."""
    try:
        mean = parse_duration(text)
    except ValueError:
        if _PLUS_MINUS.search(text):
            raise FormError(
                f"expected {DISTRIBUTION_EXPECTED}, got `{text}`", f"write `lognormal {text.strip()}`"
            ) from None
        if word is not None and _is_duration(re.split(r"±|\+/-|\+-|/", rest)[0]):
            hint = did_you_mean(word.lower(), DISTRIBUTIONS)
            raise FormError(
                f"unknown distribution `{word}`: expected one of " + ", ".join(f"`{k}`" for k in DISTRIBUTIONS),
                hint,
            ) from None
        raise FormError(f"expected {DISTRIBUTION_EXPECTED}, got `{text}`", _unit_hint(text)) from None
    return Distribution("exponential", mean=mean)


def _is_duration(text: str) -> bool:
    try:
        parse_duration(text)
    except ValueError:
        return False
    return True


def _unit_hint(text: str) -> str | None:
    try:
        float(text)
    except ValueError:
        return None
    return f"add a unit, e.g. `{text.strip()} min`"


def make_distribution(kind: str, values: dict[str, float]) -> Distribution:
    return Distribution(
        kind,
        mean=values.get("mean"),
        sd=values.get("sd"),
        low=values.get("low"),
        mode=values.get("mode"),
        high=values.get("high"),
    )


def check_distribution(dist: Distribution) -> None:
    """Raise a :class:`FormError` when the parameters do not make a distribution of its kind."""
    kind = dist.kind
    if kind not in DISTRIBUTIONS:
        raise FormError(f"unknown distribution `{kind}`: expected one of " + ", ".join(f"`{k}`" for k in DISTRIBUTIONS))
    takes = DISTRIBUTIONS[kind]
    given = {name: getattr(dist, name) for name in PARAMETERS if getattr(dist, name) is not None}
    example = DISTRIBUTION_EXAMPLES[kind]
    missing = [name for name in takes if name not in given]
    if missing:
        raise FormError(f"{article(kind)} distribution needs {listed(missing)}, such as `{example}`")
    extra = [name for name in given if name not in takes]
    if extra:
        raise FormError(f"{article(kind)} distribution takes {parameters_taken(kind)}; leave out {listed(extra)}")
    for name, value in given.items():
        if not math.isfinite(value) or value < 0:
            raise FormError(f"the {PARAMETERS[name]} of {article(kind)} distribution must be a duration of 0 or more")
    text = format_distribution(dist)
    if kind == "triangular" and not (dist.low <= dist.mode <= dist.high):  # type: ignore[operator]
        raise FormError(
            f"a triangular distribution is written low / mode / high with the mode between the two, got `{text}`",
            f"such as `{example}`",
        )
    if kind == "uniform" and not dist.low < dist.high:  # type: ignore[operator]
        raise FormError(
            f"a uniform distribution is written low / high with low below high, got `{text}`", f"such as `{example}`"
        )
    if kind == "lognormal" and dist.mean == 0 and dist.sd:
        raise FormError(f"a lognormal distribution with a spread needs a mean above zero, got `{text}`")


def listed(names: list[str], quote: bool = True) -> str:
    """```a`, `b` and `c```."""
    shown = [f"`{n}`" if quote else n for n in names]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def parameters_taken(kind: str) -> str:
    takes = list(DISTRIBUTIONS[kind])
    return "no values" if not takes else "only " + listed(takes)


def format_distribution(dist: Distribution) -> str:
    """The text form of a distribution: ``5 min`` (exponential), ``lognormal 5 min ± 2 min``..."""
    values = [format_duration(getattr(dist, name)) for name in _WRITTEN.get(dist.kind, ())]
    if dist.kind == "exponential":
        return values[0]
    if dist.kind == "lognormal":
        return f"lognormal {values[0]} ± {values[1]}"
    return " ".join([dist.kind, " / ".join(values)]).strip()


# --- scenarios ----------------------------------------------------------------------------------

_SCALE = re.compile(rf"\s*[x×*]\s*({_NUMBER})\s*", re.IGNORECASE)
_STAFF = re.compile(r"\s*([+-])?\s*(\d+)\s*")
_ODDS_KEY = re.compile(r"\s*(\S+?)\s*->\s*(\S+)\s*")


def parse_scale(text: str) -> float | None:
    """The factor in ``x0.8`` (also ``×0.8``, ``*0.8``); None for text that is not written as one."""
    if not re.match(r"\s*[x×*]\s*[-+.\d]", text, re.IGNORECASE):
        return None
    found = _SCALE.fullmatch(text)
    factor = float(found.group(1)) if found else math.nan
    if not math.isfinite(factor) or factor <= 0:
        raise FormError(f"expected a factor above zero such as `x0.8` or `x1.5`, got `{text}`")
    return factor


def format_scale(factor: float) -> str:
    return "x" + format_number(factor)


def parse_staff(text: str) -> tuple[int, bool]:
    """``3`` (so many) or ``+2`` / ``-1`` (a change): ``(n, relative)``."""
    found = _STAFF.fullmatch(text)
    if not found:
        raise FormError(f"expected a number of staff such as `3`, or a change such as `+2` or `-1`, got `{text}`")
    n = int(found.group(2))
    if found.group(1) is None:
        return n, False
    return (-n if found.group(1) == "-" else n), True


def format_staff(n: int, relative: bool) -> str | int:
    return f"{n:+d}" if relative else n


def parse_odds_key(text: str) -> tuple[str, str]:
    """The two action ids of ``a -> b``."""
    found = _ODDS_KEY.fullmatch(text)
    if not found or "->" in found.group(2):
        raise FormError(f"expected a flow `from -> to` such as `check -> approve`, got `{text}`")
    return found.group(1), found.group(2)


# --- the document models ------------------------------------------------------------------------


def _empty_map(value: Any) -> Any:
    """A mapping left empty is an empty mapping."""
    return {} if value is None else value


def _whole(what: str) -> Any:
    def check(value: Any) -> Any:
        value = _not_bool(value, what)
        if isinstance(value, str) and not value.strip().lstrip("+-").isdigit():
            raise PydanticCustomError("expected", "expected {what}, got `{value}`", {"what": what, "value": value})
        return value

    return BeforeValidator(check)


Capacity = Annotated[int, Field(ge=1), _whole("a capacity: a whole number such as `3`")]
ShiftCapacity = Annotated[int, Field(ge=0), _whole("a capacity: a whole number such as `3`")]

DistributionName = Literal["fixed", "exponential", "lognormal", "triangular", "uniform", "empirical"]


class DistributionDoc(DocModel):
    """A random duration written as a mapping, with the parameters its kind takes."""

    distribution: DistributionName = Field(
        description="fixed and exponential take `mean`; lognormal `mean` and `sd`; triangular `low`, `mode` and "
        "`high`; uniform `low` and `high`; empirical (durations measured in the event log) none."
    )
    mean: Text | None = Field(None, description="The mean, a duration such as `5 min`.")
    sd: Text | None = Field(None, description="The standard deviation of a lognormal, a duration such as `2 min`.")
    low: Text | None = Field(None, description="The shortest duration of a triangular or uniform.")
    mode: Text | None = Field(None, description="The most likely duration of a triangular.")
    high: Text | None = Field(None, description="The longest duration of a triangular or uniform.")


DistributionField = Annotated[
    Annotated[Text, Tag(TEXT)] | Annotated[DistributionDoc, Tag(MAP)],
    _shape("a distribution such as `5 min` or `lognormal 5 min ± 2 min`, or a mapping with `distribution`"),
]


class RateWindowDoc(DocModel):
    """Customers arriving at their own rate between two times of day."""

    start: Text = Field(alias="from", description="A time of day such as `08:00`.")
    end: Text = Field(alias="to", description="A time of day such as `12:00`; `24:00` for midnight.")
    rate: Text = Field(description="e.g. `20/h`, `20 per hour`, `300/day`; a bare number is per hour.")


class ArrivalsDoc(DocModel):
    """How customers arrive: a rate, varied by time of day, or the case starts of an event log."""

    rate: Text | None = Field(
        None,
        description="e.g. `12/h`; outside the profile's windows when there is a profile. A bare number is per hour.",
    )
    profile: Annotated[
        list[RateWindowDoc], BeforeValidator(_one_or_many, json_schema_input_type=RateWindowDoc | list[RateWindowDoc])
    ] = Field(default_factory=list, description="Rates by time of day: `{from: '08:00', to: '12:00', rate: 20/h}`.")
    replay: bool = Field(False, description="Replay the case starts of the event log (`stageline simulate --log`).")


ArrivalsField = Annotated[
    Annotated[Text, Tag(TEXT)] | Annotated[ArrivalsDoc, Tag(MAP)],
    _shape("arrivals: a rate such as `12/h`, or a mapping with `rate`, `profile` and `replay`"),
]


class ShiftDoc(DocModel):
    """Staff on duty between two times of day; a shift may run past midnight (`22:00` to `06:00`)."""

    start: Text = Field(alias="from", description="A time of day such as `09:00`.")
    end: Text = Field(alias="to", description="A time of day such as `17:00`; `24:00` for midnight.")
    capacity: ShiftCapacity = Field(description="How many are on duty.")


class ResourceDoc(DocModel):
    """A role or system that actions hold while they run."""

    capacity: Capacity | None = Field(
        None, description="How many can work at once; the largest shift's when left out and shifts are given."
    )
    cost: Text | None = Field(None, description="What an hour of one of them costs: `40/h`; a bare number is per hour.")
    shifts: Annotated[
        list[ShiftDoc], BeforeValidator(_one_or_many, json_schema_input_type=ShiftDoc | list[ShiftDoc])
    ] = Field(default_factory=list, description="When they are on duty; always, when left out.")


ResourceField = Annotated[
    Annotated[Capacity, Tag(TEXT)] | Annotated[ResourceDoc, Tag(MAP)],
    _shape("a resource: a capacity such as `3`, or a mapping with `capacity`, `cost` and `shifts`"),
]


class SimActionDoc(DocModel):
    """How one action behaves in the simulation, beyond what the blueprint says of it."""

    duration: DistributionField | None = Field(None, description="e.g. `lognormal 5 min ± 2 min`.")
    resource: Text | None = Field(
        None, description="The role or system id it holds (by default its role, else its system), or `none`."
    )
    patience: DistributionField | None = Field(None, description="How long customers wait for it before giving up.")
    delay: DistributionField | None = Field(None, description="A wait no resource causes, taken before the action.")


class MoveDoc(DocModel):
    """Take a step out of its place and put it right after another."""

    step: Text = Field(description="The step moved.")
    after: Text = Field(description="The step it comes right after.")


class ScenarioArrivalsDoc(DocModel):
    """A new arrival rate, or a factor on the current one; give one of the two."""

    rate: Text | None = Field(None, description="e.g. `15/h`.")
    scale: Annotated[Number, Field(gt=0)] | None = Field(None, description="e.g. `1.2` for 20% more customers.")


ScenarioArrivalsField = Annotated[
    Annotated[Text, Tag(TEXT)] | Annotated[ScenarioArrivalsDoc, Tag(MAP)],
    _shape("arrivals: a rate such as `15/h`, a factor such as `x1.2`, or a mapping with `rate` or `scale`"),
]
StaffValue = Annotated[Text, Field(description="`3` (so many), or `+2` / `-1` (more or fewer than now).")]
DurationChange = Annotated[
    DistributionField, Field(description="A new distribution (`fixed 4 min`), or a factor on the current one (`x0.8`).")
]


class ScenarioDoc(DocModel):
    """A what-if: changes laid over the blueprint before it is simulated."""

    name: Text = Field(min_length=1, description="Unique among the scenarios.")
    description: Text | None = None
    staff: Annotated[dict[str, StaffValue], BeforeValidator(_empty_map)] = Field(
        default_factory=dict, description="Capacity by resource: `{clerk: +1}`, `{clerk: 3}`."
    )
    durations: Annotated[dict[str, DurationChange], BeforeValidator(_empty_map)] = Field(
        default_factory=dict, description="By action id: a distribution, or a factor such as `x0.8`."
    )
    automate: Texts = Field(default_factory=list, description="Actions that no longer hold a resource.")
    remove: Texts = Field(default_factory=list, description="Actions or steps taken out of the path.")
    move: Annotated[list[MoveDoc], BeforeValidator(_one_or_many, json_schema_input_type=MoveDoc | list[MoveDoc])] = (
        Field(default_factory=list, description="Steps moved: `{step: pay, after: order}`.")
    )
    odds: Annotated[dict[str, ShareValue], BeforeValidator(_empty_map)] = Field(
        default_factory=dict, description="New branch odds by flow: `{check -> approve: 80%}`."
    )
    arrivals: ScenarioArrivalsField | None = Field(
        None, description="`15/h`, `x1.2`, `{rate: 15/h}` or `{scale: 1.2}`."
    )


Scenarios = Annotated[
    list[ScenarioDoc], BeforeValidator(_one_or_many, json_schema_input_type=ScenarioDoc | list[ScenarioDoc])
]


class SimulationDoc(DocModel):
    """Settings for `stageline simulate`."""

    arrivals: ArrivalsField | None = Field(None, description="How customers arrive: `12/h`, or a mapping.")
    horizon: Text | None = Field(None, description="Simulated time per replication, e.g. `8 h`.")
    customers: Annotated[int, Field(ge=1), _whole("a whole number of customers such as `500`")] | None = Field(
        None, description="Simulate this many customers instead of a horizon."
    )
    warmup: Text | None = Field(None, description="Simulated time left out of the figures at the start, e.g. `1 h`.")
    replications: Annotated[int, Field(ge=1, le=1000), _whole("a whole number of replications such as `20`")] | None = (
        Field(None, description="How many times the simulation runs (1 to 1000).")
    )
    seed: Annotated[int, Field(ge=0), _whole("a whole number such as `42`")] | None = Field(
        None, description="Starts the random numbers, for results that repeat."
    )
    patience: DistributionField | None = Field(
        None, description="How long customers wait in a queue before they give up, e.g. `20 min`."
    )
    resources: Annotated[dict[str, ResourceField], BeforeValidator(_empty_map)] = Field(
        default_factory=dict, description="Roles and systems by id: a capacity, or `{capacity, cost, shifts}`."
    )
    actions: Annotated[dict[str, SimActionDoc], BeforeValidator(_empty_map)] = Field(
        default_factory=dict, description="Settings by action id: `duration`, `resource`, `patience`, `delay`."
    )
    scenarios: Scenarios = Field(default_factory=list, description="What-ifs simulated next to the blueprint as it is.")
