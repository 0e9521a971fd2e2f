"""A registry of small named checks; each takes a blueprint and yields problems.

Problems from checks carry a model path (``("actions", 7, "role")``); :func:`validate` maps it to
the place in the file the blueprint came from, when there is one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from stageline.errors import Problem
from stageline.model import Blueprint

__all__ = ["CHECKS", "Check", "check"]


@dataclass(frozen=True)
class Check:
    """A named check: ``code`` prefixes its problems, ``title`` says what it looks for."""

    code: str
    title: str
    run: Callable[[Blueprint], Iterable[Problem]]


CHECKS: dict[str, Check] = {}


def check(
    code: str, title: str
) -> Callable[[Callable[[Blueprint], Iterable[Problem]]], Callable[[Blueprint], Iterable[Problem]]]:
    """Register a check under ``code``; built-in checks register this way too."""

    def register(fn: Callable[[Blueprint], Iterable[Problem]]) -> Callable[[Blueprint], Iterable[Problem]]:
        if code in CHECKS:
            raise ValueError(f"a check named {code!r} is already registered")
        CHECKS[code] = Check(code, title, fn)
        return fn

    return register
