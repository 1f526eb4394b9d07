"""OneClassModel: presets reproduced from parts, cross-world combinations,
invalid combinations, describe() and the generated Table 4.1."""

import pickle
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import skoneclass
from skoneclass import (
    HSC,
    KDE,
    OCSVM,
    PCA,
    SVDD,
    AutoEncoder,
    AutoencoderEmbedding,
    DeepSAD,
    DeepSVDD,
    DeepSVDDEmbedding,
    Gaussian,
    OneClassModel,
)
from skoneclass.metrics import labeled_roc_auc, roc_auc_scorer
from skoneclass.parts import (
    MLP,
    AutoencoderPretraining,
    BiasFree,
    Decentralization,
    DeepSADLoss,
    Embedding,
    GaussianDensity,
    GaussianMixture,
    Hinge,
    HSCLoss,
    Hyperplane,
    Hypersphere,
    Identity,
    Kernel,
    MeanScore,
    NegativeLogLikelihood,
    Nystroem,
    Orthogonality,
    RandomFourier,
    Reconstruction,
    SemiSupervisedHinge,
    Subspace,
    WeightDecay,
)
from skoneclass.unifying_view import public_estimators, to_rst, unifying_view_table

from . import catalogue
from .conftest import DETECTORS, detector_id, labeled_task, make_one_class_task

FAST = {"max_epochs": 6, "lr": 1e-3, "lr_milestones": (3,), "random_state": 0}
SGD = {"solver": "sgd", "lr": 1e-2, "max_epochs": 30, "lr_milestones": None}
DEEP_PRESETS = [
    DeepSVDD(pretrain_epochs=3, **FAST),
    DeepSVDD(objective="soft-boundary", warm_up_epochs=2, pretrain=None, **FAST),
    DeepSAD(pretrain_epochs=3, **FAST),
    HSC(**FAST),
    AutoEncoder(**FAST),
]


@pytest.fixture(scope="module")
def task():
    return make_one_class_task()


@pytest.fixture(scope="module")
def labeled():
    X, y, X_test, y_test = labeled_task()
    return X, y, X_test, y_test


def _fit_scores(est, X, y, X_test):
    return est.fit(X, y).decision_function(X_test)


def test_one_class_model_hands_its_parts_to_a_solver(task):
    X, X_test, _ = task
    sgd = OneClassModel(MLP(hidden_dims=(8,), rep_dim=4), **FAST).fit(X)
    assert sgd.solver_ == "sgd"
    assert type(sgd.estimator_).__name__ == "SGDModel"
    assert repr(sgd.estimator_.get_parts()) == repr(sgd.get_parts())
    # The solver's fitted state is the model's.
    assert sgd.net_ is sgd.estimator_.net_
    assert sgd.offset_ == sgd.estimator_.offset_
    np.testing.assert_array_equal(sgd.center_, sgd.estimator_.center_)
    np.testing.assert_array_equal(sgd.embed(X_test), sgd.estimator_.embed(X_test))
    exact = OneClassModel(Kernel(), Hypersphere(), Hinge(nu=0.1)).fit(X)
    assert exact.solver_ == "exact" and isinstance(exact.estimator_, SVDD)
    assert exact.offset_ == exact.estimator_.offset_
    with pytest.raises(AttributeError, match="solved exactly by SVDD"):
        exact.embed(X_test)
    assert not hasattr(exact, "net_")


# -- the four presets of the acceptance list, from explicitly written parts --
def test_deep_svdd_from_parts_is_deep_svdd(task):
    X, X_test, _ = task
    preset = DeepSVDD(pretrain_epochs=3, **FAST)
    parts = OneClassModel(
        feature_map=MLP(),
        model=Hypersphere(center="mean"),
        loss=MeanScore(),
        regularizer=[WeightDecay(1e-6), BiasFree(), AutoencoderPretraining(3)],
        **FAST,
    )
    np.testing.assert_array_equal(
        preset.fit(X).score_samples(X_test), parts.fit(X).score_samples(X_test)
    )
    np.testing.assert_array_equal(preset.center_, parts.center_)


def test_deep_sad_from_parts_is_deep_sad(labeled):
    X, y, X_test, _ = labeled
    preset = DeepSAD(eta=2.0, pretrain_epochs=3, n_networks=2, **FAST)
    parts = OneClassModel(
        MLP(),
        Hypersphere(center="mean"),
        DeepSADLoss(eta=2.0),
        [WeightDecay(1e-6), BiasFree(), AutoencoderPretraining(3)],
        n_networks=2,
        **FAST,
    )
    np.testing.assert_array_equal(
        _fit_scores(preset, X, y, X_test), _fit_scores(parts, X, y, X_test)
    )


def test_svdd_from_parts_is_svdd(task):
    X, X_test, _ = task
    preset = SVDD(kernel="rbf", gamma=0.1, nu=0.2)
    parts = OneClassModel(Kernel("rbf", gamma=0.1), Hypersphere(), Hinge(nu=0.2))
    np.testing.assert_array_equal(
        preset.fit(X).decision_function(X_test),
        parts.fit(X).decision_function(X_test),
    )
    assert parts.solver_ == "exact"
    assert parts.estimator_.radius_ == preset.radius_


def test_pca_from_parts_is_pca(task):
    X, X_test, _ = task
    preset = PCA(n_components=2)
    parts = OneClassModel(Identity(), Subspace(n_components=2), MeanScore())
    np.testing.assert_array_equal(
        preset.fit(X).score_samples(X_test), parts.fit(X).score_samples(X_test)
    )


# -- every preset round-trips through its parts ------------------------------
@pytest.mark.parametrize("preset", DETECTORS + DEEP_PRESETS, ids=detector_id)
def test_every_preset_is_a_one_class_model_of_its_parts(preset, labeled):
    X, y, X_test, _ = labeled
    model = OneClassModel.from_estimator(preset)
    assert repr(model.get_parts()) == repr(clone(preset).get_parts())
    np.testing.assert_array_equal(
        _fit_scores(clone(preset), X, y, X_test), _fit_scores(model, X, y, X_test)
    )
    # Same offset: the model's boundary or the same quantile.
    assert model.offset_ == clone(preset).fit(X, y).offset_


def test_from_estimator_takes_overrides():
    model = OneClassModel.from_estimator(DeepSAD(lr=0.5), loss=DeepSADLoss(eta=3))
    assert model.lr == 0.5
    assert model.loss.eta == 3
    assert isinstance(model.feature_map, MLP)


def test_parts_are_clonable_and_searchable_parameters():
    model = OneClassModel(RandomFourier(n_components=50), Hypersphere(), Hinge(0.1))
    assert model.get_params()["loss__nu"] == 0.1
    model.set_params(loss__nu=0.3, feature_map__n_components=20)
    copy = clone(model)
    assert copy.loss.nu == 0.3 and copy.feature_map.n_components == 20
    assert copy.loss is not model.loss


# -- cross-world combinations ---------------------------------------------------
def test_kernel_svdd_by_sgd_on_random_fourier_features(task):
    """A hypersphere with learned center and radius in an explicit kernel map,
    trained by SGD: it detects, keeps the nu-property, and ranks like SVDD."""
    X, X_test, y_test = task
    est = OneClassModel(
        RandomFourier(n_components=300),
        Hypersphere(),
        Hinge(nu=0.1),
        random_state=0,
        **SGD,
    ).fit(X)
    assert est.solver_ == "sgd"
    scores = est.decision_function(X_test)
    assert labeled_roc_auc(y_test, scores) >= 0.9
    outside = np.mean(est.decision_function(X) < 0)
    assert abs(outside - 0.1) <= 0.02
    exact = SVDD(nu=0.1).fit(X).score_samples(X_test)
    assert spearmanr(scores, exact)[0] > 0.85


def test_deep_sad_loss_on_a_kernel_map_uses_the_labels(labeled):
    """Deep SAD's loss on random Fourier features (SSAD-like): labeled
    anomalies between the normal modes lift the AUROC."""
    X, y, X_test, y_test = labeled

    def fit(labels):
        est = OneClassModel(
            RandomFourier(n_components=300),
            Hypersphere(),
            DeepSADLoss(eta=10.0),
            random_state=0,
            **SGD,
        )
        return labeled_roc_auc(y_test, est.fit(X, labels).score_samples(X_test))

    with_labels, without = fit(y), fit(np.zeros_like(y))
    assert with_labels >= 0.9
    assert with_labels > without + 0.1


def test_reconstruction_error_in_a_neural_feature_space(task):
    X, X_test, y_test = task
    kwargs = {"regularizer": [WeightDecay(), BiasFree()], "lr": 1e-3}
    features = OneClassModel(
        MLP(),
        Reconstruction(space="features"),
        MeanScore(),
        max_epochs=50,
        random_state=0,
        **kwargs,
    ).fit(X)
    scores = features.score_samples(X_test)
    assert labeled_roc_auc(y_test, scores) >= 0.9
    plain = OneClassModel(
        MLP(), Reconstruction(), MeanScore(), max_epochs=50, random_state=0, **kwargs
    ).fit(X)
    # The feature-space error adds nonnegative hidden-layer terms to the
    # input error of the same kind of network: different, larger scores.
    assert not np.allclose(scores, plain.score_samples(X_test))


@pytest.mark.parametrize(
    "embedding, detector",
    [
        (
            AutoencoderEmbedding(AutoEncoder(lr=1e-3, max_epochs=50, random_state=0)),
            OCSVM(),
        ),
        (
            DeepSVDDEmbedding(
                DeepSVDD(lr=1e-3, max_epochs=30, pretrain_epochs=20, random_state=0)
            ),
            KDE(),
        ),
        (
            AutoencoderEmbedding(AutoEncoder(lr=1e-3, max_epochs=50, random_state=0)),
            Gaussian(),
        ),
    ],
    ids=["ae+ocsvm", "deepsvdd+kde", "ae+gaussian"],
)
def test_hybrid_shallow_detector_on_a_learned_embedding(task, embedding, detector):
    X, X_test, y_test = task
    hybrid = make_pipeline(StandardScaler(), embedding, detector).fit(X)
    assert labeled_roc_auc(y_test, hybrid.decision_function(X_test)) >= 0.9
    codes = hybrid[:-1].transform(X_test)
    assert codes.shape == (
        len(X_test),
        embedding.estimator.get_parts()["feature_map"].output_dim(X.shape[1]),
    )


@pytest.mark.parametrize("embedding", [AutoencoderEmbedding, DeepSVDDEmbedding])
def test_an_embedding_trains_one_network(task, embedding):
    """A representation is one network's: an estimator's n_networks=3 would
    train two networks that embed never reads."""
    X = task[0][:100]
    detector = DeepSAD if embedding is DeepSVDDEmbedding else AutoEncoder
    estimator = detector(n_networks=3, max_epochs=1, random_state=0)
    if detector is DeepSAD:
        estimator.set_params(pretrain_epochs=1)
    fitted = embedding(estimator).fit(X)
    assert fitted.estimator_.n_networks == 1
    assert not hasattr(fitted.estimator_, "networks_")
    assert estimator.n_networks == 3  # the parameter itself is untouched
    assert fitted.transform(X).shape[0] == len(X)


def test_embeddings_name_their_columns_and_search_their_default(task):
    """set_output works in a Pipeline, and GridSearchCV reaches the
    parameters of the default estimator (estimator=None)."""
    X, X_test, y_test = task
    hybrid = make_pipeline(StandardScaler(), DeepSVDDEmbedding(), OCSVM())
    hybrid.set_params(
        deepsvddembedding__estimator__max_epochs=2,
        deepsvddembedding__estimator__rep_dim=3,
        deepsvddembedding__estimator__random_state=0,
    )
    assert hybrid[1].estimator.get_params()["rep_dim"] == 3
    codes = hybrid[:-1].set_output(transform="pandas").fit(X).transform(X_test)
    assert list(codes.columns) == [f"deepsvddembedding{i}" for i in range(3)]
    assert list(hybrid[1].get_feature_names_out()) == list(codes.columns)
    search = GridSearchCV(
        make_pipeline(StandardScaler(), AutoencoderEmbedding(), OCSVM()),
        {
            "autoencoderembedding__estimator__rep_dim": [2, 4],
            "autoencoderembedding__estimator__max_epochs": [2],
        },
        scoring=roc_auc_scorer,
        cv=StratifiedKFold(2, shuffle=True, random_state=0),
    ).fit(np.r_[X, X_test], np.r_[np.zeros(len(X), int), y_test])
    assert search.best_params_["autoencoderembedding__estimator__rep_dim"] in (2, 4)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()


def test_a_pre_fitted_embedding_is_a_fixed_feature_map(task):
    X, X_test, y_test = task
    ae = AutoencoderEmbedding(AutoEncoder(lr=1e-3, max_epochs=30, random_state=0))
    ae.fit(X)
    est = OneClassModel(
        Embedding(ae),
        GaussianMixture(n_components=2),
        NegativeLogLikelihood(),
        random_state=0,
    ).fit(X)
    assert est.solver_ == "exact"
    assert est.feature_map_.transformer_ is ae  # used as it is, not refitted
    assert labeled_roc_auc(y_test, est.score_samples(X_test)) >= 0.9


def test_nystroem_residual_keeps_far_points_far(task):
    X, X_test, y_test = task
    for residual, ok in ((True, True), (False, False)):
        est = OneClassModel(
            Nystroem(n_components=100, residual=residual),
            Hypersphere(),
            Hinge(0.1),
            random_state=0,
        ).fit(X)
        auc = labeled_roc_auc(y_test, est.score_samples(X_test))
        # Without the residual, points far from every landmark map to ~0,
        # close to the center: the far anomalies look normal.
        assert (auc >= 0.95) is ok, (residual, auc)


def test_orthogonality_penalty_orthonormalizes_the_representation(task):
    X, _, _ = task
    kwargs = {"max_epochs": 30, "lr": 1e-2, "random_state": 0}

    def gram_error(regularizer):
        est = OneClassModel(MLP(rep_dim=3), regularizer=regularizer, **kwargs).fit(X)
        W = est.net_.module_.feature_map[-1].weight.detach().cpu().numpy()
        return np.abs(W @ W.T - np.eye(3)).max()

    assert gram_error([BiasFree(), Orthogonality(10.0)]) < 0.1
    assert gram_error([BiasFree()]) > 0.2


# -- invalid combinations ----------------------------------------------------
@pytest.mark.parametrize(
    "params, names",
    [
        (dict(feature_map=Kernel(), loss=DeepSADLoss()), ["Kernel", "RandomFourier"]),
        (
            dict(feature_map=MLP(), model=Hypersphere(center="learned")),
            ["learned", "collapse"],
        ),
        (
            dict(
                feature_map=Identity(), model=Hypersphere(center="mean"), solver="sgd"
            ),
            ["nothing to train"],
        ),
        (
            dict(feature_map=Identity(), model=GaussianDensity(), loss=MeanScore()),
            ["GaussianDensity", "MeanScore", "no exact solver"],
        ),
        (
            dict(
                feature_map=MLP(), model=GaussianDensity(), loss=NegativeLogLikelihood()
            ),
            ["GaussianDensity", "no SGD solver"],
        ),
        (
            dict(
                feature_map=Kernel(),
                model=GaussianDensity(),
                loss=NegativeLogLikelihood(),
            ),
            ["implicit", "Nystroem"],
        ),
        (
            dict(
                feature_map=Identity(),
                model=Reconstruction(),
                loss=MeanScore(),
                solver="sgd",
            ),
            ["Reconstruction", "trainable feature map"],
        ),
        (
            dict(feature_map=MLP(), model=Reconstruction(), loss=Hinge()),
            ["Reconstruction", "Hinge"],
        ),
        (
            dict(feature_map=RandomFourier(), loss=SemiSupervisedHinge(), solver="sgd"),
            ["SemiSupervisedHinge", "DeepSADLoss"],
        ),
        (
            dict(
                feature_map=Kernel(),
                model=Hypersphere(),
                loss=Hinge(),
                regularizer=WeightDecay(),
            ),
            ["WeightDecay", "takes none"],
        ),
        (
            dict(
                feature_map=Identity(),
                model=Hyperplane(),
                loss=Hinge(),
                regularizer=BiasFree(),
                solver="sgd",
            ),
            ["Hyperplane"],
        ),
        (
            dict(
                feature_map=Kernel(),
                model=Hypersphere(),
                loss=Hinge(),
                inference="bayesian",
            ),
            ["bayesian"],
        ),
        (dict(feature_map=MLP(), loss=HSCLoss()), ["HSCLoss", "negatives"]),
    ],
    ids=lambda v: "-".join(v) if isinstance(v, list) else None,
)
def test_invalid_combinations_name_the_parts(task, params, names):
    X, _, _ = task
    with pytest.raises(ValueError) as error:
        OneClassModel(**params, max_epochs=1).fit(X)
    for name in names:
        assert name in str(error.value), str(error.value)


def test_labels_are_validated_when_the_loss_uses_them(task):
    X, _, _ = task
    y = np.full(len(X), 2)
    with pytest.raises(ValueError, match="outside"):
        OneClassModel(RandomFourier(50), Hypersphere(), DeepSADLoss(), **SGD).fit(X, y)
    # Unsupervised parts ignore y, as every unsupervised estimator.
    OneClassModel(Identity(), Subspace(2), MeanScore()).fit(X, y)


def test_fitted_one_class_model_pickles(task):
    X, X_test, _ = task
    est = OneClassModel(
        RandomFourier(50),
        Hypersphere(),
        Hinge(),
        random_state=0,
        **{**SGD, "max_epochs": 3},
    ).fit(X)
    again = pickle.loads(pickle.dumps(est))
    np.testing.assert_array_equal(
        est.score_samples(X_test), again.score_samples(X_test)
    )


# -- describe() and Table 4.1 ----------------------------------------------------
def test_describe_prints_the_five_dimensions_from_the_command_line():
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import skoneclass; print(skoneclass.describe('DeepSAD'))",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for line in (
        "D1 loss",
        "s^y",
        "D2 model",
        "||phi(x) - c||^2",
        "D3 feature map",
        "MLP",
        "D4 regularization",
        "no bias",
        "D5 inference",
        "frequentist",
    ):
        assert line in out, out


def test_the_table_command_prints_the_docs_table_without_warnings():
    """``python -m skoneclass.unifying_view`` (a package's __main__, so the
    package root imports ``describe`` eagerly without running it twice)."""
    run = subprocess.run(
        [sys.executable, "-W", "error", "-m", "skoneclass.unifying_view"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stderr == ""
    assert run.stdout == to_rst(unifying_view_table())


def test_describe_follows_the_parameters():
    assert "R^2" in skoneclass.describe(DeepSVDD(objective="soft-boundary"))
    assert "R^2" not in skoneclass.describe(DeepSVDD())
    assert "k = poly" in skoneclass.describe(SVDD(kernel="poly"))
    with pytest.raises(ValueError, match="no estimator"):
        skoneclass.describe("NoSuchMethod")


def test_table_lists_every_public_estimator():
    names = {row["method"] for row in unifying_view_table()}
    public = {
        name
        for name in skoneclass.__all__
        if isinstance(getattr(skoneclass, name), type)
        and issubclass(getattr(skoneclass, name), skoneclass.BaseDetector)
        and name not in ("BaseDetector", "OneClassModel")
    }
    assert names == public == {cls.__name__ for cls in public_estimators()}


def test_the_library_never_imports_its_own_package_root():
    """Modules take what they need from the subpackages (the unifying view
    its estimators from skoneclass.shallow and skoneclass.deep), so the
    root's imports can run in any order; the demo is a script."""
    import ast
    from pathlib import Path

    root = Path(skoneclass.__file__).parent
    submodules = {p.stem for p in root.glob("*.py")} | {
        p.parent.name for p in root.glob("*/__init__.py")
    }
    for path in root.rglob("*.py"):
        if path.name == "demo.py":
            continue
        depth = len(path.relative_to(root).parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                assert "skoneclass" not in [a.name for a in node.names], path
            elif isinstance(node, ast.ImportFrom):
                from_root = node.module == "skoneclass" or (
                    node.level == depth and node.module is None
                )
                names = {alias.name for alias in node.names}
                assert not from_root or names <= submodules, (
                    f"{path.relative_to(root)} imports {names - submodules} "
                    "from the package root"
                )


def test_table_rows_match_the_thesis_for_the_core_methods():
    rows = {row["method"]: row for row in unifying_view_table()}
    assert rows["SVDD"]["model"] == "||phi(x) - c||^2 - R^2"
    assert rows["SVDD"]["regularization"] == "R^2"
    assert rows["SSAD"]["loss"] == "max(0, y s)"
    assert rows["OCSVM"]["model"] == "rho - <w, phi(x)>"
    assert rows["OCSVM"]["regularization"] == "||w||^2 / 2 - rho"
    assert rows["DeepSAD"]["loss"] == "s^y"
    assert "no bias" in rows["DeepSVDD"]["regularization"]
    assert rows["Gaussian"]["loss"] == "-log s"
    assert rows["PCA"]["regularization"] == "orthogonality of W"


def test_the_docs_show_the_current_generated_table():
    page = Path(__file__).resolve().parents[1] / "doc" / "unifying_view.rst"
    assert to_rst(unifying_view_table()) in page.read_text(), (
        "regenerate: python -m skoneclass.unifying_view (see the page)"
    )


def test_decentralization_spreads_the_codes_of_an_autoencoder(task):
    """Hong & Choe's term pushes the tanh codes towards the cube's corners
    and keeps the detector working."""
    X, X_test, y_test = task

    def fit(regularizer):
        return OneClassModel(
            MLP(code_activation="tanh"),
            Reconstruction(),
            MeanScore(),
            regularizer=[WeightDecay(), BiasFree(), *regularizer],
            lr=1e-3,
            max_epochs=50,
            random_state=0,
        ).fit(X)

    def spread(est):
        Z = est.embed(X)
        return np.mean(np.sum(Z**2, axis=1)) / Z.shape[1]

    plain, spread_out = fit([]), fit([Decentralization(lam=1.0)])
    assert spread(spread_out) > spread(plain) + 0.1
    assert labeled_roc_auc(y_test, spread_out.score_samples(X_test)) >= 0.9
    with pytest.raises(ValueError, match="code_activation='tanh'"):
        OneClassModel(MLP(), Reconstruction(), regularizer=Decentralization()).fit(X)


def test_grid_search_over_parts_and_their_parameters(labeled):
    """Parts are parameters: a search may swap a whole part or tune one."""
    from sklearn.model_selection import GridSearchCV, StratifiedKFold

    from skoneclass.metrics import roc_auc_scorer

    X, y, _, _ = labeled
    y = y.copy()
    y[:100] = 1  # some known normals, so that each fold can be scored
    search = GridSearchCV(
        OneClassModel(RandomFourier(n_components=100), random_state=0, **SGD),
        {
            "loss": [MeanScore(), DeepSADLoss(eta=10.0)],
            "feature_map__n_components": [50, 100],
        },
        scoring=roc_auc_scorer,
        cv=StratifiedKFold(2),
    ).fit(X, y)
    assert isinstance(search.best_params_["loss"], DeepSADLoss)
    assert search.best_score_ > 0.9


@pytest.mark.parametrize(
    "name",
    [
        name
        for name, cls in sorted(catalogue.public_estimators().items())
        if hasattr(cls, "get_parts") and cls is not OneClassModel
    ],
)
def test_every_public_estimator_round_trips_through_its_parts(name):
    cls = catalogue.public_estimators()[name]
    X, y, X_test = catalogue.task(cls)
    preset = catalogue.quick(cls)
    model = OneClassModel.from_estimator(preset)
    np.testing.assert_array_equal(
        clone(preset).fit(X, y).score_samples(X_test),
        model.fit(X, y).score_samples(X_test),
    )
