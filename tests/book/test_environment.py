"""The pinned environment provides what the book needs."""

import importlib
import subprocess
import sys
from importlib.metadata import version


def test_pyradiomics_compiled_extensions_import():
    for name in ("radiomics._cmatrices", "radiomics._cshape"):
        module = importlib.import_module(name)
        assert module.__file__.endswith(".so"), f"{name} is not a compiled extension"


def test_jupyter_book_is_the_sphinx_line():
    assert version("jupyter-book").startswith("1."), version("jupyter-book")
    assert version("sphinx").startswith("7."), version("sphinx")


def test_make_script_without_command_prints_usage(repo_root):
    completed = subprocess.run(
        [sys.executable, str(repo_root / "book" / "make.py")], capture_output=True, text=True
    )

    assert completed.returncode == 2
    assert "python3 book/make.py book" in completed.stdout
