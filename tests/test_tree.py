"""Parsing YAML and JSON keeps the line and column of every value and key."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stageline.errors import ParseError
from stageline.formats.tree import parse_json, parse_yaml

YAML = """\
a: 1
b:
  - x
  - {c: true, d: ~}
e: |
  text
f: 2026-11-22
"""


def test_yaml_values_and_positions() -> None:
    data, smap = parse_yaml(YAML, "f.yaml")
    assert data == {"a": 1, "b": ["x", {"c": True, "d": None}], "e": "text\n", "f": "2026-11-22"}
    assert smap.values[("b", 1, "d")] == (4, 18)
    assert smap.keys[("b", 1, "d")] == (4, 15)
    assert str(smap.locate(("b", 1, "d", "missing", 3))) == "f.yaml:4:18"


def test_yaml_1_2_keeps_yes_and_no_as_text() -> None:
    data, _ = parse_yaml("a: yes\nb: no\nc: on\n")
    assert data == {"a": "yes", "b": "no", "c": "on"}


def test_yaml_merge_keys_and_aliases() -> None:
    data, _ = parse_yaml("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n")
    assert data["other"] == {"x": 1, "y": 3}


def test_yaml_custom_tags_are_refused() -> None:
    with pytest.raises(ParseError, match="unsupported YAML tag"):
        parse_yaml("a: !!python/object:os.system x\n")


def test_json_positions() -> None:
    text = '{\n  "a": [1, 2.5, "x"],\n  "b": {"c": null}\n}'
    data, smap = parse_json(text)
    assert data == {"a": [1, 2.5, "x"], "b": {"c": None}}
    assert smap.values[("a", 2)] == (2, 17)
    assert smap.keys[("b", "c")] == (3, 9)


JSONABLE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=5),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(JSONABLE, st.sampled_from([None, 2]))
def test_json_parser_agrees_with_the_standard_library(value: object, indent: int | None) -> None:
    text = json.dumps(value, indent=indent)
    data, _ = parse_json(text)
    assert data == json.loads(text)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_json_parser_accepts_exactly_what_the_standard_library_accepts(text: str) -> None:
    try:
        expected = json.loads(text)
    except ValueError:
        expected = ParseError
    try:
        got = parse_json(text)[0]
    except ParseError:
        got = ParseError
    if text.strip() == "":
        return  # an empty file is read as an empty document, reported later
    if isinstance(expected, float) or ((expected is not ParseError and "NaN" in text) or "Infinity" in text):
        return  # the standard library accepts NaN and Infinity, which JSON does not
    assert got == expected or (
        got is not ParseError and expected is not ParseError and json.dumps(got) == json.dumps(expected)
    )
