"""End-to-end: build the real book on a small demo run and read it in a browser."""

from __future__ import annotations

import pytest

from mblstats.book.notebooks import NotebookExecutionError, chapter_notebooks
from mblstats.book.pipeline import build_book
from mblstats.cli import QUICK_PROFILE
from mblstats.params import RunParameters

from .browser import open_browser
from .notebook_factory import write_book_source


def test_failed_chapter_stops_run_without_book(tmp_path):
    source = write_book_source(
        tmp_path / "src",
        {
            "first": ("seed: int = 0", "import pandas as pd", "pd.read_csv(clinical_path).shape"),
            "broken": ("seed: int = 0", "raise RuntimeError('chapter failed on purpose')"),
        },
    )
    # the first chapter reads the clinical table the run wrote
    first = source / "notebooks" / "first.ipynb"
    first.write_text(first.read_text().replace("seed: int = 0", "clinical_path: str = ''"))

    with pytest.raises(NotebookExecutionError, match="broken.ipynb.*RuntimeError: chapter failed"):
        build_book(
            RunParameters(demo_patients=0), tmp_path / "run", source_root=source,
            output_dir=tmp_path / "out",
        )

    assert (tmp_path / "run" / "notebooks" / "first.ipynb").exists()
    assert not (tmp_path / "out" / "_build" / "html" / "index.html").exists()


def test_tiny_book_renders_in_browser(tmp_path):
    source = write_book_source(
        tmp_path / "src",
        {
            "numbers": (
                "threshold_ml: float = 3000.0",
                "from myst_nb import glue\nglue('doubled', threshold_ml * 2, display=False)",
                "#md The doubled threshold is {glue:text}`doubled:.1f` mL.",
            ),
        },
    )

    index = build_book(
        RunParameters(demo_patients=0, threshold_ml=2500.0), tmp_path / "run",
        source_root=source, output_dir=tmp_path / "out",
    )

    with open_browser() as page:
        page.goto(index.as_uri())
        page.wait_for_url("**/book/intro.html")  # index.html redirects to the root page
        assert "Introduction" in page.title()
        page.get_by_role("link", name="A chapter").first.click()
        page.wait_for_load_state()
        assert "The doubled threshold is 5000.0 mL." in page.inner_text("main")


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory, repo_root):
    """The real book, built once on the quick demo profile."""
    out = tmp_path_factory.mktemp("demo-book")
    params = RunParameters(**QUICK_PROFILE)
    index = build_book(params, out / "run", source_root=repo_root, output_dir=out)
    return index


@pytest.mark.slow
def test_demo_book_has_every_chapter(demo_book, repo_root):
    html_dir = demo_book.parent
    for entry in chapter_notebooks(repo_root / "_toc.yml"):
        assert (html_dir / f"{entry}.html").exists(), f"{entry}.html was not built"


@pytest.mark.slow
def test_demo_book_cohort_chapter_in_browser(demo_book):
    with open_browser() as page:
        page.goto((demo_book.parent / "notebooks" / "cohort.html").as_uri())
        main = page.inner_text("main")

        assert "Table 1" in main
        assert "45.343" in main  # published chi-square of tumour type, CT cohort
        assert "{glue" not in main  # every glued number was resolved
        figure = page.locator("#fig-blood-loss img")
        assert figure.is_visible()
        assert figure.evaluate("img => img.naturalWidth") > 100
