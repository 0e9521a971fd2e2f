"""Event logs and customer feedback bound to a blueprint, and the figures measured from them.

``import_log`` reads a CSV, XES or Parquet log once (reporting every row it rejects) into a
Parquet cache sorted by case and time; ``measure`` binds the blueprint's actions to the log's
activities and computes every figure of :mod:`stageline.metrics` on DuckDB or Spark.
"""

from stageline.data.columns import Columns
from stageline.data.importer import EventLog, Limits, import_log
from stageline.data.measure import Options, measure
from stageline.data.quality import Issue, Quality

__all__ = ["Columns", "EventLog", "Issue", "Limits", "Options", "Quality", "import_log", "measure"]
