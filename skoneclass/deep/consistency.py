"""Structure consistency (OIAD): a latent density scored by its morphs.

The SGD solver's pieces for :class:`~skoneclass.parts.StructureConsistency`:
the held-out split (:func:`holdout`), the finishing step that sets each
code's morph range and threshold on the held-out data
(:func:`fit_thresholds`), and the score (:func:`consistency_scores`). The
fitted state lives on the estimator: ``codes_``, ``code_ranges_``,
``reference_``, ``scale_``, ``thresholds_`` and ``data_range_``.
"""

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.utils import check_random_state

from .variational import gaussian_kl

#: Morph decodes per scoring batch (k codes x M morphs per input).
DECODES_PER_BATCH = 4096


def ssim(X, Y, shape, data_range, window=7, sigma=1.5):
    """Mean structural similarity (Wang et al., 2004) of image pairs.

    ``X`` and ``Y`` hold flattened images of ``shape`` (C, H, W); a Gaussian
    window of side ``min(window, H, W)`` (made odd) without padding.
    """
    C = shape[0]
    side = min(window, *shape[1:])
    side -= 1 - side % 2
    t = torch.arange(side, dtype=X.dtype, device=X.device) - (side - 1) / 2
    g = torch.exp(-(t**2) / (2 * sigma**2))
    g = g / g.sum()
    kernel = (g[:, None] * g[None, :]).expand(C, 1, side, side)
    X, Y = X.view(-1, *shape), Y.view(-1, *shape)

    def blur(A):
        return F.conv2d(A, kernel, groups=C)

    mu_x, mu_y = blur(X), blur(Y)
    var_x = blur(X * X) - mu_x**2
    var_y = blur(Y * Y) - mu_y**2
    cov = blur(X * Y) - mu_x * mu_y
    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    index = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / (
        (mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2)
    )
    return index.flatten(start_dim=1).mean(dim=1)


def check_model(model, image_shape):
    """ValueError for a morph range or a distance the data cannot have."""
    low, high = model.morph_range
    if not 0 <= low < high <= 1:
        raise ValueError(
            f"morph_range must be two quantiles 0 <= low < high <= 1, got "
            f"{model.morph_range!r}."
        )
    if model.consistency == "ssim" and image_shape is None:
        raise ValueError(
            "consistency='ssim' compares images; use an image network "
            "(e.g. network=ConvNet(image_shape=...)) or consistency='mse'."
        )


def holdout(model, n_samples, random_state):
    """``(train, validation)`` row indices, sorted; the same rows for both
    when too few samples would be left on either side."""
    # A generator of its own: the network's seed is drawn by the solver.
    order = check_random_state(random_state).permutation(n_samples)
    n_val = int(round(model.validation_fraction * n_samples))
    if n_val >= 2 and n_samples - n_val >= 2:
        return np.sort(order[n_val:]), np.sort(order[:n_val])
    return order, order


def fit_thresholds(estimator, model, X, validation, image_shape):
    """Codes, morph ranges and thresholds from the held-out rows; the boundary."""
    X_val = X[validation]
    estimator.data_range_ = float(np.max(X) - np.min(X)) or 1.0
    estimator.morph_shape_ = image_shape
    module = estimator._float64_module()
    with torch.no_grad():
        codes = estimator._batched(lambda t: torch.cat(module.encode(t), dim=1), X_val)
        mu, logvar = torch.as_tensor(codes).chunk(2, dim=1)
        log_beta = module.log_precision.cpu()
        kl = gaussian_kl(mu, logvar, log_beta, per_dimension=True).mean(dim=0)
    codes = np.arange(mu.shape[1])
    if model.codes == "active" and (kl > 0.01).any():
        codes = codes[(kl > 0.01).numpy()]
    estimator.codes_ = codes
    estimator.code_ranges_ = np.quantile(
        mu.numpy()[:, codes], model.morph_range, axis=0
    )
    reference = np.sort(structure_consistency(estimator, model, X_val), axis=0)
    estimator.reference_ = reference
    q25, q75 = np.quantile(reference, [0.25, 0.75], axis=0)
    spread = reference[-1] - reference[0]
    estimator.scale_ = np.where(q75 > q25, q75 - q25, np.where(spread > 0, spread, 1.0))
    levels = _levels(len(reference))
    # Where each code's G_i reaches 1 - alpha: the paper's thresholds.
    estimator.thresholds_ = np.array(
        [np.interp(1 - model.alpha, levels, r) for r in reference.T]
    )
    return -(1.0 - model.alpha)


def _levels(n):
    return (np.arange(n) + 0.5) / n


def morph_codes(estimator, model, mu):
    """Codes of the morphs, (n, n_codes, n_morphs, latent_dim)."""
    grid = torch.linspace(0, 1, model.n_morphs, dtype=mu.dtype, device=mu.device)
    low, high = (torch.as_tensor(r).to(mu) for r in estimator.code_ranges_)
    values = low[:, None] + (high - low)[:, None] * grid  # (k, M)
    codes = estimator.codes_
    Z = mu[:, None, None, :].repeat(1, len(codes), model.n_morphs, 1)
    for j, code in enumerate(codes):
        Z[:, j, :, code] = values[j]
    return Z


def _consistency_batch(estimator, model, module, X):
    Z = morph_codes(estimator, model, module.encode(X)[0])
    n, k, M, d = Z.shape
    out = module.decoder(Z.reshape(-1, d))
    X_rep = X[:, None, None, :].expand(n, k, M, X.shape[1]).reshape(n * k * M, -1)
    if model.consistency == "loss":
        return module.likelihood(X_rep, out).view(n, k, M).mean(dim=2)
    morphs = module.likelihood.mean(out)
    if model.consistency == "ssim":
        similarity = ssim(X_rep, morphs, estimator.morph_shape_, estimator.data_range_)
        distance = 1.0 - similarity
    else:
        distance = ((X_rep - morphs) ** 2).mean(dim=1)
    return distance.view(n, k, M).mean(dim=2)


def structure_consistency(estimator, model, X):
    """SC_i(x) of validated rows ``X``, (n_samples, n_selected_codes)."""
    module = estimator._float64_module()
    step = max(1, DECODES_PER_BATCH // (len(estimator.codes_) * model.n_morphs))
    return estimator._batched(
        lambda t: _consistency_batch(estimator, model, module, t), X, step
    )


def consistency_scores(estimator, model, X):
    """``score_samples``: -max_i G_i(SC_i(x))."""
    sc = structure_consistency(estimator, model, X)
    reference, scale = estimator.reference_, estimator.scale_
    levels = _levels(len(reference))
    g = np.empty_like(sc)
    for j in range(sc.shape[1]):
        ref, v = reference[:, j], sc[:, j]
        inside = np.interp(v, ref, levels)
        above = levels[-1] + (v - ref[-1]) / scale[j]
        below = levels[0] + (v - ref[0]) / scale[j]
        g[:, j] = np.where(v > ref[-1], above, np.where(v < ref[0], below, inside))
    return -g.max(axis=1)


def morphs(estimator, model, X):
    """The decoded means of the morphs of validated rows ``X``."""
    module = estimator._float64_module()
    with torch.no_grad():
        batch = estimator._batch_tensor(X).to(estimator.net_.device)
        Z = morph_codes(estimator, model, module.encode(batch)[0])
        out = module.decode(Z.reshape(-1, Z.shape[-1]))
    return out.view(*Z.shape[:3], -1).cpu().numpy()
