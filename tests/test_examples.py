"""The shipped examples: valid, complete, canonical, and matching the real event logs."""

from __future__ import annotations

import gzip
import json
import xml.etree.ElementTree as ET
from fnmatch import fnmatchcase
from pathlib import Path

import pytest

import stageline
from stageline import Lane, LineKind
from stageline.model import ActivityMatch, Blueprint

ROOT = Path(__file__).parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
LOGS = ROOT.parent / "shared" / "data" / "eventlogs"
MATCHING_LOGS = {
    "loan-application.yaml": "bpic2012.xes.gz",
    "help-desk.yaml": "helpdesk.xes.gz",
    "permit-application.yaml": "receipt.parquet",
}


def test_there_are_at_least_four_examples() -> None:
    assert len(EXAMPLES) >= 4
    assert set(MATCHING_LOGS) <= {p.name for p in EXAMPLES}


@pytest.fixture(params=EXAMPLES, ids=[p.name for p in EXAMPLES])
def example(request: pytest.FixtureRequest) -> Path:
    path: Path = request.param
    return path


def test_valid_without_warnings(example: Path) -> None:
    doc = stageline.read_path(example)
    assert doc.problems == [], "\n".join(map(str, doc.problems))


def test_fully_populated(example: Path) -> None:
    bp = stageline.load(example)
    summary = stageline.summarise(bp)
    assert len(bp.steps) >= 12
    assert all(summary.actions_per_lane[lane] > 0 for lane in Lane)
    assert all(summary.crossings[line] > 0 for line in (LineKind.INTERACTION, LineKind.VISIBILITY, LineKind.INTERNAL))
    assert len(bp.segments) >= 2 and any(a.segments for a in bp.actions)
    scored = [a for a in bp.actions if a.fail_point and a.fail_point.risk_priority and a.fail_point.recovery]
    assert len(scored) >= 3
    assert sum(1 for a in bp.actions if a.wait and a.wait.tolerance is not None) >= 3
    assert sum(1 for a in bp.actions if a.emotion is not None) >= 5
    assert sum(1 for a in bp.actions if a.kpis and a.kpis[0].target is not None) >= 3
    assert any(f.probability is not None for f in bp.flows)
    assert summary.handoffs >= 1
    order = bp.step_order
    loops = [
        f
        for f in bp.flows
        if (a := bp.action(f.source)) and (b := bp.action(f.target)) and order[b.step] < order[a.step]
    ]
    assert loops, "expected at least one rework loop"


def test_canonical_form(example: Path) -> None:
    bp = stageline.load(example)
    assert stageline.dumps(bp) == example.read_text(encoding="utf-8"), f"run `stageline fmt {example.name}`"


def test_json_round_trip(example: Path) -> None:
    bp = stageline.load(example)
    assert stageline.loads(stageline.dumps(bp, format="json"), format="json") == bp


def test_matches_the_json_schema(example: Path) -> None:
    import jsonschema
    from ruamel.yaml import YAML

    data = json.loads(json.dumps(YAML(typ="safe").load(example.read_text()), default=str))
    errors = list(jsonschema.Draft202012Validator(stageline.json_schema()).iter_errors(data))
    assert errors == []


def _log_activities(path: Path) -> set[str]:
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        table = pq.read_table(path, columns=["concept:name"])
        return {str(v) for v in table.column("concept:name").to_pylist()}
    names: set[str] = set()
    with gzip.open(path) as fh:
        for _, elem in ET.iterparse(fh):
            if elem.tag.endswith("event"):
                for attr in elem:
                    if attr.get("key") == "concept:name":
                        names.add(attr.get("value", ""))
                elem.clear()
    return names


def _claims(match: ActivityMatch, name: str) -> bool:
    import re

    if match.name is not None:
        return match.name == name
    if match.glob is not None:
        return fnmatchcase(name, match.glob)
    return match.regex is not None and re.fullmatch(match.regex, name) is not None


@pytest.mark.parametrize(("example_name", "log_name"), sorted(MATCHING_LOGS.items()))
def test_every_logged_activity_is_claimed(example_name: str, log_name: str) -> None:
    log = LOGS / log_name
    if not log.exists():
        pytest.skip(f"{log} is not here (the shared event logs sit beside the project)")
    bp: Blueprint = stageline.load(ROOT / "examples" / example_name)
    matches = [m for a in bp.actions for m in a.activities]
    activities = _log_activities(log)
    assert len(activities) >= 5
    unclaimed = sorted(n for n in activities if not any(_claims(m, n) for m in matches))
    assert unclaimed == []
    claimed_names = {m.name for m in matches if m.name is not None}
    assert claimed_names <= activities, claimed_names - activities
