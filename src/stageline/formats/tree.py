"""Parse YAML or JSON text into plain values plus a map of where each value came from.

YAML is composed with ruamel.yaml's C parser (libyaml), which keeps the line and column of
every node; JSON goes through a small parser of its own for the same reason. Both refuse
duplicate keys, cap nesting depth and cap what aliases may expand to (YAML "alias bombs").
"""

from __future__ import annotations

import bisect
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from stageline.errors import Location, ParseError, Problem

__all__ = [
    "MAX_ALIAS_NODES",
    "MAX_DEPTH",
    "Path",
    "SourceMap",
    "WrittenFloat",
    "WrittenInt",
    "parse_json",
    "parse_yaml",
    "resolver_class",
]

Path = tuple[str | int, ...]

#: Deepest nesting of mappings and lists accepted; blueprints need fewer than ten levels.
MAX_DEPTH = 64
#: Most nodes that aliases (``*name``) may add when expanded.
MAX_ALIAS_NODES = 100_000


class WrittenInt(int):
    """An integer that remembers how it was written (``0800``), for fields that take text."""

    written: str


class WrittenFloat(float):
    """A number that remembers how it was written (``2026.10``), for fields that take text."""

    written: str


def _written(value: int | float, text: str) -> int | float:
    number: WrittenInt | WrittenFloat = WrittenInt(value) if isinstance(value, int) else WrittenFloat(value)
    number.written = text
    return number


@dataclass
class SourceMap:
    """Where each value (and each mapping key) of a parsed document starts in its file."""

    file: str = "<string>"
    values: dict[Path, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path, tuple[int, int]] = field(default_factory=dict)
    text: str = ""

    def locate_text(self, path: Sequence[str | int], needle: str) -> Location:
        """Where ``needle`` appears in the one-line value at ``path`` (a flow's action id, say)."""
        loc = self.locate(path)
        if loc.line > 0 and needle:
            line = self.text.split("\n", loc.line)[loc.line - 1] if self.text else ""
            whole = re.compile(rf"(?<![\w.-]){re.escape(needle)}(?![\w.-])")
            found = whole.search(line, loc.column - 1)
            if found:
                return Location(self.file, loc.line, found.start() + 1)
        return loc

    def locate(self, path: Sequence[str | int], key: bool = False) -> Location:
        """The location of ``path``, or of its nearest ancestor the file spells out."""
        p = tuple(path)
        while True:
            if key and p in self.keys:
                line, col = self.keys[p]
                return Location(self.file, line, col)
            if p in self.values:
                line, col = self.values[p]
                return Location(self.file, line, col)
            if not p:
                return Location(self.file, 1 if self.values or self.keys else 0, 1 if self.values else 0)
            p = p[:-1]
            key = False


def _error(smap: SourceMap, code: str, message: str, line: int, col: int, hint: str | None = None) -> ParseError:
    return ParseError(Problem(code, message, location=Location(smap.file, line, col), hint=hint))


# ---------------------------------------------------------------------------------------- YAML

_TAG = "tag:yaml.org,2002:"
_YAML_HINTS = (
    (
        "mapping values are not allowed",
        "a `: ` inside a value, or a key indented too far; put text that contains `: ` in quotes",
    ),
    ("but found another document", "a second document (`---`); a blueprint file holds one"),
    ("expected a single document", "a second document (`---`); a blueprint file holds one"),
    (
        "cannot start any token",
        "a character that cannot start a plain text (`@`, `` ` ``, `%`); put the text in quotes",
    ),
    ("found unexpected ':'", "an unexpected `:`; put text that contains `:` (an address, a time) in quotes"),
    ("found undefined alias", "an alias (`*name`) with no anchor (`&name`) before it"),
    ("did not find expected key", "the indentation does not line up with the keys above"),
    ("found unknown escape character", "an unknown escape in a double-quoted text; use single quotes"),
)


def parse_yaml(text: str, file: str = "<string>") -> tuple[Any, SourceMap]:
    """The document in ``text`` and its source map; raises ParseError with file:line:col."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError
    from ruamel.yaml.reader import ReaderError

    smap = SourceMap(file, text=text)
    _refuse_deep_flow_nesting(text, smap)
    yaml = YAML(typ="safe", pure=False)
    yaml.Resolver = resolver_class()
    try:
        node = yaml.compose(text)
    except ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - text.rfind("\n", 0, exc.position)
        char = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise _error(
            smap,
            "syntax.character",
            f"a control character ({char}) that YAML does not allow",
            line,
            col,
            hint="remove it",
        ) from None
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "not valid YAML"
        if "end of stream" in problem and exc.context_mark is not None and "quoted" in (exc.context or ""):
            mark, problem = exc.context_mark, "a quoted text that is never closed"
        message = problem
        for needle, kind in _YAML_HINTS:
            if needle in problem:
                message = kind
                break
        line, col = (mark.line + 1, mark.column + 1) if mark is not None else (0, 0)
        if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
            message = "a tab is used for indentation; YAML indents with spaces"
        raise _error(smap, "syntax.yaml", f"YAML syntax: {message}", line, col) from None
    except YAMLError as exc:
        raise _error(smap, "syntax.yaml", f"YAML syntax: {exc}", 0, 0) from None
    if node is None:
        return None, smap
    builder = _YamlBuilder(smap)
    value = builder.build(node, (), 0)
    return value, smap


_BRACKETS = re.compile(r"[\[\]{}]")
#: libyaml's composer recurses once per `[` or `{`; tens of thousands overflow the C stack.
_FLOW_DEPTH_GUARD = 5_000


def _refuse_deep_flow_nesting(text: str, smap: SourceMap) -> None:
    """Refuse absurd ``[[[[...`` nesting before libyaml sees it (brackets in quotes count too)."""
    depth = 0
    for m in _BRACKETS.finditer(text):
        if m.group() in "[{":
            depth += 1
            if depth > _FLOW_DEPTH_GUARD:
                line = text.count("\n", 0, m.start()) + 1
                col = m.start() - text.rfind("\n", 0, m.start())
                raise _error(smap, "syntax.too-deep", f"nested more than {MAX_DEPTH} levels deep", line, col)
        elif depth:
            depth -= 1


def resolver_class() -> Any:
    """ruamel.yaml's YAML 1.2 resolver, looking up its version table once per document.

    The stock resolver recomputes which table applies for every scalar; on large files that is
    a third of the parse time.
    """
    from ruamel.yaml.resolver import VersionedResolver

    class _Resolver(VersionedResolver):
        @property
        def versioned_resolver(self) -> Any:
            table = self.__dict__.get("_stageline_table")
            if table is None:
                table = self.__dict__["_stageline_table"] = super().versioned_resolver
            return table

    return _Resolver


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line + 1)
    if line < len(lines) and column < len(lines[line]):
        return lines[line][column]
    return ""


class _YamlBuilder:
    def __init__(self, smap: SourceMap) -> None:
        self.smap = smap
        self.alias_nodes = 0
        self.seen: set[int] = set()

    def _at(self, node: Any) -> tuple[int, int]:
        return node.start_mark.line + 1, node.start_mark.column + 1

    def build(self, node: Any, path: Path, depth: int) -> Any:
        smap = self.smap
        key = id(node)
        aliased = key in self.seen
        self.seen.add(key)
        if aliased:
            self.alias_nodes += 1
            if self.alias_nodes > MAX_ALIAS_NODES:
                line, col = self._at(node)
                raise _error(
                    smap,
                    "syntax.alias-bomb",
                    f"aliases expand to more than {MAX_ALIAS_NODES:,} values (a YAML alias bomb?)",
                    line,
                    col,
                )
        smap.values.setdefault(path, self._at(node))
        kind = node.id
        if kind == "scalar":
            return self._scalar(node)
        if depth >= MAX_DEPTH:
            line, col = self._at(node)
            raise _error(smap, "syntax.too-deep", f"nested more than {MAX_DEPTH} levels deep", line, col)
        if kind == "sequence":
            self._plain_tag(node, "seq")
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        self._plain_tag(node, "map")
        return self._mapping(node, path, depth)

    def _plain_tag(self, node: Any, kind: str) -> None:
        if node.tag != _TAG + kind:
            line, col = self._at(node)
            raise _error(self.smap, "syntax.tag", f"unsupported YAML tag `{node.tag}`", line, col)

    def _mapping(self, node: Any, path: Path, depth: int) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first: dict[str, tuple[int, int]] = {}
        pairs = list(node.value)
        merged: list[Any] = []
        for knode, vnode in pairs:
            if knode.tag == _TAG + "merge":
                merged.extend(vnode.value if vnode.id == "sequence" else [vnode])
                continue
            if knode.id != "scalar":
                line, col = self._at(knode)
                raise _error(self.smap, "syntax.key", "a mapping key must be a plain name", line, col)
            name = str(knode.value)
            at = self._at(knode)
            if name in first:
                line, col = at
                raise _error(
                    self.smap,
                    "syntax.duplicate-key",
                    f"duplicate key `{name}` (first given at line {first[name][0]})",
                    line,
                    col,
                    hint="remove one of them or merge their contents",
                )
            first[name] = at
            child = (*path, name)
            self.smap.keys[child] = at
            out[name] = self.build(vnode, child, depth + 1)
        for mnode in merged:
            if mnode.id != "mapping":
                line, col = self._at(mnode)
                raise _error(self.smap, "syntax.merge", "`<<` must merge a mapping", line, col)
            extra = self._mapping(mnode, path, depth)
            for k, v in extra.items():
                out.setdefault(k, v)
        return out

    def _scalar(self, node: Any) -> Any:
        tag: str = node.tag
        value: str = node.value
        if tag == _TAG + "str" or tag == _TAG + "timestamp":
            return value
        if tag == _TAG + "int":
            text = value.replace("_", "")
            try:
                return _written(int(text), value)
            except ValueError:
                try:
                    return _written(int(text, 0), value)
                except ValueError:
                    return value
        if tag == _TAG + "float":
            low = value.lower().replace("_", "")
            if low in (".inf", "+.inf"):
                return _written(math.inf, value)
            if low == "-.inf":
                return _written(-math.inf, value)
            if low == ".nan":
                return _written(math.nan, value)
            try:
                return _written(float(low), value)
            except ValueError:
                return value
        if tag == _TAG + "bool":
            return value.lower() == "true"
        if tag == _TAG + "null":
            return None
        line, col = self._at(node)
        raise _error(self.smap, "syntax.tag", f"unsupported YAML tag `{tag}`", line, col)


# ---------------------------------------------------------------------------------------- JSON

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")
_STRING = re.compile(r'"(?:[^"\\\x00-\x1f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"')
_LITERALS = {"true": True, "false": False, "null": None}
_SURROGATE = re.compile("[\ud800-\udfff]")


def parse_json(text: str, file: str = "<string>") -> tuple[Any, SourceMap]:
    """The JSON document in ``text`` and its source map; raises ParseError with file:line:col."""
    smap = SourceMap(file, text=text)
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def pos(offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    def fail(offset: int, message: str, code: str = "syntax.json") -> ParseError:
        line, col = pos(offset)
        return _error(smap, code, f"JSON syntax: {message}", line, col)

    def skip(i: int) -> int:
        m = _WS.match(text, i)
        return m.end() if m else i

    def value(i: int, path: Path, depth: int) -> tuple[Any, int]:
        i = skip(i)
        smap.values.setdefault(path, pos(i))
        if i >= len(text):
            raise fail(i, "expected a value, found the end of the file")
        ch = text[i]
        if ch in "{[" and depth >= MAX_DEPTH:
            line, col = pos(i)
            raise _error(smap, "syntax.too-deep", f"nested more than {MAX_DEPTH} levels deep", line, col)
        if ch == "{":
            return obj(i + 1, path, depth)
        if ch == "[":
            return arr(i + 1, path, depth)
        if ch == '"':
            return string(i)
        m = _NUMBER.match(text, i)
        if m:
            raw = m.group(0)
            number: float | int = float(raw) if (m.group(1) or m.group(2)) else int(raw)
            return _written(number, raw), m.end()
        for word, lit in _LITERALS.items():
            if text.startswith(word, i):
                return lit, i + len(word)
        if text.startswith("//", i) or text.startswith("/*", i):
            raise fail(i, "JSON has no comments")
        if not path:
            raise fail(
                i, f"expected `{{` to open the document, found `{text[i]}` (is this YAML? name the file `.yaml`)"
            )
        raise fail(i, f"expected a value, found `{text[i]}`")

    def string(i: int) -> tuple[str, int]:
        m = _STRING.match(text, i)
        if not m:
            raise fail(i, "unterminated or malformed string")
        try:
            decoded = str(json.loads(m.group(0)))
        except ValueError:  # pragma: no cover - the pattern admits only valid strings
            raise fail(i, "malformed string") from None
        bad = _SURROGATE.search(decoded)
        if bad:
            raise fail(i, "a `\\u` escape names half of a character pair (a lone surrogate)")
        return decoded, m.end()

    def obj(i: int, path: Path, depth: int) -> tuple[dict[str, Any], int]:
        out: dict[str, Any] = {}
        i = skip(i)
        if i < len(text) and text[i] == "}":
            return out, i + 1
        while True:
            i = skip(i)
            if i < len(text) and text[i] == "}":
                raise fail(i, "a comma before `}`; JSON allows none after the last item")
            if text.startswith("//", i) or text.startswith("/*", i):
                raise fail(i, "JSON has no comments")
            if i >= len(text) or text[i] != '"':
                raise fail(i, "expected a key in double quotes")
            key_at = pos(i)
            key, i = string(i)
            if key in out:
                line, col = key_at
                raise _error(
                    smap,
                    "syntax.duplicate-key",
                    f"duplicate key `{key}`",
                    line,
                    col,
                    hint="remove one of them or merge their contents",
                )
            i = skip(i)
            if i >= len(text) or text[i] != ":":
                raise fail(i, "expected `:` after the key")
            child = (*path, key)
            smap.keys[child] = key_at
            out[key], i = value(i + 1, child, depth + 1)
            i = skip(i)
            if i < len(text) and text[i] == ",":
                i += 1
                continue
            if i < len(text) and text[i] == "}":
                return out, i + 1
            raise fail(i, "expected `,` or `}`")

    def arr(i: int, path: Path, depth: int) -> tuple[list[Any], int]:
        out: list[Any] = []
        i = skip(i)
        if i < len(text) and text[i] == "]":
            return out, i + 1
        while True:
            if out and skip(i) < len(text) and text[skip(i)] == "]":
                raise fail(skip(i), "a comma before `]`; JSON allows none after the last item")
            item, i = value(i, (*path, len(out)), depth + 1)
            out.append(item)
            i = skip(i)
            if i < len(text) and text[i] == ",":
                i += 1
                continue
            if i < len(text) and text[i] == "]":
                return out, i + 1
            raise fail(i, "expected `,` or `]`")

    if not text.strip():
        return None, smap
    doc, end = value(0, (), 0)
    end = skip(end)
    if end != len(text):
        raise fail(end, "extra text after the document")
    return doc, smap
