"""The ODDS benchmark harness: caching, the peers' settings, the outputs."""

import json

import numpy as np
import pytest
from sklearn.preprocessing import FunctionTransformer

from benchmarks import odds


@pytest.fixture
def results(tmp_path, monkeypatch):
    monkeypatch.setattr(odds, "RESULTS", tmp_path)
    return tmp_path


def test_thesis_table_c1():
    assert len(odds.THESIS) == 9
    assert tuple(odds.THESIS["Deep SAD"]["thyroid"]) == (98.6, 0.9)
    assert tuple(odds.THESIS["SS-DGM"]["arrhythmia"]) == (50.3, 9.8)


def test_the_reference_codes_test_set_overlaps_its_training_set(monkeypatch):
    """Deep SAD's reference code draws its test split from an advanced
    generator: a second 60:40 split, not the training one's complement."""
    monkeypatch.setattr(odds, "StandardScaler", FunctionTransformer)  # raw ids
    X = np.arange(1000.0)[:, None]
    y = np.where(np.arange(1000) < 50, -1, 1)
    X_train, y_train, X_test, y_test = odds.reference_code_split(X, y, 0)
    assert len(X_train) == 570 + 5 and (y_train == -1).sum() == 5
    assert len(X_test) == 400 and (y_test == -1).sum() == 20
    assert np.isin(X_train[y_train == -1], X[y == -1]).all()
    shared = np.isin(X_test, X_train).mean()
    assert 0.5 < shared < 0.65
    X_train, _, X_test, _ = odds.SPLITS["thesis"](X, y, 0)
    assert not np.isin(X_test, X_train).any()
    assert odds._cache_path("A", "thyroid", 0, "reference-code") != (
        odds._cache_path("A", "thyroid", 0)
    )


def test_run_one_caches(results, odds_home, monkeypatch):
    row = odds.run_one("Gaussian", "thyroid", 0, str(odds_home))
    assert row["auroc"] > 90 and row["fit_s"] >= 0 and row["score_s"] >= 0
    cached = results / "cache" / "Gaussian__thyroid__0.json"
    assert json.loads(cached.read_text()) == row

    def refuse(seed, d):
        raise AssertionError("a cached run was recomputed")

    monkeypatch.setitem(odds.METHODS, "Gaussian", refuse)
    assert odds.run_one("Gaussian", "thyroid", 0, str(odds_home)) == row


def test_missing_peer_is_reported_not_cached(results, odds_home, monkeypatch):
    def absent(seed, d):
        raise ModuleNotFoundError("No module named 'deepod'", name="deepod")

    monkeypatch.setitem(odds.PEERS, "DeepOD DeepSAD", absent)
    row = odds.run_one("DeepOD DeepSAD", "thyroid", 0, str(odds_home))
    assert row["error"] == "not installed (deepod)"
    assert not (results / "cache").exists()


@pytest.mark.parametrize("n_features", [6, 21, 274])
def test_peers_share_the_network_widths(n_features):
    """Same layer widths, epochs and batch size as the skoneclass method."""
    pytest.importorskip("pyod")
    hidden, rep = {6: ((32, 16), 4), 21: ((32, 16), 8), 274: ((128, 64), 32)}[
        n_features
    ]
    svdd = odds.PEERS["PyOD DeepSVDD"](0, n_features).detector
    assert svdd.hidden_neurons == [*hidden, rep]
    assert (svdd.epochs, svdd.batch_size) == (150, 200)
    ae = odds.PEERS["PyOD AutoEncoder"](0, n_features).detector
    assert ae.hidden_neuron_list == [*hidden, rep] and ae.epoch_num == 150
    vae = odds.PEERS["PyOD VAE"](0, n_features).detector
    assert vae.encoder_neuron_list == list(hidden)
    assert vae.decoder_neuron_list == list(hidden[::-1])
    assert vae.latent_dim == rep


def test_outputs(results):
    done = {"method": "A", "dataset": "thyroid", "fit_s": 1.0, "score_s": 0.1}
    rows = [{**done, "seed": s, "auroc": 90.0 + s} for s in range(2)]
    rows.append({"method": "B", "dataset": "thyroid", "seed": 0, "error": "too few"})
    table = odds.summarize(rows, ["A", "B"], ["thyroid"])
    assert table["A", "thyroid"]["mean"] == 90.5
    text = odds.write_outputs(table, ["A", "B"], ["thyroid"], 2, name="t")
    assert "| A | 90.5 +- 0.5 |" in text and "| B | n/a |" in text
    assert "n/a, B on thyroid: too few" in text
    assert "| thesis: Deep SAD | 98.6 +- 0.9 |" in text
    csv = (results / "t.csv").read_text().splitlines()
    assert csv[1] == "A,thyroid,90.5000,0.5000,1.0000,0.1000,2,"
    assert any(line.startswith("thesis: Deep SAD,thyroid,98.6,0.9") for line in csv)
    assert (results / "t.png").stat().st_size > 0 or not _has_matplotlib()


def test_a_written_table_reads_back_for_a_merge(results):
    """--merge reruns some cells and keeps the others from the CSV."""
    rows = [
        {"method": m, "dataset": d, "seed": s, "fit_s": 1.0, "score_s": 0.1,
         "auroc": 90.0 + s + (m == "B"), **({"note": "subsampled"} if d == "x" else {})}
        for m in ("A", "B") for d in ("thyroid", "x") for s in range(2)
    ]  # fmt: skip
    rows.append({"method": "C", "dataset": "x", "seed": 0, "error": "too few, n < d"})
    # A name with a comma stays one field.
    rows.append({**rows[0], "method": "A, again"})
    names = ["A", "B", "C", "A, again"]
    table = odds.summarize(rows, names, ["thyroid", "x"])
    odds.write_outputs(table, names, ["thyroid", "x"], 2, name="t")
    read, methods, datasets = odds.read_table("t")
    assert methods == names and datasets == ["thyroid", "x"]
    assert read["A, again", "thyroid"]["mean"] == 90.0
    assert read["B", "x"] == {
        "mean": 91.5, "std": 0.5, "fit_s": 1.0, "score_s": 0.1, "n": 2,
        "note": "subsampled",
    }  # fmt: skip
    assert read["C", "x"] == {"error": "too few, n < d"}
    assert read["C", "thyroid"] == {"error": "not run"}
    # Written again, the cells read back print the same table.
    first = (results / "t.md").read_text()
    odds.write_outputs(read, methods, datasets, 2, name="t")
    assert (results / "t.md").read_text() == first


def _merge_svdd_into(methods, datasets):
    """Write table "t" of ``methods`` at AUROC 90 on ``datasets``, record one
    SVDD run at 95 on thyroid, and merge it in with --cached-only."""
    rows = [
        {"method": m, "dataset": d, "seed": 0, "fit_s": 1.0, "score_s": 0.1,
         "auroc": 90.0}
        for m in methods for d in datasets
    ]  # fmt: skip
    table = odds.summarize(rows, methods, datasets)
    odds.write_outputs(table, methods, datasets, 1, name="t")
    cache = odds._cache_path("SVDD", "thyroid", 0)
    cache.parent.mkdir(parents=True)
    cache.write_text(json.dumps({**rows[0], "method": "SVDD", "auroc": 95.0}))
    odds.main(
        "--methods SVDD --datasets thyroid --seeds 1 --merge --cached-only "
        "--name t".split()
    )
    return odds.read_table("t")


def test_a_merge_places_a_new_method_in_order(results):
    read, methods, _ = _merge_svdd_into(["OCSVM", "KDE"], ["thyroid"])
    assert methods == ["OCSVM", "SVDD", "KDE"]  # METHODS' order
    assert read["SVDD", "thyroid"]["mean"] == 95.0
    assert read["KDE", "thyroid"]["mean"] == 90.0
    # A cell --cached-only finds no run for keeps its written value.
    odds.main("--methods KDE --datasets thyroid --merge --cached-only --name t".split())
    assert odds.read_table("t")[0]["KDE", "thyroid"]["mean"] == 90.0


def test_a_merge_of_a_new_method_on_some_data_sets(results):
    """A method new to the table, run on one of its two data sets: its other
    cell says "not run" (the merge raised a KeyError)."""
    read, methods, _ = _merge_svdd_into(["OCSVM"], ["thyroid", "cardio"])
    assert methods == ["OCSVM", "SVDD"]
    assert read["SVDD", "thyroid"]["mean"] == 95.0
    assert read["SVDD", "cardio"] == {"error": "not run"}
    assert "| SVDD | 95.0 +- 0.0 | not run |" in (results / "t.md").read_text()


def _has_matplotlib():
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


# -- benchmarks/contaminated.py (ADBench's protocol) -----------------------
def test_contaminated_splits_keep_anomalies_in_training(odds_home):
    from benchmarks import contaminated

    X, anomaly = contaminated.load_task("thyroid", 0, data_home=str(odds_home))
    assert set(anomaly) == {0, 1} and 0.02 < anomaly.mean() < 0.03
    for setting, labeled in (("unsupervised", 0), ("semi", 6)):
        X_train, y_train, X_test, a_test = contaminated.split(X, anomaly, setting, 0)
        assert len(X_test) == round(0.3 * len(X))
        assert abs(a_test.mean() - anomaly.mean()) < 0.002  # stratified
        assert (y_train == -1).sum() == labeled  # 10% of the 65 training ones
        assert set(y_train) <= {0, -1}
    # Bundled sets: one class with a 10% mix of another.
    X, anomaly = contaminated.load_task("breast_cancer", 0)
    assert len(X) == 357 + 36 and anomaly.sum() == 36


def test_contaminated_tables(tmp_path, monkeypatch):
    from benchmarks import contaminated

    monkeypatch.setattr(contaminated, "RESULTS", tmp_path)
    monkeypatch.setattr(contaminated, "CACHE", tmp_path / "cache")
    contaminated.main(
        [
            "--methods",
            "skoneclass Gaussian",
            "sklearn IsolationForest",
            "skoneclass DevNet",
            "--datasets",
            "iris",
            "wine",
            "--seeds",
            "1",
        ]
    )
    unsupervised = (tmp_path / "contaminated_unsupervised.csv").read_text()
    assert "DevNet" not in unsupervised  # needs labeled anomalies
    rows = [line.split(",") for line in unsupervised.splitlines()]
    assert rows[0][:5] == ["method", "mean AUROC", "mean AP", "mean rank", "fit s"]
    assert {r[0] for r in rows[1:]} == {
        "skoneclass Gaussian",
        "sklearn IsolationForest",
    }
    semi = (tmp_path / "contaminated_semi.md").read_text()
    assert "skoneclass DevNet" in semi and "10% of the training anomalies" in semi
    # Detectors that ignore y are fitted once; the semi table reuses the fit.
    assert len(list((tmp_path / "cache").glob("*.json"))) == 2 * 2 + 1 * 2
    for table in ("unsupervised", "semi"):
        rows = (tmp_path / f"contaminated_{table}.csv").read_text().splitlines()
        gaussian = [r for r in rows if r.startswith("skoneclass Gaussian,")]
        if table == "unsupervised":
            expected = gaussian[0].split(",")[:3]
        else:  # same AUROC and AP; the mean rank differs (DevNet joins)
            assert gaussian[0].split(",")[:3] == expected
    # --cached-only fits nothing: seed 1 was never run, so the table keeps
    # seed 0 and says so.
    before = sorted((tmp_path / "cache").glob("*.json"))
    contaminated.main(
        ["--methods", "skoneclass Gaussian", "--datasets", "iris", "wine",
         "--seeds", "2", "--cached-only"]
    )  # fmt: skip
    assert sorted((tmp_path / "cache").glob("*.json")) == before
    semi = (tmp_path / "contaminated_semi.md").read_text()
    assert (
        "2 seed(s)" in semi
        and "Fewer seeds (the first ones): skoneclass Gaussian (1)" in semi
    )
    # A method never run is named, and the others keep their table.
    contaminated.main(
        ["--methods", "skoneclass Gaussian", "skoneclass KDE", "--datasets",
         "iris", "wine", "--seeds", "1", "--cached-only"]
    )  # fmt: skip
    semi = (tmp_path / "contaminated_semi.md").read_text()
    assert "Not run in this setting: skoneclass KDE." in semi
    assert "| skoneclass Gaussian |" in semi


def test_contaminated_knows_who_reads_labels():
    from benchmarks import contaminated

    reads = {
        name: contaminated.uses_labels(contaminated.METHODS[name](0, 4))
        for name in (
            "skoneclass DeepSAD",
            "skoneclass SSAD",
            "skoneclass DeepSVDD",
            "skoneclass OCSVM",
            "sklearn IsolationForest",
            "PyOD DevNet",
            "PyOD ECOD",
        )
    }
    assert reads == {
        "skoneclass DeepSAD": True,
        "skoneclass SSAD": True,
        "skoneclass DeepSVDD": False,
        "skoneclass OCSVM": False,
        "sklearn IsolationForest": False,
        "PyOD DevNet": True,
        "PyOD ECOD": False,
    }


def test_contaminated_merge_keeps_the_written_rows(tmp_path, monkeypatch):
    from benchmarks import contaminated

    monkeypatch.setattr(contaminated, "RESULTS", tmp_path)
    monkeypatch.setattr(contaminated, "CACHE", tmp_path / "runs")
    common = ["--datasets", "iris", "wine", "--seeds", "1"]
    common += ["--settings", "unsupervised"]
    contaminated.main(
        ["--methods", "skoneclass Gaussian", "sklearn IsolationForest", *common]
    )
    written, datasets = contaminated.read_table("unsupervised")
    assert datasets == ["iris", "wine"]
    (tmp_path / "runs").rename(tmp_path / "lost")  # a fresh checkout's runs
    contaminated.main(["--methods", "skoneclass GMM", "--merge", *common])
    merged, _ = contaminated.read_table("unsupervised")
    by_method = {row["method"]: row for row in merged}
    assert set(by_method) == {
        "skoneclass Gaussian",
        "sklearn IsolationForest",
        "skoneclass GMM",
    }
    for row in written:  # kept as written
        kept = by_method[row["method"]]
        assert {k: kept[k] for k in ("auroc", "iris", "wine")} == {
            k: row[k] for k in ("auroc", "iris", "wine")
        }
    # Re-ranked over the three: per data set the ranks sum to 1 + 2 + 3
    # (each mean rank written to 0.1).
    assert sum(row["rank"] for row in merged) == pytest.approx(6.0, abs=0.15)
    assert [row["auroc"] for row in merged] == sorted(
        (row["auroc"] for row in merged), reverse=True
    )
    with pytest.raises(ValueError, match="data sets"):
        contaminated.main(
            ["--methods", "skoneclass KMeans", "--merge", "--datasets", "iris",
             "--seeds", "1", "--settings", "unsupervised"]
        )  # fmt: skip
    assert not list((tmp_path / "runs").glob("*KMeans*"))  # refused before fitting


def test_contaminated_pairs_runs_on_the_same_splits(tmp_path, monkeypatch):
    from benchmarks import contaminated

    monkeypatch.setattr(contaminated, "CACHE", tmp_path)
    aurocs = {
        "sklearn IsolationForest": {"wine": [90, 92], "iris": [80, 80]},
        "skoneclass Gaussian": {"wine": [91, 95], "iris": [70, 74]},
        "skoneclass GMM": {"wine": [91, 95], "iris": [70]},  # one iris pair
    }
    for method, per_set in aurocs.items():
        for dataset, values in per_set.items():
            for seed, auroc in enumerate(values):
                row = {"setting": "unsupervised", "method": method,
                       "dataset": dataset, "seed": seed, "auroc": auroc}  # fmt: skip
                path = contaminated._cache_path("unsupervised", method, dataset, seed)
                path.write_text(json.dumps(row))
    pairs = contaminated.paired("unsupervised", list(aurocs), ["wine", "iris"], seeds=2)
    # Differences: wine 1 and 3, iris -10 and -6 -> means 2 and -8.
    mean, se, n = pairs["skoneclass Gaussian"]
    assert mean == pytest.approx(-3.0)
    assert se == pytest.approx(np.sqrt(2 / 2 + 8 / 2) / 2)
    assert n == 4
    assert set(pairs) == {"skoneclass Gaussian"}  # GMM: too few iris pairs
