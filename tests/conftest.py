import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
sys.path.insert(0, str(Path(__file__).resolve().parent / "policy"))

# Documents built at test time (docx, and pdf/doc converted by LibreOffice), shared by the reader,
# ingest and report tests.
from documents import plan_doc, plan_docx, plan_pdf  # noqa: E402, F401
