"""Models f_theta(x): the second dimension of the unifying view.

A model wraps a feature map (a network) and outputs, per sample, the
quantity the losses of :mod:`skoneclass.parts.losses` act on and the anomaly
score derives from: a squared distance to a center, or a reconstruction
error. Fixed quantities such as the center are buffers, so that ``.to()`` and
pickling carry them and no optimizer ever moves them.
"""

import torch
from torch import nn


class Hypersphere(nn.Module):
    """f(x) = ||phi(x) - c||^2 (or the pseudo-Huber h(phi(x) - c)).

    Parameters
    ----------
    feature_map : nn.Module
        phi, mapping a batch to embeddings of shape (batch, rep_dim).
    center : torch.Tensor of shape (rep_dim,)
        The fixed center c (zeros for the Hypersphere Classifier).
    norm : {"squared", "pseudo_huber"}, default="squared"
        ``||z||^2`` or the robust ``sqrt(||z||^2 + 1) - 1``.
    """

    def __init__(self, feature_map, center, norm="squared"):
        super().__init__()
        self.feature_map = feature_map
        self.norm = norm
        self.register_buffer("center", torch.as_tensor(center, dtype=torch.float32))

    def forward(self, X):
        sq = torch.sum((self.feature_map(X) - self.center) ** 2, dim=1)
        if self.norm == "pseudo_huber":
            return torch.sqrt(sq + 1.0) - 1.0
        return sq


class Reconstruction(nn.Module):
    """f(x) = mean_j (x_j - dec(enc(x))_j)^2, the per-sample mean squared error.

    Parameters
    ----------
    encoder, decoder : nn.Module
    """

    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder

    def forward(self, X):
        error = (self.decoder(self.encoder(X)) - X) ** 2
        return error.flatten(start_dim=1).mean(dim=1)


@torch.no_grad()
def embed(module, X, batch_size=1024):
    """Outputs of ``module`` on ``X`` in eval mode, batched, without gradients."""
    was_training = module.training
    module.eval()
    try:
        return torch.cat(
            [module(X[i : i + batch_size]) for i in range(0, len(X), batch_size)]
        )
    finally:
        module.train(was_training)


def initial_center(embeddings, eps=0.1):
    """Mean embedding, with coordinates closer to 0 than ``eps`` pushed to +-eps.

    A zero coordinate could be matched by zero weights, a trivial solution
    (the Deep SVDD reference code's safeguard). Exact zeros stay at zero, as
    there.
    """
    c = embeddings.mean(dim=0)
    small = c.abs() < eps
    return torch.where(small, torch.sign(c) * eps, c)
