"""The order of lanes and extra rows from top to bottom."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from stageline.model.blueprint import Blueprint, Row
from stageline.model.vocabulary import Lane

__all__ = ["bottom_row", "row_order"]


def row_order(bp: Blueprint) -> list[str]:
    """Lane and row ids from top to bottom.

    A row sits under the lane or row named by its ``after`` (rows under the same place keep file
    order); ``top`` rows come first, rows without ``after`` (or with an unknown or circular one)
    at the bottom.
    """
    places = {lane.value for lane in Lane} | {r.id for r in bp.rows}
    children: dict[str, list[str]] = defaultdict(list)
    roots: list[str] = []
    bottom: list[str] = []
    for row in bp.rows:
        if row.after == "top":
            roots.append(row.id)
        elif row.after is None or row.after not in places or row.after == row.id:
            bottom.append(row.id)
        else:
            children[row.after].append(row.id)
    order: list[str] = []
    done: set[str] = set()

    def emit(name: str) -> None:
        if name in done:
            return
        done.add(name)
        order.append(name)
        for child in children.get(name, ()):
            emit(child)

    for name in [*roots, *(lane.value for lane in Lane), *bottom]:
        emit(name)
    order.extend(r.id for r in bp.rows if r.id not in done)  # circular placements
    return order


def bottom_row(rows: Sequence[Row]) -> str:
    """Where `implementation: true` puts the line of implementation: under the last bottom row."""
    below = [r.id for r in rows if r.after is None]
    return below[-1] if below else Lane.SUPPORT.value
