"""The README and the format reference say what the code does."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import stageline
from stageline.cli.main import main
from stageline.validate import CHECKS

ROOT = Path(__file__).parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
FORMAT = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")


def _blocks(text: str, lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", text, flags=re.S)


def test_readme_opens_with_the_two_commands() -> None:
    head = README.splitlines()[:10]
    assert any(line.startswith("make run") for line in head)
    assert any(line.startswith("make test") for line in head)


def test_readme_blueprints_are_valid_except_the_one_with_mistakes() -> None:
    blueprints = [b for b in _blocks(README, "yaml") if "stageline: 1" in b]
    assert len(blueprints) == 2
    doc = stageline.read_document(blueprints[0])
    assert doc.problems == [] and doc.blueprint is not None
    assert doc.blueprint.action("order.backstage") is not None
    assert blueprints[1] == (ROOT / "tests" / "fixtures" / "cafe-with-mistakes.yaml").read_text()


def test_readme_shows_the_real_validate_output() -> None:
    (shown,) = [b for b in _blocks(README, "text") if b.startswith("$ stageline validate")]
    command, *expected = shown.splitlines()
    cwd = Path.cwd()
    os.chdir(ROOT / "tests" / "fixtures")
    try:
        result = CliRunner().invoke(main, command.split()[2:])
    finally:
        os.chdir(cwd)
    assert result.stdout.splitlines() == expected


def test_format_reference_lists_every_check() -> None:
    codes = {
        code
        for check in CHECKS.values()
        for code in re.findall(r'_(?:p|unknown)\(\s*"([a-z]+\.[a-z-]+)"', _source(check.run))
    }
    documented = set(re.findall(r"`([a-z]+\.[a-z-]+)`", FORMAT))
    assert codes and codes <= documented, codes - documented


def test_format_reference_examples_parse() -> None:
    for block in _blocks(FORMAT, "yaml"):
        text = block if "stageline: 1" in block else "stageline: 1\ntitle: t\n" + block
        stageline.read_document(text)  # well-formed: would raise ParseError otherwise


def _source(fn: object) -> str:
    import inspect

    return inspect.getsource(fn)  # type: ignore[arg-type]


def test_readme_analysis_example_runs(capsys: pytest.CaptureFixture[str]) -> None:
    (code,) = [b for b in _blocks(README, "python") if "analyse" in b]
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith(" days") and out[1].startswith("1 Step `")


def test_readme_analysis_settings_apply_to_the_loan_example(tmp_path: Path) -> None:
    (settings,) = [b for b in _blocks(README, "yaml") if b.startswith("analysis:")]
    (toml,) = _blocks(README, "toml")
    loan = (ROOT / "examples" / "loan-application.yaml").read_text(encoding="utf-8")
    loan = loan[: loan.index("\nanalysis:\n")]  # the README's settings take the place of the example's
    (tmp_path / "loan.yaml").write_text(loan + "\n" + settings, encoding="utf-8")
    (tmp_path / "stageline.toml").write_text(toml, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(tmp_path / "loan.yaml"), "--format", "json"])
    data = json.loads(result.stdout)
    errors = {f["rule"] for f in data["findings"] if f["severity"] == "error"}
    assert errors == {"time.customer-wait"} and result.exit_code == 1  # raised to an error by the settings
    assert data["suppressed"][0]["rule"] == "gaps.dead-end" and data["notes"] == []
    assert data["figures"]["served_share"] > 0
    rules = {f["rule"] for f in data["findings"]}
    assert "gaps.no-owner" not in rules and "handoffs.line-crossing" not in rules


def test_readme_library_example_runs(tmp_path: Path, capsys: object) -> None:
    (code,) = [b for b in _blocks(README, "python") if "analyse" not in b and "render" not in b]
    cwd = Path.cwd()
    os.chdir(tmp_path)
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "help-desk.yaml").write_text((ROOT / "examples" / "help-desk.yaml").read_text())
    try:
        exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    written = stageline.load(tmp_path / "help-desk-to-be.json")
    assert written.title == "Help desk (to-be)" and written.status is stageline.Status.TO_BE


def test_readme_drawing_example_runs(tmp_path: Path) -> None:
    (code,) = [b for b in _blocks(README, "python") if "render" in b]
    cwd = Path.cwd()
    os.chdir(tmp_path)
    (tmp_path / "examples").mkdir()
    (tmp_path / "examples" / "help-desk.yaml").write_text((ROOT / "examples" / "help-desk.yaml").read_text())
    scope: dict[str, object] = {}
    try:
        exec(compile(code, "README.md", "exec"), scope)
    finally:
        os.chdir(cwd)
    assert str(scope["svg"]).startswith("<svg ") and "Customer journey" in str(scope["svg"])
    assert isinstance(scope["pdf"], bytes) and scope["pdf"].startswith(b"%PDF")


def test_readme_lists_every_analysis_rule() -> None:
    from stageline.analysis import RULES

    missing = [r for r in RULES if f"`{r}`" not in README]
    assert not missing, missing
    assert f"Then {len(RULES)} rules" in README


def test_readme_shows_the_real_check_report(tmp_path: Path) -> None:
    (shown,) = [b for b in _blocks(README, "text") if b.startswith("$ stageline check")]
    command, *expected = shown.splitlines()
    out = tmp_path / "report.txt"
    cwd = Path.cwd()
    os.chdir(ROOT)
    try:
        CliRunner().invoke(main, [*command.split()[2:-1], str(out)])
    finally:
        os.chdir(cwd)
    real = out.read_text(encoding="utf-8").splitlines()
    for line in expected:
        if line != "...":
            assert line in real, line


def test_metrics_reference_names_every_field() -> None:
    import dataclasses

    from stageline.metrics import shape

    text = (Path(__file__).parent.parent / "docs" / "metrics.md").read_text(encoding="utf-8")
    spans = " ".join(re.findall(r"`([^`]+)`", text))
    missing = [
        f"{cls.__name__}.{f.name}"
        for cls in vars(shape).values()
        if isinstance(cls, type) and dataclasses.is_dataclass(cls)
        for f in dataclasses.fields(cls)
        if not re.search(rf"(?<![\w.]){f.name}(?![\w.])", spans)
    ]
    assert not missing, missing
