"""Metrics files: written as JSON with a stable key order, read back with located errors."""

from __future__ import annotations

import dataclasses
import json
import math
import os
from functools import cache
from pathlib import Path
from typing import Any

from stageline.errors import DataError, Location, Problem, json_pointer
from stageline.metrics.shape import SHAPE_VERSION, Metrics

__all__ = ["dumps_metrics", "load_metrics", "loads_metrics"]

MAX_BYTES = 512 * 1024 * 1024


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        out: dict[str, Any] = {}
        for f in dataclasses.fields(value):
            item = _plain(getattr(value, f.name))
            if item is None or item in ((), [], {}):
                continue
            out[f.name] = item
        return out
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    return value


def dumps_metrics(metrics: Metrics) -> str:
    """The metrics as JSON text (None, empty lists and empty objects left out)."""
    data = _plain(metrics)
    data = {"stageline": "metrics", **data}
    return json.dumps(data, indent=1, ensure_ascii=False) + "\n"


@cache
def _adapter() -> Any:
    import pydantic

    return pydantic.TypeAdapter(Metrics)


def loads_metrics(text: str, *, file: str = "<string>") -> Metrics:
    """The metrics in ``text``; a located :class:`DataError` for anything else."""
    import pydantic

    from stageline.formats.tree import parse_json

    data, smap = parse_json(text, file)
    if not isinstance(data, dict) or data.get("stageline") != "metrics":
        raise DataError(
            Problem(
                "metrics.kind",
                'not a Stageline metrics file: expected an object with `"stageline": "metrics"`',
                location=smap.locate(()),
                hint="make one with `stageline measure` or `stageline simulate`",
            )
        )
    version = data.get("version", SHAPE_VERSION)
    if isinstance(version, int) and version > SHAPE_VERSION:
        raise DataError(
            Problem(
                "metrics.version",
                f"metrics file version {version} is newer than this Stageline reads ({SHAPE_VERSION})",
                location=smap.locate(("version",)),
            )
        )
    body = {k: v for k, v in data.items() if k != "stageline"}
    try:
        return _adapter().validate_python(body)  # type: ignore[no-any-return]
    except pydantic.ValidationError as exc:
        problems = []
        for err in exc.errors()[:20]:
            path = tuple(p for p in err["loc"] if isinstance(p, (str, int)))
            path = _json_path(path)
            problems.append(
                Problem(
                    "metrics.shape",
                    f"{json_pointer(path) or '/'}: {err['msg'][0].lower()}{err['msg'][1:]}",
                    location=smap.locate(path),
                    path=path,
                )
            )
        raise DataError(problems) from None


def _json_path(path: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """Pydantic's error path without the dataclass and tuple-member labels it adds."""
    return tuple(p for p in path if not (isinstance(p, str) and p.startswith(("function-", "tuple["))))


def load_metrics(path: str | os.PathLike[str]) -> Metrics:
    """The metrics file at ``path``."""
    from stageline.formats.text import decode, read_bytes

    text = decode(read_bytes(Path(path), MAX_BYTES), str(path), MAX_BYTES)
    if not text.strip():
        raise DataError(Problem("metrics.empty", "the metrics file is empty", location=Location(str(path))))
    return loads_metrics(text, file=str(path))
