"""Neural feature maps phi_omega and their mirrored decoders.

The defaults follow the thesis's appendix B.1.1 and the Deep SAD reference
code: no bias terms, batch norm without affine parameters (its shift would be
a bias, Proposition 2) and eps 1e-4, leaky ReLU, no activation and no batch
norm on the representation layer. Weights start Glorot-uniform. The image
networks take flattened images of shape (n, C * H * W).
"""

import math

import torch
from torch import nn

#: Unbounded activations; bounded ones (sigmoid, tanh) can emulate a bias and
#: let Deep SVDD collapse (thesis Proposition 3).
ACTIVATIONS = {
    "leaky_relu": lambda slope: nn.LeakyReLU(slope),
    "relu": lambda slope: nn.ReLU(),
    "elu": lambda slope: nn.ELU(),
}


def _init_weights(module, weight_init):
    # PyTorch initializes every layer as it is built: "pytorch" keeps that.
    return _glorot(module) if weight_init == "glorot" else module


def _glorot(module):
    for m in module.modules():
        if isinstance(m, nn.Linear | nn.Conv2d | nn.ConvTranspose2d):
            nn.init.xavier_uniform_(m.weight)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
    return module


def _block(n_in, n_out, bias, batch_norm, activation, negative_slope, dropout=0.0):
    layers = [nn.Linear(n_in, n_out, bias=bias)]
    if batch_norm:
        layers.append(nn.BatchNorm1d(n_out, eps=1e-4, affine=bias))
    layers.append(ACTIVATIONS[activation](negative_slope))
    if dropout:
        layers.append(nn.Dropout(dropout))
    return layers


def _stack(dims, n_out, bias, batch_norm, activation, negative_slope, dropout=0.0):
    """Hidden blocks through ``dims``, then a plain linear layer to ``n_out``."""
    layers = []
    for n_in, n_hidden in zip(dims[:-1], dims[1:], strict=True):
        layers += _block(
            n_in, n_hidden, bias, batch_norm, activation, negative_slope, dropout
        )
    return [*layers, nn.Linear(dims[-1], n_out, bias=bias)]


class MLP(nn.Sequential):
    """Fully connected encoder: hidden blocks, then a linear code layer.

    Parameters
    ----------
    n_features : int
    hidden_dims : tuple of int
    rep_dim : int
    bias : bool, default=False
    batch_norm : bool, default=True
    activation : {"leaky_relu", "relu", "elu"}, default="leaky_relu"
    negative_slope : float, default=0.01
    code_activation : {None, "tanh"}, default=None
        tanh bounds the code to (-1, 1), as the decentralization loss needs.
    n_outputs : int or None, default=None
        Width of the output layer if not ``rep_dim``: a VAE's encoder emits
        the mean and log-variance of each of its ``rep_dim`` codes.
    weight_init : {"glorot", "pytorch"}, default="glorot"
        Glorot-uniform (the thesis, appendix B.1.2) or PyTorch's own layer
        initialization, uniform in +-1/sqrt(fan_in) (the Deep SAD reference
        code's).
    dropout : float, default=0.0
        Dropout rate after each hidden block.
    """

    def __init__(
        self,
        n_features,
        hidden_dims,
        rep_dim,
        bias=False,
        batch_norm=True,
        activation="leaky_relu",
        negative_slope=0.01,
        code_activation=None,
        n_outputs=None,
        weight_init="glorot",
        dropout=0.0,
    ):
        layers = _stack(
            [n_features, *hidden_dims],
            n_outputs or rep_dim,
            bias,
            batch_norm,
            activation,
            negative_slope,
            dropout,
        )
        if code_activation == "tanh":
            layers.append(nn.Tanh())
        super().__init__(*layers)
        _init_weights(self, weight_init)


class MLPDecoder(nn.Sequential):
    """Mirror of :class:`MLP`: code -> reversed hidden blocks -> linear output.

    The output is linear (not the reference code's sigmoid), as skoneclass
    leaves scaling to the user and standardized data are not in [0, 1]. The
    weights start as the encoder's (``weight_init``).
    """

    def __init__(
        self,
        n_features,
        hidden_dims,
        rep_dim,
        bias=False,
        batch_norm=True,
        activation="leaky_relu",
        negative_slope=0.01,
        weight_init="glorot",
        dropout=0.0,
    ):
        layers = _stack(
            [rep_dim, *reversed(hidden_dims)],
            n_features,
            bias,
            batch_norm,
            activation,
            negative_slope,
            dropout,
        )
        super().__init__(*layers)
        _init_weights(self, weight_init)


class LeNet(nn.Module):
    """LeNet-type CNN encoder of the thesis (appendix B.1.1).

    5x5 conv modules (batch norm without affine parameters, leaky ReLU, 2x2
    max-pooling) with ``channels`` outputs, dense blocks of ``hidden_dims``
    (linear, batch norm, leaky ReLU), then the linear code; nothing has a
    bias. The thesis's MNIST LeNet is ``channels=(8, 4)`` at (1, 28, 28),
    its CIFAR-10 LeNet ``(32, 64, 128)`` at (3, 32, 32), its Fashion-MNIST
    LeNet ``channels=(16, 32), hidden_dims=(64,)``.

    Parameters
    ----------
    shape : (C, H, W)
    rep_dim : int
    negative_slope : float, default=0.01
    n_outputs : int or None, default=None
        Width of the code layer if not ``rep_dim`` (a VAE's encoder).
    channels : tuple of int, default=(8, 4)
    hidden_dims : tuple of int, default=()
    weight_init : {"glorot", "pytorch"}, default="glorot"
        As :class:`MLP`'s.
    """

    def __init__(
        self,
        shape,
        rep_dim,
        negative_slope=0.01,
        n_outputs=None,
        channels=(8, 4),
        hidden_dims=(),
        weight_init="glorot",
    ):
        super().__init__()
        self.shape = tuple(shape)
        convs, n_in = [], self.shape[0]
        for n_out in channels:
            convs += [
                nn.Conv2d(n_in, n_out, 5, padding=2, bias=False),
                nn.BatchNorm2d(n_out, eps=1e-4, affine=False),
                nn.LeakyReLU(negative_slope),
                nn.MaxPool2d(2),
            ]
            n_in = n_out
        self.convs = nn.Sequential(*convs)
        side = self.shape[1] // 2 ** len(channels)
        dims = [n_in * side * side, *hidden_dims]
        self.fc = nn.Sequential(
            *_stack(
                dims, n_outputs or rep_dim, False, True, "leaky_relu", negative_slope
            )
        )
        _init_weights(self, weight_init)

    def forward(self, X):
        return self.fc(self.convs(X.view(-1, *self.shape)).flatten(start_dim=1))


class LeNetDecoder(nn.Module):
    """Mirror of :class:`LeNet`: the dense blocks reversed, the last one's
    output (the code without any) as a map of 16ths of its width and side 4,
    then deconvolutions with 2x upsampling back to the image; linear output,
    flattened to (n, C * H * W)."""

    def __init__(
        self,
        shape,
        rep_dim,
        negative_slope=0.01,
        channels=(8, 4),
        hidden_dims=(),
        weight_init="glorot",
    ):
        super().__init__()
        self.shape = tuple(shape)
        widths = [rep_dim, *reversed(hidden_dims)]
        if widths[-1] % 16:
            raise ValueError(
                "LeNet decoders read the code (or the last dense layer) as a "
                f"map of side 4: its width must be divisible by 16, got {widths[-1]}."
            )
        dense = [
            layer
            for n_in, n_out in zip(widths[:-1], widths[1:], strict=True)
            for layer in _block(n_in, n_out, False, True, "leaky_relu", negative_slope)
        ]
        # The last activation opens the deconvolutions.
        self.fc = nn.Sequential(*dense[:-1])
        self.map_channels = widths[-1] // 16
        layers, n_in = [], self.map_channels
        for n_out in channels[::-1]:
            layers += [
                nn.LeakyReLU(negative_slope),
                nn.Upsample(scale_factor=2),
                nn.ConvTranspose2d(n_in, n_out, 5, padding=2, bias=False),
                nn.BatchNorm2d(n_out, eps=1e-4, affine=False),
            ]
            n_in = n_out
        layers += [
            nn.LeakyReLU(negative_slope),
            # 4x4 -> 32x32 after three doublings; 28x28 is reached from 16x16.
            nn.Upsample(size=self.shape[1:]),
            nn.ConvTranspose2d(n_in, self.shape[0], 5, padding=2, bias=False),
        ]
        self.deconvs = nn.Sequential(*layers)
        _init_weights(self, weight_init)

    def forward(self, Z):
        maps = self.fc(Z).view(-1, self.map_channels, 4, 4)
        return self.deconvs(maps).flatten(start_dim=1)


def _padding(kernel_size):
    """(padding, output_padding) with which a stride-2 convolution halves an
    even side exactly and its transpose doubles it back."""
    padding = (kernel_size - 1) // 2
    return padding, 2 + 2 * padding - kernel_size


class ConvNet(nn.Module):
    """Stride-2 CNN encoder: each conv block halves the image side.

    The DCGAN-type encoder of the VAE papers (OIAD: 4x4 convs 32-32-64-64;
    RSC-VAE: 3x3 convs with batch norm and leaky ReLU 0.2; the
    decentralization AE: 5x5 convs): conv (stride 2), batch norm,
    leaky ReLU per block, then an optional dense layer and a linear code.

    Parameters
    ----------
    shape : (C, H, W)
        H and W divisible by ``2 ** len(channels)``.
    channels : tuple of int
    kernel_size : int
    rep_dim : int
    hidden_dim : int or None
        Width of a dense layer between the convolutions and the code.
    bias, batch_norm : bool
    negative_slope : float
    code_activation : {None, "tanh"}
    n_outputs : int or None
        Width of the output layer if not ``rep_dim``.
    """

    def __init__(
        self,
        shape,
        channels,
        kernel_size,
        rep_dim,
        hidden_dim=None,
        bias=True,
        batch_norm=True,
        negative_slope=0.2,
        code_activation=None,
        n_outputs=None,
    ):
        super().__init__()
        self.shape = tuple(shape)
        padding, _ = _padding(kernel_size)
        layers, n_in = [], self.shape[0]
        for n_out in channels:
            layers.append(nn.Conv2d(n_in, n_out, kernel_size, 2, padding, bias=bias))
            if batch_norm:
                layers.append(nn.BatchNorm2d(n_out, eps=1e-4, affine=bias))
            layers.append(nn.LeakyReLU(negative_slope))
            n_in = n_out
        layers.append(nn.Flatten())
        n_flat = (
            n_in * (self.shape[1] >> len(channels)) * (self.shape[2] >> len(channels))
        )
        if hidden_dim:
            layers += [
                nn.Linear(n_flat, hidden_dim, bias=bias),
                nn.LeakyReLU(negative_slope),
            ]
            n_flat = hidden_dim
        layers.append(nn.Linear(n_flat, n_outputs or rep_dim, bias=bias))
        if code_activation == "tanh":
            layers.append(nn.Tanh())
        self.layers = nn.Sequential(*layers)
        _glorot(self)

    def forward(self, X):
        return self.layers(X.view(-1, *self.shape))


class ConvDecoder(nn.Module):
    """Mirror of :class:`ConvNet`: code -> (dense) -> transposed convolutions
    doubling the side back to the image; linear output, flattened."""

    def __init__(
        self,
        shape,
        channels,
        kernel_size,
        rep_dim,
        hidden_dim=None,
        bias=True,
        batch_norm=True,
        negative_slope=0.2,
    ):
        super().__init__()
        self.shape = tuple(shape)
        channels = tuple(channels)[::-1]
        self.start = (
            channels[0],
            self.shape[1] >> len(channels),
            self.shape[2] >> len(channels),
        )
        padding, output_padding = _padding(kernel_size)
        layers, n_in = [], rep_dim
        if hidden_dim:
            layers += [
                nn.Linear(rep_dim, hidden_dim, bias=bias),
                nn.LeakyReLU(negative_slope),
            ]
            n_in = hidden_dim
        n_start = self.start[0] * self.start[1] * self.start[2]
        layers += [nn.Linear(n_in, n_start, bias=bias), nn.LeakyReLU(negative_slope)]
        self.dense = nn.Sequential(*layers)
        deconvs = []
        outs = [*channels[1:], self.shape[0]]
        for i, (c_in, c_out) in enumerate(zip(channels, outs, strict=True)):
            last = i == len(channels) - 1
            deconvs.append(
                nn.ConvTranspose2d(
                    c_in,
                    c_out,
                    kernel_size,
                    2,
                    padding,
                    output_padding,
                    bias=bias or last,
                )
            )
            if not last:
                if batch_norm:
                    deconvs.append(nn.BatchNorm2d(c_out, eps=1e-4, affine=bias))
                deconvs.append(nn.LeakyReLU(negative_slope))
        self.deconvs = nn.Sequential(*deconvs)
        _glorot(self)

    def forward(self, Z):
        maps = self.dense(Z).view(-1, *self.start)
        return self.deconvs(maps).flatten(start_dim=1)


class FCN(nn.Module):
    """Fully convolutional network: image -> map of scores (FCDD, DRA).

    Blocks of a same-padded convolution, batch norm and leaky ReLU, each but
    the last followed by 2x2 max pooling; then a 1x1 convolution to
    ``out_channels`` maps (with a bias: FCDD's center). No dense layer, so
    every output pixel sees only its receptive field.

    Parameters
    ----------
    shape : (C, H, W)
    channels : tuple of int
    kernel_size : int
    out_channels : int or None
        Channels of the final 1x1 convolution; None ends with the last block
        (a feature map ``M_x`` for DRA's heads).
    negative_slope : float
    last_block : {"full", "conv_pool"}
        "conv_pool": the last block is a bare convolution, then pooled (the
        thesis's Fashion-MNIST FCN).
    """

    def __init__(
        self, shape, channels, kernel_size=3, out_channels=1, negative_slope=0.01,
        last_block="full",
    ):  # fmt: skip
        super().__init__()
        self.shape = tuple(shape)
        layers, n_in = [], self.shape[0]
        for i, n_out in enumerate(channels):
            bare = i == len(channels) - 1 and last_block == "conv_pool"
            layers.append(nn.Conv2d(n_in, n_out, kernel_size, padding=kernel_size // 2))
            if not bare:
                layers += [
                    nn.BatchNorm2d(n_out, eps=1e-4),
                    nn.LeakyReLU(negative_slope),
                ]
            if i < len(channels) - 1 or bare:
                layers.append(nn.MaxPool2d(2))
            n_in = n_out
        if out_channels:
            layers.append(nn.Conv2d(n_in, out_channels, 1))
            n_in = out_channels
        self.n_channels = n_in
        self.layers = nn.Sequential(*layers)
        # Receptive field and cumulative stride of one output pixel, for the
        # Gaussian upsampling of the heatmap (thesis Algorithm 1).
        self.receptive_field, self.stride = 1, 1
        for layer in self.layers:
            if isinstance(layer, nn.Conv2d | nn.MaxPool2d):
                k = layer.kernel_size
                k = k[0] if isinstance(k, tuple) else k
                s = layer.stride
                s = s[0] if isinstance(s, tuple) else s
                self.receptive_field += (k - 1) * self.stride
                self.stride *= s
        _glorot(self)

    def forward(self, X):
        return self.layers(X.view(-1, *self.shape))


def gaussian_upsample(A, stride, size, sigma):
    """Full-resolution heatmaps from low-resolution ones (thesis Algorithm 1).

    Each output pixel a of ``A`` adds ``a * G2(c, sigma)``, a Gaussian at the
    center c of its receptive field: the transposed convolution with a
    Gaussian kernel and the network's cumulative stride. It is separable,
    ``A' = G_h^T A G_w``.

    Parameters
    ----------
    A : tensor of shape (n, u, v)
    stride : int
        Cumulative stride of the network: output pixel i is centered on input
        pixel ``i * stride + (stride - 1) / 2``.
    size : (H, W)
    sigma : float

    Returns
    -------
    tensor of shape (n, H, W)
    """

    def weights(n_out, n_in):
        centers = torch.arange(n_out, dtype=A.dtype, device=A.device)
        centers = centers * stride + (stride - 1) / 2
        pixels = torch.arange(n_in, dtype=A.dtype, device=A.device)
        return torch.exp(-((pixels[None] - centers[:, None]) ** 2) / (2 * sigma**2))

    G_h = weights(A.shape[1], size[0])
    G_w = weights(A.shape[2], size[1])
    return torch.einsum("nuv,uh,vw->nhw", A, G_h, G_w) / (2 * math.pi * sigma**2)
