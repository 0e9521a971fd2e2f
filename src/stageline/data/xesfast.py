"""The fast path of the XES reader: a run of plain traces decoded at C speed, or refused.

Most XES files come from a few writers (OpenXES, ProM, pm4py, Disco...) in one regular shape,
and an XML parser calling Python back for every element spends most of an import on them. The
reader (:mod:`stageline.data.xeslog`) hands this module a run of whole traces, from a
``<trace>`` to a ``</trace>``, and :func:`decode` either returns its events, the same ones an
XML parser finds, or refuses the run. It accepts a run only when every byte of it is in this
shape:

* between tags, only whitespace (space, tab, CR, LF);
* ``<trace>``, ``</trace>``, ``<event>``, ``</event>``, ``<trace/>`` and ``<event/>``
  (whitespace allowed before the ``>`` or ``/>``), events only inside traces;
* attributes written ``<TYPE key="K" value="V"/>``: TYPE one of ``string``, ``date``, ``int``,
  ``float``, ``boolean``, ``id``; whitespace between the name and each attribute; double quotes;
  ``key`` before ``value`` and no other attribute; whitespace allowed before ``/>``;
* keys without ``&``, ``<`` or control characters; values without ``<``, control characters,
  tabs or line breaks, whose every ``&`` starts one of the five predefined entities or a
  character reference to a character XML allows (both decoded, as an XML parser does);
* text that is UTF-8, without the non-characters U+FFFE and U+FFFF;
* a trace attribute the mapping asks for (``case:KEY``) before the trace's first event, and no
  key the mapping asks for twice in one event or one trace.

Anything else refuses the run: comments, CDATA, processing instructions, nested attributes
(lists, containers, an attribute element with children), single quotes, ``value`` before
``key``, another entity, a value over several lines, text between tags, a tag that is cut or
not closed, bytes that are not UTF-8. A refused run is read by expat, the exact parser, so
what such a file yields never depends on the fast path; a refusal only says where the first
unusual byte is, so the reader can hand expat as little as possible.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["Decoded", "Plan", "decode"]

#: The reader splits a run at every ``value="`` and each piece at its first quote. What lies
#: between two values (a "tail") closes one attribute element, may open or close events and
#: traces, and opens the next attribute element up to its key: its shape is checked once per
#: distinct tail.
_VALUE = b'value="'
_TAIL = re.compile(
    rb"(?P<close>[ \t\r\n]*/>)?"
    rb"(?P<mid>(?:[ \t\r\n]+|</?(?:event|trace)[ \t\r\n]*/?>)*)"
    rb'(?:<(?:string|date|int|float|boolean|id)[ \t\r\n]+key="(?P<key>[^"<&\x00-\x1f]*)"[ \t\r\n]+)?'
)
_TAG = re.compile(rb"<(/?)(event|trace)[ \t\r\n]*(/?)>")
#: Bytes a value may not hold as such: ``<`` is not well-formed, control characters are not XML
#: characters, and tabs and line breaks are turned into spaces by XML attribute normalisation.
_BAD = bytes(range(32)) + b"<"
_BAD_AT = re.compile(rb"[\x00-\x1f<]")
_REFERENCE = re.compile(rb"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));")
_NAMED = {b"amp": "&", b"lt": "<", b"gt": ">", b"quot": '"', b"apos": "'"}
_NONCHARS = (b"\xef\xbf\xbe", b"\xef\xbf\xbf")  # U+FFFE, U+FFFF: valid UTF-8, not XML characters

#: Where the parser stands: at the top (in the root element, outside traces), in a trace before
#: its first event, in an event, in a trace after an event.
_TOP, _TRACE, _EVENT, _AFTER = 0, 1, 2, 3


@dataclass(frozen=True, slots=True)
class Plan:
    """The keys the mapping asks for: event keys and trace keys (``case:KEY`` without ``case:``)."""

    fields: tuple[str, ...]
    event_keys: dict[str, str]
    trace_keys: dict[str, str]


@dataclass(frozen=True, slots=True)
class Decoded:
    """The events of a run, in file order."""

    events: int
    #: Line breaks between the start of the run and each event's ``<event`` tag.
    lines: pa.Array
    #: Field -> text of each event (event attribute, else its trace's); absent fields are null.
    columns: dict[str, pa.Array]
    #: Fields some event of the run has (counting trace attributes), as the exact reader counts.
    seen: frozenset[str]
    #: Line breaks in the whole run.
    newlines: int


@dataclass(frozen=True, slots=True)
class _Tail:
    close: bool  # closes the attribute element before it (``/>``)
    key: str | None  # key of the attribute element it opens, None if it opens none
    starts: int  # bit s set: its tags may follow state s
    end: int | None  # the state after its tags; None when it has no tag
    events: tuple[tuple[int, int], ...]  # per event it opens: (line breaks before, traces opened before)
    traces: int  # traces it opens
    newlines: int


def _newlines(text: bytes) -> int:
    """Line breaks as XML counts them: LF, CR LF and a lone CR each end a line."""
    return text.count(b"\n") + text.count(b"\r") - text.count(b"\r\n")


def _step(state: int, closing: bool, name: bytes, empty: bool) -> int:
    """The state after a tag, or -1 if the tag cannot stand there."""
    if closing and empty:
        return -1
    if name == b"trace":
        if closing:
            return _TOP if state in (_TRACE, _AFTER) else -1
        if state != _TOP:
            return -1
        return _TOP if empty else _TRACE
    if closing:
        return _AFTER if state == _EVENT else -1
    if state not in (_TRACE, _AFTER):
        return -1
    return _AFTER if empty else _EVENT


def _classify(tail: bytes) -> _Tail | None:
    found = _TAIL.fullmatch(tail)
    if found is None:
        return None
    mid_start, mid_end = found.span("mid")
    tags: list[tuple[bool, bytes, bool, int]] = []
    at = mid_start
    for tag in _TAG.finditer(tail, mid_start, mid_end):
        if tail[at : tag.start()].strip(b" \t\r\n"):
            return None
        tags.append((tag.group(1) == b"/", tag.group(2), tag.group(3) == b"/", tag.start()))
        at = tag.end()
    if tail[at:mid_end].strip(b" \t\r\n"):
        return None
    key = found.group("key")
    starts = 0
    end: int | None = None
    for first in range(4):
        state = first
        for closing, name, empty, _ in tags:
            state = _step(state, closing, name, empty)
            if state < 0:
                break
        if state >= 0:
            starts |= 1 << first
            end = state  # the last tag alone decides the state after it
    if tags and not starts:
        return None
    events: list[tuple[int, int]] = []
    traces = 0
    for closing, name, empty, position in tags:
        if closing:
            continue
        if name == b"trace":
            traces += 0 if empty else 1
        else:
            events.append((_newlines(tail[:position]), traces))
    return _Tail(
        close=found.group("close") is not None,
        key=None if key is None else key.decode("utf-8"),
        starts=starts if tags else 0b1111,
        end=end if tags else None,
        events=tuple(events),
        traces=traces,
        newlines=_newlines(tail),
    )


def _unescape(value: bytes) -> str:
    def one(found: re.Match[bytes]) -> str:
        name, decimal, hexadecimal = found.groups()
        if name:
            return _NAMED[name]
        return chr(int(decimal) if decimal else int(hexadecimal, 16))

    return _REFERENCE.sub(lambda m: one(m).encode("utf-8"), value).decode("utf-8")


def _xml_char(code: int) -> bool:
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _bad_reference(joined: bytes) -> int:
    """Where the first ``&`` that is not a reference the fast path decodes stands, or -1."""
    at = 0
    while (at := joined.find(b"&", at)) >= 0:
        found = _REFERENCE.match(joined, at)
        if found is None:
            return at
        _, decimal, hexadecimal = found.groups()
        if decimal or hexadecimal:
            text = decimal or hexadecimal
            if len(text) > 8 or not _xml_char(int(text) if decimal else int(text, 16)):
                return at
        at = found.end()
    return -1


def _text_refused(data: bytes, start: int, end: int) -> int:
    """Where ``data[start:end]`` stops being UTF-8 made of XML characters (from ``start``), or -1."""
    if data.isascii():
        return -1
    try:
        data[start:end].decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start
    found = [at - start for at in (data.find(nonchar, start, end) for nonchar in _NONCHARS) if at >= 0]
    return min(found) if found else -1


def _placed(found: pa.Array, where: pa.Array, size: int) -> pa.Array | None:
    """``size`` values: ``found[i]`` at place ``where[i] - 1`` (places increase), null elsewhere;
    None when two values fall on one place."""
    if len(found) > 1 and pc.any(pc.equal(where.slice(1), where.slice(0, len(where) - 1))).as_py():
        return None  # ``where`` never decreases, so a place taken twice is taken twice in a row
    if len(found) == size:
        return found
    return pc.take(found, pc.index_in(_counting(size), value_set=where))


_COUNTING = array("q")


def _counting(size: int) -> pa.Array:
    """1, 2, ... ``size`` as an Arrow array (sliced from one kept buffer)."""
    if len(_COUNTING) < size:
        _COUNTING.extend(range(len(_COUNTING) + 1, max(size, 2 * len(_COUNTING)) + 1))
    return pa.Array.from_buffers(pa.int64(), size, [None, pa.py_buffer(_COUNTING)])


def decode(data: bytes, start: int, end: int, plan: Plan) -> Decoded | int:
    """The events of the run ``data[start:end]``, or where in the run (from ``start``) the first
    byte the fast path refuses stands.

    The run must start where the parser stands directly inside the root element, outside any
    trace, at the start of a token; a decoded run leaves it there again.
    """
    refused = _text_refused(data, start, end)
    if refused >= 0:
        return refused
    offsets = pa.py_buffer(array("i", [start, end]))
    whole = pa.Array.from_buffers(pa.binary(), 1, [None, offsets, pa.py_buffer(data)])
    # Piece 0 is the first tail; every other piece is a value, its closing quote and a tail.
    pieces = pc.split_pattern(whole, _VALUE).flatten()
    count = len(pieces) - 1
    places = _Places(pieces)
    texts: list[bytes] = []
    indices = pa.array([], pa.int32())
    values = pa.array([], pa.binary())
    if count:
        halves = pc.split_pattern(pieces.slice(1), b'"', max_splits=1)
        lengths = pc.list_value_length(halves)
        if pc.min(lengths).as_py() < 2:
            return places.value(1 + pc.index(lengths, 1).as_py())
        values = pc.list_element(halves, 0)
        encoded = pc.dictionary_encode(pc.list_element(halves, 1))
        texts = encoded.dictionary.to_pylist()
        indices = encoded.indices
    joined = _joined(values)
    if len(joined.translate(None, _BAD)) != len(joined):
        found = _BAD_AT.search(joined)
        return places.joined(values, found.start() if found else 0)
    references = b"&" in joined
    if references:
        at = _bad_reference(joined)
        if at >= 0:
            return places.joined(values, at)

    # Each distinct tail is checked once; ``every`` numbers the run's tails by their kind.
    first_text = pieces[0].as_py()
    code0 = texts.index(first_text) if first_text in texts else len(texts)
    if code0 == len(texts):
        texts.append(first_text)
    classes: list[_Tail] = []
    for code, text in enumerate(texts):
        kind = _classify(text)
        if kind is None:
            return 0 if code == code0 else places.tail(1 + pc.index(indices, code).as_py())
        classes.append(kind)
    every = pa.concat_arrays([pa.array([code0], pa.int32()), indices])

    # Where a tail stands decides what it must look like: the first opens an attribute (or, in a
    # run without attributes, is all of it), the last closes one, every other does both.
    first = classes[code0]
    if first.close or (first.key is None) != (count == 0):
        return 0
    if count:
        code_last = indices[count - 1].as_py()
        last = classes[code_last]
        if not last.close or last.key is not None:
            return places.tail(count)
        odd = [c for c, kind in enumerate(classes) if not (kind.close and kind.key is not None)]
        if odd:
            counted = {row["values"]: row["counts"] for row in pc.value_counts(indices).to_pylist()}
            for c in odd:
                if counted.get(c, 0) > (c == code_last):
                    return places.tail(1 + pc.index(indices, c).as_py())

    # The tags must nest: each tail with tags may follow the state the one before left.
    tagged = pc.filter(every, pc.take(pa.array([c.end is not None for c in classes], pa.bool_()), every))
    if len(tagged) == 0 or not classes[tagged[0].as_py()].starts & 1 or classes[tagged[-1].as_py()].end != _TOP:
        return 0
    if len(tagged) > 1:
        wide = pc.cast(tagged, pa.int64())
        pairs = pc.unique(pc.add(pc.multiply(wide.slice(0, len(wide) - 1), len(classes)), wide.slice(1)))
        for pair in pairs.to_pylist():
            before, after = classes[pair // len(classes)], classes[pair % len(classes)]
            if before.end is None or not (after.starts >> before.end) & 1:
                return 0

    # The state, event and trace each attribute stands in (events and traces counted from 1).
    state = pc.fill_null(pc.fill_null_forward(pc.take(pa.array([c.end for c in classes], pa.int8()), every)), _TOP)
    opened_traces = pc.take(pa.array([c.traces for c in classes], pa.int64()), every)
    traces_so_far = pc.cumulative_sum(opened_traces)
    events_so_far = pc.cumulative_sum(pc.take(pa.array([len(c.events) for c in classes], pa.int64()), every))
    events = int(events_so_far[-1].as_py())
    traces = int(traces_so_far[-1].as_py())

    # Each event's line and trace: the line breaks and traces before its tail, plus those in it.
    newlines = pc.take(pa.array([c.newlines for c in classes], pa.int64()), every)
    lines_so_far = pc.cumulative_sum(newlines)
    breaks = int(lines_so_far[-1].as_py())
    lines_before = pc.subtract(lines_so_far, newlines)
    traces_before = pc.subtract(traces_so_far, opened_traces)
    opening = pc.take(pa.array([bool(c.events) for c in classes], pa.bool_()), every)
    openers = pc.filter(every, opening)
    if all(len(c.events) <= 1 for c in classes):
        first_event = [c.events[0] if c.events else (0, 0) for c in classes]
        event_lines = pc.add(
            pc.filter(lines_before, opening), pc.take(pa.array([e[0] for e in first_event], pa.int64()), openers)
        )
        event_traces = pc.add(
            pc.filter(traces_before, opening), pc.take(pa.array([e[1] for e in first_event], pa.int64()), openers)
        )
    else:
        in_tail = pc.take(pa.array([[e[0] for e in c.events] for c in classes], pa.list_(pa.int64())), openers)
        traces_in_tail = pc.take(pa.array([[e[1] for e in c.events] for c in classes], pa.list_(pa.int64())), openers)
        owner = pc.list_parent_indices(in_tail)
        event_lines = pc.add(pc.take(pc.filter(lines_before, opening), owner), pc.list_flatten(in_tail))
        event_traces = pc.add(pc.take(pc.filter(traces_before, opening), owner), pc.list_flatten(traces_in_tail))

    # The attributes the mapping asks for: value, state, event and trace of each.
    fields = list(plan.fields)
    event_field = [plan.event_keys.get(c.key) if c.key is not None else None for c in classes]
    trace_field = [plan.trace_keys.get(c.key) if c.key is not None else None for c in classes]
    event_slot = [None if f is None else fields.index(f) * 4 for f in event_field]
    trace_slot = [None if f is None else fields.index(f) * 4 for f in trace_field]
    wanted = [e is not None or t is not None for e, t in zip(event_slot, trace_slot, strict=True)]
    columns: dict[str, pa.Array] = {}
    seen: set[str] = set()
    if not any(wanted):
        return Decoded(events=events, lines=event_lines, columns=columns, seen=frozenset(seen), newlines=breaks)
    attribute = every.slice(0, count)
    mask = pc.take(pa.array(wanted, pa.bool_()), attribute)
    chosen = pc.filter(values, mask)
    text = _decoded(chosen) if references else chosen.view(pa.string())
    w_code = pc.filter(attribute, mask)
    w_state = pc.filter(state.slice(0, count), mask)
    on_event = pc.add(pc.take(pa.array(event_slot, pa.int8()), w_code), w_state)
    on_trace = pc.add(pc.take(pa.array(trace_slot, pa.int8()), w_code), w_state)
    # Where each wanted attribute falls: its event (or trace) number, computed when first needed.
    where = {
        "event": lambda: pc.filter(events_so_far.slice(0, count), mask),
        "trace": lambda: pc.filter(traces_so_far.slice(0, count), mask),
    }
    numbered: dict[str, pa.Array] = {}

    def pick(level: str, on: pa.Array, code: int, size: int) -> pa.Array | bool:
        """The field's values at each event (or trace); False when one has it twice (the
        exact reader keeps the last); True when none has it."""
        hit = pc.equal(on, code)
        found = pc.filter(text, hit)
        if not len(found):
            return True
        if level not in numbered:
            numbered[level] = where[level]()
        placed = _placed(found, pc.filter(numbered[level], hit), size)
        return False if placed is None else placed

    for j, field in enumerate(fields):
        if j * 4 in event_slot:
            placed = pick("event", on_event, j * 4 + _EVENT, events)
            if placed is False:
                return 0
            if placed is not True:
                seen.add(field)
                columns[field] = placed
        if j * 4 in trace_slot:
            if pc.any(pc.equal(on_trace, j * 4 + _AFTER)).as_py():
                return 0  # a trace attribute after an event applies only to the events after it
            placed = pick("trace", on_trace, j * 4 + _TRACE, traces)
            if placed is False:
                return 0
            if placed is not True:
                seen.add(field)
                by_event = pc.take(placed, pc.subtract(event_traces, 1))
                columns[field] = pc.coalesce(columns[field], by_event) if field in columns else by_event
    return Decoded(events=events, lines=event_lines, columns=columns, seen=frozenset(seen), newlines=breaks)


def _joined(values: pa.Array) -> bytes:
    """The bytes of all the values, one after the other."""
    _, offsets, data = values.buffers()
    if data is None or not len(values):
        return b""
    ends = memoryview(offsets).cast("i")[values.offset :]
    return memoryview(data)[ends[0] : ends[len(values)]].tobytes()


class _Places:
    """Where the pieces of a run stand in it, for saying where the fast path refused it."""

    def __init__(self, pieces: pa.Array) -> None:
        self.offsets = memoryview(pieces.buffers()[1]).cast("i")[pieces.offset :]

    def value(self, piece: int) -> int:
        """Where the value of piece ``piece`` (from 1) starts."""
        return self.offsets[piece] - self.offsets[0] + len(_VALUE) * piece

    def tail(self, index: int) -> int:
        """About where tail ``index`` starts: where its piece starts."""
        return 0 if index == 0 else self.value(index)

    def joined(self, values: pa.Array, at: int) -> int:
        """Where the value holding byte ``at`` of the joined values starts."""
        ends = memoryview(values.buffers()[1]).cast("i")[values.offset :]
        first = ends[0]
        for index in range(len(values)):
            if ends[index + 1] - first > at:
                return self.value(index + 1)
        return 0


def _decoded(values: pa.Array) -> pa.Array:
    """The values as text, their entity and character references replaced."""
    texts = values.view(pa.string())
    has = pc.match_substring(values, b"&")
    if not pc.any(has).as_py():
        return texts
    replaced = [_unescape(v) for v in pc.filter(values, has).to_pylist()]
    return pc.replace_with_mask(texts, has, pa.array(replaced, pa.string()))
