"""Figures of the feature reduction: mRMR ranking, LASSO path and CV curve, radscore terms."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def plot_lasso_cv(cv_result, ax: plt.Axes | None = None, title: str = "") -> plt.Axes:
    """Draw the cross-validated binomial deviance against log(lambda), as ``plot.cv.glmnet``.

    Error bars are ± one standard error; vertical lines mark lambda.min and lambda.1se.
    """
    ax = ax or plt.gca()
    log_lambda = np.log(cv_result.lambdas)
    ax.errorbar(log_lambda, cv_result.cv_mean, yerr=cv_result.cv_se, fmt="o", ms=3, color="firebrick", ecolor="grey", elinewidth=0.8)
    ax.axvline(np.log(cv_result.lambda_min), ls="--", lw=0.8, color="black", label="lambda.min")
    ax.axvline(np.log(cv_result.lambda_1se), ls=":", lw=0.8, color="black", label="lambda.1se")
    ax.set(xlabel="log(lambda)", ylabel="Binomial deviance (CV)", title=title)
    ax.legend(frameon=False, fontsize="small")
    return ax


def plot_lasso_path(cv_result, ax: plt.Axes | None = None, title: str = "") -> plt.Axes:
    """Draw each feature's coefficient along log(lambda); the chosen lambda is marked."""
    ax = ax or plt.gca()
    path: pd.DataFrame = cv_result.coef_path
    log_lambda = np.log(path.index.to_numpy())
    for feature in path.columns:
        ax.plot(log_lambda, path[feature].to_numpy(), lw=0.8)
    ax.axvline(np.log(cv_result.lambda_chosen), ls=":", lw=0.8, color="black")
    ax.set(xlabel="log(lambda)", ylabel="Coefficient (z-scored feature)", title=title)
    return ax


def plot_mrmr_ranking(ranking: pd.DataFrame, ax: plt.Axes | None = None, title: str = "") -> plt.Axes:
    """Draw the F-statistic of the mRMR-selected features in selection order."""
    ax = ax or plt.gca()
    ordered = ranking.sort_values("rank", ascending=False)
    ax.barh(ordered["feature"], ordered["f_statistic"], color="steelblue")
    ax.set(xlabel="F-statistic (relevance)", title=title)
    ax.tick_params(axis="y", labelsize="x-small")
    return ax


def plot_radscore_terms(formula, ax: plt.Axes | None = None, title: str = "") -> plt.Axes:
    """Draw the radscore's LASSO coefficients, largest magnitude at the top."""
    ax = ax or plt.gca()
    coefficients = formula.coefficients.reindex(formula.coefficients.abs().sort_values().index)
    colours = np.where(coefficients > 0, "firebrick", "steelblue")
    ax.barh(coefficients.index, coefficients.to_numpy(), color=colours)
    ax.axvline(0, color="black", lw=0.8)
    ax.set(xlabel="Coefficient per SD of the feature", title=title)
    ax.tick_params(axis="y", labelsize="x-small")
    return ax


def plot_reduction_grid(summaries, axes: np.ndarray | None = None) -> np.ndarray:
    """Draw, per modality and split (rows), the mRMR ranking, LASSO CV curve and radscore terms."""
    if axes is None:
        _, axes = plt.subplots(len(summaries), 3, figsize=(15, 4.5 * len(summaries)), squeeze=False)
    for row, summary in enumerate(summaries):
        title = f"{summary.modality} {summary.label}"
        plot_mrmr_ranking(summary.ranking, axes[row, 0], title=f"{title}: mRMR")
        plot_lasso_cv(summary.cv_result, axes[row, 1], title=f"{title}: LASSO CV")
        plot_radscore_terms(summary.formula, axes[row, 2], title=f"{title}: radscore")
    plt.tight_layout()
    return axes


def plot_lasso_paths(summaries, axes: np.ndarray | None = None) -> np.ndarray:
    """Draw the LASSO coefficient path of each modality and split, one panel each."""
    if axes is None:
        _, axes = plt.subplots(1, len(summaries), figsize=(5 * len(summaries), 4), squeeze=False)
    for column, summary in enumerate(summaries):
        plot_lasso_path(summary.cv_result, axes[0, column], title=f"{summary.modality} {summary.label}")
    plt.tight_layout()
    return axes
