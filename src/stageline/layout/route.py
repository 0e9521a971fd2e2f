"""Orthogonal arrows that never run through a box.

Boxes sit in columns (steps) and rows (lanes); between columns run vertical gutters and between
rows horizontal gaps, and no box ever lies in either. Every arrow leaves its box sideways and
travels in gutters and gaps only:

- to the next column, it jogs in the gutter between them;
- further forward or back, it runs straight along its own row when the cells in between are
  clear at its height, and otherwise drops into the gap next to its row, crosses to the gutter
  beside its target, and comes back up;
- within one column, it goes straight down (or up) when no box lies between, and otherwise
  brackets round the right-hand side.

Parallel runs in one gutter or gap get tracks of their own (interval colouring), and the
gutters and gaps widen to hold them, so arrows never lie on top of each other.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = ["TRACK", "Plan", "Slot", "assign_tracks", "plan_routes"]

#: Distance between parallel tracks in a gutter or gap.
TRACK = 6.0


@dataclass(frozen=True, slots=True)
class Slot:
    """A box's place: its column and row, and its top and height within the row."""

    id: str
    col: int
    row: int
    top: float
    height: float


@dataclass(slots=True)
class Plan:
    """How one arrow runs, before coordinates are known."""

    index: int  # the arrow's position in the caller's list
    src: Slot
    dst: Slot
    shape: str  # adjacent, straight-src, straight-dst, channel, bracket or direct
    src_side: str  # L, R, T or B
    dst_side: str
    gutters: tuple[int, ...] = ()  # vertical gutters used, in order (gutter k is left of column k)
    gap: int | None = None  # the horizontal gap used (gap r is below row r)
    zone: str = "lower"  # above the gap's line (``upper``) or below it
    gap_track: int = 0
    src_y: float = 0.0  # port offsets within the box (filled in later)
    dst_y: float = 0.0
    x_track: int = 0  # for direct arrows: the track within the column
    tracks: list[int] = field(default_factory=list)  # one per vertical segment in gutters


def plan_routes(pairs: Sequence[tuple[Slot, Slot]], obstacles: Iterable[Slot]) -> list[Plan]:
    """Decide the shape of each arrow from ``src`` to ``dst``."""
    by_cell: dict[tuple[int, int], list[Slot]] = defaultdict(list)
    by_col: dict[int, list[Slot]] = defaultdict(list)
    for slot in obstacles:
        by_cell[slot.col, slot.row].append(slot)
        by_col[slot.col].append(slot)

    # Straight runs already planned through empty cells, by cell: the heights they take.
    runs: dict[tuple[int, int], list[tuple[float, float]]] = defaultdict(list)

    def clear(row: int, cols: range, top: float, bottom: float) -> bool:
        """Whether a straight run at this height meets no box, and no other straight run, in ``cols``."""
        for c in cols:
            if any(s.top < bottom + 4 and top - 4 < s.top + s.height for s in by_cell.get((c, row), ())):
                return False
            if any(t < bottom + 4 and top - 4 < b for t, b in runs.get((c, row), ())):
                return False
        return True

    def claim(row: int, cols: range, top: float, bottom: float) -> None:
        for c in cols:
            runs[c, row].append((top, bottom))

    plans: list[Plan] = []
    for index, (src, dst) in enumerate(pairs):
        i, j = src.col, dst.col
        forward = j > i
        if i == j:
            between = [s for s in by_col[i] if s.id not in (src.id, dst.id) and _between(s, src, dst)]
            if not between:
                down = (src.row, src.top) < (dst.row, dst.top)
                plans.append(Plan(index, src, dst, "direct", "B" if down else "T", "T" if down else "B"))
            else:
                plans.append(Plan(index, src, dst, "bracket", "R", "R", gutters=(i + 1,)))
            continue
        out_side, in_side = ("R", "L") if forward else ("L", "R")
        near_src = i + 1 if forward else i  # the gutter beside the source, towards the target
        near_dst = j if forward else j + 1  # the gutter beside the target, towards the source
        if near_src == near_dst:
            plans.append(Plan(index, src, dst, "adjacent", out_side, in_side, gutters=(near_src,)))
            continue
        middle = range(i + 1, j) if forward else range(j + 1, i)
        if clear(src.row, middle, src.top, src.top + src.height):
            claim(src.row, middle, src.top, src.top + src.height)
            plans.append(Plan(index, src, dst, "straight-src", out_side, in_side, gutters=(near_dst,)))
        elif clear(dst.row, middle, dst.top, dst.top + dst.height):
            claim(dst.row, middle, dst.top, dst.top + dst.height)
            plans.append(Plan(index, src, dst, "straight-dst", out_side, in_side, gutters=(near_src,)))
        else:
            # Stay on the source's side of the gap's line: a flow within one row never crosses it.
            gap, zone = (src.row, "upper") if dst.row >= src.row else (src.row - 1, "lower")
            plans.append(
                Plan(index, src, dst, "channel", out_side, in_side, gutters=(near_src, near_dst), gap=gap, zone=zone)
            )
    return plans


def _between(s: Slot, a: Slot, b: Slot) -> bool:
    lo, hi = sorted(((a.row, a.top), (b.row, b.top)))
    return lo < (s.row, s.top) < hi


def assign_tracks(intervals: Sequence[tuple[float, float]]) -> tuple[list[int], int]:
    """A track for each closed interval so that overlapping ones differ; returns them and the count.

    Greedy colouring in order of start uses the fewest tracks an interval graph needs.
    """
    order = sorted(range(len(intervals)), key=lambda k: (intervals[k][0], intervals[k][1], k))
    tracks = [0] * len(intervals)
    busy: list[tuple[float, int]] = []  # (end, track)
    free: list[int] = []
    count = 0
    for k in order:
        start, end = intervals[k]
        while busy and busy[0][0] < start:
            heapq.heappush(free, heapq.heappop(busy)[1])
        if free:
            track = heapq.heappop(free)
        else:
            track = count
            count += 1
        tracks[k] = track
        heapq.heappush(busy, (end, track))
    return tracks, count
