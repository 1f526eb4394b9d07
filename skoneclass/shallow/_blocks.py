"""Row blocks that bound the memory of kernel sums over many samples."""

from sklearn import get_config
from sklearn.utils import gen_batches


def row_blocks(n_rows, n_columns, n_arrays=1, budget=None):
    """Slices of ``range(n_rows)`` whose ``n_arrays`` float64 arrays of shape
    (block rows, n_columns) fit in ``budget`` bytes together; None is
    scikit-learn's ``working_memory``."""
    if budget is None:
        budget = int(get_config()["working_memory"] * 2**20)
    step = max(1, budget // (8 * max(1, n_columns) * n_arrays))
    return gen_batches(n_rows, step)
