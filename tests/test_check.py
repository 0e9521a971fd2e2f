"""`stageline check`: exit codes, every report format, settings from the file and stageline.toml."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from stageline.analysis.output import WRITERS
from stageline.analysis.registry import Option
from stageline.analysis.settings import _value
from stageline.cli.main import main
from stageline.formats.project import toml_source_map

EXAMPLES = Path(__file__).parent.parent / "examples"
LOAN = str(EXAMPLES / "loan-application.yaml")

BP = """stageline: 1
title: Check me
steps:
  - id: order
    customer:
      label: Orders <b>coffee</b> | "now"
      emotion: -2
    frontstage: {id: take, label: Barista takes the order, role: barista}
roles: [Barista]
flows: [order.customer -> take]
"""


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def write(tmp_path: Path, text: str, name: str = "bp.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_exit_codes_follow_fail_on(tmp_path: Path) -> None:
    f = write(tmp_path, BP)
    assert run("check", f)[0] == 0  # warnings only
    assert run("check", f, "--fail-on", "warning")[0] == 1
    assert run("check", f, "--fail-on", "never")[0] == 0


def test_an_invalid_blueprint_exits_2_with_located_errors(tmp_path: Path) -> None:
    f = write(tmp_path, BP.replace("title: Check me", "title: [oops"))
    code, _, err = run("check", f)
    assert code == 2
    assert f"{f}:3:" in err  # where the YAML parser notices the missing bracket


def test_text_report_lists_opportunities_and_findings() -> None:
    code, out, _ = run("check", LOAN)
    assert code == 0
    assert "Opportunities, most valuable first" in out
    assert "Return the signed offer" in out
    assert "experience.emotion-dip" in out
    assert "information findings not listed" in out


def test_json_report_has_the_documented_shape() -> None:
    code, out, _ = run("check", LOAN, "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["stageline_report"] == 1
    assert set(data) == {
        "stageline_report",
        "blueprint",
        "summary",
        "figures",
        "opportunities",
        "findings",
        "suppressed",
        "notes",
    }
    assert data["figures"]["method"] == "exact"
    assert data["figures"]["basis"] == "assumed"
    first = data["findings"][0]
    assert set(first) >= {"rule", "severity", "message", "subject", "location", "pointer", "evidence", "effect", "fix"}
    assert first["location"]["file"] == LOAN and first["location"]["line"] > 0
    assert first["pointer"].startswith("/steps/")
    assert data["opportunities"][0]["rank"] == 1
    scores = [o["score"] for o in data["opportunities"]]
    assert scores == sorted(scores, reverse=True)


def test_sarif_carries_rules_levels_and_lines() -> None:
    _, out, _ = run("check", LOAN, "--format", "sarif")
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    run_ = sarif["runs"][0]
    ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    for result in run_["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in {"error", "warning", "note"}
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] > 0


def test_html_report_is_self_contained_and_escapes_labels(tmp_path: Path) -> None:
    f = write(tmp_path, BP)
    out_file = tmp_path / "report.html"
    code, _, err = run("check", f, "--format", "html", "-o", str(out_file))
    assert code == 0, err
    page = out_file.read_text(encoding="utf-8")
    assert "<b>coffee</b>" not in page and "&lt;b&gt;coffee&lt;/b&gt;" in page
    assert "http://" not in page and "https://" not in page  # no network requests
    assert 'class="a has-warning"' in page  # the action is marked on the blueprint grid


def test_markdown_report_escapes_table_cells(tmp_path: Path) -> None:
    _, out, _ = run("check", write(tmp_path, BP), "--format", "markdown", "--fail-on", "never")
    assert out.startswith("# Analysis: Check me")
    assert "\\|" in out and "<b>" not in out


def test_settings_in_the_blueprint_turn_rules_off_and_accept_findings(tmp_path: Path) -> None:
    text = BP + (
        "analysis:\n  rules:\n    experience.emotion-dip: off\n  ignore:\n"
        "    - rule: gaps.no-evidence\n      subject: order.customer\n      reason: The receipt comes by email.\n"
    )
    _, out, _ = run("check", write(tmp_path, text), "--format", "json")
    data = json.loads(out)
    rules = {f["rule"] for f in data["findings"]}
    assert "experience.emotion-dip" not in rules and "gaps.no-evidence" not in rules
    assert data["suppressed"][0]["suppressed"] == "The receipt comes by email."


def test_bad_settings_are_located(tmp_path: Path) -> None:
    text = BP + "analysis:\n  rules:\n    experience.emotion-dipp: off\n    experience.crowded-step: {max_actons: 3}\n"
    f = write(tmp_path, text)
    code, _, err = run("check", f)
    assert code == 2
    assert f"{f}:13:5: error: unknown rule `experience.emotion-dipp`" in err and "experience.emotion-dip`?" in err
    assert f"{f}:14:31: error: rule `experience.crowded-step` has no threshold `max_actons`" in err


def test_bad_threshold_values_say_what_was_expected(tmp_path: Path) -> None:
    text = BP + "analysis:\n  rules:\n    time.customer-wait: {min_share: 40}\n"
    code, _, err = run("check", write(tmp_path, text))
    assert code == 2 and "write `40%` for a percentage" in err


def test_unused_suppression_is_noted(tmp_path: Path) -> None:
    text = BP + "analysis:\n  ignore:\n    - {rule: gaps.dead-end, subject: take, reason: fine}\n"
    _, _, err = run("check", write(tmp_path, text))
    assert "nothing to accept: rule `gaps.dead-end` finds nothing at `take`" in err


def test_project_file_applies_and_the_blueprint_wins(tmp_path: Path) -> None:
    (tmp_path / "stageline.toml").write_text(
        '[analysis.rules]\n"experience.emotion-dip" = "error"\n"gaps.no-evidence" = "off"\n', encoding="utf-8"
    )
    sub = tmp_path / "service"
    sub.mkdir()
    f = write(sub, BP)
    code, out, _ = run("check", f, "--format", "json")
    assert code == 1  # the emotion dip is an error now
    rules = {x["rule"]: x["severity"] for x in json.loads(out)["findings"]}
    assert rules["experience.emotion-dip"] == "error" and "gaps.no-evidence" not in rules
    f2 = write(sub, BP + "analysis:\n  rules:\n    experience.emotion-dip: warning\n", "b2.yaml")
    assert run("check", f2)[0] == 0
    assert run("check", f, "--no-config")[0] == 0


def test_project_file_mistakes_are_located(tmp_path: Path) -> None:
    cfg = tmp_path / "stageline.toml"
    cfg.write_text('[analysis.rules]\n"gaps.no-evidence" = "offf"\n', encoding="utf-8")
    code, _, err = run("check", write(tmp_path, BP))
    assert code == 2 and f"{cfg}:2:" in err
    cfg.write_text("[analysis\n", encoding="utf-8")
    code, _, err = run("check", write(tmp_path, BP))
    assert code == 2 and f"{cfg}:1:" in err and "not valid TOML" in err


def test_only_limits_the_rules() -> None:
    _, out, _ = run("check", LOAN, "--format", "json", "--rule", "fail-points")
    assert {f["rule"].split(".")[0] for f in json.loads(out)["findings"]} == {"fail-points"}
    code, _, err = run("check", LOAN, "--rule", "nope")
    assert code == 2 and "unknown rule or category `nope`" in err


def test_rules_are_listed_with_thresholds() -> None:
    _, out, _ = run("check", "--rules")
    assert "time.customer-wait  [warning]" in out and "min_share = 15%" in out


def test_every_example_checks_in_every_format() -> None:
    for path in sorted(EXAMPLES.glob("*.yaml")):
        for fmt in WRITERS:
            code, out, err = run("check", str(path), "--format", fmt)
            assert code == 0, (path, fmt, err)
            assert out


@given(st.text(max_size=200))
def test_toml_locator_never_fails(text: str) -> None:
    toml_source_map(text, "x.toml")


@given(st.one_of(st.floats(allow_nan=False), st.text(max_size=12), st.booleans()))
def test_threshold_values_parse_or_explain(value: object) -> None:
    for kind in ("share", "duration", "count", "number"):
        result = _value(Option("x", 1, kind, "help"), value)  # type: ignore[arg-type]
        assert isinstance(result, (float, str))
        if isinstance(result, str):
            assert "`x`" in result


def test_html_is_well_formed_for_any_label(tmp_path: Path) -> None:
    text = BP.replace('Orders <b>coffee</b> | "now"', '"]]></div><script>alert(1)</script> \\u202e\'"')
    _, out, _ = run("check", write(tmp_path, text), "--format", "html")
    assert "<script>" not in out
    ElementTree.fromstring(out.split("\n", 1)[1].replace("&nbsp;", " "))  # no doctype; XHTML-safe markup
