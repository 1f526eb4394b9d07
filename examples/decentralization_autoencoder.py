"""The latent decentralization loss, switched off and on, on 8x8 digits
====================================================================

Hong & Choe add lambda (d - mean ||z||^2) to an autoencoder with a tanh code
z in (-1, 1)^d: the normal codes spread over the latent cube, so that the
decoder learns to turn any code into a normal-looking image. The figure
shows, for lambda = 0 (the same autoencoder without the term) and the
paper's lambda = 0.01, the reconstruction-error histograms of normal and
anomalous test images, and how far the normal codes spread (mean ||z||^2,
at most d = 8). Beside the paper's reconstruction norm, lambda = 0.01 spreads
them a little on digits (3.7 to 4.1); larger weights spread them further
(see the paper's lambda sweep, Table 4).

Run with ``python examples/decentralization_autoencoder.py [output_dir]``.
"""

import sys
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from sklearn.datasets import load_digits
from sklearn.metrics import roc_auc_score

from skoneclass import DecentralizationAE
from skoneclass.datasets import one_vs_rest_split


def main(output_dir=None):
    X, y = load_digits(return_X_y=True)
    X_train, _, X_test, is_anomaly = one_vs_rest_split(
        X / 16.0, y, normal_class=8, random_state=0
    )
    results = {}
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.2))
    for ax, lam in zip(axes[:2], (0.0, 0.01), strict=True):
        ae = DecentralizationAE(
            decentralization_weight=lam,
            hidden_dims=(64, 32),
            rep_dim=8,
            lr=1e-3,
            lr_milestones=None,
            max_epochs=100,
            batch_size=32,
            random_state=0,
        ).fit(X_train)
        error = -ae.score_samples(X_test)
        auc = roc_auc_score(is_anomaly, error)
        spread = float(np.mean(np.sum(ae.embed(X_train) ** 2, axis=1)))
        results[lam] = {"auroc": auc, "spread": spread}
        bins = np.linspace(0, np.quantile(error, 0.99), 40)
        ax.hist(
            error[is_anomaly == 0], bins, alpha=0.6, density=True, label="normal (8)"
        )
        ax.hist(
            error[is_anomaly == 1], bins, alpha=0.6, density=True, label="other digits"
        )
        ax.set_title(f"lambda = {lam}: AUROC {auc:.3f}")
        ax.set_xlabel("reconstruction error")
        axes[2].hist(
            ae.embed(X_train).ravel(), bins=40, alpha=0.6, label=f"lambda = {lam}"
        )
    axes[0].legend()
    axes[2].set_title("normal training codes (all 8 dimensions)")
    axes[2].set_xlabel("z_j")
    axes[2].legend()
    fig.tight_layout()
    if output_dir is not None:
        fig.savefig(Path(output_dir) / "decentralization_autoencoder.png", dpi=100)
    for lam, r in results.items():
        print(f"lambda={lam:<5} AUROC {r['auroc']:.3f}  mean ||z||^2 {r['spread']:.2f}")
    return results


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
    plt.show()
