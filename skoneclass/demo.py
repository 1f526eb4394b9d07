"""Two-minute demo: one-class detection of malignant tumours.

Run with ``python -m skoneclass.demo``. The data (scikit-learn's bundled
breast-cancer set) ships with the install: benign samples are the normal
class, malignant ones the anomalies. Each detector is fitted on benign
samples only, in a Pipeline with a StandardScaler, and scored on held-out
benign and malignant samples.
"""

import time

import numpy as np
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skoneclass import GMM, KDE, OCSVM, PCA, SSAD, SVDD, Gaussian, KernelPCA, KMeans
from skoneclass.metrics import labeled_roc_auc


def one_class_breast_cancer(random_state=0):
    """Train on benign samples (+ 5 labeled malignant), test on the rest.

    Returns ``X_train, y_train, X_test, y_test`` with skoneclass's labels:
    +1 normal (benign), -1 anomaly (malignant), 0 unlabeled.
    """
    X, target = load_breast_cancer(return_X_y=True)
    y = np.where(target == 1, 1, -1)  # target 1 is benign
    normal, anomaly = np.flatnonzero(y == 1), np.flatnonzero(y == -1)
    tr, te = train_test_split(normal, test_size=0.4, random_state=random_state)
    known = np.random.RandomState(random_state).choice(anomaly, 5, replace=False)
    test = np.r_[te, np.setdiff1d(anomaly, known)]
    X_train = X[np.r_[tr, known]]
    y_train = np.r_[np.zeros(len(tr), int), -np.ones(len(known), int)]
    return X_train, y_train, X[test], y[test]


def main():
    X_train, y_train, X_test, y_test = one_class_breast_cancer()
    print(
        f"breast cancer as a one-class task: {len(X_train)} training samples "
        f"({(y_train == -1).sum()} labeled anomalies), {len(X_test)} test samples "
        f"({(y_test == -1).sum()} anomalies)\n"
    )
    detectors = {
        "OCSVM": OCSVM(),
        "SVDD": SVDD(),
        "SSAD (uses the 5 labels)": SSAD(),
        "KDE": KDE(),
        "Gaussian": Gaussian(covariance="ledoit_wolf"),
        "GMM": GMM(random_state=0),
        "PCA": PCA(),
        "KernelPCA": KernelPCA(),
        "KMeans": KMeans(random_state=0),
    }
    print(f"{'detector':<26}{'AUROC':>7}{'flagged':>9}{'fit [s]':>9}")
    results = {}
    for name, detector in detectors.items():
        model = make_pipeline(StandardScaler(), detector)
        start = time.perf_counter()
        model.fit(X_train, y_train)
        elapsed = time.perf_counter() - start
        auroc = labeled_roc_auc(y_test, model.score_samples(X_test))
        flagged = (model.predict(X_test) == -1).mean()
        results[name] = auroc
        print(f"{name:<26}{auroc:>7.3f}{flagged:>9.1%}{elapsed:>9.2f}")
    return results


if __name__ == "__main__":
    main()
