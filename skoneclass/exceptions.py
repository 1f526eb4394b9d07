"""Warnings and errors that skoneclass raises beside scikit-learn's own."""


class TrainingWarning(UserWarning):
    """Training went wrong in a way that leaves an unusable model.

    Raised by the deep detectors when the loss becomes NaN or infinite, or
    when the trained model gives every training sample the same score (a
    collapsed network). Filter it like any warning, e.g. turn it into an
    error with ``warnings.simplefilter("error", TrainingWarning)``.
    """


class LabelWarning(UserWarning):
    """``y`` looks like another library's labels.

    skoneclass reads ``+1`` as a known normal, ``-1`` as a known anomaly and
    ``0`` as unlabeled. A ``y`` of only 0 and 1 is most often PyOD's or
    ODDS's convention (1 = anomaly), which would make the anomalies known
    normals; convert it with ``np.where(y == 1, -1, 0)``. Where 1 does mean
    known normals, silence it with
    ``warnings.filterwarnings("ignore", category=LabelWarning)``.
    """
