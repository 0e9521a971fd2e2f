"""File formats: YAML and JSON, read with positions for every value and written back faithfully."""

from stageline.formats.api import Document, dump, dumps, format_for, load, loads, read_document, read_path, write_text

__all__ = ["Document", "dump", "dumps", "format_for", "load", "loads", "read_document", "read_path", "write_text"]
