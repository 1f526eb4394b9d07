"""The SGD solver of the unifying view: any trainable combination of parts.

:class:`BaseDeepDetector` trains the parts returned by ``get_parts()`` with
the skorch engine. A fixed feature map (identity, random Fourier, Nystroem,
a pre-fitted transformer) is applied once before training; a trainable one
(MLP, LeNet, ConvNet, FCN) is built as the network by the builders of
:mod:`skoneclass.deep.builders` and :mod:`skoneclass.deep.model_builders`.
The deep presets are subclasses; :class:`SGDModel` is the solver on given
parts, which :class:`~skoneclass.OneClassModel` fits where no exact solver
applies.
"""

import contextlib
import copy
import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import clone
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from torch import nn

from ..base import BaseDetector
from ..exceptions import LabelWarning
from ..parts.regularizers import (
    AutoencoderPretraining,
    BiasFree,
    DistributionShift,
    WeightDecay,
)
from .builders import (
    build_callbacks,
    build_criterion,
    build_decoder,
    build_latent_penalty,
    build_network,
    build_penalty,
    build_shift,
)
from .data import ArrayDataset, is_memory_mapped, take_rows
from .engine import (
    DeviceName,
    is_accelerator,
    make_net,
    resolve_device,
    warn_if_collapsed,
)
from .model_builders import (
    FROM_LOSS,
    FitContext,
    build_model,
    model_scores,
    network_outputs,
)
from .modules import (
    MeanOutput,
    ReconstructionNet,
)
from .rules import check_sgd_data, check_sgd_parts
from .schedule import resolve_schedule
from .variational import VariationalNet

OPTIMIZERS = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
}

TRAINING_PARAMETER_CONSTRAINTS = {
    "optimizer": [StrOptions(set(OPTIMIZERS)), type],
    "lr": [Interval(Real, 0, None, closed="neither")],
    "lr_milestones": [tuple, list, None],
    "max_epochs": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    "batch_size": [Interval(Integral, 1, None, closed="left"), StrOptions({"auto"})],
    "device": [DeviceName(), torch.device, HasMethods(["prepare", "backward"])],
    "random_state": ["random_state"],
    "n_networks": [Interval(Integral, 1, None, closed="left")],
    "callbacks": [list, None],
    "verbose": ["verbose"],
}


def _takes_tokens(feature_map):
    return getattr(feature_map, "takes_tokens", False)


def draw_seed(random_state):
    """A fit's torch seed from ``random_state`` (an int seeds it alone; a
    RandomState instance continues its stream)."""
    return check_random_state(random_state).randint(np.iinfo(np.int32).max)


def fit_feature_map(feature_map, X, seed):
    """The fitted fixed feature map; None for implicit and trainable ones."""
    if feature_map.kind != "fixed":
        return None
    if not is_memory_mapped(X):
        X = np.asarray(X, dtype=np.float64)
    # A shallow copy: fitting must not touch the caller's part, and a
    # deep clone would drop the fitted state of a pre-fitted Embedding.
    return copy.copy(feature_map).fit(X, seed)


def transform(feature_map, X):
    """``X`` through a fitted fixed feature map (None: X itself)."""
    if feature_map is None:
        return X
    return feature_map.transform(np.asarray(X, dtype=np.float64))


class BaseDeepDetector(BaseDetector):
    """Base of the detectors trained by the skorch engine (the SGD solver).

    Subclasses implement ``get_parts()``, returning a dict with the keys
    ``feature_map``, ``model``, ``loss``, ``regularizer`` (a tuple) and
    ``inference``. Their training parameters (``optimizer``, ``lr``,
    ``lr_milestones``, ``max_epochs``, ``batch_size``, ``device``,
    ``random_state``, ``n_networks``, ``callbacks``, ``verbose``) are
    documented once, in
    ``skoneclass._docstrings.SHARED_PARAMETERS``, and filled into each
    estimator's docstring with its own defaults.
    """

    _parameter_constraints = {
        **BaseDetector._parameter_constraints,
        **TRAINING_PARAMETER_CONSTRAINTS,
    }

    #: What ``batch_size="auto"`` and ``max_epochs="auto"`` start from: the
    #: thesis's ODDS recipe.
    _training_recipe = {"batch_size": 200, "max_epochs": 150}

    # float32 input stays float32: the network trains in float32 anyway, and
    # a float64 copy of a large (memory-mapped) X may not fit in memory.
    # Scoring converts one batch at a time to float64.
    _input_dtypes = (np.float64, np.float32)

    def get_parts(self):
        """The five dimensions of the unifying view that this estimator trains.

        Returns
        -------
        parts : dict
            ``feature_map``, ``model``, ``loss``, ``regularizer`` (tuple of
            regularizers) and ``inference``.
        """
        raise NotImplementedError

    # -- training ---------------------------------------------------------
    def _train(
        self,
        module,
        criterion,
        data,
        max_epochs,
        weight_decay,
        callbacks=(),
        anomaly_fraction=None,
        phase="training",
    ):
        """Train ``module`` on ``data``: an ``(X32, labels)`` pair of in-memory
        arrays or an :class:`~skoneclass.deep.data.ArrayDataset`.

        ``phase`` names the training in the verbose log and progress bars.
        """
        optimizer = OPTIMIZERS.get(self.optimizer, self.optimizer)
        lazy = isinstance(data, ArrayDataset)
        phase = f"{type(self).__name__}: {phase}"
        if self.verbose:
            # skorch prints one table per phase; say which one follows.
            print(f"{phase} ({max_epochs} epochs)")
        net = make_net(
            module,
            criterion,
            lr=self.lr,
            max_epochs=max_epochs,
            batch_size=self.batch_size_,
            weight_decay=weight_decay,
            optimizer=optimizer,
            lr_milestones=self.lr_milestones_,
            device=self.device if is_accelerator(self.device) else self.device_,
            callbacks=[*callbacks, *(self.callbacks or [])],
            verbose=self.verbose,
            n_samples=len(data) if lazy else len(data[0]),
            anomaly_fraction=anomaly_fraction,
            phase=phase,
        )
        return net.fit(data, None) if lazy else net.fit(*data)

    def _fit(self, X, y):
        if self.n_networks > 1:
            return self._fit_networks(X, y)
        parts = self.get_parts()
        feature_map = self._with_image_shape(parts["feature_map"])
        model, loss = parts["model"], parts["loss"]
        regularizers = parts["regularizer"]
        check_sgd_parts(feature_map, model, loss, regularizers, parts["inference"])
        labels = np.zeros(len(X), dtype=np.int64) if y is None else y.astype(np.int64)
        check_sgd_data(model, loss, regularizers, X, labels)
        self._set_device()
        self._set_schedule(len(X))
        rng = check_random_state(self.random_state)
        seed = draw_seed(rng)
        trainable = feature_map.kind == "trainable"
        self.feature_map_ = fit_feature_map(feature_map, X, seed)
        if is_memory_mapped(X):
            # Read a batch at a time: a float32 copy may not fit in memory.
            transform = None if self.feature_map_ is None else self._features
            data = ArrayDataset(X, labels, transform)
            n_features = data.rows(slice(0, 1)).shape[1]
        else:
            dtype = np.int64 if _takes_tokens(feature_map) else np.float32
            data = (self._features(X).astype(dtype), labels)
            n_features = data[0].shape[1]
        bias = not any(isinstance(r, BiasFree) for r in regularizers)
        weight_decay = sum(r.lam for r in regularizers if isinstance(r, WeightDecay))
        callbacks = [c for r in regularizers for c in build_callbacks(r)]
        penalties = [build_penalty(r) for r in regularizers]
        latent = [build_latent_penalty(r) for r in regularizers]
        pretrain = [r for r in regularizers if isinstance(r, AutoencoderPretraining)]
        with self._seeded_torch(seed):
            if trainable:
                outputs = network_outputs(model, feature_map, n_features)
                encoder = build_network(feature_map, n_features, bias, **outputs)
            else:
                encoder = nn.Identity()
            if pretrain:
                decoder = build_decoder(feature_map, n_features, bias)
                net = self._train(
                    ReconstructionNet(encoder, decoder),
                    MeanOutput(),
                    data,
                    pretrain[0].epochs or self.max_epochs_,
                    weight_decay,
                    phase="pretraining the autoencoder",
                )
                self.pretrain_history_ = net.history
            fit = FitContext(
                feature_map=feature_map,
                loss=loss,
                regularizers=regularizers,
                n_features=n_features,
                data=data,
                bias=bias,
                penalties=[p for p in penalties if p is not None],
                latent=[p for p in latent if p is not None],
                shift=self._pseudo_anomalies(feature_map, regularizers),
                device=self.device_,
                rng=rng,
                seed=seed,
                max_epochs=self.max_epochs_,
                image_shape=self._image_shape(feature_map),
                random_state=self.random_state,
            )
            built = build_model(model, encoder, fit)
            if built.train_rows is not None:
                data = take_rows(data, built.train_rows)
            anomaly_fraction = built.anomaly_fraction
            if anomaly_fraction is FROM_LOSS:
                anomaly_fraction = getattr(loss, "anomaly_fraction", None)
            self.net_ = self._train(
                built.module,
                built.criterion or build_criterion(loss),
                data,
                self.max_epochs_,
                weight_decay,
                [*callbacks, *built.callbacks],
                anomaly_fraction,
            )
        return None if built.finish is None else built.finish(self, X, labels)

    def _fit_networks(self, X, y):
        """Fit ``n_networks`` single-network copies, each from its own draw of
        ``random_state`` (initialization, batch order, pseudo-anomalies).

        Their scores are put on one scale before averaging: each network's
        minus its median training score, over their interquartile range (the
        quartiles, unlike a mean and a standard deviation, are not moved by
        the anomalies a training set may hold). The average has no boundary
        of its own, so ``offset_`` comes from ``contamination``.
        """
        rng = check_random_state(self.random_state)
        shape = getattr(self, "image_shape_", None)
        if shape is not None:
            X = X.reshape(-1, *shape)  # the networks read the images' shape
        self.networks_, scales = [], []
        params = self.get_params(deep=False)
        for _ in range(self.n_networks):
            # The parameters themselves, not clone's deep copies: the networks
            # train one after the other on the same device (an Accelerator
            # is not copied) with the same callbacks, as refits of one net.
            seed = draw_seed(rng)
            network = type(self)(**{**params, "n_networks": 1, "random_state": seed})
            with warnings.catch_warnings():
                # This fit checked the labels (and warned) once; a subclass's
                # own fit ran once too, and made the labels the networks take.
                warnings.simplefilter("ignore", LabelWarning)
                BaseDetector.fit(network, X, y)
            self.networks_.append(network)
            scores = network.score_samples(X)
            low, median, high = np.percentile(scores, [25, 50, 75])
            scales.append((median, high - low if high > low else 1.0))
        self.score_scales_ = np.array(scales)
        first = self.networks_[0]
        # The training settings are every network's; net_ (history_,
        # center_, embed, reconstruct) and the pretraining's history are the
        # first network's.
        for name in ("device_", "batch_size_", "max_epochs_", "lr_milestones_"):
            setattr(self, name, getattr(first, name))
        self.net_ = first.net_
        self.feature_map_ = first.feature_map_
        if hasattr(first, "pretrain_history_"):
            self.pretrain_history_ = first.pretrain_history_
        return None

    @staticmethod
    def _pseudo_anomalies(feature_map, regularizers):
        """``(prob, transform)`` of a DistributionShift regularizer, or None."""
        for reg in regularizers:
            if isinstance(reg, DistributionShift):
                shape = getattr(feature_map, "image_shape", None)
                return reg.prob, build_shift(reg, shape)
        return None

    def _with_image_shape(self, feature_map):
        """``feature_map`` with ``image_shape="auto"`` set to the images'
        shape; a ValueError when the declared and the data's shapes differ."""
        declared = feature_map.get_params(deep=False).get("image_shape")
        shape = getattr(self, "image_shape_", None)
        if isinstance(declared, str) and declared == "auto":
            if shape is None:
                raise ValueError(
                    f"{feature_map!r} takes its image shape from the data: pass "
                    "X as images of shape (n, C, H, W) or (n, H, W), or set "
                    "image_shape=(C, H, W) for flattened rows."
                )
            return clone(feature_map).set_params(image_shape=shape)
        if declared is not None and shape is not None and tuple(declared) != shape:
            raise ValueError(
                f"{feature_map!r} takes images of shape {tuple(declared)}, got "
                f"X of shape (n, {', '.join(map(str, shape))})."
            )
        return feature_map

    def _image_shape(self, feature_map):
        """(C, H, W) of the images the network reads: the (resolved) feature
        map's, else the training images' (flattened for an MLP); None."""
        shape = getattr(feature_map, "image_shape", None)
        if shape is None:
            return getattr(self, "image_shape_", None)
        return tuple(shape)

    def _training_scores(self, X):
        scores = super()._training_scores(X)
        warn_if_collapsed(scores, type(self).__name__)
        return scores

    def _compute_offset(self, X, boundary):
        net = getattr(self, "net_", None)  # None: an exact solver's fit
        weights = () if net is None else net.module_.parameters()
        if boundary is not None and not all(torch.isfinite(w).all() for w in weights):
            # A diverged network has no boundary to trust: a finite offset_
            # would sit on top of NaN scores.
            return float("nan")
        return super()._compute_offset(X, boundary)

    def _set_schedule(self, n_samples):
        """Resolve ``batch_size_``, ``max_epochs_`` and ``lr_milestones_``
        (see :mod:`skoneclass.deep.schedule`)."""
        schedule = resolve_schedule(
            n_samples,
            self.lr,
            self.batch_size,
            self.max_epochs,
            self.lr_milestones,
            self._training_recipe,
        )
        self.batch_size_, self.max_epochs_, self.lr_milestones_ = schedule
        if self.verbose:
            print(
                f"{type(self).__name__}: batch size {self.batch_size_}, "
                f"{self.max_epochs_} epochs, lr {self.lr} "
                f"(milestones {self.lr_milestones_}) for {n_samples} samples"
            )

    def _set_device(self):
        """Resolve ``device_`` for a fit (and say it when verbose)."""
        self.device_ = resolve_device(self.device)
        if self.verbose:
            print(f"{type(self).__name__}: device {self.device_}")

    @contextlib.contextmanager
    def _seeded_torch(self, seed):
        """torch's global RNG (and CUDA's when used) forked and seeded with
        ``seed``: the fit is reproducible and the caller's stream untouched."""
        devices = (
            list(range(torch.cuda.device_count())) if self.device_ != "cpu" else []
        )
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(seed)
            yield

    def _features(self, X):
        return transform(self.feature_map_, X)

    def _model_outputs(self, X):
        """Per-sample model outputs s, in float64, batched, without gradients.

        A float64 copy of the module makes each sample's output independent of
        the batch it is computed in (float32 GEMMs round differently with the
        batch shape). Features and tensors are made one batch at a time, so
        scoring needs memory for one batch, not for a float64 copy of ``X``.
        """
        return self._batched(self._float64_module(), X)

    def _float64_module(self):
        """A float64 copy of the trained module in eval mode, for scoring."""
        return copy.deepcopy(self.net_.module_).double().eval()

    def _batched(self, network, X, step=None):
        """``network`` applied to ``X`` in batches of ``step`` (default
        ``batch_size``) rows, as float64 tensors, without gradients."""
        step = step or self.batch_size_
        # net_.device, not device_: skorch moves a CUDA-trained net to the CPU
        # when it is unpickled on a machine without CUDA.
        device = self.net_.device
        outputs = None
        with torch.no_grad():
            for i in range(0, len(X), step):
                batch = self._batch_tensor(X[i : i + step]).to(device)
                out = network(batch).cpu().numpy()
                if outputs is None:
                    outputs = np.empty((len(X), *out.shape[1:]), dtype=out.dtype)
                outputs[i : i + step] = out
        return outputs

    def _batch_tensor(self, rows):
        """The network's input for validated rows of ``X``: their features,
        float64 (token ids, int64, for text)."""
        if rows.dtype.kind in "iu":
            # Only text validates to integers (token ids); features are
            # validated to floats.
            return torch.as_tensor(rows)
        batch = np.ascontiguousarray(self._features(rows), dtype=np.float64)
        # A copy of one batch: memmapped input may be read-only.
        return torch.tensor(batch)

    def _score_samples(self, X):
        if self.n_networks > 1:
            # A running sum, not a stack of every network's scores: scoring
            # needs memory for two score vectors, whatever n_networks is.
            total = np.zeros(len(X))
            for network, (median, scale) in zip(
                self.networks_, self.score_scales_, strict=True
            ):
                scores = network.score_samples(X)
                scores -= median
                scores /= scale
                total += scores
            total /= len(self.networks_)
            return total
        return model_scores(self.get_parts()["model"], self, X)

    def embed(self, X):
        """The learned representation phi(x) of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        Z : ndarray of shape (n_samples, rep_dim), dtype float64
            The output of the trained feature map (the encoder of an
            autoencoder; the posterior mean of a VAE's codes), computed in
            float64 in eval mode.
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        module = self._float64_module()
        if isinstance(module, VariationalNet):
            return self._batched(module.code, X)
        network = getattr(module, "feature_map", None) or module.encoder
        return self._batched(network, X)

    def reconstruct(self, X):
        """The model's reconstruction of each sample (autoencoders, VAEs).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        X_hat : ndarray of shape (n_samples, n_features), dtype float64
            dec(enc(x)) of an autoencoder; a VAE's decoded mean at the
            posterior mean code. ``(X - X_hat) ** 2`` per feature is the
            error map of an image (``skoneclass.plot.heatmap_overlay``).
        """
        check_is_fitted(self)
        X = self._validate_X(X, reset=False)
        module = self._float64_module()
        if isinstance(module, VariationalNet):
            return self._batched(lambda t: module.decode(module.code(t)), X)
        if not isinstance(module, ReconstructionNet):
            raise AttributeError(
                f"{type(self).__name__} has no decoder to reconstruct with."
            )
        return self._batched(lambda t: module.decoder(module.encoder(t)), X)

    @property
    def history_(self):
        """skorch's training history (loss per epoch and batch)."""
        return self.net_.history

    @property
    def center_(self):
        """The hypersphere's center c (hypersphere models only)."""
        center = getattr(self.net_.module_, "center", None)
        if center is None:
            raise AttributeError(f"{type(self).__name__} has no hypersphere center.")
        return center.detach().cpu().numpy()


class SGDModel(BaseDeepDetector):
    """The SGD solver on given parts: what :class:`~skoneclass.OneClassModel`
    fits when no exact solver applies.

    Parameters
    ----------
    feature_map, model, loss : Part
    regularizer : tuple of Regularizer
    inference : {"frequentist", "bayesian"}
    **training
        The training parameters of :data:`TRAINING_PARAMETER_CONSTRAINTS`
        and ``contamination``.
    """

    def __init__(
        self,
        feature_map=None,
        model=None,
        loss=None,
        regularizer=(),
        inference="frequentist",
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

    def get_parts(self):
        return {
            "feature_map": self.feature_map,
            "model": self.model,
            "loss": self.loss,
            "regularizer": tuple(self.regularizer),
            "inference": self.inference,
        }

    @property
    def _uses_labels(self):
        return self.loss.uses_labels
