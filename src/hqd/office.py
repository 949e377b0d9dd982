"""LibreOffice as a converter (.doc/.wps → docx for reading, docx → pdf for reports), run safely:
a private profile, an ASCII file name, its own process group and a timeout."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from hqd.config import Settings, load_settings


class OfficeError(Exception):
    """A conversion that did not happen; `reason` is for users, in Chinese."""

    def __init__(self, reason: str, missing: bool = False):
        self.reason = reason
        self.missing = missing  # LibreOffice is not installed
        super().__init__(reason)


def convert(source: Path, target_format: str, destination: Path, settings: Settings | None = None,
            suffix: str | None = None, env: dict[str, str] | None = None) -> Path:
    """Convert `source` to `target_format` (docx, pdf …) and move the result to `destination`.
    `suffix` names the staged copy's type when the file's own name misleads (a .wps that is a .doc);
    `env` adds environment variables for LibreOffice (such as FONTCONFIG_FILE)."""
    settings = settings or load_settings()
    soffice = shutil.which(settings.soffice)
    if soffice is None:
        raise OfficeError("未安装 LibreOffice（soffice）", missing=True)
    with tempfile.TemporaryDirectory(prefix="hqd-soffice-") as tmp:
        work = Path(tmp)
        staged = work / f"input{suffix or source.suffix}"  # an ASCII name: LibreOffice mishandles some paths
        shutil.copyfile(source, staged)
        command = [
            soffice,
            # A private profile: a running LibreOffice (or a parallel conversion) would otherwise
            # take the job over or lock the profile, and the conversion would silently not happen.
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless", "--norestore", "--nolockcheck",
            "--convert-to", target_format, "--outdir", str(work / "out"), str(staged),
        ]
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so a timeout stops soffice.bin as well
            env={**os.environ, **(env or {})},
        )
        try:
            process.wait(timeout=settings.soffice_timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise OfficeError(f"LibreOffice 转换超时（超过 {settings.soffice_timeout:g} 秒）") from None
        converted = work / "out" / f"input.{target_format.split(':')[0]}"
        if not converted.exists():
            raise OfficeError("LibreOffice 无法转换该文件（文件可能已损坏或已加密）")
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(converted), destination)
        return destination
