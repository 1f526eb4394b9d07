"""Autoencoder reconstruction error (thesis Table 4.1)."""

from ..parts.losses import MeanScore
from ..parts.models import Reconstruction
from .base import NetworkPreset
from .svdd import _SHARED_DOC


class AutoEncoder(NetworkPreset):
    """Deep autoencoder; the anomaly score is the reconstruction error.

    .. math::

        \\min_\\omega \\frac{1}{n} \\sum_i \\frac{1}{D}
        \\|x_i - \\mathrm{dec}_\\omega(\\mathrm{enc}_\\omega(x_i))\\|^2
        + \\frac{\\lambda}{2} \\sum_l \\|W_l\\|_F^2,

    with the encoder the same network as Deep SVDD's and a mirrored decoder
    (linear output). The bottleneck ``rep_dim`` is the regularizer.
    ``score_samples`` is minus the per-sample mean squared error.

    Parameters
    ----------
    bias : bool, default=False
        Bias terms in encoder and decoder (off, as in the thesis's AE).
    {shared}

    Attributes
    ----------
    net_ : skorch.NeuralNet
        ``net_.module_.encoder`` and ``net_.module_.decoder`` are the networks.
    history_ : skorch.History
    device_ : str
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import AutoEncoder
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(300, 1) @ np.ones((1, 6)) + 0.1 * rng.randn(300, 6)
    >>> ae = AutoEncoder(max_epochs=50, lr=1e-2, random_state=0).fit(X)
    >>> on, off = np.ones((1, 6)), np.array([[1.0, -1, 1, -1, 1, -1]])
    >>> bool(ae.score_samples(on)[0] > ae.score_samples(off)[0])
    True
    """

    _parameter_constraints = {
        **NetworkPreset._parameter_constraints,
        "bias": ["boolean"],
    }

    def __init__(
        self,
        bias=False,
        network="mlp",
        hidden_dims="auto",
        rep_dim="auto",
        activation="leaky_relu",
        negative_slope=0.01,
        batch_norm=True,
        optimizer="adam",
        lr=1e-4,
        lr_milestones=(50,),
        max_epochs=150,
        batch_size=200,
        weight_decay=1e-6,
        device="auto",
        random_state=None,
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
            optimizer=optimizer,
            lr=lr,
            lr_milestones=lr_milestones,
            max_epochs=max_epochs,
            batch_size=batch_size,
            weight_decay=weight_decay,
            device=device,
            random_state=random_state,
            callbacks=callbacks,
            verbose=verbose,
            contamination=contamination,
        )
        self.bias = bias

    def get_parts(self):
        """Encoder-decoder on the network; mean reconstruction error."""
        return {
            "feature_map": self._feature_map(),
            "model": Reconstruction(),
            "loss": MeanScore(),
            "regularizer": self._regularizers(self.bias),
            "inference": "frequentist",
        }


AutoEncoder.__doc__ = AutoEncoder.__doc__.replace(
    "    {shared}", _SHARED_DOC.strip("\n")
)
