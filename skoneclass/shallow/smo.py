"""Sequential minimal optimization of the (semi-supervised) SVDD dual.

libsvm's solver (Fan, Chen & Lin, 2005) for

    min_alpha  1/2 alpha' P alpha + p' alpha
    s.t.       sum_i s_i alpha_i = 1,   0 <= alpha_i <= u_i,

with ``P_ij = 2 s_i s_j k(x_i, x_j)``: each step moves two duals along the
equality constraint, chosen by libsvm's second-order working-set selection,
and stops when the maximal KKT violation is below ``tol``. Kernel rows are
computed in compiled code when they are needed and kept in a cache of bounded
size, so the Gram matrix is never held in memory for the kernels below;
other kernels (a callable, "chi2", ...) come in as a precomputed Gram matrix,
and so does a kernel whose Gram matrix fits in the cache when most of its
rows will be needed (SSAD's multiplier search): one matrix product computes
them faster than row by row.

SSAD's extra constraint ``sum_{labeled} alpha_j >= kappa``: where it binds,
it is an equality, and with labels of one sign (only labeled anomalies, as
in the thesis's protocol) the labeled and the unlabeled duals then each keep
their own mass; SMO takes its pairs within each group (libsvm's nu-SVM
scheme) and the constraint's multiplier, read off the KKT conditions, tells
whether it binds. With labels of both signs a pair cannot move mass between
the groups; there, a bracketing search finds the multiplier lambda (for a
fixed lambda the problem is the one above with ``p_j - lambda`` for the
labeled samples, whose mass grows with lambda), and the two solutions that
bracket it are combined to meet the constraint exactly.

numba compiles the solver (cached on disk after the first use): a
well-kept, widely used compiler with wheels for every platform, already
installed with PyOD, and no build step for the package itself.
"""

import warnings

import numpy as np
from numba import njit
from sklearn.exceptions import ConvergenceWarning

#: The kernels evaluated row by row in compiled code; any other is passed
#: as a precomputed Gram matrix.
KERNEL_IDS = {"precomputed": 0, "rbf": 1, "linear": 2, "poly": 3,
              "polynomial": 3, "sigmoid": 4, "laplacian": 5}  # fmt: skip

_TAU = 1e-12


# fastmath: the sums over features may be reordered (vectorized).
@njit(cache=True, nogil=True, fastmath=True)
def _kernel_row(i, X, kind, gamma, coef0, degree, out):
    n, d = X.shape
    for t in range(n):
        s = 0.0
        if kind == 1:
            for k in range(d):
                diff = X[i, k] - X[t, k]
                s += diff * diff
            out[t] = np.exp(-gamma * s)
        elif kind == 5:
            for k in range(d):
                s += abs(X[i, k] - X[t, k])
            out[t] = np.exp(-gamma * s)
        else:
            for k in range(d):
                s += X[i, k] * X[t, k]
            if kind == 2:
                out[t] = s
            elif kind == 3:
                out[t] = (gamma * s + coef0) ** degree
            else:
                out[t] = np.tanh(gamma * s + coef0)


@njit(cache=True, nogil=True)
def _row(i, X, kind, gamma, coef0, degree, cache, slot_of, owner, used, clock):
    """Kernel row i from the cache, computed into the least recently used
    slot on a miss; a row of the precomputed Gram matrix as it is."""
    if kind == 0:
        return X[i]
    slot = slot_of[i]
    if slot < 0:
        slot = np.argmin(used)
        if owner[slot] >= 0:
            slot_of[owner[slot]] = -1
        owner[slot] = i
        slot_of[i] = slot
        _kernel_row(i, X, kind, gamma, coef0, degree, cache[slot])
    used[slot] = clock
    return cache[slot]


@njit(cache=True, nogil=True)
def _gradient(X, kind, gamma, coef0, degree, sign, p, alpha, cache, slot_of,
              owner, used):  # fmt: skip
    """G = P alpha + p."""
    n = sign.shape[0]
    G = p.copy()
    for i in range(n):
        if alpha[i] != 0.0:
            K_i = _row(i, X, kind, gamma, coef0, degree, cache, slot_of, owner,
                       used, used.max() + 1)  # fmt: skip
            a = 2.0 * sign[i] * alpha[i]
            for t in range(n):
                G[t] += a * sign[t] * K_i[t]
    return G


@njit(cache=True, nogil=True)
def _smo(X, kind, gamma, coef0, degree, diag, sign, upper, group, n_groups, G,
         alpha, tol, max_iter, cache, slot_of, owner, used):  # fmt: skip
    """Minimize from a feasible ``alpha`` with gradient ``G``, both updated in
    place; the cache arrays persist between calls.

    Pairs are taken within a ``group``: with one group the problem above;
    with several, each group's mass is held too (libsvm's nu-SVM solver), so
    a second equality constraint on the groups' sums stays satisfied.
    """
    n = sign.shape[0]
    clock = used.max() + 1
    QD = 2.0 * diag
    Gmax = np.empty(n_groups)
    Gmax2 = np.empty(n_groups)
    first = np.empty(n_groups, dtype=np.int64)
    it = 0
    while it < max_iter:
        # Second-order working-set selection (libsvm's WSS 2), per group.
        Gmax[:] = -np.inf
        Gmax2[:] = -np.inf
        first[:] = -1
        for t in range(n):
            g = group[t]
            if sign[t] > 0:
                if alpha[t] < upper[t] and -G[t] >= Gmax[g]:
                    Gmax[g] = -G[t]
                    first[g] = t
            elif alpha[t] > 0.0 and G[t] >= Gmax[g]:
                Gmax[g] = G[t]
                first[g] = t
        i = -1
        j = -1
        best = np.inf
        for g in range(n_groups):
            i_g = first[g]
            if i_g < 0:
                continue
            clock += 1
            K_i = _row(i_g, X, kind, gamma, coef0, degree, cache, slot_of,
                       owner, used, clock)  # fmt: skip
            for t in range(n):
                if group[t] != g:
                    continue
                if sign[t] > 0:
                    if alpha[t] > 0.0:
                        if G[t] >= Gmax2[g]:
                            Gmax2[g] = G[t]
                        grad_diff = Gmax[g] + G[t]
                    else:
                        continue
                else:
                    if alpha[t] < upper[t]:
                        if -G[t] >= Gmax2[g]:
                            Gmax2[g] = -G[t]
                        grad_diff = Gmax[g] - G[t]
                    else:
                        continue
                if grad_diff > 0.0:
                    quad = QD[i_g] + QD[t] - 4.0 * K_i[t]
                    if quad <= 0.0:
                        quad = _TAU
                    obj = -(grad_diff * grad_diff) / quad
                    if obj <= best:
                        best = obj
                        i = i_g
                        j = t
        violation = -np.inf
        for g in range(n_groups):
            if Gmax[g] + Gmax2[g] > violation:
                violation = Gmax[g] + Gmax2[g]
        if violation < tol or j < 0:
            break
        it += 1
        clock += 1
        K_i = _row(i, X, kind, gamma, coef0, degree, cache, slot_of, owner,
                   used, clock)  # fmt: skip
        K_j = _row(j, X, kind, gamma, coef0, degree, cache, slot_of, owner,
                   used, clock)  # fmt: skip
        if slot_of[i] < 0 and kind != 0:  # evicted by row j
            K_i = _row(i, X, kind, gamma, coef0, degree, cache, slot_of, owner,
                       used, clock)  # fmt: skip
        # Two-variable update along the equality constraint (libsvm).
        C_i, C_j = upper[i], upper[j]
        old_i, old_j = alpha[i], alpha[j]
        quad = QD[i] + QD[j] - 4.0 * K_i[j]
        if quad <= 0.0:
            quad = _TAU
        a_i, a_j = old_i, old_j
        if sign[i] != sign[j]:
            delta = (-G[i] - G[j]) / quad
            diff = a_i - a_j
            a_i += delta
            a_j += delta
            if diff > 0.0:
                if a_j < 0.0:
                    a_j = 0.0
                    a_i = diff
            elif a_i < 0.0:
                a_i = 0.0
                a_j = -diff
            if diff > C_i - C_j:
                if a_i > C_i:
                    a_i = C_i
                    a_j = C_i - diff
            elif a_j > C_j:
                a_j = C_j
                a_i = C_j + diff
        else:
            delta = (G[i] - G[j]) / quad
            total = a_i + a_j
            a_i -= delta
            a_j += delta
            if total > C_i:
                if a_i > C_i:
                    a_i = C_i
                    a_j = total - C_i
            elif a_j < 0.0:
                a_j = 0.0
                a_i = total
            if total > C_j:
                if a_j > C_j:
                    a_j = C_j
                    a_i = total - C_j
            elif a_i < 0.0:
                a_i = 0.0
                a_j = total
        alpha[i], alpha[j] = a_i, a_j
        d_i = 2.0 * sign[i] * (a_i - old_i)
        d_j = 2.0 * sign[j] * (a_j - old_j)
        for t in range(n):
            G[t] += sign[t] * (d_i * K_i[t] + d_j * K_j[t])
    return it


def _fill(alpha, rows, upper, mass):
    """Put ``mass`` on ``rows`` in order, each up to its bound; whether it fit."""
    for i in rows:
        alpha[i] = min(upper[i], mass)
        mass -= alpha[i]
        if mass <= 0.0:
            return True
    return mass <= 1e-12


class SMOSolver:
    """The SVDD dual by SMO for one training set and kernel.

    Parameters
    ----------
    X : ndarray of shape (n, d)
        Training data (already shifted as the kernel map needs), or the
        Gram matrix when ``kernel="precomputed"``.
    kernel : str
        A key of :data:`KERNEL_IDS`.
    gamma, coef0, degree : float, float, int
        The kernel's parameters.
    diag : ndarray of shape (n,)
        ``k(x_i, x_i)``.
    tol : float
        Stop when the maximal violation of the KKT conditions is below it.
    cache_size : float
        Megabytes of kernel rows kept.
    max_iter : int
        SMO steps per solve before it stops with a ConvergenceWarning.
    """

    def __init__(self, X, kernel, gamma, coef0, degree, diag, tol, cache_size,
                 max_iter):  # fmt: skip
        self.X = np.ascontiguousarray(X, dtype=np.float64)
        self.kind = KERNEL_IDS[kernel]
        self.params = (float(gamma), float(coef0), int(degree))
        self.diag = np.asarray(diag, dtype=np.float64)
        self.tol = tol
        n = self.diag.shape[0]
        n_slots = 1 if self.kind == 0 else min(n, max(2, int(cache_size * 2**17 / n)))
        self._cache = (
            np.empty((n_slots, n)),
            np.full(n, -1, dtype=np.int64),  # slot of each row, -1 if none
            np.full(n_slots, -1, dtype=np.int64),  # row in each slot
            np.zeros(n_slots, dtype=np.int64),  # when each slot was last used
        )
        self.max_iter = max_iter
        self.n_iter_ = 0

    def gradient(self, sign, p, alpha):
        """``P alpha + p``."""
        return _gradient(self.X, self.kind, *self.params, sign, p, alpha,
                         *self._cache)  # fmt: skip

    def solve(self, sign, upper, alpha, G, group=None):
        """Minimize from the feasible ``alpha`` with gradient ``G`` (copies
        are updated and returned); pairs within ``group`` (ints from 0)."""
        alpha, G = alpha.copy(), G.copy()
        if group is None:
            group = np.zeros(len(alpha), dtype=np.int64)
        n_iter = _smo(
            self.X, self.kind, *self.params, self.diag, sign, upper, group,
            int(group.max()) + 1, G, alpha, self.tol, self.max_iter,
            *self._cache,
        )  # fmt: skip
        self.n_iter_ += n_iter
        if n_iter >= self.max_iter:
            warnings.warn(
                f"SMO stopped after max_iter={self.max_iter} steps short of "
                f"tol={self.tol}; the solution may be inaccurate.",
                ConvergenceWarning,
                stacklevel=4,
            )
        return alpha, G


def _multiplier_range(alpha, G, upper, rows):
    """The interval of r with G_t = r on the free duals of ``rows``, G_t >= r
    where alpha_t = 0 and G_t <= r where alpha_t is at its bound."""
    a, g, u = alpha[rows], G[rows], upper[rows]
    free = (a > 0) & (a < u)
    if free.any():
        r = g[free].mean()
        return r, r
    low = g[a >= u].max() if (a >= u).any() else -np.inf
    high = g[a <= 0].min() if (a <= 0).any() else np.inf
    return low, high


def solve_hypersphere_dual_smo(solver, sign, upper, labeled, kappa):
    """The (semi-supervised) SVDD dual, with the margin constraint of SSAD.

    Same problem and arguments as
    :func:`~skoneclass.shallow.svdd.solve_hypersphere_dual`, with an
    :class:`SMOSolver` in place of the Gram matrix. Returns ``(alpha, G)``:
    the duals and the gradient ``P alpha - s * diag``, which gives every
    training sample's squared distance to the center,
    ``||c||^2 - s_i G_i``; G is None where the solution was combined from
    two (the multiplier search).
    """
    p = -sign * solver.diag
    signs = np.unique(sign[labeled])
    if labeled.any() and kappa > 0 and len(signs) == 1:
        solution = _margin_active(solver, sign, upper, labeled, kappa, p, signs[0])
        if solution is not None:
            return solution
    alpha = np.zeros_like(upper)
    _fill(alpha, np.flatnonzero(sign > 0), upper, 1.0)
    alpha, G = solver.solve(sign, upper, alpha, solver.gradient(sign, p, alpha))
    if not (labeled.any() and kappa > 0) or alpha[labeled].sum() >= kappa:
        return alpha, G
    return _margin_search(solver, sign, upper, labeled, kappa, p, alpha, G), None


def _margin_active(solver, sign, upper, labeled, kappa, p, s_l):
    """With labels of one sign s_l, the dual with the margin constraint
    active, ``sum(alpha[labeled]) = kappa``: then the labeled and the
    unlabeled duals each keep their mass, ``kappa`` and ``1 - s_l kappa``,
    and SMO takes its pairs within each group. The solution if the
    constraint's multiplier is >= 0 (it is the optimum), else None."""
    alpha = np.zeros_like(upper)
    unlabeled = np.flatnonzero(~labeled)
    if not (
        _fill(alpha, np.flatnonzero(labeled), upper, kappa)
        and _fill(alpha, unlabeled, upper, 1.0 - s_l * kappa)
    ):
        return None
    G = solver.gradient(sign, p, alpha)
    alpha, G = solver.solve(sign, upper, alpha, G, group=labeled.astype(np.int64))
    # KKT: G_t + b s_t - lambda [t labeled] is 0 on free duals, >= 0 at 0
    # and <= 0 at the bound. Over the unlabeled duals (sign +1) that pins
    # r_u = -b, over the labeled ones r_l = lambda - b s_l, each to a point
    # or an interval; lambda = r_l - s_l r_u, and the largest admissible
    # value decides.
    u_low, u_high = _multiplier_range(alpha, G, upper, unlabeled)
    _, l_high = _multiplier_range(alpha, G, upper, np.flatnonzero(labeled))
    high = l_high - u_low if s_l > 0 else l_high + u_high
    return (alpha, G) if high >= -solver.tol else None


def _margin_search(solver, sign, upper, labeled, kappa, p, alpha, G):
    """Labels of both signs: the margin constraint's multiplier lambda by a
    bracketing search, one warm-started SMO solve at each lambda tried."""

    def mass(a):
        return a[labeled].sum() - kappa

    def solve(lam, start):
        alpha, G, p_start = start
        p_lam = p - lam * labeled
        alpha, G = solver.solve(sign, upper, alpha, G + (p_lam - p_start))
        return mass(alpha), (alpha, G, p_lam)

    # Rounding: a mass of kappa reached by the largest duals can sum to a
    # hair below it.
    reached = -1e-12 * max(kappa, 1.0)
    lo, h_lo, at_lo = 0.0, mass(alpha), (alpha, G, p)
    if h_lo >= reached:  # the margin constraint is inactive (lambda = 0)
        return alpha
    # Raise lambda until the labeled mass reaches kappa, extrapolating the
    # mass (piecewise linear in lambda) and at least doubling; then narrow
    # the bracket by regula falsi with the Illinois rule.
    hi = 1.0
    h_hi, at_hi = solve(hi, at_lo)
    while h_hi < reached:
        slope = (h_hi - h_lo) / (hi - lo)
        step = 1.5 * -h_hi / slope if slope > 0 else hi
        lo, h_lo, at_lo = hi, h_hi, at_hi
        hi = hi + max(step, hi)
        h_hi, at_hi = solve(hi, at_lo)
    if h_hi <= 0:
        return at_hi[0]
    side = 0
    for _ in range(100):
        if hi - lo <= 1e-10 * hi:
            break
        lam = hi - h_hi * (hi - lo) / (h_hi - h_lo)
        if not lo < lam < hi:
            lam = 0.5 * (lo + hi)
        h_m, at_m = solve(lam, at_lo)
        if h_m == 0:
            return at_m[0]
        if h_m > 0:
            hi, h_hi, at_hi = lam, h_m, at_m
            if side == 1:
                h_lo *= 0.5
            side = 1
        else:
            lo, h_lo, at_lo = lam, h_m, at_m
            if side == -1:
                h_hi *= 0.5
            side = -1
    # Both ends solve the problem at (nearly) the same lambda; the convex
    # combination that carries the mass kappa meets the constraint exactly.
    h_lo, h_hi = mass(at_lo[0]), mass(at_hi[0])
    theta = h_hi / (h_hi - h_lo)
    return theta * at_lo[0] + (1.0 - theta) * at_hi[0]
