"""Readable ids: slugs made from names, and the ids Stageline derives for unnamed actions."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["ID_PATTERN", "derived_action_id", "humanize", "is_valid_id", "slugify"]

#: What an id looks like: lower-case letters, digits, ``-``, ``_`` and ``.`` (not first).
ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
_ID = re.compile(ID_PATTERN)
_NON_SLUG = re.compile(r"[^a-z0-9]+")


#: Letters that do not decompose into a base letter and an accent.
_SPELLED = str.maketrans(
    {
        "ß": "ss",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "TH",
        "ı": "i",
    }
)


def slugify(text: str) -> str:
    """``"Follow up & review"`` -> ``"follow-up-review"``; empty for text with no Latin letters."""
    ascii_text = unicodedata.normalize("NFKD", text.translate(_SPELLED)).encode("ascii", "ignore").decode("ascii")
    return _NON_SLUG.sub("-", ascii_text.lower()).strip("-")


def is_valid_id(text: str) -> bool:
    return bool(_ID.match(text))


def derived_action_id(step: str, lane: str, index: int) -> str:
    """The id of the ``index``-th (from 0) action in a step's lane when it has no id of its own.

    The first is ``step.lane``, later ones ``step.lane.2``, ``step.lane.3``: adding an action to
    a cell leaves the ids of those already there unchanged.
    """
    return f"{step}.{lane}" if index == 0 else f"{step}.{lane}.{index + 1}"


def humanize(ident: str) -> str:
    """The name Stageline gives a step that has only an id: ``pick-up`` -> ``Pick up``."""
    return ident.replace("-", " ").replace("_", " ").capitalize()
