"""Result types of the dense network: best-epoch weights and loss curves of many models.

Private module; the types are public through :mod:`mblstats.models.network`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
import numpy as np
import pandas as pd

from mblstats.exceptions import InputValidationError
from mblstats.models._fold_network import forward_proba
from mblstats.models._network_inputs import NetworkConfig, check_matrix


@dataclass(frozen=True)
class TrainingHistory:
    """Per-epoch losses of each model, NaN after the model stopped.

    Attributes
    ----------
    loss : ndarray of shape (n_models, n_epochs_run)
        Mean training binary cross-entropy (plus L2 penalty) before each epoch's step.
    val_loss : ndarray of shape (n_models, n_epochs_run)
        Mean validation loss after each epoch's step; NaN for models without validation rows.
    """

    loss: np.ndarray
    val_loss: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        """Return a long table with columns model, epoch (from 1), loss and val_loss."""
        n_models, n_epochs = self.loss.shape
        frame = pd.DataFrame(
            {
                "model": np.repeat(np.arange(n_models), n_epochs),
                "epoch": np.tile(np.arange(1, n_epochs + 1), n_models),
                "loss": self.loss.ravel(),
                "val_loss": self.val_loss.ravel(),
            }
        )
        return frame.dropna(subset=["loss"]).reset_index(drop=True)


@dataclass(frozen=True)
class FittedNetworks:
    """Best-epoch weights of ``n_models`` trained networks.

    Attributes
    ----------
    kernels : tuple of ndarray, each of shape (n_models, n_in, n_out)
        The first layer's ``n_in`` is the widest model's feature count. Rows past a model's
        own ``n_features`` are zero.
    biases : tuple of ndarray, each of shape (n_models, n_out)
    n_features : ndarray of shape (n_models,)
    best_epochs : ndarray of shape (n_models,)
        Epoch (from 1) whose weights each model kept.
    stopped_epochs : ndarray of shape (n_models,)
        Last epoch each model trained.
    train_rows, validation_rows : tuple of ndarray
        Per model, the row indices it trained on and monitored, into ``X`` for
        :func:`fit_networks` and into the model's design (training rows first, then
        explicit validation rows) for :func:`fit_networks_on_designs`.
    constant_output : ndarray of bool, shape (n_models,)
        True where a model predicts the same probability for all its training rows, usually
        because every ReLU unit of one hidden layer is inactive. Such a model cannot rank
        patients (AUC 0.5). Networks as narrow as 4-3-2 end up so now and then.
    history : TrainingHistory
    config : NetworkConfig
    """

    kernels: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    n_features: np.ndarray
    best_epochs: np.ndarray
    stopped_epochs: np.ndarray
    train_rows: tuple[np.ndarray, ...]
    validation_rows: tuple[np.ndarray, ...]
    constant_output: np.ndarray
    history: TrainingHistory = field(repr=False)
    config: NetworkConfig

    @property
    def n_models(self) -> int:
        """Number of trained models."""
        return len(self.best_epochs)

    def predict_proba(self, X) -> np.ndarray:
        """Compute every model's P(y = 1) on one design matrix.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            All models must have been trained on ``n_features`` columns.

        Returns
        -------
        ndarray of shape (n_models, n_samples), float64
        """
        X = check_matrix(X, "X")
        widths = set(self.n_features.tolist())
        if widths != {X.shape[1]}:
            raise InputValidationError(
                f"X has {X.shape[1]} columns but the models were trained on "
                f"{sorted(widths)} features; use predict_proba_on_designs to give each "
                "model its own design."
            )
        return forward_proba(X[None], self.kernels, self.biases)

    def predict_proba_on_designs(self, designs: Sequence) -> list[np.ndarray]:
        """Compute each model's P(y = 1) on its own design matrix (e.g. its fold's test rows).

        Parameters
        ----------
        designs : sequence of array-like, one per model
            Entry ``i`` has shape (n_samples_i, n_features[i]).

        Returns
        -------
        list of ndarray of shape (n_samples_i,)
        """
        if len(designs) != self.n_models:
            raise InputValidationError(
                f"Got {len(designs)} designs for {self.n_models} models; pass one per model."
            )
        probabilities = []
        for model, X in enumerate(designs):
            X = check_matrix(X, f"designs[{model}]")
            if X.shape[1] != self.n_features[model]:
                raise InputValidationError(
                    f"designs[{model}] has {X.shape[1]} columns but model {model} was "
                    f"trained on {self.n_features[model]}; transform it with that fold's "
                    "fitted preprocessing."
                )
            kernels = tuple(k[model : model + 1] for k in self.kernels)
            biases = tuple(b[model : model + 1] for b in self.biases)
            probabilities.append(forward_proba(X[None], kernels, biases)[0])
        return probabilities

    def to_frame(self) -> pd.DataFrame:
        """Return one row per model: sizes, best and stopped epoch, best validation loss."""
        val_loss = self.history.val_loss
        best_val = np.full(self.n_models, np.nan)
        has_best = self.best_epochs >= 1
        best_val[has_best] = val_loss[has_best, self.best_epochs[has_best] - 1]
        return pd.DataFrame(
            {
                "model": np.arange(self.n_models),
                "n_features": self.n_features,
                "n_train": [len(rows) for rows in self.train_rows],
                "n_validation": [len(rows) for rows in self.validation_rows],
                "best_epoch": self.best_epochs,
                "stopped_epoch": self.stopped_epochs,
                "best_val_loss": best_val,
                "constant_output": self.constant_output,
            }
        )

    def to_keras(self, model: int = 0):
        """Build a ``keras.Sequential`` network carrying model ``model``'s weights."""
        import keras

        n_features = int(self.n_features[model])
        layers = [keras.Input((n_features,))]
        layers += [keras.layers.Dense(units, activation="relu") for units in self.config.hidden_units]
        layers.append(keras.layers.Dense(1, activation="sigmoid"))
        network = keras.Sequential(layers)
        weights = [self.kernels[0][model, :n_features], self.biases[0][model]]
        for kernel, bias in zip(self.kernels[1:], self.biases[1:]):
            weights += [kernel[model], bias[model]]
        network.set_weights(weights)
        return network
