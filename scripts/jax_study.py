#!/usr/bin/env python3
"""JAX speed anchor for LSTMLab's regularization study. Not part of the product: the product and
its tests neither need nor run it.

What it computes (SPEC.md §2, §3, §5): the study's 390 runs -- 13 configurations (the baseline
L1L2(0,0), and L1L2 (0,0), (0.01,0), (0,0.01), (0.01,0.01) on the LSTM bias, on the input kernel,
on the recurrent kernel) x 30 repeats -- of the shampoo-sales harness: differencing, lag-1
framing, [-1,1] min-max scaling fitted on the training rows, the training rows trimmed to 20, a
stateful LSTM(3) + Dense(1) trained with batch 4 and no shuffling, MSE + L1L2 penalties, Adam
(lr 1e-3), 1000 epochs with a state reset after each; after every epoch the train and the test
RMSE in sales units, each predicted from a reset state. float64 on the CPU, one jit-compiled
program: the runs are vectorised (the run axis is the minor axis of every array) and sharded
over the host's devices (one per core) with shard_map; `lax.scan` runs over the epochs. Initial
weights are Keras's initializers (Glorot-uniform kernels, orthogonal recurrent kernel, zero bias
with unit forget bias) drawn with JAX's PRNG, not the product's random numbers: the scores match
the product's in distribution, not run by run.

Profiles: keras2 = hard sigmoid clip(0.2x+0.5,0,1), Adam eps 1e-8; keras3 = logistic sigmoid,
Adam eps 1e-7.

Install and run (from the repository root; any Python >= 3.10 venv):

    python3 -m venv ~/jax-venv && ~/jax-venv/bin/pip install jax numpy
    ~/jax-venv/bin/python scripts/jax_study.py --profile keras2 --samples 5
    ~/jax-venv/bin/python scripts/jax_study.py --profile keras3 --samples 5
    ~/jax-venv/bin/python scripts/jax_study.py --check-reference ../shared/reference/keras-golden-3epochs.json

It prints the compile time (the first call, tracing and compilation included), the median
steady-state time of --samples further calls on the same inputs, the number of runs, and a
checksum: the mean (std) final test RMSE per configuration -- about 80-100 (persistence:
136.761). --check-reference replays a Keras dump (SPEC §7) from its initial weights and prints
the largest deviation of the per-epoch weights and losses and of the test predictions (with the
regularizer coefficients rounded to float32, as Keras does, and without).

Before importing JAX the script adds to XLA_FLAGS: --xla_force_host_platform_device_count=<CPU
count> (one device per core, the runs split between them) and, on AVX-512 machines,
--xla_cpu_prefer_vector_width=512 (--vector-width 256 keeps XLA's default). The runs of each device
are padded to a multiple of 8 (whole vectors); the padding runs are discarded.

Engine variants (--variant; all give the same numbers, see the measurements at the end):
  staged         (default) hand-written backward pass; intermediate values materialised at chosen
                 points with lax.optimization_barrier; slot sums written as adds; the parameters and
                 both Adam moments updated by one kernel; the 5 batches of an epoch unrolled.
  staged-scan    the same, with lax.scan over the batches of an epoch.
  staged-nobarrier / staged-reduce / staged-nostack   the staged engine without the barriers /
                 with jnp.sum for the slot sums / with separate parameter and moment updates.
  manual         a plain hand-written forward/backward on the same tensors, no barriers.
  manual-scan    the same, lax.scan over the batches.
  autodiff       jax.grad of the batch loss (summed over the runs, which are independent).
  autodiff-ckpt  the same under jax.checkpoint(policy=everything_saveable).
  autodiff-nothing  the same under jax.checkpoint(policy=nothing_saveable).
  scalar         every value a [runs] vector, slots/gates/units unrolled in Python.

Measurements (JAX/jaxlib 0.10.2, 2-core AVX-512 AMD EPYC, shared machine: runs taken while no other
job ran; 390 runs x 1000 epochs; "compile" is the first call, which also executes once):
  default (staged, vector width 512, 200 runs/device)  keras2: compile 1.3 s, steady 0.19 s
                                                       keras3: compile 1.4 s, steady 0.23 s
  staged with XLA's default vector width (256)         keras2 0.27 s, keras3 0.36 s
    ... and no padding (195 runs/device)                keras2 0.31 s, keras3 0.38 s
  Variants, keras2, width 512, median of 5 interleaved calls (keras3 in brackets):
    staged 0.19 [0.22]; staged with epoch-scan unroll 2 0.20; staged-scan 0.38 [0.53];
    staged-nobarrier 0.33; staged-reduce 0.27; staged-nostack 0.39; manual 0.65 [0.34];
    manual-scan 0.47; autodiff 0.63 [0.35]; autodiff-ckpt 0.45 [0.33]; autodiff-nothing 0.68;
    scalar 0.38 (compile 13 s).
  At width 256, keras2: staged 0.27, manual 0.80, autodiff 0.76, autodiff-ckpt 0.56, scalar 0.48.
All variants agree with each other to 3e-14 in RMSE, and --check-reference matches the Keras dump
to 5.6e-17 (2.4e-10 with float64 regularizer coefficients) with each of them.
"""

import argparse
import json
import os
import statistics
import sys
import time

VARIANTS = ["staged", "staged-scan", "staged-nobarrier", "staged-reduce", "staged-nostack", "manual",
            "manual-scan", "autodiff", "autodiff-ckpt", "autodiff-nothing", "scalar"]


def parse_arguments():
    parser = argparse.ArgumentParser(description="JAX speed anchor for LSTMLab's regularization study "
                                                 "(see the module docstring).")
    parser.add_argument("--profile", choices=["keras2", "keras3"], default="keras2")
    parser.add_argument("--epochs", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--samples", type=int, default=5, help="timed steady-state calls (the median is printed)")
    parser.add_argument("--seed", type=int, default=0, help="JAX PRNG seed of the initial weights")
    parser.add_argument("--devices", type=int, default=os.cpu_count() or 1,
                        help="host devices to shard the runs over (default: the CPU count)")
    parser.add_argument("--variant", choices=VARIANTS, default="staged")
    parser.add_argument("--unroll", type=int, default=1, help="unroll factor of the epoch scan")
    parser.add_argument("--lane-multiple", type=int, default=8,
                        help="pad the runs of each device to a multiple of this (default 8)")
    parser.add_argument("--vector-width", choices=["auto", "256", "512"], default="auto",
                        help="XLA's preferred vector width: auto = 512 on AVX-512 CPUs, else XLA's default")
    parser.add_argument("--data", default=None,
                        help="shampoo-sales.csv (default: ../../shared/data/ from this script)")
    parser.add_argument("--check-reference", metavar="PATH", default=None,
                        help="replay a Keras reference dump and report the deviations instead of timing")
    return parser.parse_args()


def has_avx512():
    try:
        with open("/proc/cpuinfo") as handle:
            return any(line.startswith("flags") and " avx512f" in line for line in handle)
    except OSError:
        return False


ARGS = parse_arguments() if __name__ == "__main__" else None
if ARGS is not None:
    flags = [os.environ.get("XLA_FLAGS", "")]
    if ARGS.check_reference is None:
        flags.append(f"--xla_force_host_platform_device_count={ARGS.devices}")
    if ARGS.vector_width == "512" or (ARGS.vector_width == "auto" and has_avx512()):
        flags.append("--xla_cpu_prefer_vector_width=512")
    os.environ["XLA_FLAGS"] = " ".join(flag for flag in flags if flag)

import numpy as np  # noqa: E402
import jax  # noqa: E402
import jax.numpy as jnp  # noqa: E402
from jax.sharding import Mesh, NamedSharding, PartitionSpec  # noqa: E402

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
    """The scaled supervised rows, and what turns scaled predictions into sales forecasts."""

    def __init__(self, sales, lag=LAG, test_size=TEST_SIZE, batch=BATCH):
        diff = sales[1:] - sales[:-1]
        rows = np.array([[diff[t - k] for k in range(1, lag + 1)] + [diff[t]] for t in range(lag, len(diff))])
        train_count = len(rows) - test_size
        low, high = rows[:train_count].min(axis=0), rows[:train_count].max(axis=0)
        span = np.where(high - low == 0, 1.0, high - low)
        self.scale = 2.0 / span                       # scikit-learn's MinMaxScaler(feature_range=(-1, 1))
        self.offset = -1.0 - low * self.scale
        scaled = rows * self.scale + self.offset
        trimmed = train_count % batch
        t_index = np.arange(len(rows)) + lag          # row r: target diff[t], forecasts sales[t+1] from sales[t]

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
# The study's configurations, Adam's step sizes, Keras's initial weights.

STUDY_SETTINGS = [(0.0, 0.0), (0.01, 0.0), (0.0, 0.01), (0.01, 0.01)]


def study_configurations():
    """(label, {kernel|recurrent|bias: (l1, l2)}) for the 13 configurations."""
    configurations = [("baseline L1L2(0.00,0.00)", {})]
    for place, tensor in (("bias", "bias"), ("input", "kernel"), ("recurrent", "recurrent")):
        for l1, l2 in STUDY_SETTINGS:
            configurations.append((f"{place} L1L2({l1:.2f},{l2:.2f})", {tensor: (l1, l2)}))
    return configurations


def coefficient_table(penalties_per_run):
    """[R, 6]: l1, l2 of the kernel, the recurrent kernel and the bias."""
    table = np.zeros((len(penalties_per_run), 6))
    for run, penalties in enumerate(penalties_per_run):
        for column, tensor in enumerate(("kernel", "recurrent", "bias")):
            table[run, 2 * column:2 * column + 2] = penalties.get(tensor, (0.0, 0.0))
    return table


def adam_step_sizes(count):
    """α_t = lr·√(1 − β2^t)/(1 − β1^t), t = 1…count, in float64."""
    t = np.arange(1, count + 1, dtype=np.float64)
    return LEARNING_RATE * np.sqrt(1.0 - BETA2 ** t) / (1.0 - BETA1 ** t)


def keras_initial_weights(key, runs, lag=LAG, units=UNITS):
    """Keras's defaults, with a leading run axis, in Keras's shapes: kernel Glorot-uniform (lag, 4u);
    recurrent kernel orthogonal (u, 4u) (QR of a standard normal (4u, u) matrix, columns times
    sign(diag R), transposed); bias 0 with the forget slice 1; Dense kernel Glorot-uniform (u, 1);
    Dense bias 0."""
    gates = 4 * units
    k_kernel, k_recurrent, k_dense = jax.random.split(key, 3)
    limit = np.sqrt(6.0 / (lag + gates))
    kernel = jax.random.uniform(k_kernel, (runs, lag, gates), minval=-limit, maxval=limit, dtype=jnp.float64)
    normal = jax.random.normal(k_recurrent, (runs, gates, units), dtype=jnp.float64)
    q, r = jnp.linalg.qr(normal)
    q = q * jnp.sign(jnp.diagonal(r, axis1=1, axis2=2))[:, None, :]
    recurrent = jnp.swapaxes(q, 1, 2)
    bias = jnp.zeros((runs, gates)).at[:, units:2 * units].set(1.0)
    limit = np.sqrt(6.0 / (units + 1))
    dense_kernel = jax.random.uniform(k_dense, (runs, units, 1), minval=-limit, maxval=limit, dtype=jnp.float64)
    dense_bias = jnp.zeros((runs, 1))
    return kernel, recurrent, bias, dense_kernel, dense_bias


def to_engine_layout(weights):
    """Keras shapes with a leading run axis -> (K [L,4,u,R], U [u,4,u,R], b [4,u,R], dk [u,R], db [R]):
    the run axis last, the gate axis (i, f, c, o) split from the unit axis."""
    kernel, recurrent, bias, dense_kernel, dense_bias = weights
    runs, lag, gates = kernel.shape
    units = gates // 4
    return (jnp.moveaxis(kernel.reshape(runs, lag, 4, units), 0, -1),
            jnp.moveaxis(recurrent.reshape(runs, units, 4, units), 0, -1),
            jnp.moveaxis(bias.reshape(runs, 4, units), 0, -1),
            jnp.moveaxis(dense_kernel.reshape(runs, units), 0, -1),
            dense_bias.reshape(runs))


def from_engine_layout(params):
    """The inverse of to_engine_layout, to numpy."""
    K, U, b, dk, db = (np.asarray(p) for p in params)
    lag, _, units, runs = K.shape
    return (np.moveaxis(K, -1, 0).reshape(runs, lag, 4 * units),
            np.moveaxis(U, -1, 0).reshape(runs, units, 4 * units),
            np.moveaxis(b, -1, 0).reshape(runs, 4 * units),
            np.moveaxis(dk, -1, 0).reshape(runs, units, 1),
            db.reshape(runs, 1))


class FlatLayout:
    """The parameters of one run as one vector, in the product's order: kernel [L x 4u], recurrent
    kernel [u x 4u], bias [4u] (gate-major columns), Dense kernel [u], Dense bias."""

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
        """engine tuple -> [P, R]."""
        runs = params[4].shape[-1]
        return jnp.concatenate([p.reshape(-1, runs) for p in params])

    def from_flat(self, flat):
        """[..., P, R] -> engine tuple (with the leading axes)."""
        lead, runs = flat.shape[:-2], flat.shape[-1]

        def part(start, stop, shape):
            return flat[..., start:stop, :].reshape(lead + shape + (runs,))
        return (part(self.kernel, self.recurrent, (self.lag, 4, self.units)),
                part(self.recurrent, self.bias, (self.units, 4, self.units)),
                part(self.bias, self.dense_kernel, (4, self.units)),
                part(self.dense_kernel, self.dense_bias, (self.units,)),
                flat[..., self.dense_bias, :])

    def coefficient_rows(self, coefficients):
        """[6, R] (l1K, l2K, l1U, l2U, l1b, l2b) -> the l1 and the l2 of every parameter row, [P, R] each."""
        runs = coefficients.shape[-1]

        def rows(kernel, recurrent, bias):
            return jnp.concatenate([jnp.broadcast_to(kernel, (self.recurrent - self.kernel, runs)),
                                    jnp.broadcast_to(recurrent, (self.bias - self.recurrent, runs)),
                                    jnp.broadcast_to(bias, (self.gates, runs)),
                                    jnp.zeros((self.units + 1, runs), coefficients.dtype)])
        return (rows(coefficients[0], coefficients[2], coefficients[4]),
                rows(coefficients[1], coefficients[3], coefficients[5]))


def epoch_shapes(harness):
    batches = len(harness.train["y"]) // BATCH
    test_batches = -(-len(harness.test["y"]) // BATCH)
    return batches, test_batches


# ----------------------------------------------------------------------------------------------
# The default engine, "staged". All arrays have the run axis last (elementwise work vectorised over
# the runs); the small axes (slots, gates, units) are handled with broadcasting and explicit adds, so
# there are no dots and no reduce ops. XLA's CPU fusion recomputes a producer inside every consumer
# kernel that needs it; here the values worth keeping are materialised with lax.optimization_barrier,
# so that one train step is a handful of loop kernels:
#   A  gate activations σ(z_i), σ(z_f), tanh(z_c), σ(z_o) [S,4,u,R], z = b + x K + h U inside;
#   B  c' and tanh(c') [2,S,u,R];
#   D  dL/dz [S,4,u,R] (h' = o tanh(c'), y and dL/dy recomputed inside: a few multiply-adds);
#   E  parameters and both Adam moments as one [3,P,R] array (the gradients -- sums over the 4 slots,
#      plus the penalties' l1 sign(W) + 2 l2 W -- in a kernel of their own before it).
# Evaluation is forward only (A and B per step; train and test rows side by side while both have
# batches left), then the RMSEs. The first batch of an epoch starts from the reset (zero) state,
# which is used to drop the h U, f c and dL/dU terms there (exact zeros).

def build_staged_epoch(harness, activation, epsilon, record_loss=False, record_weights=False,
                       return_test_predictions=False, barrier=True, explicit_sums=True, stack_barrier=True,
                       scan_batches=False):
    layout = FlatLayout(harness.lag, UNITS)
    units, lag = layout.units, layout.lag
    train, test = harness.train, harness.test
    batches, test_batches = epoch_shapes(harness)
    scale, offset = harness.target_scale, harness.target_offset
    hard = activation == "hard_sigmoid_0.2"
    stop = jax.lax.optimization_barrier if barrier else (lambda value: value)

    def slot_sum(values):
        """Sum over the leading axis: explicit adds of slices (elementwise, fused, vectorised along the
        runs) or a reduce op (handed to YNNPACK by XLA, or emitted as a scalar loop)."""
        if not explicit_sums:
            return jnp.sum(values, axis=0)
        total = values[0]
        for index in range(1, values.shape[0]):
            total = total + values[index]
        return total

    def sigma(z):
        if hard:
            return jnp.clip(0.2 * z + 0.5, 0.0, 1.0)
        return 0.5 + 0.5 * jnp.tanh(0.5 * z)

    def sigma_derivative(value):
        """σ'(z) from σ(z): 0.2 strictly inside the linear part of the hard sigmoid (0 < σ < 1 exactly
        when 0 < 0.2z + 0.5 < 1), σ(1 − σ) for the logistic."""
        if hard:
            return jnp.where((value > 0.0) & (value < 1.0), 0.2, 0.0)
        return value * (1.0 - value)

    def unpack(P):
        runs = P.shape[-1]
        return (P[layout.kernel:layout.recurrent].reshape(lag, 4, units, runs),
                P[layout.recurrent:layout.bias].reshape(units, 4, units, runs),
                P[layout.bias:layout.dense_kernel].reshape(4, units, runs),
                P[layout.dense_kernel:layout.dense_bias],
                P[layout.dense_bias])

    def activations(P, x, h):
        """Stage A. x [S, L] (numpy constants, or traced); h [S,u,R], or None for the reset state."""
        K, U, b, _, _ = unpack(P)
        z = b[None]
        for l in range(lag):
            z = z + jnp.asarray(x)[:, l, None, None, None] * K[l][None]
        if h is not None:
            for k in range(units):
                z = z + h[:, k][:, None, None, :] * U[k][None]
        return stop(jnp.concatenate([sigma(z[:, 0:2]), jnp.tanh(z[:, 2:3]), sigma(z[:, 3:4])], axis=1))

    def cell(acts, c):
        """Stage B: stack(c', tanh c') [2,S,u,R]; c None for the reset state."""
        i, f, g = acts[:, 0], acts[:, 1], acts[:, 2]
        c1 = i * g if c is None else f * c + i * g
        return stop(jnp.stack([c1, jnp.tanh(c1)]))

    def hidden(acts, state):
        return acts[:, 3] * state[1]

    def outputs_of(P, h1):
        _, _, _, dk, db = unpack(P)
        y = db[None]
        for j in range(units):
            y = y + h1[:, j] * dk[j][None]
        return y

    def train_batch(W, l1P, l2P, h, c, batch, alpha):
        P, m, v = W[0], W[1], W[2]
        if scan_batches:                                              # the batch index is traced
            x = jax.lax.dynamic_slice_in_dim(jnp.asarray(train["x"]), batch * BATCH, BATCH)
            t = jax.lax.dynamic_slice_in_dim(jnp.asarray(train["y"]), batch * BATCH, BATCH)
        else:
            x = train["x"][batch * BATCH:(batch + 1) * BATCH]
            t = jnp.asarray(train["y"][batch * BATCH:(batch + 1) * BATCH])
        acts = activations(P, x, h)
        state = cell(acts, c)
        h1 = hidden(acts, state)
        e = outputs_of(P, h1) - t[:, None]
        dy = (2.0 / BATCH) * e                                        # dL/dy [S,R]
        # Stage D.
        _, _, _, dk, _ = unpack(P)
        i, f, g, o = acts[:, 0], acts[:, 1], acts[:, 2], acts[:, 3]
        tc = state[1]
        dh = dy[:, None, :] * dk[None]                                # [S,u,R]
        dc = dh * o * (1.0 - tc * tc)
        dz = stop(jnp.stack([dc * g * sigma_derivative(i),
                             jnp.zeros_like(dc) if c is None else dc * c * sigma_derivative(f),
                             dc * i * (1.0 - g * g),
                             dh * tc * sigma_derivative(o)], axis=1))  # [S,4,u,R]
        # Stage E.
        runs = P.shape[-1]
        rows = [slot_sum(jnp.asarray(x)[:, l, None, None, None] * dz).reshape(-1, runs) for l in range(lag)]
        for k in range(units):
            rows.append(jnp.zeros((4 * units, runs), dz.dtype) if h is None
                        else slot_sum(h[:, k][:, None, None, :] * dz).reshape(-1, runs))
        rows.append(slot_sum(dz).reshape(-1, runs))
        rows.append(slot_sum(dy[:, None, :] * h1))
        rows.append(slot_sum(dy)[None])
        G = jnp.concatenate(rows) + l1P * jnp.sign(P) + 2.0 * l2P * P
        m = m + (G - m) * (1.0 - BETA1)
        v = v + (G * G - v) * (1.0 - BETA2)
        P_new = P - (m * alpha) / (jnp.sqrt(v) + epsilon)
        loss = None
        if record_loss:
            loss = slot_sum(e * e) / BATCH + jnp.sum(l1P * jnp.abs(P) + l2P * P * P, axis=0)
        W = jnp.stack([P_new, m, v])
        if stack_barrier:
            W = stop(W)                 # one kernel writes the parameters and both moments
        return W, h1, state[0], loss

    def evaluate(P):
        """Predictions of the train and the test rows, each from a reset state; their RMSEs."""
        n_train, n_test = len(train["y"]), len(test["y"])
        h = c = None
        train_h, test_h = [], []                                      # per step: (o, tanh c') [S,u,R]
        for step in range(max(batches, test_batches)):
            sides = [(side, store) for side, count, store in
                     ((train, batches, train_h), (test, test_batches, test_h)) if step < count]
            if h is not None and len(sides) == 1 and h.shape[0] == 2 * BATCH:
                keep = slice(0, BATCH) if sides[0][1] is train_h else slice(BATCH, 2 * BATCH)
                h, c = h[keep], c[keep]
            blocks = []
            for side, _ in sides:
                block = side["x"][step * BATCH:(step + 1) * BATCH]
                blocks.append(np.concatenate([block, np.zeros((BATCH - len(block), lag))]))
            acts = activations(P, np.concatenate(blocks), h)
            state = cell(acts, c)
            h, c = hidden(acts, state), state[0]
            for index, (_, store) in enumerate(sides):
                slots = slice(index * BATCH, (index + 1) * BATCH)
                store.append((acts[slots, 3], state[1][slots]))

        def rmse(stored, side, count):
            o = jnp.concatenate([pair[0] for pair in stored])[:count]
            tc = jnp.concatenate([pair[1] for pair in stored])[:count]
            predictions = outputs_of(P, o * tc)                        # [rows, R]
            forecasts = (predictions - offset) / scale + jnp.asarray(side["previous"])[:, None]
            errors = forecasts - jnp.asarray(side["observed"])[:, None]
            return jnp.sqrt(slot_sum(errors * errors) / count), predictions
        train_rmse, _ = rmse(train_h, train, n_train)
        test_rmse, test_predictions = rmse(test_h, test, n_test)
        return train_rmse, test_rmse, test_predictions

    def epoch(carry, alphas):
        W, l1P, l2P = carry
        losses = []
        if scan_batches:
            def body(state, inputs):
                W, h, c = state
                W, h, c, loss = train_batch(W, l1P, l2P, h, c, *inputs)
                return (W, h, c), loss
            zeros = jnp.broadcast_to(jnp.zeros_like(W[0, 0]), (BATCH, units, W.shape[-1]))
            (W, _, _), loss_stack = jax.lax.scan(body, (W, zeros, zeros), (jnp.arange(batches), alphas))
            losses = [loss_stack[index] for index in range(batches)] if record_loss else []
        else:
            h = c = None
            for batch in range(batches):
                W, h, c, loss = train_batch(W, l1P, l2P, h, c, batch, alphas[batch])
                losses.append(loss)
        train_rmse, test_rmse, test_predictions = evaluate(W[0])
        outputs = {"train_rmse": train_rmse, "test_rmse": test_rmse}
        if record_loss:
            outputs["loss"] = sum(losses[1:], losses[0]) / batches
        if record_weights:
            outputs["weights"] = W[0]
        if return_test_predictions:
            outputs["test_predictions"] = test_predictions
        return (W, l1P, l2P), outputs

    def initial_carry(params, coefficients):
        P = layout.to_flat(params)
        l1P, l2P = layout.coefficient_rows(coefficients)
        return (jnp.stack([P, jnp.zeros_like(P), jnp.zeros_like(P)]), l1P, l2P)

    return epoch, initial_carry, layout.from_flat


# ----------------------------------------------------------------------------------------------
# Alternative engines, kept to reproduce the comparison in the notes at the end.
#
# "manual" / "autodiff": the same tensors (engine tuple K, U, b, dk, db, run axis last), written
# plainly -- a forward cell, a hand-written backward (or jax.grad) and Adam per tensor -- and left to
# XLA's fusion heuristics.

def recurrent_activation(name):
    """σ(z) and σ'(z)."""
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
    """One timestep for S slots. x [S, L] (numpy); h, c [S,u,R]."""
    K, U, b, dk, db = params
    z = b[None]
    for l in range(K.shape[0]):
        z = z + jnp.asarray(x)[:, l, None, None, None] * K[l][None]
    for k in range(U.shape[0]):
        z = z + h[:, k, None, None, :] * U[k][None]
    si, dsi = sigma(z[:, 0])
    sf, dsf = sigma(z[:, 1])
    g = jnp.tanh(z[:, 2])
    so, dso = sigma(z[:, 3])
    c1 = sf * c + si * g
    tc = jnp.tanh(c1)
    h1 = so * tc
    y = db[None]
    for k in range(U.shape[0]):
        y = y + h1[:, k] * dk[k][None]
    return y, h1, c1, (si, dsi, sf, dsf, g, so, dso, tc)


def penalty_value(W, l1, l2, axes):
    # |W| as W·sign(W) with the sign held constant: autodiff then gives sign(W) with sign(0) = 0, as
    # TensorFlow's abs does (jnp.abs differentiates to +1 at 0, and the bias starts at exactly 0).
    return l1 * jnp.sum(W * jax.lax.stop_gradient(jnp.sign(W)), axis=axes) + l2 * jnp.sum(W * W, axis=axes)


def batch_loss_terms(params, coefficients, e):
    K, U, b, _, _ = params
    l1K, l2K, l1U, l2U, l1b, l2b = coefficients
    return (jnp.mean(e * e, axis=0) + penalty_value(K, l1K, l2K, (0, 1, 2))
            + penalty_value(U, l1U, l2U, (0, 1, 2)) + penalty_value(b, l1b, l2b, (0, 1)))


def manual_gradient(params, coefficients, x, t, h, c, sigma):
    K, U, b, dk, db = params
    l1K, l2K, l1U, l2U, l1b, l2b = coefficients
    y, h1, c1, (si, dsi, sf, dsf, g, so, dso, tc) = cell_forward(params, x, h, c, sigma)
    e = y - jnp.asarray(t)[:, None]
    dy = (2.0 / h.shape[0]) * e
    g_dk = jnp.sum(dy[:, None, :] * h1, axis=0)
    g_db = jnp.sum(dy, axis=0)
    dh = dy[:, None, :] * dk[None]
    dc = dh * so * (1.0 - tc * tc)
    dz = jnp.stack([dc * g * dsi, dc * c * dsf, dc * si * (1.0 - g * g), dh * tc * dso], axis=1)
    xs = jnp.asarray(x)
    g_K = jnp.stack([jnp.sum(xs[:, l, None, None, None] * dz, axis=0) for l in range(K.shape[0])])
    g_U = jnp.stack([jnp.sum(h[:, k, None, None, :] * dz, axis=0) for k in range(U.shape[0])])
    g_b = jnp.sum(dz, axis=0)
    g_K = g_K + l1K * jnp.sign(K) + 2.0 * l2K * K
    g_U = g_U + l1U * jnp.sign(U) + 2.0 * l2U * U
    g_b = g_b + l1b * jnp.sign(b) + 2.0 * l2b * b
    return (g_K, g_U, g_b, g_dk, g_db), h1, c1, e


def autodiff_gradient(params, coefficients, x, t, h, c, sigma, policy=None):
    """jax.grad of the batch loss summed over the runs (independent, so each run gets its own gradient)."""
    def total_loss(p):
        y, h1, c1, _ = cell_forward(p, x, h, c, sigma)
        e = y - jnp.asarray(t)[:, None]
        return jnp.sum(batch_loss_terms(p, coefficients, e)), (h1, c1, e)

    if policy is not None:
        total_loss = jax.checkpoint(total_loss, policy=policy)
    grads, (h1, c1, e) = jax.grad(total_loss, has_aux=True)(params)
    return grads, h1, c1, e


def build_direct_epoch(harness, activation, epsilon, variant, record_loss=False, record_weights=False,
                       return_test_predictions=False):
    sigma = recurrent_activation(activation)
    train, test = harness.train, harness.test
    batches, test_batches = epoch_shapes(harness)
    x_train = train["x"].reshape(batches, BATCH, -1)
    t_train = train["y"].reshape(batches, BATCH)
    scale, offset = harness.target_scale, harness.target_offset
    policy = {"autodiff-ckpt": jax.checkpoint_policies.everything_saveable,
              "autodiff-nothing": jax.checkpoint_policies.nothing_saveable}.get(variant)

    def train_batch(params, m, v, coefficients, h, c, x, t, alpha):
        if variant.startswith("autodiff"):
            grads, h1, c1, e = autodiff_gradient(params, coefficients, x, t, h, c, sigma, policy)
        else:
            grads, h1, c1, e = manual_gradient(params, coefficients, x, t, h, c, sigma)
        loss = batch_loss_terms(params, coefficients, e) if record_loss else None
        new_p, new_m, new_v = [], [], []
        for p, mi, vi, gi in zip(params, m, v, grads):
            mi = mi + (gi - mi) * (1.0 - BETA1)
            vi = vi + (gi * gi - vi) * (1.0 - BETA2)
            new_p.append(p - (mi * alpha) / (jnp.sqrt(vi) + epsilon))
            new_m.append(mi)
            new_v.append(vi)
        return tuple(new_p), tuple(new_m), tuple(new_v), h1, c1, loss

    def rmse(predictions, side):
        forecasts = (predictions - offset) / scale + side["previous"][:, None]
        errors = forecasts - side["observed"][:, None]
        return jnp.sqrt(jnp.mean(errors * errors, axis=0))

    def evaluate(params):
        zeros = jnp.broadcast_to(jnp.zeros_like(params[4]), (2 * BATCH, UNITS, params[4].shape[-1]))
        h = c = zeros
        train_out, test_out = [], []
        for step in range(max(batches, test_batches)):
            rows = []
            if step < batches:
                rows.append(train["x"][step * BATCH:(step + 1) * BATCH])
            if step < test_batches:
                block = test["x"][step * BATCH:(step + 1) * BATCH]
                rows.append(np.concatenate([block, np.zeros((BATCH - len(block), block.shape[1]))]))
            if step == batches or step == test_batches:
                keep = slice(0, BATCH) if step < batches else slice(BATCH, 2 * BATCH)
                h, c = h[keep], c[keep]
            y, h, c, _ = cell_forward(params, np.concatenate(rows), h, c, sigma)
            if step < batches and step < test_batches:
                train_out.append(y[:BATCH])
                test_out.append(y[BATCH:])
            elif step < batches:
                train_out.append(y)
            else:
                test_out.append(y)
        train_predictions = jnp.concatenate(train_out)[:len(train["y"])]
        test_predictions = jnp.concatenate(test_out)[:len(test["y"])]
        return rmse(train_predictions, train), rmse(test_predictions, test), test_predictions

    def epoch(carry, alphas):
        params, m, v, coefficients = carry
        h = c = jnp.broadcast_to(jnp.zeros_like(params[4]), (BATCH, UNITS, params[4].shape[-1]))
        losses = []
        if variant == "manual-scan":
            def body(state, inputs):
                params, m, v, h, c = state
                params, m, v, h, c, loss = train_batch(params, m, v, coefficients, h, c, *inputs)
                return (params, m, v, h, c), loss
            (params, m, v, h, c), loss_stack = jax.lax.scan(
                body, (params, m, v, h, c), (jnp.asarray(x_train), jnp.asarray(t_train), alphas))
            losses = [loss_stack[i] for i in range(batches)] if record_loss else []
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

    def initial_carry(params, coefficients):
        zeros = tuple(jnp.zeros_like(p) for p in params)
        return (params, zeros, zeros, tuple(coefficients[i] for i in range(6)))

    return epoch, initial_carry, lambda params: params


# "scalar": every value one [R] vector, slots/gates/units unrolled in Python (thousands of HLO ops;
# XLA splits them into hundreds of small kernels per epoch).

def scalar_forward(w, layout, x, h, c, sigma, keep_cache):
    """One slot, one timestep. w: P [R] rows; x: L floats; h, c: u [R] vectors or None (reset state)."""
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
    return y, h1, c1, ((i, di, f, df, g, o, do, tc) if keep_cache else None)


def build_scalar_epoch(harness, activation, epsilon, record_loss=False, record_weights=False,
                       return_test_predictions=False):
    layout = FlatLayout(harness.lag, UNITS)
    units, lag = layout.units, layout.lag
    sigma = recurrent_activation(activation)
    train, test = harness.train, harness.test
    batches, test_batches = epoch_shapes(harness)
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
            y, h1, c1, (i, di, f, df, g, o, do, tc) = scalar_forward(w, layout, x, hs, cs, sigma, True)
            e = y - float(train["y"][row])
            if record_loss:
                squared = e * e if squared is None else squared + e * e
            dy = (2.0 / BATCH) * e
            accumulate(layout.dense_bias, dy)
            for j in range(units):
                accumulate(layout.dense_kernel + j, dy * h1[j])
                dh = dy * w[layout.dense_kernel + j]
                dc = dh * o[j] * (1.0 - tc[j] * tc[j])
                dz = [dc * g[j] * di[j], None if cs is None else dc * cs[j] * df[j],
                      dc * i[j] * (1.0 - g[j] * g[j]), dh * tc[j] * do[j]]
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
        zero = jnp.zeros_like(P[0])
        G = jnp.stack([zero if value is None else value for value in grad])
        G = G + l1P * jnp.sign(P) + 2.0 * l2P * P
        loss = squared / BATCH + jnp.sum(l1P * jnp.abs(P) + l2P * P * P, axis=0) if record_loss else None
        m = m + (G - m) * (1.0 - BETA1)
        v = v + (G * G - v) * (1.0 - BETA2)
        P = P - (m * alpha) / (jnp.sqrt(v) + epsilon)
        return P, m, v, h_new, c_new, loss

    def side_rmse(predictions, side):
        total = None
        for row, prediction in enumerate(predictions):
            error = (prediction - offset) / scale + float(side["previous"][row]) - float(side["observed"][row])
            total = error * error if total is None else total + error * error
        return jnp.sqrt(total / len(predictions))

    def evaluate(P):
        w = [P[index] for index in range(layout.count)]
        predictions = {}
        for name, side, count in (("train", train, batches), ("test", test, test_batches)):
            h, c, out = [None] * BATCH, [None] * BATCH, []
            for row in range(len(side["y"])):
                s = row % BATCH
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

    def initial_carry(params, coefficients):
        P = layout.to_flat(params)
        l1P, l2P = layout.coefficient_rows(coefficients)
        return (P, jnp.zeros_like(P), jnp.zeros_like(P), l1P, l2P)

    return epoch, initial_carry, layout.from_flat


# ----------------------------------------------------------------------------------------------
# Training: lax.scan over the epochs.

def build_training(harness, activation, epsilon, variant, epochs, unroll=1, **record):
    """train(params (engine tuple, run axis last), coefficients [6, R]) -> per-epoch outputs
    {train_rmse, test_rmse [epochs, R], and what `record` asks for}."""
    if variant.startswith("staged"):
        epoch, initial_carry, to_params = build_staged_epoch(
            harness, activation, epsilon, barrier=variant != "staged-nobarrier",
            explicit_sums=variant != "staged-reduce", stack_barrier=variant != "staged-nostack",
            scan_batches=variant == "staged-scan", **record)
    elif variant == "scalar":
        epoch, initial_carry, to_params = build_scalar_epoch(harness, activation, epsilon, **record)
    else:
        epoch, initial_carry, to_params = build_direct_epoch(harness, activation, epsilon, variant, **record)
    batches, _ = epoch_shapes(harness)
    alphas = adam_step_sizes(epochs * batches).reshape(epochs, batches)

    def train(params, coefficients):
        _, outputs = jax.lax.scan(epoch, initial_carry(params, coefficients), jnp.asarray(alphas),
                                  unroll=unroll)
        if "weights" in outputs:
            outputs["weights"] = to_params(outputs["weights"])
        return outputs

    return train


def build_sharded_study(harness, activation, epsilon, variant, epochs, devices, unroll=1):
    """A jitted function of run-major inputs (the five Keras weight arrays [R, ...] and the
    coefficients [R, 6]) -> (train RMSE, test RMSE) [R, epochs], the run axis sharded over `devices`."""
    train = build_training(harness, activation, epsilon, variant, epochs, unroll)

    def per_device(kernel, recurrent, bias, dense_kernel, dense_bias, coefficients):
        params = to_engine_layout((kernel, recurrent, bias, dense_kernel, dense_bias))
        outputs = train(params, coefficients.T)
        return outputs["train_rmse"].T, outputs["test_rmse"].T

    mesh = Mesh(np.array(jax.devices()[:devices]), ("runs",))
    spec = PartitionSpec("runs")
    return jax.jit(jax.shard_map(per_device, mesh=mesh, in_specs=(spec,) * 6, out_specs=(spec, spec))), mesh


# ----------------------------------------------------------------------------------------------
# Modes.

def default_data_path():
    here = os.path.dirname(os.path.abspath(__file__))
    return os.path.normpath(os.path.join(here, "..", "..", "shared", "data", "shampoo-sales.csv"))


def check_reference(path, data_path, variant):
    """Replays a Keras dump (SPEC §7) with the engine `variant` on one device."""
    with open(path) as handle:
        dump = json.load(handle)
    if dump.get("activity_l1l2"):
        sys.exit("activity regularization is not implemented in this anchor")
    assert dump["units"] == UNITS and dump["batch_size"] == BATCH, "units 3, batch 4 only"
    assert (dump["learning_rate"], dump["adam"]["beta_1"], dump["adam"]["beta_2"]) == (LEARNING_RATE, BETA1, BETA2)
    sales = load_sales(data_path)
    harness = Harness(sales, lag=len(dump["train_scaled"][0]) - 1, batch=dump["batch_size"])
    train_rows, test_rows = np.array(dump["train_scaled"]), np.array(dump["test_scaled"])
    ours = np.concatenate([np.column_stack([harness.train["x"], harness.train["y"]]),
                           np.column_stack([harness.test["x"], harness.test["y"]])])
    data_deviation = float(np.max(np.abs(ours - np.concatenate([train_rows, test_rows]))))
    harness.train.update(x=train_rows[:, :-1], y=train_rows[:, -1])   # the dump's own rows
    harness.test.update(x=test_rows[:, :-1], y=test_rows[:, -1])

    params = to_engine_layout(tuple(jnp.asarray(np.array(w, dtype=np.float64)[None]) for w in dump["initial_weights"]))
    epochs = len(dump["epochs"])
    results = {}
    for rounding in ("float32", "float64"):
        def coefficient(value):
            return float(np.float32(value)) if rounding == "float32" else float(value)
        penalties = {tensor: tuple(map(coefficient, dump[key]))
                     for tensor, key in (("kernel", "kernel_l1l2"), ("recurrent", "recurrent_l1l2"),
                                         ("bias", "bias_l1l2"))}
        coefficients = jnp.asarray(coefficient_table([penalties]).T)
        train = jax.jit(build_training(harness, dump["recurrent_activation"], dump["adam"]["epsilon"], variant,
                                       epochs, record_loss=True, record_weights=True,
                                       return_test_predictions=True))
        outputs = jax.device_get(train(params, coefficients))
        weight_deviation = loss_deviation = 0.0
        for k, reference in enumerate(dump["epochs"]):
            mine = from_engine_layout(tuple(w[k] for w in outputs["weights"]))
            for ours_w, theirs in zip(mine, reference["weights"]):
                weight_deviation = max(weight_deviation, float(np.max(np.abs(ours_w[0] - np.array(theirs)))))
            loss_deviation = max(loss_deviation, abs(float(outputs["loss"][k][0]) - reference["loss"]))
        predictions = np.asarray(outputs["test_predictions"][-1])[:, 0]
        prediction_deviation = float(np.max(np.abs(predictions - np.array(dump["test_predictions_scaled"]))))
        forecasts = (predictions - harness.target_offset) / harness.target_scale + harness.test["previous"]
        forecast_deviation = float(np.max(np.abs(forecasts - np.array(dump["test_forecasts"]))))
        rmse_deviation = abs(float(outputs["test_rmse"][-1][0]) - dump["test_rmse"])
        results[rounding] = (weight_deviation, loss_deviation, prediction_deviation, forecast_deviation,
                             rmse_deviation)
    print(f"reference: {path} (Keras {dump.get('keras_version')}, {dump['recurrent_activation']}, "
          f"eps {dump['adam']['epsilon']:g}, {epochs} epochs, kernel L1L2{tuple(dump['kernel_l1l2'])}, "
          f"recurrent L1L2{tuple(dump['recurrent_l1l2'])}, bias L1L2{tuple(dump['bias_l1l2'])}); "
          f"variant {variant}")
    print(f"data rows, ours vs the dump's: max |diff| {data_deviation:.3e}")
    for rounding, (w, l, p, f, r) in results.items():
        print(f"coefficients as {rounding}: max |dW| {w:.3e}, |d loss| {l:.3e}, |d test prediction (scaled)| "
              f"{p:.3e}, |d forecast| {f:.3e}, |d test RMSE| {r:.3e}")
    worst = max(results["float32"][:3])
    verdict = "PASS" if worst <= 1e-8 else "FAIL"
    print(f"{verdict}: weights, losses and predictions within {worst:.3e} of the dump (tolerance 1e-8; "
          "regularizer coefficients rounded to float32 as Keras does)")
    return 0 if worst <= 1e-8 else 1


def run_study(args):
    activation, epsilon = PROFILES[args.profile]
    harness = Harness(load_sales(args.data or default_data_path()))
    configurations = study_configurations()
    labels, penalties = [], []
    for label, setting in configurations:
        labels += [label] * args.repeats
        penalties += [setting] * args.repeats
    runs = len(penalties)
    devices = min(args.devices, len(jax.devices()))
    per_device = -(-runs // devices)
    per_device = -(-per_device // args.lane_multiple) * args.lane_multiple
    padded = per_device * devices
    coefficients = coefficient_table(penalties + [{}] * (padded - runs))
    weights = keras_initial_weights(jax.random.PRNGKey(args.seed), padded)
    study, mesh = build_sharded_study(harness, activation, epsilon, args.variant, args.epochs, devices,
                                      args.unroll)
    sharding = NamedSharding(mesh, PartitionSpec("runs"))
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

    print(f"JAX {jax.__version__}, {devices} CPU devices, float64, XLA_FLAGS={os.environ.get('XLA_FLAGS', '')!r}")
    print(f"profile {args.profile} ({activation}, Adam eps {epsilon:g}), variant {args.variant}, "
          f"epoch-scan unroll {args.unroll}")
    print(f"runs: {runs} ({len(configurations)} configurations x {args.repeats} repeats; "
          f"{per_device} per device incl. padding), epochs: {args.epochs}")
    print(f"compile (first call, incl. tracing and compilation): {compile_time:.3f} s")
    if times:
        print(f"steady state: median {statistics.median(times):.3f} s of {len(times)} calls "
              f"(min {min(times):.3f}, max {max(times):.3f})")
    print(f"persistence test RMSE: {harness.persistence_rmse():.3f}")
    print("final test RMSE per configuration, mean (std) over the repeats; final train RMSE mean:")
    for label, _ in configurations:
        rows = np.array([l == label for l in labels])
        final = test_rmse[rows, -1]
        spread = f"{np.std(final, ddof=1):6.2f}" if len(final) > 1 else "   n/a"
        print(f"  {label:26s} {np.mean(final):8.3f} ({spread})   train {np.mean(train_rmse[rows, -1]):7.3f}")
    bad = int(np.sum(~np.isfinite(test_rmse[:, -1])))
    if bad:
        print(f"non-finite final scores: {bad}")
    return 0


def main():
    args = ARGS
    if args.check_reference:
        return check_reference(args.check_reference, args.data or default_data_path(), args.variant)
    return run_study(args)


if __name__ == "__main__":
    sys.exit(main())
