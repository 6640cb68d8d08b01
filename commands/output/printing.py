"""`--output FILE.html|FILE.pdf`: write a printable page, or print it to PDF with headless
Chromium when one is installed (Debian's `chromium`, or Chrome). Chromium runs offline: no
network, no sync, no first-run, in a throw-away profile, and prints the page's own margins,
page numbers and footer (`--no-pdf-header-footer` drops Chromium's URL and date header).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from commands.language.words import say
from ledger.errors import BadInput, Refused

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-default-apps", "--disable-extensions", "--mute-audio")
TIMEOUT = 120  # seconds; a statement of thousands of rows prints in a few


def find_chromium() -> str | None:
    """The Chromium to print with: $AID_CHROMIUM, /usr/bin/chromium, else one on PATH."""
    chosen = os.environ.get("AID_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).is_file() else None
    if Path("/usr/bin/chromium").is_file() and os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def chromium_command(browser: str, profile: Path, *flags: str) -> list[str]:
    """The command line: offline, headless, a throw-away profile; `flags` says what to save."""
    return [browser, *FLAGS, f"--user-data-dir={profile}", *flags]


def save(html: str, output: Path) -> str:
    """Write `html` to output (.html or .pdf); returns the line to tell the user."""
    suffix = output.suffix.lower()
    if suffix in (".html", ".htm"):
        output.write_text(html, encoding="utf-8")
        return say("wrote {output}", output=output)
    if suffix != ".pdf":
        raise BadInput("--output {output}: write a .html or a .pdf file", output=output)
    browser = find_chromium()
    if browser is None:
        raise BadInput("cannot write {output}: no Chromium found to print the PDF with (install "
                       "it: apt-get install chromium), or write --output {html} and print that "
                       "from a browser", output=output, html=output.with_suffix('.html'))
    print_pdf(browser, html, output)
    return say("wrote {output}", output=output)


def print_pdf(browser: str, html: str, output: Path) -> None:
    """Print the page to PDF through headless Chromium; refuse in one line if it fails."""
    with tempfile.TemporaryDirectory(prefix="aid-print-") as work:
        page = Path(work) / "page.html"
        page.write_text(html, encoding="utf-8")
        target = Path(work) / "page.pdf"
        command = chromium_command(browser, Path(work) / "profile", "--no-pdf-header-footer",
                                   f"--print-to-pdf={target}", page.as_uri())
        if sys.stderr.isatty():
            print(say("printing {output} with {browser} …", output=output,
                      browser=Path(browser).name), file=sys.stderr)
        try:
            done = subprocess.run(command, capture_output=True, timeout=TIMEOUT, check=False)
        except (OSError, subprocess.TimeoutExpired) as error:
            raise Refused("Chromium could not print {output}: {error}",
                          output=output, error=error) from None
        if done.returncode != 0 or not target.is_file() or target.stat().st_size == 0:
            said = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise Refused("Chromium could not print {output} (exit {code}){said}", output=output,
                          code=done.returncode, said=f": {said[-1]}" if said else "")
        shutil.move(str(target), output)
