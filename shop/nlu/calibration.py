"""Temperature scaling (Guo et al., 2017) fitted on held-back examples.

Label smoothing and probability averaging leave the raw scores under-confident;
FallbackClassifier thresholds only mean something on calibrated confidences.
"""
from __future__ import annotations

import numpy as np


def negative_log_likelihood(probs: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    logits = np.log(np.clip(probs, 1e-12, 1.0)) / temperature
    logits -= logits.max(axis=1, keepdims=True)
    log_norm = np.log(np.exp(logits).sum(axis=1))
    return float(-(logits[np.arange(len(labels)), labels] - log_norm).mean())


def fit_temperature(probs: np.ndarray, labels: np.ndarray) -> float:
    """Grid search over log-spaced temperatures: one parameter, no optimiser needed."""
    # Bounded: a handful of held-back examples that are all right would
    # otherwise push the temperature towards zero and confidences to 1.0.
    grid = np.exp(np.linspace(np.log(0.2), np.log(5.0), 200))
    losses = [negative_log_likelihood(probs, labels, t) for t in grid]
    return float(grid[int(np.argmin(losses))])


def expected_calibration_error(confidences: np.ndarray, correct: np.ndarray, bins: int = 10) -> float:
    edges = np.linspace(0.0, 1.0, bins + 1)
    error = 0.0
    for low, high in zip(edges[:-1], edges[1:]):
        in_bin = (confidences > low) & (confidences <= high)
        if in_bin.any():
            error += in_bin.mean() * abs(correct[in_bin].mean() - confidences[in_bin].mean())
    return float(error)
