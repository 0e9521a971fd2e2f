"""Drawing blueprints: geometry that holds for any blueprint, views, themes, escaping, golden SVGs."""

from __future__ import annotations

import dataclasses
import itertools
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stageline
from stageline.errors import RenderError
from stageline.layout.engine import BOX_PAD_X, layout
from stageline.layout.scene import Scene, Text
from stageline.layout.theme import THEMES, contrast, get_theme
from stageline.layout.typeface import face
from stageline.layout.view import select, view_names
from stageline.model import Action, Blueprint, Flow, FlowKind, Lane, Party, Segment, Step, Style
from stageline.render.svg import svg
from tests.strategies import blueprints

EXAMPLES = sorted(Path(__file__).parent.parent.joinpath("examples").glob("*.yaml"))
GOLDEN = Path(__file__).parent / "golden" / "render"
SVG_NS = "{http://www.w3.org/2000/svg}"
#: Every element and attribute Stageline writes; user text must never add another.
ELEMENTS = {"svg", "title", "desc", "defs", "marker", "path", "rect", "g", "text", "tspan", "line", "circle"}
ATTRIBUTES = {
    "xmlns", "width", "height", "viewBox", "class", "role", "aria-labelledby", "font-family", "id", "refX",
    "refY", "markerWidth", "markerHeight", "markerUnits", "orient", "d", "fill", "stroke", "stroke-width",
    "stroke-dasharray", "stroke-linejoin", "stroke-linecap", "x", "y", "rx", "x1", "y1", "x2", "y2", "cx", "cy",
    "r", "transform", "font-size", "font-weight", "text-anchor", "marker-end", "marker-start", "opacity",
    "data-row", "data-severity", "data-line", "data-above", "data-source", "data-target", "data-kind", "data-id",
    "data-lane", "data-step", "data-role", "data-segments",
}  # fmt: skip


def golden_views(bp: Blueprint) -> list[str]:
    """The file's own views and the three built-in ones."""
    return [v for v in view_names(bp) if ":" not in v]


# -- geometry -------------------------------------------------------------------------------------


def check_geometry(scene: Scene) -> None:
    """What must hold in every drawing: text fits, boxes apart, arrows orthogonal and clear of boxes."""
    for box in scene.boxes:
        inner = box.width - 2 * BOX_PAD_X + 0.01
        for text in (box.label, box.meta):
            if text is None:
                continue
            for line in text.lines:
                assert face(text.weight).width(line, text.size) <= inner, (box.id, line)
            assert text.y - text.size < box.y + box.height
            assert box.y < text.y + (len(text.lines) - 1) * text.line_height <= box.y + box.height
        for note in box.notes:
            assert note.x + face().width(note.lines[0], note.size) <= box.x + box.width + 0.01, (box.id, note.lines)
    by_column: dict[float, list[tuple[float, float, str]]] = {}
    for box in scene.boxes:
        by_column.setdefault(box.x, []).append((box.y, box.y + box.height, box.id))
    for spans in by_column.values():
        spans.sort()
        for (_, end, a), (start, _, b) in itertools.pairwise(spans):
            assert end <= start, f"boxes {a} and {b} overlap"
    boxes = {b.id: b for b in scene.boxes}
    check_arrows_apart(scene)
    for arrow in scene.arrows:
        pts = arrow.points
        assert len(pts) >= 2
        for (x1, y1), (x2, y2) in itertools.pairwise(pts):
            assert x1 == x2 or y1 == y2, f"{arrow.source}->{arrow.target} has a slanted segment"
            for box in scene.boxes:
                inside_x = max(x1, x2) > box.x + 0.5 and min(x1, x2) < box.x + box.width - 0.5
                inside_y = max(y1, y2) > box.y + 0.5 and min(y1, y2) < box.y + box.height - 0.5
                assert not (inside_x and inside_y), f"{arrow.source}->{arrow.target} runs through {box.id}"
        if boxes[arrow.source].lane == boxes[arrow.target].lane:
            assert not arrow.crossings, f"{arrow.source}->{arrow.target} leaves its lane and crosses a line"
        for (x, y), box in ((pts[0], boxes[arrow.source]), (pts[-1], boxes[arrow.target])):
            on_side = x in (box.x, box.x + box.width) and box.y <= y <= box.y + box.height
            on_end = y in (box.y, box.y + box.height) and box.x <= x <= box.x + box.width
            assert on_side or on_end, f"{arrow.source}->{arrow.target} does not touch {box.id}"


def check_arrows_apart(scene: Scene) -> None:
    """No two arrows share a stretch of line, which would read as one arrow joining other boxes."""
    runs: list[tuple[bool, float, float, float, int]] = []  # horizontal?, position, from, to, arrow
    for k, arrow in enumerate(scene.arrows):
        for (x1, y1), (x2, y2) in itertools.pairwise(arrow.points):
            if y1 == y2:
                runs.append((True, y1, min(x1, x2), max(x1, x2), k))
            else:
                runs.append((False, x1, min(y1, y2), max(y1, y2), k))
    runs.sort()
    for i, (horizontal, at, lo, hi, k) in enumerate(runs):
        for other in runs[i + 1 :]:
            if other[0] != horizontal or other[1] - at > 0.5:
                break
            if other[4] != k and min(hi, other[3]) - max(lo, other[2]) > 1.0:
                a, b = scene.arrows[k], scene.arrows[other[4]]
                raise AssertionError(f"{a.source}->{a.target} and {b.source}->{b.target} overlap at {at}")


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_examples_in_every_view_keep_the_geometry(path: Path) -> None:
    bp = stageline.load(path)
    for name in view_names(bp):
        scene = layout(bp, name)
        check_geometry(scene)
        shown = {a.id for a in select(bp, name).actions}
        drawn = [b.id for b in scene.boxes if b.kind in ("action", "evidence")]
        assert len(drawn) == len(set(drawn))
        if not select(bp, name).summary:
            assert set(drawn) == shown


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_flow_label_is_drawn_beside_its_arrow_or_in_the_legend(path: Path) -> None:
    bp = stageline.load(path)
    scene = layout(bp)
    labelled = {(f.source, f.target) for f in bp.flows if f.label or f.probability is not None}
    drawn = {(a.source, a.target) for a in scene.arrows if a.label is not None}
    assert labelled <= drawn
    legend = " ".join(line for t in scene.legend if isinstance(t, Text) for line in t.lines)
    notes = sorted((a for a in scene.arrows if a.note is not None), key=lambda a: (a.label.x, a.label.y))  # type: ignore[union-attr]
    assert [a.note for a in notes] == list(range(1, len(notes) + 1))  # numbered in reading order
    for a in notes:
        assert a.label is not None and a.label.lines == (str(a.note),)
        assert "flow: " in legend
    # Labels and plates never cover a box, nor each other.
    plates = [a.plate for a in scene.arrows if a.plate is not None]
    for k, (x1, y1, x2, y2) in enumerate(plates):
        for box in scene.boxes:
            assert not (x1 < box.x + box.width and box.x < x2 and y1 < box.y + box.height and box.y < y2)
        for ox1, oy1, ox2, oy2 in plates[k + 1 :]:
            assert not (x1 < ox2 and ox1 < x2 and y1 < oy2 and oy1 < y2)


def test_print_theme_keeps_tag_dashes_but_not_their_colours() -> None:
    bp = loan()
    scene = layout(bp, theme="print")
    lanes = get_theme("print").boxes
    for box in scene.boxes:
        if box.kind == "action":
            assert box.fill == lanes[box.lane].fill
    rework = {a.id for a in bp.actions if "rework" in a.tags}
    assert rework and all(b.dash for b in scene.boxes if b.id in rework)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blueprints())
def test_any_blueprint_lays_out_cleanly(bp: Blueprint) -> None:
    for name in ["full", "phases", "journey", *(v.id for v in bp.views)]:
        check_geometry(layout(bp, name))


# -- views ----------------------------------------------------------------------------------------


def loan() -> Blueprint:
    return stageline.load(EXAMPLES[[p.stem for p in EXAMPLES].index("loan-application")])


def test_journey_shows_the_customer_side_and_the_emotion_curve() -> None:
    bp = loan()
    bp = dataclasses.replace(bp, views=())  # the built-in journey, not the file's own
    scene = layout(bp, "journey")
    assert [b.id for b in scene.bands] == ["sl:emotion", "evidence", "customer"]
    assert {b.lane for b in scene.boxes} <= {"evidence", "customer"}
    assert scene.curve is not None and len(scene.curve.points) >= 5
    assert not scene.rules or all(r.above != "customer" for r in scene.rules)


def test_role_view_highlights_that_role_and_dims_the_rest() -> None:
    bp = loan()
    scene = layout(bp, "role:credit-assessor")
    lit = {b.id for b in scene.boxes if b.highlight}
    assert lit == {a.id for a in bp.actions if "credit-assessor" in (a.role, a.owner)}
    assert all(b.dim for b in scene.boxes if b.kind in ("action", "evidence") and b.id not in lit)
    assert any(a.dim for a in scene.arrows) and any(not a.dim for a in scene.arrows)


def test_segment_view_leaves_out_other_segments() -> None:
    bp = loan()
    shown = {b.id for b in layout(bp, "segment:existing").boxes}
    for a in bp.actions:
        if a.segments and "existing" not in a.segments:
            assert a.id not in shown
    assert any(a.segments == ("existing",) and a.id in shown for a in bp.actions)


def test_lanes_view_and_phase_summary() -> None:
    bp = loan()
    scene = layout(bp, "lanes:customer,frontstage")
    assert [b.id for b in scene.bands] == ["sl:emotion", "customer", "frontstage"]
    assert [r.kind for r in scene.rules] == ["interaction"]
    summary = select(bp, "phases")
    assert [c.name for c in summary.columns] == [p.name for p in bp.phases]
    check_geometry(layout(bp, "phases"))


@pytest.mark.parametrize(
    ("view", "hint"),
    [("jorney", "journey"), ("role:credit-assesor", "credit-assessor"), ("segment:exsting", "existing")],
)
def test_unknown_views_say_what_exists(view: str, hint: str) -> None:
    with pytest.raises(RenderError) as info:
        layout(loan(), view)
    problem = info.value.problems[0]
    assert problem.code == "render.view" and hint in (problem.hint or "")


def test_unknown_theme_is_refused_with_a_suggestion() -> None:
    with pytest.raises(RenderError) as info:
        get_theme("high-contrst")
    assert "high-contrast" in (info.value.problems[0].hint or "")


# -- themes ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(THEMES))
def test_theme_text_meets_wcag_aa(name: str) -> None:
    th = get_theme(name)
    pairs = [(th.ink, th.background), (th.muted, th.background), (th.title, th.background)]
    pairs += [(p.text, p.fill) for p in (th.phase, th.step, th.label, *th.boxes.values())]
    pairs += [(th.label.text, th.label.fill), (th.muted, th.step.fill)]
    pairs += [(th.muted, band) for band in th.bands.values()]
    for text, fill in pairs:
        assert contrast(text, fill) >= 4.5, (name, text, fill)


def test_print_theme_lanes_differ_in_lightness() -> None:
    th = get_theme("print")
    greys = [contrast(th.boxes[lane.value].fill, "#ffffff") for lane in Lane if lane is not Lane.EVIDENCE]
    assert len({round(g, 2) for g in greys}) == len(greys)


def test_tag_style_text_stays_readable() -> None:
    bp = loan()
    dark = dataclasses.replace(bp, styles=(Style(tag="risk", fill="#202020", text="#303030"),))
    risky = [b for b in layout(dark).boxes if b.id in {a.id for a in bp.actions if "risk" in a.tags}]
    assert risky and all(contrast(b.label.fill, b.fill) >= 4.5 for b in risky)


# -- SVG ------------------------------------------------------------------------------------------


def parse(text: str) -> ET.Element:
    return ET.fromstring(text)  # expat: a strict XML parser


def test_svg_is_deterministic_and_accessible() -> None:
    bp = loan()
    first, second = svg(layout(bp)), svg(layout(stageline.load(EXAMPLES[1])))
    assert first == svg(layout(loan()))
    assert first != second
    root = parse(first)
    assert root.get("role") == "img"
    assert root.find(f"{SVG_NS}title") is not None and root.find(f"{SVG_NS}desc") is not None
    actions = root.findall(f".//{SVG_NS}g[@class='sl-action']") + root.findall(f".//{SVG_NS}g[@data-id]")
    assert actions and all(g.find(f"{SVG_NS}title") is not None for g in actions)
    texts = "".join(root.itertext())
    assert "Fills in income, fixed costs and loan purpose" in texts.replace("\n", " ") or "Fills in income" in texts


NASTY = [
    "<script>alert(1)</script>",
    "]]><evil/>",
    '" onload="alert(1)',
    "a\x00b\x01c\x1fd\x7f",
    "שלום עולם مرحبا",
    "🙂🎉 emoji 中文字符",
    "x" * 10_000,
    "&amp; &lt; &#x26; & < >",
    "\u2028line\u2029para\r\n\ttab",
]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(NASTY) | st.text(max_size=200), st.sampled_from(NASTY) | st.text(max_size=60))
def test_user_text_cannot_add_markup(label: str, other: str) -> None:
    bp = Blueprint(
        title=other or "t",
        service=other,
        steps=(Step(id="s1", name=label, phase=None, time=other, cells=()), Step(id="s2", name=other)),
        actions=(
            Action(id="a", step="s1", lane=Lane.CUSTOMER, label=label, description=other, pain_points=(other,)),
            Action(id="b", step="s2", lane=Lane.FRONTSTAGE, label=other or "b", role=label),
        ),
        flows=(Flow(source="a", target="b", label=label),),
    )
    for name in ("full", "phases"):
        text = svg(layout(bp, name))
        root = parse(text)
        for element in root.iter():
            assert element.tag.removeprefix(SVG_NS) in ELEMENTS
            assert set(element.attrib) <= ATTRIBUTES, set(element.attrib) - ATTRIBUTES
        assert "<script" not in text and "<evil" not in text


# -- golden files -------------------------------------------------------------------------------

UPDATE = os.environ.get("STAGELINE_UPDATE_GOLDEN") == "1"


def golden_cases() -> list[tuple[Path, str, str]]:
    cases = []
    for path in EXAMPLES:
        bp = stageline.load(path)
        cases += [(path, view, "default") for view in golden_views(bp)]
    cases += [(EXAMPLES[0], "full", "high-contrast"), (EXAMPLES[0], "full", "print")]
    return cases


@pytest.mark.parametrize(("path", "view", "theme"), golden_cases(), ids=lambda v: getattr(v, "stem", v))
def test_golden_svg(path: Path, view: str, theme: str) -> None:
    """The drawing of every example in every view matches the file a person looked at and accepted.

    After a deliberate change, run ``make golden`` (STAGELINE_UPDATE_GOLDEN=1), convert the
    changed files to PNG and look at them before committing.
    """
    text = svg(layout(stageline.load(path), view, theme))
    suffix = "" if theme == "default" else f".{theme}"
    golden = GOLDEN / f"{path.stem}.{view}{suffix}.svg"
    if UPDATE:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}: run `make golden` and look at the result"
    assert text == golden.read_text(encoding="utf-8"), f"{golden.name} changed: look at it, then `make golden`"


# -- findings marked on the drawing -----------------------------------------------------------------


def test_findings_are_marked_on_their_actions_and_steps() -> None:
    bp = stageline.load(EXAMPLES[[p.stem for p in EXAMPLES].index("hospital-outpatient")])
    marks = stageline.analyse(bp).by_place()
    scene = layout(bp, findings=marks)
    badges = {b.target: b for b in scene.badges}
    on_actions = {k for k in marks if not k.startswith("step:")}
    assert on_actions and on_actions <= badges.keys()
    for target, found in marks.items():
        badge = badges[target]
        assert badge.count == len(found)
        worst = max((s for s, _ in found), key=["info", "warning", "error"].index)
        assert badge.severity == worst
        assert found[0][1].split()[0] in badge.tooltip
    root = parse(svg(scene))
    drawn = root.findall(f".//{SVG_NS}g[@class='sl-badge']")
    assert len(drawn) == len(scene.badges)
    assert any("findings from stageline check" in t.text for t in root.iter(f"{SVG_NS}text") if t.text)
    # Without findings the drawing is the same as before: no badges, no legend entry.
    assert layout(bp).badges == ()


def test_journey_maps_write_the_pain_points_out() -> None:
    bp = dataclasses.replace(loan(), views=())
    journey = {b.id: b for b in layout(bp, "journey").boxes}
    full = {b.id: b for b in layout(bp).boxes}
    pained = [a for a in bp.actions if a.pain_points and a.lane is Lane.CUSTOMER]
    assert pained
    for a in pained:
        words = " ".join(line for t in journey[a.id].notes for line in t.lines)
        assert a.pain_points[0].split()[0] in words
        count = str(len(a.pain_points))
        full_marks = [(i.kind, n.lines[0]) for i, n in zip(full[a.id].icons, full[a.id].notes, strict=True)]
        journey_marks = [(i.kind, n.lines[0]) for i, n in zip(journey[a.id].icons, journey[a.id].notes, strict=True)]
        assert ("pain", count) in full_marks  # the full blueprint counts them
        assert ("pain", count) not in journey_marks  # the journey map writes them out instead
        assert sum(1 for kind, _ in journey_marks if kind == "pain") == len(a.pain_points)


@st.composite
def dense_blueprints(draw: st.DrawFn) -> Blueprint:
    """Crowded blueprints: up to five actions a cell, many flows of every kind, roles and segments."""
    steps = draw(st.integers(1, 6))
    roles = ["r1", "r2"]
    lanes = list(Lane)
    actions: list[Action] = []
    for s in range(steps):
        for lane in lanes:
            for k in range(draw(st.integers(0, 5 if lane is not Lane.EVIDENCE else 2))):
                actions.append(
                    Action(
                        id=f"s{s}-{lane.value}-{k}",
                        step=f"s{s}",
                        lane=lane,
                        label=draw(st.sampled_from(["Short", "A label of several words that wraps", "x" * 60])),
                        role=draw(st.sampled_from([None, *roles])) if lane is not Lane.CUSTOMER else None,
                        segments=tuple(draw(st.lists(st.sampled_from(["a", "b"]), max_size=1))),
                        pain_points=tuple(draw(st.lists(st.just("Waits too long for an answer"), max_size=2))),
                        emotion=draw(st.none() | st.sampled_from([-2.0, 0.0, 1.5])) if lane is Lane.CUSTOMER else None,
                    )
                )
    movers = [a.id for a in actions if a.lane is not Lane.EVIDENCE]
    flows: list[Flow] = []
    if len(movers) >= 2:
        for _ in range(draw(st.integers(0, 30))):
            src, dst = draw(st.lists(st.sampled_from(movers), min_size=2, max_size=2, unique=True))
            flows.append(
                Flow(
                    source=src,
                    target=dst,
                    kind=draw(st.sampled_from(list(FlowKind))),
                    label=draw(st.none() | st.just("a branch")),
                    probability=draw(st.none() | st.sampled_from([0.05, 0.5])),
                )
            )
    return Blueprint(
        title="Crowded",
        segments=(Segment(id="a", name="A"), Segment(id="b", name="B")),
        roles=tuple(Party(id=r, name=r.upper()) for r in roles),
        steps=tuple(Step(id=f"s{s}", name=f"Step {s}") for s in range(steps)),
        actions=tuple(actions),
        flows=tuple(flows),
    )


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(dense_blueprints())
def test_crowded_blueprints_lay_out_cleanly_in_every_view(bp: Blueprint) -> None:
    for name in ["full", "phases", "journey", "role:r1", "segment:a", "lanes:customer,backstage"]:
        scene = layout(bp, name)
        check_geometry(scene)
        plates = [a.plate for a in scene.arrows if a.plate is not None]
        for x1, y1, x2, y2 in plates:
            for box in scene.boxes:
                assert not (x1 < box.x + box.width and box.x < x2 and y1 < box.y + box.height and box.y < y2)
