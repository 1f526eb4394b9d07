"""The Deep SAD recipe study (issue 20): each factor does what it names."""

import numpy as np
import pytest
import torch

from benchmarks import deepsad_recipe as study
from skoneclass.datasets import load_odds, semisupervised_split


@pytest.fixture(scope="module")
def thyroid(odds_home):
    X, y = load_odds("thyroid", data_home=odds_home)
    X_train, y_train, _, _ = semisupervised_split(X, y, random_state=0)
    # 578 unlabeled and the 22 labeled anomalies: 600 rows.
    keep = np.r_[np.flatnonzero(y_train == 0)[:578], np.flatnonzero(y_train == -1)]
    return X_train[keep], y_train[keep]


def _fit(factors, data, watch=None):
    model = study.make_model(frozenset(factors), 0)
    model[-1].set_params(max_epochs=2, batch_size=128)
    if watch is not None:
        model[-1].set_params(callbacks=[*(model[-1].callbacks or []), watch])
    return model.fit(*data)


class _Seen(study.ReferenceRecipe):
    """Records, per phase, the batches, weight decay and decoder."""

    def __init__(self):
        super().__init__(frozenset())
        self.seen = []

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == 1:
            self.seen.append(
                {
                    "batches": len(net.history[-1, "batches"]),
                    "decay": net.optimizer_.param_groups[0]["weight_decay"],
                    "sigmoid": any(
                        isinstance(m, torch.nn.Sigmoid) for m in net.module_.modules()
                    ),
                }
            )


def test_each_factor_changes_what_it_names(thyroid):
    assert (thyroid[1] == -1).sum() == 22
    base = _Seen()
    library = _fit([], thyroid, base)
    # 600 rows in batches of 128: 5 batches, the last one partial.
    assert [s["batches"] for s in base.seen] == [5, 5]
    seen = _Seen()
    _fit(["drop-last", "weight-decay", "min-max", "sigmoid"], thyroid, seen)
    assert [s["batches"] for s in seen.seen] == [4, 4]
    assert [s["decay"] for s in seen.seen] == [5e-4, 5e-7]
    assert [s["sigmoid"] for s in seen.seen] == [True, False]
    assert [s["sigmoid"] for s in base.seen] == [False, False]
    # The center: over every training sample, or without the labeled anomalies.
    all_center = _fit(["center-all"], thyroid)[-1].center_
    assert not np.allclose(all_center, library[-1].center_)
    # PyTorch's layer initialization: weights within +-1/sqrt(fan_in) before
    # training; the library's Glorot draw reaches beyond.
    model = study.make_model(frozenset({"pytorch-init"}), 0)
    model[-1].set_params(max_epochs=1, lr=1e-12, lr_milestones=None)
    code = model.fit(*thyroid)[-1].net_.module_.feature_map[-1].weight
    assert code.abs().max() <= 1 / np.sqrt(code.shape[1]) + 1e-6
    glorot = library[-1].net_.module_.feature_map[-1].weight
    assert glorot.abs().max() > 1.2 / np.sqrt(glorot.shape[1])
    # Parameters: batch 128 and the early milestone, as given.
    est = study.make_model(frozenset({"batch-128", "milestone-49"}), 0)[-1]
    assert (est.batch_size, est.max_epochs, est.lr_milestones) == (128, 150, (49,))


def test_paired_summary_and_table(tmp_path, monkeypatch):
    monkeypatch.setattr(study, "RESULTS", tmp_path)
    rows = [
        {"config": c, "dataset": "cardio", "seed": s, "draw": k, "auroc": a + s}
        for c, a in (("library", 90.0), ("pytorch-init", 94.0))
        for s in range(2)
        for k in range(2)
    ]
    rows[-1]["auroc"] = 80.0  # one pair lost
    table = study.summarize(rows, ["library", "pytorch-init"], ["cardio"])
    cell = table["pytorch-init", "cardio"]
    assert (cell["pairs"], cell["wins"]) == (4, 3)
    assert cell["diff"] == pytest.approx((4 + 4 + 4 - 11) / 4)
    text = study.write_outputs(table, ["library", "pytorch-init"], ["cardio"], "c")
    assert "| thesis Table 2.3 | 95.0 +- 1.6 |" in text
    assert "3/4 won" in text
    assert (tmp_path / "deepsad_recipe.csv").read_text().count("\n") == 3
    assert set(study.configurations()["reference"]) == set(study.FACTORS) - {
        "batch-200"
    }
