"""The random-intercept logistic model (Laplace, as ``glmer`` with ``nAGQ = 1``), federated.

The model and its Laplace log-likelihood are those of
:mod:`saz_geboortezorg.model.mixed` (``logit p = x' beta + b_j``, ``b_j ~ N(0, tau^2)``):

    L(beta, tau^2) = sum_i l_i(x_i' beta + b_j) - sum_j b_j^2 / (2 tau^2)
                     - 1/2 sum_j log(1 + tau^2 S_j)

with ``b_j`` the conditional mode of hospital j and ``S_j = sum_i n_i p_i (1 - p_i)``
over the hospital's covariate cells. A hospital's births can sit in several nodes (a
woman is in the node of her booking region, also when she gave birth elsewhere), so every
per-hospital quantity is a sum over nodes.

**One round** (one vantage6 task): the central function sends ``beta`` and the current
modes ``b``; every node returns, masked (:mod:`.secure`), at ``eta = x' beta + b_j`` over
its own cells (:func:`cell_sums`, layout :func:`sum_layout`):

* national: ``sum l_i`` (1), ``X'(e - n p)`` (p), ``X'WX`` (p(p+1)/2);
* per hospital: ``g_j = sum (e - n p)``, ``S_j = sum w``, ``D_j = sum w (1 - 2p)``,
  ``C_j = sum w (1 - 6 p (1 - p))`` (the derivatives of ``l`` in ``eta``, w = n p (1 - p)),
  and the vectors ``WX_j = sum w x``, ``DX_j = sum w (1 - 2p) x``, ``CX_j``.

From the sums, :class:`LaplaceNewton` does in the same round (a) a Newton step of every
mode (``b_j + (g_j - b_j / tau^2) / H_j``, ``H_j = S_j + 1 / tau^2``) with the per-hospital
sums carried to the corrected modes to first order, (b) a Newton step of
``(beta, log tau^2)`` on the Laplace log-likelihood with its exact gradient (the modes
moving with the parameters, by implicit differentiation, as in the pooled fit) and its
Hessian, and (c) moves the modes along with the parameters (first order). Near the
optimum the mode error squares each round, and the outer step is Newton's; the only
Hessian terms left out are the ``beta``-``beta`` terms of the log-determinant that need a
per-hospital ``p x p`` matrix (``sum w (1 - 6p(1 - p)) x x'`` and ``sum w (1 - 2p) x x'``
divided by ``H_j``: of the order of 1 against the information's order of n), so the
outer convergence is linear with a tiny rate. Steps that lower the (mode-corrected)
Laplace log-likelihood are halved. It stops when the mode and parameter steps are below
:data:`STEP_TOLERANCE`; then the exact gradient is below about 1e-9.

The result is a :class:`~saz_geboortezorg.model.mixed.MixedFit` with the pooled fit's
quantities: ``beta`` with covariance as ``vcov(use.hessian = FALSE)`` (the Schur
complement ``X'WX - sum_j WX_j WX_j' / H_j``), ``tau2``, the conditional modes and their
conditional variances ``1 / H_j``, ``within_var = 1 / S_j``, the Laplace log-likelihood.
The integration over tau (:func:`~saz_geboortezorg.model.mixed.integrate_tau`) is not
done federated (``integration`` is None).

Examples
--------
Driving the central step with the sums of one "node" (all cells), as the federated run
does with the sum over nodes:

>>> rng = np.random.default_rng(3)
>>> J = 8; unit = np.repeat(np.arange(J), 2); pattern = np.tile([0, 1], J)
>>> X = np.array([[1.0, 0.0], [1.0, 1.0]]); trials = np.full(2 * J, 300.0)
>>> eta = -1 + 0.5 * X[pattern, 1] + rng.normal(0, 0.4, J)[unit]
>>> events = rng.binomial(300, 1 / (1 + np.exp(-eta))).astype(float)
>>> fit = LaplaceNewton(["(Intercept)", "x"], np.zeros(2), J)
>>> while not fit.done:
...     beta, b = fit.point()
...     fit.update(unpack(cell_sums(X, pattern, unit, events, trials, J, beta, b), 2, J))
>>> from saz_geboortezorg.model.mixed import fit_random_intercept
>>> pooled = fit_random_intercept(X, pattern, unit, events, trials, J, ["a", "b"],
...                               integrate=False)
>>> res = fit.result()
>>> bool(np.allclose(res.params, pooled.params, rtol=1e-6)), round(res.tau2 / pooled.tau2, 6)
(True, 1.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from saz_geboortezorg.errors import SazError
from saz_geboortezorg.model.mixed import MixedFit, variance_note

__all__ = [
    "STEP_TOLERANCE",
    "MAX_ROUNDS",
    "LaplaceNewton",
    "cell_sums",
    "sum_layout",
    "unpack",
]

#: The fit stops when every mode step and every parameter step is below this.
STEP_TOLERANCE = 1e-10
#: Rounds allowed before the fit is reported as not converged.
MAX_ROUNDS = 60
#: Bounds of log tau^2, as the pooled fit's (tau^2 at the lower bound is reported as 0).
LOG_TAU2_BOUNDS = (-18.0, 6.0)
#: The pooled fit's start of tau^2.
TAU2_START = 0.1
_MODE_CAP = 2.0
_THETA_CAP = 3.0
_RELIABLE = 1e-3


def sum_layout(p: int, n_units: int) -> list[tuple[str, int]]:
    """The blocks of :func:`cell_sums`: (quantity, length); lengths count terms and units.

    Examples
    --------
    >>> sum_layout(2, 3)
    [('loglik', 1), ('gradient', 2), ('hessian', 3), ('g', 3), ('S', 3), ('D', 3), ('C', 3), ('WX', 6), ('DX', 6), ('CX', 6)]
    """
    out = [("loglik", 1), ("gradient", p), ("hessian", p * (p + 1) // 2)]
    out += [(k, n_units) for k in ("g", "S", "D", "C")]
    out += [(k, n_units * p) for k in ("WX", "DX", "CX")]
    return out


def _expit(x: np.ndarray) -> np.ndarray:
    from scipy.special import expit

    return expit(x)


def cell_sums(X, pattern, unit, events, trials, n_units, beta, b) -> np.ndarray:
    """One node's sums over its (pattern, hospital) cells at ``eta = x' beta + b_j``.

    ``X`` holds the patterns' design rows; ``pattern`` and ``unit`` index each cell's
    pattern and hospital (0..n_units-1); the result is in the order of :func:`sum_layout`.
    """
    X = np.asarray(X, dtype=float)
    e = np.asarray(events, dtype=float)
    n = np.asarray(trials, dtype=float)
    unit = np.asarray(unit, dtype=np.int64)
    pattern = np.asarray(pattern, dtype=np.int64)
    beta = np.asarray(beta, dtype=float)
    eta = (X @ beta)[pattern] + np.asarray(b, dtype=float)[unit]
    p = _expit(eta)
    k = X.shape[1]
    w = n * p * (1 - p)
    d = w * (1 - 2 * p)
    c = w * (1 - 6 * p * (1 - p))
    loglik = float(np.sum(e * eta - n * np.logaddexp(0.0, eta)))
    m = X.shape[0]

    def by_pattern(v):
        return np.bincount(pattern, weights=v, minlength=m)

    grad = X.T @ by_pattern(e - n * p)
    hess = X.T @ (by_pattern(w)[:, None] * X)

    def by_unit(v):
        return np.bincount(unit, weights=v, minlength=n_units)

    def unit_by_x(v):
        # sum over each hospital's cells of v * x: (n_units, k)
        out = np.zeros((n_units, k))
        np.add.at(out, unit, v[:, None] * X[pattern])
        return out

    parts = [
        np.array([loglik]),
        grad,
        hess[np.triu_indices(k)],
        by_unit(e - n * p),
        by_unit(w),
        by_unit(d),
        by_unit(c),
        unit_by_x(w).ravel(),
        unit_by_x(d).ravel(),
        unit_by_x(c).ravel(),
    ]
    return np.concatenate(parts)


def unpack(values: np.ndarray, p: int, n_units: int) -> dict[str, Any]:
    """The blocks of a (summed) :func:`cell_sums` vector, shaped."""
    out: dict[str, Any] = {}
    at = 0
    for name, length in sum_layout(p, n_units):
        out[name] = np.asarray(values[at : at + length], dtype=float)
        at += length
    if at != len(values):
        raise SazError(f"random-intercept sums: {len(values)} values, the layout says {at}")
    out["loglik"] = float(out["loglik"][0])
    h = np.zeros((p, p))
    h[np.triu_indices(p)] = out["hessian"]
    out["hessian"] = h + np.triu(h, 1).T
    for name in ("WX", "DX", "CX"):
        out[name] = out[name].reshape(n_units, p)
    return out


class LaplaceNewton:
    """The central side of the federated random-intercept fit (see the module docstring).

    Parameters
    ----------
    names : list of str
        The fixed-effect terms.
    start : ndarray
        Starting fixed effects (the fixed-effects logistic fit, as the pooled fit).
    n_units : int
        Number of hospitals (units).
    """

    def __init__(self, names: list[str], start: np.ndarray, n_units: int):
        self.names = list(names)
        self.p = len(self.names)
        self.J = int(n_units)
        if self.J < 2:
            raise SazError("the random intercept needs at least two units")
        self.beta = np.asarray(start, dtype=float).copy()
        self.theta = float(np.log(TAU2_START))
        self.b = np.zeros(self.J)
        self.rounds = 0
        self.done = False
        self.converged = False
        self._best: dict[str, Any] | None = None
        self._scale = 1.0
        self.last: dict[str, Any] = {}

    # -- the point at which the nodes evaluate -------------------------------------------
    def point(self) -> tuple[np.ndarray, np.ndarray]:
        """``(beta, b)``: the coefficients and modes the next round's sums are taken at."""
        return self.beta.copy(), self.b.copy()

    # -- the central step ------------------------------------------------------------------
    def _state(self, s: dict[str, Any]) -> dict[str, Any]:
        """Modes corrected by one Newton step, sums carried there, gradient and Hessian."""
        tau = float(np.exp(self.theta))
        b = self.b
        r = s["g"] - b / tau
        H0 = s["S"] + 1 / tau
        delta = np.clip(r / H0, -_MODE_CAP, _MODE_CAP)
        b_new = b + delta
        # the per-hospital sums at the corrected modes, to first order in delta
        S = s["S"] + s["D"] * delta
        D = s["D"] + s["C"] * delta
        C = s["C"]
        WX = s["WX"] + s["DX"] * delta[:, None]
        DX = s["DX"] + s["CX"] * delta[:, None]
        CX = s["CX"]
        GX = s["gradient"] - s["WX"].T @ delta
        # X'WX moves by sum_j DXX_j delta_j (per-hospital matrices, not asked): it
        # enters only the Hessian and, at the converged modes (delta ~ 0), the covariance
        XWX = s["hessian"]
        # h(b^) ~ h(b) + 1/2 sum r^2 / H (Newton) for the merit function
        h = s["loglik"] - np.sum(b**2) / (2 * tau) + 0.5 * np.sum(r * r / H0)
        H = S + 1 / tau
        with np.errstate(invalid="ignore"):
            loglik = h - 0.5 * np.sum(np.log1p(tau * S))
        # derivatives of the modes: db/dbeta = c, db/dlog tau^2 = s
        c = -WX / H[:, None]
        sv = b_new / (tau * H)
        H_b = DX + D[:, None] * c
        H_t = D * sv - 1 / tau
        g_beta = GX - 0.5 * np.sum(H_b / H[:, None], axis=0)
        g_theta = np.sum(b_new**2) / (2 * tau) - 0.5 * np.sum((S + D * sv) / H)
        # Hessian: Phi (the modes' h) + Psi (-1/2 sum log H_j - J/2 log tau^2)
        phi_bb = -XWX + (WX / H[:, None]).T @ WX
        phi_bt = -(WX * sv[:, None]).sum(axis=0)
        phi_tt = np.sum(b_new * sv / tau - b_new**2 / (2 * tau))
        dD_t = C * sv
        ds_t = sv / (tau * H) - sv - sv * H_t / H
        dc_t = -(DX * sv[:, None]) / H[:, None] + WX * (H_t / H**2)[:, None]
        H_tt = dD_t * sv + D * ds_t + 1 / tau
        H_bt = CX * sv[:, None] + (C * sv)[:, None] * c + D[:, None] * dc_t
        # d H_b / d beta without the per-hospital matrices sum w(1-6p(1-p)) x x' and
        # sum w (1-2p) x x' (left out: of order 1 against X'WX)
        cc = (c * (C / H)[:, None]).T @ c
        cx = (CX / H[:, None]).T @ c
        dw = ((D / H**3)[:, None] * DX).T @ WX
        ww = ((D**2 / H**4)[:, None] * WX).T @ WX
        H_bb_over_H = cx + cx.T + cc + dw + dw.T - ww
        psi_bb = -0.5 * (H_bb_over_H - (H_b / H[:, None]).T @ (H_b / H[:, None]))
        psi_bt = -0.5 * np.sum(H_bt / H[:, None] - H_b * (H_t / H**2)[:, None], axis=0)
        psi_tt = -0.5 * np.sum(H_tt / H - H_t**2 / H**2)
        hess = np.zeros((self.p + 1, self.p + 1))
        hess[: self.p, : self.p] = phi_bb + psi_bb
        hess[: self.p, self.p] = hess[self.p, : self.p] = phi_bt + psi_bt
        hess[self.p, self.p] = phi_tt + psi_tt
        return {
            "tau": tau,
            "b": b_new,
            "delta": delta,
            "loglik": float(loglik),
            "gradient": np.concatenate([g_beta, [g_theta]]),
            "hessian": hess,
            "c": c,
            "s": sv,
            "S": S,
            "H": H,
            "WX": WX,
            "XWX": XWX,
        }

    def update(self, sums: dict[str, Any]) -> None:
        """Take the round's sums (over all nodes, :func:`unpack`-ed) and set the next point."""
        if self.done:
            raise SazError("the random-intercept fit has finished")
        self.rounds += 1
        st = self._state(sums)
        best = self._best
        tol = 1e-12 * max(1.0, abs(st["loglik"]))
        # the mode-corrected log-likelihood is a fair merit only when the modes are close
        st["reliable"] = bool(np.max(np.abs(st["delta"]), initial=0.0) < _RELIABLE)
        if (
            best is not None
            and best["reliable"]
            and st["reliable"]
            and not st["loglik"] >= best["loglik"] - tol
            and self._scale > 1e-6
        ):
            # the step lowered the likelihood: back to half of it from the best point
            self._scale /= 2
            self._move(best, best["step"] * self._scale)
            return
        st["beta"], st["theta"] = self.beta.copy(), self.theta
        step = _newton_step(st["hessian"], st["gradient"])
        # at the lower bound of tau^2 with the likelihood rising towards it: stay there
        at_floor = st["theta"] <= LOG_TAU2_BOUNDS[0] + 1e-9 and step[-1] < 0
        if at_floor:
            step[-1] = 0.0
            sub = st["hessian"][: self.p, : self.p]
            step[: self.p] = _newton_step(sub, st["gradient"][: self.p])
        step[-1] = np.clip(step[-1], -_THETA_CAP, _THETA_CAP)
        st["step"] = step
        st["at_floor"] = at_floor
        self._best = st
        self._scale = 1.0
        self.last = st
        small = np.max(np.abs(st["delta"]), initial=0.0) < STEP_TOLERANCE
        if small and np.max(np.abs(step)) < STEP_TOLERANCE:
            self.b = st["b"]
            self.done = self.converged = True
            return
        if self.rounds >= MAX_ROUNDS:
            self.b = st["b"]
            self.done = True
            return
        self._move(st, step)

    def _move(self, st: dict[str, Any], step: np.ndarray) -> None:
        theta = float(np.clip(st["theta"] + step[-1], *LOG_TAU2_BOUNDS))
        dt = theta - st["theta"]
        self.beta = st["beta"] + step[: self.p]
        self.theta = theta
        self.b = st["b"] + st["c"] @ step[: self.p] + st["s"] * dt

    # -- the result ----------------------------------------------------------------------
    def result(self) -> MixedFit:
        """The estimates at the last round, as the pooled fit's :class:`MixedFit`."""
        st = self.last
        if not st:
            raise SazError("the random-intercept fit has not run")
        problems: list[str] = []
        if not self.converged:
            problems.append(
                f"the federated random-intercept fit did not converge in {self.rounds} rounds; "
                "its between-unit variance and unit effects are not reliable"
            )
        WX, H = st["WX"], st["H"]
        info = st["XWX"] - (WX / H[:, None]).T @ WX
        try:
            cov = np.linalg.inv(info)
        except np.linalg.LinAlgError:
            cov = np.full((self.p, self.p), np.nan)
            problems.append("the random-intercept model's information matrix is singular")
        at_zero = self.theta <= LOG_TAU2_BOUNDS[0] + 1e-6
        tau2 = 0.0 if at_zero else float(np.exp(self.theta))
        with np.errstate(divide="ignore"):
            within = 1 / st["S"]
        return MixedFit(
            names=self.names,
            params=self.beta.copy(),
            cov=cov,
            tau2=tau2,
            effects=st["b"].copy(),
            effect_var=1 / H,
            within_var=within,
            loglik=float(st["loglik"]),
            iterations=self.rounds,
            converged=self.converged,
            problems=problems,
            notes=[variance_note(tau2, None)] if at_zero else [],
            integration=None,
        )


def _newton_step(hess: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """``-hess^-1 grad`` for a concave neighbourhood; otherwise a step along the
    negative-definite part (eigenvalues flipped), which still rises."""
    try:
        np.linalg.cholesky(-hess)
        return -np.linalg.solve(hess, grad)
    except np.linalg.LinAlgError:
        vals, vecs = np.linalg.eigh(hess)
        vals = -np.maximum(np.abs(vals), 1e-8 * max(1.0, np.max(np.abs(vals))))
        return -(vecs / vals) @ (vecs.T @ grad)
