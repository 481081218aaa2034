"""Extraction of one case, run inside a worker process (local pool or Dask worker).

Kept apart from the orchestration so the worker side holds only what a task needs: the task
and outcome records, the thread limit and the call into pyradiomics.
"""

from __future__ import annotations

import copy
import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any

logger = logging.getLogger(__name__)

_extractors: dict[str, Any] = {}


@dataclass(frozen=True)
class CaseTask:
    """One case to extract: where its files are and which parameters to use."""

    patient_id: str
    modality: str
    image_path: str
    mask_path: str
    label: int
    params: dict[str, Any]
    params_sha256: str
    require_3d: bool


@dataclass(frozen=True)
class CaseOutcome:
    """Result of one case: features on success, else the failed stage, the error and the fix."""

    patient_id: str
    features: dict[str, float] = field(default_factory=dict)
    stage: str = ""
    error: str = ""
    fix: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.stage


class _DropSymmetricalGlcmNotice(logging.Filter):
    """Drop pyradiomics' notice, repeated once per image, that SumAverage equals 2 x JointAverage."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("GLCM is symmetrical")


def limit_threads() -> None:
    """Make ITK use one thread in this process, so parallel workers do not oversubscribe cores.

    Sets ``ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS`` for any ITK code loaded later and the global
    default of SimpleITK filters for the copy already loaded. Used as the pool initializer and
    at the start of every Dask task (a Dask worker may start without the initializer).
    """
    os.environ["ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS"] = "1"
    import SimpleITK as sitk

    if sitk.ProcessObject.GetGlobalDefaultNumberOfThreads() != 1:
        sitk.ProcessObject.SetGlobalDefaultNumberOfThreads(1)
    quiet_pyradiomics()


def quiet_pyradiomics() -> None:
    """Keep pyradiomics' progress messages out of the application's log.

    pyradiomics sets its logger to INFO and logs every feature class of every case, and those
    records reach any root handler. The level is raised to WARNING only while it is still
    pyradiomics' default, so a level set by the user wins. The notice that SumAverage equals
    2 x JointAverage, repeated once per image, is dropped.
    """
    radiomics_logger = logging.getLogger("radiomics")
    if radiomics_logger.level == logging.INFO:
        radiomics_logger.setLevel(logging.WARNING)
    glcm_logger = logging.getLogger("radiomics.glcm")
    if not any(isinstance(item, _DropSymmetricalGlcmNotice) for item in glcm_logger.filters):
        glcm_logger.addFilter(_DropSymmetricalGlcmNotice())


def _extractor(params: dict[str, Any], params_sha256: str) -> Any:
    if params_sha256 not in _extractors:
        from radiomics import featureextractor

        _extractors[params_sha256] = featureextractor.RadiomicsFeatureExtractor(copy.deepcopy(params))
    return _extractors[params_sha256]


def run_case(task: CaseTask, *, single_thread: bool = True) -> CaseOutcome:
    """Read, check and extract one case, returning a failure outcome for any error of the case.

    Parameters
    ----------
    task : CaseTask
    single_thread : bool, default True
        Call :func:`limit_threads` first (False only for in-process serial runs).

    Returns
    -------
    CaseOutcome
        With ``features`` (name -> float, diagnostics excluded) or with ``stage``, ``error``
        and ``fix`` filled.
    """
    from mblstats.imaging.io import ImageInputError, read_case

    if single_thread:
        limit_threads()
    else:
        quiet_pyradiomics()
    started = time.perf_counter()

    try:
        pair = read_case(
            task.image_path,
            task.mask_path,
            task.label,
            case_id=task.patient_id,
            require_3d=task.require_3d,
        )
    except ImageInputError as error:
        return CaseOutcome(
            task.patient_id, stage=error.stage, error=error.reason, fix=error.fix, seconds=time.perf_counter() - started
        )

    # The geometry check allowed small rounding differences; give the mask the image's exact
    # geometry so pyradiomics' stricter default tolerance does not reject the pair.
    mask = pair.mask
    mask.CopyInformation(pair.image)

    try:
        result = _extractor(task.params, task.params_sha256).execute(pair.image, mask, label=task.label)
    except Exception as error:  # any pyradiomics failure is a failure of this case only
        logger.debug("case %s: pyradiomics failed", task.patient_id, exc_info=True)
        return CaseOutcome(
            task.patient_id,
            stage="pyradiomics",
            error=f"case {task.patient_id}: pyradiomics raised {type(error).__name__}: {error}",
            fix="inspect image and mask in a viewer; rerun this case alone with debug logging for the traceback",
            seconds=time.perf_counter() - started,
        )

    features = {name: float(value) for name, value in result.items() if not name.startswith("diagnostics_")}
    return CaseOutcome(task.patient_id, features=features, seconds=time.perf_counter() - started)
