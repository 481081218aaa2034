"""Where each step of a run writes its files, so any step can be re-run alone."""

from __future__ import annotations

import dataclasses
from pathlib import Path


@dataclasses.dataclass(frozen=True)
class RunLayout:
    """Paths of one run directory.

    Each pipeline step reads the files of the steps before it and writes its own, so a chapter
    can be re-executed without recomputing the cohort, the images or the features.
    """

    root: Path

    @property
    def parameters(self) -> Path:
        return self.root / "parameters.yaml"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def clinical(self) -> Path:
        return self.data_dir / "clinical.csv"

    @property
    def manifest(self) -> Path:
        return self.data_dir / "images.csv"

    @property
    def features_dir(self) -> Path:
        return self.root / "features"

    def features(self, modality: str) -> Path:
        return self.features_dir / f"features_{modality.lower()}.parquet"

    def failures(self, modality: str) -> Path:
        return self.features_dir / f"features_{modality.lower()}.failures.csv"

    def reader2_features(self, modality: str) -> Path:
        return self.features_dir / f"features_{modality.lower()}_reader2.parquet"

    @property
    def cache_dir(self) -> Path:
        return self.root / "cache"

    @property
    def work_dir(self) -> Path:
        return self.root / "work"

    @property
    def splits_dir(self) -> Path:
        return self.work_dir / "splits"

    @property
    def executed_dir(self) -> Path:
        return self.root / "notebooks"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    def create(self) -> RunLayout:
        for folder in (self.data_dir, self.features_dir, self.work_dir, self.executed_dir):
            folder.mkdir(parents=True, exist_ok=True)
        return self
