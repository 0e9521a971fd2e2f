"""Event logs from XES (IEEE 1849), plain or gzipped, streamed: memory does not grow with the file.

Each ``<event>`` becomes one raw row placed at its line. The case id is the trace's
``concept:name``; event fields are read from the standard keys (``concept:name``,
``time:timestamp``, ``lifecycle:transition``, ``org:resource``, ``cost:total``) unless the
mapping names other keys. A trace attribute is named with a ``case:`` prefix, as process-mining
tools flatten them (``case:channel``). Nested attributes (lists, containers, children) are
skipped. A file that stops being well-formed XML keeps the events read before the fault, and
the fault is reported at its line and column.

How it reads, fast and exact at once: expat, a real XML parser, reads the start of the file up
to its first trace. When that shows a UTF-8 document without a DOCTYPE whose root is not an XES
element itself, the rest is read in runs of whole traces: each run of up to 8 MB goes to
:mod:`stageline.data.xesfast`, which decodes it at C speed when every byte of it has the plain
shape XES writers use, and otherwise says where the first unusual byte stands. The traces
before that byte are decoded; from there a fresh expat parser, set inside the root element at
the right line and column, reads the file until it stands between two traces again, outside
any comment or CDATA section, and the fast path takes over. Both give the same rows (the tests
compare them on real logs and generated documents); expat alone decides whether the file is
well-formed and where it is not. One thread reads and inflates the file a few pieces ahead,
another makes the batches a couple ahead of whoever takes them; memory holds one run, a few
pieces and a few batches.
"""

from __future__ import annotations

import os
import queue
import threading
import zlib
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar
from xml.parsers import expat

import pyarrow as pa
import pyarrow.compute as pc

from stageline.data.columns import FIELDS, Columns
from stageline.data.raw import RAW_SCHEMA, Raw, Rejects, batch
from stageline.data.xesfast import Decoded, Plan, decode
from stageline.errors import DataError, Location, Problem, SourceError

__all__ = ["XES_DEFAULTS", "read_xes"]

XES_DEFAULTS = Columns(
    case="case:concept:name",
    activity="concept:name",
    time="time:timestamp",
    lifecycle="lifecycle:transition",
    resource="org:resource",
    cost="cost:total",
)
_ATTRIBUTES = frozenset({"string", "date", "int", "float", "boolean", "id"})
#: Elements whose content the reader skips, and every name the reader gives a meaning to: a
#: root element with one of these names keeps the whole file on expat.
_NESTING = frozenset({"list", "container", "values"})
_SPECIAL = _ATTRIBUTES | _NESTING | {"event", "trace"}
_BATCH = 65_536
_READ = 1 << 18  # compressed bytes read at a time
_PIECE = 1 << 21  # most text one read yields, however well the file compresses
_WINDOW = 1 << 23  # the longest run of traces given to the fast path
_SMALL_WINDOW = 1 << 18  # the run tried first after the fast path refused one
_PROBE = 1 << 16  # what expat is given at a time while it may hand the file over
#: When the fast path refuses a trace less than this far after it took over, expat reads on this
#: far past that trace, twice as far after each such refusal; a run decoded whole quarters the
#: distance. Where unusual traces are dense expat reads nearly all the file, and runs decoded
#: only to be refused cost little.
_BACKOFF = 1 << 16
_MAX_BACKOFF = 1 << 26
_END_TRACE = b"</trace>"
_T = TypeVar("_T")


def read_xes(path: str | os.PathLike[str], columns: Columns | None = None, *, fast: bool = True) -> tuple[Columns, Raw]:
    """The column mapping (standard keys unless given) and the raw events of an XES file.

    ``fast=False`` reads the whole file with expat; the rows are the same either way.
    """
    mapping = XES_DEFAULTS.given(**(columns.mapped() if columns else {}))
    if columns is not None and columns.time_format:
        mapping = mapping.given(time_format=columns.time_format)
    source = Path(path)
    try:
        with open(source, "rb") as handle:
            magic = handle.read(2)
    except FileNotFoundError:
        raise SourceError(Problem("source.missing", "no such file", location=Location(str(path)))) from None
    except IsADirectoryError:
        raise SourceError(
            Problem("source.directory", "is a folder, not a file", location=Location(str(path)))
        ) from None
    except OSError as exc:
        raise SourceError(
            Problem("source.read", f"cannot read the file: {exc}", location=Location(str(path)))
        ) from None
    rejects = Rejects()
    raw = Raw(iter(()), rejects, "xes")
    raw.batches = _behind(_Reader(source, magic == b"\x1f\x8b", mapping, raw, fast).batches(), 2, "stageline-xes-read")
    return mapping, raw


def _pieces(path: Path, gzipped: bool) -> Generator[bytes, None, None]:
    """The file's text in pieces of at most ``_PIECE`` bytes (several gzip members in a row).

    Arrow inflates gzip about twice as fast as Python's zlib; where it stops on an error (a cut
    or damaged file), zlib inflates the file again from its start, and its pieces after what
    Arrow gave decide: the text up to a cut, or the error.
    """
    if not gzipped:
        with open(path, "rb") as handle:
            while piece := handle.read(_PIECE):
                yield piece
        return
    given = 0
    try:
        with pa.input_stream(str(path), compression="gzip") as stream:
            while piece := stream.read(_PIECE):
                given += len(piece)
                yield piece
        return
    except (OSError, pa.ArrowException):
        pass
    for piece in _inflate(path):
        if given >= len(piece):
            given -= len(piece)
            continue
        yield piece[given:]
        given = 0


def _inflate(path: Path) -> Generator[bytes, None, None]:
    """The text of a gzip file by Python's zlib, in pieces of at most ``_PIECE`` bytes."""
    with open(path, "rb") as handle:
        inflate = zlib.decompressobj(31)
        pending = b""
        while True:
            if not pending:
                pending = handle.read(_READ)
                if not pending:
                    break
            out = inflate.decompress(pending, _PIECE)
            if inflate.eof:
                pending = inflate.unused_data
                inflate = zlib.decompressobj(31)
            else:
                pending = inflate.unconsumed_tail
            if out:
                yield out
        if out := inflate.flush():
            yield out


class _Background(Generic[_T]):
    """An iterator run on a second thread, a few items ahead of the thread that takes them.

    zlib, file reads, Arrow and Parquet let other threads run meanwhile, so reading the file,
    decoding it and writing what it gives overlap on two cores.
    """

    def __init__(self, items: Iterator[_T], ahead: int, name: str) -> None:
        self.items = items
        self.queue: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=ahead)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, name=name, daemon=True)
        self.thread.start()

    def run(self) -> None:
        last: tuple[str, Any] = ("end", None)
        try:
            for item in self.items:
                if not self.put(("item", item)):
                    break
        except BaseException as exc:  # raised again in the thread that takes the items
            last = ("error", exc)
        finally:
            close = getattr(self.items, "close", None)
            if close is not None:
                close()
        self.put(last)

    def put(self, entry: tuple[str, Any]) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(entry, timeout=0.05)
            except queue.Full:
                continue
            return True
        return False

    def __iter__(self) -> Iterator[_T]:
        while True:
            kind, item = self.queue.get()
            if kind == "end":
                return
            if kind == "error":
                raise item
            yield item

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


def _behind(items: Iterator[_T], ahead: int, name: str) -> Generator[_T, None, None]:
    """The items of ``items``, made on a second thread from the first one asked for."""
    background = _Background(items, ahead, name)
    try:
        yield from background
    finally:
        background.close()


class _Handover(Exception):  # noqa: N818 - a signal, not an error
    """The first parser stands before a trace the fast path may read from."""

    def __init__(self, index: int, line: int, column: int) -> None:
        super().__init__(index)
        self.index = index
        self.line = line
        self.column = column


class _XmlError(Exception):
    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.line = line
        self.column = column


class _Out:
    """Events found so far that are not yet in a batch, and the fields some event has."""

    __slots__ = ("cols", "event_keys", "fields", "rows", "seen", "trace_keys")

    def __init__(self, mapping: Columns) -> None:
        wanted = mapping.mapped()
        self.event_keys = {key: f for f, key in wanted.items() if not key.startswith("case:")}
        self.trace_keys = {key[5:]: f for f, key in wanted.items() if key.startswith("case:")}
        self.fields = list(wanted)
        self.seen: set[str] = set()
        self.rows: list[int] = []
        self.cols: dict[str, list[str | None]] = {f: [] for f in self.fields}

    def take(self) -> pa.RecordBatch:
        out = batch(self.rows, self.cols)
        self.rows = []
        self.cols = {f: [] for f in self.fields}
        return out


class _Exact:
    """One expat parser with the reader's callbacks: the exact reading, element by element.

    ``line_offset`` and ``column_offset`` place what the parser reads in the file when it did
    not read the file from its start (see :meth:`_Reader.slow`).
    """

    __slots__ = (
        "cdata",
        "column_offset",
        "depth",
        "event",
        "handover",
        "in_trace",
        "line",
        "line_offset",
        "nested",
        "out",
        "parser",
        "root",
        "trace",
    )

    def __init__(self, out: _Out, line_offset: int = 0, column_offset: int = 0) -> None:
        self.out = out
        self.line_offset = line_offset
        self.column_offset = column_offset
        self.depth = 0
        self.nested = 0
        self.in_trace = False
        self.trace: dict[str, str | None] = {}
        self.event: dict[str, str | None] | None = None
        self.line = 0
        self.cdata = False
        self.root: str | None = None
        #: Raise :class:`_Handover` at the first trace directly inside the root element.
        self.handover = False
        parser = self.parser = expat.ParserCreate()
        parser.buffer_text = False
        parser.StartElementHandler = self.start
        parser.EndElementHandler = self.end
        parser.StartCdataSectionHandler = self.start_cdata
        parser.EndCdataSectionHandler = self.end_cdata

    def start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth == 1:
            self.root = name
            if name in _SPECIAL:
                self.handover = False
        if self.nested:
            self.nested += 1
            return
        if name in _ATTRIBUTES:
            self.nested = 1
            key = attrs.get("key")
            if key is None:
                return
            event = self.event
            if event is not None:
                f = self.out.event_keys.get(key)
                if f is not None:
                    event[f] = attrs.get("value")
            elif self.in_trace:
                f = self.out.trace_keys.get(key)
                if f is not None:
                    self.trace[f] = attrs.get("value")
        elif name == "event":
            self.event = {}
            self.line = self.parser.CurrentLineNumber + self.line_offset
        elif name == "trace":
            if self.handover and self.depth == 2 and self.event is None and not self.in_trace:
                parser = self.parser
                raise _Handover(parser.CurrentByteIndex, parser.CurrentLineNumber, parser.CurrentColumnNumber)
            self.in_trace = True
            self.trace = {}
        elif name in _NESTING:
            self.nested = 1

    def end(self, name: str) -> None:
        self.depth -= 1
        if self.nested:
            self.nested -= 1
            return
        if name == "event":
            event = self.event
            self.event = None
            if event is None or not self.in_trace:
                return  # an event outside a trace has no case
            out = self.out
            trace = self.trace
            out.rows.append(self.line)
            cols = out.cols
            for f in out.fields:
                value = event.get(f)
                if value is None:
                    value = trace.get(f)  # seen once an event has it, so a cut trace keeps its events
                if value is not None:
                    out.seen.add(f)
                cols[f].append(value)
        elif name == "trace":
            self.in_trace = False
            self.out.seen.update(self.trace)

    def start_cdata(self) -> None:
        self.cdata = True

    def end_cdata(self) -> None:
        self.cdata = False

    def feed(self, data: bytes, final: bool = False) -> None:
        """Parse ``data``; a fault is raised as :class:`_XmlError` placed in the file."""
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError as exc:
            line = exc.lineno + self.line_offset
            column = exc.offset + (self.column_offset if exc.lineno == 1 else 0)
            raise _XmlError(expat.ErrorString(exc.code), line, column + 1) from None

    def between_traces(self) -> bool:
        """Whether the parser stands directly inside the root element with nothing pending."""
        return self.depth == 1 and not self.nested and not self.cdata and self.event is None and not self.in_trace

    def place(self) -> tuple[int, int]:
        """The line (from 1) and column (from 0) just past what the parser has read."""
        line = self.parser.CurrentLineNumber
        column = self.parser.CurrentColumnNumber + (self.column_offset if line == 1 else 0)
        return line + self.line_offset, column


class _Buffer:
    """The file's text from ``start`` on: ``data[at:]``, read from the pieces as needed."""

    def __init__(self, pieces: Iterator[bytes]) -> None:
        self.pieces = pieces
        self.data = b""
        self.at = 0
        self.start = 0
        self.ended = False

    def fill(self, size: int) -> int:
        """How much text is ahead: at least ``size`` bytes unless the file ends first."""
        ahead = len(self.data) - self.at
        if ahead < size and not self.ended:
            more = [self.data[self.at :]]
            while ahead < size:
                piece = next(self.pieces, None)
                if piece is None:
                    self.ended = True
                    break
                more.append(piece)
                ahead += len(piece)
            self.data = b"".join(more)
            self.at = 0
        return ahead

    def skip(self, size: int) -> None:
        self.at += size
        self.start += size

    def take(self, size: int) -> bytes:
        out = self.data[self.at : self.at + size]
        self.skip(size)
        return out

    @property
    def done(self) -> bool:
        """Whether the file has been read to its end."""
        return self.ended and self.at == len(self.data)


class _Reader:
    """One reading of one file: the parsers, the place in the file and the events found."""

    def __init__(self, path: Path, gzipped: bool, mapping: Columns, raw: Raw, fast: bool) -> None:
        self.path = path
        self.gzipped = gzipped
        self.mapping = mapping
        self.raw = raw
        self.fast = fast
        self.out = _Out(mapping)
        self.plan = Plan(tuple(self.out.fields), self.out.event_keys, self.out.trace_keys)
        self.line = 1
        self.column = 0
        self.root = ""

    def batches(self) -> Iterator[pa.RecordBatch]:
        fault: _XmlError | None = None
        try:
            yield from self.read()
        except _XmlError as exc:
            fault = exc
        except (OSError, zlib.error, EOFError) as exc:
            raise SourceError(
                Problem("source.read", f"cannot read the file: {exc}", location=Location(str(self.path)))
            ) from None
        if fault is not None:
            self.raw.rejects.add(
                "xml",
                f"the file stops being well-formed XML at line {fault.line}, column {fault.column} ({fault})",
                fault.line,
            )
            self.raw.read[0] += 1  # the unreadable rest counts as one row read and rejected
        if self.out.rows:
            yield self.flush()
        wanted = self.mapping.mapped()
        for f in ("case", "activity", "time"):
            if f not in self.out.seen and self.raw.read[0]:
                raise DataError(
                    Problem(
                        "data.column",
                        f"no event has the attribute `{wanted[f]}` for the {f}",
                        location=Location(str(self.path)),
                        hint=f"name the attribute with `--{f} KEY`",
                    )
                )

    def flush(self) -> pa.RecordBatch:
        self.raw.read[0] += len(self.out.rows)
        return self.out.take()

    def read(self) -> Iterator[pa.RecordBatch]:
        pieces = _behind(_pieces(self.path, self.gzipped), 3, "stageline-xes-inflate")
        try:
            yield from self.runs(_Buffer(pieces))
        finally:
            pieces.close()

    def runs(self, buffer: _Buffer) -> Iterator[pa.RecordBatch]:
        if not (yield from self.first(buffer)):
            return
        window = _WINDOW
        backoff = 0
        while True:
            ahead = buffer.fill(window)
            data, at = buffer.data, buffer.at
            cut = data.rfind(_END_TRACE, at, at + window)
            if cut < 0:
                if ahead > window and window < _WINDOW:
                    window = min(window * 2, _WINDOW)  # a trace longer than the run: try a longer run
                    continue
                # The end of the file, or a trace longer than the longest run.
                yield from self.slow(buffer, buffer.start)
                if buffer.done:
                    return
                continue
            whole = size = cut + len(_END_TRACE) - at
            refused = -1
            while True:
                found = decode(data, at, at + size, self.plan)
                if isinstance(found, Decoded):
                    break
                # Refused at ``found``: try the whole traces before it.
                refused = buffer.start + found if refused < 0 else min(refused, buffer.start + found)
                before = data.rfind(_END_TRACE, at, at + found)
                if before < 0:
                    break
                size = before + len(_END_TRACE) - at
            if isinstance(found, Decoded):
                if self.out.rows:
                    yield self.flush()
                yield self.emit(found)
                self.advance(data, at, at + size, found.newlines)
                buffer.skip(size)
                if size == whole:
                    backoff //= 4
                    window = min(max(window * 2, _SMALL_WINDOW), _WINDOW)
                    continue
            # Expat reads the trace refused, and further when refusals come close together.
            progress = size if isinstance(found, Decoded) else 0
            if progress >= _BACKOFF:
                yield from self.slow(buffer, refused + 1)
                window = min(max(progress * 2, _SMALL_WINDOW), _WINDOW)
            else:
                yield from self.slow(buffer, refused + 1 + backoff)
                backoff = min(max(backoff * 2, _BACKOFF), _MAX_BACKOFF)
                window = min(_SMALL_WINDOW, _WINDOW)
            if buffer.done:
                return

    def first(self, buffer: _Buffer) -> Generator[pa.RecordBatch, None, bool]:
        """Read from the start with expat; True when it hands the rest over at a trace."""
        exact = _Exact(self.out)
        parser = exact.parser
        if self.fast:
            buffer.fill(4)
            head = buffer.data[buffer.at : buffer.at + 4]
            # Without a byte-order mark for UTF-16 or a UTF-16 "<", expat reads UTF-8 unless the
            # XML declaration names another encoding.
            exact.handover = not head.startswith((b"\xfe\xff", b"\xff\xfe")) and b"\x00" not in head[:4]

            def declared(version: str, encoding: str | None, standalone: int) -> None:
                if encoding is not None and encoding.lower() != "utf-8":
                    exact.handover = False

            def doctype(name: str, system: str | None, public: str | None, internal: bool) -> None:
                exact.handover = False  # it may declare entities and attribute defaults

            parser.XmlDeclHandler = declared
            parser.StartDoctypeDeclHandler = doctype
        fed = 0  # bytes ahead in the buffer that expat has been given
        while True:
            ahead = buffer.fill(fed + 1)
            if ahead <= fed:
                exact.feed(b"", True)
                return False
            # While it may hand over, expat gets little at a time: after the handover it would
            # read the rest of what it was given for nothing.
            end = min(ahead, fed + _PROBE) if exact.handover else ahead
            try:
                exact.feed(buffer.data[buffer.at + fed : buffer.at + end])
            except _Handover as handover:
                self.line = handover.line
                self.column = handover.column
                buffer.skip(handover.index - buffer.start)
                self.root = exact.root or ""
                return True
            fed = end
            if len(self.out.rows) >= _BATCH:
                yield self.flush()
            # Keep only what expat may still need: the token it has not finished.
            done = max(0, parser.CurrentByteIndex - buffer.start)
            buffer.skip(done)
            fed -= done

    def slow(self, buffer: _Buffer, until: int) -> Iterator[pa.RecordBatch]:
        """Read with a fresh expat parser from here to the first end of a trace at or after
        ``until`` where it stands between traces again (or to the end of the file)."""
        prefix = f"<{self.root}>"
        exact = _Exact(self.out, self.line - 1, self.column - len(prefix))
        exact.feed(prefix.encode("utf-8"))
        fed = len(prefix.encode("utf-8"))
        while True:
            ahead = buffer.fill(_SMALL_WINDOW)
            if not ahead:
                exact.feed(b"", True)
                return
            data, at = buffer.data, buffer.at
            if buffer.start < until:
                size = min(ahead, until - buffer.start)
            else:
                cut = data.find(_END_TRACE, at)
                size = ahead if cut < 0 else cut + len(_END_TRACE) - at
            ends_trace = data.endswith(_END_TRACE, at, at + size)
            exact.feed(buffer.take(size))
            fed += size
            if len(self.out.rows) >= _BATCH:
                yield self.flush()
            if buffer.start >= until and ends_trace and exact.parser.CurrentByteIndex == fed and exact.between_traces():
                self.line, self.column = exact.place()
                return

    def emit(self, found: Decoded) -> pa.RecordBatch:
        rows = pc.add(found.lines, self.line)
        nulls = pa.nulls(found.events, pa.string())
        arrays: list[Any] = [rows]
        for f in FIELDS:
            arrays.append(found.columns.get(f, nulls) if f in self.plan.fields else nulls)
        self.out.seen.update(found.seen)
        self.raw.read[0] += found.events
        return pa.RecordBatch.from_arrays(arrays, schema=RAW_SCHEMA)

    def advance(self, data: bytes, start: int, end: int, breaks: int) -> None:
        """Move the place past a decoded run, ``data[start:end]``, that holds ``breaks`` line breaks."""
        if breaks:
            self.line += breaks
            start = max(data.rfind(b"\n", start, end), data.rfind(b"\r", start, end)) + 1
            self.column = len(data[start:end].decode("utf-8"))
        else:
            self.column += len(data[start:end].decode("utf-8"))
