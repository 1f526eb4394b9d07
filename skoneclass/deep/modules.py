"""Torch realizations of the parts that the SGD solver trains.

Models wrap a feature map (a network) and output, per sample, the quantity
s = f_theta(x) that the losses act on and the anomaly score derives from: a
squared distance to a center, or a reconstruction error. Losses are called as
``loss(s, y)`` with the labels y (+1 known normal, -1 known anomaly, 0
unlabeled) and return the mean loss of the batch. Fixed quantities (the
center, the soft-boundary radius) are buffers, so that ``.to()`` and pickling
carry them and no optimizer moves them.

The user-facing descriptions of these parts are in :mod:`skoneclass.parts`;
their ``build`` methods create the modules here.
"""

import torch
from torch import nn


class HypersphereNet(nn.Module):
    """f(x) = ||phi(x) - c||^2 (or the pseudo-Huber h(phi(x) - c)).

    Parameters
    ----------
    feature_map : nn.Module
        phi, mapping a batch to embeddings of shape (batch, rep_dim).
    center : torch.Tensor of shape (rep_dim,)
        The center c: fixed (a buffer) or, with ``learn_center``, its initial
        value (a parameter).
    norm : {"squared", "pseudo_huber"}, default="squared"
        ``||z||^2`` or the robust ``sqrt(||z||^2 + 1) - 1``.
    learn_center : bool, default=False
        Train c with the other parameters. Only sound on a fixed feature map:
        with a trained phi it admits the collapsed solution (thesis Prop. 1).
    penalties : sequence of nn.Module, default=()
        Regularization terms ``penalty(self)`` added to the loss.
    latent_penalties : sequence of nn.Module, default=()
        Terms ``penalty(Z)`` on the batch's codes, added to the loss.
    shift : (prob, transform) or None, default=None
        Pseudo anomalies while training (see :func:`shift_inputs`).
    """

    def __init__(
        self,
        feature_map,
        center,
        norm="squared",
        learn_center=False,
        penalties=(),
        latent_penalties=(),
        shift=None,
    ):
        super().__init__()
        self.feature_map = feature_map
        self.penalties = nn.ModuleList(penalties)
        self.latent_penalties = nn.ModuleList(latent_penalties)
        self.shift = shift
        self.norm = norm
        center = torch.as_tensor(center, dtype=torch.float32).clone()
        if learn_center:
            self.center = nn.Parameter(center)
        else:
            self.register_buffer("center", center)

    def forward(self, X):
        X, pseudo = shift_inputs(self, X)
        Z = self.feature_map(X)
        sq = torch.sum((Z - self.center) ** 2, dim=1)
        if self.norm == "pseudo_huber":
            sq = torch.sqrt(sq + 1.0) - 1.0
        return with_codes(self, sq, Z, pseudo)


def with_codes(model, s, Z=None, pseudo=None):
    """``s``, or ``(s, extras)`` while training: how every module hands its
    training extras to the loss.

    ``extras["codes"]`` are the codes Z when the model has latent penalties
    (the engine adds them to the loss), ``extras["pseudo"]`` the mask of the
    pseudo anomalies made by a distribution shift (the engine labels them
    y = -1, or hands the mask to a criterion that ``takes_pseudo``). Scoring
    (eval mode) sees the model output alone.
    """
    extras = {}
    if model.training and len(getattr(model, "latent_penalties", ())):
        extras["codes"] = Z
    if model.training and pseudo is not None:
        extras["pseudo"] = pseudo
    return (s, extras) if extras else s


def shift_inputs(model, X):
    """``(X, pseudo)``: in training, each row replaced with probability p by
    ``transform(row)``, a pseudo anomaly (``model.shift = (p, transform)``)."""
    shift = getattr(model, "shift", None)
    if shift is None or not model.training:
        return X, None
    prob, transform = shift
    pseudo = torch.rand(len(X), device=X.device) < prob
    if pseudo.any():
        X = X.clone()
        X[pseudo] = transform(X[pseudo]).to(X.dtype)
    return X, pseudo


_NONLINEAR = (nn.LeakyReLU, nn.ReLU, nn.ELU, nn.Tanh, nn.Sigmoid)


def _activations(encoder, X):
    """Outputs of every nonlinearity of a sequential encoder, and its code."""
    if not isinstance(encoder, nn.Sequential):
        return [encoder(X)]
    outputs = []
    for layer in encoder:
        X = layer(X)
        if isinstance(layer, _NONLINEAR):
            outputs.append(X)
    return [*outputs, X]


class ReconstructionNet(nn.Module):
    """Per-sample mean squared reconstruction error of an encoder-decoder.

    Parameters
    ----------
    encoder, decoder : nn.Module
    space : {"input", "features"}, default="input"
        "input": mean_j (x_j - dec(enc(x))_j)^2. "features": the
        reconstruction is encoded again and the error is summed over the
        input and every hidden layer of the encoder, each a mean over its
        units (the error "in a neural feature space", thesis 4.3.2, as in
        RaPP, Kim et al. 2020).
    error : {"mse", "l2"}, default="mse"
        Each term as the mean squared error over its units, or as the
        Euclidean norm of its residual.
    penalties : sequence of nn.Module, default=()
        Regularization terms ``penalty(self)`` added to the loss.
    latent_penalties : sequence of nn.Module, default=()
        Terms ``penalty(Z)`` on the batch's codes, added to the loss.
    shift : (prob, transform) or None, default=None
        Pseudo anomalies while training (see :func:`shift_inputs`).
    """

    def __init__(
        self,
        encoder,
        decoder,
        space="input",
        penalties=(),
        latent_penalties=(),
        shift=None,
        error="mse",
    ):
        super().__init__()
        self.penalties = nn.ModuleList(penalties)
        self.latent_penalties = nn.ModuleList(latent_penalties)
        self.shift = shift
        self.encoder = encoder
        self.decoder = decoder
        self.space = space
        self.error = error

    def _error(self, target, estimate):
        residual = (estimate - target).flatten(start_dim=1)
        if self.error == "l2":
            return torch.linalg.vector_norm(residual, dim=1)
        return (residual**2).mean(dim=1)

    def forward(self, X):
        X, pseudo = shift_inputs(self, X)
        code = self.encoder(X)
        X_hat = self.decoder(code)
        error = self._error(X, X_hat)
        if self.space == "features":
            for h, h_hat in zip(
                _activations(self.encoder, X),
                _activations(self.encoder, X_hat),
                strict=True,
            ):
                error = error + self._error(h, h_hat)
        return with_codes(self, error, code, pseudo)


class HeatmapNet(nn.Module):
    """FCDD's model: the mean of the pseudo-Huber heatmap of a fully
    convolutional network, ``s = mean_uv (sqrt(phi(x)_uv^2 + 1) - 1)``.

    Parameters
    ----------
    fcn : nn.Module
        Maps a batch to maps of shape (n, 1, u, v); the bias of its last
        layer is the center.
    penalties : sequence of nn.Module, default=()
    shift : (prob, transform) or None, default=None
        Synthetic anomalies while training (e.g. confetti noise).
    """

    def __init__(self, fcn, penalties=(), shift=None):
        super().__init__()
        self.feature_map = fcn
        self.penalties = nn.ModuleList(penalties)
        self.latent_penalties = nn.ModuleList()
        self.shift = shift

    def heatmap(self, X):
        """The low-resolution heatmap A(x), shape (n, u, v)."""
        out = self.feature_map(X)
        return (torch.sqrt(out**2 + 1.0) - 1.0).sum(dim=1)

    def forward(self, X):
        X, pseudo = shift_inputs(self, X)
        s = self.heatmap(X).flatten(start_dim=1).mean(dim=1)
        return with_codes(self, s, None, pseudo)


class LinearScoreNet(nn.Module):
    """s = <w, phi(x)> + b: a linear anomaly-score head on a network (DevNet).

    Parameters
    ----------
    feature_map : nn.Module
    rep_dim : int
    penalties, latent_penalties : sequence of nn.Module, default=()
    shift : (prob, transform) or None, default=None
    """

    def __init__(
        self, feature_map, rep_dim, penalties=(), latent_penalties=(), shift=None
    ):
        super().__init__()
        self.feature_map = feature_map
        self.head = nn.Linear(rep_dim, 1)
        self.penalties = nn.ModuleList(penalties)
        self.latent_penalties = nn.ModuleList(latent_penalties)
        self.shift = shift

    def forward(self, X):
        X, pseudo = shift_inputs(self, X)
        Z = self.feature_map(X)
        return with_codes(self, self.head(Z)[:, 0], Z, pseudo)


class OrthogonalityPenalty(nn.Module):
    """weight * ||W W^T - I||_F^2 for the last linear layer W of a feature map.

    Rows of W (the representation's directions) are pushed to be orthonormal,
    the constraint of PCA's W and of CVDD's attention heads.
    """

    def __init__(self, weight=1.0):
        super().__init__()
        self.weight = weight

    def forward(self, model):
        network = getattr(model, "feature_map", None) or model.encoder
        linear = [m for m in network.modules() if isinstance(m, nn.Linear)]
        if not linear:
            return torch.zeros(())
        W = linear[-1].weight
        eye = torch.eye(W.shape[0], dtype=W.dtype, device=W.device)
        return self.weight * torch.sum((W @ W.T - eye) ** 2)


class DecentralizationPenalty(nn.Module):
    """lam * (d - mean_i ||z_i - C||^2) on a batch of codes z in (-1, 1)^d.

    ``center="zero"``: C = 0. ``center="moving"``: C is a buffer, the mean
    code updated per training batch as center loss does,
    C <- C + sum_i (z_i - C) / (m + 1), without gradient.
    """

    def __init__(self, lam=0.01, center="zero"):
        super().__init__()
        self.lam = lam
        self.center = center
        self.register_buffer("C", None)

    def forward(self, Z):
        C = 0.0
        if self.center == "moving":
            if self.C is None:
                self.C = Z.detach().mean(dim=0)
            else:
                self.C = self.C + (Z.detach() - self.C).sum(dim=0) / (len(Z) + 1)
            C = self.C
        return self.lam * (Z.shape[1] - torch.sum((Z - C) ** 2, dim=1).mean())


@torch.no_grad()
def _eval_outputs(module, X, batch_size):
    """Outputs of ``module`` on ``X`` one batch at a time, in eval mode."""
    was_training = module.training
    module.eval()
    try:
        for i in range(0, len(X), batch_size):
            yield module(X[i : i + batch_size])
    finally:
        module.train(was_training)


def embed(module, X, batch_size=1024):
    """Outputs of ``module`` on ``X`` in eval mode, batched, without gradients."""
    return torch.cat(list(_eval_outputs(module, X, batch_size)))


def mean_embedding(module, X, batch_size=1024):
    """Mean output of ``module`` on ``X`` in eval mode, in memory for one batch.

    The sum is accumulated in float64, so the order of the batches does not
    matter beyond float noise.
    """
    total = sum(Z.double().sum(dim=0) for Z in _eval_outputs(module, X, batch_size))
    return (total / len(X)).float()


def initial_center(embeddings, eps=0.1):
    """Mean embedding, with coordinates closer to 0 than ``eps`` pushed to +-eps.

    A zero coordinate could be matched by zero weights, a trivial solution
    (the Deep SVDD reference code's safeguard). Exact zeros stay at zero, as
    there.
    """
    c = embeddings.mean(dim=0)
    small = c.abs() < eps
    return torch.where(small, torch.sign(c) * eps, c)


# -- losses ------------------------------------------------------------------


class MeanOutput(nn.Module):
    """l(s, y) = s: the mean model output (One-Class Deep SVDD, autoencoders).

    Labels are ignored.
    """

    def forward(self, s, y=None):
        return s.mean()


class SoftBoundaryObjective(nn.Module):
    """Soft-boundary Deep SVDD (thesis eq. 2.10), without the weight decay.

    l = R^2 + 1/nu * mean(max(0, s - R^2)), with s the squared distance to
    the center. R^2 is a buffer solved outside the gradient step (block
    coordinate descent) as the (1 - nu) quantile of the distances.

    Parameters
    ----------
    nu : float in (0, 1]
    """

    def __init__(self, nu=0.1):
        super().__init__()
        self.nu = nu
        self.register_buffer("radius2", torch.tensor(0.0))

    def forward(self, s, y=None):
        return self.radius2 + torch.clamp(s - self.radius2, min=0).mean() / self.nu

    @torch.no_grad()
    def solve_radius(self, s):
        """Set R^2 to the (1 - nu) quantile of the squared distances ``s``."""
        self.radius2.fill_(torch.quantile(s.detach().float(), 1.0 - self.nu).item())


class DeepSADObjective(nn.Module):
    """Deep SAD's semi-supervised loss (thesis eq. 2.15 and its reference code).

    l(s, 0) = s for unlabeled samples and l(s, y) = eta * (s + eps)^y for
    labeled ones: a labeled normal (y = +1) is pulled to the center, a labeled
    anomaly (y = -1) pushed away by the inverse distance. Without labels this
    is One-Class Deep SVDD.

    Parameters
    ----------
    eta : float > 0, default=1.0
        Weight of the labeled samples.
    eps : float, default=1e-6
        Keeps the inverse distance finite.
    """

    def __init__(self, eta=1.0, eps=1e-6):
        super().__init__()
        self.eta = eta
        self.eps = eps

    def forward(self, s, y):
        y = y.to(s.dtype)
        labeled = self.eta * (s + self.eps) ** y
        return torch.where(y == 0, s, labeled).mean()


class HSCObjective(nn.Module):
    """Binary cross-entropy of the Hypersphere Classifier (thesis eq. 2.20).

    With rho(z) = exp(-s) the probability of being normal, unlabeled and
    labeled normal samples cost s and labeled anomalies -log(1 - exp(-s)),
    the latter weighted by ``eta`` as all labeled samples.

    Parameters
    ----------
    eta : float > 0, default=1.0
        Weight of the labeled samples.
    """

    def __init__(self, eta=1.0):
        super().__init__()
        self.eta = eta

    def forward(self, s, y):
        # -log(1 - exp(-s)) computed stably as -log(-expm1(-s)).
        anomaly = -torch.log(-torch.expm1(-torch.clamp(s, min=1e-6)))
        per_sample = torch.where(y == -1, anomaly, s)
        weight = torch.where(y == 0, 1.0, self.eta)
        return (weight * per_sample).mean()


def deviation(s, anomalous, margin, mu=0.0, sigma=1.0):
    """DevNet's per-sample deviation loss: ``|dev|`` for normal samples and
    ``max(0, margin - dev)`` for anomalies, ``dev = (s - mu) / sigma``."""
    dev = (s - mu) / sigma
    return torch.where(anomalous, torch.clamp(margin - dev, min=0.0), dev.abs())


class DeviationObjective(nn.Module):
    """Mean deviation loss (Pang et al., 2019); anomalies are y == -1.

    Parameters
    ----------
    margin : float
    prior_samples : int or None
        None: the N(0, 1) reference's exact mean and std; an int: the mean and
        std of that many fresh N(0, 1) draws (DevNet's code).
    """

    def __init__(self, margin=5.0, prior_samples=None):
        super().__init__()
        self.margin = margin
        self.prior_samples = prior_samples

    def forward(self, s, y):
        mu, sigma = 0.0, 1.0
        if self.prior_samples:
            reference = torch.randn(self.prior_samples, device=s.device)
            mu, sigma = reference.mean(), reference.std()
        return deviation(s, y == -1, self.margin, mu, sigma).mean()


# -- DRA ---------------------------------------------------------------------


def _top_k_mean(scores, ratio):
    """Mean of the k largest of each row, k = max(1, floor(ratio * n_cols))."""
    k = max(1, int(ratio * scores.shape[1]))
    return torch.topk(scores, k, dim=1).values.mean(dim=1)


class DRANet(nn.Module):
    """DRA's shared feature network and its four heads.

    The feature network maps a batch to patch features (n, E, P): P patches
    (the pixels of a CNN's last map; one for an MLP). The seen and pseudo
    heads score each patch with a linear layer and average the top-k
    absolute scores (top-k multiple-instance learning); the residual head
    does the same on ``M_r - M_x``, the residual to the mean features of the
    reference samples, after a per-patch dense layer, batch norm and ReLU;
    the normality head scores the patches' mean with a small MLP. Every head
    output is ``|.| >= 0``. In training the module returns the four head
    scores (and the pseudo-anomaly mask as an extra, :func:`with_codes`); in
    eval mode the anomaly
    score ``g_s + g_p + g_r - g_n`` (without ``g_s`` when no anomaly was
    labeled).
    """

    def __init__(
        self, features, n_channels, references, topk_ratio, use_seen, shift,
        shape=None,
    ):  # fmt: skip
        super().__init__()
        self.features = features
        self.shape = shape
        self.register_buffer("references", references)
        self.topk_ratio = topk_ratio
        self.use_seen = use_seen
        self.shift = shift
        self.seen = nn.Linear(n_channels, 1)
        self.pseudo = nn.Linear(n_channels, 1)
        self.residual = nn.Sequential(
            nn.Linear(n_channels, n_channels),
            nn.BatchNorm1d(n_channels),
            nn.ReLU(),
            nn.Linear(n_channels, 1),
        )
        hidden = max(1, n_channels // 2)
        self.normal = nn.Sequential(
            nn.Linear(n_channels, hidden), nn.ReLU(), nn.Linear(hidden, 1)
        )

    def patches(self, X):
        """Patch features (n, P, E) of a batch."""
        if self.shape is not None:
            X = X.view(-1, *self.shape)
        F = self.features(X)
        if F.dim() == 2:
            return F[:, None, :]
        return F.flatten(start_dim=2).transpose(1, 2)

    def head_scores(self, X):
        """(n, 4): g_s, g_p, g_r, g_n."""
        n_ref = len(self.references)
        F = self.patches(torch.cat([self.references.to(X.dtype), X]))
        M_r, M = F[:n_ref].mean(dim=0, keepdim=True), F[n_ref:]
        n, P, E = M.shape
        residual = self.residual(
            (M_r - M).reshape(n * P, E)
        ).view(n, P)  # fmt: skip
        return torch.stack(
            [
                _top_k_mean(self.seen(M)[..., 0].abs(), self.topk_ratio),
                _top_k_mean(self.pseudo(M)[..., 0].abs(), self.topk_ratio),
                _top_k_mean(residual.abs(), self.topk_ratio),
                self.normal(M.mean(dim=1))[:, 0].abs(),
            ],
            dim=1,
        )

    def forward(self, X):
        X, pseudo = shift_inputs(self, X)
        heads = self.head_scores(X)
        if self.training:
            return with_codes(self, heads, pseudo=pseudo)
        g_s, g_p, g_r, g_n = heads.unbind(dim=1)
        return (g_s if self.use_seen else 0.0) + g_p + g_r - g_n


class DRAObjective(nn.Module):
    """Sum of the four heads' mean deviation losses, each on its own samples.

    Seen head: normal samples vs labeled anomalies (y == -1); pseudo head:
    normal vs pseudo anomalies; residual head: all, anomalous if labeled or
    pseudo; normality head: all, trained to score *normal* samples high
    (target 1, as in DRA's code), since it is subtracted. A labeled anomaly
    that was also cut-and-pasted stays a seen anomaly.
    """

    #: The engine hands over the pseudo-anomaly mask as it is.
    takes_pseudo = True

    def __init__(self, margin=5.0, use_seen=True):
        super().__init__()
        self.margin = margin
        self.use_seen = use_seen

    def forward(self, heads, y, pseudo=None):
        g_s, g_p, g_r, g_n = heads.unbind(dim=1)
        seen = y == -1
        if pseudo is None:
            pseudo = torch.zeros_like(seen)
        pseudo = pseudo & ~seen
        normal = ~seen & ~pseudo
        a = self.margin

        def head(scores, positive, rows):
            if not rows.any():
                return scores.sum() * 0.0
            return deviation(scores[rows], positive[rows], a).mean()

        loss = head(g_p, pseudo, normal | pseudo)
        loss = loss + head(g_r, seen | pseudo, torch.ones_like(seen))
        loss = loss + head(g_n, normal, torch.ones_like(seen))
        if self.use_seen:
            loss = loss + head(g_s, seen, normal | seen)
        return loss
