"""Synthetic demo CT and contrast-enhanced CT (CTE) volumes with tumour masks.

:func:`write_demo_images` turns a clinical table into one compressed NRRD per patient and
modality, plus a tumour mask, so the whole pipeline (feature extraction, reduction, models)
runs without patient data. The volumes are pelvic CTs in Hounsfield units (int16): air at
-1000 HU outside the body, fat, muscle, bowel, bladder, iliac vessels, a pelvic ring of cortex
and marrow, and quantum noise (SD 12 HU). The tumour is a lobulated blob whose maximal diameter
follows ``tumour_size_cm``. Its heterogeneity, necrotic core, vessels and contrast enhancement
come from latent variables correlated with the logarithm of ``blood_loss_ml``. CTE shows the
same anatomy and mask with enhancing vessels, muscle and viable tumour.

Layout of ``out_dir``::

    images.csv            primary segmentation (reader 1): one row per patient and modality
    images_reader2.csv    second reader's segmentation of the reproducibility subset
    <patient_id>/CT.nrrd  <patient_id>/CTE.nrrd  <patient_id>/mask.nrrd  <patient_id>/mask_reader2.nrrd

Both manifests have the columns ``patient_id``, ``modality`` (``CT``/``CTE``), ``image_path``,
``mask_path`` (paths relative to the manifest's folder), ``label`` (always 1) and ``reader``
(1 or 2). The second reader's rows live in their own file because a manifest lists each
patient once per modality; pair the two files by ``patient_id`` and ``modality`` for an ICC
reproducibility filter. CT and CTE of a patient share one mask file, because CTE is drawn on
the same grid. The second reader's boundary moves by one voxel in patches (Dice 0.62-0.97,
median 0.93); over the 56 shape, first-order and GLCM features of the 40 CT cases, the median
ICC(2,1) is 0.98 and 54 features reach 0.75, while sphericity and GLCM MCC do not
(``benchmarks/demo_reproducibility.py``).

Grid and spacing: 112 × 80 voxels in-plane at 3.5 mm (a 39.2 cm × 28 cm field of view) and
at least 40 slices of 5 mm; a tumour longer than the 20 cm stack gets more slices. The median
demo tumour then spans about 2,700 voxels and the largest about 63,000. Extracting all 1316
pyradiomics features (original, 5 LoG and 8 wavelet images) took 1.2-2.8 s per case on one
thread between the 10th and 90th percentile of tumour volume, and 5.8 s for the largest
(measured once on a loaded 2-CPU machine, so an estimate).

Reproducibility: every patient draws from its own generator, seeded by ``seed`` and a SHA-256
hash of its ``patient_id``, so a subset run gives byte-identical files to the full run, for
any number of workers. The second-reader subset is the ``n_second_reader`` patients of the
clinical table with the smallest seeded hash, so it does not depend on ``patient_ids`` either.

Cost of the full demo cohort (810 CT, 643 CTE, 810 masks, 40 second masks), measured with
``benchmarks/demo_images.py --workers 2`` on a 2-CPU machine shared with other jobs: 406 MB on
disk (about 280 kB per volume, 2 kB per mask), 151 s of worker CPU time (0.19 s per patient,
so about 80 s on 2 idle cores), and 308 s wall time at a load average of 4-7.

Signal, measured with ``benchmarks/demo_signal.py --n-patients 810`` (pyradiomics shape,
first-order and GLCM features of the original image, bin width 25 HU; StandardScaler + L1
logistic regression tuned by inner 5-fold CV on a stratified 70 %): validation AUC 0.74 on CT
(mean of 20 splits 0.75, SD 0.04) and 0.77 on CTE (0.77, SD 0.03), against 0.69 and 0.71 for
the tumour size alone. The study reported 0.68-0.76 for its radiomics models.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import re
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import numpy as np
import pandas as pd
import SimpleITK as sitk
from tqdm.auto import tqdm

from mblstats.cohort.variables import CATEGORICAL_LEVELS
from mblstats.exceptions import InputValidationError

from . import _phantom

logger = logging.getLogger(__name__)

MANIFEST_NAME = "images.csv"
READER2_MANIFEST_NAME = "images_reader2.csv"
MANIFEST_COLUMNS = ("patient_id", "modality", "image_path", "mask_path", "label", "reader")
REQUIRED_CLINICAL_COLUMNS = ("patient_id", "tumour_size_cm", "blood_loss_ml", "has_cte", "tumour_type", "location")
MAX_TUMOUR_SIZE_CM = 60.0
_PATIENT_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
_IMAGE_SUFFIXES = {"nrrd": ".nrrd", "nii.gz": ".nii.gz"}



def write_demo_images(clinical, out_dir, *, seed=2019, patient_ids=None, workers=None, progress=True,
                      n_second_reader=40, image_format="nrrd"):
    """Write synthetic CT/CTE volumes and tumour masks for a clinical table, and their manifests.

    Parameters
    ----------
    clinical : pandas.DataFrame
        One row per patient with at least ``patient_id`` (letters, digits, ``_``, ``.``, ``-``),
        ``tumour_size_cm`` (> 0), ``blood_loss_ml`` (>= 0), ``has_cte`` (``yes``/``no``),
        ``tumour_type`` and ``location`` (the clinical table's levels).
    out_dir : str or Path
        Folder for the images and manifests; created if missing. Existing files of the same
        names are replaced.
    seed : int, default=2019
        Seed of every random draw.
    patient_ids : sequence of str, optional
        Write only these patients (all must be in ``clinical``). Their files equal those of a
        full run with the same seed.
    workers : int, optional
        Number of worker processes; defaults to the CPUs available. ``1`` runs in this process.
        Worker processes are started with ``spawn``, so a script calling this function must
        guard its entry point with ``if __name__ == "__main__":``.
    progress : bool, default=True
        Show a tqdm progress bar.
    n_second_reader : int, default=40
        Size of the subset with a second reader's segmentation (all patients if fewer).
    image_format : {"nrrd", "nii.gz"}, default="nrrd"
        Compressed file format of volumes and masks.

    Returns
    -------
    pandas.DataFrame
        The primary manifest as written to ``out_dir/images.csv``, columns
        :data:`MANIFEST_COLUMNS`, one row per written patient and modality in the order of
        ``clinical``. The second reader's manifest is ``out_dir/images_reader2.csv``.

    Raises
    ------
    InputValidationError
        A missing column, an invalid or duplicated patient id, an unknown level, a size or
        blood loss out of range, an unknown ``patient_ids`` entry or an invalid argument.
    """
    _check_arguments(seed, workers, n_second_reader, image_format)
    table = _validate_clinical(clinical)
    second_reader_ids = _second_reader_ids(table["patient_id"], seed, n_second_reader)
    selected = _select_patients(table, patient_ids)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)

    jobs = [
        {
            "seed": int(seed),
            "out_dir": str(out_dir),
            "suffix": _IMAGE_SUFFIXES[image_format],
            "patient_id": row.patient_id,
            "tumour_size_cm": float(row.tumour_size_cm),
            "blood_loss_ml": float(row.blood_loss_ml),
            "tumour_type": row.tumour_type,
            "zone": row.location,
            "with_cte": bool(row.has_cte),
            "with_second_reader": row.patient_id in second_reader_ids,
        }
        for row in selected.itertuples(index=False)
    ]
    n_workers = min(_default_workers() if workers is None else workers, max(len(jobs), 1))
    logger.info("writing demo images of %d patient(s) to %s with %d worker(s), seed %d",
                len(jobs), out_dir, n_workers, seed)
    started = time.perf_counter()
    rows = _run_jobs(jobs, n_workers, progress)
    logger.info("wrote demo images of %d patient(s) in %.1f s", len(jobs), time.perf_counter() - started)

    return _write_manifests(rows, [job["patient_id"] for job in jobs], out_dir)


def patient_generator(seed, patient_id):
    """Return the random generator of one patient, seeded by ``seed`` and its id.

    The id enters through SHA-256, so the stream does not depend on Python's hash
    randomisation, on the other patients or on the order of generation.
    """
    digest = hashlib.sha256(str(patient_id).encode("utf-8")).digest()
    words = np.frombuffer(digest[:16], dtype="<u4").tolist()
    return np.random.default_rng(np.random.SeedSequence([int(seed), *words]))


def _check_arguments(seed, workers, n_second_reader, image_format):
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise InputValidationError(f"seed must be a non-negative integer, got {seed!r}")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, (int, np.integer))
                                or workers < 1):
        raise InputValidationError(f"workers must be a positive integer or None (all CPUs), got {workers!r}")
    if isinstance(n_second_reader, bool) or not isinstance(n_second_reader, (int, np.integer)) or n_second_reader < 0:
        raise InputValidationError(f"n_second_reader must be a non-negative integer, got {n_second_reader!r}")
    if image_format not in _IMAGE_SUFFIXES:
        raise InputValidationError(
            f"image_format must be one of {', '.join(map(repr, _IMAGE_SUFFIXES))}, got {image_format!r}"
        )


def _validate_clinical(clinical):
    """Return a normalised copy of the required columns, or raise listing every problem."""
    if not isinstance(clinical, pd.DataFrame):
        raise InputValidationError(f"clinical must be a pandas DataFrame, got {type(clinical).__name__}")
    missing = [column for column in REQUIRED_CLINICAL_COLUMNS if column not in clinical.columns]
    if missing:
        raise InputValidationError(
            f"clinical table lacks column(s) {', '.join(missing)}: the demo images need "
            f"{', '.join(REQUIRED_CLINICAL_COLUMNS)}"
        )
    table = clinical.loc[:, list(REQUIRED_CLINICAL_COLUMNS)].reset_index(drop=True)
    problems = []

    ids = table["patient_id"].astype(str).str.strip()
    for index in np.flatnonzero(~ids.map(lambda value: bool(_PATIENT_ID_PATTERN.match(value)))):
        problems.append(f"row {index}: patient_id {_display_value(table['patient_id'][index])} is not usable as a folder "
                        "name; use letters, digits, '_', '.' and '-'")
    for value in ids[ids.duplicated()].unique():
        problems.append(f"patient_id {value!r} occurs more than once; ids must be unique")
    table["patient_id"] = ids

    size = pd.to_numeric(table["tumour_size_cm"], errors="coerce")
    for index in np.flatnonzero(~((size > 0) & (size <= MAX_TUMOUR_SIZE_CM))):
        problems.append(f"row {index} ({ids[index]}): tumour_size_cm {_display_value(table['tumour_size_cm'][index])} "
                        f"must be a number in (0, {MAX_TUMOUR_SIZE_CM:g}]")
    blood = pd.to_numeric(table["blood_loss_ml"], errors="coerce")
    for index in np.flatnonzero(~((blood >= 0) & np.isfinite(blood))):
        problems.append(f"row {index} ({ids[index]}): blood_loss_ml {_display_value(table['blood_loss_ml'][index])} "
                        "must be a finite number >= 0")
    table["tumour_size_cm"], table["blood_loss_ml"] = size, blood

    has_cte = table["has_cte"].map(_parse_yes_no)
    for index in np.flatnonzero(has_cte.isna()):
        problems.append(f"row {index} ({ids[index]}): has_cte {_display_value(table['has_cte'][index])} must be 'yes' or 'no'")
    table["has_cte"] = has_cte

    for column, parse in (("tumour_type", _parse_tumour_type), ("location", _parse_location)):
        parsed = table[column].map(parse)
        for index in np.flatnonzero(parsed.isna()):
            problems.append(f"row {index} ({ids[index]}): {column} {_display_value(table[column][index])} is not one of "
                            f"{', '.join(map(str, CATEGORICAL_LEVELS[column]))}")
        table[column] = parsed

    if problems:
        raise InputValidationError(f"clinical table has {len(problems)} problem(s) for the demo images:\n  "
                                   + "\n  ".join(problems))
    return table


def _display_value(value):
    """Return the repr of a cell value as the user typed it (``-1.0``, not ``np.float64(-1.0)``)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _parse_yes_no(value):
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    text = str(value).strip().lower()
    return {"yes": True, "no": False}.get(text)


def _parse_tumour_type(value):
    text = str(value).strip().lower().replace("tumor", "tumour").replace("'s", "")
    return text if text in _phantom.TUMOUR_TYPES else None


def _parse_location(value):
    text = str(value).strip()
    text = re.sub(r"^zone\s+", "", text, flags=re.IGNORECASE)
    if text.lower() in ("multiple", "multiple zones"):
        return "multiple"
    return text.upper() if text.upper() in _phantom.ZONES else None


def _second_reader_ids(patient_ids, seed, n_second_reader):
    keys = [patient_generator(seed, f"{patient_id}/reader2").random() for patient_id in patient_ids]
    order = np.argsort(keys, kind="stable")[:n_second_reader]
    return frozenset(patient_ids.iloc[order])


def _select_patients(table, patient_ids):
    if patient_ids is None:
        return table
    if isinstance(patient_ids, str):
        raise InputValidationError(f"patient_ids must be a sequence of ids, got the string {patient_ids!r}; "
                                   "wrap a single id in a list")
    requested = [str(value).strip() for value in patient_ids]
    unknown = sorted(set(requested) - set(table["patient_id"]))
    if unknown:
        listed = ", ".join(unknown[:10]) + (" ..." if len(unknown) > 10 else "")
        raise InputValidationError(f"patient_ids has {len(unknown)} id(s) not in the clinical table: {listed}")
    return table[table["patient_id"].isin(set(requested))]


def _default_workers():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not available on macOS and Windows
        return os.cpu_count() or 1


def _run_jobs(jobs, n_workers, progress):
    bar = tqdm(total=len(jobs), desc="demo images", unit="patient", disable=not progress)
    rows = {}
    try:
        if n_workers <= 1:
            for job in jobs:
                rows[job["patient_id"]] = _write_patient(job)
                bar.update()
        else:
            context = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(n_workers, mp_context=context, initializer=_init_worker) as pool:
                futures = {pool.submit(_write_patient, job): job["patient_id"] for job in jobs}
                for future in as_completed(futures):
                    rows[futures[future]] = future.result()
                    bar.update()
    finally:
        bar.close()
    return rows


def _init_worker():
    # The pool already runs one process per core, so extra ITK threads would only compete for them.
    sitk.ProcessObject.SetGlobalDefaultNumberOfThreads(1)


def _write_patient(job):
    """Synthesise and write one patient's files and return its manifest rows."""
    rng = patient_generator(job["seed"], job["patient_id"])
    phantom = _phantom.synthesise_patient(
        rng,
        tumour_size_cm=job["tumour_size_cm"],
        blood_loss_ml=job["blood_loss_ml"],
        tumour_type=job["tumour_type"],
        zone=job["zone"],
        with_cte=job["with_cte"],
        with_second_reader=job["with_second_reader"],
    )
    folder = Path(job["out_dir"]) / job["patient_id"]
    folder.mkdir(exist_ok=True)
    suffix = job["suffix"]
    relative = {name: f"{job['patient_id']}/{name}{suffix}" for name in ("CT", "CTE", "mask", "mask_reader2")}

    volumes = {"CT": phantom.ct, "CTE": phantom.cte, "mask": phantom.mask, "mask_reader2": phantom.mask_reader2}
    for name, array in volumes.items():
        if array is not None:
            write_volume(array, Path(job["out_dir"]) / relative[name])

    rows = []
    modalities = ("CT", "CTE") if job["with_cte"] else ("CT",)
    for modality in modalities:
        rows.append((job["patient_id"], modality, relative[modality], relative["mask"], 1, 1))
        if job["with_second_reader"]:
            rows.append((job["patient_id"], modality, relative[modality], relative["mask_reader2"], 1, 2))
    logger.debug("wrote %s: %d slice(s), %d tumour voxel(s)", job["patient_id"], phantom.ct.shape[0],
                 int(phantom.mask.sum()))
    return rows


def write_volume(array, path):
    """Write a ``(z, y, x)`` array on the demo grid as a compressed image, replacing ``path`` atomically.

    The origin puts the grid centre at (0, 0, 0) mm with identity direction (LPS), so the
    header depends only on the array's shape.
    """
    path = Path(path)
    image = sitk.GetImageFromArray(array)
    image.SetSpacing(_phantom.SPACING_MM)
    image.SetOrigin(tuple(-(n - 1) / 2 * s for n, s in zip(array.shape[::-1], _phantom.SPACING_MM)))
    partial = path.with_name(f".partial-{path.name}")
    sitk.WriteImage(image, str(partial), useCompression=True)
    os.replace(partial, path)


def _write_manifests(rows, order, out_dir):
    flat = [row for patient_id in order for row in rows[patient_id]]
    frame = pd.DataFrame(flat, columns=list(MANIFEST_COLUMNS))
    primary = frame[frame["reader"] == 1].reset_index(drop=True)
    second = frame[frame["reader"] == 2].reset_index(drop=True)
    primary.to_csv(out_dir / MANIFEST_NAME, index=False)
    second.to_csv(out_dir / READER2_MANIFEST_NAME, index=False)
    logger.info("manifests: %d primary row(s) in %s, %d second-reader row(s) in %s", len(primary),
                MANIFEST_NAME, len(second), READER2_MANIFEST_NAME)
    return primary
