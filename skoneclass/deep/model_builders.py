"""The SGD solver's model builders: each model part's torch module.

The solver builds the feature map's network (:mod:`skoneclass.deep.builders`),
pretrains it where a regularizer says so, then asks :func:`build_model`,
keyed by the model part's type, for what to train: the module, and where the
model needs them, its own criterion, callbacks and a finishing step run on
the training data after training (the soft boundary's radius, RSC-VAE's
score normalizers). Data-dependent initializations (the hypersphere's
center, DRA's reference samples) happen here, from the :class:`FitContext`.
:func:`model_scores`, keyed the same way, turns the trained model into
``score_samples``.
"""

from dataclasses import dataclass, field, replace
from functools import singledispatch

import numpy as np
import torch
from sklearn.cluster import KMeans
from torch import nn

from ..parts.losses import Hinge
from ..parts.models import (
    Contexts,
    DisentangledHeads,
    Heatmap,
    Hypersphere,
    LatentDensity,
    LinearScore,
    Reconstruction,
    StructureConsistency,
)
from ..parts.regularizers import (
    Orthogonality,
    PriorPrecision,
    Recoding,
    TotalCorrelation,
)
from . import consistency
from .attention import AlphaAnnealing, CVDDNet, CVDDObjective
from .builders import build_decoder
from .data import ArrayDataset, Rows
from .engine import RadiusUpdate, warn_if_collapsed
from .modules import (
    DRANet,
    DRAObjective,
    HeatmapNet,
    HypersphereNet,
    LinearScoreNet,
    ReconstructionNet,
    embed,
    initial_center,
    mean_embedding,
)
from .variational import PriorPrecisionPenalty, VariationalNet

#: ``ModelBuild.anomaly_fraction``'s default: the loss's balanced batches.
FROM_LOSS = "from the loss"


@dataclass
class FitContext:
    """What a model builder may use: the parts, the data and the fit's settings.

    ``data`` is an ``(X32, labels)`` pair of in-memory arrays or an
    :class:`~skoneclass.deep.data.ArrayDataset`; ``rng`` continues the
    random stream the fit's torch ``seed`` was drawn from.
    """

    feature_map: object
    loss: object
    regularizers: tuple
    n_features: int
    data: object
    bias: bool
    penalties: list
    latent: list
    shift: object
    device: str
    rng: np.random.RandomState
    seed: int
    max_epochs: int
    #: (C, H, W) of the images the network reads, or None for rows.
    image_shape: tuple = None
    #: The estimator's ``random_state``, for draws of their own.
    random_state: object = None

    @property
    def lazy(self):
        return isinstance(self.data, ArrayDataset)

    @property
    def labels(self):
        return self.data.y if self.lazy else self.data[1]

    def rows(self, index):
        """Training rows (features, float32) as a tensor on the CPU."""
        if self.lazy:
            return self.data.rows(index)
        return torch.as_tensor(self.data[0][index])


@dataclass
class ModelBuild:
    """What the solver trains for a model part."""

    module: nn.Module
    #: None: the loss's own criterion (``build_criterion(loss)``).
    criterion: nn.Module = None
    callbacks: list = field(default_factory=list)
    #: Share of labeled anomalies per batch; FROM_LOSS takes the loss's.
    anomaly_fraction: object = FROM_LOSS
    #: ``finish(estimator, X, labels) -> boundary or None``, after training.
    finish: object = None
    #: The rows trained on (the rest are held out for ``finish``); None: all.
    train_rows: np.ndarray = None


@singledispatch
def network_outputs(model, feature_map, n_features):
    """Keyword arguments of ``build_network`` that the model asks for."""
    return {}


@network_outputs.register
def _(model: LatentDensity, feature_map, n_features):
    # Two outputs per code: the mean and log-variance of q(z|x).
    return {"n_outputs": 2 * feature_map.output_dim(n_features)}


@network_outputs.register
def _(model: DisentangledHeads, feature_map, n_features):
    # The heads read the network's last feature maps, not a score map.
    return {"n_outputs": None}


@singledispatch
def build_model(model, encoder, fit):
    """The :class:`ModelBuild` of ``model`` on the network ``encoder``."""
    raise TypeError(f"model={model!r} has no SGD model builder.")


@build_model.register
def _(model: Hypersphere, encoder, fit):
    center, learn = _initial_center(model, encoder, fit)
    module = HypersphereNet(
        encoder, center, model.norm, learn, fit.penalties, fit.latent, fit.shift
    )
    if isinstance(fit.loss, Hinge):
        return ModelBuild(
            module, callbacks=[RadiusUpdate(fit.loss.warm_up_epochs)], finish=_radius
        )
    return ModelBuild(module)


def _initial_center(model, encoder, fit):
    """The initial center and whether it is learned."""
    mode = model.center_for(fit.feature_map)
    if mode == "origin":
        return torch.zeros(embed(encoder, fit.rows(slice(0, 2))).shape[1]), False
    # The mean embedding of all samples but the labeled anomalies.
    encoder.to(fit.device)
    keep = np.flatnonzero(fit.labels != -1)
    if fit.lazy:
        mean = mean_embedding(encoder, Rows(fit.data, keep, fit.device))
    else:
        mean = embed(encoder, fit.rows(keep).to(fit.device)).mean(dim=0)
    if mode == "learned":
        return mean, True
    return initial_center(mean[None], model.center_eps), False


def _radius(estimator, X, labels):
    """The last block-coordinate step of the soft boundary: R^2 optimal for
    the final network on the whole training set (Prop. 4), not on the last
    batch, and on the float64 outputs that scoring sees."""
    criterion = estimator.net_.criterion_
    outputs = estimator._model_outputs(X)
    warn_if_collapsed(-outputs, type(estimator).__name__)
    criterion.solve_radius(torch.as_tensor(outputs))
    estimator.radius_ = float(np.sqrt(criterion.radius2.item()))
    return -(estimator.radius_**2)


@build_model.register
def _(model: Reconstruction, encoder, fit):
    decoder = build_decoder(fit.feature_map, fit.n_features, fit.bias)
    return ModelBuild(
        ReconstructionNet(
            encoder,
            decoder,
            model.space,
            fit.penalties,
            fit.latent,
            fit.shift,
            model.error,
        )
    )


@build_model.register
def _(model: Heatmap, encoder, fit):
    return ModelBuild(HeatmapNet(encoder, fit.penalties, fit.shift))


@build_model.register
def _(model: LinearScore, encoder, fit):
    rep_dim = fit.feature_map.output_dim(fit.n_features)
    return ModelBuild(
        LinearScoreNet(encoder, rep_dim, fit.penalties, fit.latent, fit.shift)
    )


@build_model.register
def _(model: LatentDensity, encoder, fit):
    decoder = build_decoder(fit.feature_map, fit.n_features, fit.bias)
    kwargs, penalties = {"shift": fit.shift}, fit.penalties
    for reg in fit.regularizers:
        if isinstance(reg, Recoding):
            kwargs["recoding"] = (reg.lam, reg.divergence)
        elif isinstance(reg, TotalCorrelation):
            kwargs["total_correlation"] = (reg.gamma, tuple(reg.hidden_dims))
        elif isinstance(reg, PriorPrecision):
            kwargs["learn_prior"] = True
            penalties = [*penalties, PriorPrecisionPenalty(reg.eta)]
    module = VariationalNet(
        encoder,
        decoder,
        fit.feature_map.output_dim(fit.n_features),
        likelihood=model.likelihood,
        score=model.anomaly_score,
        n_score_samples=model.n_score_samples,
        score_weight=model.score_weight,
        penalties=penalties,
        **kwargs,
    )
    recoding = model.anomaly_score == "recoding"
    return ModelBuild(module, finish=_recoding_scales if recoding else None)


@build_model.register
def _(model: StructureConsistency, encoder, fit):
    consistency.check_model(model, fit.image_shape)
    train, validation = consistency.holdout(model, len(fit.labels), fit.random_state)
    built = build_model.dispatch(LatentDensity)(model.density(), encoder, fit)

    def finish(estimator, X, labels):
        return consistency.fit_thresholds(
            estimator, model, X, validation, fit.image_shape
        )

    return replace(built, train_rows=train, finish=finish)


@build_model.register
def _(model: DisentangledHeads, encoder, fit):
    labels = fit.labels
    normal = np.flatnonzero(labels != -1)
    references = fit.rng.choice(
        normal, min(model.n_reference, len(normal)), replace=False
    )
    shape = getattr(fit.feature_map, "image_shape", None)
    probe_rows = fit.rows(references[:2])
    if shape is not None:
        probe_rows = probe_rows.view(-1, *shape)
    with torch.no_grad():
        probe = encoder.eval()(probe_rows)
    encoder.train()
    use_seen = bool((labels == -1).any())
    module = DRANet(
        encoder,
        probe.shape[1],
        fit.rows(references),
        model.topk_ratio,
        use_seen,
        fit.shift,
        shape,
    )
    return ModelBuild(
        module,
        criterion=DRAObjective(fit.loss.margin, use_seen),
        # Balanced batches need labeled anomalies to balance.
        anomaly_fraction=FROM_LOSS if use_seen else None,
    )


@build_model.register
def _(model: Contexts, encoder, fit):
    # The attention has one head per context, and how many contexts there
    # are depends on the data: the contexts' builder builds both.
    attention = fit.feature_map
    E = attention.embedding_table()
    tokens = fit.data[0]
    mask = tokens < len(E)
    means = (E[np.where(mask, tokens, 0)] * mask[..., None]).sum(axis=1)
    means /= mask.sum(axis=1, keepdims=True)
    n_contexts = min(model.n_contexts, len(np.unique(means, axis=0)))
    kmeans = KMeans(n_contexts, n_init=10, random_state=fit.seed).fit(means)
    ortho = sum(r.weight for r in fit.regularizers if isinstance(r, Orthogonality))
    module = CVDDNet(
        torch.as_tensor(E),
        attention.attention_size,
        torch.as_tensor(kmeans.cluster_centers_, dtype=torch.float32),
        ortho,
    )
    return ModelBuild(
        module,
        criterion=CVDDObjective(),
        callbacks=[AlphaAnnealing(model.alpha_max, fit.max_epochs)],
    )


@singledispatch
def model_scores(model, estimator, X):
    """``score_samples`` of validated rows ``X``: minus the model's output."""
    return -estimator._model_outputs(X)


@model_scores.register
def _(model: StructureConsistency, estimator, X):
    return consistency.consistency_scores(estimator, model, X)


def _recoding_scales(estimator, X, labels):
    """RSC-VAE's normalizers E[l_mut], E[l_recon], over the training normals
    (the paper takes them over the test set)."""
    # All rows, then the normals: indexing a memory map would copy it.
    terms = estimator._batched(estimator._float64_module().score_terms, X)
    scales = terms[labels != -1].mean(axis=0)
    estimator.net_.module_.score_scales.copy_(torch.as_tensor(scales))
    return None
