"""Model selection with partial labels
===================================

A one-class detector is tuned by ``GridSearchCV`` with skoneclass's labeled
AUROC scorer: only samples labeled +1 (normal) or -1 (anomaly) are scored,
unlabeled ones (0) are used for fitting only. Stratifying the folds on y keeps
both labeled classes in every fold.

The training folds contain the labeled anomalies. SVDD ignores labels and
encloses them as if normal; SSAD pushes them out of its sphere, which is why
it comes out far ahead here.

Run with ``python examples/grid_search_with_partial_labels.py``.
"""

import numpy as np
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from skoneclass import SSAD, SVDD
from skoneclass.demo import one_class_breast_cancer
from skoneclass.metrics import labeled_roc_auc, roc_auc_scorer


def main():
    X_train, y_train, X_test, y_test = one_class_breast_cancer()
    # Label half of the test part to select hyperparameters on; keep the rest
    # for an honest final estimate.
    rng = np.random.RandomState(0)
    select = rng.rand(len(X_test)) < 0.5
    X = np.r_[X_train, X_test[select]]
    y = np.r_[y_train, y_test[select]]

    results = {}
    for name, detector, grid in [
        (
            "SVDD",
            SVDD(),
            {"det__gamma": [0.003, 0.01, 0.03, 0.1], "det__nu": [0.05, 0.2]},
        ),
        (
            "SSAD",
            SSAD(),
            {"det__gamma": [0.003, 0.01, 0.03, 0.1], "det__kappa": [0.1, 1.0]},
        ),
    ]:
        search = GridSearchCV(
            Pipeline([("scale", StandardScaler()), ("det", detector)]),
            grid,
            scoring=roc_auc_scorer,
            cv=StratifiedKFold(3, shuffle=True, random_state=0),
        ).fit(X, y)
        held_out = labeled_roc_auc(
            y_test[~select], search.best_estimator_.score_samples(X_test[~select])
        )
        results[name] = held_out
        print(
            f"{name}: best {search.best_params_} "
            f"(CV AUROC {search.best_score_:.3f}, held-out AUROC {held_out:.3f})"
        )
    return results


if __name__ == "__main__":
    main()
