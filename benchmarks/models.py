"""Time the model stage on the demo cohort: CV per family, the network four ways, the whole stage.

Data: the 810-patient demo clinical table with a synthetic feature table (``--features``
columns in correlated blocks, see ``mblstats.models.synthetic``), training rows of the random
7:3 split. Parts:

1. leakage-safe repeated stratified k-fold CV (every step inside the folds) of each family;
2. the 4-3-2 network on the LASSO-selected features of the whole training set (fixed design),
   10 x 10 CV three ways: (a) one ``DenseNetworkClassifier`` fit per fold, a sample of fits
   extrapolated to all folds; (b) ``cross_validate_network``, all fold networks in one batched
   run; (c) scikit-learn ``MLPClassifier`` of the same shape, one fit per fold; (d) a plain
   Keras ``fit`` per fold (mini-batches of 16, early stopping), a sample extrapolated;
3. RN and Clinical-RN bootstrapped on the same samples in this process, with the LASSO's
   lambda cross-validation shared between them and with its cache switched off;
4. the whole model stage for CT and CTE: (a) the models of Table 2 fitted and evaluated,
   (b) the honest validation of RN1, Clinical 1 and Clinical-RN1 (both CV modes, bootstrap
   optimism, null test) at the book's defaults.

Run from the repository root::

    .venv/bin/python benchmarks/models.py [--features 1316] [--repeats 10] [--n-jobs 2]

Targets on 2 cores: 2(b) at most 15 s; part 4 at most 5 minutes. Other processes on the
machine slow every part down, so the load average is printed before and after.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.neural_network import MLPClassifier
from threadpoolctl import threadpool_limits

from mblstats.cohort.demo import make_demo_clinical
from mblstats.models import chapters
from mblstats.models.families import make_family
from mblstats.models.splits import mbl_outcome, random_split, split_ids
from mblstats.models.synthetic import synthetic_feature_table
from mblstats.models.validation import bootstrap_optimism_models, cross_validate

NETWORK_TARGET_SECONDS = 15.0
STAGE_TARGET_SECONDS = 300.0


def demo_training_data(n_features: int, seed: int):
    clinical = make_demo_clinical(seed)
    outcome = mbl_outcome(clinical)
    features = synthetic_feature_table(outcome, n_features=n_features, seed=seed)
    X = clinical.set_index("patient_id").join(features)
    train = split_ids(random_split(clinical, seed=seed), "train")
    return clinical, outcome, X.loc[train], outcome.loc[train]


def time_family_cv(families, X, y, folds, repeats, seed, n_jobs):
    seconds = {}
    for name in families:
        start = time.perf_counter()
        result = cross_validate(
            make_family(name, seed=seed), X, y, folds, repeats, seed, name=name, n_jobs=n_jobs
        )
        seconds[name] = time.perf_counter() - start
        auc = result.to_frame().loc[0, "cv_auc_pooled"]
        print(f"  {name:13s} {seconds[name]:7.1f} s  pooled CV AUC {auc:.3f}", flush=True)
    return seconds


def fixed_network_design(X, y, seed):
    model = make_family("DNN", seed=seed).fit(X, y)
    design = model.pipeline_[:-1].transform(model._radiomics(X, fitting=False))
    return design.to_numpy(), y.to_numpy()


def time_plain_keras(design, y, folds, n_fits, seed):
    """Time plain Keras ``fit`` calls of the 4-3-2 network (batch 16, early stopping), extrapolated."""
    import keras

    durations = []
    for train, _ in folds[:n_fits]:
        keras.utils.set_random_seed(seed)
        network = keras.Sequential(
            [keras.Input((design.shape[1],))]
            + [keras.layers.Dense(units, activation="relu") for units in (4, 3, 2)]
            + [keras.layers.Dense(1, activation="sigmoid")]
        )
        network.compile(optimizer="adam", loss="binary_crossentropy")
        stopper = keras.callbacks.EarlyStopping(patience=20, restore_best_weights=True)
        start = time.perf_counter()
        network.fit(
            design[train].astype("float32"), y[train].astype("float32"), batch_size=16,
            epochs=200, validation_split=0.2, callbacks=[stopper], verbose=0,
        )
        durations.append(time.perf_counter() - start)
    return float(np.mean(durations)) * len(folds)


def time_network(design, y, folds, naive_fits, seed):
    from mblstats.models.network import DenseNetworkClassifier, NetworkConfig, cross_validate_network

    config = NetworkConfig(seed=seed)
    start = time.perf_counter()
    cross_validate_network(design, y, folds, config)
    batched = time.perf_counter() - start

    durations = []
    for train, _ in folds[:naive_fits]:
        start = time.perf_counter()
        DenseNetworkClassifier(config).fit(design[train], y[train])
        durations.append(time.perf_counter() - start)
    naive = float(np.mean(durations)) * len(folds)

    start = time.perf_counter()
    for fold, (train, _) in enumerate(folds):
        MLPClassifier(
            hidden_layer_sizes=(4, 3, 2), early_stopping=True, n_iter_no_change=30,
            max_iter=500, random_state=fold,
        ).fit(design[train], y[train])
    mlp = time.perf_counter() - start
    return batched, naive, mlp


def stage_inputs(root: Path, clinical, outcome, n_features, seed):
    clinical.to_csv(root / "clinical.csv", index=False)
    for modality, offset in (("ct", 0), ("cte", 1)):
        patients = clinical["patient_id"] if modality == "ct" else clinical.loc[clinical["has_cte"] == "yes", "patient_id"]
        table = synthetic_feature_table(outcome, n_features=n_features, seed=seed + offset).loc[patients]
        table.rename_axis("patient_id").to_parquet(root / f"features_{modality}.parquet")
    return chapters.chapter_inputs(
        clinical_path=str(root / "clinical.csv"),
        features_ct_path=str(root / "features_ct.parquet"),
        features_cte_path=str(root / "features_cte.parquet"),
        splits_dir=str(root / "splits"),
        work_dir=str(root / "work"),
        seed=seed,
    )


def time_stage(inputs):
    start = time.perf_counter()
    evaluations, _ = chapters.model_evaluations(inputs)
    elapsed = time.perf_counter() - start
    return elapsed, sum(len(models) for models in evaluations.values())


def time_validation(inputs, folds, repeats, n_bootstrap, n_permutations, n_jobs):
    start = time.perf_counter()
    chapters.honest_validation(
        inputs, ("RN1", "Clinical 1", "Clinical-RN1"), folds, repeats, n_bootstrap, n_permutations, n_jobs
    )
    return time.perf_counter() - start


def time_shared_bootstrap(X, y, n_bootstrap, seed):
    """Time RN and Clinical-RN bootstrapped together (sharing LASSO fits) and without sharing.

    Both run in this process. Without sharing, the lambda cross-validation cache is switched
    off, so every fit of Clinical-RN repeats the LASSO that RN fitted on the same sample.
    """
    from mblstats.selection import lasso

    models = {name: make_family(name, seed=seed) for name in ("RN", "Clinical-RN")}
    lasso._RECENT_CV.clear()
    start = time.perf_counter()
    together_result = bootstrap_optimism_models(models, X, y, n_bootstrap, seed + 1)
    together = time.perf_counter() - start

    size = lasso._RECENT_CV_SIZE
    lasso._RECENT_CV.clear()
    lasso._RECENT_CV_SIZE = 0
    try:
        start = time.perf_counter()
        apart_result = bootstrap_optimism_models(models, X, y, n_bootstrap, seed + 1)
        apart = time.perf_counter() - start
    finally:
        lasso._RECENT_CV_SIZE = size
    same = all(
        together_result[name].optimism.equals(apart_result[name].optimism) for name in models
    )
    return together, apart, same


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", type=int, default=1316, help="synthetic feature columns")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--families", default="RN,Clinical,Clinical-RN,DNN,Clinical-DNN")
    parser.add_argument("--naive-fits", type=int, default=3, help="single network fits to time")
    parser.add_argument("--keras-fits", type=int, default=2, help="plain Keras fits to time")
    parser.add_argument("--skip-cv", action="store_true", help="skip part 1")
    parser.add_argument("--seed", type=int, default=2019)
    parser.add_argument("--skip-stage", action="store_true", help="skip part 4")
    parser.add_argument("--n-jobs", type=int, default=None, help="worker processes for parts 1 and 4")
    parser.add_argument("--bootstrap", type=int, default=200, help="bootstrap samples in part 4")
    parser.add_argument("--permutations", type=int, default=20, help="null-test permutations in part 4")
    parser.add_argument("--shared-sample", type=int, default=10, help="bootstrap samples in part 3")
    args = parser.parse_args()

    print(f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
    clinical, outcome, X, y = demo_training_data(args.features, args.seed)
    print(f"training rows {len(y)} ({int(y.sum())} MBL), {args.features} synthetic features")

    if not args.skip_cv:
        print(f"1. leakage-safe {args.repeats} x {args.folds}-fold CV per family, n_jobs={args.n_jobs}")
        with threadpool_limits(limits=1, user_api="blas"):
            family_seconds = time_family_cv(
                args.families.split(","), X, y, args.folds, args.repeats, args.seed, args.n_jobs
            )
        print(f"   total {sum(family_seconds.values()):.1f} s")

    print("2. network, fixed design, 10 x 10-fold CV")
    design, labels = fixed_network_design(X, y, args.seed)
    folds = list(RepeatedStratifiedKFold(n_splits=10, n_repeats=10, random_state=args.seed).split(design, labels))
    batched, naive, mlp = time_network(design, labels, folds, args.naive_fits, args.seed)
    print(f"   design {design.shape[0]} rows x {design.shape[1]} selected features")
    print(f"   (a) one fit per fold: {naive:.1f} s (from {args.naive_fits} fits)")
    print(f"   (b) batched:          {batched:.1f} s ({'meets' if batched <= NETWORK_TARGET_SECONDS else 'misses'} the {NETWORK_TARGET_SECONDS:.0f} s target)")
    print(f"   (c) MLPClassifier:    {mlp:.1f} s")
    keras_seconds = time_plain_keras(design, labels, folds, args.keras_fits, args.seed)
    print(f"   (d) plain Keras fit:  {keras_seconds:.1f} s (batch 16, from {args.keras_fits} fits)")
    print(
        f"   ratio (a)/(b) {naive / batched:.1f}x, (c)/(b) {mlp / batched:.2f}x, "
        f"(d)/(b) {keras_seconds / batched:.0f}x"
    )

    print(f"3. RN and Clinical-RN bootstrapped, LASSO shared or not, {args.shared_sample} samples")
    with threadpool_limits(limits=1, user_api="blas"):
        together, apart, same = time_shared_bootstrap(X, y, args.shared_sample, args.seed)
    print(
        f"   shared {together:.1f} s, not shared {apart:.1f} s, ratio {apart / together:.2f}x, "
        f"identical results: {same}"
    )

    if not args.skip_stage:
        print("4. whole model stage, CT and CTE")
        with tempfile.TemporaryDirectory() as folder:
            inputs = stage_inputs(Path(folder), clinical, outcome, args.features, args.seed)
            stage, n_models = time_stage(inputs)
            print(f"   (a) Table 2: {n_models} models fitted and evaluated in {stage:.1f} s")
            validation = time_validation(
                inputs, args.folds, args.repeats, args.bootstrap, args.permutations, args.n_jobs
            )
            print(
                f"   (b) honest validation of RN1, Clinical 1, Clinical-RN1: both CV modes "
                f"{args.repeats} x {args.folds}, bootstrap B={args.bootstrap}, "
                f"{args.permutations} permutations, n_jobs={args.n_jobs}: {validation:.1f} s"
            )
        total = stage + validation
        verdict = "meets" if total <= STAGE_TARGET_SECONDS else "misses"
        print(f"   total {total:.1f} s ({verdict} the {STAGE_TARGET_SECONDS:.0f} s target)")
    print(f"load average after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
