"""Word documents by what they are, not by their name: .doc/.wps/.docx may each hold docx (zip),
Word 97 (OLE), RTF or HTML. Binary formats are converted to docx by LibreOffice."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import olefile

from hqd.config import Settings

from ..errors import PolicyInputError
from .docx import read_docx
from .html import read_html
from .sniff import read_head, sniff

ENCRYPTED = "文件已加密（设置了打开密码），无法读取；请去除密码后再导入"
NO_SOFFICE = "未安装 LibreOffice，无法读取 .doc/.wps 文件；请安装 libreoffice-writer-nogui，或将文件另存为 .docx 后再导入"


def read_word(path: Path, settings: Settings) -> str:
    kind = sniff(read_head(path))
    if kind == "zip":
        return read_docx(path)
    if kind == "html":  # "save as web page" files renamed to .doc
        return read_html(path)
    if kind == "ole":
        _refuse_encrypted(path)
        return _convert_and_read(path, ".doc", settings)
    if kind == "rtf":
        return _convert_and_read(path, ".rtf", settings)
    raise PolicyInputError(str(path), "文件已损坏或不是有效的 Word/WPS 文档")


def _refuse_encrypted(path: Path) -> None:
    """An encrypted .docx is an OLE file holding an EncryptedPackage; Word 97 sets fEncrypted in the FIB."""
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if ole.exists("EncryptedPackage"):
                raise PolicyInputError(str(path), ENCRYPTED)
            if ole.exists("WordDocument"):
                fib = ole.openstream("WordDocument").read(12)
                if len(fib) == 12 and int.from_bytes(fib[10:12], "little") & 0x0100:
                    raise PolicyInputError(str(path), ENCRYPTED)
    except OSError:  # olefile reports a broken compound file as OSError
        raise PolicyInputError(str(path), "文件已损坏或不是有效的 Word/WPS 文档") from None


def _convert_and_read(path: Path, suffix: str, settings: Settings) -> str:
    soffice = shutil.which(settings.soffice)
    if soffice is None:
        raise PolicyInputError(str(path), NO_SOFFICE)
    with tempfile.TemporaryDirectory(prefix="hqd-soffice-") as tmp:
        work = Path(tmp)
        source = work / f"input{suffix}"  # an ASCII name: LibreOffice mishandles some paths
        shutil.copyfile(path, source)
        command = [
            soffice,
            # A private profile: a running LibreOffice (or a parallel conversion) would otherwise
            # take the job over or lock the profile, and the conversion would silently not happen.
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless", "--norestore", "--nolockcheck",
            "--convert-to", "docx", "--outdir", str(work / "out"), str(source),
        ]
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True,  # its own process group, so a timeout stops soffice.bin as well
        )
        try:
            process.wait(timeout=settings.soffice_timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise PolicyInputError(
                str(path), f"LibreOffice 转换超时（超过 {settings.soffice_timeout:g} 秒）"
            ) from None
        converted = work / "out" / "input.docx"
        if not converted.exists():
            raise PolicyInputError(str(path), "LibreOffice 无法转换该文件（文件可能已损坏或已加密）")
        return read_docx(converted, name=str(path))
