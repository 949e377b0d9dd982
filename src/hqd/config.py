"""Every setting in one place, read from environment variables prefixed ``HQD_``."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Settings:
    # Largest input document accepted by `hqd ingest`; larger files are refused, not truncated.
    max_document_bytes: int = 50 * 1024 * 1024
    # LibreOffice binary used for .doc/.wps conversion.
    soffice: str = "soffice"
    # Seconds one .doc/.wps conversion may take before LibreOffice is stopped.
    soffice_timeout: float = 120.0
    data_dir: Path = Path("hqd-data")
    # Operational store (hqd.store): SQLite file under data_dir unless HQD_DATABASE_URL is set,
    # e.g. postgresql+psycopg://user@host:5432/hqd
    database_url: str | None = None
    # Who is acting, for the audit log (CLI `--user` overrides it).
    user: str | None = None
    # Reporting deadlines (上报截止, 停止录入) are calendar days in this time zone.
    timezone: str = "Asia/Shanghai"

    def store_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'hqd.db'}"


def load_settings() -> Settings:
    env = os.environ
    return Settings(
        max_document_bytes=int(env.get("HQD_MAX_DOCUMENT_BYTES", Settings.max_document_bytes)),
        soffice=env.get("HQD_SOFFICE", Settings.soffice),
        soffice_timeout=float(env.get("HQD_SOFFICE_TIMEOUT", Settings.soffice_timeout)),
        data_dir=Path(env.get("HQD_DATA_DIR", str(Settings.data_dir))),
        database_url=env.get("HQD_DATABASE_URL") or None,
        user=env.get("HQD_USER") or None,
        timezone=env.get("HQD_TIMEZONE") or Settings.timezone,
    )
