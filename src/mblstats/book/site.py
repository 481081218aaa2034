"""Assembly of the book's source folder and the Jupyter Book 1.x HTML build."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from pathlib import Path

from mblstats.book.notebooks import find_error_outputs
from mblstats.exceptions import MblstatsError

logger = logging.getLogger(__name__)

BOOK_FILES = ("_config.yml", "_toc.yml")
STATIC_SUFFIXES = {".md", ".png", ".svg", ".bib", ".css"}


class BookBuildError(MblstatsError):
    """The HTML build failed or was refused; the message says why."""


def assemble_site(source_root: Path, executed_dir: Path, site_dir: Path) -> Path:
    """Copy the book frame, the static pages and the executed notebooks into ``site_dir``.

    Raises
    ------
    BookBuildError
        When an executed notebook contains an error output, so that a book with a failed cell
        is never produced.
    """
    failures = [f for path in sorted(executed_dir.glob("*.ipynb")) for f in find_error_outputs(path)]
    if failures:
        raise BookBuildError(
            "refusing to build a book from notebooks with errors:\n"
            + "\n".join(f"  - {failure.describe()}" for failure in failures)
        )

    if site_dir.exists():
        shutil.rmtree(site_dir)
    (site_dir / "notebooks").mkdir(parents=True)
    for name in BOOK_FILES:
        shutil.copy2(source_root / name, site_dir / name)
    for page in sorted((source_root / "book").rglob("*")):
        if page.is_file() and page.suffix in STATIC_SUFFIXES:
            target = site_dir / "book" / page.relative_to(source_root / "book")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(page, target)
    for notebook in sorted(executed_dir.glob("*.ipynb")):
        shutil.copy2(notebook, site_dir / "notebooks" / notebook.name)
    return site_dir


def build_html(site_dir: Path, output_dir: Path) -> Path:
    """Run ``jupyter-book build`` on ``site_dir`` and return the path of ``index.html``.

    The HTML lands in ``output_dir/_build/html``; an older build there is removed first, so a
    failed build leaves no stale book behind.
    """
    html_dir = output_dir / "_build" / "html"
    if html_dir.exists():
        shutil.rmtree(html_dir)
    executable = Path(sys.executable).with_name("jupyter-book")
    command = [
        str(executable) if executable.exists() else "jupyter-book",
        "build",
        str(site_dir),
        "--path-output",
        str(output_dir),
        "--builder",
        "html",
    ]
    logger.info("running %s", " ".join(command))
    completed = subprocess.run(command, capture_output=True, text=True)
    log_path = output_dir / "_build" / "jupyter-book.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_text(completed.stdout + completed.stderr)
    index = html_dir / "index.html"
    if completed.returncode != 0 or not index.exists():
        tail = "\n".join((completed.stdout + completed.stderr).strip().splitlines()[-25:])
        raise BookBuildError(
            f"jupyter-book build failed with exit code {completed.returncode}; "
            f"full log in {log_path}:\n{tail}"
        )
    return index
