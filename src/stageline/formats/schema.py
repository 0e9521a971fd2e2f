"""The JSON Schema of the file format, generated from the document models."""

from __future__ import annotations

import json
from typing import Any

from stageline.formats.document import BlueprintDoc

__all__ = ["SCHEMA_FILE", "SCHEMA_ID", "json_schema", "schema_text"]

SCHEMA_ID = "https://stageline.dev/schema/stageline-1.json"
#: The file name ``stageline init`` writes the schema to, next to the blueprint.
SCHEMA_FILE = "stageline.schema.json"


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a Stageline blueprint file, format version 1."""
    schema = BlueprintDoc.model_json_schema(mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID, **schema}


def schema_text() -> str:
    return json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
