"""The built-in rules, one module per method; importing this package registers them all."""

__all__: list[str] = []

from stageline.analysis.rules import (  # noqa: F401
    cost,
    experience,
    fail_points,
    gaps,
    handoffs,
    measured,
    measurement,
    redundancy,
    time,
)
