"""Docstring examples of the statistics modules run and print what they show."""

import doctest
import importlib
import pkgutil

import pytest

import mblstats.stats

MODULES = [
    f"mblstats.stats.{info.name}" for info in pkgutil.iter_modules(mblstats.stats.__path__)
]


@pytest.mark.parametrize("module_name", MODULES)
def test_docstring_examples_pass(module_name):
    module = importlib.import_module(module_name)
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{result.failed} docstring example(s) failed in {module_name}"


@pytest.mark.parametrize("name", mblstats.stats.__all__)
def test_public_names_have_docstrings(name):
    assert getattr(mblstats.stats, name).__doc__
