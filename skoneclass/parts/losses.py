"""Losses l(s, y): the first dimension of the unifying view.

Each loss is a :class:`torch.nn.Module` called as ``loss(s, y)`` on the
per-sample model outputs ``s = f_theta(x)`` (e.g. a squared distance to a
center, a reconstruction error) and the labels ``y`` (+1 known normal, -1
known anomaly, 0 unlabeled). It returns the mean loss of the batch. Losses
that carry state (the soft-boundary radius) keep it in buffers, so that
``.to(device)`` and pickling carry it along.
"""

import torch
from torch import nn


class MeanScore(nn.Module):
    """l(s, y) = s: the mean model output (One-Class Deep SVDD, autoencoders).

    Labels are ignored.
    """

    def forward(self, s, y=None):
        return s.mean()


class SoftBoundaryLoss(nn.Module):
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


class DeepSADLoss(nn.Module):
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


class HypersphereClassifierLoss(nn.Module):
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
