"""Reading and writing blueprints: ``load``, ``loads``, ``dump``, ``dumps``, ``read_document``."""

from __future__ import annotations

import functools
import os
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from stageline.errors import BlueprintError, Location, Problem, Severity, SourceError, StageLineError
from stageline.formats.build import Origins, build
from stageline.formats.compact import to_document
from stageline.formats.emit import emit_json, emit_yaml, merge_yaml
from stageline.formats.text import MAX_BYTES, decode, read_bytes
from stageline.formats.tree import SourceMap, parse_json, parse_yaml
from stageline.memory import paused_gc
from stageline.model import Blueprint, Source

__all__ = [
    "SCHEMA_HEADER",
    "Document",
    "dump",
    "dumps",
    "format_for",
    "load",
    "loads",
    "read_document",
    "read_path",
    "write_bytes",
    "write_text",
]

FORMATS = ("yaml", "json")
#: The first line of files Stageline creates, so that editors find the schema.
SCHEMA_HEADER = "# yaml-language-server: $schema={schema}"


@dataclass(frozen=True)
class Document:
    """A blueprint as read from a file, with every problem found and where its parts came from.

    ``blueprint`` is None when the file could not be built into one.
    """

    blueprint: Blueprint | None
    problems: list[Problem]
    source_map: SourceMap
    origins: Origins

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity is Severity.WARNING]


def format_for(path: str | os.PathLike[str], given: str | None = None) -> str:
    """``yaml`` or ``json`` from an explicit choice or the file's extension."""
    if given is not None:
        if given not in FORMATS:
            raise StageLineError(Problem("format.unknown", f"unknown format `{given}`; use yaml or json"))
        return given
    suffix = Path(path).suffix.lower()
    return "json" if suffix == ".json" else "yaml"


def read_document(text: str, *, file: str = "<string>", format: str | None = None) -> Document:
    """Parse and check ``text``; raises only for text that is not YAML or JSON at all."""
    with paused_gc():
        return _read_document(text, file, format_for(file, format))


def _read_document(text: str, file: str, fmt: str) -> Document:
    if fmt == "json":
        data, smap = parse_json(text, file)
    else:
        data, smap = parse_yaml(text, file)
    bp, origins, problems = build(data, smap)
    if bp is not None:
        from stageline.validate import validate

        usable = not problems
        bp = replace(bp, source=Source(text=text, file=file, format=fmt))
        problems = problems + validate(bp, smap, origins)
        if not usable:
            bp = None
    return Document(bp, sorted(problems, key=Problem.sort_key), smap, origins)


def loads(text: str | bytes, *, file: str = "<string>", format: str | None = None) -> Blueprint:
    """The blueprint in ``text``; raises a :class:`StageLineError` listing every error."""
    if isinstance(text, bytes):
        text = decode(text, file)
    elif len(text) > MAX_BYTES:
        text = decode(text.encode("utf-8", "surrogatepass"), file)
    doc = read_document(text, file=file, format=format)
    if doc.errors or doc.blueprint is None:
        raise BlueprintError(doc.errors or [Problem("document.invalid", "not a blueprint", location=Location(file))])
    return doc.blueprint


def read_path(path: str | os.PathLike[str], *, format: str | None = None, max_bytes: int = MAX_BYTES) -> Document:
    """Read and check a file (see :func:`read_document`)."""
    p = Path(path)
    text = decode(read_bytes(p, max_bytes), str(path), max_bytes)
    return read_document(text, file=str(path), format=format)


def load(path: str | os.PathLike[str], *, format: str | None = None) -> Blueprint:
    """The blueprint in the file at ``path``; raises a :class:`StageLineError` listing every error."""
    doc = read_path(path, format=format)
    if doc.errors or doc.blueprint is None:
        raise BlueprintError(doc.errors)
    return doc.blueprint


def dumps(bp: Blueprint, *, format: str = "yaml", header: str | None = None) -> str:
    """The blueprint as YAML or JSON text.

    A blueprint read from YAML is written back into its original text: comments, key order and
    shorthand survive wherever the meaning is unchanged.
    """
    with paused_gc():
        return _dumps(bp, format_for("x." + format, format), header)


def _dumps(bp: Blueprint, fmt: str, header: str | None) -> str:
    data = to_document(bp)
    if fmt == "json":
        return emit_json(data)
    src = bp.source
    if src is not None and src.format == "yaml" and src.text.strip():
        for conservative in (True, False):
            merged = merge_yaml(src.text, data, conservative)
            if _reads_back(merged, bp):
                return merged
    return emit_yaml(data, header)


def _reads_back(text: str, bp: Blueprint) -> bool:
    try:
        doc = read_document(text, format="yaml")
    except StageLineError:
        return False
    return doc.blueprint == bp


def dump(bp: Blueprint, path: str | os.PathLike[str], *, format: str | None = None, header: str | None = None) -> None:
    """Write the blueprint to ``path`` atomically: a failed write leaves no half-written file."""
    text = dumps(bp, format=format_for(path, format), header=header)
    write_text(path, text)


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """Replace ``path`` with ``text`` in one step (write a temporary file, then rename)."""
    write_bytes(path, text.encode("utf-8"))


@functools.cache
def _umask() -> int:
    """The process's umask, read once (reading it means setting it, so only ever at first use)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _mode_for(target: Path) -> int:
    """The permissions a new file gets (the umask applied), or those of the file it replaces."""
    try:
        return target.stat().st_mode & 0o777
    except OSError:
        return 0o666 & ~_umask()


def write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Replace ``path`` with ``data`` in one step: a failed write leaves no half-written file."""
    target = Path(path)
    if target.is_symlink():
        target = Path(os.path.realpath(target))  # write the file the link points at, keep the link
    directory = target.parent if str(target.parent) else Path(".")
    where = Location(str(path))
    if target.is_dir():
        raise SourceError(Problem("output.directory", "is a directory; give a file name to write", location=where))
    if not directory.is_dir():
        raise SourceError(Problem("output.folder", f"folder {directory} does not exist", location=where))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise SourceError(
            Problem("output.unwritable", f"cannot write here: {exc.strerror or exc}", location=where)
        ) from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, _mode_for(target))
        os.replace(tmp, target)
    except OSError as exc:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise SourceError(
            Problem("output.unwritable", f"cannot write here: {exc.strerror or exc}", location=where)
        ) from None
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
