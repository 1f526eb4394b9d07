"""The one training engine of every deep detector: a skorch NeuralNet.

The module is a model of :mod:`skoneclass.deep.modules` (its forward returns
one value s per sample, and its ``penalties`` are added to the loss), the
criterion a loss of the same module called as ``loss(s, y)`` with the
semi-supervised labels as skorch's ``y``. skorch brings the device handling,
callbacks, history, ``warm_start`` and progress printing.
"""

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, LRScheduler
from skorch.dataset import Dataset
from torch.optim.lr_scheduler import MultiStepLR


class TensorBatches:
    """Mini-batches of in-memory data as index slices of device tensors.

    Replaces a ``DataLoader`` over a dataset of arrays: no per-sample
    ``__getitem__``, no collate, no host-to-device copy per batch. Shuffling
    draws from torch's global RNG exactly as ``DataLoader`` with a
    ``RandomSampler`` does (one draw for the loader's base seed, one for the
    sampler's generator, then ``randperm``), so a seeded fit visits the same
    batches on either path.
    """

    def __init__(self, X, y, batch_size, shuffle=False, drop_last=False):
        self.X = X
        self.y = y
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last

    def __len__(self):
        n, size = len(self.X), self.batch_size
        return n // size if self.drop_last else -(-n // size)

    def __iter__(self):
        n = len(self.X)
        torch.empty((), dtype=torch.int64).random_()  # DataLoader's base seed
        if self.shuffle:
            seed = int(torch.empty((), dtype=torch.int64).random_().item())
            generator = torch.Generator().manual_seed(seed)
            order = torch.randperm(n, generator=generator).to(self.X.device)
        for i in range(len(self)):
            if self.shuffle:
                idx = order[i * self.batch_size : (i + 1) * self.batch_size]
                yield self.X[idx], self.y[idx]
            else:
                batch = slice(i * self.batch_size, (i + 1) * self.batch_size)
                yield self.X[batch], self.y[batch]


class OneClassNet(NeuralNet):
    """skorch ``NeuralNet`` whose loss takes per-sample model outputs and labels.

    In-memory arrays train through :class:`TensorBatches` (moved to the
    device once per fit); any other dataset, or a customized iterator, goes
    through skorch's ``DataLoader`` as usual.
    """

    def _set_training(self, training=True):
        # skorch sets the mode before every batch; walking the module tree
        # each time costs as much as a small network's forward pass.
        for name in self._modules + self._criteria:
            module = getattr(self, name + "_")
            if isinstance(module, torch.nn.Module) and module.training != training:
                module.train(training)

    def get_iterator(self, dataset, training=False):
        prefix = "iterator_train" if training else "iterator_valid"
        options = self.get_params_for(prefix)
        fast = (
            type(dataset) is Dataset
            and isinstance(dataset.X, np.ndarray | torch.Tensor)
            and isinstance(dataset.y, np.ndarray | torch.Tensor)
            and set(options) <= {"shuffle", "drop_last"}
            and getattr(self, prefix) is torch.utils.data.DataLoader
        )
        if not fast:
            return super().get_iterator(dataset, training=training)
        cached = getattr(dataset, "_device_tensors", None)
        if cached is None or cached[0].device != torch.device(self.device):
            cached = tuple(
                torch.as_tensor(a).to(self.device) for a in (dataset.X, dataset.y)
            )
            dataset._device_tensors = cached
        batch_size = self.batch_size if self.batch_size != -1 else len(dataset)
        return TensorBatches(
            *cached,
            batch_size=batch_size,
            shuffle=options.get("shuffle", False),
            drop_last=options.get("drop_last", False),
        )

    def get_loss(self, y_pred, y_true, X=None, training=False):
        codes = None
        if isinstance(y_pred, tuple):
            y_pred, codes = y_pred
        loss = self.criterion_(y_pred, y_true.to(y_pred.device))
        if codes is not None:
            for penalty in self.module_.latent_penalties:
                loss = loss + penalty(codes)
        for penalty in getattr(self.module_, "penalties", ()):
            loss = loss + penalty(self.module_)
        return loss


class RadiusUpdate(Callback):
    """Solve the soft-boundary radius on every training batch after a warm-up.

    Block coordinate descent of soft-boundary Deep SVDD: the network is
    trained with R fixed, and R^2 is set to the (1 - nu) quantile of the
    batch's squared distances after each step, from epoch ``warm_up_epochs``
    on (the reference code's schedule).
    """

    def __init__(self, warm_up_epochs=10):
        self.warm_up_epochs = warm_up_epochs

    def on_batch_end(self, net, batch=None, training=None, y_pred=None, **kwargs):
        if training and len(net.history) > self.warm_up_epochs:
            s = y_pred[0] if isinstance(y_pred, tuple) else y_pred
            net.criterion_.solve_radius(s)


def resolve_device(device):
    """ "auto" -> "cuda" if available else "cpu"; a clear error for absent CUDA."""
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if str(device).startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(
            f"device={device!r} was requested but CUDA is not available; use "
            "device='cpu' or device='auto'."
        )
    return device


def make_net(
    module,
    criterion,
    *,
    lr,
    max_epochs,
    batch_size,
    weight_decay,
    optimizer,
    lr_milestones,
    device,
    callbacks,
    verbose,
    n_samples,
):
    """A :class:`OneClassNet` with the thesis's training recipe.

    Adam (or ``optimizer``) with L2 weight decay, the learning rate divided by
    10 at each milestone epoch, shuffled mini-batches, no validation split.
    A last batch of a single sample is dropped: batch norm cannot train on it.
    """
    schedule = []
    if lr_milestones:
        schedule = [LRScheduler(MultiStepLR, milestones=list(lr_milestones), gamma=0.1)]
    batch_size = min(batch_size, n_samples)
    return OneClassNet(
        module=module,
        criterion=criterion,
        optimizer=optimizer,
        lr=lr,
        optimizer__weight_decay=weight_decay,
        max_epochs=max_epochs,
        batch_size=batch_size,
        iterator_train__shuffle=True,
        iterator_train__drop_last=n_samples % batch_size == 1,
        train_split=None,
        callbacks=[*schedule, *(callbacks or [])],
        device=device,
        verbose=verbose,
    )
