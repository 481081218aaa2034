"""Local process runner: a worker that dies fails its own case only."""

from __future__ import annotations

from mblstats.radiomics._worker import CaseTask
from mblstats.radiomics.runners import run_local

from .crashing import extract_or_crash


def _task(patient_id: str) -> CaseTask:
    return CaseTask(patient_id, "CT", "image.nrrd", "mask.nrrd", 1, {}, "digest", True)


def test_dead_worker_fails_only_its_case():
    ids = ["a", "bb", "crash", "ccc", "dddd", "eeeee", "ffffff"]
    outcomes = {outcome.patient_id: outcome for outcome in run_local([_task(i) for i in ids], 2, case_function=extract_or_crash)}

    assert sorted(outcomes) == sorted(ids)
    assert outcomes["crash"].stage == "worker"
    assert "worker process died" in outcomes["crash"].error
    for patient_id in ids:
        if patient_id != "crash":
            assert outcomes[patient_id].ok
            assert outcomes[patient_id].features == {"feature": float(len(patient_id))}
