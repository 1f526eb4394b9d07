"""OneClassModel: any combination of parts, trained by the right solver.

The thesis's unifying view (section 4.3) writes every method as

    min_theta 1/n sum_i l(f_theta(x_i), y_i) + R(f, phi, theta)

for a loss l, a model f_theta, a feature map phi, a regularizer R and an
inference mode. :class:`OneClassModel` takes these five as parameters. It
solves a combination exactly where a classical solver exists (the duals of
SVDD and SSAD, libsvm for the OC-SVM, eigendecompositions, EM, closed forms;
those are the named shallow estimators) and otherwise by SGD with the skorch
engine of the deep estimators. The named estimators are presets:
``OneClassModel(**DeepSAD().get_parts())`` is Deep SAD.
"""

import numpy as np
from sklearn.utils._param_validation import StrOptions
from sklearn.utils.validation import check_is_fitted

from ._docstrings import shared_parameters
from .base import BaseDetector
from .deep.rules import check_sgd_parts
from .deep.solver import (
    TRAINING_PARAMETER_CONSTRAINTS,
    SGDModel,
    draw_seed,
    fit_feature_map,
    transform,
)
from .parts import INFERENCE_MODES, make_parts
from .parts.feature_maps import FeatureMap, Kernel
from .parts.losses import (
    Hinge,
    KernelMEstimation,
    Loss,
    MeanScore,
    NegativeLogLikelihood,
    SemiSupervisedHinge,
)
from .parts.models import (
    Ellipsoid,
    GaussianDensity,
    GaussianMixture,
    Hyperplane,
    Hypersphere,
    LatentDensity,
    Model,
    ParzenDensity,
    Prototypes,
    Subspace,
)
from .parts.networks import MLP
from .parts.regularizers import (
    AutoencoderPretraining,
    BiasFree,
    Regularizer,
    WeightDecay,
)
from .shallow import GMM, KDE, MVE, OCSVM, PCA, SSAD, SVDD, Gaussian, KernelPCA, KMeans


def _kernel_params(feature_map):
    if isinstance(feature_map, Kernel):
        return feature_map.get_params()
    # An explicit map: the kernel is the inner product of its features.
    return {"kernel": "linear"}


# The parts share their parameter names with the estimators that solve them.
def _svdd(fm, model, loss, rs):
    return SVDD(**_kernel_params(fm), nu=loss.nu)


def _ssad(fm, model, loss, rs):
    return SSAD(**_kernel_params(fm), **loss.get_params())


def _ocsvm(fm, model, loss, rs):
    return OCSVM(**_kernel_params(fm), nu=loss.nu, **model.get_params())


def _pca(fm, model, loss, rs):
    if isinstance(fm, Kernel):
        return KernelPCA(**_kernel_params(fm), **model.get_params())
    return PCA(**model.get_params())


def _gaussian(fm, model, loss, rs):
    return Gaussian(**model.get_params(), random_state=rs)


def _gmm(fm, model, loss, rs):
    return GMM(**model.get_params(), random_state=rs)


def _kde(fm, model, loss, rs):
    return KDE(**model.get_params(), loss="squared")


def _robust_kde(fm, model, loss, rs):
    return KDE(**model.get_params(), loss=loss.rho)


def _kmeans(fm, model, loss, rs):
    return KMeans(**model.get_params(), random_state=rs)


def _mve(fm, model, loss, rs):
    return MVE(nu=loss.nu, **model.get_params())


#: (model, loss, takes an implicit kernel) -> the exact solver's estimator.
EXACT_SOLVERS = {
    (Hypersphere, Hinge): (_svdd, True),
    (Hypersphere, SemiSupervisedHinge): (_ssad, True),
    (Hyperplane, Hinge): (_ocsvm, True),
    (Subspace, MeanScore): (_pca, True),
    (GaussianDensity, NegativeLogLikelihood): (_gaussian, False),
    (GaussianMixture, NegativeLogLikelihood): (_gmm, False),
    (ParzenDensity, NegativeLogLikelihood): (_kde, False),
    (ParzenDensity, KernelMEstimation): (_robust_kde, False),
    (Prototypes, MeanScore): (_kmeans, False),
    (Ellipsoid, Hinge): (_mve, False),
}


def _as_tuple(regularizer):
    if regularizer is None:
        return ()
    if isinstance(regularizer, list | tuple):
        return tuple(regularizer)
    return (regularizer,)


@shared_parameters()
class OneClassModel(BaseDetector):
    """A one-class model composed of the five dimensions of the unifying view.

    Minimizes ``1/n sum_i l(f_theta(x_i), y_i) + R(f, phi, theta)`` for the
    given loss l, model f_theta on the feature map phi, and regularizers R;
    ``score_samples(x) = -f_theta*(x)`` (``log f_theta*(x)`` for densities).
    The defaults are One-Class Deep SVDD. Combinations that a classical
    solver handles exactly (kernel or raw-input hypersphere / hyperplane with
    a hinge, subspaces, densities, prototypes, ellipsoids) are fitted by the
    named shallow estimator of that combination; every other trainable
    combination is trained by SGD (the skorch engine of the deep estimators,
    whose training parameters below it uses). Combinations that neither can
    train raise a ValueError naming the parts.

    Parameters
    ----------
    feature_map : FeatureMap or None, default=None
        phi: :class:`~skoneclass.parts.Identity`, ``Kernel``,
        ``RandomFourier``, ``Nystroem``, ``Embedding``, ``MLP``, ``LeNet``,
        ``ConvNet``. None is ``MLP()``.
    model : Model or None, default=None
        f_theta: ``Hypersphere``, ``Hyperplane``, ``GaussianDensity``,
        ``GaussianMixture``, ``ParzenDensity``, ``Subspace``,
        ``Reconstruction``, ``LatentDensity``, ``Prototypes``, ``Ellipsoid``. None is
        ``Hypersphere()``.
    loss : Loss or None, default=None
        l: ``MeanScore``, ``Hinge``, ``SemiSupervisedHinge``,
        ``DeepSADLoss``, ``HSCLoss``, ``NegativeLogLikelihood``,
        ``KernelMEstimation``,
        ``SemanticDeviationLoss``. None is
        ``MeanScore()``. A loss that uses labels makes ``fit`` validate ``y``.
    regularizer : Regularizer, sequence of them, None or "auto", default="auto"
        R: ``WeightDecay``, ``BiasFree``, ``AutoencoderPretraining``,
        ``Orthogonality``, ``Decentralization``; for a ``LatentDensity``
        also ``Recoding``, ``TotalCorrelation``, ``PriorPrecision``,
        ``DistributionShift``. "auto": Deep SVDD's ``(WeightDecay(1e-6),
        BiasFree(), AutoencoderPretraining())`` on a trainable feature map,
        none otherwise. None: no regularizer.
    inference : {"frequentist", "bayesian"}, default="frequentist"
        "bayesian": variational inference of the codes of a
        ``LatentDensity`` model (a VAE), trained by SGD on the negative ELBO.
        Every other model is fitted by frequentist inference.
    solver : {"auto", "exact", "sgd"}, default="auto"
        "auto": exact where the combination has an exact solver and the
        feature map is not trainable, else SGD. "sgd" on a fixed explicit
        feature map trains the model's own parameters (e.g. a learned center
        and radius: kernel SVDD by SGD on random Fourier features).
    {shared}
    random_state : int, RandomState instance or None, default=None
        Seeds the network, random feature maps, batch order and the
        randomized exact solvers.
    contamination : "auto" or float in (0, 0.5], default="auto"

    Attributes
    ----------
    solver_ : {"exact", "sgd"}
    estimator_ : BaseDetector
        The fitted solver: the named estimator that solved the combination
        exactly, or the SGD solver (:class:`~skoneclass.deep.solver.SGDModel`)
        that trained it. Its fitted attributes are this model's too.
    net_ : skorch.NeuralNet
        The trained SGD engine (``estimator_.net_``).
    feature_map_ : FeatureMap or None
        The fitted fixed feature map (None for implicit and trainable maps).
    radius_, center_
        Hypersphere models trained by SGD with a hinge loss / a center.
    offset_ : float
        The solver's offset.
    n_features_in_ : int

    See Also
    --------
    skoneclass.describe : the parts of a named estimator.

    Examples
    --------
    Kernel SVDD trained by SGD on random Fourier features:

    >>> import numpy as np
    >>> from skoneclass import OneClassModel
    >>> from skoneclass.parts import Hinge, Hypersphere, RandomFourier
    >>> X = np.random.RandomState(0).randn(300, 2)
    >>> est = OneClassModel(
    ...     feature_map=RandomFourier(n_components=200),
    ...     model=Hypersphere(),
    ...     loss=Hinge(nu=0.1),
    ...     solver="sgd", lr=1e-2, max_epochs=20, random_state=0,
    ... ).fit(X)
    >>> bool(est.score_samples([[0.0, 0.0]])[0] > est.score_samples([[4.0, 4.0]])[0])
    True
    """

    _parameter_constraints = {
        **BaseDetector._parameter_constraints,
        **TRAINING_PARAMETER_CONSTRAINTS,
        "feature_map": [FeatureMap, None],
        "model": [Model, None],
        "loss": [Loss, None],
        "regularizer": [Regularizer, list, tuple, StrOptions({"auto"}), None],
        "inference": [StrOptions(set(INFERENCE_MODES))],
        "solver": [StrOptions({"auto", "exact", "sgd"})],
    }

    def __init__(
        self,
        feature_map=None,
        model=None,
        loss=None,
        regularizer="auto",
        inference="frequentist",
        solver="auto",
        optimizer="adam",
        lr=1e-4,
        lr_milestones=(50,),
        max_epochs="auto",
        batch_size="auto",
        device="auto",
        random_state=None,
        n_networks=1,
        callbacks=None,
        verbose=0,
        contamination="auto",
    ):
        self.feature_map = feature_map
        self.model = model
        self.loss = loss
        self.regularizer = regularizer
        self.inference = inference
        self.solver = solver
        self.optimizer = optimizer
        self.lr = lr
        self.lr_milestones = lr_milestones
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.device = device
        self.random_state = random_state
        self.n_networks = n_networks
        self.callbacks = callbacks
        self.verbose = verbose
        self.contamination = contamination

    @classmethod
    def from_estimator(cls, estimator, **params):
        """The OneClassModel with the parts and training settings of ``estimator``.

        Parameters
        ----------
        estimator : skoneclass estimator
            Any named estimator (a preset), fitted or not.
        **params
            Overrides, e.g. ``loss=DeepSADLoss(eta=2.0)``.

        Returns
        -------
        model : OneClassModel
            Unfitted; fitted on the same data with the same ``random_state``
            it gives the same scores as ``estimator``.
        """
        own = estimator.get_params(deep=False)
        # A preset's ``solver`` (SVDD's "smo" or "qp") picks an exact method;
        # OneClassModel's picks exact or SGD, which the parts decide.
        shared = {
            k: v
            for k, v in own.items()
            if k in cls._get_param_names() and k != "solver"
        }
        return cls(**{**shared, **estimator.get_parts(), **params})

    def get_parts(self):
        """The five dimensions, with the defaults resolved.

        Returns
        -------
        parts : dict
            ``feature_map``, ``model``, ``loss``, ``regularizer`` (tuple),
            ``inference``.
        """
        feature_map = MLP() if self.feature_map is None else self.feature_map
        if self.regularizer == "auto":
            regularizer = (
                (WeightDecay(), BiasFree(), AutoencoderPretraining())
                if feature_map.kind == "trainable"
                else ()
            )
        else:
            regularizer = _as_tuple(self.regularizer)
        return make_parts(
            feature_map,
            Hypersphere() if self.model is None else self.model,
            MeanScore() if self.loss is None else self.loss,
            regularizer,
            self.inference,
        )

    @property
    def _uses_labels(self):
        return (MeanScore() if self.loss is None else self.loss).uses_labels

    def _resolve_solver(self, parts):
        feature_map, model, loss = parts["feature_map"], parts["model"], parts["loss"]
        if parts["inference"] != "frequentist" or isinstance(model, LatentDensity):
            # Variational inference is SGD's alone; the checks name the parts.
            check_sgd_parts(
                feature_map, model, loss, parts["regularizer"], parts["inference"]
            )
            if self.solver == "exact":
                raise ValueError(
                    f"model={model!r} with inference={parts['inference']!r} has "
                    "no exact solver; use solver='sgd' or 'auto'."
                )
            return "sgd", None
        factory, takes_kernel = EXACT_SOLVERS.get(
            (type(model), type(loss)), (None, False)
        )
        if self.solver == "auto" and factory is None:
            try:
                check_sgd_parts(
                    feature_map, model, loss, parts["regularizer"], parts["inference"]
                )
            except ValueError as error:
                raise ValueError(
                    f"model={model!r} with loss={loss!r} has no exact solver, "
                    f"nor an SGD one: {error}"
                ) from None
        if self.solver == "sgd" or (
            self.solver == "auto"
            and (factory is None or feature_map.kind == "trainable")
        ):
            return "sgd", None
        if factory is None:
            raise ValueError(
                f"model={model!r} with loss={loss!r} has no exact solver; "
                "use solver='sgd'."
            )
        if feature_map.kind == "trainable":
            raise ValueError(
                f"feature_map={feature_map!r} is trained by SGD; the exact "
                f"solver of model={model!r} needs a fixed or kernel feature map."
            )
        if feature_map.kind == "implicit" and not takes_kernel:
            raise ValueError(
                f"model={model!r} works on explicit features, not on the "
                f"implicit feature_map={feature_map!r}; use RandomFourier() or "
                "Nystroem() for an explicit kernel map."
            )
        if isinstance(model, Hypersphere) and model.center not in ("auto", "learned"):
            raise ValueError(
                f"model={model!r}: the exact solver learns the center; use "
                "center='auto' or 'learned'."
            )
        if parts["regularizer"]:
            raise ValueError(
                f"regularizer={parts['regularizer']!r} acts on SGD-trained "
                f"networks; the exact solver of model={model!r} with "
                f"loss={loss!r} takes none (its own regularization is built in)."
            )
        return "exact", factory

    #: The SGD solver's, documented here.
    _training_recipe = SGDModel._training_recipe

    # float32 stays float32 for the SGD solver, which trains in float32.
    _input_dtypes = (np.float64, np.float32)

    def _fit(self, X, y):
        parts = self.get_parts()
        self.solver_, factory = self._resolve_solver(parts)
        if self.solver_ == "sgd":
            training = {
                k: getattr(self, k)
                for k in (*TRAINING_PARAMETER_CONSTRAINTS, "contamination")
            }
            shape = getattr(self, "image_shape_", None)  # None for text
            if shape is not None:
                # The solver reads the images' shape from the images.
                X = X.reshape(-1, *shape)
            self.estimator_ = SGDModel(**parts, **training).fit(X, y)
            return None
        if self.n_networks != 1:
            raise ValueError(
                f"n_networks={self.n_networks} applies to networks trained by "
                f"SGD; these parts are solved exactly ({factory.__name__.strip('_')}),"
                " which gives one model. Pass solver='sgd' or n_networks=1."
            )
        feature_map = parts["feature_map"]
        self.feature_map_ = fit_feature_map(
            feature_map, X, draw_seed(self.random_state)
        )
        estimator = factory(
            feature_map, parts["model"], parts["loss"], self.random_state
        )
        estimator.set_params(contamination=self.contamination)
        self.estimator_ = estimator.fit(transform(self.feature_map_, X), y)
        return None

    def _compute_offset(self, X, boundary):
        # The solver set its offset with the same contamination.
        return self.estimator_.offset_

    def _score_samples(self, X):
        if self.solver_ == "exact":
            return self.estimator_.score_samples(transform(self.feature_map_, X))
        return self.estimator_.score_samples(X)

    def __getattr__(self, name):
        # The SGD solver's fitted state (net_, history_, center_, radius_,
        # feature_map_, ...) is the model's: e.g. ``model.net_``.
        estimator = self.__dict__.get("estimator_")
        if (
            self.__dict__.get("solver_") == "sgd"
            and estimator is not None
            and name.endswith("_")
            and not name.startswith("_")
        ):
            return getattr(estimator, name)
        raise AttributeError(
            f"{type(self).__name__!r} object has no attribute {name!r}"
        )

    def _sgd_solver(self, method):
        check_is_fitted(self)
        if self.solver_ != "sgd":
            raise AttributeError(
                f"{method} needs a model trained by SGD; this one was solved "
                f"exactly by {type(self.estimator_).__name__}."
            )
        return self.estimator_

    def embed(self, X):
        """The learned representation phi(x) of each sample (SGD models).

        See :meth:`skoneclass.deep.solver.BaseDeepDetector.embed`.
        """
        return self._sgd_solver("embed").embed(X)

    def reconstruct(self, X):
        """The model's reconstruction of each sample (autoencoders, VAEs).

        See :meth:`skoneclass.deep.solver.BaseDeepDetector.reconstruct`.
        """
        return self._sgd_solver("reconstruct").reconstruct(X)
