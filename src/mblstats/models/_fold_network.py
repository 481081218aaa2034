"""Train many small dense networks at once in one compiled TensorFlow loop.

Cross-validating a network with Keras ``fit`` costs one Python-driven training loop per
fold, and for a network of a few dozen weights nearly all of that time is per-step
overhead. This module stacks the fold models instead. Every weight tensor has a leading
model axis, all models share one padded row axis, and per-row weights select the rows
each model trains and validates on. One ``tf.while_loop`` then runs the epochs for all
models together, with full-batch Adam and per-model early stopping.

Each model's arithmetic touches only its own slice of the stacked tensors, so the models
are independent: a model's result does not depend on which other models share the batch,
up to floating-point differences between batched and unbatched kernels.

The public interface lives in :mod:`mblstats.models.network`; this module is private.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import cache

import numpy as np

logger = logging.getLogger(__name__)

# Keras 3.15 defaults for Adam, kept so a batched model trains like a Keras model.
ADAM_BETA_1 = 0.9
ADAM_BETA_2 = 0.999
ADAM_EPSILON = 1e-7


def import_tensorflow():
    """Import TensorFlow with its C++ info and warning logs silenced unless the user set them.

    ``TF_CPP_MIN_LOG_LEVEL`` is read once, when TensorFlow is first imported, so the default
    of ``"2"`` only applies if this is the first import in the process and the variable is
    not already set.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    return tf


@dataclass(frozen=True)
class BatchedProblem:
    """Stacked training data for ``n_models`` networks on a shared, padded row axis.

    Attributes
    ----------
    x : ndarray of shape (n_models, n_rows, n_features) or (1, n_rows, n_features)
        Design matrices, float32. A leading axis of 1 shares one matrix between all models.
        Padded rows and columns are zero.
    y : ndarray of shape (n_models, n_rows) or (1, n_rows)
        Outcomes coded 0/1, float32.
    train_weight : ndarray of shape (n_models, n_rows)
        ``1 / n_train`` on each model's training rows and 0 elsewhere, so a weighted sum
        of per-row losses is the model's mean training loss.
    validation_weight : ndarray of shape (n_models, n_rows)
        ``1 / n_validation`` on each model's early-stopping rows and 0 elsewhere. A model
        whose row is all zero trains for ``max_epochs`` without early stopping.
    """

    x: np.ndarray
    y: np.ndarray
    train_weight: np.ndarray
    validation_weight: np.ndarray


@dataclass(frozen=True)
class BatchedResult:
    """Best-epoch weights and loss curves of a batched run (all arrays lead with the model axis)."""

    kernels: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    best_epochs: np.ndarray
    stopped_epochs: np.ndarray
    loss: np.ndarray
    val_loss: np.ndarray


def glorot_uniform_weights(
    n_features: np.ndarray,
    n_features_padded: int,
    hidden_units: tuple[int, ...],
    seeds: list[np.random.SeedSequence],
) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """Draw Keras-style initial weights: Glorot-uniform kernels and zero biases.

    Model ``i`` draws from its own seed sequence and uses its own input width
    ``n_features[i]`` as fan-in. Kernel rows of padded input columns are zero, and because
    those columns are zero too, their gradient is zero and they stay zero.

    Returns
    -------
    kernels : tuple of ndarray, each of shape (n_models, n_in, n_out), float32
    biases : tuple of ndarray, each of shape (n_models, n_out), float32
    """
    layer_sizes = (*hidden_units, 1)
    n_models = len(seeds)
    kernels = [np.zeros((n_models, n_features_padded, layer_sizes[0]), np.float32)]
    for n_in, n_out in zip(layer_sizes[:-1], layer_sizes[1:]):
        kernels.append(np.zeros((n_models, n_in, n_out), np.float32))

    for model, seed in enumerate(seeds):
        rng = np.random.default_rng(seed)
        fan_ins = (int(n_features[model]), *layer_sizes[:-1])
        for layer, (fan_in, fan_out) in enumerate(zip(fan_ins, layer_sizes)):
            limit = np.sqrt(6.0 / (fan_in + fan_out))
            draw = rng.uniform(-limit, limit, size=(fan_in, fan_out))
            kernels[layer][model, :fan_in, :] = draw

    biases = tuple(np.zeros((n_models, n_out), np.float32) for n_out in layer_sizes)
    return tuple(kernels), biases


@cache
def _compiled_training_loop(n_layers: int):
    """Build the ``tf.function`` for networks with ``n_layers`` dense layers (traced once)."""
    tf = import_tensorflow()

    def forward_logits(x, kernels, biases):
        hidden = x
        for kernel, bias in zip(kernels[:-1], biases[:-1]):
            hidden = tf.nn.relu(tf.linalg.matmul(hidden, kernel) + bias[:, None, :])
        logits = tf.linalg.matmul(hidden, kernels[-1]) + biases[-1][:, None, :]
        return tf.squeeze(logits, axis=-1)

    def per_model_objective(x, y, row_weight, kernels, biases, l2):
        # Binary cross-entropy from logits, the stable form of -y log p - (1 - y) log(1 - p),
        # plus the L2 kernel penalty that Keras adds to both training and validation loss.
        logits = forward_logits(x, kernels, biases)
        cross_entropy = tf.nn.softplus(logits) - y * logits
        penalty = tf.add_n([tf.reduce_sum(tf.square(k), axis=(1, 2)) for k in kernels])
        return tf.reduce_sum(cross_entropy * row_weight, axis=1) + l2 * penalty

    def select_models(mask, new, old):
        shape = tf.concat([tf.shape(mask), tf.ones([tf.rank(new) - 1], tf.int32)], axis=0)
        return tf.where(tf.reshape(mask, shape), new, old)

    def spec(rank):
        return tf.TensorSpec([None] * rank, tf.float32)

    signature = [
        spec(3),
        spec(2),
        spec(2),
        spec(2),
        [spec(3)] * n_layers,
        [spec(2)] * n_layers,
        tf.TensorSpec([], tf.float32),
        tf.TensorSpec([], tf.float32),
        tf.TensorSpec([], tf.float32),
        tf.TensorSpec([], tf.int32),
        tf.TensorSpec([], tf.int32),
    ]

    @tf.function(input_signature=signature, autograph=False)
    def train(
        x,
        y,
        train_weight,
        validation_weight,
        kernels,
        biases,
        learning_rate,
        l2,
        min_delta,
        max_epochs,
        patience,
    ):
        n_models = tf.shape(train_weight)[0]
        has_validation = tf.reduce_sum(validation_weight, axis=1) > 0
        params = list(kernels) + list(biases)
        zeros = [tf.zeros_like(p) for p in params]

        def split(flat):
            return flat[:n_layers], flat[n_layers:]

        def body(epoch, params, first_moments, second_moments, best_params, state, curves):
            best_val, best_epoch, stopped_epoch, wait, active = state
            loss_curve, val_curve = curves
            epoch = epoch + 1
            step = tf.cast(epoch, tf.float32)

            with tf.GradientTape() as tape:
                tape.watch(params)
                train_loss = per_model_objective(x, y, train_weight, *split(params), l2)
                # Summing over models keeps each model's gradient its own.
                total_loss = tf.reduce_sum(train_loss)
            gradients = tape.gradient(total_loss, params)

            # Adam as in Keras 3: bias correction folded into the step size.
            alpha = learning_rate * tf.sqrt(1.0 - ADAM_BETA_2**step) / (1.0 - ADAM_BETA_1**step)
            new_params, new_first, new_second = [], [], []
            for p, g, m, v in zip(params, gradients, first_moments, second_moments):
                m_next = m + (g - m) * (1.0 - ADAM_BETA_1)
                v_next = v + (tf.square(g) - v) * (1.0 - ADAM_BETA_2)
                p_next = p - alpha * m_next / (tf.sqrt(v_next) + ADAM_EPSILON)
                # A stopped model keeps its weights and optimiser state unchanged.
                new_params.append(select_models(active, p_next, p))
                new_first.append(select_models(active, m_next, m))
                new_second.append(select_models(active, v_next, v))

            val_loss = per_model_objective(x, y, validation_weight, *split(new_params), l2)
            improved = active & (~has_validation | (val_loss < best_val - min_delta))
            best_params = [
                select_models(improved, p, best) for p, best in zip(new_params, best_params)
            ]
            best_val = tf.where(improved, val_loss, best_val)
            best_epoch = tf.where(improved, epoch, best_epoch)
            wait = tf.where(improved, 0, tf.where(active, wait + 1, wait))
            stopped_epoch = tf.where(active, epoch, stopped_epoch)
            active = active & (wait < patience)

            nan = tf.fill(tf.shape(train_loss), np.float32(np.nan))
            loss_curve = loss_curve.write(epoch - 1, tf.where(stopped_epoch == epoch, train_loss, nan))
            recorded_val = tf.where(has_validation, val_loss, nan)
            val_curve = val_curve.write(epoch - 1, tf.where(stopped_epoch == epoch, recorded_val, nan))
            state = (best_val, best_epoch, stopped_epoch, wait, active)
            return epoch, new_params, new_first, new_second, best_params, state, (loss_curve, val_curve)

        def keep_going(epoch, params, first_moments, second_moments, best_params, state, curves):
            return (epoch < max_epochs) & tf.reduce_any(state[-1])

        state = (
            tf.fill([n_models], np.float32(np.inf)),
            tf.zeros([n_models], tf.int32),
            tf.zeros([n_models], tf.int32),
            tf.zeros([n_models], tf.int32),
            tf.ones([n_models], tf.bool),
        )
        curves = (
            tf.TensorArray(tf.float32, size=0, dynamic_size=True),
            tf.TensorArray(tf.float32, size=0, dynamic_size=True),
        )
        loop_vars = (tf.constant(0), params, zeros, list(zeros), list(params), state, curves)
        _, _, _, _, best_params, state, curves = tf.while_loop(
            keep_going, body, loop_vars, parallel_iterations=1
        )
        best_kernels, best_biases = split(best_params)
        _, best_epoch, stopped_epoch, _, _ = state
        return (
            best_kernels,
            best_biases,
            best_epoch,
            stopped_epoch,
            tf.transpose(curves[0].stack()),
            tf.transpose(curves[1].stack()),
        )

    return train


def train_batched(
    problem: BatchedProblem,
    initial_kernels: tuple[np.ndarray, ...],
    initial_biases: tuple[np.ndarray, ...],
    *,
    learning_rate: float,
    l2: float,
    min_delta: float,
    max_epochs: int,
    patience: int,
) -> BatchedResult:
    """Run full-batch Adam with per-model early stopping for every model in ``problem``.

    Each epoch takes one Adam step per model on all its training rows, then computes the
    model's validation loss. A model whose validation loss has not fallen by more than
    ``min_delta`` below its best for ``patience`` epochs stops: its weights and Adam state
    freeze. The loop ends when every model has stopped or after ``max_epochs``, and each
    model returns the weights of its best epoch (the last epoch when it has no validation
    rows), as Keras ``EarlyStopping(restore_best_weights=True)`` does.

    Returns
    -------
    BatchedResult
        ``best_epochs`` and ``stopped_epochs`` count epochs from 1 (0 means the initial
        weights were never improved on, which only happens with a non-finite validation
        loss). ``loss`` and ``val_loss`` have shape (n_models, n_epochs_run) with NaN after a
        model stopped.
    """
    tf = import_tensorflow()
    train = _compiled_training_loop(len(initial_kernels))
    outputs = train(
        tf.constant(problem.x, tf.float32),
        tf.constant(problem.y, tf.float32),
        tf.constant(problem.train_weight, tf.float32),
        tf.constant(problem.validation_weight, tf.float32),
        [tf.constant(k) for k in initial_kernels],
        [tf.constant(b) for b in initial_biases],
        tf.constant(learning_rate, tf.float32),
        tf.constant(l2, tf.float32),
        tf.constant(min_delta, tf.float32),
        tf.constant(max_epochs, tf.int32),
        tf.constant(patience, tf.int32),
    )
    kernels, biases, best_epochs, stopped_epochs, loss, val_loss = outputs
    return BatchedResult(
        kernels=tuple(k.numpy() for k in kernels),
        biases=tuple(b.numpy() for b in biases),
        best_epochs=best_epochs.numpy(),
        stopped_epochs=stopped_epochs.numpy(),
        loss=loss.numpy(),
        val_loss=val_loss.numpy(),
    )


def forward_proba(
    x: np.ndarray, kernels: tuple[np.ndarray, ...], biases: tuple[np.ndarray, ...]
) -> np.ndarray:
    """Compute P(y = 1) of stacked models in float64 NumPy.

    Parameters
    ----------
    x : ndarray of shape (n_models, n_samples, n_features) or (1, n_samples, n_features)
    kernels : tuple of ndarray, each of shape (n_models, n_in, n_out)
        The first layer may have ``n_in > n_features``, and its extra rows are zero padding.
    biases : tuple of ndarray, each of shape (n_models, n_out)

    Returns
    -------
    ndarray of shape (n_models, n_samples)
    """
    hidden = np.asarray(x, np.float64)
    n_features = hidden.shape[2]
    layers = [np.asarray(kernels[0], np.float64)[:, :n_features]]
    layers += [np.asarray(k, np.float64) for k in kernels[1:]]
    for layer, (kernel, bias) in enumerate(zip(layers, biases)):
        hidden = hidden @ kernel + np.asarray(bias, np.float64)[:, None, :]
        if layer < len(layers) - 1:
            hidden = np.maximum(hidden, 0.0)
    logits = hidden[..., 0]
    # The sign split keeps exp() from overflowing on large |logit|.
    proba = np.empty_like(logits)
    positive = logits >= 0
    proba[positive] = 1.0 / (1.0 + np.exp(-logits[positive]))
    exp_logits = np.exp(logits[~positive])
    proba[~positive] = exp_logits / (1.0 + exp_logits)
    return proba
