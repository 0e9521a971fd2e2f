"""Write document data as YAML or JSON text, merging into the original YAML when there is one.

Merging keeps the user's comments, key order and shorthand wherever the meaning is unchanged;
the caller checks that the merged text reads back to the same blueprint.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from stageline.formats.document import FLOW_KEYS
from stageline.formats.flowtext import FlowSyntaxError, parse_flow
from stageline.formats.tree import resolver_class
from stageline.model import Flow, FlowKind
from stageline.model.timing import parse_timing

__all__ = ["emit_json", "emit_yaml", "merge_yaml"]

_TIMING_KEYS = {"duration", "wait", "expected", "tolerance"}
_SHORT_KEYS = ("label", "name", "cause", "url")


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt", pure=True)
    yaml.Resolver = resolver_class()
    yaml.default_flow_style = False
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 2**30  # never fold a long text onto a second line
    yaml.allow_unicode = True
    yaml.preserve_quotes = True
    yaml.representer.add_representer(str, _represent_str)
    return yaml


#: Line breaks YAML 1.1 readers honour that the emitter would write raw in single quotes.
_ODD_BREAKS = ("\x85", "\u2028", "\u2029")


def _represent_str(representer: Any, data: str) -> Any:
    if any(c in data for c in _ODD_BREAKS):
        return representer.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    return representer.represent_str(data)


def emit_yaml(data: Any, header: str | None = None) -> str:
    buf = io.StringIO()
    if header:
        buf.write(header.rstrip("\n") + "\n")
    _yaml().dump(data, buf)
    return buf.getvalue()


def emit_json(data: Any) -> str:
    def default(value: Any) -> Any:
        if isinstance(value, dt.date):
            return value.isoformat()
        raise TypeError(f"cannot write {type(value).__name__} as JSON")

    return json.dumps(data, indent=2, ensure_ascii=False, default=default) + "\n"


def merge_yaml(source: str, data: Any, conservative: bool = False) -> str:
    """``data`` written into the YAML text ``source``, keeping what can be kept.

    ``conservative`` also keeps keys the data leaves out (explicit defaults such as
    ``status: as-is``) and adds no `id` or `name` the source leaves to be derived.
    """
    yaml = _yaml()
    tree = yaml.load(source)
    merged = _Merger(conservative).merge(tree, data, None)
    buf = io.StringIO()
    yaml.dump(merged, buf)
    return buf.getvalue()


class _Merger:
    def __init__(self, conservative: bool) -> None:
        self.conservative = conservative

    def merge(self, old: Any, new: Any, key: str | None) -> Any:
        from ruamel.yaml.comments import CommentedMap, CommentedSeq

        if isinstance(old, CommentedMap) and isinstance(new, dict):
            return self.mapping(old, new)
        if isinstance(old, CommentedSeq) and isinstance(new, list):
            keep = _unchanged_flow_items(old, new) if key == "flows" else 0
            return self.sequence(old, new, keep, "flow" if key == "flows" else None)
        if isinstance(old, CommentedSeq) and len(old) == 1 and not isinstance(new, list):
            old[0] = self.merge(old[0], new, key)  # one item written as a list: keep the list
            return old
        if isinstance(new, list) and len(new) == 1 and old is not None and not isinstance(old, list):
            return self.merge(old, new[0], key)  # one item written without the list: keep it so
        return _merge_value(old, new, key)

    def sequence(self, old: Any, new: list[Any], keep: int, item_key: str | None) -> Any:
        """``old[:keep]`` stand as they are (they say what ``new`` says); the rest pair by index."""
        start = sum(len(_as_flows(item) or ()) for item in old[:keep]) if keep else 0
        rest = new[start:]
        for i, v in enumerate(rest):
            if keep + i < len(old):
                old[keep + i] = self.merge(old[keep + i], v, item_key)
            else:
                old.append(v)
        while len(old) > keep + len(rest):
            old.pop()
        return old

    def mapping(self, old: Any, new: dict[str, Any]) -> Any:
        for k in list(old.keys()):
            if k not in new and not self.conservative and not _says_the_default(k, old[k]):
                del old[k]
        previous = -1
        for k, v in new.items():
            if k in old:
                old[k] = self.merge(old[k], v, str(k))
                previous = list(old.keys()).index(k)
            elif self.conservative and k in ("id", "name") and ("id" in old or "name" in old):
                continue
            else:
                previous += 1
                old.insert(previous, k, v)
        return old


#: Values the canonical form leaves out because they are what an absent key means.
_DEFAULTS = {"status": "as-is", "zoom": "detail", "kind": "dependency"}


def _says_the_default(key: str, value: Any) -> bool:
    """An explicit default (``status: as-is``, ``tags: []``): keep it where the user wrote it."""
    if value is None or (isinstance(value, (list, dict, str)) and not value):
        return True
    return bool(_DEFAULTS.get(key) == value)


def _merge_value(old: Any, new: Any, key: str | None) -> Any:
    from ruamel.yaml.comments import CommentedMap

    if key == "flow" and _same_flow(old, new):
        return old  # the same flow, in the spelling the user chose
    if isinstance(old, CommentedMap) and not isinstance(new, (dict, list)):
        short = [k for k in _SHORT_KEYS if k in old]
        rest = [k for k in old if k not in ("id", *_SHORT_KEYS)]
        if len(short) == 1 and not rest and _same(old[short[0]], new, None):
            return old
        return new
    if not isinstance(old, (dict, list)) and not isinstance(new, (dict, list)):
        return old if _same(old, new, key) else new
    return new


def _same(old: Any, new: Any, key: str | None) -> bool:
    if isinstance(old, bool) or isinstance(new, bool):
        return old is new
    if old == new or str(old) == str(new):
        return True
    if key in _TIMING_KEYS and isinstance(old, str) and isinstance(new, str):
        try:
            return parse_timing(old) == parse_timing(new)
        except ValueError:
            return False
    return False


def _as_flows(value: Any) -> list[Flow] | None:
    """The flows a written flow item means, in any of its spellings; None if it is not one."""
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) not in FLOW_KEYS:
        ((head, label),) = value.items()
        value = f"{head}: {label}"
    try:
        if isinstance(value, str):
            return parse_flow(value)
        if isinstance(value, dict):
            kind = FlowKind(value.get("kind", "dependency"))
            return [
                Flow(
                    source=value["from"],
                    target=value["to"],
                    kind=kind,
                    label=value.get("label"),
                    probability=value.get("probability"),
                )
            ]
    except (FlowSyntaxError, KeyError, ValueError, TypeError):
        return None
    return None


def _unchanged_flow_items(old: list[Any], new: list[Any]) -> int:
    """How many leading items of ``old`` (chains included) say exactly the first flows of ``new``."""
    position = 0
    for count, item in enumerate(old):
        flows = _as_flows(item)
        if not flows:
            return count
        written = [f for v in new[position : position + len(flows)] for f in (_as_flows(v) or ())]
        if written != flows:
            return count
        position += len(flows)
    return len(old)


def _same_flow(old: Any, new: Any) -> bool:
    flows = _as_flows(old)
    return flows is not None and flows == _as_flows(new)
