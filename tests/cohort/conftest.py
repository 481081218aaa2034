"""Fixtures shared by the cohort tests."""

import pytest

from mblstats.cohort.demo import make_demo_clinical


@pytest.fixture(scope="session")
def demo_clinical():
    """Demo cohort with the default seed (generated once per session)."""
    return make_demo_clinical()


@pytest.fixture(scope="session")
def study_text(shared_dir):
    """Text of the study summary kept in the reference folder beside the repository."""
    return (shared_dir / "STUDY.md").read_text(encoding="utf-8")
