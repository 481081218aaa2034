"""A case function for runner tests: importable by worker processes, it kills its worker on request."""

from __future__ import annotations

import os

from mblstats.radiomics._worker import CaseOutcome, CaseTask


def extract_or_crash(task: CaseTask) -> CaseOutcome:
    """Return one fake feature, or end the worker process abruptly when the patient id is "crash"."""
    if task.patient_id == "crash":
        os._exit(1)
    return CaseOutcome(task.patient_id, features={"feature": float(len(task.patient_id))})
