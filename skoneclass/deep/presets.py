"""The deep presets' flat network parameters, translated into parts.

:class:`NetworkPreset` turns ``network``, ``hidden_dims``, ``rep_dim``,
``activation``... into an MLP or LeNet feature map and the regularizers of
the thesis's recipe; each named deep detector is such a preset of
:class:`~skoneclass.deep.solver.BaseDeepDetector`.
"""

from numbers import Integral, Real

from sklearn.base import clone
from sklearn.utils._param_validation import Interval, StrOptions

from ..parts.feature_maps import FeatureMap
from ..parts.networks import MLP, LeNet
from ..parts.regularizers import (
    AutoencoderPretraining,
    BiasFree,
    WeightDecay,
)
from .networks import ACTIVATIONS
from .solver import BaseDeepDetector

#: Each LeNet network name's settings (thesis B.1.1): MNIST's, CIFAR-10's
#: and Fashion-MNIST's LeNet.
IMAGE_NETWORKS = {
    "lenet28": {"image_shape": (1, 28, 28)},
    "lenet32": {"image_shape": (3, 32, 32)},
    "lenet28-fmnist": {
        "image_shape": (1, 28, 28),
        "channels": (16, 32),
        "hidden_dims": (64,),
    },
}


class NetworkPreset(BaseDeepDetector):
    """Base of the deep presets: flat network parameters -> MLP / LeNet parts.

    ``network``, ``hidden_dims``, ``rep_dim``, ``activation``,
    ``negative_slope``, ``batch_norm`` and ``weight_decay`` are documented
    once, in ``skoneclass._docstrings.SHARED_PARAMETERS``, with the training
    parameters of :class:`~skoneclass.deep.solver.BaseDeepDetector`.
    """

    _parameter_constraints = {
        **BaseDeepDetector._parameter_constraints,
        "network": [StrOptions({"mlp", *IMAGE_NETWORKS}), FeatureMap],
        "hidden_dims": MLP._parameter_constraints["hidden_dims"],
        "rep_dim": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "negative_slope": [Interval(Real, 0, None, closed="left")],
        "batch_norm": ["boolean"],
        "weight_init": MLP._parameter_constraints["weight_init"],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(
        self,
        *,
        network,
        hidden_dims,
        rep_dim,
        activation,
        negative_slope,
        batch_norm,
        weight_init,
        optimizer,
        lr,
        lr_milestones,
        max_epochs,
        batch_size,
        weight_decay,
        device,
        random_state,
        n_networks,
        callbacks,
        verbose,
        contamination,
    ):
        self.network = network
        self.hidden_dims = hidden_dims
        self.rep_dim = rep_dim
        self.activation = activation
        self.negative_slope = negative_slope
        self.batch_norm = batch_norm
        self.weight_init = weight_init
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

    def _feature_map(self, code_activation=None, dropout=0.0):
        if dropout and self.network != "mlp":
            raise ValueError(
                f"dropout={dropout} applies to network='mlp' only, got "
                f"network={self.network!r}; give a feature map its own dropout."
            )
        if isinstance(self.network, FeatureMap):
            if code_activation is None or "code_activation" not in (
                self.network.get_params()
            ):
                return self.network
            return clone(self.network).set_params(code_activation=code_activation)
        if self.network in IMAGE_NETWORKS:
            return LeNet(
                **IMAGE_NETWORKS[self.network],
                rep_dim=self.rep_dim,
                negative_slope=self.negative_slope,
                weight_init=self.weight_init,
            )
        return MLP(
            hidden_dims=self.hidden_dims,
            rep_dim=self.rep_dim,
            activation=self.activation,
            negative_slope=self.negative_slope,
            batch_norm=self.batch_norm,
            code_activation=code_activation,
            weight_init=self.weight_init,
            dropout=dropout,
        )

    def _regularizers(self, bias=False, pretrain=None, pretrain_epochs=None):
        regularizers = [WeightDecay(self.weight_decay)]
        if not bias:
            regularizers.append(BiasFree())
        if pretrain == "autoencoder":
            regularizers.append(AutoencoderPretraining(pretrain_epochs))
        return tuple(regularizers)
