"""Feature maps phi(x): the third dimension of the unifying view (D3).

Three kinds, which decide how a model on top of them can be trained:

- *implicit*: :class:`Kernel`, phi_k with k(x, x') = <phi_k(x), phi_k(x')>,
  known only through Gram matrices; only the exact (SMO/QP, eigen) solvers use it.
- *fixed explicit*: :class:`Identity`, :class:`RandomFourier`,
  :class:`Nystroem` and :class:`Embedding` (any pre-fitted transformer). They
  have ``fit(X)`` / ``transform(X)`` and are applied once, before training.
- *trainable*: :class:`MLP`, :class:`LeNet`, :class:`ConvNet` and the fully
  convolutional :class:`FCN`, phi_omega. Their ``network_kwargs(n_features)``
  says what network n features get; :mod:`skoneclass.deep.builders` builds it
  (and its mirrored decoder for autoencoders) for the SGD solver.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.kernel_approximation import Nystroem as _SkNystroem
from sklearn.kernel_approximation import RBFSampler
from sklearn.metrics.pairwise import PAIRWISE_KERNEL_FUNCTIONS, pairwise_kernels
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from .base import Part, PositiveInts

#: Parameter constraints shared by every estimator that takes a kernel.
KERNEL_PARAMETER_CONSTRAINTS = {
    "kernel": [StrOptions(set(PAIRWISE_KERNEL_FUNCTIONS)), callable],
    "gamma": [StrOptions({"scale", "auto"}), Interval(Real, 0, None, closed="left")],
    "degree": [Interval(Integral, 0, None, closed="left")],
    "coef0": [Interval(Real, None, None, closed="neither")],
}

_STATIONARY = ("rbf", "laplacian")

_COUNT = [Interval(Integral, 1, None, closed="left")]


def auto_mlp_dims(n_features):
    """(hidden_dims, rep_dim) of the thesis's ODDS MLPs, extended to any width.

    arrhythmia (274 features) 128-64-32; cardio, satellite, satimage-2 and
    shuttle (9 to 36) 32-16-8; thyroid (6) 32-16-4.
    """
    if n_features > 100:
        return (128, 64), 32
    return (32, 16), (4 if n_features <= 8 else 8)


_AUTO_COUNT = [StrOptions({"auto"}), *_COUNT]
_SLOPE = [Interval(Real, 0, None, closed="left")]
_IMAGE_SHAPE = [StrOptions({"auto"}), PositiveInts(length=3)]
#: The hidden activations of :class:`MLP` (built by skoneclass.deep.networks).
ACTIVATION_NAMES = ("leaky_relu", "relu", "elu")


def resolve_gamma(gamma, X):
    """``"scale"`` -> 1 / (n_features X.var()), ``"auto"`` -> 1 / n_features."""
    if gamma == "scale":
        var = X.var()
        return 1.0 / (X.shape[1] * var) if var > 0 else 1.0
    if gamma == "auto":
        return 1.0 / X.shape[1]
    return float(gamma)


class FeatureMap(Part):
    """Base of the feature maps; ``kind`` is "implicit", "fixed" or "trainable"."""

    kind = "fixed"


class Identity(FeatureMap):
    """phi(x) = x: the model works on the raw input."""

    formula = "x"

    def fit(self, X, random_state=None):
        """Nothing to fit."""
        return self

    def transform(self, X):
        """Return ``X`` unchanged."""
        return X


class Kernel(FeatureMap):
    """Implicit kernel feature map, evaluated through Gram matrices.

    Parameters
    ----------
    kernel : str or callable, default="rbf"
        Any kernel of :func:`sklearn.metrics.pairwise.pairwise_kernels`
        ("rbf", "linear", "poly", "sigmoid", "laplacian", "cosine", "chi2",
        "additive_chi2") or a callable ``k(x, y) -> float``.
    gamma : {"scale", "auto"} or float, default="scale"
        Kernel coefficient of "rbf", "poly", "sigmoid", "laplacian" and
        "chi2". "scale" is ``1 / (n_features * X.var())`` and "auto" is
        ``1 / n_features``, as in :class:`sklearn.svm.OneClassSVM`.
    degree : int, default=3
        Degree of "poly".
    coef0 : float, default=1.0
        Independent term of "poly" and "sigmoid".
    """

    kind = "implicit"

    _parameter_constraints = dict(KERNEL_PARAMETER_CONSTRAINTS)

    def __init__(self, kernel="rbf", gamma="scale", degree=3, coef0=1.0):
        self.kernel = kernel
        self.gamma = gamma
        self.degree = degree
        self.coef0 = coef0

    @property
    def formula(self):
        return f"phi_k(x), k = {getattr(self.kernel, '__name__', self.kernel)}"

    def fit(self, X):
        """Resolve ``gamma`` on the training data ``X``."""
        # Stationary kernels depend on x - x' only. Centering first keeps the
        # expanded squared distances ||x||^2 + ||x'||^2 - 2<x, x'> from
        # cancelling catastrophically on data far from the origin.
        self.shift_ = X.mean(axis=0) if self.kernel in _STATIONARY else 0.0
        self.gamma_ = resolve_gamma(self.gamma, X)
        return self

    def __call__(self, X, Y=None):
        """Gram matrix ``K[i, j] = k(X[i], Y[j])`` (``Y = X`` if None)."""
        return pairwise_kernels(
            X - self.shift_,
            None if Y is None else Y - self.shift_,
            metric=self.kernel,
            filter_params=True,
            gamma=self.gamma_,
            degree=self.degree,
            coef0=self.coef0,
        )

    def diag(self, X):
        """``k(x, x)`` for each row of ``X``, without the full Gram matrix."""
        sq = np.einsum("ij,ij->i", X, X)
        if self.kernel in (*_STATIONARY, "chi2"):
            return np.ones(X.shape[0])
        if self.kernel == "linear":
            return sq
        if self.kernel in ("poly", "polynomial"):
            return (self.gamma_ * sq + self.coef0) ** self.degree
        if self.kernel == "sigmoid":
            return np.tanh(self.gamma_ * sq + self.coef0)
        if self.kernel == "cosine":
            return (sq > 0).astype(float)
        return np.array([self(row[None])[0, 0] for row in X])


class RandomFourier(FeatureMap):
    """Random Fourier features z(x) of the RBF kernel (Rahimi & Recht, 2007).

    An explicit map with <z(x), z(x')> ~ exp(-gamma ||x - x'||^2), so that a
    kernel model costs O(n n_components) instead of the O(n^2) Gram matrix
    (scikit-learn's :class:`~sklearn.kernel_approximation.RBFSampler`).

    Parameters
    ----------
    n_components : int, default=500
    gamma : {"scale", "auto"} or float, default="scale"
        As for :class:`Kernel`.
    random_state : int, RandomState instance or None, default=None
        None takes the estimator's ``random_state``.
    """

    _parameter_constraints = {
        "n_components": _COUNT,
        "gamma": KERNEL_PARAMETER_CONSTRAINTS["gamma"],
        "random_state": ["random_state"],
    }

    def __init__(self, n_components=500, gamma="scale", random_state=None):
        self.n_components = n_components
        self.gamma = gamma
        self.random_state = random_state

    formula = "z(x) ~ phi_k(x), random Fourier features (rbf)"

    def fit(self, X, random_state=None):
        """Draw the random frequencies for the data ``X``."""
        seed = random_state if self.random_state is None else self.random_state
        self.sampler_ = RBFSampler(
            gamma=resolve_gamma(self.gamma, X),
            n_components=self.n_components,
            random_state=seed,
        ).fit(X)
        return self

    def transform(self, X):
        """Features of shape (n_samples, n_components)."""
        return self.sampler_.transform(X)


class Nystroem(FeatureMap):
    """Nystroem approximation of a kernel feature map (Williams & Seeger, 2001).

    phi(x) = K_mm^{-1/2} k(landmarks, x) on ``n_components`` landmarks drawn
    from the training data (scikit-learn's
    :class:`~sklearn.kernel_approximation.Nystroem`), the projection of
    phi_k(x) onto the landmarks' span.

    A point far from every landmark projects onto the origin, where a
    hypersphere's center may well be: alone, the projection hides exactly the
    anomalies. ``residual=True`` appends the distance to the span,
    sqrt(k(x, x) - ||P phi_k(x)||^2), so that ||phi(x)||^2 = k(x, x) and
    distances to any center in the span are the kernel distances.

    Parameters
    ----------
    kernel : str or callable, default="rbf"
    gamma : {"scale", "auto"} or float, default="scale"
    n_components : int, default=300
    degree : int, default=3
    coef0 : float, default=1.0
    residual : bool, default=True
        Append the distance to the landmarks' span as a last feature.
    random_state : int, RandomState instance or None, default=None
        None takes the estimator's ``random_state``.
    """

    _parameter_constraints = {
        **KERNEL_PARAMETER_CONSTRAINTS,
        "n_components": _COUNT,
        "residual": ["boolean"],
        "random_state": ["random_state"],
    }

    def __init__(
        self,
        kernel="rbf",
        gamma="scale",
        n_components=300,
        degree=3,
        coef0=1.0,
        residual=True,
        random_state=None,
    ):
        self.kernel = kernel
        self.gamma = gamma
        self.n_components = n_components
        self.degree = degree
        self.coef0 = coef0
        self.residual = residual
        self.random_state = random_state

    @property
    def formula(self):
        return (
            f"phi_k(x) ~ Nystroem, k = {getattr(self.kernel, '__name__', self.kernel)}"
        )

    def fit(self, X, random_state=None):
        """Draw the landmarks from ``X``."""
        seed = random_state if self.random_state is None else self.random_state
        self.kernel_ = Kernel(self.kernel, self.gamma, self.degree, self.coef0).fit(X)
        self.map_ = _SkNystroem(
            kernel=self.kernel,
            gamma=self.kernel_.gamma_,
            n_components=min(self.n_components, X.shape[0]),
            degree=self.degree,
            coef0=self.coef0,
            random_state=seed,
        ).fit(X)
        return self

    def transform(self, X):
        """Features of shape (n_samples, n_components (+ 1 with ``residual``))."""
        Z = self.map_.transform(X)
        if not self.residual:
            return Z
        rest = self.kernel_.diag(X) - np.einsum("ij,ij->i", Z, Z)
        return np.c_[Z, np.sqrt(np.clip(rest, 0.0, None))]


class Embedding(FeatureMap):
    """Any scikit-learn transformer as a fixed feature map.

    A fitted transformer is used as it is (e.g. a
    :class:`~skoneclass.AutoencoderEmbedding` trained on other data); an
    unfitted one is cloned and fitted on the training data first. Cloning the
    estimator (as ``GridSearchCV`` does) clones the transformer too, unfitted;
    wrap it in :class:`sklearn.frozen.FrozenEstimator` to keep it fitted.

    Parameters
    ----------
    transformer : scikit-learn transformer
    """

    _parameter_constraints = {"transformer": [HasMethods(["fit", "transform"])]}

    def __init__(self, transformer):
        self.transformer = transformer

    @property
    def formula(self):
        return f"T(x), {type(self.transformer).__name__}"

    def fit(self, X, random_state=None):
        """Use the fitted transformer, or fit a clone on ``X``."""
        try:
            check_is_fitted(self.transformer)
            self.transformer_ = self.transformer
        except NotFittedError:
            self.transformer_ = clone(self.transformer).fit(X)
        return self

    def transform(self, X):
        """The transformer's output."""
        return np.asarray(self.transformer_.transform(X), dtype=np.float64)


class MLP(FeatureMap):
    """Fully connected network phi_omega (thesis appendix B.1.1).

    Hidden blocks (linear, batch norm without affine parameters, activation)
    and a linear representation layer; no activation or batch norm on the
    representation, Glorot-uniform weights.

    Parameters
    ----------
    hidden_dims : tuple of int or "auto", default="auto"
        "auto" uses the thesis's ODDS sizes: 128-64 for more than 100
        features, else 32-16.
    rep_dim : int or "auto", default="auto"
        "auto": 32 above 100 features, 8 above 8, else 4.
    activation : {"leaky_relu", "relu", "elu"}, default="leaky_relu"
    negative_slope : float, default=0.01
    batch_norm : bool, default=True
    code_activation : {None, "tanh"}, default=None
        Activation of the representation; "tanh" bounds it to (-1, 1)
        (needed by :class:`~skoneclass.parts.Decentralization`). Not for Deep
        SVDD: a bounded output can emulate a bias (thesis Prop. 3).
    """

    kind = "trainable"

    _parameter_constraints = {
        "hidden_dims": [StrOptions({"auto"}), PositiveInts()],
        "rep_dim": _AUTO_COUNT,
        "activation": [StrOptions(set(ACTIVATION_NAMES))],
        "negative_slope": _SLOPE,
        "batch_norm": ["boolean"],
        "code_activation": [StrOptions({"tanh"}), None],
    }

    def __init__(
        self,
        hidden_dims="auto",
        rep_dim="auto",
        activation="leaky_relu",
        negative_slope=0.01,
        batch_norm=True,
        code_activation=None,
    ):
        self.hidden_dims = hidden_dims
        self.rep_dim = rep_dim
        self.activation = activation
        self.negative_slope = negative_slope
        self.batch_norm = batch_norm
        self.code_activation = code_activation

    @property
    def formula(self):
        return "phi_omega(x), MLP" + (", tanh code" if self.code_activation else "")

    def network_kwargs(self, n_features, bias=False):
        """The network's settings for ``n_features`` inputs, "auto" resolved."""
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

    def output_dim(self, n_features):
        """Size of the representation for ``n_features`` inputs."""
        return self.network_kwargs(n_features)["rep_dim"]


#: Image shape and default rep_dim of the thesis's LeNets (appendix B.1.1).
LENET_SHAPES = {(1, 28, 28): 32, (3, 32, 32): 128}


class LeNet(FeatureMap):
    """The thesis's LeNet-type CNN phi_omega for flattened images.

    Parameters
    ----------
    image_shape : "auto", (1, 28, 28) or (3, 32, 32), default="auto"
        Shape (C, H, W) of the images. "auto" takes it from image input
        ``X`` of shape (n, C, H, W); a tuple also lets ``X`` hold the images
        flattened.
    rep_dim : int or "auto", default="auto"
        32 for 28x28 gray, 128 for 32x32 color images.
    negative_slope : float, default=0.01
    """

    kind = "trainable"

    _parameter_constraints = {
        "image_shape": _IMAGE_SHAPE,
        "rep_dim": _AUTO_COUNT,
        "negative_slope": _SLOPE,
    }

    def __init__(self, image_shape="auto", rep_dim="auto", negative_slope=0.01):
        self.image_shape = image_shape
        self.rep_dim = rep_dim
        self.negative_slope = negative_slope

    formula = "phi_omega(x), LeNet CNN"

    def network_kwargs(self, n_features, bias=False):
        """The network's settings; a LeNet has no bias terms in any case."""
        shape = tuple(self.image_shape)
        if shape not in LENET_SHAPES:
            raise ValueError(
                f"LeNet takes image_shape (1, 28, 28) or (3, 32, 32), got {shape}."
            )
        if n_features != int(np.prod(shape)):
            raise ValueError(
                f"LeNet(image_shape={shape}) takes flattened images of "
                f"{int(np.prod(shape))} features, got {n_features}."
            )
        rep_dim = LENET_SHAPES[shape] if self.rep_dim == "auto" else self.rep_dim
        return {
            "shape": shape,
            "rep_dim": rep_dim,
            "negative_slope": self.negative_slope,
        }

    def output_dim(self, n_features):
        """Size of the representation."""
        return self.network_kwargs(n_features)["rep_dim"]


class ConvNet(FeatureMap):
    """A stride-2 CNN phi_omega for flattened images of any even size.

    Each block is a convolution of stride 2 (halving the side), batch norm
    and leaky ReLU; then an optional dense layer and the linear code. The
    decoder mirrors it with transposed convolutions and a linear output. The
    encoders of the VAE papers are instances: OIAD ``channels=(32, 32, 64,
    64), kernel_size=4, hidden_dim=128`` at 32x32; RSC-VAE ``channels=(32,
    64, 128, 256), kernel_size=3``; the decentralization AE ``channels=(64,
    128, 256), kernel_size=5, code_activation="tanh"``. Unlike
    :class:`LeNet` it has bias terms (it is not meant for Deep SVDD).

    Parameters
    ----------
    image_shape : "auto" or (C, H, W), default="auto"
        "auto" takes the shape from image input ``X`` of shape (n, C, H,
        W); a tuple also lets ``X`` hold the images flattened. H and W must
        be divisible by ``2 ** len(channels)``.
    channels : tuple of int, default=(32, 64)
    kernel_size : int, default=4
    hidden_dim : int or None, default=None
        A dense layer between the convolutions and the code.
    rep_dim : int, default=16
    negative_slope : float, default=0.2
    batch_norm : bool, default=True
    code_activation : {None, "tanh"}, default=None
    """

    kind = "trainable"

    _parameter_constraints = {
        "image_shape": _IMAGE_SHAPE,
        "channels": [PositiveInts(min_len=1)],
        "kernel_size": _COUNT,
        "hidden_dim": [*_COUNT, None],
        "rep_dim": _COUNT,
        "negative_slope": _SLOPE,
        "batch_norm": ["boolean"],
        "code_activation": [StrOptions({"tanh"}), None],
    }

    def __init__(
        self,
        image_shape="auto",
        channels=(32, 64),
        kernel_size=4,
        hidden_dim=None,
        rep_dim=16,
        negative_slope=0.2,
        batch_norm=True,
        code_activation=None,
    ):
        self.image_shape = image_shape
        self.channels = channels
        self.kernel_size = kernel_size
        self.hidden_dim = hidden_dim
        self.rep_dim = rep_dim
        self.negative_slope = negative_slope
        self.batch_norm = batch_norm
        self.code_activation = code_activation

    @property
    def formula(self):
        return "phi_omega(x), CNN" + (", tanh code" if self.code_activation else "")

    def network_kwargs(self, n_features, bias=True):
        """The network's settings; a ConvNet has bias terms in any case."""
        shape = tuple(self.image_shape)
        if len(shape) != 3 or n_features != int(np.prod(shape)):
            raise ValueError(
                f"ConvNet(image_shape={shape}) takes flattened (C, H, W) images "
                f"of {int(np.prod(shape))} features, got {n_features}."
            )
        factor = 2 ** len(self.channels)
        if shape[1] % factor or shape[2] % factor:
            raise ValueError(
                f"ConvNet with {len(self.channels)} stride-2 blocks needs image "
                f"sides divisible by {factor}, got image_shape={shape}; use "
                "fewer channels or pad the images."
            )
        return {
            "shape": shape,
            "channels": tuple(self.channels),
            "kernel_size": self.kernel_size,
            "rep_dim": self.rep_dim,
            "hidden_dim": self.hidden_dim,
            "bias": True,
            "batch_norm": self.batch_norm,
            "negative_slope": self.negative_slope,
        }

    def output_dim(self, n_features):
        """Size of the representation."""
        return self.rep_dim


class FCN(FeatureMap):
    """A fully convolutional network phi_omega: images -> a map (FCDD).

    Blocks of a same-padded convolution, batch norm and leaky ReLU, with 2x2
    max pooling between them, then a 1x1 convolution to one channel (its bias
    plays FCDD's center). There is no dense layer, so each pixel of the
    output map depends only on its receptive field in the input: the map is a
    low-resolution heatmap (thesis 3.1.1).

    Parameters
    ----------
    image_shape : "auto" or (C, H, W), default="auto"
        "auto" takes the shape from image input ``X`` of shape (n, C, H, W);
        a tuple also lets ``X`` hold the images flattened. H and W must be
        divisible by ``2 ** (len(channels) - 1)``.
    channels : tuple of int, default=(32, 64, 64)
        Width of each block; the map has side H / 2 ** (len(channels) - 1).
    kernel_size : int, default=3
    negative_slope : float, default=0.01
    """

    kind = "trainable"

    _parameter_constraints = {
        "image_shape": _IMAGE_SHAPE,
        "channels": [PositiveInts(min_len=1)],
        "kernel_size": _COUNT,
        "negative_slope": _SLOPE,
    }

    def __init__(
        self, image_shape="auto", channels=(32, 64, 64), kernel_size=3,
        negative_slope=0.01,
    ):  # fmt: skip
        self.image_shape = image_shape
        self.channels = channels
        self.kernel_size = kernel_size
        self.negative_slope = negative_slope

    formula = "phi_omega(x), fully convolutional"

    def network_kwargs(self, n_features, bias=True):
        """The network's settings."""
        shape = tuple(self.image_shape)
        if len(shape) != 3 or n_features != int(np.prod(shape)):
            raise ValueError(
                f"FCN(image_shape={shape}) takes (C, H, W) images of "
                f"{int(np.prod(shape))} features, got {n_features}."
            )
        factor = 2 ** (len(self.channels) - 1)
        if shape[1] % factor or shape[2] % factor:
            raise ValueError(
                f"FCN with {len(self.channels) - 1} poolings needs image sides "
                f"divisible by {factor}, got image_shape={shape}."
            )
        return {
            "shape": shape,
            "channels": tuple(self.channels),
            "kernel_size": self.kernel_size,
            "negative_slope": self.negative_slope,
        }

    def output_dim(self, n_features):
        """Number of pixels of the output map."""
        shape = self.network_kwargs(n_features)["shape"]
        factor = 2 ** (len(self.channels) - 1)
        return (shape[1] // factor) * (shape[2] // factor)


class TorchModule(FeatureMap):
    """A user's torch network as the trainable feature map phi_omega.

    The solver trains a copy (the user's module is never modified), so that
    a pretrained trunk (e.g. a ResNet without its head) can be fine-tuned
    as a detector's network.

    Parameters
    ----------
    module : torch.nn.Module
        Maps a batch of inputs to features: rows (n, d) to (n, E), or images
        (n, C, H, W) to (n, E) or feature maps (n, E, h, w).
    image_shape : None, "auto" or (C, H, W), default=None
        None: the module takes rows. "auto": images, in the shape of the
        images ``X`` holds; a tuple: images of that shape (``X`` may hold
        them flattened).
    """

    kind = "trainable"

    _parameter_constraints = {
        "module": [HasMethods(["forward", "parameters"])],
        "image_shape": [*_IMAGE_SHAPE, None],
    }

    def __init__(self, module, image_shape=None):
        self.module = module
        self.image_shape = image_shape

    @property
    def formula(self):
        return f"phi_omega(x), {type(self.module).__name__}"


class SelfAttention(FeatureMap):
    """Multi-head self-attention over frozen word vectors (CVDD's phi).

    For the word vectors H of a text, ``A = softmax(tanh(H W1) W2)`` over the
    words and the r sentence embeddings ``M = A^T H`` (thesis eqs. 3.2-3.3):
    variable-length text to r fixed-size vectors, each a convex combination
    of its word vectors. Trained by :class:`~skoneclass.CVDD`.

    Parameters
    ----------
    n_heads : int, default=3
    attention_size : int, default=150
    """

    kind = "trainable"

    _parameter_constraints = {"n_heads": _COUNT, "attention_size": _COUNT}

    def __init__(self, n_heads=3, attention_size=150):
        self.n_heads = n_heads
        self.attention_size = attention_size

    formula = "softmax(tanh(H W1) W2)^T H, frozen word vectors H"
