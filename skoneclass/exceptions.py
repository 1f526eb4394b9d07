"""Warnings and errors that skoneclass raises beside scikit-learn's own."""


class TrainingWarning(UserWarning):
    """Training went wrong in a way that leaves an unusable model.

    Raised by the deep detectors when the loss becomes NaN or infinite, or
    when the trained model gives every training sample the same score (a
    collapsed network). Filter it like any warning, e.g. turn it into an
    error with ``warnings.simplefilter("error", TrainingWarning)``.
    """
