"""The public surface is explicit and complete."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

import stageline

#: Names public in their own module but deliberately not re-exported at the top level.
NOT_AT_TOP = {
    "derived_action_id",
    "slugify",
    "format_duration",
    "parse_duration",
    "format_for",
    "write_text",
    "did_you_mean",
    "json_pointer",
    "CHECKS",
    "Check",
    "check",
    "Origins",
    "locate_path",
}

MODULES = sorted(
    m.name for m in pkgutil.walk_packages(stageline.__path__, "stageline.") if not m.name.startswith("stageline.cli")
)


@pytest.mark.parametrize("name", MODULES)
def test_every_module_declares_its_public_names(name: str) -> None:
    module = importlib.import_module(name)
    assert hasattr(module, "__all__"), name
    defined = {
        n
        for n, v in vars(module).items()
        if not n.startswith("_") and getattr(v, "__module__", None) == name and callable(v)
    }
    assert defined <= set(module.__all__), defined - set(module.__all__)
    for exported in module.__all__:
        assert hasattr(module, exported), exported


@pytest.mark.parametrize(
    "package", ["stageline.model", "stageline.errors", "stageline.formats", "stageline.validate", "stageline.summary"]
)
def test_the_top_level_exports_the_public_surface(package: str) -> None:
    module = importlib.import_module(package)
    missing = set(module.__all__) - set(stageline.__all__) - NOT_AT_TOP
    assert not missing, missing


def test_errors_share_one_root() -> None:
    for cls in (stageline.SourceError, stageline.ParseError, stageline.BlueprintError):
        assert issubclass(cls, stageline.StageLineError)
    assert issubclass(stageline.ParseError, ValueError)
