"""Time repeated 10-fold CV (10 repeats, 100 fold models) of the 4-3-2 dense network three ways.

(a) naive: plain Keras ``model.fit`` (200 epochs, batch 16), a sample of fits extrapolated
    to 100 fits;
(b) batched: :func:`mblstats.models.network.cross_validate_network`, all 100 fold models
    in one compiled loop (full-batch Adam, up to 500 epochs, early stopping per model);
(c) scikit-learn ``MLPClassifier(hidden_layer_sizes=(4, 3, 2))`` with early stopping,
    fitted once per fold.

Run from the repository root::

    .venv/bin/python benchmarks/network.py [--samples 160] [--features 10] [--threads N]

The target is (b) at most 15 s on 2 cores. The naive fits run first, because the batched
run turns on TensorFlow op determinism for the rest of the process.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import RepeatedStratifiedKFold
from sklearn.neural_network import MLPClassifier

TARGET_SECONDS = 15.0


def make_data(n_samples: int, n_features: int, seed: int = 0):
    """Standardised features with a logistic signal in the first three, 30 % events."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n_samples, n_features))
    score = X[:, 0] - X[:, 1] + 0.5 * X[:, 2] + rng.normal(size=n_samples)
    y = (score > np.quantile(score, 0.7)).astype(int)
    return X, y


def time_naive_keras(X, y, n_fits: int):
    import keras

    durations = []
    for fit in range(n_fits):
        keras.utils.set_random_seed(fit)
        network = keras.Sequential(
            [
                keras.Input((X.shape[1],)),
                keras.layers.Dense(4, activation="relu"),
                keras.layers.Dense(3, activation="relu"),
                keras.layers.Dense(2, activation="relu"),
                keras.layers.Dense(1, activation="sigmoid"),
            ]
        )
        network.compile(optimizer="adam", loss="binary_crossentropy")
        start = time.perf_counter()
        network.fit(X, y, epochs=200, batch_size=16, verbose=0)
        durations.append(time.perf_counter() - start)
    return durations


def time_mlp(X, y, folds):
    start = time.perf_counter()
    aucs = []
    for fold, (train, test) in enumerate(folds):
        mlp = MLPClassifier(
            hidden_layer_sizes=(4, 3, 2),
            early_stopping=True,
            validation_fraction=0.2,
            n_iter_no_change=30,
            max_iter=500,
            random_state=fold,
        )
        mlp.fit(X[train], y[train])
        aucs.append(roc_auc_score(y[test], mlp.predict_proba(X[test])[:, 1]))
    return time.perf_counter() - start, float(np.mean(aucs))


def time_batched(X, y, folds, threads):
    from mblstats.models.network import NetworkConfig, cross_validate_network

    config = NetworkConfig(
        max_epochs=500, patience=30, seed=0, intra_op_threads=threads, inter_op_threads=threads
    )
    timings = []
    for _ in range(2):
        start = time.perf_counter()
        _, fitted = cross_validate_network(X, y, folds, config)
        timings.append(time.perf_counter() - start)
    proba = fitted.predict_proba(X)
    aucs = [roc_auc_score(y[test], proba[fold, test]) for fold, (_, test) in enumerate(folds)]
    return timings, float(np.mean(aucs)), fitted


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=160, help="rows in the synthetic cohort")
    parser.add_argument("--features", type=int, default=10, help="columns (selected features)")
    parser.add_argument("--naive-fits", type=int, default=3, help="Keras fits to time for (a)")
    parser.add_argument(
        "--threads", type=int, default=None, help="TensorFlow intra/inter-op threads for (b)"
    )
    args = parser.parse_args()

    X, y = make_data(args.samples, args.features)
    folds = list(RepeatedStratifiedKFold(n_splits=10, n_repeats=10, random_state=0).split(X, y))
    print(
        f"data: {args.samples} rows x {args.features} features, {len(folds)} folds; "
        f"{os.cpu_count()} CPUs, {platform.processor() or platform.machine()}"
    )

    import_start = time.perf_counter()
    import tensorflow as tf

    import keras

    print(f"TensorFlow {tf.__version__}, Keras {keras.__version__} import: "
          f"{time.perf_counter() - import_start:.1f} s")

    naive = time_naive_keras(X, y, args.naive_fits)
    naive_100 = float(np.mean(naive)) * len(folds)
    print(f"(a) naive Keras fit x{args.naive_fits}: {', '.join(f'{d:.1f}' for d in naive)} s "
          f"-> {naive_100:.0f} s estimated for {len(folds)} fits")

    mlp_seconds, mlp_auc = time_mlp(X, y, folds)
    print(f"(c) MLPClassifier x{len(folds)}: {mlp_seconds:.1f} s, mean fold AUC {mlp_auc:.3f}")

    (cold, warm), batched_auc, fitted = time_batched(X, y, folds, args.threads)
    print(f"(b) batched CV: {cold:.1f} s first call (includes graph tracing), {warm:.1f} s "
          f"second call; mean fold AUC {batched_auc:.3f}; best epochs median "
          f"{int(np.median(fitted.best_epochs))}, last stop {fitted.stopped_epochs.max()}")

    print(f"ratio naive / batched (first call): {naive_100 / cold:.0f}x")
    print(f"ratio MLPClassifier / batched (first call): {mlp_seconds / cold:.1f}x")
    verdict = "meets" if cold <= TARGET_SECONDS else "misses"
    print(f"target batched <= {TARGET_SECONDS:.0f} s: {verdict} ({cold:.1f} s)")


if __name__ == "__main__":
    main()
