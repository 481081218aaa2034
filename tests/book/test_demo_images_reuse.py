"""A second build reuses the demo images of the first when nothing they depend on changed."""

from __future__ import annotations

import logging

from mblstats.book.layout import RunLayout
from mblstats.book.pipeline import BookInputs, _prepare_clinical, _prepare_images
from mblstats.params import RunParameters


def _image_times(data_dir):
    return {path.name + str(path.parent.name): path.stat().st_mtime_ns for path in data_dir.rglob("*.nrrd")}


def test_second_build_keeps_demo_images(tmp_path, caplog):
    params = RunParameters(demo_patients=3, workers=1)
    layout = RunLayout(tmp_path / "run")
    inputs = BookInputs()
    _prepare_clinical(params, layout, inputs)
    _prepare_images(params, layout, inputs)
    first = _image_times(layout.data_dir)
    assert len(first) >= 6

    with caplog.at_level(logging.INFO, logger="mblstats.book.pipeline"):
        _prepare_images(params, layout, inputs)
    assert _image_times(layout.data_dir) == first
    assert "up to date" in caplog.text

    # Another seed changes every image, so they are written again.
    caplog.clear()
    _prepare_images(RunParameters(demo_patients=3, workers=1, seed=7), layout, inputs)
    assert _image_times(layout.data_dir) != first
    assert "up to date" not in caplog.text


def test_missing_image_file_rewrites_demo_images(tmp_path, caplog):
    params = RunParameters(demo_patients=2, workers=1)
    layout = RunLayout(tmp_path / "run")
    _prepare_clinical(params, layout, BookInputs())
    _prepare_images(params, layout, BookInputs())
    victim = next(layout.data_dir.rglob("mask.nrrd"))
    victim.unlink()

    with caplog.at_level(logging.INFO, logger="mblstats.book.pipeline"):
        _prepare_images(params, layout, BookInputs())
    assert victim.is_file()
    assert "up to date" not in caplog.text
