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
    # Target progress bands (Open SDG): ratio of observed to required growth at or above
    # `progress_on_track` is 进展顺利, at or above `progress_accelerate` 需加快, else 进展缓慢 (< 0 倒退).
    progress_on_track: float = 0.95
    progress_accelerate: float = 0.60
    # A "~" (左右) target counts as met within this share of its value.
    progress_tolerance: float = 0.05
    # "Today" for deadlines and overdue reports in the web UI and reports (YYYY-MM-DD); unset: the real date.
    # The demo database sets it to just after its last quarter's reporting deadline.
    today: str | None = None
    # Web sign-in: session length, and whether the session cookie is sent over HTTPS only (set it to 1
    # behind TLS; off by default so http://127.0.0.1 works).
    session_hours: float = 12.0
    secure_cookies: bool = False
    # Sign-in throttling: after `login_max_failures` failed sign-ins of one user name from one address, or
    # `login_max_failures_ip` from one address over any user names (password spraying), within
    # `login_failure_minutes`, that address waits until the oldest failures fall out of the window (429).
    login_max_failures: int = 5
    login_max_failures_ip: int = 30
    login_failure_minutes: float = 15.0
    # Evaluation reads data values from a columnar cache kept current from the table's changes
    # (hqd.store.value_cache). It is saved beside the database so a new command starts from it
    # (HQD_VALUE_CACHE=0: memory only); each refresh reads again the rows written this many seconds
    # before the last one, for transactions that were still open then.
    value_cache_file: bool = True
    value_cache_lag: float = 600.0
    # The web app recomputes its evaluation (targets, tasks, 督办) after writes, at most this often.
    refresh_seconds: float = 10.0

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
        progress_on_track=float(env.get("HQD_PROGRESS_ON_TRACK", Settings.progress_on_track)),
        progress_accelerate=float(env.get("HQD_PROGRESS_ACCELERATE", Settings.progress_accelerate)),
        progress_tolerance=float(env.get("HQD_PROGRESS_TOLERANCE", Settings.progress_tolerance)),
        today=env.get("HQD_TODAY") or None,
        session_hours=float(env.get("HQD_SESSION_HOURS", Settings.session_hours)),
        secure_cookies=env.get("HQD_SECURE_COOKIES", "0").lower() in ("1", "true", "yes"),
        login_max_failures=int(env.get("HQD_LOGIN_MAX_FAILURES", Settings.login_max_failures)),
        login_max_failures_ip=int(env.get("HQD_LOGIN_MAX_FAILURES_IP", Settings.login_max_failures_ip)),
        login_failure_minutes=float(env.get("HQD_LOGIN_FAILURE_MINUTES", Settings.login_failure_minutes)),
        value_cache_file=env.get("HQD_VALUE_CACHE", "1").lower() not in ("0", "false", "no"),
        value_cache_lag=float(env.get("HQD_VALUE_CACHE_LAG", Settings.value_cache_lag)),
        refresh_seconds=float(env.get("HQD_REFRESH_SECONDS", Settings.refresh_seconds)),
    )
