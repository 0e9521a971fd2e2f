"""How a transition seen in a log relates to the blueprint's flows.

The log shows only the actions bound to activities; customer actions and evidence seldom leave
events. So a transition a -> b is *drawn* when the blueprint has a path from a to b whose actions
in between are all unseen ones; a *skip* when every path from a to b passes actions the log
would show, which the case skipped; and *missing* when the blueprint has no path from a to b.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from stageline.model import Blueprint, FlowKind

__all__ = ["Graph"]


class Graph:
    """The blueprint's flows as a directed graph, with which actions the log can see."""

    def __init__(self, bp: Blueprint, bound: Iterable[str]) -> None:
        self.bound = frozenset(bound)
        self.next: dict[str, list[str]] = {}
        for flow in bp.flows:
            self.next.setdefault(flow.source, []).append(flow.target)
            if flow.kind is FlowKind.CODEPENDENCY:
                self.next.setdefault(flow.target, []).append(flow.source)

    def _path(self, source: str, target: str, *, hidden_only: bool) -> list[str] | None:
        """The actions between source and target on a shortest path (through actions the log
        cannot see only, with ``hidden_only``), or None without one."""
        parent: dict[str, str] = {}
        seen = {source}
        todo = deque([source])
        while todo:
            node = todo.popleft()
            for nxt in self.next.get(node, ()):
                if nxt == target:
                    path = []
                    while node != source:
                        path.append(node)
                        node = parent[node]
                    return path[::-1]
                if nxt not in seen and not (hidden_only and nxt in self.bound):
                    seen.add(nxt)
                    parent[nxt] = node
                    todo.append(nxt)
        return None

    def drawn(self, source: str, target: str) -> bool:
        """Whether a path source -> target passes only actions the log cannot see."""
        return self._path(source, target, hidden_only=True) is not None

    def skipped(self, source: str, target: str) -> tuple[str, ...] | None:
        """The seen actions on the shortest path source -> target, or None without a path."""
        path = self._path(source, target, hidden_only=False)
        return None if path is None else tuple(a for a in path if a in self.bound)

    def observable_flows(self, bp: Blueprint) -> list[tuple[str, str]]:
        """Flows between two actions the log can see, each once."""
        out: list[tuple[str, str]] = []
        for flow in bp.flows:
            pair = (flow.source, flow.target)
            if flow.source in self.bound and flow.target in self.bound and pair not in out:
                out.append(pair)
        return out
