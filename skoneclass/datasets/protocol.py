"""The semi-supervised evaluation protocol of Deep SAD (thesis section 2.3.4)."""

import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state


def setting_counts(n_normal, ratio_known_normal, ratio_known_outlier, ratio_pollution):
    """Known normals, unlabeled normals, unlabeled anomalies, known anomalies.

    The counts that give ``n_normal`` training normals the three ratios:
    the reference code's linear system, its float solution truncated as the
    code truncates it (``create_semisupervised_setting``).
    """
    r_kn, r_ko, r_p = ratio_known_normal, ratio_known_outlier, ratio_pollution
    a = np.array(
        [
            [1, 1, 0, 0],
            [1 - r_kn, -r_kn, -r_kn, -r_kn],
            [-r_ko, -r_ko, -r_ko, 1 - r_ko],
            [0, -r_p, 1 - r_p, 0],
        ]
    )
    return np.linalg.solve(a, [n_normal, 0, 0, 0]).astype(int)


def semisupervised_split(
    X,
    y,
    *,
    test_size=0.4,
    ratio_known_normal=0.0,
    ratio_known_outlier=0.01,
    ratio_pollution=0.0,
    random_state=None,
):
    """Train/test split with a semi-supervised training set, as in the thesis.

    Normals and anomalies are split into train and test separately (keeping
    the anomaly ratio in both parts). The training part is then rebuilt so
    that ``ratio_known_normal`` of it are labeled normals, ``ratio_known_outlier``
    labeled anomalies (gamma_l) and ``ratio_pollution`` of its unlabeled part
    unlabeled anomalies (gamma_p); the training anomalies not needed are
    dropped. This is ``create_semisupervised_setting`` of the Deep SAD
    reference code, with a local random generator.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        Ground truth, +1 normal and -1 anomaly.
    test_size : float, default=0.4
    ratio_known_normal, ratio_known_outlier, ratio_pollution : float
        The fractions above; defaults give the thesis's ODDS setting
        (gamma_l = 0.01, gamma_p = 0).
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X_train : ndarray
    y_train : ndarray of int
        +1 labeled normal, -1 labeled anomaly, 0 unlabeled.
    X_test : ndarray
    y_test : ndarray of int
        +1 normal, -1 anomaly.
    """
    rng = check_random_state(random_state)
    X, y = np.asarray(X), np.asarray(y)
    normal, outlier = np.flatnonzero(y == 1), np.flatnonzero(y == -1)
    seed = rng.randint(np.iinfo(np.int32).max)
    tr_n, te_n = train_test_split(normal, test_size=test_size, random_state=seed)
    tr_o, te_o = train_test_split(outlier, test_size=test_size, random_state=seed)

    n_known_normal, n_unl_normal, n_unl_outlier, n_known_outlier = setting_counts(
        len(tr_n), ratio_known_normal, ratio_known_outlier, ratio_pollution
    )
    if n_unl_outlier + n_known_outlier > len(tr_o):
        raise ValueError(
            f"The ratios need {n_unl_outlier + n_known_outlier} training anomalies "
            f"but only {len(tr_o)} are available."
        )
    tr_n, tr_o = rng.permutation(tr_n), rng.permutation(tr_o)
    known_normal = tr_n[:n_known_normal]
    unl_normal = tr_n[n_known_normal : n_known_normal + n_unl_normal]
    unl_outlier = tr_o[:n_unl_outlier]
    known_outlier = tr_o[n_unl_outlier : n_unl_outlier + n_known_outlier]

    idx = np.concatenate([unl_normal, unl_outlier, known_normal, known_outlier])
    labels = np.concatenate(
        [
            np.zeros(len(unl_normal) + len(unl_outlier), dtype=int),
            np.ones(len(known_normal), dtype=int),
            -np.ones(len(known_outlier), dtype=int),
        ]
    )
    test = np.concatenate([te_n, te_o])
    return X[idx], labels, X[test], y[test]


def one_vs_rest_split(X, y, normal_class, *, train_size=0.7, n_labeled=0,
                      random_state=None):  # fmt: skip
    """One class normal, every other class anomalous (the image AD protocol).

    ``train_size`` of the normal class's samples train; the test set is the
    rest of the normal class and every sample of the other classes, except
    ``n_labeled`` of them, drawn at random, which join the training set as
    labeled anomalies (y == -1).

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
    y : ndarray of shape (n_samples,)
        Class labels.
    normal_class : label
        The class that is normal.
    train_size : float in (0, 1), default=0.7
    n_labeled : int, default=0
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X_train, y_train, X_test, is_anomaly : ndarrays
        ``y_train`` is 0 (unlabeled) or -1 (labeled anomaly); ``is_anomaly``
        is 1 for the test samples of the other classes.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> X, y = load_digits(return_X_y=True)
    >>> X_train, y_train, X_test, is_anomaly = one_vs_rest_split(
    ...     X / 16, y, normal_class=3, n_labeled=5, random_state=0)
    >>> X_train.shape, int((y_train == -1).sum()), int(is_anomaly.sum())
    ((133, 64), 5, 1609)
    """
    rng = check_random_state(random_state)
    y = np.asarray(y)
    normal = rng.permutation(np.flatnonzero(y == normal_class))
    n_train = int(train_size * len(normal))
    others = rng.permutation(np.flatnonzero(y != normal_class))
    labeled, rest = others[:n_labeled], others[n_labeled:]
    test = np.concatenate([normal[n_train:], rest])
    X_train = np.concatenate([X[normal[:n_train]], X[labeled]])
    y_train = np.zeros(len(X_train), dtype=int)
    y_train[n_train:] = -1
    return X_train, y_train, X[test], (y[test] != normal_class).astype(int)


def make_big_moon_small_moon(n_samples=1000, n_outliers=0, *, noise=0.05,
                             random_state=None):  # fmt: skip
    """The thesis's two-dimensional toy data (Figure 1.4).

    The normal law is two one-dimensional manifolds of different scales: a
    big half circle and a small one nested under it (bimodal, two-scale,
    non-convex), observed with Gaussian noise. Outliers are uniform over the
    displayed range.

    Parameters
    ----------
    n_samples : int, default=1000
        Normal samples.
    n_outliers : int, default=0
        Uniform outliers appended after them.
    noise : float, default=0.05
        Standard deviation of the Gaussian noise, relative to the big moon's
        radius of 1.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    X : ndarray of shape (n_samples + n_outliers, 2)
    y : ndarray of shape (n_samples + n_outliers,)
        +1 normal, -1 outlier.

    Examples
    --------
    >>> X, y = make_big_moon_small_moon(200, 20, random_state=0)
    >>> X.shape, int((y == -1).sum())
    ((220, 2), 20)
    """
    rng = check_random_state(random_state)
    n_big = int(round(2 / 3 * n_samples))
    angle = rng.uniform(0, np.pi, n_samples)
    big = np.column_stack([np.cos(angle[:n_big]), np.sin(angle[:n_big])])
    # The small moon: a third of the radius, opening the other way, under
    # the big one's center.
    small_angle = angle[n_big:]
    small = np.column_stack(
        [0.35 * np.cos(small_angle), 0.15 - 0.35 * np.sin(small_angle)]
    )
    X = np.vstack([big, small]) + noise * rng.randn(n_samples, 2)
    outliers = rng.uniform([-1.5, -0.6], [1.5, 1.4], size=(n_outliers, 2))
    y = np.r_[np.ones(n_samples, dtype=int), -np.ones(n_outliers, dtype=int)]
    return np.vstack([X, outliers]), y
