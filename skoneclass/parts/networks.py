"""Trainable feature maps phi_omega: the networks of the unifying view (D3).

:class:`MLP`, the thesis's :class:`LeNet`, the stride-2 :class:`ConvNet`, the
fully convolutional :class:`FCN`, a user's :class:`TorchModule` and CVDD's
:class:`SelfAttention`. Each is a specification: ``network_kwargs(n_features)``
says what network n features get (with "auto" resolved and the shapes
checked); :mod:`skoneclass.deep.builders` builds it (and its mirrored decoder
for autoencoders) for the SGD solver.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions

from .base import PositiveInts
from .feature_maps import FeatureMap

_COUNT = [Interval(Integral, 1, None, closed="left")]


def auto_mlp_dims(n_features):
    """(hidden_dims, rep_dim) of the thesis's ODDS MLPs, extended to any width.

    arrhythmia (274 features) 128-64-32; cardio, satellite, satimage-2 and
    shuttle (9 to 36) 32-16-8; thyroid (6) 32-16-4. Between 40 and 100
    features, where the thesis has no data set, 64-32-16 (wider than
    32-16-8, which is too narrow for scikit-learn's 64-pixel digits).
    """
    if n_features > 100:
        return (128, 64), 32
    if n_features > 40:
        return (64, 32), 16
    return (32, 16), (4 if n_features <= 8 else 8)


_AUTO_COUNT = [StrOptions({"auto"}), *_COUNT]
_SLOPE = [Interval(Real, 0, None, closed="left")]
_IMAGE_SHAPE = [StrOptions({"auto"}), PositiveInts(length=3)]
#: The hidden activations of :class:`MLP` (built by skoneclass.deep.networks).
ACTIVATION_NAMES = ("leaky_relu", "relu", "elu")
#: Glorot-uniform, or PyTorch's own layer initialization.
WEIGHT_INITS = ("glorot", "pytorch")


class MLP(FeatureMap):
    """Fully connected network phi_omega (thesis appendix B.1.1).

    Hidden blocks (linear, batch norm without affine parameters, activation)
    and a linear representation layer; no activation or batch norm on the
    representation.

    Parameters
    ----------
    hidden_dims : tuple of int or "auto", default="auto"
        "auto" uses the thesis's ODDS sizes (:func:`auto_mlp_dims`): 128-64
        for more than 100 features, 64-32 above 40, else 32-16.
    rep_dim : int or "auto", default="auto"
        "auto": 32 above 100 features, 16 above 40, 8 above 8, else 4.
    activation : {"leaky_relu", "relu", "elu"}, default="leaky_relu"
    negative_slope : float, default=0.01
    batch_norm : bool, default=True
    code_activation : {None, "tanh"}, default=None
        Activation of the representation; "tanh" bounds it to (-1, 1)
        (needed by :class:`~skoneclass.parts.Decentralization`). Not for Deep
        SVDD: a bounded output can emulate a bias (thesis Prop. 3).
    weight_init : {"glorot", "pytorch"}, default="glorot"
        Initial weights of the network (and of its decoder): Glorot-uniform,
        as the thesis writes (appendix B.1.2), or PyTorch's own layer
        initialization, uniform in +-1/sqrt(fan_in), from which the Deep SAD
        reference code trains and with which it produced the thesis's ODDS
        table. The smaller initial weights train faster at the thesis's lr
        1e-4: with plain batches, DeepSAD's thesis-protocol AUROC rises by
        4-8 points on cardio, satellite and thyroid
        (``benchmarks/deepsad_recipe.py``).
    dropout : float in [0, 1), default=0.0
        Dropout rate after each hidden block (of the decoder too), active in
        training only.
    """

    kind = "trainable"

    _parameter_constraints = {
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "hidden_dims": [StrOptions({"auto"}), PositiveInts()],
        "rep_dim": _AUTO_COUNT,
        "activation": [StrOptions(set(ACTIVATION_NAMES))],
        "negative_slope": _SLOPE,
        "batch_norm": ["boolean"],
        "code_activation": [StrOptions({"tanh"}), None],
        "weight_init": [StrOptions(set(WEIGHT_INITS))],
    }

    def __init__(
        self,
        hidden_dims="auto",
        rep_dim="auto",
        activation="leaky_relu",
        negative_slope=0.01,
        batch_norm=True,
        code_activation=None,
        weight_init="glorot",
        dropout=0.0,
    ):
        self.hidden_dims = hidden_dims
        self.rep_dim = rep_dim
        self.activation = activation
        self.negative_slope = negative_slope
        self.batch_norm = batch_norm
        self.code_activation = code_activation
        self.weight_init = weight_init
        self.dropout = dropout

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
            "weight_init": self.weight_init,
            "dropout": self.dropout,
        }

    def output_dim(self, n_features):
        """Size of the representation for ``n_features`` inputs."""
        return self.network_kwargs(n_features)["rep_dim"]


#: Image shape -> default (conv channels, rep_dim) of the thesis's LeNets
#: (appendix B.1.1): MNIST's and CIFAR-10's.
LENET_SHAPES = {(1, 28, 28): ((8, 4), 32), (3, 32, 32): ((32, 64, 128), 128)}


class LeNet(FeatureMap):
    """The thesis's LeNet-type CNN phi_omega for flattened images.

    Conv modules (5x5 convolution, batch norm without affine parameters,
    leaky ReLU, 2x2 max-pooling), then dense blocks (linear, batch norm,
    leaky ReLU) and the linear code; no bias terms anywhere. The decoder
    mirrors it: the dense blocks reversed, the last one's output seen as a
    map of side 4, then upsampling and transposed convolutions.

    Parameters
    ----------
    image_shape : "auto", (1, 28, 28) or (3, 32, 32), default="auto"
        Shape (C, H, W) of the images. "auto" takes it from image input
        ``X`` of shape (n, C, H, W); a tuple also lets ``X`` hold the images
        flattened.
    rep_dim : int or "auto", default="auto"
        32 for 28x28 gray, 128 for 32x32 color images.
    negative_slope : float, default=0.01
    channels : tuple of int or "auto", default="auto"
        Output channels of the conv modules; "auto": the thesis's MNIST
        LeNet (8, 4) for 28x28 gray, its CIFAR-10 LeNet (32, 64, 128) for
        32x32 color images. Fashion-MNIST's is ``channels=(16, 32),
        hidden_dims=(64,)`` (the preset name ``network="lenet28-fmnist"``).
    hidden_dims : tuple of int, default=()
        Widths of the dense blocks between the convolutions and the code.
        With an autoencoder, the last one (or ``rep_dim`` without any) must
        be a multiple of 16: the decoder reads it as a map of side 4.
    weight_init : {"glorot", "pytorch"}, default="glorot"
        As :class:`MLP`'s.
    """

    kind = "trainable"

    _parameter_constraints = {
        "image_shape": _IMAGE_SHAPE,
        "rep_dim": _AUTO_COUNT,
        "negative_slope": _SLOPE,
        "channels": [StrOptions({"auto"}), PositiveInts()],
        "hidden_dims": [PositiveInts(), tuple],
        "weight_init": [StrOptions(set(WEIGHT_INITS))],
    }

    def __init__(
        self,
        image_shape="auto",
        rep_dim="auto",
        negative_slope=0.01,
        channels="auto",
        hidden_dims=(),
        weight_init="glorot",
    ):
        self.image_shape = image_shape
        self.rep_dim = rep_dim
        self.negative_slope = negative_slope
        self.channels = channels
        self.hidden_dims = hidden_dims
        self.weight_init = weight_init

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
        channels, rep_dim = LENET_SHAPES[shape]
        return {
            "shape": shape,
            "rep_dim": rep_dim if self.rep_dim == "auto" else self.rep_dim,
            "negative_slope": self.negative_slope,
            "channels": channels if self.channels == "auto" else tuple(self.channels),
            "hidden_dims": tuple(self.hidden_dims),
            "weight_init": self.weight_init,
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
        divisible by the map's downsampling factor (see ``last_block``).
    channels : tuple of int, default=(32, 64, 64)
        Width of each block.
    kernel_size : int, default=3
    negative_slope : float, default=0.01
    last_block : {"full", "conv_pool"}, default="full"
        "full": the last block is a block like the others, not pooled; the
        map has side H / 2 ** (len(channels) - 1). "conv_pool": the last
        block is a bare convolution (no batch norm, no activation) followed
        by 2x2 max pooling, as the thesis's Fashion-MNIST FCN (appendix B.2:
        ``channels=(128, 128), kernel_size=5``, a 7x7 map from 28x28); the map
        has side H / 2 ** len(channels).
    """

    kind = "trainable"

    _parameter_constraints = {
        "image_shape": _IMAGE_SHAPE,
        "channels": [PositiveInts(min_len=1)],
        "kernel_size": _COUNT,
        "negative_slope": _SLOPE,
        "last_block": [StrOptions({"full", "conv_pool"})],
    }

    def __init__(
        self, image_shape="auto", channels=(32, 64, 64), kernel_size=3,
        negative_slope=0.01, last_block="full",
    ):  # fmt: skip
        self.image_shape = image_shape
        self.channels = channels
        self.kernel_size = kernel_size
        self.negative_slope = negative_slope
        self.last_block = last_block

    formula = "phi_omega(x), fully convolutional"

    def network_kwargs(self, n_features, bias=True):
        """The network's settings."""
        shape = tuple(self.image_shape)
        if len(shape) != 3 or n_features != int(np.prod(shape)):
            raise ValueError(
                f"FCN(image_shape={shape}) takes (C, H, W) images of "
                f"{int(np.prod(shape))} features, got {n_features}."
            )
        factor = self._downsampling()
        if shape[1] % factor or shape[2] % factor:
            raise ValueError(
                f"FCN with {factor.bit_length() - 1} poolings needs image sides "
                f"divisible by {factor}, got image_shape={shape}."
            )
        return {
            "shape": shape,
            "channels": tuple(self.channels),
            "kernel_size": self.kernel_size,
            "negative_slope": self.negative_slope,
            "last_block": self.last_block,
        }

    def _downsampling(self):
        return 2 ** (len(self.channels) - (self.last_block == "full"))

    def output_dim(self, n_features):
        """Number of pixels of the output map."""
        shape = self.network_kwargs(n_features)["shape"]
        factor = self._downsampling()
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
    of its word vectors. It has one head per context of the
    :class:`~skoneclass.parts.Contexts` model it feeds, which builds it.

    The input is text: a sequence of documents, each a sequence of integer
    token ids (rows of ``embeddings``); :meth:`check_input` validates it.

    Parameters
    ----------
    embeddings : array-like of shape (n_tokens, embedding_dim), default=None
        Word vectors, row i for token id i (frozen); required at fit.
    attention_size : int, default=150
        d_a, the width of the attention network.
    """

    kind = "trainable"
    #: The input is token ids, not features.
    takes_tokens = True

    _parameter_constraints = {
        "embeddings": ["array-like", None],
        "attention_size": _COUNT,
    }

    def __init__(self, embeddings=None, attention_size=150):
        self.embeddings = embeddings
        self.attention_size = attention_size

    formula = "softmax(tanh(H W1) W2)^T H, frozen word vectors H"

    def embedding_table(self):
        """The word vectors as a float32 array; a ValueError when missing."""
        if self.embeddings is None:
            raise ValueError(
                "CVDD needs word vectors: pass embeddings, an array of shape "
                "(n_tokens, embedding_dim) whose row i embeds token id i."
            )
        E = np.asarray(self.embeddings, dtype=np.float32)
        if E.ndim != 2 or not np.all(np.isfinite(E)):
            raise ValueError(
                "embeddings must be a finite 2-D array (n_tokens, embedding_dim), "
                f"got shape {E.shape}."
            )
        return E

    def check_input(self, X):
        """Documents as an int64 array (n, L) of token ids, padded with
        ``n_tokens`` (see :func:`check_token_sequences`)."""
        return check_token_sequences(X, len(self.embedding_table()))


def check_token_sequences(X, n_tokens):
    """Token sequences as an int64 array (n, L) padded with ``n_tokens``.

    Raises a TypeError for anything that is not sequences of integer token
    ids, a ValueError for empty documents and ids outside [0, n_tokens). A
    2-D integer array may be padded at the end of its rows with ``n_tokens``
    (this function's output is its own valid input).
    """
    if isinstance(X, np.ndarray) and X.ndim == 2 and X.dtype.kind in "iu":
        lengths = X.shape[1] - np.argmax(X[:, ::-1] != n_tokens, axis=1)
        lengths[(X == n_tokens).all(axis=1)] = 0
        docs = [row[:n] for row, n in zip(X, lengths, strict=True)]
    elif isinstance(X, str) or not hasattr(X, "__len__"):
        raise TypeError(
            "CVDD takes a sequence of documents, each a sequence of integer "
            f"token ids; got {type(X).__name__}."
        )
    else:
        docs = list(X)
    if len(docs) < 1:
        raise ValueError("CVDD needs at least one document, got 0.")
    arrays = []
    for i, doc in enumerate(docs):
        if isinstance(doc, str):
            raise TypeError(
                f"document {i} is a string; CVDD takes integer token ids (map "
                "words to rows of the embedding matrix first)."
            )
        ids = np.asarray(doc)
        if ids.dtype.kind in "USO" and ids.size:
            what = "objects" if ids.dtype.kind == "O" else "strings"
            raise TypeError(
                f"document {i} holds {what}; "
                "CVDD takes integer token ids (map words to rows of the "
                "embedding matrix first)."
            )
        if ids.ndim != 1 or (ids.size and ids.dtype.kind not in "iu"):
            raise TypeError(
                f"document {i} must be a 1-D sequence of integer token ids, got "
                f"dtype {ids.dtype} and shape {ids.shape}."
            )
        if ids.size == 0:
            raise ValueError(f"document {i} has no tokens.")
        if ids.min() < 0 or ids.max() >= n_tokens:
            raise ValueError(
                f"document {i} has token ids outside [0, {n_tokens}) (the rows "
                f"of the embedding matrix): {ids.min()}..{ids.max()}."
            )
        arrays.append(ids.astype(np.int64))
    padded = np.full((len(arrays), max(map(len, arrays))), n_tokens, dtype=np.int64)
    for i, ids in enumerate(arrays):
        padded[i, : len(ids)] = ids
    return padded
