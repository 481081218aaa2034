"""Small real notebooks and book sources for the runner tests."""

from __future__ import annotations

from pathlib import Path

import nbformat

CONFIG = """\
title: Test book
author: tests
only_build_toc_files: true
execute:
  execute_notebooks: "off"
  allow_errors: false
sphinx:
  config:
    nb_execution_raise_on_error: true
"""


def write_notebook(path: Path, parameters: str, *cells: str) -> Path:
    """Write a notebook whose first code cell is tagged ``parameters``."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameter_cell = nbformat.v4.new_code_cell(parameters)
    parameter_cell.metadata["tags"] = ["parameters"]
    notebook.cells.append(nbformat.v4.new_markdown_cell("# A chapter"))
    notebook.cells.append(parameter_cell)
    for source in cells:
        if source.startswith("#md "):
            notebook.cells.append(nbformat.v4.new_markdown_cell(source[4:]))
        else:
            notebook.cells.append(nbformat.v4.new_code_cell(source))
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))
    return path


def write_book_source(root: Path, chapters: dict[str, tuple[str, ...]]) -> Path:
    """Write a book frame with one intro page and the given chapter notebooks."""
    (root / "book").mkdir(parents=True, exist_ok=True)
    (root / "notebooks").mkdir(exist_ok=True)
    (root / "_config.yml").write_text(CONFIG)
    (root / "book" / "intro.md").write_text("# Introduction\n\nThe test book.\n")
    toc = "format: jb-book\nroot: book/intro\nchapters:\n"
    for name, (parameters, *cells) in chapters.items():
        write_notebook(root / "notebooks" / f"{name}.ipynb", parameters, *cells)
        toc += f"  - file: notebooks/{name}\n"
    (root / "_toc.yml").write_text(toc)
    return root
