"""Bad input gets a clear, located error and never a traceback."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import stageline
from stageline.errors import BlueprintError, ParseError, SourceError, StageLineError
from tests.helpers import one_error, problems_of, raises

GOOD = "stageline: 1\ntitle: Café\nsteps:\n  - id: order\n    customer: Orders\n"


def test_empty_file() -> None:
    err = raises("")
    assert isinstance(err, BlueprintError)
    assert "the file is empty" in str(err)


def test_binary_file(tmp_path: Path) -> None:
    path = tmp_path / "logo.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(SourceError) as info:
        stageline.load(path)
    assert "binary file" in str(info.value)
    assert str(info.value).startswith(f"{path}:")


def test_wrong_encoding_points_at_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("stageline: 1\ntitle: Caf\xe9\n".encode("latin-1"))
    with pytest.raises(SourceError) as info:
        stageline.load(path)
    problem = info.value.problems[0]
    assert (problem.location.line, problem.location.column) == (2, 11)
    assert "not valid UTF-8" in problem.message and problem.hint == "save the file as UTF-8"


def test_utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "utf16.yaml"
    path.write_bytes("stageline: 1\ntitle: Café\n".encode("utf-16"))
    assert stageline.load(path).title == "Café"


def test_utf8_bom_and_crlf_are_read() -> None:
    bp = stageline.loads(b"\xef\xbb\xbfstageline: 1\r\ntitle: Caf\xc3\xa9\r\n")
    assert bp.title == "Café"


def test_tab_indentation() -> None:
    p = one_error("stageline: 1\ntitle: x\nsteps:\n\t- id: a\n")
    assert (p.location.line, p.location.column) == (4, 1)
    assert "tab" in p.message and "spaces" in p.message


def test_duplicate_keys() -> None:
    p = one_error("stageline: 1\ntitle: a\ntitle: b\n")
    assert (p.location.line, p.location.column) == (3, 1)
    assert p.message == "duplicate key `title` (first given at line 2)"


def test_duplicate_keys_in_json() -> None:
    p = one_error('{"stageline": 1,\n "title": "a",\n "title": "b"}', format="json", file="bp.json")
    assert (p.location.line, p.location.column) == (3, 2)
    assert "duplicate key `title`" in p.message


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]")
    err = raises("\n".join(lines))
    assert isinstance(err, ParseError)
    assert "alias bomb" in str(err)


def test_deep_nesting() -> None:
    err = raises("stageline: 1\ntitle: " + "[" * 5000 + "]" * 5000)
    assert isinstance(err, ParseError)
    assert "nested more than 64 levels" in str(err)
    err = raises('{"a": ' + "[" * 5000 + "]" * 5000 + "}", format="json")
    assert "nested more than 64 levels" in str(err)


def test_absurd_nesting_is_refused_before_the_c_parser_sees_it() -> None:
    err = raises("stageline: 1\ntitle: " + "[" * 1_000_000 + "]" * 1_000_000)
    assert isinstance(err, ParseError)
    assert (err.problems[0].location.line, err.problems[0].location.column) == (2, 5008)


def test_file_over_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("w") as fh:
        fh.write("stageline: 1\ntitle: huge\nnotes:\n")
        line = "  - " + "x" * 95 + "\n"
        fh.write(line * (50 * 1024 * 1024 // len(line)))
    with pytest.raises(SourceError) as info:
        stageline.load(path)
    assert "file is 52.4 MB; Stageline reads blueprint files up to 16.8 MB" in str(info.value)


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        stageline.load(tmp_path / "nope.yaml")
    with pytest.raises(SourceError, match="is a directory"):
        stageline.load(tmp_path)


def test_yaml_syntax_error_is_located() -> None:
    p = one_error("stageline: 1\ntitle: [unclosed\nsteps: []\n")
    assert p.code == "syntax.yaml" and p.location.line == 3


def test_json_syntax_error_is_located() -> None:
    p = one_error('{\n  "stageline": 1,\n  "title": "x",\n}', format="json", file="bp.json")
    assert (p.location.line, p.location.column) == (4, 1)
    assert p.message == "JSON syntax: a comma before `}`; JSON allows none after the last item"


def test_not_a_mapping() -> None:
    p = one_error("- a\n- b\n")
    assert "expected a mapping of keys" in p.message


def test_missing_version_line() -> None:
    p = one_error("title: x\n")
    assert p.message == "missing `stageline: 1` at the top of the file"


def test_wrong_version() -> None:
    p = one_error("stageline: 2\ntitle: x\n")
    assert (p.location.line, p.location.column) == (1, 12)
    assert "unsupported format version `2`" in p.message


def test_unknown_lane_suggests_the_right_one() -> None:
    p = one_error("stageline: 1\ntitle: x\nsteps:\n  - id: a\n    backstge: Checks stock\n")
    assert str(p) == "bp.yaml:5:5: error: unknown lane `backstge` (did you mean `backstage`?)"


def test_onstage_is_recognised_as_frontstage() -> None:
    p = one_error("stageline: 1\ntitle: x\nsteps:\n  - id: a\n    onstage: Greets\n")
    assert p.hint == "did you mean `frontstage`?"


def test_unknown_key_suggests() -> None:
    # one typo, one report (not also "missing `label`"), in words rather than indices
    problems = problems_of("stageline: 1\ntitle: x\nsteps:\n  - id: a\n    customer:\n      labl: Orders\n")
    assert [(str(q), q.pointer) for q in problems] == [
        (
            "bp.yaml:6:7: error: unknown key `labl` in step 1 (customer) (did you mean `label`?)",
            "/steps/0/customer/labl",
        ),
    ]
    missing = problems_of("stageline: 1\ntitle: x\nsteps:\n  - id: a\n    customer:\n      role: clerk\n")
    assert [str(q) for q in missing] == ["bp.yaml:6:7: error: missing `label` in step 1 (customer)"]


def test_status_choice() -> None:
    p = one_error("stageline: 1\ntitle: x\nstatus: asis\n")
    assert p.message == "unknown status `asis`: expected `as-is`, `to-be`, `proposed`"
    assert p.hint == "did you mean `as-is`?"


def test_wrong_type_and_range() -> None:
    text = "stageline: 1\ntitle: x\nsteps:\n  - id: a\n    customer:\n      label: Pays\n      emotion: 5\n      cost: cheap\n"
    problems = problems_of(text)
    assert [(p.location.line, p.code) for p in problems] == [(7, "value.less_than_equal"), (8, "value.float_parsing")]
    assert "got `5`" in problems[0].message and "got `cheap`" in problems[1].message


def test_duration_needs_a_unit() -> None:
    p = one_error("stageline: 1\ntitle: x\nsteps:\n  - id: a\n    customer:\n      label: Waits\n      wait: 5\n")
    assert (p.location.line, p.location.column) == (7, 13)
    assert p.hint == "add a unit, e.g. `5 min`"


def test_bad_flow_syntax() -> None:
    p = one_error(GOOD + "flows:\n  - order.customer --> order.frontstage\n")
    assert p.location.line == 7 and p.code == "flow.syntax"


def test_unknown_flow_end_suggests() -> None:
    p = one_error(GOOD + "flows:\n  - order.customr -> order.customer\n")
    assert p.message == "unknown action `order.customr`"
    assert p.hint == "did you mean `order.customer`?"
    assert p.location.line == 7


def test_flow_from_physical_evidence() -> None:
    text = GOOD + "    evidence: Menu board\n    frontstage: Greets\nflows:\n  - order.evidence -> order.frontstage\n"
    p = one_error(text)
    assert "physical evidence `order.evidence`" in p.message


def test_step_outside_any_phase() -> None:
    text = "stageline: 1\ntitle: x\nphases: [Order]\nsteps:\n  - id: a\n    phase: order\n    customer: A\n  - id: b\n    customer: B\n"
    p = one_error(text)
    assert p.message == "step `b` is outside any phase" and p.location.line == 8


def test_unknown_phase_suggests() -> None:
    text = "stageline: 1\ntitle: x\nphases: [Order]\nsteps:\n  - id: a\n    phase: ordr\n    customer: A\n"
    p = one_error(text)
    assert p.hint == "did you mean `order`?" and p.location.line == 6


def test_duplicate_action_ids() -> None:
    text = "stageline: 1\ntitle: x\nsteps:\n  - id: a\n    customer: [{id: pay, label: P}]\n    frontstage: {id: pay, label: Q}\n"
    p = one_error(text)
    assert p.message == "duplicate action id `pay` (also action 1)" and p.location.line == 6


def test_probabilities_over_one() -> None:
    text = (
        GOOD
        + "    frontstage: [A, B]\nflows:\n  - order.customer -> order.frontstage [70%]\n  - order.customer -> order.frontstage.2 [0.5]\n"
    )
    p = one_error(text)
    assert "add up to 120%" in p.message and p.location.line == 9


def test_all_problems_at_once_sorted() -> None:
    text = "stageline: 1\ntitle: x\nstatus: asis\nsteps:\n  - id: a\n    backstge: x\n    customer: {label: y, emotion: 9}\n"
    problems = problems_of(text)
    assert [p.location.line for p in problems] == [3, 6, 7]


def test_warnings_are_told_apart() -> None:
    text = GOOD + "    frontstage: {label: Greets, emotion: 1, channel: pigeon}\n"
    bp = stageline.loads(text)  # warnings do not stop loading
    problems = problems_of(text)
    assert bp.title == "Café"
    assert {p.severity.value for p in problems} == {"warning"}
    assert {p.code for p in problems} == {"actions.emotion", "actions.channel"}


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gives_a_blueprint_or_a_stageline_error(text: str) -> None:
    for fmt in ("yaml", "json"):
        try:
            stageline.loads(text, format=fmt)
        except StageLineError as exc:
            assert exc.problems and all(str(p) for p in exc.problems)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_give_a_blueprint_or_a_stageline_error(data: bytes) -> None:
    with contextlib.suppress(StageLineError):
        stageline.loads(data)


YAMLISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                ["stageline", "title", "steps", "id", "customer", "label", "flows", "phases", "wait", "emotion", "x"]
            ),
            inner,
            max_size=5,
        )
    ),
    max_leaves=30,
)


@settings(max_examples=300, deadline=None)
@given(
    st.fixed_dictionaries(
        {"stageline": st.just(1), "title": st.text(max_size=5)},
        optional={"steps": YAMLISH, "flows": YAMLISH, "phases": YAMLISH},
    )
)
def test_any_structure_gives_a_blueprint_or_a_stageline_error(data: dict[str, object]) -> None:
    import json

    try:
        text = json.dumps(data)
    except ValueError:
        return
    try:
        stageline.loads(text, format="json")
    except StageLineError as exc:
        assert all(p.location.line >= 1 for p in exc.problems)


def test_messages_found_by_a_user_review() -> None:
    base = "stageline: 1\ntitle: T\nsteps:\n  - id: a\n    customer: x\n    frontstage: y\n"
    # an unknown action in a flow is pointed at, and a chain names it once
    problems = problems_of(base + "flows: [a.customer -> a.cust, a.frontstage -> a.front -> a.customer]\n")
    assert [(p.location.column, p.message) for p in problems] == [
        (23, "unknown action `a.cust`"),
        (47, "unknown action `a.front`"),
    ]
    # a number where a date is expected, and infinite or boolean numbers
    assert (
        one_error("stageline: 1\ntitle: T\ndate: 86400\n").message
        == "date: expected a date written `YYYY-MM-DD`, such as `2026-11-22`"
    )
    assert "finite number" in one_error(base.replace("customer: x", "customer: {label: x, cost: .inf}")).message
    assert one_error("stageline: true\ntitle: T\n").message.startswith("unsupported format version `True`")
    assert one_error("stageline: 1\ntitle: ''\n").message == "title: is empty; write a few words"
    # a probability that is not one
    assert "`[-5%]` is not a probability" in one_error(base + "flows: ['a.customer -> a.frontstage [-5%]']\n").message
    # rows in a circle
    text = base + "rows: [{name: A, after: b}, {name: B, after: a}]\n"
    assert [p.code for p in problems_of(text)] == ["rows.circle", "rows.circle"]


def test_a_flow_with_an_empty_label_is_just_a_flow() -> None:
    base = "stageline: 1\ntitle: T\nsteps:\n  - id: a\n    customer: x\n    frontstage: y\n"
    bp = stageline.loads(base + "flows:\n  - a.customer -> a.frontstage [50%]:\n")
    assert bp.flows[0].label is None and bp.flows[0].probability == 0.5


def test_json_lone_surrogate() -> None:
    p = one_error('{"stageline": 1, "title": "\\ud800"}', format="json", file="bp.json")
    assert "lone surrogate" in p.message and p.location.column == 27


def test_independent_problems_are_all_reported() -> None:
    text = """\
stageline: 1
title: T
phases: [Arrive]
steps:
  - id: Enter Shop
    phase: arive
    customer: {label: Walks in, tags: [new, {x: 1}]}
views:
  - name: V
    lanes: [customer, front]
flows:
  - enter-shop.customer -> nowhere
"""
    errors = [(p.location.line, p.code) for p in problems_of(text) if p.severity.value == "error"]
    assert errors == [
        (5, "value.id"),
        (6, "steps.phase"),
        (7, "value.string_type"),
        (10, "value.choice"),
        (12, "flows.unknown"),
    ]
