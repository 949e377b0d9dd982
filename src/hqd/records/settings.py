"""Settings of the records pipeline, read from ``HQD_RECORDS_*`` / ``HQD_SPARK_*`` variables.

Kept here so the records package imports nothing of hqd but ``catalog``; the lead may fold these
fields into ``hqd.config`` at merge time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from .errors import RecordsError


@dataclass(frozen=True)
class RecordsSettings:
    engine: str = "duckdb"  # duckdb | spark
    memory_limit: str = "6GB"  # DuckDB memory_limit; it spills to temp_dir beyond that
    threads: int = 0  # DuckDB threads; 0 = all cores
    temp_dir: str = ""  # DuckDB spill directory; empty = DuckDB's default (.tmp next to the db)
    spark_master: str = "local[*]"  # e.g. spark://host:7077 or yarn for a cluster
    spark_driver_memory: str = "4g"
    # 低风险组 rule (indicators.md §1.3 #14): z-score of ln(group mortality) below this value.
    lowrisk_z: float = -1.0
    # Groups with no deaths have no ln(mortality): "low" counts them as low-risk, "exclude" does not.
    lowrisk_zero_deaths: str = "low"
    # Groups with fewer reference cases than this are never low-risk.
    lowrisk_min_cases: int = 1


def load_records_settings() -> RecordsSettings:
    env = os.environ
    d = RecordsSettings()
    try:
        s = RecordsSettings(
            engine=env.get("HQD_RECORDS_ENGINE", d.engine),
            memory_limit=env.get("HQD_RECORDS_MEMORY_LIMIT", d.memory_limit),
            threads=int(env.get("HQD_RECORDS_THREADS", d.threads)),
            temp_dir=env.get("HQD_RECORDS_TEMP_DIR", d.temp_dir),
            spark_master=env.get("HQD_SPARK_MASTER", d.spark_master),
            spark_driver_memory=env.get("HQD_SPARK_DRIVER_MEMORY", d.spark_driver_memory),
            lowrisk_z=float(env.get("HQD_RECORDS_LOWRISK_Z", d.lowrisk_z)),
            lowrisk_zero_deaths=env.get("HQD_RECORDS_LOWRISK_ZERO_DEATHS", d.lowrisk_zero_deaths),
            lowrisk_min_cases=int(env.get("HQD_RECORDS_LOWRISK_MIN_CASES", d.lowrisk_min_cases)),
        )
    except ValueError as e:
        raise RecordsError(f"环境变量取值无效：{e}") from None
    if s.lowrisk_zero_deaths not in ("low", "exclude"):
        raise RecordsError("HQD_RECORDS_LOWRISK_ZERO_DEATHS 只能是 low 或 exclude")
    return s
