"""The one training engine of every deep detector: a skorch NeuralNet.

The module is a model of :mod:`skoneclass.deep.modules` (its forward returns
one value s per sample, and its ``penalties`` are added to the loss), the
criterion a loss of the same module called as ``loss(s, y)`` with the
semi-supervised labels as skorch's ``y``. skorch brings the device handling,
callbacks, history, ``warm_start`` and progress printing.
"""

import warnings

import numpy as np
import torch
from skorch import NeuralNet
from skorch.callbacks import Callback, LRScheduler
from skorch.dataset import Dataset
from skorch.hf import AccelerateMixin
from torch.optim.lr_scheduler import MultiStepLR

from ..exceptions import TrainingWarning
from ..parts.base import Predicate
from .data import ArrayDataset


class BalancedBatchSampler(torch.utils.data.Sampler):
    """Index batches holding a share of the labeled anomalies: DevNet's
    balanced sampling, for :class:`Batches` and for a ``DataLoader``
    (``batch_sampler=``, which Accelerate shards across processes).

    Every batch takes ``round(anomaly_fraction * batch_size)`` of the
    labeled anomalies (y == -1), drawn in reshuffled cycles, and the rest
    from the other samples, shuffled; an epoch is one pass over the others.
    :meth:`of` gives None where there is nothing to balance.
    """

    def __init__(self, labels, batch_size, anomaly_fraction, drop_last=False):
        labels = np.asarray(labels.cpu() if torch.is_tensor(labels) else labels)
        self.anomalies = torch.as_tensor(np.flatnonzero(labels == -1))
        self.others = torch.as_tensor(np.flatnonzero(labels != -1))
        self.n_anomalies = min(
            batch_size - 1, max(1, round(anomaly_fraction * batch_size))
        )
        self.batch_size = batch_size
        self.drop_last = drop_last

    @classmethod
    def of(cls, labels, batch_size, anomaly_fraction, drop_last=False):
        if not anomaly_fraction or labels is None:
            return None
        sampler = cls(labels, batch_size, anomaly_fraction, drop_last)
        return sampler if len(sampler.anomalies) and len(sampler.others) else None

    def __len__(self):
        n, size = len(self.others), self.batch_size - self.n_anomalies
        return n // size if self.drop_last else -(-n // size)

    def __iter__(self):  # a DataLoader's batch sampler yields lists
        for index in self.index_batches():
            yield index.tolist()

    def index_batches(self):
        """The batches as index tensors (for :class:`Batches`)."""
        seed = int(torch.empty((), dtype=torch.int64).random_().item())
        generator = torch.Generator().manual_seed(seed)
        others = self.others[torch.randperm(len(self.others), generator=generator)]
        n_batches, k = len(self), self.n_anomalies
        cycles = -(-n_batches * k // len(self.anomalies))
        anomalies = torch.cat(
            [
                self.anomalies[torch.randperm(len(self.anomalies), generator=generator)]
                for _ in range(cycles)
            ]
        )
        size = self.batch_size - k
        for i in range(n_batches):
            yield torch.cat(
                [others[i * size : (i + 1) * size], anomalies[i * k : (i + 1) * k]]
            )


class Batches:
    """Mini-batches fetched by index, without a ``DataLoader``.

    ``take(index)`` returns the batch ``(X, y)`` for ``index``, a slice or a
    tensor of row indices on ``index_device``: index slices of tensors already
    on the device for in-memory data, one read of a memory map for an
    :class:`~skoneclass.deep.data.ArrayDataset`. No per-sample
    ``__getitem__``, no collate, no Python list of indices.

    Shuffling draws from torch's global RNG exactly as ``DataLoader`` with a
    ``RandomSampler`` does (one draw for the loader's base seed, one for the
    sampler's generator, then ``randperm``), so a seeded fit visits the same
    batches on either path.

    With ``anomaly_fraction`` and ``labels``, the batches are a
    :class:`BalancedBatchSampler`'s.
    """

    def __init__(self, take, n, batch_size, shuffle=False, drop_last=False,
                 index_device="cpu", labels=None,
                 anomaly_fraction=None):  # fmt: skip
        self.take = take
        self.n = n
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self.index_device = index_device
        self.balanced = BalancedBatchSampler.of(
            labels, batch_size, anomaly_fraction, drop_last
        )

    def __len__(self):
        if self.balanced is not None:
            return len(self.balanced)
        n, size = self.n, self.batch_size
        return n // size if self.drop_last else -(-n // size)

    def __iter__(self):
        torch.empty((), dtype=torch.int64).random_()  # DataLoader's base seed
        if self.balanced is not None:
            for index in self.balanced.index_batches():
                yield self.take(index.to(self.index_device))
            return
        if self.shuffle:
            seed = int(torch.empty((), dtype=torch.int64).random_().item())
            generator = torch.Generator().manual_seed(seed)
            order = torch.randperm(self.n, generator=generator)
            order = order.to(self.index_device)
        for i in range(len(self)):
            batch = slice(i * self.batch_size, (i + 1) * self.batch_size)
            yield self.take(order[batch] if self.shuffle else batch)


class OneClassNet(NeuralNet):
    """skorch ``NeuralNet`` whose loss takes per-sample model outputs and labels.

    ``phase`` names what it trains ("pretraining", "training"), for the
    verbose log and :class:`TrainingProgressBar`.

    In-memory arrays (moved to the device once per fit) and memory-mapped
    ones (:class:`~skoneclass.deep.data.ArrayDataset`) train through
    :class:`Batches`; any other dataset, or a customized iterator, goes
    through skorch's ``DataLoader`` as usual.
    """

    def __init__(self, *args, phase="training", **kwargs):
        super().__init__(*args, **kwargs)
        self.phase = phase

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
        plain = (
            set(options) <= {"shuffle", "drop_last", "anomaly_fraction"}
            and getattr(self, prefix) is torch.utils.data.DataLoader
        )
        # Only then: a reader may move the whole data set to the device.
        reader = self._batch_reader(dataset) if plain else None
        fraction = options.pop("anomaly_fraction", None)
        if reader is None:
            if not fraction:
                return super().get_iterator(dataset, training=training)
            sampler = BalancedBatchSampler.of(
                getattr(dataset, "y", None),
                self.batch_size,
                fraction,
                options.get("drop_last", False),
            )
            if sampler is not None:
                options.pop("shuffle", None)
                options.pop("drop_last", None)
                return getattr(self, prefix)(dataset, batch_sampler=sampler, **options)
            # Nothing to balance: skorch's DataLoader, less the option it
            # does not know.
            options.setdefault("batch_size", self.batch_size)
            return getattr(self, prefix)(dataset, **options)
        take, index_device = reader
        return Batches(
            take,
            len(dataset),
            batch_size=self.batch_size if self.batch_size != -1 else len(dataset),
            shuffle=options.get("shuffle", False),
            drop_last=options.get("drop_last", False),
            index_device=index_device,
            labels=dataset.y if training else None,
            anomaly_fraction=fraction,
        )

    def _batch_reader(self, dataset):
        """``(take, index_device)`` for :class:`Batches`, or None for the DataLoader.

        ``take(index) -> (X, y)`` on the device; shuffled indices are made on
        ``index_device``, where ``take`` uses them.
        """
        device = torch.device(self.device)
        if isinstance(dataset, ArrayDataset):

            def take(index):
                if isinstance(index, torch.Tensor):
                    index = index.numpy()
                return tuple(t.to(device) for t in dataset.batch(index))

            return take, "cpu"
        if not (
            type(dataset) is Dataset
            and isinstance(dataset.X, np.ndarray | torch.Tensor)
            and isinstance(dataset.y, np.ndarray | torch.Tensor)
        ):
            return None
        cached = getattr(dataset, "_device_tensors", None)
        if cached is None or cached[0].device != device:
            cached = tuple(
                torch.as_tensor(a).to(device) for a in (dataset.X, dataset.y)
            )
            dataset._device_tensors = cached
        X, y = cached
        return (lambda index: (X[index], y[index])), device

    def get_loss(self, y_pred, y_true, X=None, training=False):
        extras = {}
        if isinstance(y_pred, tuple):
            # The model's training extras (skoneclass.deep.modules.with_codes).
            y_pred, extras = y_pred
        y_true = y_true.to(y_pred.device)
        pseudo = extras.get("pseudo")
        if getattr(self.criterion_, "takes_pseudo", False):
            # A criterion that treats pseudo anomalies apart from labeled ones.
            loss = self.criterion_(y_pred, y_true, pseudo)
        else:
            if pseudo is not None:
                y_true = torch.where(pseudo, torch.full_like(y_true, -1), y_true)
            loss = self.criterion_(y_pred, y_true)
        module = self.model_module()
        if "codes" in extras:
            for penalty in module.latent_penalties:
                loss = loss + penalty(extras["codes"])
        for penalty in getattr(module, "penalties", ()):
            loss = loss + penalty(module)
        return loss

    def model_module(self):
        """The model module itself, not a wrapper (DDP) around it."""
        return self.module_


class AcceleratedOneClassNet(AccelerateMixin, OneClassNet):
    """:class:`OneClassNet` trained through Hugging Face Accelerate.

    skorch's ``AccelerateMixin`` hands the module, optimizer and data loader
    to the ``Accelerator``, which places them, shards the batches across
    processes (multi-GPU, multi-node) and applies mixed precision.
    """

    def _batch_reader(self, dataset):
        # Accelerate shards a DataLoader across processes; Batches it would
        # pass through unsharded.
        return None

    def model_module(self):
        return self.accelerator.unwrap_model(self.module_)

    def _initialize_accelerator(self):
        # DDP refuses modules without trainable parameters, as the losses
        # are (the radius of the soft boundary is a buffer): such a
        # criterion is only moved to the device, not prepared.
        criteria, plain = self._criteria, []
        for name in criteria:
            criterion = getattr(self, name + "_")
            if not any(p.requires_grad for p in criterion.parameters()):
                criterion.to(self.accelerator.device)
                plain.append(name)
        self._criteria = [name for name in criteria if name not in plain]
        try:
            return super()._initialize_accelerator()
        finally:
            self._criteria = criteria

    def on_train_end(self, net, X=None, y=None, **kwargs):
        if self.accelerator.num_processes > 1:
            # Each process updated the batch-norm statistics on its last own
            # batch after DDP broadcast them: rank 0's make the networks equal.
            for buffer in self.model_module().buffers():
                torch.distributed.broadcast(buffer, src=0)
        super().on_train_end(net, X=X, y=y, **kwargs)
        # The mixin unwraps the modules only. The optimizer wrapper (also held
        # by the LR schedulers), and the Accelerator's references to
        # everything it prepared, cannot be pickled (and a fitted detector
        # must be), and would keep each fit's objects alive.
        self.optimizer_ = self.optimizer_.optimizer
        for _, callback in self.callbacks_:
            scheduler = getattr(callback, "lr_scheduler_", None)
            if scheduler is not None:
                scheduler.optimizer = self.optimizer_
        self.accelerator.free_memory()
        # Where the trained module is, for scoring and for unpickling.
        self.device = str(self.accelerator.device)


class NonFiniteLossWarning(Callback):
    """Warn once when the training loss becomes NaN or infinite.

    The network's weights are then NaN too and every score will be: a too
    high learning rate, unscaled inputs or a log of zero. Silence would hand
    the user a useless model.
    """

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.warned_ = False

    def on_epoch_end(self, net, **kwargs):
        loss = net.history[-1].get("train_loss")
        if loss is not None and not np.isfinite(loss) and not self.warned_:
            self.warned_ = True
            warnings.warn(
                f"The training loss became {loss} at epoch {len(net.history)}; "
                "the model's scores will be NaN. Lower lr, standardize X, or "
                "check the inputs for extreme values.",
                TrainingWarning,
                stacklevel=2,
            )


def warn_if_collapsed(scores, name):
    """Warn when a trained model gives every training sample the same score.

    A network that maps every input to one point (the collapse of Deep SVDD,
    thesis Propositions 1-3; a constant decoder) cannot rank anything.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if not np.all(np.isfinite(scores)):
        warnings.warn(
            f"{name} gives non-finite scores on its training data; the "
            "training diverged (lower lr, standardize X).",
            TrainingWarning,
            stacklevel=4,
        )
    elif np.ptp(scores) <= 1e-9 * max(1.0, float(np.abs(scores).max())):
        warnings.warn(
            f"{name} gives every training sample the same score "
            f"({scores[0]:.6g}): the network has collapsed onto one point "
            "(e.g. all embeddings at the hypersphere's center) and cannot "
            "rank samples. Keep the network bias-free, use the default "
            "center, or train with a lower lr.",
            TrainingWarning,
            stacklevel=4,
        )


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


class TrainingProgressBar(Callback):
    """A progress bar over a whole training phase, named after the phase.

    skorch's ``ProgressBar`` counts the batches of one epoch, so on tabular
    data (a few batches per epoch) it flashes once per epoch and shows no
    total in the first. This bar runs once per phase (a deep detector's
    autoencoder pretraining, then its training) over all its batches, and
    shows the epoch and the last epoch's training loss.

    Parameters
    ----------
    **tqdm_kwargs
        Passed to :class:`tqdm.auto.tqdm` (e.g. ``leave=False``,
        ``file=sys.stdout``).

    Examples
    --------
    >>> import numpy as np
    >>> from skoneclass import DeepSVDD, TrainingProgressBar
    >>> X = np.random.RandomState(0).randn(100, 4)
    >>> est = DeepSVDD(max_epochs=3, callbacks=[TrainingProgressBar(disable=True)])
    >>> est = est.fit(X)
    """

    def __init__(self, **tqdm_kwargs):
        self.tqdm_kwargs = tqdm_kwargs

    def get_params(self, deep=True):
        return dict(self.tqdm_kwargs)

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        from tqdm.auto import tqdm

        size = len(X) if net.batch_size == -1 else min(net.batch_size, len(X))
        drop_last = net.get_params_for("iterator_train").get("drop_last", False)
        per_epoch = len(X) // size if drop_last else -(-len(X) // size)
        self.bar_ = tqdm(
            total=net.max_epochs * max(per_epoch, 1),
            desc=getattr(net, "phase", "training"),
            unit="batch",
            **self.tqdm_kwargs,
        )
        self.batches_ = 0

    def on_batch_end(self, net, training=None, **kwargs):
        if training:
            self.batches_ += 1
            self.bar_.update(1)

    def on_epoch_end(self, net, **kwargs):
        if len(net.history) == 1:
            # Now the true count (balanced batches differ from the estimate).
            self.bar_.total = net.max_epochs * self.batches_
        self.bar_.set_postfix(
            epoch=f"{len(net.history)}/{net.max_epochs}",
            train_loss=f"{net.history[-1, 'train_loss']:.4g}",
            refresh=False,
        )

    def on_train_end(self, net, **kwargs):
        self.bar_.close()


#: Optimizers with a fused implementation on these devices (torch >= 2.4).
FUSED_OPTIMIZERS = (torch.optim.Adam, torch.optim.AdamW)
FUSED_ON = ("cpu", "cuda")
_FUSED = tuple(int(v) for v in torch.__version__.split(".")[:2]) >= (2, 4)


def is_accelerator(device):
    """Whether ``device`` is a Hugging Face ``accelerate.Accelerator``."""
    return type(device).__name__ == "Accelerator" and hasattr(device, "prepare")


class DeviceName(Predicate):
    """A device string: "auto", or one that ``torch.device`` parses."""

    def is_satisfied_by(self, val):
        if not isinstance(val, str):
            return False
        if val == "auto":
            return True
        try:
            torch.device(val)
        except RuntimeError:
            return False
        return True

    def __str__(self):
        return "'auto' or a torch device string such as 'cpu', 'cuda' or 'cuda:1'"


def resolve_device(device):
    """ "auto" -> "cuda" if available else "cpu"; a clear error for absent CUDA.

    An ``accelerate.Accelerator`` resolves to the device it places this
    process's work on.
    """
    if is_accelerator(device):
        return str(device.device)
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
    anomaly_fraction=None,
    phase="training",
):
    """A :class:`OneClassNet` with the thesis's training recipe.

    Adam (or ``optimizer``) with L2 weight decay, the learning rate divided by
    10 at each milestone epoch, shuffled mini-batches, no validation split.
    A last batch of a single sample is dropped: batch norm cannot train on it.
    ``anomaly_fraction`` balances the batches (:class:`Batches`).
    ``device`` may be an ``accelerate.Accelerator``: the net is then an
    :class:`AcceleratedOneClassNet`. ``phase`` names the training, e.g.
    "DeepSAD: pretraining the autoencoder".
    """
    net_class, options = OneClassNet, {"device": device}
    if is_accelerator(device):
        # skorch prints through accelerator.print whatever the verbosity;
        # the plain print sink honours verbose=0.
        sink = device.print if verbose else print
        net_class = AcceleratedOneClassNet
        options = {"accelerator": device, "callbacks__print_log__sink": sink}
    schedule = []
    if lr_milestones:
        schedule = [LRScheduler(MultiStepLR, milestones=list(lr_milestones), gamma=0.1)]
    batch_size = min(batch_size, n_samples)
    where = str(resolve_device(device)).split(":")[0]
    if optimizer in FUSED_OPTIMIZERS and _FUSED and where in FUSED_ON:
        # One kernel per step instead of a loop of small ops per tensor:
        # for the small networks of tabular data the plain step costs as
        # much as the forward pass.
        options["optimizer__fused"] = True
    return net_class(
        module=module,
        criterion=criterion,
        optimizer=optimizer,
        lr=lr,
        optimizer__weight_decay=weight_decay,
        max_epochs=max_epochs,
        batch_size=batch_size,
        iterator_train__shuffle=True,
        iterator_train__drop_last=n_samples % batch_size == 1,
        **(
            {"iterator_train__anomaly_fraction": anomaly_fraction}
            if anomaly_fraction
            else {}
        ),  # fmt: skip
        train_split=None,
        callbacks=[*schedule, NonFiniteLossWarning(), *(callbacks or [])],
        verbose=verbose,
        phase=phase,
        **options,
    )
