"""Read a file's bytes as text, with clear errors for what is not a text file."""

from __future__ import annotations

import codecs
from pathlib import Path

from stageline.errors import Location, Problem, SourceError

__all__ = ["MAX_BYTES", "decode", "read_bytes"]

#: The largest blueprint file Stageline reads (a 5,000-action blueprint is about 1 MB).
MAX_BYTES = 16 * 1024 * 1024

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _fail(file: str, code: str, message: str, line: int = 0, column: int = 0, hint: str | None = None) -> SourceError:
    return SourceError(Problem(code, message, location=Location(file, line, column), hint=hint))


def read_bytes(path: Path, max_bytes: int = MAX_BYTES) -> bytes:
    """The bytes of ``path``, refusing directories, missing files and files over the limit."""
    name = str(path)
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise _fail(name, "source.directory", "is a directory, expected a blueprint file")
        if size > max_bytes:
            raise _fail(
                name,
                "source.too-large",
                f"file is {size / 1e6:.1f} MB; Stageline reads blueprint files up to {max_bytes / 1e6:.1f} MB",
                hint="split the service into several blueprints",
            )
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except FileNotFoundError:
        raise _fail(name, "source.missing", "no such file") from None
    except PermissionError:
        raise _fail(name, "source.permission", "permission denied") from None
    except IsADirectoryError:
        raise _fail(name, "source.directory", "is a directory, expected a blueprint file") from None
    except OSError as exc:
        raise _fail(name, "source.unreadable", f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise _fail(name, "source.too-large", f"file is larger than {max_bytes / 1e6:.1f} MB")
    return data


def decode(data: bytes, file: str = "<string>", max_bytes: int = MAX_BYTES) -> str:
    """Text from bytes: UTF-8 (or UTF-16/32 with a byte-order mark), never binary."""
    if len(data) > max_bytes:
        raise _fail(file, "source.too-large", f"text is larger than {max_bytes / 1e6:.1f} MB")
    encoding = "utf-8"
    for bom, name in _BOMS:
        if data.startswith(bom):
            encoding, data = name, data[len(bom) :]
            break
    if encoding == "utf-8" and b"\x00" in data:
        offset = data.index(b"\x00")
        line, col = _position(data, offset)
        raise _fail(file, "source.binary", "this is a binary file, expected YAML or JSON text", line, col)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line, col = _position(data, exc.start) if encoding == "utf-8" else (0, 0)
        bad = data[exc.start : exc.start + 1].hex()
        raise _fail(
            file,
            "source.encoding",
            f"the file is not valid {encoding.upper()} (byte 0x{bad})",
            line,
            col,
            hint="save the file as UTF-8",
        ) from None
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        raise _fail(file, "source.binary", "this is a binary file, expected YAML or JSON text", line, 1)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _position(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    column = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return line, column
