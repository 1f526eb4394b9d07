"""Torch realization of the latent density model: the VAE and its variants.

:class:`VariationalNet` is the model f_theta of
:class:`~skoneclass.parts.LatentDensity`. While training, its forward returns
per-sample *terms* (columns of :data:`TERMS`) that the variational losses
combine: the reconstruction negative log-likelihood, the KL divergence of the
encoding to the prior and the regularizers' per-sample terms (recoding
consistency, total correlation); the mask of the pseudo anomalies it made
travels as every module's extras do (:func:`~skoneclass.deep.modules.with_codes`).
In eval mode it returns the anomaly score s (higher = more anomalous).
"""

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.func import functional_call

from .modules import shift_inputs, with_codes

#: Columns of the training output: negative log-likelihood of x given the
#: decoding, KL(q(z|x) || p(z)), regularizer terms.
TERMS = ("nll", "kl", "regularizer")

_LOG_2PI = math.log(2 * math.pi)


def gaussian_kl(mu, logvar, log_precision=None, per_dimension=False):
    """KL(N(mu, diag(exp(logvar))) || N(0, diag(1 / beta))) per sample.

    ``log_precision`` is log beta (None: the standard normal prior).
    ``per_dimension`` keeps one term per code instead of their sum.
    """
    if log_precision is None:
        terms = 0.5 * (mu**2 + logvar.exp() - 1.0 - logvar)
    else:
        beta = log_precision.exp()
        terms = 0.5 * (beta * (mu**2 + logvar.exp()) - 1.0 - logvar - log_precision)
    return terms if per_dimension else terms.sum(dim=1)


def gaussian_divergence(mu1, logvar1, mu2, logvar2, kind="js"):
    """Divergence between diagonal Gaussians per sample.

    "js": the Jensen-Shannon divergence with the mixture replaced by the
    Gaussian of the same mean and variance (moment matching; the JS of
    Gaussians has no closed form), ``1/2 sum_j log(v_j / (s1_j s2_j))`` with
    ``v = (s1^2 + s2^2) / 2 + (mu1 - mu2)^2 / 4``: symmetric, >= 0, zero iff
    equal. "symmetric_kl": KL(P||Q) + KL(Q||P).
    """
    if kind == "js":
        v = 0.5 * (logvar1.exp() + logvar2.exp()) + 0.25 * (mu1 - mu2) ** 2
        return 0.5 * torch.sum(torch.log(v) - 0.5 * (logvar1 + logvar2), dim=1)
    var1, var2, sq = logvar1.exp(), logvar2.exp(), (mu1 - mu2) ** 2
    return 0.5 * torch.sum((var1 + sq) / var2 + (var2 + sq) / var1 - 2.0, dim=1)


class Likelihood(nn.Module):
    """-log p(x | decoder output) per sample, and the decoded mean.

    "gaussian": N(x; m, I) (the thesis's Gaussian VAE, eq. 4.12);
    "bernoulli": the decoder emits logits, x in [0, 1]; "laplace": unit-scale
    Laplace, the L1 reconstruction of RSC-VAE.
    """

    def __init__(self, kind="gaussian"):
        super().__init__()
        self.kind = kind

    def mean(self, out):
        return torch.sigmoid(out) if self.kind == "bernoulli" else out

    def distance(self, X, out):
        """The data-dependent part of -log p(x | out)."""
        if self.kind == "bernoulli":
            bce = F.binary_cross_entropy_with_logits(out, X, reduction="none")
            return bce.flatten(start_dim=1).sum(dim=1)
        if self.kind == "laplace":
            return (X - out).abs().flatten(start_dim=1).sum(dim=1)
        return 0.5 * ((X - out) ** 2).flatten(start_dim=1).sum(dim=1)

    def forward(self, X, out):
        constant = {"gaussian": 0.5 * _LOG_2PI, "laplace": math.log(2.0)}
        return self.distance(X, out) + constant.get(self.kind, 0.0) * X[0].numel()


class Discriminator(nn.Module):
    """FactorVAE's total-correlation discriminator (Kim & Mnih, 2018).

    Logits of "a code of q(z)" against "a code with its dimensions permuted
    across the batch" (a sample of prod_j q(z_j)).
    """

    def __init__(self, latent_dim, hidden_dims=(1000,) * 6):
        super().__init__()
        layers, n_in = [], latent_dim
        for n_out in hidden_dims:
            layers += [nn.Linear(n_in, n_out), nn.LeakyReLU(0.2)]
            n_in = n_out
        self.layers = nn.Sequential(*layers, nn.Linear(n_in, 2))

    def forward(self, Z):
        return self.layers(Z)


def permute_dims(Z):
    """Each latent dimension shuffled independently across the batch."""
    columns = [Z[torch.randperm(len(Z), device=Z.device), j] for j in range(Z.shape[1])]
    return torch.stack(columns, dim=1)


class VariationalNet(nn.Module):
    """A VAE: Gaussian encoder q(z|x), decoder p(x|z), prior p(z).

    Parameters
    ----------
    encoder : nn.Module
        Emits ``2 * latent_dim`` numbers: the mean and log-variance of q(z|x).
    decoder : nn.Module
        latent code -> parameters of p(x|z) (means, or logits).
    latent_dim : int
    likelihood : {"gaussian", "bernoulli", "laplace"}
    score : {"elbo", "reconstruction", "iwae", "recoding"}
        Anomaly score in eval mode: the negative ELBO, the negative
        reconstruction probability -E_q log p(x|z), the negative
        importance-weighted log-likelihood, or RSC-VAE's normalized sum of
        the encoding inconsistency and the L1 reconstruction error.
    n_score_samples : int
        Monte Carlo samples of z per input when scoring. The noise is drawn
        once (a buffer) and shared by all inputs: each input's score is then
        a fixed function of that input, independent of its batch (common
        random numbers).
    score_weight : float
        alpha of the "recoding" score.
    learn_prior : bool
        Learn the prior precisions beta_j of p(z) = prod_j N(0, 1 / beta_j)
        (OIAD's long-tail prior).
    recoding : (lam, divergence) or None
        RSC-VAE's consistency regularizer: the reconstruction is encoded
        again by the same encoder, adding lam * (KL(q(z^|x^) || p) +
        D(q(z|x), q(z^|x^))) per sample.
    total_correlation : (gamma, hidden_dims) or None
        FactorVAE's penalty gamma * log(D(z) / (1 - D(z))) per sample, plus
        the discriminator's own cross-entropy; each reaches only its own
        parameters.
    shift : (prob, transform) or None
        Each training sample is replaced with probability ``prob`` by
        ``transform(x)`` and flagged a pseudo anomaly.
    penalties : sequence of nn.Module
        Terms ``penalty(self)`` added to the loss.
    """

    def __init__(
        self,
        encoder,
        decoder,
        latent_dim,
        likelihood="gaussian",
        score="elbo",
        n_score_samples=10,
        score_weight=0.5,
        learn_prior=False,
        recoding=None,
        total_correlation=None,
        shift=None,
        penalties=(),
    ):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.latent_dim = latent_dim
        self.likelihood = Likelihood(likelihood)
        self.score = score
        self.score_weight = score_weight
        self.recoding = recoding
        self.shift = shift
        self.penalties = nn.ModuleList(penalties)
        self.log_precision = (
            nn.Parameter(torch.zeros(latent_dim)) if learn_prior else None
        )
        self.tc_weight = None
        if total_correlation is not None:
            self.tc_weight, hidden = total_correlation
            self.discriminator = Discriminator(latent_dim, hidden)
        self.register_buffer("score_noise", torch.randn(n_score_samples, latent_dim))
        # E[l_mut], E[l_recon] over the training normals ("recoding" score).
        self.register_buffer("score_scales", torch.ones(2))

    # -- the probabilistic model -----------------------------------------
    def encode(self, X):
        """Mean and log-variance of q(z|x)."""
        mu, logvar = self.encoder(X).chunk(2, dim=1)
        # Bounded so that exp() cannot overflow early in training.
        return mu, logvar.clamp(-12.0, 12.0)

    def decode(self, Z):
        """The mean of p(x|z)."""
        return self.likelihood.mean(self.decoder(Z))

    def kl(self, mu, logvar):
        return gaussian_kl(mu, logvar, self.log_precision)

    def log_prior(self, Z):
        log_beta = (
            torch.zeros_like(Z[0]) if self.log_precision is None else self.log_precision
        )
        return 0.5 * torch.sum(log_beta - _LOG_2PI - log_beta.exp() * Z**2, dim=-1)

    def code(self, X):
        """The posterior mean of each input's code (the embedding)."""
        return self.encode(X)[0]

    # -- training ----------------------------------------------------------
    def forward(self, X):
        if not self.training:
            return self.anomaly_score(X)
        X, pseudo = shift_inputs(self, X)
        mu, logvar = self.encode(X)
        Z = mu + torch.exp(0.5 * logvar) * torch.randn_like(mu)
        out = self.decoder(Z)
        nll = self.likelihood(X, out)
        regularizer = torch.zeros_like(nll)
        if self.recoding is not None:
            lam, kind = self.recoding
            mu2, logvar2 = self.encode(self.likelihood.mean(out))
            consistency = self.kl(mu2, logvar2) + gaussian_divergence(
                mu, logvar, mu2, logvar2, kind
            )
            regularizer = regularizer + lam * consistency
        if self.tc_weight is not None:
            regularizer = regularizer + self._total_correlation(Z)
        terms = torch.stack([nll, self.kl(mu, logvar), regularizer], dim=1)
        return with_codes(self, terms, pseudo=pseudo)

    def _total_correlation(self, Z):
        # The VAE's term sees the discriminator as fixed, and the
        # discriminator's loss sees the codes as fixed: one backward pass
        # then trains each on its own objective (FactorVAE's two optimizers).
        frozen = {k: v.detach() for k, v in self.discriminator.named_parameters()}
        logits = functional_call(self.discriminator, frozen, (Z,))
        tc = self.tc_weight * (logits[:, 0] - logits[:, 1])
        Z = Z.detach()
        real = self.discriminator(Z)
        permuted = self.discriminator(permute_dims(Z))
        zeros = torch.zeros(len(Z), dtype=torch.long, device=Z.device)
        d_loss = 0.5 * (
            F.cross_entropy(real, zeros, reduction="none")
            + F.cross_entropy(permuted, zeros + 1, reduction="none")
        )
        return tc + d_loss

    # -- scoring -------------------------------------------------------------
    def _samples(self, mu, logvar):
        """Codes z_k = mu + sigma * eps_k for the shared noise, (K, n, d)."""
        eps = self.score_noise.to(mu.dtype)[:, None, :]
        return mu[None] + torch.exp(0.5 * logvar)[None] * eps

    def _nll_samples(self, X, Z):
        K, n = Z.shape[:2]
        out = self.decoder(Z.reshape(K * n, -1))
        X_rep = X[None].expand(K, *X.shape).reshape(K * n, -1)
        return self.likelihood(X_rep, out).view(K, n)

    def score_terms(self, X):
        """(l_mut, l_recon) of RSC-VAE per sample, with z = mu: the
        divergence between the encodings of x and of its reconstruction, and
        the reconstruction's distance (L1 for the Laplace likelihood)."""
        mu, logvar = self.encode(X)
        out = self.decoder(mu)
        mu2, logvar2 = self.encode(self.likelihood.mean(out))
        kind = self.recoding[1] if self.recoding is not None else "js"
        mut = gaussian_divergence(mu, logvar, mu2, logvar2, kind)
        return torch.stack([mut, self.likelihood.distance(X, out)], dim=1)

    def anomaly_score(self, X):
        if self.score == "recoding":
            terms = self.score_terms(X) / self.score_scales
            alpha = self.score_weight
            return alpha * terms[:, 0] + (1 - alpha) * terms[:, 1]
        mu, logvar = self.encode(X)
        Z = self._samples(mu, logvar)
        nll = self._nll_samples(X, Z)
        if self.score == "reconstruction":
            return nll.mean(dim=0)
        if self.score == "elbo":
            return nll.mean(dim=0) + self.kl(mu, logvar)
        # log w_k = log p(x|z_k) + log p(z_k) - log q(z_k|x)
        log_q = -0.5 * torch.sum(
            _LOG_2PI + logvar[None] + self.score_noise.to(mu.dtype)[:, None, :] ** 2,
            dim=-1,
        )
        log_w = -nll + self.log_prior(Z) - log_q
        return -(torch.logsumexp(log_w, dim=0) - np.log(len(Z)))


class PriorPrecisionPenalty(nn.Module):
    """eta * sum_j (1 / beta_j - 1)^2: keeps OIAD's learned prior precisions
    near the standard normal unless the data pull them away."""

    def __init__(self, eta=0.1):
        super().__init__()
        self.eta = eta

    def forward(self, model):
        return self.eta * torch.sum((torch.exp(-model.log_precision) - 1.0) ** 2)


# -- losses ------------------------------------------------------------------


class NegativeELBOObjective(nn.Module):
    """Mean negative ELBO: -log p(x|z) + KL(q(z|x) || p(z)) + regularizer terms."""

    def forward(self, terms, y=None):
        return terms.sum(dim=1).mean()


class SemanticDeviationObjective(nn.Module):
    """RSC-VAE's loss (eqs. 10, 12, 14 of Zhang & Du, 2023).

    Normal and unlabeled samples pay the negative ELBO (and the regularizer
    terms); labeled anomalies (y == -1) and pseudo anomalies pay
    ``anomaly_weight * (KL + regularizer terms)``, no reconstruction: their
    codes are pushed to the prior, so that they decode badly.
    """

    def __init__(self, anomaly_weight=1.0):
        super().__init__()
        self.anomaly_weight = anomaly_weight

    def forward(self, terms, y):
        nll, kl, reg = terms.unbind(dim=1)
        # The engine labels the pseudo anomalies y = -1.
        anomalous = y.to(terms.device) == -1
        per_sample = torch.where(
            anomalous, self.anomaly_weight * (kl + reg), nll + kl + reg
        )
        return per_sample.mean()
