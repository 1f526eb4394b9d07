"""Shared layer of the deep detectors: network building, seeding, training."""

import copy
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions

from ..base import BaseDetector
from ..parts.losses import MeanScore
from ..parts.models import Reconstruction
from .engine import make_net, resolve_device
from .networks import ACTIVATIONS, MLP, LeNet, LeNetDecoder, MLPDecoder, auto_mlp_dims

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
}

#: Image shape and default rep_dim of each LeNet network (thesis B.1.1).
IMAGE_NETWORKS = {"lenet28": ((1, 28, 28), 32), "lenet32": ((3, 32, 32), 128)}


class BaseDeepDetector(BaseDetector):
    """Base of the deep detectors, trained by the skorch engine.

    Subclasses implement ``_build(encoder, X, y)`` returning ``(module,
    criterion, callbacks)`` for the main training, and may return their own
    boundary from ``_boundary()``. The encoder is pretrained as an
    autoencoder first when ``self.pretrain == "autoencoder"``.

    Shared parameters
    -----------------
    network : {"mlp", "lenet28", "lenet32"}
        Feature map: an MLP, or the thesis's LeNet CNN for flattened 28x28
        gray or 32x32 color images.
    hidden_dims : tuple of int or "auto"
        MLP hidden widths; "auto" uses the thesis's ODDS sizes.
    rep_dim : int or "auto"
        Dimension of the representation.
    activation, negative_slope, batch_norm
        Hidden-layer activation ("leaky_relu", "relu", "elu"), leaky slope
        (0.01 as the reference code; the thesis says 0.1) and batch norm.
    optimizer : {"adam", "adamw", "sgd"} or torch optimizer class
    lr, lr_milestones, max_epochs, batch_size, weight_decay
        The thesis's recipe by default: Adam, lr 1e-4 divided by 10 after
        epoch 50, 150 epochs, batches of 200, weight decay 1e-6.
    device : "auto", "cpu", "cuda" or torch device string
    random_state : int, RandomState instance or None
        Seeds weight initialization and batch order (torch's global RNG is
        forked, so the caller's stream is untouched).
    callbacks : list of skorch callbacks or None
    verbose : int
        skorch's per-epoch printing.
    """

    _parameter_constraints = {
        **BaseDetector._parameter_constraints,
        "network": [StrOptions({"mlp", *IMAGE_NETWORKS})],
        "hidden_dims": [StrOptions({"auto"}), tuple, list],
        "rep_dim": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(set(ACTIVATIONS))],
        "negative_slope": [Interval(Real, 0, None, closed="left")],
        "batch_norm": ["boolean"],
        "optimizer": [StrOptions(set(OPTIMIZERS)), type],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "lr_milestones": [tuple, list, None],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "device": [str, torch.device],
        "random_state": ["random_state"],
        "callbacks": [list, None],
        "verbose": ["verbose"],
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
        optimizer,
        lr,
        lr_milestones,
        max_epochs,
        batch_size,
        weight_decay,
        device,
        random_state,
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
        self.optimizer = optimizer
        self.lr = lr
        self.lr_milestones = lr_milestones
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.weight_decay = weight_decay
        self.device = device
        self.random_state = random_state
        self.callbacks = callbacks
        self.verbose = verbose
        self.contamination = contamination

    # -- networks ---------------------------------------------------------
    def _network_kwargs(self, n_features, bias):
        if self.network in IMAGE_NETWORKS:
            shape, rep_dim = IMAGE_NETWORKS[self.network]
            if n_features != int(np.prod(shape)):
                raise ValueError(
                    f"network={self.network!r} takes flattened images of shape "
                    f"{shape} ({int(np.prod(shape))} features), got {n_features}."
                )
            rep_dim = rep_dim if self.rep_dim == "auto" else self.rep_dim
            return {
                "shape": shape,
                "rep_dim": rep_dim,
                "negative_slope": self.negative_slope,
            }
        hidden, rep_dim = auto_mlp_dims(n_features)
        return {
            "n_features": n_features,
            "hidden_dims": hidden
            if self.hidden_dims == "auto"
            else tuple(self.hidden_dims),
            "rep_dim": rep_dim if self.rep_dim == "auto" else self.rep_dim,
            "bias": bias,
            "batch_norm": self.batch_norm,
            "activation": self.activation,
            "negative_slope": self.negative_slope,
        }

    def _encoder(self, n_features, bias=False):
        kwargs = self._network_kwargs(n_features, bias)
        return (LeNet if "shape" in kwargs else MLP)(**kwargs)

    def _decoder(self, n_features, bias=False):
        kwargs = self._network_kwargs(n_features, bias)
        return (LeNetDecoder if "shape" in kwargs else MLPDecoder)(**kwargs)

    # -- training ---------------------------------------------------------
    def _train(self, module, criterion, X, y, max_epochs, callbacks=()):
        optimizer = OPTIMIZERS.get(self.optimizer, self.optimizer)
        net = make_net(
            module,
            criterion,
            lr=self.lr,
            max_epochs=max_epochs,
            batch_size=self.batch_size,
            weight_decay=self.weight_decay,
            optimizer=optimizer,
            lr_milestones=self.lr_milestones,
            device=self.device_,
            callbacks=[*callbacks, *(self.callbacks or [])],
            verbose=self.verbose,
            n_samples=len(X),
        )
        return net.fit(X, y)

    def _pretrain(self, encoder, X):
        """Train ``encoder`` inside an autoencoder (MSE), in place."""
        model = Reconstruction(encoder, self._decoder(X.shape[1]))
        epochs = self.pretrain_epochs or self.max_epochs
        net = self._train(
            model, MeanScore(), X, np.zeros(len(X), dtype=np.int64), epochs
        )
        self.pretrain_history_ = net.history

    def _fit(self, X, y):
        self.device_ = resolve_device(self.device)
        labels = np.zeros(len(X), dtype=np.int64) if y is None else y.astype(np.int64)
        X32 = X.astype(np.float32)
        seed = check_random_state(self.random_state).randint(np.iinfo(np.int32).max)
        devices = (
            list(range(torch.cuda.device_count())) if self.device_ != "cpu" else []
        )
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            encoder = self._encoder(X32.shape[1], bias=getattr(self, "bias", False))
            if getattr(self, "pretrain", None) == "autoencoder":
                self._pretrain(encoder, X32)
            module, criterion, callbacks = self._build(encoder, X32, labels)
            self.net_ = self._train(
                module, criterion, X32, labels, self.max_epochs, callbacks
            )
        # The boundary is set on the float64 data that scoring will see.
        return self._boundary(X)

    def _boundary(self, X):
        return None

    def _model_outputs(self, X):
        """Per-sample model outputs s, in float64, batched, without gradients.

        A float64 copy of the module makes each sample's output independent of
        the batch it is computed in (float32 GEMMs round differently with the
        batch shape).
        """
        module = copy.deepcopy(self.net_.module_).double().eval()
        X = torch.tensor(X, dtype=torch.float64)
        step = self.batch_size
        # net_.device, not device_: skorch moves a CUDA-trained net to the CPU
        # when it is unpickled on a machine without CUDA.
        device = self.net_.device
        with torch.no_grad():
            return torch.cat(
                [
                    module(X[i : i + step].to(device)).cpu()
                    for i in range(0, len(X), step)
                ]
            ).numpy()

    def _score_samples(self, X):
        return -self._model_outputs(X)

    @property
    def history_(self):
        """skorch's training history (loss per epoch and batch)."""
        return self.net_.history
