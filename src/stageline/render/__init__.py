"""Rendering: an immutable scene drawn to SVG, and SVG turned into PNG, PDF and HTML."""

__all__: list[str] = []
