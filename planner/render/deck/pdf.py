"""The deck as a PDF: LibreOffice Impress converts deck.pptx headless (same slides, same order)."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from planner.errors import InputError, MissingProgram
from planner.render.archive import marked_pdf

INSTALL_HINT = ("LibreOffice is not installed, so no PDF was made: install it with "
                "`apt-get install libreoffice-impress-nogui`")
TIMEOUT = 300  # seconds one conversion may take
MARK = b"%stampplan deck\n"


def soffice() -> str:
    """The LibreOffice program, or MissingProgram naming the package."""
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise MissingProgram(INSTALL_HINT)
    return found


def to_pdf(pptx: bytes) -> bytes:
    """The PDF of a pptx, converted by LibreOffice with a private profile (runs in parallel safely)."""
    program = soffice()
    with tempfile.TemporaryDirectory(prefix="stampplan-deck-") as tmp:
        work = Path(tmp)
        (work / "deck.pptx").write_bytes(pptx)
        command = [program, f"-env:UserInstallation={(work / 'profile').as_uri()}", "--headless", "--norestore",
                   "--convert-to", "pdf:impress_pdf_Export", "--outdir", str(work), str(work / "deck.pptx")]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise InputError(f"LibreOffice did not convert the deck to PDF within {TIMEOUT} s") from None
        pdf = work / "deck.pdf"
        if done.returncode != 0 or not pdf.is_file():
            said = (done.stderr or done.stdout).decode(errors="replace").strip()[-300:]
            raise InputError(f"LibreOffice could not convert the deck to PDF (exit {done.returncode}): {said}")
        return marked_pdf(pdf.read_bytes(), MARK)
