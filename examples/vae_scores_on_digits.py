"""A VAE on 8x8 digits: three anomaly scores, and their histograms
===============================================================

A Bernoulli VAE learns the images of one digit (pixels scaled to [0, 1]).
Every other digit is an anomaly. The three scores a VAE offers rank the test
images: the negative ELBO, the reconstruction probability (thesis 4.1.2)
and the importance-weighted bound on -log p(x). The figure shows the score
histograms of normal and anomalous test images.

Run with ``python examples/vae_scores_on_digits.py [output_dir]``; the
figure is saved there as ``vae_scores_on_digits.png``.
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import roc_auc_score

from skoneclass import VAE
from skoneclass.datasets import one_vs_rest_split
from skoneclass.plot import score_histogram

SCORES = ("elbo", "reconstruction", "iwae")


def main(output_dir=None):
    X, y = load_digits(return_X_y=True)
    X_train, _, X_test, is_anomaly = one_vs_rest_split(
        X / 16.0, y, normal_class=3, random_state=0
    )
    vae = VAE(
        likelihood="bernoulli",
        hidden_dims=(64, 32),
        rep_dim=8,
        max_epochs=100,
        batch_size=32,
        random_state=0,
    ).fit(X_train)
    results = {}
    fig, axes = plt.subplots(1, len(SCORES), figsize=(12, 3.2))
    for ax, score in zip(axes, SCORES, strict=True):
        vae.set_params(anomaly_score=score)
        # The score is part of the model; training does not depend on it,
        # so each fit with the same seed trains the same network.
        s = -vae.fit(X_train).score_samples(X_test)
        results[score] = roc_auc_score(is_anomaly, s)
        score_histogram(vae, X_test, np.where(is_anomaly, -1, 1), ax=ax)
        ax.set_title(f"{score}: AUROC {results[score]:.3f}")
    fig.tight_layout()
    if output_dir is not None:
        fig.savefig(Path(output_dir) / "vae_scores_on_digits.png", dpi=100)
    for score, auc in results.items():
        print(f"{score:15s} AUROC {auc:.3f}")
    return results


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
    plt.show()
