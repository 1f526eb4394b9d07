"""Write and execute the tabular notebooks (arrhythmia.ipynb, thyroid.ipynb).

Both are one user's session on an ODDS data set, the same cells with the
data set's name. ``python examples/notebooks/build.py`` rewrites them and
executes them with full settings, so that the committed copies show their
outputs; the test suite executes them again with ``SKONECLASS_FAST=1``.
The ODDS files are read from ``SKONECLASS_DATA`` or ``../shared/data``
beside the checkout.
"""

from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

CELLS = [
    (
        "md",
        """# One-class detectors on ODDS {name}

A session with skoneclass on the ODDS `{name}` data set, under the thesis's
protocol: a 60:40 split keeping the anomaly ratio, 1% of the training set
labeled anomalies (`y == -1`), the rest unlabeled (`y == 0`), features
standardized inside a `Pipeline`. We fit four detectors, compare their ROC
curves and score histograms, and tune Deep SAD with a grid search scored on
labeled samples only.""",
    ),
    (
        "code",
        """import os
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skoneclass import OCSVM, SSAD, DeepSAD, DeepSVDD
from skoneclass.datasets import load_odds, semisupervised_split
from skoneclass.metrics import labeled_roc_auc
from skoneclass.plot import roc_curves, score_histogram

# SKONECLASS_FAST=1 (the test suite) trains for a few epochs only.
FAST = os.environ.get("SKONECLASS_FAST") == "1"
EPOCHS = {{"max_epochs": 5, "pretrain_epochs": 2}} if FAST else {{}}
# The ODDS files: SKONECLASS_DATA, else ../shared/data beside the checkout.
data_home = os.environ.get("SKONECLASS_DATA")
data_home = data_home or Path.cwd().parents[2] / "shared" / "data"

X, y = load_odds("{name}", data_home=data_home)
X_train, y_train, X_test, y_test = semisupervised_split(X, y, random_state=0)
print(f"{{len(X)}} samples, {{X.shape[1]}} features")
print(f"{{np.mean(y == -1):.1%}} anomalies")
print(f"training {{len(X_train)}}, {{np.sum(y_train == -1)}} labeled anomalies")
print(f"test {{len(X_test)}}")""",
    ),
    ("md", "## Four detectors, the same split"),
    (
        "code",
        """detectors = {{
    "OCSVM": OCSVM(),
    "SSAD": SSAD(),
    "DeepSVDD": DeepSVDD(random_state=0, **EPOCHS),
    "DeepSAD": DeepSAD(random_state=0, **EPOCHS),
}}
models = {{
    name: make_pipeline(StandardScaler(), detector).fit(X_train, y_train)
    for name, detector in detectors.items()
}}
auroc = {{
    name: 100 * labeled_roc_auc(y_test, model.score_samples(X_test))
    for name, model in models.items()
}}
pd.DataFrame(auroc, index=["test AUROC (%)"]).round(1)""",
    ),
    (
        "code",
        """import matplotlib.pyplot as plt

fig, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 4))
roc_curves(models, X_test, y_test, ax=left)
left.set_title("ROC, anomaly = positive")
score_histogram(models["SSAD"], X_test, y_test, ax=middle)
middle.set_title("SSAD")
score_histogram(models["DeepSAD"], X_test, y_test, ax=right)
right.set_title("Deep SAD")
fig.tight_layout()""",
    ),
    (
        "md",
        """## Tuning Deep SAD on labeled samples

`roc_auc_scorer` scores only labeled samples (anomaly = positive), so a grid
search needs labeled normals and anomalies in every fold. We label half of
the test part for the search and keep the other half for a final estimate.""",
    ),
    (
        "code",
        """from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skoneclass.metrics import roc_auc_scorer

rng = np.random.RandomState(0)
select = rng.rand(len(X_test)) < 0.5
X_search = np.r_[X_train, X_test[select]]
y_search = np.r_[y_train, y_test[select]]

search = GridSearchCV(
    make_pipeline(StandardScaler(), DeepSAD(random_state=0, **EPOCHS)),
    {{
        "deepsad__eta": [0.1, 1.0, 10.0],
        "deepsad__hidden_dims": ["auto", (64, 32)],
    }},
    scoring=roc_auc_scorer,
    cv=StratifiedKFold(3, shuffle=True, random_state=0),
).fit(X_search, y_search)
held_out = labeled_roc_auc(y_test[~select], search.score_samples(X_test[~select]))
print(f"best {{search.best_params_}}, CV AUROC {{search.best_score_:.3f}}")
print(f"held-out AUROC {{held_out:.3f}}")
columns = ["params", "mean_test_score", "std_test_score"]
pd.DataFrame(search.cv_results_)[columns].round(3)""",
    ),
]


def notebook(name):
    cells = [
        new_markdown_cell(text.format(name=name))
        if kind == "md"
        else new_code_cell(text.format(name=name))
        for kind, text in CELLS
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    return nb


def execute(path, timeout=1800):
    """Run the notebook at ``path`` in place, in its own folder."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=timeout, kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
    ).execute()  # fmt: skip
    return nb


if __name__ == "__main__":
    for name in ("arrhythmia", "thyroid"):
        path = HERE / f"{name}.ipynb"
        nbformat.write(notebook(name), path)
        nbformat.write(execute(path), path)
        print("wrote", path)
