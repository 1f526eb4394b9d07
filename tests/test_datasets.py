"""ODDS loader and the thesis's semi-supervised split."""

import numpy as np
import pytest

from skoneclass.datasets import (
    ODDS_DATASETS,
    load_odds,
    make_defect_textures,
    make_topic_corpus,
    semisupervised_split,
)

# Thesis, Table 2.2 and the reference code's counts (NOTES_THESIS_CH1_2.md 0.1):
# name -> (n, d, outliers, train normals, labeled anomalies,
#          test normals, test outliers)
EXPECTED = {
    "arrhythmia": (452, 274, 66, 231, 2, 155, 27),
    "cardio": (1831, 21, 176, 993, 10, 662, 71),
    "satellite": (6435, 36, 2036, 2639, 26, 1760, 815),
    "satimage-2": (5803, 36, 71, 3439, 34, 2293, 29),
    "shuttle": (49097, 9, 3511, 27351, 276, 18235, 1405),
    "thyroid": (3772, 6, 93, 2207, 22, 1472, 38),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_odds_sets_and_the_thesis_protocol(name, odds_home):
    n, d, n_out, tr_norm, labeled, te_norm, te_out = EXPECTED[name]
    X, y = load_odds(name, data_home=odds_home)
    assert X.shape == (n, d) and X.dtype == np.float64
    assert (y == -1).sum() == n_out and set(np.unique(y)) == {-1, 1}
    X_tr, y_tr, X_te, y_te = semisupervised_split(X, y, random_state=0)
    assert (y_tr == 0).sum() == tr_norm
    assert (y_tr == -1).sum() == labeled
    assert (y_tr == 1).sum() == 0
    assert (y_te == 1).sum() == te_norm and (y_te == -1).sum() == te_out
    # The unlabeled training part is clean (gamma_p = 0).
    train_rows = {r.tobytes() for r in X_tr[y_tr == 0]}
    anomalies = {r.tobytes() for r in X[y == -1]}
    assert not (train_rows & anomalies - {r.tobytes() for r in X[y == 1]})


def test_split_is_reproducible_and_seed_dependent(odds_home):
    X, y = load_odds("thyroid", data_home=odds_home)
    a = semisupervised_split(X, y, random_state=3)
    b = semisupervised_split(X, y, random_state=3)
    c = semisupervised_split(X, y, random_state=4)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], c[0])


def test_pollution_and_known_normals(odds_home):
    X, y = load_odds("cardio", data_home=odds_home)
    X_tr, y_tr, _, _ = semisupervised_split(
        X,
        y,
        ratio_known_normal=0.05,
        ratio_known_outlier=0.01,
        ratio_pollution=0.05,
        random_state=0,
    )
    assert (y_tr == 1).mean() == pytest.approx(0.05, abs=0.005)
    assert (y_tr == -1).mean() == pytest.approx(0.01, abs=0.005)


def test_loader_says_where_it_looked(monkeypatch, tmp_path):
    """Data-free: the errors of a missing location, file or name."""
    monkeypatch.delenv("SKONECLASS_DATA", raising=False)
    with pytest.raises(ValueError, match="pass data_home=<directory> or set the"):
        load_odds("thyroid")
    with pytest.raises(FileNotFoundError, match=r"thyroid\.mat not found in .*odds"):
        load_odds("thyroid", data_home=tmp_path)
    monkeypatch.setenv("SKONECLASS_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match=str(tmp_path)):
        load_odds("cardio")
    with pytest.raises(ValueError, match="Unknown ODDS data set 'iris'"):
        load_odds("iris", data_home=tmp_path)
    with pytest.raises(FileNotFoundError, match="No ODDS .mat file at .*absent"):
        load_odds(tmp_path / "absent.mat")


def test_loader_reads_from_data_home_the_variable_or_a_path(monkeypatch, odds_home):
    monkeypatch.setenv("SKONECLASS_DATA", str(odds_home))
    assert load_odds("thyroid")[0].shape == (3772, 6)
    path = next(
        p
        for p in (odds_home / "odds" / "thyroid.mat", odds_home / "thyroid.mat")
        if p.exists()
    )
    assert load_odds(path)[0].shape == (3772, 6)
    assert "thyroid" in ODDS_DATASETS


# -- data-free: the split on synthetic labels, and the generators' errors ------


def test_split_counts_and_its_error_on_too_few_anomalies():
    rng = np.random.RandomState(0)
    X = rng.randn(1000, 3)
    y = np.where(np.arange(1000) < 50, -1, 1)
    X_tr, y_tr, X_te, y_te = semisupervised_split(
        X, y, ratio_known_normal=0.1, ratio_known_outlier=0.05, random_state=0
    )
    # 570 training normals; test: 40% of each class.
    assert len(X_te) == len(y_te) == 380 + 20 and (y_te == -1).sum() == 20
    assert (y_tr == 1).mean() == pytest.approx(0.1, abs=0.005)
    assert (y_tr == -1).mean() == pytest.approx(0.05, abs=0.005)
    assert len(X_tr) + len(X_te) <= len(X)
    assert set(map(bytes, X_tr)).isdisjoint(map(bytes, X_te))
    with pytest.raises(ValueError, match=r"The ratios need \d+ training anomalies"):
        semisupervised_split(X, y, ratio_pollution=0.2, random_state=0)


def test_generators_name_what_they_take():
    with pytest.raises(ValueError, match=r"defects must be a non-empty subset of"):
        make_defect_textures(2, 2, defects=("crack",))
    with pytest.raises(ValueError, match=r"defects must be a non-empty subset of"):
        make_defect_textures(2, 2, defects=())
    with pytest.raises(ValueError, match=r"unknown topics \['politics'\]"):
        make_topic_corpus(10, topics=("sports", "politics"))
    X, y, masks = make_defect_textures(3, 2, size=16, defects=("scratch",))
    assert X.shape == (5, 1, 16, 16) and list(y) == [1, 1, 1, -1, -1]
    assert not masks[:3].any() and masks[3:].any(axis=(1, 2)).all()
