"""The single parameters object of a run: read once, validated, saved with the run."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from mblstats.exceptions import InputValidationError

MODALITIES = ("both", "CT", "CTE")
SPLITS = ("random", "temporal")
CODINGS = ("treatment", "as_published")


@dataclasses.dataclass(frozen=True)
class RunParameters:
    """Settings that change results, shared by every step and chapter of one run.

    Attributes
    ----------
    seed : int
        Seed of every random step (demo cohort, splits, resampling, networks).
    threshold_ml : float
        Blood loss above which a patient counts as massive blood loss (MBL), in mL.
    modality : {"both", "CT", "CTE"}
        Which image modalities the chapters analyse.
    temporal_cutoff : str
        ISO date; operations before it train the temporal split, the rest validate it.
    cv_folds, cv_repeats : int
        Repeated stratified k-fold cross-validation on the training set.
    n_bootstrap : int
        Bootstrap samples for optimism correction.
    mrmr_k : int
        Features kept by mRMR before the LASSO step.
    dnn_split : {"random", "temporal"}
        Split used for the network models, which the study does not state.
    coding : {"treatment", "as_published"}
        Coding of nominal clinical variables: treatment (reference) coding, or the study's
        numeric codes.
    n_permutations : int
        Permutations of the outcome in the null test.
    demo_patients : int or None
        Number of demo patients that get images; ``None`` means all 810 and 0 means none.
    workers : int or None
        Worker processes for extraction; ``None`` means all cores.
    radiomics_params_ct, radiomics_params_cte : str
        pyradiomics parameter set per modality: a shipped name (``ct``, ``cte``, or the
        original-image-only ``ct_quick``, ``cte_quick``) or the path of a YAML file.
    """

    seed: int = 2019
    threshold_ml: float = 3000.0
    modality: str = "both"
    temporal_cutoff: str = "2017-01-01"
    cv_folds: int = 10
    cv_repeats: int = 10
    n_bootstrap: int = 200
    mrmr_k: int = 30
    dnn_split: str = "random"
    coding: str = "treatment"
    n_permutations: int = 20
    demo_patients: int | None = None
    workers: int | None = None
    radiomics_params_ct: str = "ct"
    radiomics_params_cte: str = "cte"

    def __post_init__(self) -> None:
        problems = _validate(self)
        if problems:
            raise InputValidationError(
                "invalid run parameters:\n" + "\n".join(f"  - {p}" for p in problems)
            )

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def save(self, path: str | Path) -> Path:
        """Write the parameters as YAML and return the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(yaml.safe_dump(self.to_dict(), sort_keys=False))
        return path

    @classmethod
    def load(cls, path: str | Path) -> RunParameters:
        """Read parameters from a YAML file; unknown keys are an error."""
        data = yaml.safe_load(Path(path).read_text()) or {}
        return cls.from_dict(data, source=str(path))

    @classmethod
    def from_dict(cls, data: dict[str, Any], source: str = "parameters") -> RunParameters:
        known = {field.name for field in dataclasses.fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise InputValidationError(
                f"{source}: unknown parameter(s) {', '.join(unknown)}; "
                f"known parameters are {', '.join(sorted(known))}"
            )
        return cls(**data)


def _validate(params: RunParameters) -> list[str]:
    problems = []
    positive_ints = {
        "cv_folds": 2,
        "cv_repeats": 1,
        "n_bootstrap": 1,
        "mrmr_k": 1,
        "n_permutations": 1,
    }
    for name, minimum in positive_ints.items():
        value = getattr(params, name)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            problems.append(f"{name}={value!r} is invalid; use an integer >= {minimum}")
    if not isinstance(params.seed, int) or isinstance(params.seed, bool) or params.seed < 0:
        problems.append(f"seed={params.seed!r} is invalid; use a non-negative integer")
    if not isinstance(params.threshold_ml, (int, float)) or not params.threshold_ml > 0:
        problems.append(
            f"threshold_ml={params.threshold_ml!r} is invalid; use a positive blood loss in mL"
        )
    for name, allowed in (("modality", MODALITIES), ("dnn_split", SPLITS), ("coding", CODINGS)):
        value = getattr(params, name)
        if value not in allowed:
            problems.append(f"{name}={value!r} is invalid; allowed values are {', '.join(allowed)}")
    try:
        dt.date.fromisoformat(str(params.temporal_cutoff))
    except ValueError:
        problems.append(
            f"temporal_cutoff={params.temporal_cutoff!r} is not an ISO date; use YYYY-MM-DD"
        )
    for name in ("radiomics_params_ct", "radiomics_params_cte"):
        value = getattr(params, name)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{name}={value!r} is invalid; use a shipped set name or a YAML path")
    for name in ("demo_patients", "workers"):
        value = getattr(params, name)
        if value is not None and (not isinstance(value, int) or value < 0):
            problems.append(f"{name}={value!r} is invalid; use an integer >= 0 or leave it unset")
    return problems
