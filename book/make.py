#!/usr/bin/env python3
"""Set up the pinned environment on first use, then build the book or run the tests.

Usage (from the repository root, with CPython 3.11 as ``python3``)::

    python3 book/make.py book [mblstats build options]   # whole book on the demo cohort
    python3 book/make.py test [pytest options]           # the test suite

The environment lives in ``.venv`` beside this folder. It is created with the running
interpreter (or ``python3.11`` from PATH when the running one is another version) and filled
from ``requirements/lock.txt``, the complete pin set, then the package itself is installed in
editable mode. A stamp file records the hash of the lock file and ``pyproject.toml``; when either
changes, the next call reinstalls. The test command also installs Debian's ``chromium`` when it is
missing and the caller is root, because the browser tests drive it through Playwright.

Only the standard library is used here, so the script runs on a machine that has nothing but
Python, pip and apt.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
LOCK_FILE = ROOT / "requirements" / "lock.txt"
STAMP = VENV / ".mblstats-environment"
CHROMIUM = Path("/usr/bin/chromium")


def _say(message: str) -> None:
    print(f"[mblstats] {message}", flush=True)


def _run(command: list[str], **kwargs) -> None:
    completed = subprocess.run(command, **kwargs)
    if completed.returncode != 0:
        _say(f"command failed with exit code {completed.returncode}: {' '.join(command)}")
        sys.exit(completed.returncode)


def _python_311() -> str:
    if sys.version_info[:2] == (3, 11):
        return sys.executable
    candidate = shutil.which("python3.11")
    if candidate is None:
        _say(
            f"Python 3.11 is required but this is {sys.version.split()[0]} and no python3.11 "
            "is on PATH; install CPython 3.11 and run this script with it."
        )
        sys.exit(2)
    return candidate


def _environment_hash() -> str:
    digest = hashlib.sha256()
    for path in (LOCK_FILE, ROOT / "pyproject.toml"):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def ensure_environment() -> Path:
    """Create or update ``.venv`` so that it matches the lock file; return its python."""
    python = VENV / "bin" / "python"
    wanted = _environment_hash()
    if python.exists() and STAMP.exists() and STAMP.read_text().strip() == wanted:
        return python

    if not python.exists():
        _say(f"creating the virtual environment {VENV}")
        _run([_python_311(), "-m", "venv", str(VENV)])
    _say("installing the pinned packages from requirements/lock.txt (a few minutes on first use)")
    pip = [str(python), "-m", "pip", "--disable-pip-version-check"]
    _run(pip + ["install", "--quiet", "-r", str(LOCK_FILE)])
    _run(pip + ["install", "--quiet", "--no-deps", "-e", str(ROOT)])
    STAMP.write_text(wanted + "\n")
    _say("environment ready")
    return python


def ensure_chromium() -> None:
    """Install Debian's chromium for the browser tests when it is missing and we are root."""
    if CHROMIUM.exists():
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        _say(
            f"{CHROMIUM} is missing and cannot be installed here (needs root and apt-get); "
            "the browser tests will be skipped. Install it with: apt-get install chromium"
        )
        return
    _say("installing Debian's chromium for the browser tests")
    environment = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    _run(["apt-get", "update", "-q"], env=environment, stdout=subprocess.DEVNULL)
    _run(["apt-get", "install", "-y", "-q", "chromium"], env=environment, stdout=subprocess.DEVNULL)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"book", "test"}:
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    python = ensure_environment()
    os.chdir(ROOT)

    if command == "book":
        return subprocess.call([str(python), "-m", "mblstats", "build", *rest])

    ensure_chromium()
    return subprocess.call([str(python), "-m", "pytest", *rest])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
