"""The design document as a PDF: headless Chromium prints report.html (its print style sheet: A4,
a landscape page per diagram). Not a plan artifact, so plans do not depend on Chromium being there."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from planner.errors import InputError, MissingProgram
from planner.render.archive import fixed_pdf_dates, marked_pdf

PROGRAMS = ("chromium", "chromium-browser", "google-chrome")
INSTALL_HINT = ("Chromium is not installed, so no PDF was made: install it with `apt-get install chromium` "
                "(or print report.html from a browser)")
TIMEOUT = 300  # seconds one rendering may take
MARK = b"%stampplan report\n"


def chromium() -> str:
    """The Chromium program, or MissingProgram naming the package."""
    for name in PROGRAMS:
        found = shutil.which(name)
        if found:
            return found
    raise MissingProgram(INSTALL_HINT)


def to_pdf(html: str) -> bytes:
    """The PDF of a report page, printed by headless Chromium with a private profile (runs in parallel safely)."""
    program = chromium()
    with tempfile.TemporaryDirectory(prefix="stampplan-report-") as tmp:
        work = Path(tmp)
        page, pdf = work / "report.html", work / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [program, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                   "--no-first-run", f"--user-data-dir={work / 'profile'}", f"--print-to-pdf={pdf}", page.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise InputError(f"Chromium did not print the report to PDF within {TIMEOUT} s") from None
        if done.returncode != 0 or not pdf.is_file():
            said = (done.stderr or done.stdout).decode(errors="replace").strip()[-300:]
            raise InputError(f"Chromium could not print the report to PDF (exit {done.returncode}): {said}")
        return marked_pdf(fixed_pdf_dates(pdf.read_bytes()), MARK)
