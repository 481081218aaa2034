"""The whole run: cohort, images, features, chapter notebooks and the HTML book.

Each step writes files into the run directory (see :class:`RunLayout`) that the next step reads.
Feature extraction is cached by the content of images, masks and settings, so re-running the book
extracts features only for new or changed images.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import shutil
from pathlib import Path
from typing import Any

from mblstats.book.layout import RunLayout
from mblstats.book.notebooks import chapter_notebooks, execute_chapter
from mblstats.book.site import assemble_site, build_html
from mblstats.exceptions import InputValidationError
from mblstats.params import RunParameters

logger = logging.getLogger(__name__)

MODALITIES = ("CT", "CTE")


@dataclasses.dataclass(frozen=True)
class BookInputs:
    """A user's own data; every field left empty is replaced by the demo cohort.

    Attributes
    ----------
    clinical : path, optional
        Clinical table (CSV) with the columns described in the introduction of the book.
    manifest : path, optional
        Image manifest (``patient_id``, ``modality``, ``image_path``, ``mask_path``, ``label``).
    features : dict, optional
        Precomputed feature tables by modality (``{"CT": path, "CTE": path}``), used instead of
        extraction.
    """

    clinical: Path | None = None
    manifest: Path | None = None
    features: dict[str, Path] = dataclasses.field(default_factory=dict)

    @property
    def is_demo(self) -> bool:
        return self.clinical is None


def build_book(
    params: RunParameters,
    run_dir: str | Path,
    *,
    source_root: str | Path = ".",
    output_dir: str | Path | None = None,
    inputs: BookInputs | None = None,
) -> Path:
    """Run every step of the book and return the path of the built ``index.html``.

    Parameters
    ----------
    params : RunParameters
        Settings of the run; saved as ``parameters.yaml`` in the run directory.
    run_dir : path
        Folder of the run's intermediate files.
    source_root : path
        Folder with ``_config.yml``, ``_toc.yml``, ``book/`` and ``notebooks/``.
    output_dir : path, optional
        The HTML is written to ``output_dir/_build/html``; defaults to ``source_root``.
    inputs : BookInputs, optional
        The user's data; the demo cohort when omitted.
    """
    source_root = Path(source_root).resolve()
    output_dir = Path(output_dir).resolve() if output_dir else source_root
    inputs = inputs or BookInputs()
    _check_source(source_root)
    layout = RunLayout(Path(run_dir).resolve()).create()
    chapters = chapter_notebooks(source_root / "_toc.yml")
    steps = 5 + len(chapters)
    step = _StepCounter(steps)

    step("saving the run parameters")
    params.save(layout.parameters)

    step("preparing the clinical table")
    _prepare_clinical(params, layout, inputs)

    step("preparing the images")
    _prepare_images(params, layout, inputs)

    step("extracting radiomics features")
    _prepare_features(params, layout, inputs)

    available = notebook_values(params, layout)
    for entry in chapters:
        name = Path(entry).name
        step(f"executing chapter {name}")
        execute_chapter(
            source_root / f"{entry}.ipynb",
            layout.executed_dir / f"{name}.ipynb",
            available,
            cwd=layout.root,
        )

    step("building the HTML book with Jupyter Book")
    assemble_site(source_root, layout.executed_dir, layout.site_dir)
    return build_html(layout.site_dir, output_dir)


class _StepCounter:
    def __init__(self, total: int) -> None:
        self.total = total
        self.current = 0

    def __call__(self, message: str) -> None:
        self.current += 1
        logger.info("[%d/%d] %s", self.current, self.total, message)


def _check_source(source_root: Path) -> None:
    missing = [
        name
        for name in ("_config.yml", "_toc.yml", "book", "notebooks")
        if not (source_root / name).exists()
    ]
    if missing:
        raise InputValidationError(
            f"{source_root} is not a book source folder: missing {', '.join(missing)}; "
            "run from the repository root or pass --source"
        )


def _prepare_clinical(params: RunParameters, layout: RunLayout, inputs: BookInputs) -> None:
    if inputs.is_demo:
        from mblstats.cohort.demo import write_demo_clinical

        write_demo_clinical(layout.data_dir, seed=params.seed)
        return

    from mblstats.cohort.schema import load_clinical

    clinical = load_clinical(inputs.clinical)
    clinical.to_csv(layout.clinical, index=False)


def _prepare_images(params: RunParameters, layout: RunLayout, inputs: BookInputs) -> None:
    if inputs.features:
        logger.info("precomputed feature tables given; no images are needed")
        return
    if inputs.manifest is not None:
        if Path(inputs.manifest).resolve() != layout.manifest.resolve():
            _copy_manifest(Path(inputs.manifest), layout.manifest)
        return
    if not inputs.is_demo:
        logger.info("no images given for the user's cohort; the radiomics chapters are skipped")
        return
    if params.demo_patients == 0:
        logger.info("demo_patients is 0; no demo images are written")
        return

    import pandas as pd

    from mblstats.imaging.demo import write_demo_images

    clinical = pd.read_csv(layout.clinical, dtype={"patient_id": str})
    patient_ids = sorted(clinical["patient_id"])
    if params.demo_patients is not None:
        patient_ids = patient_ids[: params.demo_patients]
    stamp_path = layout.data_dir / "demo_images.json"
    stamp = _demo_images_stamp(layout.clinical, params.seed, patient_ids)
    if _demo_images_current(stamp_path, stamp, layout.data_dir):
        logger.info(
            "demo images of %d patient(s) are up to date in %s; not rewritten",
            len(patient_ids), layout.data_dir,
        )
        return
    stamp_path.unlink(missing_ok=True)
    write_demo_images(
        clinical, layout.data_dir, seed=params.seed, patient_ids=patient_ids,
        workers=params.workers,
    )
    stamp_path.write_text(json.dumps(stamp, indent=1))


def _demo_images_stamp(clinical_path: Path, seed: int, patient_ids: list[str]) -> dict:
    """Describe what the demo images depend on: clinical table, seed, patients, generator code."""
    import mblstats.imaging

    code = hashlib.sha256()
    for source in sorted(Path(mblstats.imaging.__file__).parent.glob("*.py")):
        code.update(source.read_bytes())
    return {
        "clinical_sha256": hashlib.sha256(Path(clinical_path).read_bytes()).hexdigest(),
        "seed": seed,
        "patients_sha256": hashlib.sha256("\n".join(patient_ids).encode()).hexdigest(),
        "generator_sha256": code.hexdigest(),
    }


def _demo_images_current(stamp_path: Path, stamp: dict, data_dir: Path) -> bool:
    """Tell whether the images of a previous build match ``stamp`` and are all on disk."""
    import pandas as pd

    if not stamp_path.is_file() or json.loads(stamp_path.read_text()) != stamp:
        return False
    manifests = [data_dir / "images.csv", data_dir / "images_reader2.csv"]
    if not all(path.is_file() for path in manifests):
        return False
    for manifest in manifests:
        table = pd.read_csv(manifest)
        for column in ("image_path", "mask_path"):
            if not all((data_dir / path).is_file() for path in table[column]):
                return False
    return True


def _copy_manifest(source: Path, target: Path) -> None:
    """Copy a user's manifest, making its relative image paths absolute."""
    import pandas as pd

    manifest = pd.read_csv(source, dtype={"patient_id": str})
    for column in ("image_path", "mask_path"):
        if column in manifest:
            manifest[column] = [
                str(p) if Path(p).is_absolute() else str((source.parent / p).resolve())
                for p in manifest[column]
            ]
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest.to_csv(target, index=False)


def _prepare_features(params: RunParameters, layout: RunLayout, inputs: BookInputs) -> None:
    if inputs.features:
        for modality, path in inputs.features.items():
            shutil.copy2(path, layout.features(modality))
        return
    if not layout.manifest.exists():
        return

    from mblstats.radiomics import extract_features

    reader2_manifest = layout.data_dir / "images_reader2.csv"
    for modality in _modalities(params):
        parameter_set = _radiomics_params(params, modality)
        result = extract_features(
            layout.manifest,
            parameter_set,
            layout.features(modality),
            modality=modality,
            workers=params.workers,
            cache_dir=layout.cache_dir,
        )
        logger.info(
            "%s: features of %d cases (%d newly extracted, %d from the cache), %d failed",
            modality, len(result.features), result.provenance.get("n_extracted", 0),
            result.provenance.get("n_cached", 0), len(result.failures),
        )
        if reader2_manifest.exists() and _lists_modality(reader2_manifest, modality):
            extract_features(
                reader2_manifest,
                parameter_set,
                layout.reader2_features(modality),
                modality=modality,
                workers=params.workers,
                cache_dir=layout.cache_dir,
            )


def _radiomics_params(params: RunParameters, modality: str) -> str:
    return params.radiomics_params_ct if modality == "CT" else params.radiomics_params_cte


def _lists_modality(manifest: Path, modality: str) -> bool:
    import pandas as pd

    return bool((pd.read_csv(manifest, usecols=["modality"])["modality"] == modality).any())


def _modalities(params: RunParameters) -> tuple[str, ...]:
    return MODALITIES if params.modality == "both" else (params.modality,)


def notebook_values(params: RunParameters, layout: RunLayout) -> dict[str, Any]:
    """Collect every value a chapter may declare as a parameter, by name."""
    values: dict[str, Any] = dict(params.to_dict())
    values.update(params_ct=params.radiomics_params_ct, params_cte=params.radiomics_params_cte)
    values.update(
        run_dir=str(layout.root),
        clinical_path=str(layout.clinical),
        manifest_path=str(layout.manifest) if layout.manifest.exists() else "",
        work_dir=str(layout.work_dir),
        splits_dir=str(layout.splits_dir),
        parameters_path=str(layout.parameters),
    )
    for modality in MODALITIES:
        key = modality.lower()
        features = layout.features(modality)
        failures = layout.failures(modality)
        reader2 = layout.reader2_features(modality)
        values[f"features_{key}_path"] = str(features) if features.exists() else ""
        values[f"failures_{key}_path"] = str(failures) if failures.exists() else ""
        values[f"reader2_features_{key}_path"] = str(reader2) if reader2.exists() else ""
    return values
