"""Batch extraction of radiomics features from an image manifest.

:func:`extract_features` reads the manifest and takes every case it can from the cache. It
extracts the rest in parallel (local processes by default, a Dask cluster on request) and caches
each new feature vector as soon as it arrives. It returns the feature table, a failure table with
one row per failed case (what failed and how to fix it) and the provenance of the run.
"""

from __future__ import annotations

import json
import logging
import platform
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from mblstats.exceptions import InputValidationError
from mblstats.radiomics import runners
from mblstats.radiomics._worker import CaseOutcome, CaseTask
from mblstats.radiomics.cache import FeatureCache, case_key, hash_path
from mblstats.radiomics.manifest import read_manifest
from mblstats.radiomics.params import count_features, load_params, params_sha256, requires_3d, resolve_params

logger = logging.getLogger(__name__)

FAILURE_COLUMNS = ("patient_id", "modality", "image_path", "mask_path", "stage", "error", "fix")


class ExtractionFailedError(InputValidationError):
    """Raised by ``strict`` extraction after the batch, listing every failed case."""

    def __init__(self, message: str, failures: pd.DataFrame) -> None:
        super().__init__(message)
        self.failures = failures


@dataclass(frozen=True)
class ExtractionResult:
    """Features of one modality, the cases that failed, and how the run was made.

    Attributes
    ----------
    features : pandas.DataFrame
        Shape (n_cases_extracted, n_features): index ``patient_id`` in manifest order, one
        float64 column per pyradiomics feature (diagnostics excluded), e.g. 1316 with the
        shipped parameter files.
    failures : pandas.DataFrame
        One row per failed case; columns :data:`FAILURE_COLUMNS`.
    provenance : dict
        Versions (pyradiomics, SimpleITK, numpy, PyWavelets, Python), parameter file and its
        SHA-256, counts of cached and newly extracted cases, and the executor used.
    """

    features: pd.DataFrame
    failures: pd.DataFrame
    provenance: dict[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        """Return the feature table."""
        return self.features


def extract_features(
    manifest: str | Path | pd.DataFrame,
    params: str | Path,
    out: str | Path | None = None,
    *,
    modality: str | None = None,
    workers: int | None = None,
    scheduler: Any = None,
    cache_dir: str | Path | None = None,
    strict: bool = False,
    progress: bool = True,
) -> ExtractionResult:
    """Extract pyradiomics features for every case of one modality of a manifest.

    Parameters
    ----------
    manifest : str, Path or pandas.DataFrame
        ``images.csv`` with columns ``patient_id``, ``modality``, ``image_path``, ``mask_path``,
        ``label``; relative paths resolve against its folder.
    params : str or Path
        ``"ct"``, ``"cte"`` (shipped files) or the path of a pyradiomics YAML file.
    out : str or Path, optional
        Parquet file for the features. The failure table goes beside it as
        ``<stem>.failures.csv`` and the provenance as ``<stem>.provenance.json``.
    modality : {"CT", "CTE"}, optional
        Rows to use; required when the manifest lists both.
    workers : int, optional
        Local worker processes; default all cores. 1 runs in this process.
    scheduler : str or distributed.Client, optional
        Run on this Dask cluster instead of local processes; image paths must be readable there.
    cache_dir : str or Path, optional
        Feature cache folder. Cached cases are not extracted again; an interrupted run resumes.
    strict : bool, default False
        Raise :class:`ExtractionFailedError` after the batch (good cases cached and written)
        when any case failed.
    progress : bool, default True
        Show a tqdm progress bar.

    Returns
    -------
    ExtractionResult

    Raises
    ------
    InputValidationError
        Invalid manifest or parameter file (before any extraction).
    ExtractionFailedError
        With ``strict=True`` when at least one case failed.

    Notes
    -----
    A case's failure never stops the batch: unreadable files, geometry mismatches, absent
    labels, empty or too small masks and any pyradiomics exception are recorded in
    ``failures`` with the stage, the error and a fix. Failed cases are not cached, so a re-run
    tries them again.

    Local workers start with ``forkserver``, which imports the calling script as
    ``__mp_main__``: a script that calls this with more than one worker must guard its entry
    point with ``if __name__ == "__main__":``. Each worker runs ITK with one thread and takes one
    case per task; at most two tasks per worker are in flight, which bounds memory.

    Examples
    --------
    >>> result = extract_features("images.csv", "ct", "features_ct.parquet", modality="CT")  # doctest: +SKIP
    >>> result.features.shape  # doctest: +SKIP
    (810, 1316)
    """
    cases = read_manifest(manifest, modality=modality)
    params_path = resolve_params(params)
    params_content = load_params(params_path)
    params_digest = params_sha256(params_path)
    versions = _versions()
    cache = FeatureCache(cache_dir) if cache_dir is not None else None

    tasks = [
        CaseTask(
            patient_id=row.patient_id,
            modality=row.modality,
            image_path=row.image_path,
            mask_path=row.mask_path,
            label=int(row.label),
            params=params_content,
            params_sha256=params_digest,
            require_3d=requires_3d(params_content),
        )
        for row in cases.itertuples(index=False)
    ]

    cached, keys = _look_up_cache(tasks, cache, params_digest, versions["pyradiomics"])
    to_extract = [task for task in tasks if task.patient_id not in cached]
    logger.info(
        "extracting %d case(s) with %s (%d taken from the cache)", len(to_extract), params_path.name, len(cached)
    )

    outcomes: dict[str, CaseOutcome] = {}
    executor, n_workers = _choose_executor(workers, scheduler, len(to_extract))
    bar = tqdm(total=len(to_extract), desc=f"radiomics {','.join(sorted(cases['modality'].unique()))}", disable=not progress, unit="case")
    try:
        for outcome in _run(to_extract, executor, n_workers, scheduler):
            outcomes[outcome.patient_id] = outcome
            if outcome.ok and cache is not None and outcome.patient_id in keys:
                cache.put(keys[outcome.patient_id], outcome.features, case_id=outcome.patient_id)
            if not outcome.ok:
                logger.warning("case %s failed at %s: %s", outcome.patient_id, outcome.stage, outcome.error)
            bar.update(1)
    finally:
        bar.close()

    features = _feature_table(tasks, cached, outcomes)
    failures = _failure_table(tasks, outcomes)
    provenance = {
        **{f"{name}_version": version for name, version in versions.items()},
        "params_file": str(params_path),
        "params_sha256": params_digest,
        "expected_features": count_features(params_content),
        "n_cases": len(tasks),
        "n_extracted": sum(outcome.ok for outcome in outcomes.values()),
        "n_cached": len(cached),
        "n_failed": len(failures),
        "executor": executor,
        "workers": n_workers,
        "extraction_seconds": float(sum(outcome.seconds for outcome in outcomes.values())),
    }
    result = ExtractionResult(features=features, failures=failures, provenance=provenance)

    if out is not None:
        write_result(result, out)
    if strict and len(failures):
        listing = "\n  ".join(f"{row.patient_id} ({row.stage}): {row.error}: {row.fix}" for row in failures.itertuples())
        raise ExtractionFailedError(f"{len(failures)} of {len(tasks)} case(s) failed:\n  {listing}", failures)
    return result


def _versions() -> dict[str, str]:
    import pywt
    import radiomics
    import SimpleITK as sitk

    return {
        "pyradiomics": str(radiomics.__version__),
        "simpleitk": sitk.Version_VersionString(),
        "numpy": np.__version__,
        "pywavelets": pywt.__version__,
        "python": platform.python_version(),
    }


def _look_up_cache(
    tasks: list[CaseTask], cache: FeatureCache | None, params_digest: str, pyradiomics_version: str
) -> tuple[dict[str, dict[str, float]], dict[str, str]]:
    """Return the cached feature vectors by patient id, and the cache key of every hashable case."""
    cached: dict[str, dict[str, float]] = {}
    keys: dict[str, str] = {}
    if cache is None:
        return cached, keys

    for task in tasks:
        try:
            key = case_key(hash_path(task.image_path), hash_path(task.mask_path), params_digest, task.label, pyradiomics_version)
        except OSError:
            continue  # unreadable here: the worker reports it with the path and a fix
        keys[task.patient_id] = key
        vector = cache.get(key)
        if vector is not None:
            cached[task.patient_id] = vector
    return cached, keys


def _choose_executor(workers: int | None, scheduler: Any, n_tasks: int) -> tuple[str, int]:
    if scheduler is not None:
        return "dask", 0
    if workers is not None and int(workers) < 1:
        raise InputValidationError(f"workers={workers} is invalid: pass a positive number of processes, or None for all cores")
    n_workers = int(workers) if workers is not None else runners.default_workers()
    n_workers = max(1, min(n_workers, n_tasks))
    return ("serial" if n_workers == 1 else "processes"), n_workers


def _run(tasks: list[CaseTask], executor: str, n_workers: int, scheduler: Any) -> Iterator[CaseOutcome]:
    if not tasks:
        return iter(())
    if executor == "dask":
        return runners.run_dask(tasks, scheduler)
    if executor == "serial":
        return runners.run_serial(tasks)
    return runners.run_local(tasks, n_workers)


def _feature_table(tasks: list[CaseTask], cached: dict[str, dict[str, float]], outcomes: dict[str, CaseOutcome]) -> pd.DataFrame:
    rows: dict[str, dict[str, float]] = {}
    for task in tasks:
        if task.patient_id in cached:
            rows[task.patient_id] = cached[task.patient_id]
        elif task.patient_id in outcomes and outcomes[task.patient_id].ok:
            rows[task.patient_id] = outcomes[task.patient_id].features

    columns: list[str] = []
    seen: set[str] = set()
    for vector in rows.values():
        for name in vector:
            if name not in seen:
                seen.add(name)
                columns.append(name)

    frame = pd.DataFrame.from_dict(rows, orient="index", columns=columns, dtype="float64")
    frame.index.name = "patient_id"
    return frame


def _failure_table(tasks: list[CaseTask], outcomes: dict[str, CaseOutcome]) -> pd.DataFrame:
    rows = [
        {
            "patient_id": task.patient_id,
            "modality": task.modality,
            "image_path": task.image_path,
            "mask_path": task.mask_path,
            "stage": outcomes[task.patient_id].stage,
            "error": outcomes[task.patient_id].error,
            "fix": outcomes[task.patient_id].fix,
        }
        for task in tasks
        if task.patient_id in outcomes and not outcomes[task.patient_id].ok
    ]
    return pd.DataFrame(rows, columns=list(FAILURE_COLUMNS))


def output_paths(out: str | Path) -> dict[str, Path]:
    """Return the paths of the feature, failure and provenance files for output ``out``."""
    out = Path(out)
    return {
        "features": out,
        "failures": out.with_name(f"{out.stem}.failures.csv"),
        "provenance": out.with_name(f"{out.stem}.provenance.json"),
    }


def write_result(result: ExtractionResult, out: str | Path) -> dict[str, Path]:
    """Write features (Parquet), failures (CSV) and provenance (JSON) beside each other."""
    paths = output_paths(out)
    paths["features"].parent.mkdir(parents=True, exist_ok=True)
    result.features.to_parquet(paths["features"])
    result.failures.to_csv(paths["failures"], index=False)
    paths["provenance"].write_text(json.dumps(result.provenance, indent=2, sort_keys=True), encoding="utf-8")
    logger.info("wrote %d case(s) x %d feature(s) to %s", *result.features.shape, paths["features"])
    return paths


def read_features(path: str | Path) -> pd.DataFrame:
    """Read a feature table written by :func:`extract_features` (index ``patient_id``)."""
    path = Path(path)
    if not path.is_file():
        raise InputValidationError(f"feature table {path} not found: run `mblstats extract` first")
    return pd.read_parquet(path)


def read_failures(path: str | Path) -> pd.DataFrame:
    """Read a failure table written by :func:`extract_features`."""
    path = Path(path)
    if not path.is_file():
        raise InputValidationError(f"failure table {path} not found: run `mblstats extract` first")
    return pd.read_csv(path, dtype={"patient_id": str}).reindex(columns=list(FAILURE_COLUMNS))
