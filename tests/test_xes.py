"""Reading XES: the fast path gives exactly the rows expat gives, and expat takes over where it must.

Every test reads with both paths and compares: the fast path (:mod:`stageline.data.xesfast`) on
runs of plain traces, expat alone (``read_xes(..., fast=False)``). Generated documents cover
what XES files and XML allow (quotes, attribute order, entities, whitespace in values, comments,
CDATA, processing instructions, a DOCTYPE, nested attributes, prefixed names, events outside
traces, trace attributes, several gzip members, other encodings, cut or mismatched files);
small runs and tiny reads make the reader switch between the two paths often.
"""

from __future__ import annotations

import gzip
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from unittest import mock
from xml.parsers import expat

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stageline.data import xesfast, xeslog
from stageline.data.columns import Columns
from stageline.data.raw import RAW_SCHEMA
from stageline.data.xeslog import read_xes
from stageline.errors import StageLineError

ROOT = Path(__file__).parent.parent
LOGS = ROOT.parent / "shared" / "data" / "eventlogs"


@dataclass
class Reading:
    """All a reading gives: the rows, what was rejected, how many rows were read, the error."""

    table: pa.Table
    rejects: dict[str, tuple[str, int, list[int]]]
    read: int
    error: str | None
    #: Events the fast path decoded (the rest came from expat).
    fast_events: int
    #: Bytes given to the fast path, decoded or refused.
    tried: int


@contextmanager
def sizes(window: int, small: int, piece: int, read: int, backoff: int = 0) -> Iterator[None]:
    """Make the reader's runs and reads this small, so it switches paths often."""
    with (
        mock.patch.object(xeslog, "_WINDOW", window),
        mock.patch.object(xeslog, "_SMALL_WINDOW", small),
        mock.patch.object(xeslog, "_PIECE", piece),
        mock.patch.object(xeslog, "_READ", read),
        mock.patch.object(xeslog, "_BACKOFF", backoff),
    ):
        yield


def reading(path: Path, *, fast: bool, columns: Columns | None = None) -> Reading:
    decoded = [0, 0]

    def counting(text: bytes, start: int, end: int, plan: xesfast.Plan) -> xesfast.Decoded | int:
        decoded[1] += end - start
        found = xesfast.decode(text, start, end, plan)
        if isinstance(found, xesfast.Decoded):
            decoded[0] += found.events
        return found

    batches: list[pa.RecordBatch] = []
    error = None
    rejects: dict[str, tuple[str, int, list[int]]] = {}
    counted = [0]
    with mock.patch.object(xeslog, "decode", counting):
        try:
            _, raw = read_xes(path, columns, fast=fast)
            rejects, counted = raw.rejects.found, raw.read
            for b in raw.batches:
                assert b.schema.equals(RAW_SCHEMA)
                batches.append(b)
        except StageLineError as exc:
            error = "; ".join(str(p) for p in exc.problems)
    table = pa.Table.from_batches(batches, schema=RAW_SCHEMA).combine_chunks()
    return Reading(table, dict(rejects), counted[0], error, decoded[0], decoded[1])


def assert_same(path: Path, columns: Columns | None = None) -> tuple[Reading, Reading]:
    """Read ``path`` both ways; the rows, rejects, counts and errors must match."""
    exact = reading(path, fast=False, columns=columns)
    fast = reading(path, fast=True, columns=columns)
    assert exact.fast_events == 0
    assert fast.error == exact.error
    assert fast.rejects == exact.rejects
    assert fast.read == exact.read
    if not fast.table.equals(exact.table):
        for name in exact.table.column_names:
            x, y = exact.table[name].to_pylist(), fast.table[name].to_pylist()
            assert x == y, name
    return exact, fast


def write(folder: Path, text: str | bytes, name: str = "log.xes", *, members: int = 0) -> Path:
    data = text.encode("utf-8") if isinstance(text, str) else text
    path = folder / name
    if members:
        step = max(1, len(data) // members)
        path.write_bytes(b"".join(gzip.compress(data[i : i + step]) for i in range(0, len(data), step)))
    else:
        path.write_bytes(data)
    return path


def rows(reading: Reading) -> list[dict[str, Any]]:
    return [{k: v for k, v in row.items() if v is not None or k == "row"} for row in reading.table.to_pylist()]


# --- the real logs ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["running-example.xes", "helpdesk.xes.gz", "bpic2012.xes.gz"])
def test_real_logs_read_the_same_both_ways_and_fast(name: str) -> None:
    log = LOGS / name
    if not log.exists():
        pytest.skip(f"{log} is not here (the shared event logs sit beside the project)")
    exact, fast = assert_same(log)
    assert exact.read == exact.table.num_rows > 0
    assert fast.fast_events == fast.read  # every event came from the fast path
    lines = exact.table["row"].to_pylist()
    assert lines == sorted(lines)


def test_real_log_with_another_mapping_and_small_runs() -> None:
    log = LOGS / "helpdesk.xes.gz"
    if not log.exists():
        pytest.skip(f"{log} is not here (the shared event logs sit beside the project)")
    columns = Columns(resource="service_level", outcome="product", lifecycle="customer", start="nothing")
    with sizes(window=1 << 16, small=1 << 12, piece=1 << 16, read=1 << 12):
        exact, fast = assert_same(log, columns)
    assert fast.fast_events == fast.read
    first = rows(exact)[0]
    assert first["case"] == "Case 1" and first["outcome"] == first["resource"] == "Value 1"


# --- generated documents -----------------------------------------------------------------------

VALID_TEXT = [
    "a",
    "Z",
    "7",
    " ",
    "-",
    ":",
    "é",
    "😀",
    ">",
    "&amp;",
    "&lt;",
    "&gt;",
    "&quot;",
    "&apos;",
    "&#233;",
    "&#x41;",
    "&#10;",
    "&#9;",
    "&#x1F600;",
    "value=x",
]
#: Well-formed, but not for the fast path (or only with a DOCTYPE that declares ``co``).
ODD_TEXT = ["\t", "\n", "\r\n", "\r", "'", "&co;", "value=", "]]>", "&#0010;"]
#: Not well-formed.
BROKEN_TEXT = ['"', "&#0;", "&#xD800;", "&", "&bogus;", "<", "\x01", "\ufffe", "&#X41;"]
KEYS = ["concept:name", "time:timestamp", "org:resource", "lifecycle:transition", "amount", "k2", "a b"]
TYPES = ["string", "date", "int", "float", "boolean", "id"]
SPACES = [" ", " ", " ", "  ", "\t", "\n", "\r\n "]


@dataclass(frozen=True)
class Style:
    """How unusual a generated document is: each unusual choice is taken once in ``rate``
    (never when 0), and ``broken`` allows what is not well-formed."""

    rate: int
    broken: bool

    def odd(self, draw: st.DrawFn) -> bool:
        return self.rate > 0 and draw(st.integers(0, self.rate - 1)) == 0


styles = st.builds(Style, st.sampled_from([0, 300, 80, 20]), st.integers(0, 4).map(lambda n: n == 4))


@st.composite
def texts(draw: st.DrawFn, style: Style) -> str:
    parts = draw(st.lists(st.sampled_from(VALID_TEXT), max_size=4))
    if style.odd(draw):
        parts.insert(draw(st.integers(0, len(parts))), draw(st.sampled_from(ODD_TEXT)))
    if style.broken and style.odd(draw):
        parts.insert(draw(st.integers(0, len(parts))), draw(st.sampled_from(BROKEN_TEXT)))
    return "".join(parts)


@st.composite
def attribute(draw: st.DrawFn, style: Style, depth: int = 0, key: str | None = None) -> str:
    quote = "'" if style.odd(draw) else '"'
    if key is None:
        key = draw(texts(style)) if style.odd(draw) else draw(st.sampled_from(KEYS))
    value = draw(texts(style))
    if quote in value:
        value = value.replace(quote, "&quot;" if quote == '"' else "&apos;")
    pairs = [f"key={quote}{key}{quote}", f"value={quote}{value}{quote}"]
    if style.odd(draw):
        pairs.reverse()
    if style.odd(draw):
        pairs.append(draw(st.sampled_from(['extra="1"', "k = 'x'"])))
    if style.odd(draw):
        pairs = pairs[:1] if draw(st.booleans()) else pairs[1:]
    if style.broken and style.odd(draw):
        pairs.append('key="again"')
    name = draw(st.sampled_from(TYPES))
    if style.odd(draw):
        name = draw(st.sampled_from(["xes:string", "list", "container", "stringx", "values"]))
    gaps = [draw(st.sampled_from(SPACES)) for _ in pairs]
    head = f"<{name}" + "".join(g + p for g, p in zip(gaps, pairs, strict=True))
    tail = draw(st.sampled_from(["", "", " ", "\n"]))
    if depth < 2 and style.odd(draw):
        children = draw(st.lists(attribute(style, depth=depth + 1), max_size=2))
        return f"{head}{tail}>" + "".join(children) + f"</{name}>"
    return f"{head}{tail}/>"


def attributes(draw: st.DrawFn, style: Style, most: int) -> list[str]:
    """Attributes of one element, mostly with distinct keys."""
    if style.odd(draw):
        return draw(st.lists(attribute(style), max_size=most))
    keys = draw(st.lists(st.sampled_from(KEYS), max_size=most, unique=True))
    return [draw(attribute(style, key=key)) for key in keys]


JUNK = [
    "<!-- note -->",
    "<!-- <trace><event></event></trace> -->",
    "<![CDATA[ <event> ]]>",
    "<?pi data?>",
    "text",
    "&amp;",
    "<event/>",
    "<trace/>",
    "<global scope='event'><string key='concept:name' value='x'/></global>",
]


@st.composite
def event(draw: st.DrawFn, style: Style) -> str:
    items = attributes(draw, style, 5)
    if style.odd(draw):
        items.insert(draw(st.integers(0, len(items))), draw(st.sampled_from(JUNK)))
    if not items and draw(st.booleans()):
        return draw(st.sampled_from(["<event/>", "<event />"]))
    space = draw(st.sampled_from(["\n\t\t\t", "", "\r\n  "]))
    opening = draw(st.sampled_from(["<event >", "<event\n>"])) if style.odd(draw) else "<event>"
    return opening + "".join(space + i for i in items) + draw(st.sampled_from(["\n\t\t", ""])) + "</event>"


@st.composite
def trace(draw: st.DrawFn, style: Style) -> str:
    items = attributes(draw, style, 3)
    items += draw(st.lists(event(style), max_size=5))
    if style.odd(draw):
        extra = draw(st.sampled_from(["attribute", "junk", "trace"]))
        if extra == "attribute":
            thing = draw(attribute(style))
        elif extra == "junk":
            thing = draw(st.sampled_from(JUNK))
        else:
            thing = draw(trace(Style(0, broken=False)))
        items.insert(draw(st.integers(0, len(items))), thing)
    if not items and draw(st.booleans()):
        return "<trace/>"
    space = draw(st.sampled_from(["\n\t\t", "", " "]))
    return "<trace>" + "".join(space + i for i in items) + draw(st.sampled_from(["\n\t", ""])) + "</trace>"


@st.composite
def documents(draw: st.DrawFn, style: Style | None = None) -> tuple[bytes, str, int]:
    """An XES document (bytes), the name to save it under and the number of gzip members."""
    style = style or draw(styles)
    encoding = "utf-8"
    head = draw(st.sampled_from(['<?xml version="1.0" encoding="UTF-8"?>\n', "<?xml version='1.0'?>\n", ""]))
    if style.odd(draw):
        encoding = draw(st.sampled_from(["iso-8859-1", "utf-16"]))
        head = f'<?xml version="1.0" encoding="{encoding}"?>\n'
    if style.odd(draw):
        head += draw(
            st.sampled_from(
                [
                    '<!DOCTYPE log [<!ENTITY co "Co &amp; Sons">]>\n',
                    '<!DOCTYPE log [<!ATTLIST string value CDATA "default">]>\n',
                    "<!DOCTYPE log>\n",
                ]
            )
        )
    head += draw(st.sampled_from(["", "<!-- made by a test -->\n", "<?stylesheet x?>\n"]))
    root = draw(st.sampled_from(["xes:log", "trace", "string", "lög"])) if style.odd(draw) else "log"
    body = [draw(st.sampled_from(['\n\t<extension name="Concept" prefix="concept" uri="u"/>', ""]))]
    if draw(st.booleans()):
        # a log-level attribute, odder than the rest (but plain in a plain document)
        body.append("\n\t" + draw(attribute(Style(4, style.broken) if style.rate else style)))
    for _ in range(draw(st.integers(1, 8))):
        body.append("\n\t" + draw(trace(style)))
        if style.odd(draw):
            body.append("\n\t" + draw(st.one_of(st.sampled_from(JUNK), attribute(style), event(style))))
    text = head + f'<{root} xes.version="1.0">' + "".join(body) + f"\n</{root}>\n"
    if draw(st.booleans()):
        text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r"])))
    if style.broken and style.odd(draw):
        text = text.replace("</event>", "</evnt>", 1)
    data = text.encode(encoding, errors="replace") if encoding != "utf-16" else text.encode("utf-16")
    if draw(st.booleans()) and encoding == "utf-8":
        data = b"\xef\xbb\xbf" + data
    if style.broken and style.odd(draw):
        data = data[: draw(st.integers(0, len(data)))]
    members = draw(st.sampled_from([0, 0, 1, 3]))
    return data, "log.xes.gz" if members else "log.xes", members


MAPPINGS = [
    None,
    Columns(resource="case:amount", lifecycle="k2"),
    Columns(case="case:a b", activity="amount", time="concept:name", outcome="case:concept:name"),
]
SIZES = st.tuples(
    st.sampled_from([150, 1000, 1 << 24]),
    st.sampled_from([32, 300, 1 << 18]),
    st.sampled_from([61, 1 << 22]),
    st.sampled_from([13, 1 << 18]),
    st.sampled_from([0, 0, 300, 1 << 16]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents(), st.sampled_from(MAPPINGS), SIZES)
def test_generated_documents_read_the_same_both_ways(
    document: tuple[bytes, str, int], columns: Columns | None, small: tuple[int, int, int, int, int]
) -> None:
    data, name, members = document
    with tempfile.TemporaryDirectory() as folder, sizes(*small):
        assert_same(write(Path(folder), data, name, members=members), columns)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(documents(Style(0, broken=False)), st.sampled_from(MAPPINGS), SIZES)
def test_plain_documents_are_read_by_the_fast_path(
    document: tuple[bytes, str, int], columns: Columns | None, small: tuple[int, int, int, int, int]
) -> None:
    data, name, members = document
    with tempfile.TemporaryDirectory() as folder, sizes(*small):
        _, fast = assert_same(write(Path(folder), data, name, members=members), columns)
    if small[0] > len(data) and small[1] > len(data):  # the document fits in one run
        assert fast.fast_events == fast.read


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    documents(Style(0, broken=False)),
    st.lists(
        st.tuples(st.floats(0, 1, exclude_max=True), st.sampled_from(list(b"<>\"'&/=! \n\r\t\x00\x01\xc3\xa9\xffae"))),
        min_size=1,
        max_size=3,
    ),
    SIZES,
)
def test_damaged_documents_read_the_same_both_ways(
    document: tuple[bytes, str, int], damage: list[tuple[float, int]], small: tuple[int, int, int, int, int]
) -> None:
    """Bytes changed anywhere in a plain document: the fast path takes nothing expat would not."""
    data, name, members = document
    changed = bytearray(data)
    for where, byte in damage:
        changed[int(where * len(changed))] = byte
    with tempfile.TemporaryDirectory() as folder, sizes(*small):
        assert_same(write(Path(folder), bytes(changed), name, members=members))


# --- what the fast path reads, and where it hands over ------------------------------------------

PLAIN = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1.0">
\t<string key="concept:name" value="the log"/>
\t<trace>
\t\t<string key="concept:name" value="c1"/>
\t\t<string key="channel" value="web"/>
\t\t<event>
\t\t\t<string key="concept:name" value="A &amp; B &lt;1&gt; &quot;q&quot; &apos;s&apos; &#233;&#x41;"/>
\t\t\t<date key="time:timestamp" value="2024-01-01T10:00:00+01:00" />
\t\t</event>
\t\t<event><string key="concept:name" value="B"/><date key="time:timestamp" value="2024-01-02"/></event>
\t\t<event/>
\t</trace>
\t<trace>
\t\t<event>
\t\t\t<string key="concept:name" value="C"/>
\t\t</event>
\t</trace>
</log>
"""


def test_plain_file_rows_lines_entities_and_trace_attributes(tmp_path: Path) -> None:
    path = write(tmp_path, PLAIN)
    exact, fast = assert_same(path, Columns(resource="case:channel"))
    assert fast.fast_events == 4
    assert rows(exact) == [
        {
            "row": 7,
            "case": "c1",
            "activity": "A & B <1> \"q\" 's' éA",
            "time": "2024-01-01T10:00:00+01:00",
            "resource": "web",
        },
        {"row": 11, "case": "c1", "activity": "B", "time": "2024-01-02", "resource": "web"},
        {"row": 12, "case": "c1", "resource": "web"},
        {"row": 15, "activity": "C"},
    ]


def test_line_numbers_follow_every_kind_of_line_break(tmp_path: Path) -> None:
    text = PLAIN.replace("\n", "\r\n")
    exact, _ = assert_same(write(tmp_path, text))
    assert exact.table["row"].to_pylist() == [7, 11, 12, 15]
    exact, _ = assert_same(write(tmp_path, PLAIN.replace("\n", "\r"), "cr.xes"))
    assert exact.table["row"].to_pylist() == [7, 11, 12, 15]
    one_line = PLAIN.replace("\n", "")
    exact, fast = assert_same(write(tmp_path, one_line, "one.xes"))
    assert exact.table["row"].to_pylist() == [1, 1, 1, 1] and fast.fast_events == 4


def refusal(run: str) -> int | xesfast.Decoded:
    plan = xesfast.Plan(("case", "activity"), {"concept:name": "activity"}, {"concept:name": "case"})
    text = b"padding" + run.encode("utf-8") + b"\xc3\xa9 and more"
    return xesfast.decode(text, 7, len(text) - 11, plan)


TRACE = '<trace><string key="concept:name" value="c"/><event>{}</event></trace>'
REFUSED = {
    "comment": "<!-- x -->",
    "cdata": "<![CDATA[x]]>",
    "processing instruction": "<?x y?>",
    "text": "words",
    "nested attribute": '<string key="concept:name" value="a"><string key="x" value="b"/></string>',
    "list": '<list key="l"><values><string key="concept:name" value="a"/></values></list>',
    "container": '<container key="c"><string key="concept:name" value="a"/></container>',
    "single quotes": "<string key='concept:name' value='a'/>",
    "value before key": '<string value="a" key="concept:name"/>',
    "other attribute": '<string key="concept:name" value="a" extra="1"/>',
    "key without value": '<string key="concept:name"/>',
    "prefixed name": '<xes:string key="concept:name" value="a"/>',
    "other entity": '<string key="concept:name" value="&co;"/>',
    "bare ampersand": '<string key="concept:name" value="a & b"/>',
    "character zero": '<string key="concept:name" value="&#0;"/>',
    "less-than": '<string key="concept:name" value="a<b"/>',
    "tab in value": '<string key="concept:name" value="a\tb"/>',
    "line break in value": '<string key="concept:name" value="a\nb"/>',
    "control character": '<string key="concept:name" value="a\x01b"/>',
    "non-character": '<string key="concept:name" value="a\ufffe"/>',
    "entity in key": '<string key="a&amp;b" value="a"/>',
    "open element": '<string key="concept:name" value="a">',
    "event in event": "<event></event>",
    "key twice": '<string key="concept:name" value="a"/><string key="concept:name" value="b"/>',
}


@pytest.mark.parametrize("feature", sorted(REFUSED))
def test_the_fast_path_refuses_what_it_does_not_read_exactly(feature: str, tmp_path: Path) -> None:
    run = TRACE.format(REFUSED[feature])
    assert isinstance(refusal(run), int)
    assert isinstance(refusal(TRACE.format('<string key="concept:name" value="a"/>')), xesfast.Decoded)
    # In a file, expat reads that trace and the fast path the ones around it.
    plain = TRACE.format('<string key="concept:name" value="p"/>')
    text = f"<log>\n{plain}\n{run}\n{plain}\n</log>\n"
    with sizes(window=len(plain) + 2, small=len(plain) + 2, piece=1 << 22, read=1 << 18):
        exact, fast = assert_same(write(tmp_path, text))
    assert 0 < fast.fast_events < fast.read or exact.rejects


@pytest.mark.parametrize(
    "run",
    [
        '<trace><event></event><string key="concept:name" value="late"/></trace>',
        "<event></event>",
        '<string key="concept:name" value="a"/>',
        "</trace>",
        "<trace><trace></trace></trace>",
        "<trace><event></trace></event>",
        '<trace><string key="concept:name" value="a"/><string key="concept:name" value="b"/></trace>',
    ],
)
def test_the_fast_path_refuses_structures_it_does_not_read(run: str) -> None:
    assert isinstance(refusal(run), int)


@pytest.mark.parametrize(("every", "fast_share"), [(1, 0.0), (2, 0.0), (7, 0.0), (400, 0.0), (4000, 0.8), (0, 1.0)])
def test_unusual_traces_cost_little_however_dense(every: int, fast_share: float, tmp_path: Path) -> None:
    """Every ``every``-th trace has a tab in a value, which the fast path refuses: however many
    there are, it is given at most a few times the file, and takes what lies between them."""
    good = (
        '<trace><string key="concept:name" value="c{}"/><event><string key="concept:name" value="A"/></event></trace>\n'
    )
    bad = '<trace><string key="concept:name" value="c{}"/><event><string key="concept:name" value="A\tB"/></event></trace>\n'
    text = (
        "<log>\n" + "".join((bad if every and i % every == 0 else good).format(i) for i in range(20_000)) + "</log>\n"
    )
    _, fast = assert_same(write(tmp_path, text))
    assert fast.tried <= 4 * len(text)
    assert fast.fast_events >= fast_share * fast.read


def test_nested_attributes_do_not_leak_into_events(tmp_path: Path) -> None:
    text = (
        '<log><trace><string key="concept:name" value="c"/>'
        '<container key="x"><string key="concept:name" value="leak"/></container>'
        '<event><string key="concept:name" value="A">'
        '<string key="concept:name" value="leak"/><string key="time:timestamp" value="leak"/></string>'
        '<list key="l"><values><string key="org:resource" value="leak"/></values></list>'
        '<date key="time:timestamp" value="t"/></event></trace></log>'
    )
    exact, _ = assert_same(write(tmp_path, text))
    assert rows(exact) == [{"row": 1, "case": "c", "activity": "A", "time": "t"}]


def test_a_trace_attribute_after_an_event_applies_to_the_events_after_it(tmp_path: Path) -> None:
    text = (
        '<log><trace><string key="concept:name" value="c"/>'
        '<event><string key="concept:name" value="A"/></event>'
        '<string key="concept:name" value="d"/>'
        '<event><string key="concept:name" value="B"/></event></trace>'
        '<event><string key="concept:name" value="outside"/></event></log>'
    )
    exact, fast = assert_same(write(tmp_path, text))
    assert [(r["case"], r["activity"]) for r in rows(exact)] == [("c", "A"), ("d", "B")]
    assert fast.fast_events == 0


def test_a_key_twice_in_an_event_keeps_the_last(tmp_path: Path) -> None:
    text = '<log><trace><event><string key="concept:name" value="A"/><string key="concept:name" value="B"/></event></trace></log>'
    exact, _ = assert_same(write(tmp_path, text))
    assert rows(exact) == [{"row": 1, "activity": "B"}]


@pytest.mark.parametrize(
    ("header", "fast_events"),
    [
        ('<?xml version="1.0" encoding="UTF-8"?>', 2),
        ('<?xml version="1.0" encoding="ISO-8859-1"?>', 0),
        ('<!DOCTYPE log [<!ENTITY co "Co">]>', 0),
        ('<!DOCTYPE log [<!ATTLIST event id CDATA "d">]>', 0),
    ],
)
def test_encodings_and_doctypes_keep_the_file_on_expat(header: str, fast_events: int, tmp_path: Path) -> None:
    text = f'{header}<log><trace><event><string key="concept:name" value="é"/></event></trace>\n<trace><event/></trace></log>'
    data = text.encode("latin-1" if "ISO" in header else "utf-8")
    exact, fast = assert_same(write(tmp_path, data))
    assert fast.fast_events == fast_events
    assert exact.table["activity"].to_pylist() == ["é", None]


def test_utf16_files_stay_on_expat(tmp_path: Path) -> None:
    text = '<?xml version="1.0" encoding="UTF-16"?><log><trace><event><string key="concept:name" value="é"/></event></trace></log>'
    exact, fast = assert_same(write(tmp_path, text.encode("utf-16")))
    assert fast.fast_events == 0 and exact.table["activity"].to_pylist() == ["é"]


def test_an_xes_root_element_keeps_the_file_on_expat(tmp_path: Path) -> None:
    text = '<trace><string key="concept:name" value="c"/><event><string key="concept:name" value="A"/></event><trace><event/></trace></trace>'
    exact, fast = assert_same(write(tmp_path, text))
    assert fast.fast_events == 0 and exact.read == 2


@pytest.mark.parametrize("members", [1, 2, 5])
def test_gzip_files_of_several_members(members: int, tmp_path: Path) -> None:
    exact, fast = assert_same(write(tmp_path, PLAIN, "log.xes.gz", members=members))
    assert fast.fast_events == exact.read == 4


def inflated(path: Path, pieces: Iterator[bytes]) -> tuple[str, bytes | str]:
    try:
        return "text", b"".join(pieces)
    except Exception as exc:
        return "error", type(exc).__name__


def test_arrow_and_zlib_inflate_cut_and_damaged_files_alike(tmp_path: Path) -> None:
    """Arrow inflates; where it stops on an error zlib takes over: the text is zlib's, to the byte."""
    text = b"".join(b"<trace>%d</trace>\n" % i for i in range(40_000))
    members = gzip.compress(text[:100_000]) + gzip.compress(b"") + gzip.compress(text[100_000:])
    flipped = bytearray(members)
    flipped[len(flipped) // 3] ^= 0xFF
    cases = [members, members + b"garbage", members + bytes(10), b"", b"\x1f\x8b", bytes(flipped)]
    cases += [members[:cut] for cut in (5, 20, 1000, len(members) // 2, len(members) - 3, len(members) - 10)]
    path = tmp_path / "log.xes.gz"
    for data in cases:
        path.write_bytes(data)
        with mock.patch.object(xeslog, "_PIECE", 1 << 15):
            assert inflated(path, xeslog._pieces(path, True)) == inflated(path, xeslog._inflate(path))


def test_reads_are_bounded_however_well_the_file_compresses(tmp_path: Path) -> None:
    path = tmp_path / "spaces.xes.gz"
    path.write_bytes(gzip.compress(b"<log>" + b" " * 30_000_000 + b"</log>"))
    with mock.patch.object(xeslog, "_PIECE", 1 << 20):
        assert max(len(p) for p in xeslog._pieces(path, True)) <= 1 << 20


# --- files that stop being well-formed ----------------------------------------------------------


def expat_fault(data: bytes) -> tuple[int, int]:
    parser = expat.ParserCreate()
    with pytest.raises(expat.ExpatError) as info:
        parser.Parse(data, True)
    return info.value.lineno, info.value.offset + 1


@pytest.mark.parametrize(
    "damage",
    ["cut in a value", "cut after a trace", "cut in a tag", "mismatched tag", "junk after the root", "bare ampersand"],
)
def test_a_fault_keeps_the_events_before_it_and_says_where(damage: str, tmp_path: Path) -> None:
    text = PLAIN
    if damage == "cut in a value":
        text = text[: text.index('value="B"') + 8]
    elif damage == "cut after a trace":
        text = text[: text.index("</trace>") + 8]
    elif damage == "cut in a tag":
        text = text[: text.rindex("<eve") + 3]
    elif damage == "mismatched tag":
        text = text.replace("</event>\n\t</trace>", "</evnt>\n\t</trace>")
    elif damage == "junk after the root":
        text = text + "<log/>"
    else:
        text = text.replace('value="C"', 'value="C & D"')
    data = text.encode("utf-8")
    for size in (48, 1 << 24):
        with sizes(window=size, small=size, piece=1 << 22, read=1 << 18):
            exact, _ = assert_same(write(tmp_path, data))
    line, column = expat_fault(data)
    (message, count, where) = exact.rejects["xml"]
    assert f"at line {line}, column {column}" in message and count == 1 and where == [line]
    assert exact.read >= 1 and all(r <= line for r in exact.table["row"].to_pylist())


def test_a_cut_file_keeps_every_event_before_the_cut(tmp_path: Path) -> None:
    data = PLAIN.encode("utf-8")
    for cut in range(0, len(data), 7):
        assert_same(write(tmp_path, data[:cut]))


def test_a_file_cut_inside_its_first_trace_keeps_the_events_before_the_cut(tmp_path: Path) -> None:
    from stageline.data import import_log

    path = tmp_path / "cut.xes"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<log>\n<trace><string key="concept:name" value="c1"/>\n'
        '<event><string key="concept:name" value="A"/><date key="time:timestamp" value="2024-01-01T09:00:00Z"/></event>\n'
        '<event><string key="concept:name" value="B"/><date key="time:timestamp" value="2024-01-01T10:00:00Z"/></event>\n'
        '<event><string key="concept:na',
        encoding="utf-8",
    )
    q = import_log(path, cache=tmp_path / "cache").quality
    assert (q.rows, q.events, q.rejected_rows) == (3, 2, 1)
    assert q.rejected[0].places == ("line 6",)
