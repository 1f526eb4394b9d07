"""The one training engine of every deep detector: a skorch NeuralNet.

The module is a model of :mod:`skoneclass.deep.modules` (its forward returns
one value s per sample, and its ``penalties`` are added to the loss), the
criterion a loss of the same module called as ``loss(s, y)`` with the
semi-supervised labels as skorch's ``y``. skorch brings the device handling,
callbacks, history, ``warm_start`` and progress printing.
"""

import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, LRScheduler
from torch.optim.lr_scheduler import MultiStepLR


class OneClassNet(NeuralNet):
    """skorch ``NeuralNet`` whose loss takes per-sample model outputs and labels."""

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
