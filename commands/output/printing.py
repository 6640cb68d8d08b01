"""`--output FILE.html|FILE.pdf`: write a printable page, or print it to PDF with headless
Chromium when one is installed (Debian's `chromium`, or Chrome). Chromium runs offline: no
network, no sync, no first-run, in a throw-away profile, and prints the page's own margins,
page numbers and footer (`--no-pdf-header-footer` drops Chromium's URL and date header).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from commands.language.words import say
from ledger.errors import BadInput, Refused
from ledger.phrases import said

CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-default-apps", "--disable-extensions", "--mute-audio")
TIMEOUT = 120  # seconds; a statement of thousands of rows prints in a few


# Where Windows and macOS install the browsers that print (Edge comes with Windows 10/11):
# (environment variable of the folder, path below it); the first that exists is used.
WINDOWS = (("ProgramFiles(x86)", r"Microsoft\Edge\Application\msedge.exe"),
           ("ProgramFiles", r"Microsoft\Edge\Application\msedge.exe"),
           ("ProgramFiles", r"Google\Chrome\Application\chrome.exe"),
           ("ProgramFiles(x86)", r"Google\Chrome\Application\chrome.exe"),
           ("LOCALAPPDATA", r"Google\Chrome\Application\chrome.exe"),
           ("LOCALAPPDATA", r"Chromium\Application\chrome.exe"))
MACOS = ("/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
         "/Applications/Chromium.app/Contents/MacOS/Chromium",
         "/Applications/Microsoft Edge.app/Contents/MacOS/Microsoft Edge")
WINDOWS_NAMES = ("msedge", "chrome")  # on PATH, as `where` finds them


def find_chromium(environ: dict[str, str] | None = None, system: str | None = None) -> str | None:
    """The Chromium to print with: $AID_CHROMIUM, else /usr/bin/chromium or one on PATH
    (Linux), Edge or Chrome where Windows installs them, Chrome, Chromium or Edge in
    /Applications (macOS)."""
    env = os.environ if environ is None else environ
    system = system or ("windows" if os.name == "nt" else sys.platform)
    chosen = env.get("AID_CHROMIUM")
    if chosen:
        return chosen if Path(chosen).is_file() else None
    if system == "windows":
        for variable, below in WINDOWS:
            folder = env.get(variable)
            if folder and (found := Path(folder).joinpath(*below.split("\\"))).is_file():
                return str(found)
        return next((found for name in WINDOWS_NAMES if (found := shutil.which(name))), None)
    if system == "darwin":
        found = next((path for path in MACOS if Path(path).is_file()), None)
        if found:
            return found
    if Path("/usr/bin/chromium").is_file() and os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return next((found for name in CANDIDATES if (found := shutil.which(name))), None)


def chromium_command(browser: str, profile: Path, *flags: str) -> list[str]:
    """The command line: offline, headless, a throw-away profile; `flags` says what to save."""
    return [browser, *FLAGS, f"--user-data-dir={profile}", *flags]


def writing(output: Path) -> contextlib.AbstractContextManager[None]:
    """Around a write to a file the user named: a missing folder, or a folder that takes no
    files, is one line (the same words as every other -o), never a traceback."""
    if not output.parent.is_dir():
        raise BadInput("cannot write {path}: there is no folder {folder}", path=output,
                       folder=output.parent)
    return _refused_as_one_line(output)


@contextlib.contextmanager
def _refused_as_one_line(output: Path) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        raise BadInput("cannot write {path}: {problem}; choose another --output", path=output,
                       problem=said(error)) from None


def save(html: str, output: Path) -> str:
    """Write `html` to output (.html or .pdf); returns the line to tell the user."""
    suffix = output.suffix.lower()
    if suffix in (".html", ".htm"):
        with writing(output):
            output.write_text(html, encoding="utf-8")
        return say("wrote {output}", output=output)
    if suffix != ".pdf":
        raise BadInput("--output {output}: write a .html or a .pdf file", output=output)
    browser = find_chromium()
    if browser is None:
        raise BadInput("cannot write {output}: no Chromium found to print the PDF with (install "
                       "Chromium, Chrome or Edge, or set AID_CHROMIUM to one), or write "
                       "--output {html} and print that from a browser", output=output,
                       html=output.with_suffix('.html'))
    with writing(output):
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
