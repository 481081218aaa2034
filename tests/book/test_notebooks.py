"""Chapter execution with papermill and the rule that a failed cell never yields a book."""

import nbformat
import pytest

from mblstats.book.notebooks import (
    NotebookExecutionError,
    chapter_notebooks,
    declared_parameters,
    execute_chapter,
)
from mblstats.book.site import BookBuildError, assemble_site

from .notebook_factory import write_book_source, write_notebook


def test_chapter_notebooks_follow_toc_order(tmp_path):
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nparts:\n"
        "  - caption: One\n    chapters:\n      - file: notebooks/b\n      - file: book/static\n"
        "  - caption: Two\n    chapters:\n      - file: notebooks/a.ipynb\n"
    )

    assert chapter_notebooks(tmp_path / "_toc.yml") == ["notebooks/b", "notebooks/a"]


def test_execute_injects_declared_parameters_only(tmp_path):
    source = write_notebook(
        tmp_path / "chapter.ipynb",
        "threshold_ml: float = 3000.0  # MBL threshold\nseed: int = 0  # random seed",
        "result = threshold_ml * 2 + seed",
        "print(result)",
    )
    assert declared_parameters(source) == {"threshold_ml", "seed"}

    output = execute_chapter(
        source, tmp_path / "out" / "chapter.ipynb", {"threshold_ml": 2500.0, "seed": 1, "other": 9}
    )

    executed = nbformat.read(str(output), as_version=4)
    printed = executed.cells[-1].outputs[0]["text"].strip()
    assert printed == "5001.0"
    injected = [c for c in executed.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1
    assert "other" not in injected[0].source


def test_failed_cell_names_notebook_cell_and_error(tmp_path):
    source = write_notebook(
        tmp_path / "broken.ipynb", "seed: int = 0", "x = 1", "x / 0", "print('never')"
    )

    with pytest.raises(NotebookExecutionError) as caught:
        execute_chapter(source, tmp_path / "out" / "broken.ipynb", {"seed": 3})

    message = str(caught.value)
    assert "broken.ipynb" in message
    assert "ZeroDivisionError" in message
    assert "cell" in message


def test_site_refuses_notebook_with_error_output(tmp_path):
    source_root = write_book_source(tmp_path / "src", {"chapter": ("seed: int = 0", "1 + 1")})
    executed_dir = tmp_path / "executed"
    executed_dir.mkdir()
    notebook = nbformat.read(str(source_root / "notebooks" / "chapter.ipynb"), as_version=4)
    notebook.cells[-1].outputs = [
        nbformat.v4.new_output("error", ename="ValueError", evalue="bad value", traceback=[])
    ]
    nbformat.write(notebook, str(executed_dir / "chapter.ipynb"))

    with pytest.raises(BookBuildError, match="chapter.ipynb.*ValueError: bad value"):
        assemble_site(source_root, executed_dir, tmp_path / "site")
    assert not (tmp_path / "site").exists()
