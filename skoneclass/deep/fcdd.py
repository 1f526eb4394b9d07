"""FCDD: Fully Convolutional Data Description (thesis section 3.1).

A preset of the parts: a fully convolutional feature map (:class:`FCN`), the
pseudo-Huber :class:`Heatmap` model, the Hypersphere Classifier's loss and
synthetic anomalies (confetti noise) as :class:`DistributionShift`. The
network's output map is a low-resolution anomaly heatmap; :meth:`FCDD.explain`
upsamples it to full resolution with the receptive field's Gaussian.
"""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .._docstrings import shared_parameters
from ..parts.losses import HSCLoss
from ..parts.models import Heatmap
from ..parts.networks import FCN
from ..parts.regularizers import DistributionShift, WeightDecay
from .networks import gaussian_upsample
from .solver import BaseDeepDetector


@shared_parameters(
    random_state="Seeds initialization, batch order and the synthetic anomalies."
)
class FCDD(BaseDeepDetector):
    """Fully Convolutional Data Description (Liznerski et al., 2021; thesis 3.1).

    A fully convolutional network phi maps an image to a u x v map; the
    pseudo-Huber heatmap ``A(x) = sqrt(phi(x)^2 + 1) - 1`` (element-wise) is
    near 0 on normal regions. The objective (thesis eq. 3.1) is the
    Hypersphere Classifier's cross-entropy on ``s(x) = mean_uv A(x)``:

    .. math::

        \\frac{1}{n} \\sum_{y_i \\neq -1} s(x_i)
        - \\frac{\\eta}{n} \\sum_{y_i = -1} \\log(1 - e^{-s(x_i)}),

    with anomalies from labels (``y == -1``, outlier exposure) and, by
    default, synthetic ones: confetti noise pasted into normal training
    images (thesis 3.1.2). The center is the bias of the last layer; the
    negatives prevent its collapse. ``score_samples = -s(x)``;
    :meth:`explain` returns the full-resolution heatmaps.

    Parameters
    ----------
    channels : tuple of int, default=(32, 64, 64)
        Width of the convolution blocks; 2x2 max pooling between blocks, so
        the heatmap side is the image side / 2 ** (len(channels) - 1) (one
        more halving with ``last_block="conv_pool"``).
    kernel_size : int, default=3
    last_block : {"full", "conv_pool"}, default="full"
        "conv_pool" ends the network with a bare convolution and a 2x2 max
        pooling, as the thesis's Fashion-MNIST FCN (appendix B.2:
        ``FCDD(channels=(128, 128), kernel_size=5, last_block="conv_pool")``,
        a 7x7 heatmap of 28x28 images); see :class:`~skoneclass.parts.FCN`.
    synthetic_anomalies : {"confetti", "cutpaste", "flip_rotate"}, nn.Module or None, \
default="confetti"
        How pseudo anomalies are made from normal training images (see
        :class:`~skoneclass.parts.DistributionShift`); None trains on
        labeled anomalies alone.
    synthetic_fraction : float in [0, 1], default=0.5
        Probability that a training image is replaced by a synthetic anomaly.
    eta : float > 0, default=1.0
        Weight of the labeled (and synthetic) samples.
    sigma : float or "auto", default="auto"
        Standard deviation (pixels) of the Gaussian of :meth:`explain`;
        "auto" is a quarter of the receptive field (the thesis's 14 for a
        field of 53 on MVTec-AD, appendix A.4).
    image_shape : "auto" or (C, H, W), default="auto"
        "auto": ``X`` holds images (n, C, H, W) or (n, H, W). A tuple lets
        ``X`` hold them flattened.
    {shared}

    Attributes
    ----------
    net_ : skorch.NeuralNet
    image_shape_ : tuple (C, H, W) or None
    receptive_field_ : int
        Side of the input region each heatmap pixel sees.
    history_ : skorch.History
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> from skoneclass import FCDD
    >>> from skoneclass.datasets import make_defect_textures
    >>> X, y, masks = make_defect_textures(n_normal=100, n_anomalous=20, random_state=0)
    >>> fcdd = FCDD(max_epochs=5, random_state=0).fit(X[y == 1])
    >>> fcdd.explain(X[:2]).shape
    (2, 32, 32)
    """

    _training_recipe = {"batch_size": 128, "max_epochs": 50}

    _parameter_constraints = {
        **BaseDeepDetector._parameter_constraints,
        "channels": [tuple, list],
        "kernel_size": [Interval(Integral, 1, None, closed="left")],
        "last_block": [StrOptions({"full", "conv_pool"})],
        "synthetic_anomalies": [
            StrOptions({"confetti", "cutpaste", "flip_rotate"}),
            callable,
            None,
        ],
        "synthetic_fraction": [Interval(Real, 0, 1, closed="both")],
        "eta": [Interval(Real, 0, None, closed="neither")],
        "sigma": [StrOptions({"auto"}), Interval(Real, 0, None, closed="neither")],
        "image_shape": [StrOptions({"auto"}), tuple, list],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
    }
    _uses_labels = True

    def __init__(
        self,
        channels=(32, 64, 64),
        kernel_size=3,
        last_block="full",
        synthetic_anomalies="confetti",
        synthetic_fraction=0.5,
        eta=1.0,
        sigma="auto",
        image_shape="auto",
        optimizer="adam",
        lr=1e-3,
        lr_milestones=None,
        max_epochs="auto",
        batch_size="auto",
        weight_decay=1e-6,
        device="auto",
        random_state=None,
        n_networks=1,
        callbacks=None,
        verbose=0,
        contamination="auto",
    ):
        self.channels = channels
        self.kernel_size = kernel_size
        self.last_block = last_block
        self.synthetic_anomalies = synthetic_anomalies
        self.synthetic_fraction = synthetic_fraction
        self.eta = eta
        self.sigma = sigma
        self.image_shape = image_shape
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

    def get_parts(self):
        """An FCN, the pseudo-Huber heatmap, HSC's loss, synthetic anomalies."""
        regularizers = [WeightDecay(self.weight_decay)]
        if self.synthetic_anomalies is not None:
            regularizers.append(
                DistributionShift(self.synthetic_fraction, self.synthetic_anomalies)
            )
        return {
            "feature_map": FCN(
                image_shape=self.image_shape,
                channels=tuple(self.channels),
                kernel_size=self.kernel_size,
                last_block=self.last_block,
            ),
            "model": Heatmap(),
            "loss": HSCLoss(eta=self.eta),
            "regularizer": tuple(regularizers),
            "inference": "frequentist",
        }

    def _fit(self, X, y):
        boundary = super()._fit(X, y)
        self.receptive_field_ = int(self.net_.module_.feature_map.receptive_field)
        return boundary

    def _fitted_image_shape(self):
        shape = self.image_shape_ or self.image_shape
        return tuple(int(d) for d in shape)

    def explain(self, X, upsample=True):
        """Anomaly heatmaps of images: where each image is anomalous.

        Parameters
        ----------
        X : array-like of shape (n, C, H, W), (n, H, W) or (n, C * H * W)
        upsample : bool, default=True
            Full resolution by Gaussian receptive-field upsampling (thesis
            Algorithm 1); False returns the network's u x v heatmap A(x).

        Returns
        -------
        heatmaps : ndarray of shape (n, H, W) or (n, u, v)
            Higher = more anomalous; the low-resolution map's mean is
            ``-score_samples(X)``.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        module = self._float64_module()
        A = self._batched(module.heatmap, X)
        if not upsample:
            return A
        fcn = module.feature_map
        sigma = fcn.receptive_field / 4 if self.sigma == "auto" else self.sigma
        size = self._fitted_image_shape()[1:]
        with torch.no_grad():
            full = gaussian_upsample(torch.as_tensor(A), fcn.stride, size, sigma)
        return np.asarray(full.numpy(), dtype=np.float64)
