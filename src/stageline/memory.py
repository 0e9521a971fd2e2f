"""Pausing the garbage collector around work that builds many small objects and no cycles."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["paused_gc"]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector for the duration of the block.

    Reading a large file or laying out a large blueprint makes millions of small objects that
    form no cycles; the collector would rescan the whole model again and again (half of the
    layout time on 20,000 actions) and free nothing.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
