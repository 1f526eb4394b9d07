"""Methods nobody ships, built from parts (thesis section 4.3.2)
=============================================================

The unifying view says every detector is a loss, a model, a feature map and a
regularizer. Four combinations that follow from it, each one line of parts:

1. *Kernel "Deep" SVDD*: SVDD's hypersphere and hinge in an explicit random
   Fourier feature map, trained by SGD instead of the O(n^2) QP. It agrees
   with the exact kernel SVDD.
2. *Semi-supervised kernel hypersphere*: Deep SAD's loss on the same kernel
   map (SSAD-like). A few labeled anomalies pull up the AUROC on anomalies
   that sit between the normal modes, where an unsupervised sphere lies.
3. *Reconstruction error in a neural feature space*: an autoencoder scored on
   the hidden layers of its encoder as well as on the input. Both are
   measured on the far anomalies: the cluster between the modes lies on the
   line through them, which a 4-dimensional code reconstructs well (no
   reconstruction model here sees it, AUROC ~0.7 in either space).
4. *Hybrids*: a shallow detector on a learned representation, in a Pipeline.

Run with ``python examples/cross_world_combinations.py``.
"""

import numpy as np
from scipy.stats import spearmanr
from sklearn.pipeline import make_pipeline

from skoneclass import (
    KDE,
    OCSVM,
    SVDD,
    AutoEncoder,
    AutoencoderEmbedding,
    DeepSVDD,
    DeepSVDDEmbedding,
    OneClassModel,
)
from skoneclass.metrics import labeled_roc_auc
from skoneclass.parts import (
    MLP,
    BiasFree,
    DeepSADLoss,
    Hinge,
    Hypersphere,
    MeanScore,
    RandomFourier,
    Reconstruction,
    WeightDecay,
)

SGD = {"solver": "sgd", "lr": 1e-2, "max_epochs": 30, "lr_milestones": None}


def blobs(n, rng, n_features=5):
    """Two Gaussian modes, the normal class."""
    return np.where(rng.rand(n, 1) < 0.5, -2.0, 2.0) + 0.5 * rng.randn(n, n_features)


def make_data(random_state=0, n_labeled=10):
    """Normals: two modes. Anomalies: far noise, and a cluster between the
    modes (the hard ones: a sphere around the modes' mean contains them)."""
    rng = np.random.RandomState(random_state)
    between = 0.3 * rng.randn(100, 5)
    far = rng.uniform(-8, 8, size=(100, 5))
    X_train = np.r_[blobs(400, rng), 0.3 * rng.randn(n_labeled, 5)]
    y_train = np.r_[np.zeros(400, int), -np.ones(n_labeled, int)]
    X_test = np.r_[blobs(300, rng), between, far]
    y_test = np.r_[np.ones(300, int), -np.ones(200, int)]
    return X_train, y_train, X_test, y_test


def main():
    X, y, X_test, y_test = make_data()
    unlabeled = np.zeros_like(y)
    results = {}

    def auroc(estimator, far_only=False):
        keep = slice(None) if not far_only else np.r_[0:300, 400:500]
        scores = estimator.decision_function(X_test[keep])
        return labeled_roc_auc(y_test[keep], scores)

    # 1. Kernel SVDD by SGD on random Fourier features vs the exact QP.
    sgd_svdd = OneClassModel(
        RandomFourier(n_components=300),
        Hypersphere(),
        Hinge(nu=0.1),
        random_state=0,
        **SGD,
    ).fit(X)
    exact_svdd = SVDD(nu=0.1).fit(X)
    results["kernel_sgd_svdd"] = auroc(sgd_svdd)
    results["exact_svdd"] = auroc(exact_svdd)
    results["rank_agreement"] = spearmanr(
        sgd_svdd.score_samples(X_test), exact_svdd.score_samples(X_test)
    )[0]

    # 2. Deep SAD's loss on the kernel map, without and with labels.
    def kernel_sad():
        return OneClassModel(
            RandomFourier(n_components=300),
            Hypersphere(),
            DeepSADLoss(eta=10.0),
            random_state=0,
            **SGD,
        )

    results["kernel_sad_unlabeled"] = auroc(kernel_sad().fit(X, unlabeled))
    results["kernel_sad_labeled"] = auroc(kernel_sad().fit(X, y))

    # 3. Autoencoder error in the input space vs in the encoder's feature space.
    for space in ("input", "features"):
        ae = OneClassModel(
            MLP(),
            Reconstruction(space=space),
            MeanScore(),
            regularizer=[WeightDecay(1e-6), BiasFree()],
            lr=1e-3,
            max_epochs=50,
            random_state=0,
        ).fit(X)
        results[f"autoencoder_{space}"] = auroc(ae, far_only=True)

    # 4. Hybrids: shallow detectors on learned representations.
    ae = AutoEncoder(lr=1e-3, max_epochs=50, random_state=0)
    svdd = DeepSVDD(lr=1e-3, max_epochs=30, pretrain_epochs=20, random_state=0)
    results["hybrid_ae_ocsvm"] = auroc(
        make_pipeline(AutoencoderEmbedding(ae), OCSVM()).fit(X)
    )
    results["hybrid_deepsvdd_kde"] = auroc(
        make_pipeline(DeepSVDDEmbedding(svdd), KDE()).fit(X)
    )

    for name, value in results.items():
        print(f"{name:24s} {value:.3f}")
    return results


if __name__ == "__main__":
    main()
