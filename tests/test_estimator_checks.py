"""scikit-learn's own estimator checks over every skoneclass detector."""

from sklearn.utils.estimator_checks import parametrize_with_checks

from skoneclass import (
    DRA,
    HSC,
    OIAD,
    RSCVAE,
    VAE,
    AutoEncoder,
    AutoencoderEmbedding,
    DecentralizationAE,
    DeepSAD,
    DeepSVDD,
    DeepSVDDEmbedding,
    DevNet,
    OneClassModel,
)
from skoneclass.parts import DeepSADLoss, Hinge, Hypersphere, Kernel, RandomFourier

from .conftest import DETECTORS

ESTIMATORS = [
    *DETECTORS,
    # Deep detectors with few epochs: the checks test the API, not the fit.
    DeepSVDD(max_epochs=2, pretrain_epochs=1, random_state=0),
    DeepSVDD(objective="soft-boundary", max_epochs=2, pretrain=None, random_state=0),
    DeepSAD(max_epochs=2, pretrain_epochs=1, random_state=0),
    AutoEncoder(max_epochs=2, random_state=0),
    HSC(max_epochs=2, random_state=0),
    # The VAE family (issue 5), each with its own parts.
    VAE(max_epochs=2, random_state=0),
    VAE(anomaly_score="iwae", max_epochs=2, random_state=0),
    RSCVAE(max_epochs=2, random_state=0),
    DecentralizationAE(center="moving", max_epochs=2, random_state=0),
    OIAD(max_epochs=2, discriminator_dims=(8,), n_morphs=3, random_state=0),
    # Open-set supervised detectors (issue 6); DRA also fits without labels.
    # FCDD and CVDD are not here: they take images and token sequences, not
    # the checks' tabular data (their API is tested in test_images_text.py).
    DRA(max_epochs=2, random_state=0),
    DevNet(max_epochs=2, random_state=0),
    # OneClassModel through each solver: SGD on a network, SGD on a fixed
    # explicit map (semi-supervised), and the exact QP.
    OneClassModel(max_epochs=2, random_state=0),
    OneClassModel(
        RandomFourier(n_components=20),
        Hypersphere(),
        DeepSADLoss(),
        solver="sgd",
        max_epochs=2,
        random_state=0,
    ),
    OneClassModel(Kernel(), Hypersphere(), Hinge()),
    AutoencoderEmbedding(AutoEncoder(max_epochs=2, random_state=0)),
    DeepSVDDEmbedding(DeepSVDD(max_epochs=2, pretrain=None, random_state=0)),
]

try:  # PyOD is a dev dependency, not a runtime one.
    from pyod.models.knn import KNN

    from skoneclass.pyod_bridge import PyODDetector

    ESTIMATORS.append(PyODDetector(KNN(n_neighbors=3)))
except ImportError:
    pass

# The checks pass class labels such as {1, 2} or {0, 1, 2} as y. A
# semi-supervised detector must reject them: they are not in {-1, 0, +1}, and
# reading them as labels would silently fit a wrong model.
_LABELS_REJECTED = (
    "the check passes y with values outside {-1, 0, +1}, which semi-supervised "
    "detectors reject by design"
)


# Every check below fails on that ValueError alone (verified one by one); the
# properties they test are covered with valid labels in test_properties.py.
_LABEL_CHECKS = (
    "check_classifier_data_not_an_array",
    "check_dict_unchanged",
    "check_dont_overwrite_parameters",
    "check_dtype_object",
    "check_estimators_dtypes",
    "check_estimators_fit_returns_self",
    "check_estimators_overwrite_params",
    "check_f_contiguous_array_estimator",
    "check_fit2d_1feature",
    "check_fit2d_predict1d",
    "check_fit_score_takes_y",
    "check_methods_sample_order_invariance",
    "check_methods_subset_invariance",
    "check_n_features_in_after_fitting",
    "check_positive_only_tag_during_fit",
    "check_readonly_memmap_input",
)


# HSC and DevNet are classifiers against negatives and refuses to fit without any; these
# checks fit on unlabeled data only (verified one by one). Its invariants are
# tested with labels in test_deep.py.
_NEGATIVES_CHECKS = (
    "check_estimators_nan_inf",
    "check_estimators_pickle",
    "check_estimators_pickle(readonly_memmap=True)",
    "check_fit_check_is_fitted",
    "check_fit_idempotent",
    "check_n_features_in",
    "check_outliers_fit_predict",
    "check_outliers_train",
    "check_outliers_train(readonly_memmap=True)",
    "check_pipeline_consistency",
)


def expected_failed_checks(estimator):
    expected = {}
    if getattr(estimator, "_uses_labels", False):
        expected.update(dict.fromkeys(_LABEL_CHECKS, _LABELS_REJECTED))
    if isinstance(estimator, HSC | DevNet):
        expected.update(
            dict.fromkeys(
                _NEGATIVES_CHECKS,
                f"{type(estimator).__name__} needs labeled negatives (y == -1)",
            )
        )
    return expected


@parametrize_with_checks(
    ESTIMATORS, expected_failed_checks=expected_failed_checks, xfail_strict=True
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
