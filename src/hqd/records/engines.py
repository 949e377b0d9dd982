"""Execution engines: DuckDB (default, in-process, out of core) and Apache Spark (PySpark).

Both expose the same small interface. All pipeline SQL is written once in DuckDB's dialect; the
Spark engine transpiles each statement with sqlglot before running it. Only the reading of the raw
files differs (``read_parquet``/``read_csv`` vs ``spark.read``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from . import schema
from .errors import RecordsError
from .settings import RecordsSettings
from .sources import Source, check_columns


class Engine(Protocol):
    name: str
    probes: bool  # filters are pushed into Parquet scans, so single-column rules are probed first

    def create_raw_view(self, view: str, source: Source) -> tuple[set[str], set[str]]: ...
    def column_stats(self, view: str) -> dict[str, ColumnStats]: ...
    def create_view(self, view: str, sql: str) -> None: ...
    def materialize(self, name: str, sql: str) -> None: ...
    def register_table(self, name: str, columns: list[tuple[str, str]], rows: list[tuple]) -> None: ...
    def query(self, sql: str) -> tuple[list[str], list[tuple]]: ...
    def close(self) -> None: ...


@dataclass(frozen=True)
class ColumnStats:
    """A column over all rows of a source, from the Parquet footers: NULLs, min and max of the
    other values (None when every value is NULL; min and max may be bounds rather than values)."""

    nulls: int
    low: float | str | None
    high: float | str | None


def _sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def _raw_select(present: dict[str, str], text: set[str], tail: str) -> str:
    """Select the schema columns from a source; optional columns it lacks become NULL."""
    cols = []
    for c in schema.COLUMNS:
        if c.name in present:
            cols.append(f'"{present[c.name]}" AS "{c.name}"')
        else:
            cols.append(f'CAST(NULL AS VARCHAR) AS "{c.name}"')
            text.add(c.name)
    return ", ".join(cols) + ", " + tail


class DuckDBEngine:
    name = "duckdb"
    probes = True

    def __init__(self, settings: RecordsSettings) -> None:
        import duckdb

        self._duckdb = duckdb
        config: dict[str, Any] = {"memory_limit": settings.memory_limit, "preserve_insertion_order": False}
        if settings.threads:
            config["threads"] = settings.threads
        if settings.temp_dir:
            config["temp_directory"] = settings.temp_dir
        try:
            self.con = duckdb.connect(":memory:", config=config)
        except duckdb.Error as e:
            raise RecordsError(f"DuckDB 配置无效：{e}") from None
        # The probes and the scans read the same Parquet footers again and again.
        self.con.execute("LOAD parquet")
        self.con.execute("SET parquet_metadata_cache = true")
        # No progress bar: DuckDB would draw its own on the terminal (the CLI shows hqd's steps).
        self.con.execute("SET enable_progress_bar = false")
        self._parquet: dict[str, tuple[list[Path], dict[str, str]]] = {}  # raw view → files, column types

    def _run(self, sql: str):
        try:
            return self.con.execute(sql)
        except self._duckdb.Error as e:
            raise RecordsError(f"读取或计算失败：{str(e).splitlines()[0]}") from None

    def create_raw_view(self, view: str, source: Source) -> tuple[set[str], set[str]]:
        """Register the raw view; return (columns stored as text to parse, VARCHAR columns stored as strings)."""
        if source.kind == "parquet":
            files = "[" + ", ".join(_sql_str(str(p)) for p in source.files) + "]"
            scan = f"read_parquet({files}, filename=true, file_row_number=true, union_by_name=true)"
            desc = self._run(f"DESCRIBE SELECT * FROM {scan}").fetchall()
            types = {name: typ for name, typ, *_ in desc}
            present = {n: n for n in types if n in schema.BY_NAME}
            check_columns(list(present), str(source.files[0].parent if len(source.files) > 1 else source.files[0]))
            text = {n for n in present if types[n] == "VARCHAR" and schema.BY_NAME[n].type != "VARCHAR"}
            strings = {n for n in present if types[n] == "VARCHAR" and schema.BY_NAME[n].type == "VARCHAR"}
            tail = "filename AS _file, CAST(file_row_number + 1 AS BIGINT) AS _line, CAST(NULL AS VARCHAR) AS _struct"
            self._run(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT {_raw_select(present, text, tail)} FROM {scan}")
            self._parquet[view] = (list(source.files), {n: types[n] for n in present})
            return text, strings
        parts = []
        text: set[str] = set()
        for part in source.csv_parts:
            present = {c: c for c in part.columns if c in schema.BY_NAME}
            text |= set(schema.NAMES)
            scan = (
                f"read_csv({_sql_str(str(part.prepared))}, header=true, all_varchar=true, delim=',', "
                f"quote='\"', escape='\"', auto_detect=false, columns={{{self._csv_columns(part.columns)}}})"
            )
            tail = f"{_sql_str(str(part.original))} AS _file, CAST(_line AS BIGINT) AS _line, _struct"
            parts.append(f"SELECT {_raw_select(present, set(), tail)} FROM {scan}")
        self._run(f"CREATE OR REPLACE TEMP VIEW {view} AS " + " UNION ALL ".join(parts))
        return text, set(schema.NAMES)

    def column_stats(self, view: str) -> dict[str, ColumnStats]:
        """Statistics of the schema columns of a Parquet raw view that every file stores with the
        schema's type and with statistics in every row group (the others are left out): one read of
        the (cached) footers instead of a query per column."""
        if view not in self._parquet:
            return {}
        files, types = self._parquet[view]
        typed = {n for n, t in types.items() if t == schema.BY_NAME[n].type}
        rows = self._run(
            "SELECT path_in_schema, stats_null_count, row_group_num_rows, stats_min_value, stats_max_value "
            f"FROM parquet_metadata([{', '.join(_sql_str(str(p)) for p in files)}])"
        ).fetchall()
        groups = self._run(
            f"SELECT SUM(num_row_groups) FROM parquet_file_metadata([{', '.join(_sql_str(str(p)) for p in files)}])"
        ).fetchone()[0]
        by_col: dict[str, list[tuple]] = {}
        for name, nulls, n, lo, hi in rows:
            if name in typed:
                by_col.setdefault(name, []).append((nulls, n, lo, hi))
        out = {}
        for name, parts in by_col.items():
            if len(parts) != groups or any(nulls is None for nulls, *_ in parts):
                continue
            values = [(lo, hi) for nulls, n, lo, hi in parts if nulls < n]
            if any(lo is None or hi is None for lo, hi in values):
                continue
            conv = str if schema.BY_NAME[name].type in ("VARCHAR", "DATE") else float
            lows, highs = [conv(lo) for lo, _ in values], [conv(hi) for _, hi in values]
            out[name] = ColumnStats(sum(nulls for nulls, *_ in parts), min(lows, default=None),
                                    max(highs, default=None))
        return out

    @staticmethod
    def _csv_columns(columns: list[str]) -> str:
        names = ["_line", "_struct", *columns]
        return ", ".join(f"{_sql_str(n)}: 'VARCHAR'" for n in names)

    def create_view(self, view: str, sql: str) -> None:
        self._run(f"CREATE OR REPLACE TEMP VIEW {view} AS {sql}")

    def materialize(self, name: str, sql: str) -> None:
        self._run(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")

    def register_table(self, name: str, columns: list[tuple[str, str]], rows: list[tuple]) -> None:
        import pyarrow as pa

        types = {"VARCHAR": pa.string(), "INTEGER": pa.int32(), "BIGINT": pa.int64(), "DOUBLE": pa.float64()}
        arrays = [pa.array([r[i] for r in rows], type=types[t]) for i, (_, t) in enumerate(columns)]
        table = pa.Table.from_arrays(arrays, names=[c for c, _ in columns])
        self.con.unregister(name) if name in self._registered() else None
        self.con.register(name, table)

    def _registered(self) -> set[str]:
        return {r[0] for r in self.con.execute("SELECT view_name FROM duckdb_views() WHERE temporary").fetchall()}

    def query(self, sql: str) -> tuple[list[str], list[tuple]]:
        cur = self._run(sql)
        cols = [d[0] for d in cur.description]
        return cols, cur.fetchall()

    def copy_to_parquet(self, sql: str, out: Path) -> None:
        self._run(f"COPY ({sql}) TO {_sql_str(str(out))} (FORMAT PARQUET)")

    def close(self) -> None:
        self.con.close()


class SparkEngine:
    """PySpark, local mode by default; ``HQD_SPARK_MASTER`` points it at a cluster."""

    name = "spark"
    # Each probe would be a Spark job with its own start-up cost; every rule stays in the scan.
    probes = False

    def __init__(self, settings: RecordsSettings) -> None:
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise RecordsError("未安装 pyspark：请运行 pip install -e '.[scale]'") from None
        self.spark = (
            SparkSession.builder.master(settings.spark_master)
            .appName("hqd-records")
            .config("spark.driver.memory", settings.spark_driver_memory)
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
        self.spark.sparkContext.setLogLevel("ERROR")

    @staticmethod
    def transpile(sql: str) -> str:
        import sqlglot

        return sqlglot.transpile(sql, read="duckdb", write="spark")[0]

    def _sql(self, sql: str):
        from pyspark.errors import PySparkException

        try:
            return self.spark.sql(self.transpile(sql))
        except PySparkException as e:
            raise RecordsError(f"Spark 计算失败：{str(e).splitlines()[0]}") from None

    def create_raw_view(self, view: str, source: Source) -> tuple[set[str], set[str]]:
        from pyspark.sql import functions as F

        if source.kind == "parquet":
            df = self.spark.read.option("mergeSchema", "true").parquet(*[str(p) for p in source.files])
            check_columns(df.columns, str(source.files[0]))
            stored = {f.name for f in df.schema.fields if f.name in schema.BY_NAME and f.dataType.typeName() == "string"}
            text = {n for n in stored if schema.BY_NAME[n].type != "VARCHAR"}
            strings = {n for n in stored if schema.BY_NAME[n].type == "VARCHAR"}
            df = df.withColumn("_file", F.input_file_name()).withColumn("_line", F.lit(None).cast("bigint"))
            df = df.withColumn("_struct", F.lit(None).cast("string"))
            present = {c: c for c in df.columns if c in schema.BY_NAME}
        else:
            df = None
            present = {}
            for part in source.csv_parts:
                d = (
                    self.spark.read.option("header", "true").option("encoding", "UTF-8")
                    .option("escape", '"').option("multiLine", "true").csv(str(part.prepared))
                )
                d = d.withColumn("_file", F.lit(str(part.original))).withColumn("_line", F.col("_line").cast("bigint"))
                cols = [c.name for c in schema.COLUMNS]
                for c in cols:
                    if c not in d.columns:
                        d = d.withColumn(c, F.lit(None).cast("string"))
                d = d.select(*cols, "_file", "_line", "_struct")
                df = d if df is None else df.unionByName(d)
                present = {c: c for c in cols}
            text = set(schema.NAMES)
            strings = set(schema.NAMES)
        tmp = f"{view}_src"
        df.createOrReplaceTempView(tmp)
        self._sql(f"CREATE OR REPLACE TEMP VIEW {view} AS SELECT "
                  f"{_raw_select(present, text, '_file, _line, _struct')} FROM {tmp}")
        return text, strings

    def column_stats(self, view: str) -> dict[str, ColumnStats]:
        return {}  # no probes on Spark

    def create_view(self, view: str, sql: str) -> None:
        self._sql(f"CREATE OR REPLACE TEMP VIEW {view} AS {sql}")

    def materialize(self, name: str, sql: str) -> None:
        df = self._sql(sql).cache()
        df.count()
        df.createOrReplaceTempView(name)

    def register_table(self, name: str, columns: list[tuple[str, str]], rows: list[tuple]) -> None:
        spark_types = {"VARCHAR": "STRING", "INTEGER": "INT", "BIGINT": "BIGINT", "DOUBLE": "DOUBLE"}
        ddl = ", ".join(f"{c} {spark_types[t]}" for c, t in columns)
        self.spark.createDataFrame(rows, ddl).createOrReplaceTempView(name)

    def query(self, sql: str) -> tuple[list[str], list[tuple]]:
        df = self._sql(sql)
        cols = df.columns
        return cols, [tuple(r) for r in df.collect()]

    def close(self) -> None:
        # The session is kept for reuse within the process (start-up is slow); stop() ends it.
        pass

    def stop(self) -> None:
        self.spark.stop()


def make_engine(name: str, settings: RecordsSettings) -> Engine:
    if name == "duckdb":
        return DuckDBEngine(settings)
    if name == "spark":
        return SparkEngine(settings)
    raise RecordsError(f"未知的计算引擎：{name}（可选 duckdb、spark）")
