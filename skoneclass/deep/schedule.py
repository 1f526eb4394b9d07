"""Training schedules that hold on small data: ``batch_size="auto"`` and
``max_epochs="auto"``.

Each deep preset has a recipe (``_training_recipe``: the batch size and
epochs of its paper, e.g. the thesis's 200 and 150 for the ODDS sets). On
small data a recipe takes few optimizer steps: 125 digits images make one
batch of 200, so 150 epochs are 150 steps, too few for Adam at lr 1e-4 to
train the network (AUROC 0.78 against 0.97 with enough steps). The "auto"
values keep the recipe where it gives the fit a learning budget of
``lr * steps >= LEARNING_BUDGET`` and otherwise make up the steps: first
with smaller batches (down to ``MIN_BATCH``), then with more epochs, the
learning-rate milestones moving with them. Explicit integers are used as
given.
"""

import math

#: Least ``lr * optimizer steps`` of a fit (2,000 steps at lr 1e-4).
LEARNING_BUDGET = 0.2
#: Smallest batch that "auto" shrinks to.
MIN_BATCH = 32


def resolve_schedule(n_samples, lr, batch_size, max_epochs, lr_milestones, recipe):
    """``(batch_size, max_epochs, lr_milestones)`` of a fit on ``n_samples``.

    Parameters
    ----------
    n_samples : int
    lr : float
    batch_size, max_epochs : int or "auto"
    lr_milestones : tuple of int or None
    recipe : dict
        ``batch_size`` and ``max_epochs`` that "auto" starts from.

    Returns
    -------
    batch_size : int
    max_epochs : int
    lr_milestones : tuple of int or None
    """
    batch = recipe["batch_size"] if batch_size == "auto" else batch_size
    epochs = recipe["max_epochs"] if max_epochs == "auto" else max_epochs
    needed = math.ceil(LEARNING_BUDGET / lr)

    def steps(batch, epochs):
        return math.ceil(n_samples / batch) * epochs

    if batch_size == "auto" and steps(batch, epochs) < needed:
        batch = max(MIN_BATCH, min(batch, n_samples * epochs // needed))
    if max_epochs == "auto" and steps(batch, epochs) < needed:
        more = math.ceil(needed / math.ceil(n_samples / batch))
        if lr_milestones:
            lr_milestones = tuple(round(m * more / epochs) for m in lr_milestones)
        epochs = more
    return batch, epochs, lr_milestones
