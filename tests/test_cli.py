"""The command line, run as a user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import stageline
from stageline.cli.main import main
from stageline.templates import template_names

GOOD = """\
stageline: 1
title: Coffee to go
phases: [Order, Receive]
steps:
  - id: order
    phase: order
    customer: Orders a drink    # at the counter
    frontstage: {label: Takes the order, role: barista}
    backstage: {label: Makes the drink, role: barista}
    support: POS system
  - id: pick-up
    phase: receive
    evidence: Cup with name
    customer: Picks up the drink
flows:
  - order.customer <-> order.frontstage
  - order.frontstage => order.backstage
  - order.backstage ~> order.support
  - order.backstage -> pick-up.customer
"""


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def good(tmp_path: Path) -> Path:
    path = tmp_path / "cafe.yaml"
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_validate_ok(good: Path) -> None:
    code, out, _ = run("validate", str(good))
    assert code == 0
    assert out.strip() == f"{good}: valid, 0 errors, 0 warnings"


def test_validate_reports_every_problem_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(GOOD.replace("frontstage:", "frontstge:").replace("pick-up.customer", "pickup.customer"))
    code, out, _ = run("validate", str(path))
    assert code == 1
    lines = out.splitlines()
    assert lines == [
        f"{path}:8:5: error: unknown lane `frontstge` (did you mean `frontstage`?)",
        f"{path}:19:24: error: unknown action `pickup.customer` (did you mean `pick-up.customer`?)",
        f"{path}: invalid, 2 errors, 0 warnings",
    ]


def test_validate_json(tmp_path: Path, good: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("stageline: 1\ntitle: x\nstatus: asis\n")
    code, out, _ = run("validate", "--format", "json", str(good), str(bad))
    assert code == 1
    report = json.loads(out)
    assert [r["valid"] for r in report] == [True, False]
    (problem,) = [p for p in report[1]["problems"] if p["code"] == "value.choice"]
    assert problem["line"] == 3 and problem["column"] == 9 and problem["pointer"] == "/status"
    assert problem["hint"] == "did you mean `as-is`?"


def test_validate_strict_fails_on_warnings(tmp_path: Path) -> None:
    path = tmp_path / "warn.yaml"
    path.write_text(GOOD.replace("role: barista}", "role: barista, channel: pigeon}", 1))
    assert run("validate", str(path))[0] == 0
    assert run("validate", "--strict", str(path))[0] == 1


def test_validate_unreadable_file(tmp_path: Path) -> None:
    code, out, _ = run("validate", str(tmp_path / "missing.yaml"))
    assert code == 1 and "no such file" in out


def test_fmt_check_and_rewrite_keep_comments(tmp_path: Path) -> None:
    path = tmp_path / "messy.yaml"
    path.write_text(
        GOOD.replace("  - id: order\n    phase", "  -   id: order\n      phase")
        .replace("    customer: Orders", "      customer: Orders")
        .replace("    frontstage: {", "      frontstage: {")
        .replace("    backstage: {label: Makes", "      backstage: {label: Makes")
        .replace("    support: POS", "      support: POS")
    )
    assert stageline.load(path) == stageline.loads(GOOD)
    code, _, err = run("fmt", "--check", str(path))
    assert code == 1 and "not formatted" in err
    before = path.read_text()
    code, out, _ = run("fmt", "--diff", str(path))
    assert code == 1 and out.startswith(f"--- {path}\n+++ {path}\n") and "+  - id: order" in out
    assert path.read_text() == before
    code, _, _ = run("fmt", str(path))
    assert code == 0
    text = path.read_text()
    assert "# at the counter" in text
    assert stageline.load(path) == stageline.loads(GOOD)
    assert run("fmt", "--check", str(path))[0] == 0


def test_fmt_refuses_invalid_files(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("stageline: 1\ntitle: x\nstatus: asis\n")
    code, _, err = run("fmt", str(path))
    assert code == 1 and "unknown status" in err
    assert path.read_text() == "stageline: 1\ntitle: x\nstatus: asis\n"


def test_convert_yaml_json_yaml(tmp_path: Path, good: Path) -> None:
    out_json = tmp_path / "cafe.json"
    assert run("convert", str(good), "-o", str(out_json))[0] == 0
    data = json.loads(out_json.read_text())
    assert data["flows"][1] == "order.frontstage => order.backstage"
    back = tmp_path / "back.yaml"
    assert run("convert", str(out_json), "-o", str(back))[0] == 0
    assert stageline.load(back) == stageline.load(good)
    code, out, _ = run("convert", str(good), "-o", "-", "--to", "json")
    assert code == 0 and json.loads(out) == data


def test_schema_is_valid_json_schema_and_checks_files(tmp_path: Path) -> None:
    import jsonschema

    code, out, _ = run("schema")
    assert code == 0
    schema = json.loads(out)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    from ruamel.yaml import YAML

    assert not list(validator.iter_errors(YAML(typ="safe").load(GOOD)))
    errors = list(validator.iter_errors({"stageline": 1, "title": "x", "steps": [{"id": "a", "backstge": "x"}]}))
    assert errors


def test_show_text_and_json(good: Path) -> None:
    code, out, _ = run("show", str(good))
    assert code == 0
    assert "Coffee to go" in out and "crossing the line of visibility" in out
    code, out, _ = run("show", "--format", "json", str(good))
    summary = json.loads(out)
    assert summary["actions_per_lane"] == {"evidence": 1, "customer": 2, "frontstage": 1, "backstage": 1, "support": 1}
    assert summary["crossings"] == {"interaction": 2, "visibility": 2, "internal": 1}
    assert summary["handoffs"] == 1
    assert summary["flows_per_kind"] == {"dependency": 1, "codependency": 1, "information": 1, "handoff": 1}


@pytest.mark.parametrize("template", template_names())
def test_init_every_template(tmp_path: Path, template: str) -> None:
    path = tmp_path / f"{template}.yaml"
    code, out, _ = run("init", str(path), "--template", template)
    assert code == 0, out
    text = path.read_text()
    assert text.startswith("# yaml-language-server: $schema=stageline.schema.json\n")
    assert (tmp_path / "stageline.schema.json").exists()
    doc = stageline.read_path(path)
    assert doc.errors == [] and doc.warnings == [], doc.problems
    bp = doc.blueprint
    assert bp is not None and len(bp.steps) >= 5 and {a.lane for a in bp.actions} == set(stageline.Lane)


def test_init_lists_templates_and_refuses_to_overwrite(tmp_path: Path) -> None:
    code, out, _ = run("init", "--list")
    assert code == 0 and {line.split()[0] for line in out.splitlines()} == set(template_names())
    assert {"cafe", "online-order", "loan-application", "hospital-visit", "help-desk"} <= set(template_names())
    path = tmp_path / "bp.yaml"
    assert run("init", str(path))[0] == 0
    code, out, err = run("init", str(path))
    assert code == 2 and "already exists" in err
    code, out, err = run("init", str(tmp_path / "x.yaml"), "--template", "cafee")
    assert code == 2 and "did you mean `cafe`?" in err


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (Path(__file__).parent.parent / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert command.help and len(command.help) > 20, name
        assert f"stageline {name}" in readme, name


def test_help_is_fast_because_heavy_libraries_load_lazily() -> None:
    code = (
        "import sys; from stageline.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('pydantic', 'ruamel.yaml', 'rich') if m in sys.modules]\n"
        "print('heavy:', ','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "Commands:" in out
    assert out.splitlines()[-1] == "heavy: "
