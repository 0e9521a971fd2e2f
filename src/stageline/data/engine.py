"""The engines figures are computed on: DuckDB embedded (the default) or Apache Spark.

The figures are Ibis expressions (:mod:`stageline.data.figures`), so one code runs on both; an
engine only connects and reads the imported log. Spark is the optional extra
``stageline[spark]`` and needs Java 17; it runs a local session unless ``SPARK_REMOTE`` or a
``spark.master`` is configured.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stageline.data.importer import Limits
from stageline.errors import DataError, Problem

__all__ = ["ENGINES", "Engine", "connect_engine"]

ENGINES = ("duckdb", "spark")


@dataclass
class Engine:
    """A connected Ibis backend."""

    name: str
    backend: Any
    #: Keeps the Spark session to stop it when done.
    session: Any = None
    #: Tables cached on the engine, released before it closes.
    cached: list[Any] = field(default_factory=list)

    def read(self, path: Path) -> Any:
        """The Parquet file at ``path`` as an Ibis table."""
        return self.backend.read_parquet(str(path))

    def table(self, name: str, data: Any) -> Any:
        """An Arrow table of Stageline's (a binding, limits) as a temporary table of the engine.

        Registered by name rather than as an Ibis memtable: Spark's caching cannot see memtables.
        """
        name = f"stageline_{name}"
        if self.session is not None:
            self.session.createDataFrame(data).createOrReplaceTempView(name)
            return self.backend.table(name)
        return self.backend.create_table(name, data, temp=True, overwrite=True)

    def close(self) -> None:
        while self.cached:
            self.cached.pop().release()
        if self.session is not None:
            self.session.stop()
        else:
            self.backend.disconnect()


def connect_engine(name: str = "duckdb", limits: Limits | None = None) -> Engine:
    """Connect the named engine with the given limits."""
    import ibis

    limits = limits or Limits()
    if name == "duckdb":
        config: dict[str, Any] = {"preserve_insertion_order": False}
        if limits.memory:
            config["memory_limit"] = limits.memory
        config["temp_directory"] = limits.spill
        if limits.threads:
            config["threads"] = limits.threads
        return Engine("duckdb", ibis.duckdb.connect(**config))
    if name == "spark":
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise DataError(
                Problem(
                    "engine.missing",
                    "the Spark engine is not installed",
                    hint="install it with `pip install 'stageline[spark]'` (needs Java 17)",
                )
            ) from None
        builder = (
            SparkSession.builder.appName("stageline")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.sql.ansi.enabled", "false")
        )
        if limits.memory:
            amount = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT])i?B\s*", limits.memory, re.I)
            if amount:  # Spark takes whole units: 1.5GB is 1536m
                size = float(amount[1]) * 1024 ** "KMGT".index(amount[2].upper())
                builder = builder.config("spark.driver.memory", f"{max(1, round(size))}k")
        if limits.temp:
            builder = builder.config("spark.local.dir", limits.temp)
        threads = limits.threads or "*"
        session = builder.master(f"local[{threads}]").getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        return Engine("spark", ibis.pyspark.connect(session), session)
    raise DataError(
        Problem("engine.unknown", f"unknown engine `{name}`", hint="expected " + " or ".join(f"`{e}`" for e in ENGINES))
    )
