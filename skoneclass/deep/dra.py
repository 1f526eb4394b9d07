"""Open-set supervised detectors: DevNet and DRA (Ding, Pang & Shen, 2022).

Both learn anomaly scores from a few labeled anomalies with DevNet's
:class:`~skoneclass.parts.DeviationLoss` and balanced batches. DevNet is a
preset of the parts (an MLP, a linear score, the deviation loss). DRA adds
disentangled heads: seen anomalies, pseudo anomalies (made from normal data),
the residual to normal reference samples, and normality; its model is its
own torch module, trained by the same engine.
"""

from numbers import Integral, Real

from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from torch import nn

from .._docstrings import shared_parameters
from ..parts.base import PositiveInts
from ..parts.losses import DeviationLoss
from ..parts.models import DisentangledHeads, LinearScore
from ..parts.networks import FCN, MLP, TorchModule
from ..parts.regularizers import DistributionShift, GradientClipping, WeightDecay
from .presets import NetworkPreset
from .solver import BaseDeepDetector


@shared_parameters()
class DevNet(NetworkPreset):
    """Deviation Networks (Pang, Shen & van den Hengel, 2019).

    A network phi and a linear score ``s(x) = <w, phi(x)> + b`` trained with
    the deviation loss: with N(0, 1) as the reference distribution of
    scores, normal and unlabeled samples pay ``|s|`` and labeled anomalies
    (``y == -1``) ``max(0, margin - s)``. Half of every batch are labeled
    anomalies (balanced sampling). ``score_samples = -s(x)``. Needs labeled
    anomalies.

    DevNet's network is one hidden layer of 20 ReLU units with L2 weight
    0.01; here the MLP's linear code layer (``rep_dim``) sits between it and
    the score, which adds no expressiveness.

    Parameters
    ----------
    margin : float, default=5.0
        a, the z-score anomalies must exceed.
    anomaly_fraction : float in (0, 1), default=0.5
        Share of labeled anomalies in each batch.
    {shared}

    Attributes
    ----------
    net_ : skorch.NeuralNet
    history_ : skorch.History
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import DevNet
    >>> rng = np.random.RandomState(0)
    >>> X = np.r_[rng.randn(200, 4), rng.randn(10, 4) + 4]
    >>> y = np.r_[np.zeros(200), -np.ones(10)]  # 10 labeled anomalies
    >>> est = DevNet(max_epochs=20, random_state=0).fit(X, y)
    >>> bool(est.score_samples([[0.0] * 4])[0] > est.score_samples([[4.0] * 4])[0])
    True
    """

    _training_recipe = {"batch_size": 64, "max_epochs": 100}

    _parameter_constraints = {
        **NetworkPreset._parameter_constraints,
        "margin": [Interval(Real, 0, None, closed="neither")],
        "anomaly_fraction": [Interval(Real, 0, 1, closed="neither")],
    }
    _uses_labels = True

    def __init__(
        self,
        margin=5.0,
        anomaly_fraction=0.5,
        network="mlp",
        hidden_dims=(20,),
        rep_dim=20,
        activation="relu",
        negative_slope=0.01,
        batch_norm=False,
        weight_init="glorot",
        optimizer="adam",
        lr=1e-3,
        lr_milestones=None,
        max_epochs="auto",
        batch_size="auto",
        weight_decay=0.01,
        device="auto",
        random_state=None,
        n_networks=1,
        callbacks=None,
        verbose=0,
        contamination="auto",
    ):
        super().__init__(
            network=network,
            hidden_dims=hidden_dims,
            rep_dim=rep_dim,
            activation=activation,
            negative_slope=negative_slope,
            batch_norm=batch_norm,
            weight_init=weight_init,
            optimizer=optimizer,
            lr=lr,
            lr_milestones=lr_milestones,
            max_epochs=max_epochs,
            batch_size=batch_size,
            weight_decay=weight_decay,
            device=device,
            random_state=random_state,
            n_networks=n_networks,
            callbacks=callbacks,
            verbose=verbose,
            contamination=contamination,
        )
        self.margin = margin
        self.anomaly_fraction = anomaly_fraction

    def get_parts(self):
        """A network, a linear score and the deviation loss."""
        return {
            "feature_map": self._feature_map(),
            "model": LinearScore(),
            "loss": DeviationLoss(self.margin, anomaly_fraction=self.anomaly_fraction),
            "regularizer": self._regularizers(bias=True),
            "inference": "frequentist",
        }


#: The heads of DRA, in the order of :meth:`DRA.head_scores`' columns.
HEADS = ("seen", "pseudo", "residual", "normal")


@shared_parameters()
class DRA(BaseDeepDetector):
    """Disentangled Representations of Abnormalities (Ding et al., CVPR 2022).

    Open-set supervised detection: a few labeled anomalies (``y == -1``)
    from *seen* classes, and *unseen* anomalies expected at test time. A
    shared feature network feeds four heads (see :class:`DRANet`), each
    trained with the deviation loss on its own samples:

    - seen: labeled anomalies vs normal samples, top-k MIL over patches;
    - pseudo: pseudo anomalies made from normal samples (cut-and-paste on
      images, feature cut-mix on rows) vs normal samples;
    - residual: the features' residual to ``n_reference`` normal reference
      samples, anomalies (labeled or pseudo) vs normal;
    - normality: pooled features, normal vs all anomalies.

    The anomaly score is ``g_s + g_p + g_r - g_n``; ``score_samples`` is its
    negative. Without labeled anomalies the seen head is left out (a
    "zero-shot" DRA). Half of every batch are labeled anomalies when there
    are some, and each other sample becomes a pseudo anomaly with
    probability ``pseudo_fraction``.

    Image input (n, C, H, W) uses a CNN from scratch (no pretrained weights
    are downloaded): convolution blocks whose last map's pixels are the
    patches. Rows use an MLP with one patch (top-k of one is the identity).
    ``network`` may be any torch module mapping the input batch to features
    (n, E, h, w) or (n, E), e.g. a pretrained ResNet-18 trunk the user has.

    Differences from the paper, for a deterministic estimator on small
    data: the references are drawn once at ``fit`` (seeded) and kept; one
    input scale (no image pyramid); no rotation augmentation; the residual
    block is a per-patch dense layer (a 1x1 instead of a 3x3 convolution).

    Parameters
    ----------
    network : "auto", "cnn", "mlp" or torch.nn.Module, default="auto"
        "auto": "cnn" for image input, "mlp" for rows.
    channels : tuple of int, default=(32, 64)
        CNN blocks (2x2 pooling between them).
    hidden_dims : tuple of int, default=(128, 64)
        MLP widths; the last is the feature size E.
    margin : float, default=5.0
        The deviation loss's a.
    topk_ratio : float in (0, 1], default=0.1
        k = max(1, floor(topk_ratio * patches)).
    n_reference : int, default=5
    pseudo_anomalies : {"auto", "cutpaste", "confetti", "feature_cutmix", \
"feature_mask"} or nn.Module, default="auto"
        "auto": "cutpaste" on images, "feature_cutmix" on rows.
    pseudo_fraction : float in [0, 1], default=0.5
    anomaly_fraction : float in (0, 1), default=0.5
    grad_clip : float or None, default=1.0
        Gradient norm clipping.
    {shared}

    Attributes
    ----------
    net_ : skorch.NeuralNet
    n_labeled_anomalies_ : int
    history_ : skorch.History
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import DRA
    >>> rng = np.random.RandomState(0)
    >>> X = np.r_[rng.randn(200, 4), rng.randn(10, 4) + 4]
    >>> y = np.r_[np.zeros(200), -np.ones(10)]  # 10 labeled anomalies
    >>> dra = DRA(max_epochs=5, random_state=0).fit(X, y)
    >>> dra.head_scores(X[:2]).shape  # seen, pseudo, residual, normality
    (2, 4)
    """

    _training_recipe = {"batch_size": 64, "max_epochs": 50}

    _parameter_constraints = {
        **BaseDeepDetector._parameter_constraints,
        "network": [StrOptions({"auto", "cnn", "mlp"}), nn.Module],
        "channels": [PositiveInts(min_len=1)],
        "hidden_dims": [PositiveInts(min_len=1)],
        "margin": [Interval(Real, 0, None, closed="neither")],
        "topk_ratio": [Interval(Real, 0, 1, closed="right")],
        "n_reference": [Interval(Integral, 1, None, closed="left")],
        "pseudo_anomalies": [str, nn.Module],
        "pseudo_fraction": [Interval(Real, 0, 1, closed="both")],
        "anomaly_fraction": [Interval(Real, 0, 1, closed="neither")],
        "grad_clip": [Interval(Real, 0, None, closed="neither"), None],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
    }
    _uses_labels = True

    def __init__(
        self,
        network="auto",
        channels=(32, 64),
        hidden_dims=(128, 64),
        margin=5.0,
        topk_ratio=0.1,
        n_reference=5,
        pseudo_anomalies="auto",
        pseudo_fraction=0.5,
        anomaly_fraction=0.5,
        grad_clip=1.0,
        optimizer="adam",
        lr=1e-3,
        lr_milestones=None,
        max_epochs="auto",
        batch_size="auto",
        weight_decay=1e-5,
        device="auto",
        random_state=None,
        n_networks=1,
        callbacks=None,
        verbose=0,
        contamination="auto",
    ):
        self.network = network
        self.channels = channels
        self.hidden_dims = hidden_dims
        self.margin = margin
        self.topk_ratio = topk_ratio
        self.n_reference = n_reference
        self.pseudo_anomalies = pseudo_anomalies
        self.pseudo_fraction = pseudo_fraction
        self.anomaly_fraction = anomaly_fraction
        self.grad_clip = grad_clip
        self.optimizer = optimizer
        self.lr = lr
        self.lr_milestones = lr_milestones
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.device = device
        self.random_state = random_state
        self.n_networks = n_networks
        self.callbacks = callbacks
        self.verbose = verbose
        self.contamination = contamination

    def _kind(self):
        if isinstance(self.network, nn.Module):
            return "module"
        if self.network == "auto":
            return "cnn" if getattr(self, "image_shape_", None) else "mlp"
        return self.network

    def _feature_part(self):
        kind = self._kind()
        if kind == "module":
            images = getattr(self, "image_shape_", None) is not None
            return TorchModule(self.network, image_shape="auto" if images else None)
        if kind == "cnn":
            return FCN(channels=tuple(self.channels))
        return MLP(
            hidden_dims=tuple(self.hidden_dims[:-1]), rep_dim=self.hidden_dims[-1]
        )

    def _transform(self):
        if self.pseudo_anomalies != "auto":
            return self.pseudo_anomalies
        return "cutpaste" if self._kind() == "cnn" else "feature_cutmix"

    def get_parts(self):
        """The shared network with four heads; deviation loss; pseudo anomalies."""
        regularizers = [
            WeightDecay(self.weight_decay),
            DistributionShift(self.pseudo_fraction, self._transform()),
        ]
        if self.grad_clip:
            regularizers.append(GradientClipping(self.grad_clip))
        return {
            "feature_map": self._feature_part(),
            "model": DisentangledHeads(self.topk_ratio, self.n_reference),
            "loss": DeviationLoss(self.margin, anomaly_fraction=self.anomaly_fraction),
            "regularizer": tuple(regularizers),
            "inference": "frequentist",
        }

    def _fit(self, X, y):
        self.n_labeled_anomalies_ = int((y == -1).sum())
        return super()._fit(X, y)

    def head_scores(self, X):
        """Each head's score: which kind of abnormality a sample shows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or images

        Returns
        -------
        scores : ndarray of shape (n_samples, 4)
            Columns ``HEADS``: seen, pseudo, residual, normality (the
            anomaly score is the first three's sum minus the last).
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        return self._batched(self._float64_module().head_scores, X)
