"""Resumable long fits: the training state after every epoch, on disk.

The papers' Fashion-MNIST schedules take hours per fit on a CPU, longer
than one working session. :class:`Snapshots` is a skorch callback that
saves, after every epoch of every training phase, what the next epoch
needs (the module's, criterion's and optimizer's state, the history, which
places skorch's learning-rate schedulers, and torch's RNGs), and, when a
fit starts a phase that has a snapshot, loads it and trains only the
epochs left. On a CPU the resumed fit is the uninterrupted one, bit for
bit: the engine draws its batches and synthetic anomalies from torch's
global RNG, which the snapshot carries.

A phase is keyed by its name ("DeepSVDD: training") in the run's own
directory, so one directory must serve one (method, data, seed, schedule):
the benchmark names it after the run's record.
"""

import json
import os
import re
from pathlib import Path

import torch
from skorch.callbacks import Callback, LRScheduler
from skorch.history import History


class Snapshots(Callback):
    """Save the training state after every epoch; resume a fit from it.

    Parameters
    ----------
    directory : str or Path
        Where the snapshots of one run live, one file per training phase.
    """

    def __init__(self, directory):
        self.directory = directory

    def _path(self, net):
        name = re.sub(r"[^A-Za-z0-9]+", "_", net.phase).strip("_")
        return Path(self.directory) / f"{name}.pt"

    def _schedulers(self, net):
        return [cb for _, cb in net.callbacks_ if isinstance(cb, LRScheduler)]

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self.max_epochs_ = net.max_epochs
        path = self._path(net)
        if not path.exists():
            return
        state = torch.load(path, weights_only=True)
        if state["max_epochs"] != net.max_epochs:
            raise ValueError(
                f"{path} is a snapshot of a {state['max_epochs']}-epoch phase; "
                f"this one has {net.max_epochs}: delete it or use another directory"
            )
        net.module_.load_state_dict(state["module"])
        net.criterion_.load_state_dict(state["criterion"])
        net.history = History(json.loads(state["history"]))
        for scheduler in self._schedulers(net):
            # skorch makes a scheduler at the history's last epoch; the
            # optimizer's state, loaded after, overrides the learning rate
            # that making it sets (a second decay, at a milestone).
            scheduler.on_train_begin(net)
        net.optimizer_.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["rng"])
        if state["cuda_rng"]:
            torch.cuda.set_rng_state_all(state["cuda_rng"])
        # skorch's fit loop reads max_epochs after on_train_begin.
        net.max_epochs = state["max_epochs"] - len(net.history)

    def on_epoch_end(self, net, **kwargs):
        path = self._path(net)
        path.parent.mkdir(parents=True, exist_ok=True)
        state = {
            "max_epochs": self.max_epochs_,
            "module": net.module_.state_dict(),
            "criterion": net.criterion_.state_dict(),
            "optimizer": net.optimizer_.state_dict(),
            # JSON, as skorch saves a history: it holds numpy scalars,
            # which torch.load(weights_only=True) refuses.
            "history": json.dumps(list(net.history), default=float),
            "rng": torch.get_rng_state(),
            "cuda_rng": (
                torch.cuda.get_rng_state_all() if torch.cuda.is_initialized() else []
            ),
        }
        # Write then rename: a run killed mid-write keeps the last snapshot.
        partial = path.with_suffix(".partial")
        torch.save(state, partial)
        os.replace(partial, path)

    def on_train_end(self, net, X=None, y=None, **kwargs):
        net.max_epochs = self.max_epochs_


def progress(directory):
    """``{phase file stem: (epochs done, epochs of the phase)}`` of the
    snapshots in ``directory``: where a resumed run starts."""
    done = {}
    for path in sorted(Path(directory).glob("*.pt")):
        state = torch.load(path, weights_only=True)
        done[path.stem] = (len(json.loads(state["history"])), state["max_epochs"])
    return done
