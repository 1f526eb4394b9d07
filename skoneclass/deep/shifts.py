"""Pseudo anomalies made from normal data: the transforms of
:class:`~skoneclass.parts.DistributionShift`.

Each maps a batch of flattened samples (n, d) to shifted ones, drawing from
torch's global generator (seeded by the estimator's ``random_state``).
Image transforms see the batch as (n, C, H, W).
"""

import math

import torch
from torch import nn


class FlipRotate(nn.Module):
    """1 to 3 of {horizontal flip, vertical flip, rotation by 90 degrees}
    applied to each (flattened) image: RSC-VAE's shift for digits."""

    def __init__(self, shape):
        super().__init__()
        self.shape = tuple(shape)

    def forward(self, X):
        images = X.view(-1, *self.shape)
        out = []
        for image in images:
            ops = torch.randperm(3)[: int(torch.randint(1, 4, ()))]
            for op in ops.tolist():
                if op == 2 and self.shape[1] == self.shape[2]:
                    image = torch.rot90(image, 1, dims=(1, 2))
                else:
                    image = torch.flip(image, dims=(2 if op == 0 else 1,))
            out.append(image)
        return torch.stack(out).flatten(start_dim=1)


class FeatureMask(nn.Module):
    """A random ``fraction`` of each sample's features set to 0 (for
    standardized data, the mean): the tabular twin of Cutout."""

    def __init__(self, fraction=0.25):
        super().__init__()
        self.fraction = fraction

    def forward(self, X):
        keep = torch.rand(X.shape, device=X.device) >= self.fraction
        return X * keep


class FeatureShuffle(nn.Module):
    """Each sample's features permuted: the values stay, the structure goes."""

    def forward(self, X):
        order = torch.argsort(torch.rand(X.shape, device=X.device), dim=1)
        return torch.gather(X, 1, order)


def _uniform(low, high):
    return low + (high - low) * float(torch.rand(()))


def _randint(low, high):
    """An integer in [low, high]."""
    return int(torch.randint(low, high + 1, ()))


class Confetti(nn.Module):
    """FCDD's confetti noise: a few blobs of random color pasted into an image.

    Each image gets 1 to ``max_blobs`` rectangles with sides between
    ``sizes[0]`` and ``sizes[1]`` of the image side, each filled with one
    random value per channel, drawn uniformly between the batch's minimum
    and maximum of that channel (any scaling of the images). Local defects
    of the normal images, which FCDD learns to localize (thesis 3.1.2).
    """

    def __init__(self, shape, max_blobs=3, sizes=(0.08, 0.25)):
        super().__init__()
        self.shape = tuple(shape)
        self.max_blobs = max_blobs
        self.sizes = sizes

    def forward(self, X):
        images = X.view(-1, *self.shape).clone()
        C, H, W = self.shape
        low = images.amin(dim=(0, 2, 3))
        high = images.amax(dim=(0, 2, 3))
        for image in images:
            for _ in range(_randint(1, self.max_blobs)):
                h = max(1, round(_uniform(*self.sizes) * H))
                w = max(1, round(_uniform(*self.sizes) * W))
                top, left = _randint(0, H - h), _randint(0, W - w)
                color = low + (high - low) * torch.rand(C, device=X.device)
                image[:, top : top + h, left : left + w] = color[:, None, None]
        return images.flatten(start_dim=1)


class CutPaste(nn.Module):
    """DRA's pseudo anomalies (its "CutMix"): a patch cut from the image,
    jittered, and pasted elsewhere in the same image (Li et al., 2021).

    Patch area U(0.02, 0.15) of the image, aspect ratio exp(U(log 0.3, log
    1/0.3)); the jitter scales the patch's contrast and shifts its
    brightness by up to 10% (the color jitter of DRA's code, for any
    scaling of the images).
    """

    def __init__(self, shape, area=(0.02, 0.15), jitter=0.1):
        super().__init__()
        self.shape = tuple(shape)
        self.area = area
        self.jitter = jitter

    def forward(self, X):
        images = X.view(-1, *self.shape).clone()
        _, H, W = self.shape
        spread = images.std() if images.numel() > 1 else 1.0
        for image in images:
            area = _uniform(*self.area) * H * W
            ratio = math.exp(_uniform(math.log(0.3), math.log(1 / 0.3)))
            w = min(W, max(1, round(math.sqrt(area * ratio))))
            h = min(H, max(1, round(math.sqrt(area / ratio))))
            top, left = _randint(0, H - h), _randint(0, W - w)
            patch = image[:, top : top + h, left : left + w].clone()
            mean = patch.mean()
            patch = mean + (patch - mean) * _uniform(1 - self.jitter, 1 + self.jitter)
            patch = patch + spread * _uniform(-self.jitter, self.jitter)
            top, left = _randint(0, H - h), _randint(0, W - w)
            image[:, top : top + h, left : left + w] = patch
        return images.flatten(start_dim=1)


class FeatureCutMix(nn.Module):
    """The tabular twin of cut-and-paste: a random subset of up to
    ``fraction`` of the features copied from another sample of the batch,
    with Gaussian jitter of 0.1 standard deviations of each feature. The
    marginals stay; the dependencies between features break."""

    def __init__(self, fraction=0.3, jitter=0.1):
        super().__init__()
        self.fraction = fraction
        self.jitter = jitter

    def forward(self, X):
        n, d = X.shape
        size = torch.randint(1, max(1, math.ceil(self.fraction * d)) + 1, (n, 1))
        rank = torch.argsort(torch.rand(n, d), dim=1)
        mask = (rank < size).to(X.device)
        donors = X[torch.randint(0, n, (n,), device=X.device)]
        std = X.std(dim=0) if n > 1 else torch.ones_like(X[0])
        noise = self.jitter * std * torch.randn_like(X)
        return torch.where(mask, donors + noise, X)
