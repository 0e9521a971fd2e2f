"""Starting points for ``stageline init``: small, valid blueprints of common services."""

from __future__ import annotations

from importlib import resources

__all__ = ["template_names", "template_text"]


def template_names() -> list[str]:
    """The names of the shipped templates, sorted."""
    files = resources.files(__name__)
    return sorted(p.name[: -len(".yaml")] for p in files.iterdir() if p.name.endswith(".yaml"))


def template_text(name: str) -> str:
    """The YAML text of a template; raises KeyError for an unknown name."""
    if name not in template_names():
        raise KeyError(name)
    return resources.files(__name__).joinpath(f"{name}.yaml").read_text(encoding="utf-8")
