"""Autoencoders scored by their reconstruction error (thesis Table 4.1)."""

from numbers import Real

from sklearn.utils._param_validation import Interval, StrOptions

from .._docstrings import shared_parameters
from ..parts.losses import MeanScore
from ..parts.models import Reconstruction
from ..parts.regularizers import Decentralization
from .presets import NetworkPreset


@shared_parameters()
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
    dropout : float in [0, 1), default=0.0
        Dropout after each hidden block of the MLP, encoder and decoder (an
        image network or a feature map carries its own). An answer to
        training data that hold unlabeled anomalies, which a plain
        autoencoder learns to reconstruct, with a price on clean data: on
        ten data sets whose training parts keep their anomalies
        (``benchmarks/contaminated.py``, 5 seeds, one network) 0.1 and 0.2
        raise the mean AUROC from 85.9 to 86.5 and 88.2 (PyOD's
        AutoEncoder, dropout 0.2: 86.0); under the thesis's protocol (clean
        training data, 10 seeds, same splits) 0.2 loses 6.1 on satellite (0
        of 10 splits; 0.1 loses 2.9) and on digits 2 (0.1: 0.5).
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
        "dropout": [Interval(Real, 0, 1, closed="left")],
    }

    def __init__(
        self,
        bias=False,
        dropout=0.0,
        network="mlp",
        hidden_dims="auto",
        rep_dim="auto",
        activation="leaky_relu",
        negative_slope=0.01,
        batch_norm=True,
        weight_init="glorot",
        optimizer="adam",
        lr=1e-4,
        lr_milestones=(50,),
        max_epochs="auto",
        batch_size="auto",
        weight_decay=1e-6,
        device="auto",
        random_state=None,
        n_networks=5,
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
        self.bias = bias
        self.dropout = dropout

    def get_parts(self):
        """Encoder-decoder on the network; mean reconstruction error."""
        return {
            "feature_map": self._feature_map(dropout=self.dropout),
            "model": Reconstruction(),
            "loss": MeanScore(),
            "regularizer": self._regularizers(self.bias),
            "inference": "frequentist",
        }


@shared_parameters()
class DecentralizationAE(AutoEncoder):
    """Autoencoder with the latent decentralization loss (Hong & Choe, IEEE Access).

    A tanh-bounded code z = f(x) in (-1, 1)^d and the objective (their eqs.
    9 and 13)

    .. math::

        \\min \\frac{1}{n} \\sum_i \\|x_i - g(f(x_i))\\|
        + \\lambda \\Big(d - \\frac{1}{m} \\sum_{i \\in B} \\|f(x_i) - C\\|^2\\Big),

    per mini-batch B of size m, with C = 0 (the simplified form behind the
    paper's results) or the moving mean code. The second term spreads the
    normal codes over the latent cube, so that the decoder turns any code
    into a normal-looking sample: anomalies then reconstruct worse than with
    a plain autoencoder. ``score_samples`` is minus the per-sample
    reconstruction error. The reconstruction term is the paper's Euclidean
    norm (eqs. 1 and 13), not the mean squared error of
    :class:`AutoEncoder`: the norm's gradient has unit length whatever the
    input size, which is what lets one lambda serve MNIST and MVTec alike.
    Beside the mean squared error (``reconstruction_error="mse"``, the
    library's choice before), lambda = 0.01 weighs about a hundred times
    more on Fashion-MNIST (see :class:`~skoneclass.parts.Reconstruction`).
    The term is the regularizer part
    :class:`~skoneclass.parts.Decentralization`, usable with any encoder.

    Parameters
    ----------
    decentralization_weight : float >= 0, default=0.01
        lambda, the paper's value (0 gives the plain autoencoder with a tanh
        code).
    center : {"zero", "moving"}, default="zero"
        C = 0 (eq. 13), or the mean code updated per mini-batch (eq. 9).
    reconstruction_error : {"l2", "mse"}, default="l2"
        The reconstruction term and score: the Euclidean norm of the
        residual (the paper's), or its mean square over the inputs.
    bias : bool, default=True
        Bias terms in encoder and decoder.
    dropout : float in [0, 1), default=0.0
        As :class:`AutoEncoder`'s.
    {shared}

    Attributes
    ----------
    net_ : skorch.NeuralNet
    history_ : skorch.History
    device_ : str
    offset_ : float
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import DecentralizationAE
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(300, 1) @ np.ones((1, 6)) + 0.1 * rng.randn(300, 6)
    >>> ae = DecentralizationAE(max_epochs=50, lr=1e-2, random_state=0).fit(X)
    >>> on, off = np.ones((1, 6)), np.array([[1.0, -1, 1, -1, 1, -1]])
    >>> bool(ae.score_samples(on)[0] > ae.score_samples(off)[0])
    True
    """

    _parameter_constraints = {
        **AutoEncoder._parameter_constraints,
        "decentralization_weight": [Interval(Real, 0, None, closed="left")],
        "center": [StrOptions({"zero", "moving"})],
        "reconstruction_error": [StrOptions({"l2", "mse"})],
    }

    def __init__(
        self,
        decentralization_weight=0.01,
        center="zero",
        reconstruction_error="l2",
        bias=True,
        dropout=0.0,
        network="mlp",
        hidden_dims="auto",
        rep_dim="auto",
        activation="leaky_relu",
        negative_slope=0.01,
        batch_norm=True,
        weight_init="glorot",
        optimizer="adam",
        lr=1e-4,
        lr_milestones=(50,),
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
        super().__init__(
            bias=bias,
            dropout=dropout,
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
        self.decentralization_weight = decentralization_weight
        self.center = center
        self.reconstruction_error = reconstruction_error

    def get_parts(self):
        """Encoder with a tanh code, its mirror, the reconstruction error plus
        decentralization."""
        return {
            "feature_map": self._feature_map("tanh", self.dropout),
            "model": Reconstruction(error=self.reconstruction_error),
            "loss": MeanScore(),
            "regularizer": (
                *self._regularizers(self.bias),
                Decentralization(self.decentralization_weight, self.center),
            ),
            "inference": "frequentist",
        }
