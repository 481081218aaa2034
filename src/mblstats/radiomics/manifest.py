"""The image manifest (``images.csv``): one row per case and modality, pointing at image and mask.

Columns: ``patient_id``, ``modality`` (``CT`` or ``CTE``), ``image_path``, ``mask_path`` and
``label`` (the mask value of the tumour). Relative paths resolve against the manifest's folder,
so a manifest moves together with its images.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from mblstats.exceptions import InputValidationError

logger = logging.getLogger(__name__)

MANIFEST_COLUMNS = ("patient_id", "modality", "image_path", "mask_path", "label")
MODALITIES = ("CT", "CTE")


def read_manifest(manifest: str | Path | pd.DataFrame, *, modality: str | None = None, base_dir: str | Path | None = None) -> pd.DataFrame:
    """Read and validate an image manifest, resolving paths and optionally keeping one modality.

    Parameters
    ----------
    manifest : str, Path or pandas.DataFrame
        Path of ``images.csv``, or a frame with the same columns.
    modality : {"CT", "CTE"}, optional
        Keep only these rows. Required when the manifest lists more than one modality.
    base_dir : str or Path, optional
        Folder that relative paths resolve against; defaults to the manifest's folder
        (or the working directory for a frame).

    Returns
    -------
    pandas.DataFrame
        One row per case, columns :data:`MANIFEST_COLUMNS`; ``patient_id`` and ``modality``
        as str, paths absolute (str), ``label`` int.

    Raises
    ------
    InputValidationError
        Missing columns, unknown modality, missing or non-integer labels, duplicated patients
        within a modality, or several modalities without ``modality``. The message lists the
        offending rows (1-based data rows of the CSV).
    """
    if isinstance(manifest, pd.DataFrame):
        frame = manifest.copy()
        source = "manifest frame"
        root = Path(base_dir) if base_dir is not None else Path.cwd()
    else:
        path = Path(manifest)
        if not path.is_file():
            raise InputValidationError(f"manifest {path} not found: pass the path of images.csv")
        frame = pd.read_csv(path, dtype={"patient_id": str, "modality": str, "image_path": str, "mask_path": str})
        source = f"manifest {path}"
        root = Path(base_dir) if base_dir is not None else path.resolve().parent

    missing = [column for column in MANIFEST_COLUMNS if column not in frame.columns]
    if missing:
        raise InputValidationError(
            f"{source} lacks column(s) {', '.join(missing)}; it has {', '.join(map(str, frame.columns))}: "
            f"add the columns {', '.join(MANIFEST_COLUMNS)}"
        )
    frame = frame.loc[:, list(MANIFEST_COLUMNS)].reset_index(drop=True)

    problems = _find_problems(frame)
    if problems:
        raise InputValidationError(f"{source} has {len(problems)} invalid row(s):\n  " + "\n  ".join(problems))

    frame["patient_id"] = frame["patient_id"].astype(str).str.strip()
    frame["modality"] = frame["modality"].astype(str).str.strip().str.upper()
    frame["label"] = frame["label"].astype(float).astype(int)
    for column in ("image_path", "mask_path"):
        frame[column] = [str(_resolve(root, value)) for value in frame[column]]

    frame = _select_modality(frame, modality, source)
    logger.info("%s: %d case(s) of modality %s", source, len(frame), ", ".join(sorted(frame["modality"].unique())))
    return frame.reset_index(drop=True)


def _find_problems(frame: pd.DataFrame) -> list[str]:
    problems: list[str] = []
    for position, row in frame.iterrows():
        where = f"row {position + 1} (patient_id {row['patient_id']!r})"
        if pd.isna(row["patient_id"]) or not str(row["patient_id"]).strip():
            problems.append(f"row {position + 1}: patient_id is empty: give every row an id")
        modality = str(row["modality"]).strip().upper()
        if modality not in MODALITIES:
            problems.append(f"{where}: modality {row['modality']!r} is not one of {', '.join(MODALITIES)}")
        for column in ("image_path", "mask_path"):
            if pd.isna(row[column]) or not str(row[column]).strip():
                problems.append(f"{where}: {column} is empty: give the image file or DICOM folder")
        label = pd.to_numeric(row["label"], errors="coerce")
        if pd.isna(label) or float(label) != int(label) or int(label) <= 0:
            problems.append(f"{where}: label {row['label']!r} is not a positive integer: give the mask value of the tumour")

    normalised = frame.assign(
        patient_id=frame["patient_id"].astype(str).str.strip(),
        modality=frame["modality"].astype(str).str.strip().str.upper(),
    )
    duplicated = normalised.duplicated(["patient_id", "modality"], keep=False)
    for (patient_id, modality), group in normalised[duplicated].groupby(["patient_id", "modality"]):
        rows = ", ".join(str(index + 1) for index in group.index)
        problems.append(f"rows {rows}: patient_id {patient_id!r} appears more than once for {modality}: keep one row per patient and modality")
    return problems


def _select_modality(frame: pd.DataFrame, modality: str | None, source: str) -> pd.DataFrame:
    present = sorted(frame["modality"].unique())
    if modality is None:
        if len(present) > 1:
            raise InputValidationError(
                f"{source} lists modalities {', '.join(present)}; features of one modality form one table: "
                "choose one with --modality CT or --modality CTE (modality='CT' in Python)"
            )
        return frame

    wanted = str(modality).strip().upper()
    if wanted not in MODALITIES:
        raise InputValidationError(f"modality {modality!r} is not one of {', '.join(MODALITIES)}: pass CT or CTE")
    selected = frame[frame["modality"] == wanted]
    if selected.empty:
        raise InputValidationError(f"{source} has no {wanted} rows (it lists {', '.join(present) or 'none'}): check the modality column")
    return selected


def _resolve(root: Path, value: str) -> Path:
    path = Path(str(value).strip()).expanduser()
    return path if path.is_absolute() else (root / path)
