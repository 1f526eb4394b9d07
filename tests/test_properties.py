"""Property-based tests (hypothesis) of invariants every detector must keep.

The number of examples and their seeds come from the profile registered in
conftest.py: fixed draws by default, ``--hypothesis-profile=explore`` for more.
"""

import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.base import clone

from skoneclass import KDE, MVE, OCSVM, PCA, SSAD, SVDD, Gaussian, KernelPCA

from .conftest import DETECTORS, detector_id


@st.composite
def datasets(draw, min_samples=15, max_samples=50):
    """Data in general position: a random affine image of Gaussian noise.

    Hypothesis chooses the shape, the seed, the scale and the shift; the
    Gaussian draw keeps the points distinct, as real-valued data are.
    """
    n = draw(st.integers(min_samples, max_samples))
    d = draw(st.integers(1, 4))
    seed = draw(st.integers(0, 2**31 - 1))
    scale = draw(st.floats(1e-2, 1e2))
    shift = draw(st.floats(-1e3, 1e3))
    rng = np.random.RandomState(seed)
    return shift + scale * rng.randn(n, d) @ (np.eye(d) + 0.5 * rng.randn(d, d))


@st.composite
def labeled_datasets(draw):
    """Data with a few labeled normals and anomalies, for SSAD."""
    X = draw(datasets(min_samples=20))
    rng = np.random.RandomState(draw(st.integers(0, 2**31 - 1)))
    y = np.zeros(len(X), dtype=int)
    idx = rng.permutation(len(X))
    y[idx[:2]] = -1
    y[idx[2:4]] = 1
    return X, y


def _scores(est, X, y=None):
    return clone(est).fit(X, y).score_samples(X)


# Detectors whose fit does not depend on the order of the training rows.
# KDE's "cv" bandwidth (unshuffled folds), k-means, GMM and MCD draw on the order.
ORDER_FREE = [
    OCSVM(tol=1e-8),
    SVDD(),
    KDE(bandwidth=0.7),
    Gaussian(),
    PCA(n_components=0.8),
    KernelPCA(),
    MVE(),
]


@pytest.mark.parametrize("est", DETECTORS, ids=detector_id)
@given(X=datasets(), data=st.data())
def test_scores_follow_a_row_permutation(est, X, data):
    perm = data.draw(st.permutations(range(len(X))))
    fitted = clone(est).fit(X)
    scores = fitted.score_samples(X)
    # Equal up to BLAS rounding, which depends on the row blocking; kernel PCA
    # scores are differences of O(1) terms, hence the absolute floor.
    np.testing.assert_allclose(
        fitted.score_samples(X[perm]),
        scores[perm],
        rtol=1e-9,
        atol=1e-9 * max(1.0, np.abs(scores).max()),
    )


@pytest.mark.parametrize("est", ORDER_FREE, ids=detector_id)
@given(X=datasets(), data=st.data())
def test_fit_does_not_depend_on_row_order(est, X, data):
    perm = np.array(data.draw(st.permutations(range(len(X)))))
    a = clone(est).fit(X).score_samples(X)
    b = clone(est).fit(X[perm]).score_samples(X)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6 * np.abs(a).max())


@pytest.mark.parametrize("est", DETECTORS, ids=detector_id)
@given(X=datasets())
def test_refit_with_same_random_state_is_identical(est, X):
    np.testing.assert_array_equal(_scores(est, X), _scores(est, X))


@pytest.mark.parametrize("est", DETECTORS, ids=detector_id)
@given(X=datasets())
def test_pickle_round_trip_gives_identical_scores(est, X):
    fitted = clone(est).fit(X)
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.score_samples(X), fitted.score_samples(X))
    assert restored.offset_ == fitted.offset_


@pytest.mark.parametrize("est", DETECTORS, ids=detector_id)
@given(X=datasets())
def test_predict_is_the_sign_of_decision_function(est, X):
    fitted = clone(est).fit(X)
    decision = fitted.decision_function(X)
    np.testing.assert_array_equal(fitted.predict(X), np.where(decision < 0, -1, 1))
    assert set(np.unique(fitted.predict(X))) <= {-1, 1}


@given(X=datasets(min_samples=30), nu=st.sampled_from([0.05, 0.1, 0.3]))
def test_svdd_with_rbf_ranks_like_ocsvm(X, nu):
    X = (X - X.mean(0)) / X.std(0)
    a = SVDD(nu=nu, gamma=0.5).fit(X).score_samples(X)
    b = OCSVM(nu=nu, gamma=0.5, tol=1e-7).fit(X).score_samples(X)
    # Every pair the OC-SVM orders clearly, SVDD orders the same way. (Samples
    # on the boundary tie up to the solvers' tolerances and are left out.)
    clear = np.abs(b[:, None] - b[None, :]) > 1e-3 * np.ptp(b)
    agree = np.sign(a[:, None] - a[None, :]) == np.sign(b[:, None] - b[None, :])
    assert agree[clear].all()


# SSAD's invariants with labeled normals and anomalies on drawn data (the
# estimator checks give it labels of one fixed data set each).
@given(Xy=labeled_datasets(), data=st.data())
def test_ssad_invariants_with_labels(Xy, data):
    X, y = Xy
    est = SSAD(nu=0.2)
    fitted = clone(est).fit(X, y)
    scores = fitted.score_samples(X)
    # Idempotent, order-free and pickle-safe fits.
    np.testing.assert_array_equal(_scores(est, X, y), scores)
    perm = np.array(data.draw(st.permutations(range(len(X)))))
    np.testing.assert_allclose(
        _scores(est, X[perm], y[perm]),
        scores[perm],
        rtol=1e-5,
        atol=1e-6 * np.abs(scores).max(),
    )
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.score_samples(X), scores)
    # Methods do not depend on the batch: subsets score as the whole.
    np.testing.assert_allclose(fitted.score_samples(X[:5]), scores[:5], rtol=1e-12)
    # float32 input gives the float64 model up to float32 rounding (measured
    # on standardized data: far from the origin, float32 itself loses it).
    Z = (X - X.mean(0)) / X.std(0)
    z_scores = _scores(est, Z, y)
    np.testing.assert_allclose(
        clone(est).fit(Z.astype(np.float32), y).score_samples(Z),
        z_scores,
        rtol=1e-4,
        atol=1e-5 * np.abs(z_scores).max(),
    )
    # List input works, and fit leaves the parameters untouched.
    clone(est).fit(X.tolist(), y.tolist())
    assert fitted.get_params() == est.get_params()
