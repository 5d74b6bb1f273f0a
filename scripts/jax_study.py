#!/usr/bin/env python3
"""JAX speed anchor for LSTMLab's regularization study (not used by the product or its tests).

What it computes (SPEC.md §2, §3, §5): the study's 390 runs -- 13 configurations
(baseline L1L2(0,0); L1L2 (0,0), (0.01,0), (0,0.01), (0.01,0.01) on the LSTM bias,
on the input kernel and on the recurrent kernel) x 30 repeats -- of the shampoo-sales
harness: differencing, lag-1 framing, [-1,1] min-max scaling fitted on the training
rows, training rows trimmed to 20, a stateful LSTM(3) + Dense(1) trained with batch 4,
MSE + L1L2 penalties, Adam (lr 1e-3), 1000 epochs, the state reset after every epoch;
after every epoch the train and test RMSE in sales units, each predicted from a reset
state. float64 on the CPU, one jit-compiled program: the runs are vectorised (the run
axis is the minor axis of every array) and sharded over the host's devices with
shard_map, `lax.scan` runs over epochs (and, in some variants, over the batches of an
epoch). Initial weights are Keras's initializers (Glorot-uniform kernels, orthogonal
recurrent kernel, zero bias with unit forget bias) drawn with JAX's PRNG -- not the
product's random numbers, so the figures are comparable in distribution only.

Profiles: keras2 = hard sigmoid clip(0.2x+0.5,0,1), Adam eps 1e-8;
          keras3 = logistic sigmoid, Adam eps 1e-7.

Install and run (the product and its tests do not need any of this):

    python3 -m venv venv && venv/bin/pip install jax numpy
    venv/bin/python scripts/jax_study.py --profile keras2 --samples 5
    venv/bin/python scripts/jax_study.py --check-reference ../shared/reference/keras-golden-3epochs.json

The script sets XLA_FLAGS=--xla_force_host_platform_device_count=<--devices, default
the CPU count> before importing JAX. It prints the compile time (first call, tracing and
compilation included), the median steady-state time of --samples further calls, the
number of runs and a checksum: the mean final test RMSE per configuration (about 80-100;
persistence gives 136.761). --check-reference PATH instead replays a Keras dump
(SPEC §7) from its initial weights and prints the largest deviation of the per-epoch
weights and losses and of the test predictions.
"""

import argparse
import json
import os
import statistics
import sys
import time


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--profile", choices=["keras2", "keras3"], default="keras2")
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--samples", type=int, default=5, help="timed steady-state calls (median printed)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--devices", type=int, default=os.cpu_count() or 1,
                        help="host devices to shard the runs over (default: CPU count)")
    parser.add_argument("--variant", default="manual",
                        help="engine variant: manual (default), manual-scan, autodiff, autodiff-ckpt, "
                             "manual-barrier")
    parser.add_argument("--unroll", type=int, default=1, help="unroll factor of the epoch scan")
    parser.add_argument("--data", default=None, help="shampoo-sales.csv (default: ../../shared/data/)")
    parser.add_argument("--check-reference", metavar="PATH", default=None)
    parser.add_argument("--per-run-loss", action="store_true",
                        help="also compute the epoch loss in the study (off: not needed for the RMSE curves)")
    return parser.parse_args()


ARGS = parse_arguments() if __name__ == "__main__" else None
if ARGS is not None and ARGS.check_reference is None:
    os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "")
                               + f" --xla_force_host_platform_device_count={ARGS.devices}").strip()

import numpy as np  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from jax.sharding import Mesh, PartitionSpec  # noqa: E402

jax.config.update("jax_enable_x64", True)

UNITS = 3
BATCH = 4
LAG = 1
TEST_SIZE = 12
LEARNING_RATE = 0.001
BETA1, BETA2 = 0.9, 0.999
PROFILES = {"keras2": ("hard_sigmoid_0.2", 1e-8), "keras3": ("sigmoid", 1e-7)}


# ----------------------------------------------------------------------------------------------
# The harness (SPEC §2), in numpy.

def load_sales(path):
    values = []
    with open(path) as handle:
        next(handle)
        for line in handle:
            line = line.strip()
            if line:
                values.append(float(line.rsplit(",", 1)[1]))
    return np.array(values, dtype=np.float64)


class Harness:
    """Scaled supervised rows and what is needed to turn scaled predictions into sales."""

    def __init__(self, sales, lag=LAG, test_size=TEST_SIZE, batch=BATCH):
        diff = sales[1:] - sales[:-1]
        rows = np.array([[diff[t - k] for k in range(1, lag + 1)] + [diff[t]] for t in range(lag, len(diff))])
        train_count = len(rows) - test_size
        low, high = rows[:train_count].min(axis=0), rows[:train_count].max(axis=0)
        span = np.where(high - low == 0, 1.0, high - low)
        self.scale = 2.0 / span
        self.offset = -1.0 - low * self.scale
        scaled = rows * self.scale + self.offset
        trimmed = train_count % batch
        t_index = np.arange(len(rows)) + lag          # target diff[t] forecasts sales[t+1] from sales[t]

        def side(selection):
            return dict(x=scaled[selection, :lag], y=scaled[selection, lag],
                        previous=sales[t_index[selection]], observed=sales[t_index[selection] + 1])

        self.train = side(slice(trimmed, train_count))
        self.test = side(slice(train_count, len(rows)))
        self.lag = lag
        self.target_scale = self.scale[lag]
        self.target_offset = self.offset[lag]

    def persistence_rmse(self):
        return float(np.sqrt(np.mean((self.test["previous"] - self.test["observed"]) ** 2)))


# ----------------------------------------------------------------------------------------------
# The study's configurations.

STUDY_SETTINGS = [(0.0, 0.0), (0.01, 0.0), (0.0, 0.01), (0.01, 0.01)]


def study_configurations():
    """(label, {kernel|recurrent|bias: (l1, l2)}) for the 13 configurations."""
    configurations = [("baseline L1L2(0.00,0.00)", {})]
    for place in ("bias", "input", "recurrent"):
        tensor = {"bias": "bias", "input": "kernel", "recurrent": "recurrent"}[place]
        for l1, l2 in STUDY_SETTINGS:
            configurations.append((f"{place} L1L2({l1:.2f},{l2:.2f})", {tensor: (l1, l2)}))
    return configurations


def coefficient_table(penalties_per_run):
    """[R, 6] columns l1K, l2K, l1U, l2U, l1b, l2b."""
    table = np.zeros((len(penalties_per_run), 6))
    for run, penalties in enumerate(penalties_per_run):
        for column, tensor in enumerate(("kernel", "recurrent", "bias")):
            l1, l2 = penalties.get(tensor, (0.0, 0.0))
            table[run, 2 * column] = l1
            table[run, 2 * column + 1] = l2
    return table


def adam_step_sizes(count):
    t = np.arange(1, count + 1, dtype=np.float64)
    return LEARNING_RATE * np.sqrt(1.0 - BETA2 ** t) / (1.0 - BETA1 ** t)


# ----------------------------------------------------------------------------------------------
# Keras initial weights, with JAX's PRNG. Run-major layout [R, ...] in Keras's shapes.

def keras_initial_weights(key, runs, lag=LAG, units=UNITS):
    gates = 4 * units
    k_kernel, k_recurrent, k_dense = jax.random.split(key, 3)
    limit = np.sqrt(6.0 / (lag + gates))
    kernel = jax.random.uniform(k_kernel, (runs, lag, gates), minval=-limit, maxval=limit, dtype=jnp.float64)
    normal = jax.random.normal(k_recurrent, (runs, gates, units), dtype=jnp.float64)   # (max, min)
    q, r = jnp.linalg.qr(normal)
    q = q * jnp.sign(jnp.diagonal(r, axis1=1, axis2=2))[:, None, :]
    recurrent = jnp.swapaxes(q, 1, 2)                                                  # (units, 4u)
    bias = jnp.zeros((runs, gates)).at[:, units:2 * units].set(1.0)
    limit = np.sqrt(6.0 / (units + 1))
    dense_kernel = jax.random.uniform(k_dense, (runs, units, 1), minval=-limit, maxval=limit, dtype=jnp.float64)
    dense_bias = jnp.zeros((runs, 1))
    return kernel, recurrent, bias, dense_kernel, dense_bias


def to_engine_layout(weights):
    """Keras shapes with a leading run axis -> engine tuple with the run axis last:
    K [L,4,u,R], U [u,4,u,R], b [4,u,R], dk [u,R], db [R]."""
    kernel, recurrent, bias, dense_kernel, dense_bias = weights
    runs, lag, gates = kernel.shape
    units = gates // 4
    K = jnp.moveaxis(kernel.reshape(runs, lag, 4, units), 0, -1)
    U = jnp.moveaxis(recurrent.reshape(runs, units, 4, units), 0, -1)
    b = jnp.moveaxis(bias.reshape(runs, 4, units), 0, -1)
    dk = jnp.moveaxis(dense_kernel.reshape(runs, units), 0, -1)
    db = dense_bias.reshape(runs)
    return K, U, b, dk, db


def from_engine_layout(params):
    K, U, b, dk, db = params
    lag, _, units, runs = K.shape
    return (np.moveaxis(np.asarray(K), -1, 0).reshape(runs, lag, 4 * units),
            np.moveaxis(np.asarray(U), -1, 0).reshape(runs, units, 4 * units),
            np.moveaxis(np.asarray(b), -1, 0).reshape(runs, 4 * units),
            np.moveaxis(np.asarray(dk), -1, 0).reshape(runs, units, 1),
            np.asarray(db).reshape(runs, 1))


# ----------------------------------------------------------------------------------------------
# The engine. Every array has the run axis last; small axes (samples, gates, units) are written
# out with broadcasting and explicit Python sums, so XLA sees elementwise work only (no dots).

def recurrent_activation(name):
    if name == "hard_sigmoid_0.2":
        def sigma(z):
            linear = 0.2 * z + 0.5
            return jnp.clip(linear, 0.0, 1.0), jnp.where((linear > 0.0) & (linear < 1.0), 0.2, 0.0)
    else:
        def sigma(z):
            value = 0.5 + 0.5 * jnp.tanh(0.5 * z)
            return value, value * (1.0 - value)
    return sigma


def cell_forward(params, x, h, c, sigma):
    """One timestep for S slots. x: numpy [S, L] (constants) or array; h, c [S,u,R]."""
    K, U, b, dk, db = params
    lag, units = K.shape[0], U.shape[0]
    z = b[None]
    for l in range(lag):
        z = z + jnp.asarray(x)[:, l, None, None, None] * K[l][None]
    for k in range(units):
        z = z + h[:, k, None, None, :] * U[k][None]
    si, dsi = sigma(z[:, 0])
    sf, dsf = sigma(z[:, 1])
    g = jnp.tanh(z[:, 2])
    so, dso = sigma(z[:, 3])
    c1 = sf * c + si * g
    tc = jnp.tanh(c1)
    h1 = so * tc
    y = db[None]
    for k in range(units):
        y = y + h1[:, k] * dk[k][None]
    return y, h1, c1, (si, dsi, sf, dsf, g, so, dso, tc)


def penalty_gradient(W, l1, l2):
    return l1 * jnp.sign(W) + 2.0 * l2 * W


def penalty_value(W, l1, l2, axes):
    # |W| written as W*sign(W) with the sign held constant, so that autodiff gives sign(W) (sign(0) = 0),
    # as TensorFlow's abs does; jnp.abs would differentiate to +1 at 0 (the bias starts at exactly 0).
    return l1 * jnp.sum(W * jax.lax.stop_gradient(jnp.sign(W)), axis=axes) + l2 * jnp.sum(W * W, axis=axes)


def batch_loss_terms(params, coefficients, e):
    K, U, b, _, _ = params
    l1K, l2K, l1U, l2U, l1b, l2b = coefficients
    loss = jnp.mean(e * e, axis=0)
    loss = loss + penalty_value(K, l1K, l2K, (0, 1, 2))
    loss = loss + penalty_value(U, l1U, l2U, (0, 1, 2))
    loss = loss + penalty_value(b, l1b, l2b, (0, 1))
    return loss


def manual_gradient(params, coefficients, x, t, h, c, sigma, barrier=False):
    """Loss-free forward + hand-written backward of one batch. Returns grads, h1, c1, e."""
    K, U, b, dk, db = params
    l1K, l2K, l1U, l2U, l1b, l2b = coefficients
    slots = h.shape[0]
    y, h1, c1, cache = cell_forward(params, x, h, c, sigma)
    if barrier:
        y, h1, c1, cache = jax.lax.optimization_barrier((y, h1, c1, cache))
    si, dsi, sf, dsf, g, so, dso, tc = cache
    e = y - jnp.asarray(t)[:, None]
    dy = (2.0 / slots) * e                                   # [S,R]
    g_dk = jnp.sum(dy[:, None, :] * h1, axis=0)              # [u,R]
    g_db = jnp.sum(dy, axis=0)                               # [R]
    dh = dy[:, None, :] * dk[None]                           # [S,u,R]
    dc = dh * so * (1.0 - tc * tc)
    dz = jnp.stack([dc * g * dsi, dc * c * dsf, dc * si * (1.0 - g * g), dh * tc * dso], axis=1)  # [S,4,u,R]
    xs = jnp.asarray(x)
    g_K = jnp.stack([jnp.sum(xs[:, l, None, None, None] * dz, axis=0) for l in range(K.shape[0])])
    g_U = jnp.stack([jnp.sum(h[:, k, None, None, :] * dz, axis=0) for k in range(U.shape[0])])
    g_b = jnp.sum(dz, axis=0)
    g_K = g_K + penalty_gradient(K, l1K, l2K)
    g_U = g_U + penalty_gradient(U, l1U, l2U)
    g_b = g_b + penalty_gradient(b, l1b, l2b)
    return (g_K, g_U, g_b, g_dk, g_db), h1, c1, e


def autodiff_gradient(params, coefficients, x, t, h, c, sigma, policy=None):
    """The same via jax.grad of the summed (over runs) batch loss; runs are independent."""
    def total_loss(p):
        y, h1, c1, _ = cell_forward(p, x, h, c, sigma)
        e = y - jnp.asarray(t)[:, None]
        return jnp.sum(batch_loss_terms(p, coefficients, e)), (h1, c1, e)

    if policy is not None:
        total_loss = jax.checkpoint(total_loss, policy=policy)
    grads, (h1, c1, e) = jax.grad(total_loss, has_aux=True)(params)
    return grads, h1, c1, e


def adam_update(params, m, v, grads, alpha, epsilon):
    new_p, new_m, new_v = [], [], []
    for p, mi, vi, gi in zip(params, m, v, grads):
        mi = mi + (gi - mi) * (1.0 - BETA1)
        vi = vi + (gi * gi - vi) * (1.0 - BETA2)
        new_p.append(p - (mi * alpha) / (jnp.sqrt(vi) + epsilon))
        new_m.append(mi)
        new_v.append(vi)
    return tuple(new_p), tuple(new_m), tuple(new_v)


def build_epoch(harness, activation, epsilon, variant, record_loss=False, record_weights=False,
                return_test_predictions=False):
    """epoch(carry, alphas[batches]) -> (carry, outputs); carry = (params, m, v, coefficients)."""
    sigma = recurrent_activation(activation)
    train, test = harness.train, harness.test
    batches = len(train["y"]) // BATCH
    test_batches = -(-len(test["y"]) // BATCH)
    x_train = train["x"].reshape(batches, BATCH, -1)
    t_train = train["y"].reshape(batches, BATCH)
    scale, offset = harness.target_scale, harness.target_offset

    if variant.startswith("autodiff"):
        policy = None
        if variant == "autodiff-ckpt":
            policy = jax.checkpoint_policies.everything_saveable
        elif variant == "autodiff-nothing":
            policy = jax.checkpoint_policies.nothing_saveable

        def gradient(params, coefficients, x, t, h, c):
            return autodiff_gradient(params, coefficients, x, t, h, c, sigma, policy)
    else:
        barrier = variant == "manual-barrier"

        def gradient(params, coefficients, x, t, h, c):
            return manual_gradient(params, coefficients, x, t, h, c, sigma, barrier)

    def train_batch(params, m, v, coefficients, h, c, x, t, alpha):
        grads, h1, c1, e = gradient(params, coefficients, x, t, h, c)
        loss = batch_loss_terms(params, coefficients, e) if record_loss else None
        params, m, v = adam_update(params, m, v, grads, alpha, epsilon)
        return params, m, v, h1, c1, loss

    def rmse(predictions, side):
        forecasts = (predictions - offset) / scale + side["previous"][:, None]
        errors = forecasts - side["observed"][:, None]
        return jnp.sqrt(jnp.mean(errors * errors, axis=0))

    def evaluate(params):
        """Forward only, train and test rows from a reset state, side by side (test slots drop out
        after its last batch)."""
        runs = params[4].shape[-1]
        n_train, n_test = len(train["y"]), len(test["y"])
        h = jnp.zeros((2 * BATCH, UNITS, runs))
        c = jnp.zeros((2 * BATCH, UNITS, runs))
        train_out, test_out = [], []
        for step in range(max(batches, test_batches)):
            rows = []
            if step < batches:
                rows.append(train["x"][step * BATCH:(step + 1) * BATCH])
            if step < test_batches:
                block = test["x"][step * BATCH:(step + 1) * BATCH]
                rows.append(np.concatenate([block, np.zeros((BATCH - len(block), block.shape[1]))]))
            x = np.concatenate(rows)
            if step == batches or step == test_batches:          # one side finished: keep the other's slots
                keep = slice(0, BATCH) if step < batches else slice(BATCH, 2 * BATCH)
                h, c = h[keep], c[keep]
            y, h, c, _ = cell_forward(params, x, h, c, sigma)
            if step < batches and step < test_batches:
                train_out.append(y[:BATCH])
                test_out.append(y[BATCH:])
            elif step < batches:
                train_out.append(y)
            else:
                test_out.append(y)
        train_predictions = jnp.concatenate(train_out)[:n_train]
        test_predictions = jnp.concatenate(test_out)[:n_test]
        return rmse(train_predictions, train), rmse(test_predictions, test), test_predictions

    def epoch(carry, alphas):
        params, m, v, coefficients = carry
        runs = params[4].shape[-1]
        h = jnp.zeros((BATCH, UNITS, runs))
        c = jnp.zeros((BATCH, UNITS, runs))
        losses = []
        if variant == "manual-scan":
            def body(state, inputs):
                params, m, v, h, c = state
                x, t, alpha = inputs
                params, m, v, h, c, loss = train_batch(params, m, v, coefficients, h, c, x, t, alpha)
                return (params, m, v, h, c), loss
            (params, m, v, h, c), loss_stack = jax.lax.scan(
                body, (params, m, v, h, c), (jnp.asarray(x_train), jnp.asarray(t_train), alphas))
            if record_loss:
                losses = [loss_stack[i] for i in range(batches)]
        else:
            for batch in range(batches):
                params, m, v, h, c, loss = train_batch(params, m, v, coefficients, h, c,
                                                       x_train[batch], t_train[batch], alphas[batch])
                losses.append(loss)
        train_rmse, test_rmse, test_predictions = evaluate(params)
        outputs = {"train_rmse": train_rmse, "test_rmse": test_rmse}
        if record_loss:
            outputs["loss"] = sum(losses[1:], losses[0]) / batches
        if record_weights:
            outputs["weights"] = params
        if return_test_predictions:
            outputs["test_predictions"] = test_predictions
        return (params, m, v, coefficients), outputs

    return epoch, batches


# ----------------------------------------------------------------------------------------------
# The "scalar" engine: every value is one [R] vector (one element per run) and the small axes
# (slots, gates, units) are unrolled in Python, so every HLO op is elementwise over the runs and
# XLA can fuse a whole step into a few wide loops without recomputing across elements. The
# parameters are one flat [P, R] array in the product's layout (kernel [L x 4u], recurrent kernel
# [u x 4u], bias [4u], dense kernel [u], dense bias), so Adam is one elementwise update.

class FlatLayout:
    def __init__(self, lag=LAG, units=UNITS):
        self.lag, self.units, self.gates = lag, units, 4 * units
        self.kernel = 0
        self.recurrent = lag * self.gates
        self.bias = self.recurrent + units * self.gates
        self.dense_kernel = self.bias + self.gates
        self.dense_bias = self.dense_kernel + units
        self.count = self.dense_bias + 1

    def K(self, l, q, j):
        return self.kernel + l * self.gates + q * self.units + j

    def U(self, k, q, j):
        return self.recurrent + k * self.gates + q * self.units + j

    def b(self, q, j):
        return self.bias + q * self.units + j

    def to_flat(self, params):
        """engine tuple (K [L,4,u,R], U, b, dk, db) -> [P, R]."""
        K, U, b, dk, db = params
        runs = db.shape[-1]
        return jnp.concatenate([K.reshape(-1, runs), U.reshape(-1, runs), b.reshape(-1, runs),
                                dk.reshape(-1, runs), db.reshape(1, runs)])

    def from_flat(self, flat):
        lag, units = self.lag, self.units
        lead = flat.shape[:-2]
        runs = flat.shape[-1]
        part = lambda start, stop, shape: flat[..., start:stop, :].reshape(lead + shape + (runs,))
        return (part(self.kernel, self.recurrent, (lag, 4, units)),
                part(self.recurrent, self.bias, (units, 4, units)),
                part(self.bias, self.dense_kernel, (4, units)),
                part(self.dense_kernel, self.dense_bias, (units,)),
                flat[..., self.dense_bias, :])

    def coefficient_rows(self, coefficients):
        """[6, R] (l1K, l2K, l1U, l2U, l1b, l2b) -> l1, l2 per parameter row, [P, R] each."""
        runs = coefficients.shape[-1]

        def rows(kernel, recurrent, bias):
            return jnp.concatenate([jnp.broadcast_to(kernel, (self.recurrent, runs)),
                                    jnp.broadcast_to(recurrent, (self.bias - self.recurrent, runs)),
                                    jnp.broadcast_to(bias, (self.gates, runs)),
                                    jnp.zeros((self.units + 1, runs))])
        return (rows(coefficients[0], coefficients[2], coefficients[4]),
                rows(coefficients[1], coefficients[3], coefficients[5]))


def scalar_forward(w, layout, x, h, c, sigma, keep_cache):
    """One slot, one timestep. w: list of P [R] rows; x: L numpy floats; h, c: lists of u [R] vectors,
    or None for the zero (reset) state. Returns y, h1, c1 and, if asked, the cache for the backward."""
    units = layout.units
    z = []
    for q in range(4):
        row = []
        for j in range(units):
            value = w[layout.b(q, j)]
            for l in range(layout.lag):
                value = value + float(x[l]) * w[layout.K(l, q, j)]
            if h is not None:
                for k in range(units):
                    value = value + h[k] * w[layout.U(k, q, j)]
            row.append(value)
        z.append(row)
    i, di = zip(*[sigma(v) for v in z[0]])
    f, df = zip(*[sigma(v) for v in z[1]])
    g = [jnp.tanh(v) for v in z[2]]
    o, do = zip(*[sigma(v) for v in z[3]])
    c1 = [i[j] * g[j] if c is None else f[j] * c[j] + i[j] * g[j] for j in range(units)]
    tc = [jnp.tanh(v) for v in c1]
    h1 = [o[j] * tc[j] for j in range(units)]
    y = w[layout.dense_bias]
    for j in range(units):
        y = y + h1[j] * w[layout.dense_kernel + j]
    cache = (i, di, f, df, g, o, do, tc) if keep_cache else None
    return y, h1, c1, cache


def build_scalar_epoch(harness, activation, epsilon, record_loss=False, record_weights=False,
                       return_test_predictions=False, barrier=False):
    layout = FlatLayout(harness.lag, UNITS)
    units, lag = layout.units, layout.lag
    sigma = recurrent_activation(activation)
    train, test = harness.train, harness.test
    batches = len(train["y"]) // BATCH
    test_batches = -(-len(test["y"]) // BATCH)
    scale, offset = harness.target_scale, harness.target_offset

    def train_batch(P, m, v, l1P, l2P, h, c, batch, alpha):
        w = [P[index] for index in range(layout.count)]
        grad = [None] * layout.count

        def accumulate(index, value):
            grad[index] = value if grad[index] is None else grad[index] + value

        h_new, c_new, squared = [], [], None
        for s in range(BATCH):
            row = batch * BATCH + s
            x = train["x"][row]
            hs = None if h is None else h[s]
            cs = None if c is None else c[s]
            y, h1, c1, cache = scalar_forward(w, layout, x, hs, cs, sigma, keep_cache=True)
            if barrier:
                y, h1, c1, cache = jax.lax.optimization_barrier((y, h1, c1, cache))
            i, di, f, df, g, o, do, tc = cache
            e = y - float(train["y"][row])
            if record_loss:
                squared = e * e if squared is None else squared + e * e
            dy = (2.0 / BATCH) * e
            accumulate(layout.dense_bias, dy)
            for j in range(units):
                accumulate(layout.dense_kernel + j, dy * h1[j])
            for j in range(units):
                dh = dy * w[layout.dense_kernel + j]
                dc = dh * o[j] * (1.0 - tc[j] * tc[j])
                dz = [dc * g[j] * di[j],
                      None if cs is None else dc * cs[j] * df[j],
                      dc * i[j] * (1.0 - g[j] * g[j]),
                      dh * tc[j] * do[j]]
                for q in range(4):
                    if dz[q] is None:
                        continue
                    accumulate(layout.b(q, j), dz[q])
                    for l in range(lag):
                        accumulate(layout.K(l, q, j), float(x[l]) * dz[q])
                    if hs is not None:
                        for k in range(units):
                            accumulate(layout.U(k, q, j), hs[k] * dz[q])
            h_new.append(h1)
            c_new.append(c1)
        runs = P.shape[-1]
        zero = jnp.zeros((runs,))
        G = jnp.stack([zero if value is None else value for value in grad])
        G = G + l1P * jnp.sign(P) + 2.0 * l2P * P
        loss = None
        if record_loss:
            loss = squared / BATCH + jnp.sum(l1P * jnp.abs(P) + l2P * P * P, axis=0)
        m = m + (G - m) * (1.0 - BETA1)
        v = v + (G * G - v) * (1.0 - BETA2)
        P = P - (m * alpha) / (jnp.sqrt(v) + epsilon)
        return P, m, v, h_new, c_new, loss

    def side_rmse(predictions, side):
        total = None
        for row, prediction in enumerate(predictions):
            forecast = (prediction - offset) / scale + float(side["previous"][row])
            error = forecast - float(side["observed"][row])
            total = error * error if total is None else total + error * error
        return jnp.sqrt(total / len(predictions))

    def evaluate(P):
        w = [P[index] for index in range(layout.count)]
        predictions = {}
        for name, side, count in (("train", train, batches), ("test", test, test_batches)):
            h = [None] * BATCH
            c = [None] * BATCH
            out = []
            for step in range(count):
                for s in range(BATCH):
                    row = step * BATCH + s
                    if row >= len(side["y"]):
                        continue
                    y, h[s], c[s], _ = scalar_forward(w, layout, side["x"][row], h[s], c[s], sigma, False)
                    out.append(y)
            predictions[name] = out
        return (side_rmse(predictions["train"], train), side_rmse(predictions["test"], test),
                jnp.stack(predictions["test"]))

    def epoch(carry, alphas):
        P, m, v, l1P, l2P = carry
        h = c = None
        losses = []
        for batch in range(batches):
            P, m, v, h, c, loss = train_batch(P, m, v, l1P, l2P, h, c, batch, alphas[batch])
            losses.append(loss)
        train_rmse, test_rmse, test_predictions = evaluate(P)
        outputs = {"train_rmse": train_rmse, "test_rmse": test_rmse}
        if record_loss:
            outputs["loss"] = sum(losses[1:], losses[0]) / batches
        if record_weights:
            outputs["weights"] = P
        if return_test_predictions:
            outputs["test_predictions"] = test_predictions
        return (P, m, v, l1P, l2P), outputs

    return epoch, batches, layout


def build_training(harness, activation, epsilon, variant, epochs, unroll=1, **record):
    """train(params, coefficients [6,R]) -> per-epoch outputs with the run axis last."""
    if variant.startswith("scalar"):
        epoch, batches, layout = build_scalar_epoch(harness, activation, epsilon, barrier=variant == "scalar-barrier",
                                                    **record)
        alphas = adam_step_sizes(epochs * batches).reshape(epochs, batches)

        def train_flat(params, coefficients):
            P = layout.to_flat(params)
            l1P, l2P = layout.coefficient_rows(coefficients)
            zeros = jnp.zeros_like(P)
            _, outputs = jax.lax.scan(epoch, (P, zeros, zeros, l1P, l2P), jnp.asarray(alphas), unroll=unroll)
            if "weights" in outputs:
                outputs["weights"] = layout.from_flat(outputs["weights"])
            return outputs

        return train_flat

    epoch, batches = build_epoch(harness, activation, epsilon, variant, **record)
    alphas = adam_step_sizes(epochs * batches).reshape(epochs, batches)

    def train(params, coefficients):
        coefficients = tuple(coefficients[i] for i in range(6))
        zeros = tuple(jnp.zeros_like(p) for p in params)
        _, outputs = jax.lax.scan(epoch, (params, zeros, zeros, coefficients), jnp.asarray(alphas),
                                  unroll=unroll)
        return outputs

    return train


def build_sharded_study(harness, activation, epsilon, variant, epochs, devices, unroll=1):
    """A jitted function of run-major inputs (weights [R,...], coefficients [R,6]) -> (train, test) RMSE
    [R, epochs]; the run axis is sharded over `devices` host devices."""
    train = build_training(harness, activation, epsilon, variant, epochs, unroll)

    def per_device(kernel, recurrent, bias, dense_kernel, dense_bias, coefficients):
        params = to_engine_layout((kernel, recurrent, bias, dense_kernel, dense_bias))
        outputs = train(params, coefficients.T)
        return outputs["train_rmse"].T, outputs["test_rmse"].T

    mesh = Mesh(np.array(jax.devices()[:devices]), ("runs",))
    spec = PartitionSpec("runs")
    sharded = jax.shard_map(per_device, mesh=mesh, in_specs=(spec,) * 6, out_specs=(spec, spec))
    return jax.jit(sharded), mesh


# ----------------------------------------------------------------------------------------------
# Modes.

def default_data_path():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "shared", "data", "shampoo-sales.csv"))


def check_reference(path, data_path, variant):
    with open(path) as handle:
        dump = json.load(handle)
    sales = load_sales(data_path)
    harness = Harness(sales, lag=len(dump["train_scaled"][0]) - 1, batch=dump["batch_size"])
    train_rows, test_rows = np.array(dump["train_scaled"]), np.array(dump["test_scaled"])
    ours = np.concatenate([np.column_stack([harness.train["x"], harness.train["y"]]),
                           np.column_stack([harness.test["x"], harness.test["y"]])])
    data_deviation = float(np.max(np.abs(ours - np.concatenate([train_rows, test_rows]))))
    harness.train.update(x=train_rows[:, :-1], y=train_rows[:, -1])
    harness.test.update(x=test_rows[:, :-1], y=test_rows[:, -1])
    assert dump["units"] == UNITS and dump["batch_size"] == BATCH
    assert dump["learning_rate"] == LEARNING_RATE and dump["adam"]["beta_1"] == BETA1
    assert dump["adam"]["beta_2"] == BETA2
    if dump.get("activity_l1l2"):
        sys.exit("activity regularization is not implemented in this anchor")

    weights = [np.array(w, dtype=np.float64)[None] for w in dump["initial_weights"]]
    params = to_engine_layout(tuple(jnp.asarray(w) for w in weights))
    epochs = len(dump["epochs"])
    results = {}
    for rounding in ("float32", "float64"):
        def coefficient(value):
            return float(np.float32(value)) if rounding == "float32" else float(value)
        penalties = {"kernel": tuple(map(coefficient, dump["kernel_l1l2"])),
                     "recurrent": tuple(map(coefficient, dump["recurrent_l1l2"])),
                     "bias": tuple(map(coefficient, dump["bias_l1l2"]))}
        coefficients = jnp.asarray(coefficient_table([penalties]).T)
        train = jax.jit(build_training(harness, dump["recurrent_activation"], dump["adam"]["epsilon"], variant,
                                       epochs, record_loss=True, record_weights=True,
                                       return_test_predictions=True))
        outputs = jax.device_get(train(params, coefficients))
        weight_deviation = loss_deviation = 0.0
        for k, reference in enumerate(dump["epochs"]):
            ours = from_engine_layout(tuple(w[k] for w in outputs["weights"]))
            for mine, theirs in zip(ours, reference["weights"]):
                weight_deviation = max(weight_deviation, float(np.max(np.abs(mine[0] - np.array(theirs)))))
            loss_deviation = max(loss_deviation, abs(float(outputs["loss"][k][0]) - reference["loss"]))
        predictions = outputs["test_predictions"][-1][:, 0]
        prediction_deviation = float(np.max(np.abs(predictions - np.array(dump["test_predictions_scaled"]))))
        forecasts = (predictions - harness.target_offset) / harness.target_scale + harness.test["previous"]
        forecast_deviation = float(np.max(np.abs(forecasts - np.array(dump["test_forecasts"]))))
        rmse_deviation = abs(float(outputs["test_rmse"][-1][0]) - dump["test_rmse"])
        results[rounding] = (weight_deviation, loss_deviation, prediction_deviation, forecast_deviation,
                             rmse_deviation)
    print(f"reference: {path} (Keras {dump.get('keras_version')}, {dump['recurrent_activation']}, "
          f"eps {dump['adam']['epsilon']}, {epochs} epochs, kernel L1L2{tuple(dump['kernel_l1l2'])}, "
          f"recurrent L1L2{tuple(dump['recurrent_l1l2'])}, bias L1L2{tuple(dump['bias_l1l2'])}); "
          f"variant {variant}")
    print(f"data rows vs our harness: max |diff| {data_deviation:.3e}")
    for rounding, (w, l, p, f, r) in results.items():
        print(f"coefficients as {rounding}: max |dW| {w:.3e}, |d loss| {l:.3e}, |d test pred (scaled)| {p:.3e}, "
              f"|d forecast| {f:.3e}, |d test RMSE| {r:.3e}")
    worst = max(results["float32"][:3])
    print("PASS" if worst <= 1e-8 else "FAIL", f"(float32 coefficients, weights/losses/predictions: {worst:.3e} "
          "vs tolerance 1e-8)")
    return 0 if worst <= 1e-8 else 1


def run_study(args):
    activation, epsilon = PROFILES[args.profile]
    harness = Harness(load_sales(args.data or default_data_path()))
    configurations = study_configurations()
    labels, penalties = [], []
    for label, setting in configurations:
        for _ in range(args.repeats):
            labels.append(label)
            penalties.append(setting)
    runs = len(penalties)
    devices = min(args.devices, len(jax.devices()))
    padded = -(-runs // devices) * devices
    coefficients = coefficient_table(penalties + [{}] * (padded - runs))
    weights = keras_initial_weights(jax.random.PRNGKey(args.seed), padded)
    study, mesh = build_sharded_study(harness, activation, epsilon, args.variant, args.epochs, devices,
                                      args.unroll)
    sharding = jax.sharding.NamedSharding(mesh, PartitionSpec("runs"))
    inputs = [jax.device_put(w, sharding) for w in weights] + [jax.device_put(jnp.asarray(coefficients), sharding)]
    jax.block_until_ready(inputs)

    start = time.perf_counter()
    result = jax.block_until_ready(study(*inputs))
    compile_time = time.perf_counter() - start
    times = []
    for _ in range(args.samples):
        start = time.perf_counter()
        result = jax.block_until_ready(study(*inputs))
        times.append(time.perf_counter() - start)
    train_rmse, test_rmse = (np.asarray(r)[:runs] for r in result)

    print(f"JAX {jax.__version__}, {jax.devices()[0].platform} x{devices} devices, float64, profile {args.profile} "
          f"({activation}, Adam eps {epsilon:g}), variant {args.variant}, epoch-scan unroll {args.unroll}")
    print(f"runs: {runs} ({len(configurations)} configurations x {args.repeats} repeats), epochs: {args.epochs}")
    print(f"compile (first call incl. tracing + compilation): {compile_time:.3f} s")
    if times:
        print(f"steady state: median {statistics.median(times):.3f} s over {len(times)} calls "
              f"(min {min(times):.3f}, max {max(times):.3f})")
    print(f"persistence test RMSE: {harness.persistence_rmse():.3f}")
    print("mean final test RMSE per configuration (mean final train RMSE):")
    finite = np.isfinite(test_rmse[:, -1])
    for label, _ in configurations:
        rows = np.array([l == label for l in labels])
        print(f"  {label:28s} {np.mean(test_rmse[rows, -1]):8.3f}  ({np.mean(train_rmse[rows, -1]):.3f})")
    if not finite.all():
        print(f"non-finite final scores: {int((~finite).sum())}")
    return 0


def main():
    args = ARGS
    data_path = args.data or default_data_path()
    if args.check_reference:
        return check_reference(args.check_reference, data_path, args.variant)
    return run_study(args)


if __name__ == "__main__":
    sys.exit(main())
