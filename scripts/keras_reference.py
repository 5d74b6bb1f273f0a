#!/usr/bin/env python3
"""Write a Keras reference dump for LSTMLab's tests (see SPEC §2, §3, §7).

This script runs the shampoo-sales harness of the study with real Keras 3
(TensorFlow backend) in float64 for a few epochs and writes a JSON file with
exactly the fields of ``keras-golden-3epochs.json``:

``keras_version, dtype, units, batch_size, learning_rate, adam{beta_1,
beta_2, epsilon}, recurrent_activation, kernel_l1l2, recurrent_l1l2,
bias_l1l2, activity_l1l2, activity_note, weight_order, train_scaled,
test_scaled, initial_weights, epochs[{epoch, loss, weights}],
test_predictions_scaled, test_forecasts, test_rmse``

The harness (SPEC §2):

1. ``diff[t] = sales[t+1] - sales[t]``;
2. rows ``(diff[t-1], ..., diff[t-lag], diff[t])`` (most recent input first,
   target last), rows with missing inputs dropped;
3. the last ``--test-size`` rows are the test set;
4. min-max scaling to [-1, 1] per column, fitted on the training rows:
   ``(x - min) / (max - min) * 2 - 1``; inverse ``(y + 1) / 2 * (max - min)
   + min`` (see :class:`MinMaxScaler`);
5. the training rows are trimmed to a multiple of ``--batch`` by dropping the
   first rows;
6. ``Input(batch_shape=(batch, 1, lag)) -> LSTM(units, stateful=True) ->
   Dense(1)``, MSE loss, Adam;
7. per epoch: ``model.fit(..., epochs=1, batch_size=batch, shuffle=False)``
   then the LSTM state is reset; the epoch loss is the ``loss`` value of that
   fit's History (Keras's mean over the epoch's batches of MSE + penalties,
   each with the weights before the batch's update);
8. after the last epoch: predict the test rows from a reset state in batches
   of ``batch`` (stateful across batches), invert the target scaling and add
   back the previous observed sale; RMSE against the observed sales.

Float64 arithmetic, and two float32 roundings that stock Keras 3 does avoided:

* Adam: Keras computes ``ops.cast(self.beta_1, float64) ** step`` in the bias
  correction; for a Python float ``ops.cast`` (``tf.cast``) first makes a
  float32 tensor, so β1/β2 become 0.89999997.../0.99899995... there (but not
  in the m/v updates, where ``1 - beta`` is a Python float). We pass β1 and β2
  as float64 tensors, which ``ops.cast`` leaves untouched.
* Regularizers: ``keras.regularizers.L1L2`` multiplies by
  ``ops.cast(self.l1, x.dtype)``, the same float32 rounding of the
  coefficient. :class:`ExactL1L2` uses ``ops.convert_to_tensor(l1, float64)``
  instead, which is exact.

``--stock-betas`` and ``--stock-regularizers`` restore Keras's default
behaviour (useful only to reproduce an older dump bit for bit; the dump does
not record them, so do not use them for fixtures).

Example::

    /work/venv-keras/bin/python scripts/keras_reference.py \\
        --recurrent-activation hard_sigmoid_0.2 --kernel-l1l2 0.01 0.01 \\
        --random-bias --seed 1 --output /tmp/dump.json

Requirements: ``pip install tensorflow-cpu keras h5py numpy`` (Keras 3.x).
"""

import argparse
import csv
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.join(
    REPO_ROOT, "Sources", "TimeSeries", "Resources", "shampoo-sales.csv"
)
ACTIVITY_NOTE = "Keras 3 divides the activity penalty by the batch size"
RANDOM_BIAS_LIMIT = 0.1


# --------------------------------------------------------------------------
# Data harness (pure numpy)
# --------------------------------------------------------------------------

def load_sales(path):
    """Read the ``Sales`` column (second column) of the shampoo CSV."""
    with open(path, newline="") as f:
        reader = csv.reader(f)
        next(reader)  # header "Month","Sales"
        return np.array([float(row[1]) for row in reader if row], np.float64)


def frame(sales, lag):
    """Difference the series and frame it as supervised rows.

    Row t is (diff[t-1], diff[t-2], ..., diff[t-lag], diff[t]); rows whose
    inputs would fall before the start are dropped (35 - lag rows).
    """
    diff = sales[1:] - sales[:-1]
    rows = [[diff[t - k] for k in range(1, lag + 1)] + [diff[t]]
            for t in range(lag, len(diff))]
    return np.array(rows, np.float64)


class MinMaxScaler:
    """Min-max scaling to [lo, hi] per column (scikit-learn's MinMaxScaler).

    Uses the documented formula ``x_std = (x - min) / (max - min);
    x_scaled = x_std * (hi - lo) + lo`` and its inverse
    ``(y - lo) / (hi - lo) * (max - min) + min``, which is what produced the
    shared keras-golden-3epochs.json bit for bit (scikit-learn's own
    ``x * scale_ + min_`` differs in the last bit, e.g. 0.9999999999999998
    instead of 1.0 for the column maximum).
    """

    def __init__(self, lo=-1.0, hi=1.0):
        self.lo, self.hi = lo, hi

    def fit(self, x):
        self.data_min = x.min(axis=0)
        self.data_range = x.max(axis=0) - self.data_min
        self.data_range[self.data_range == 0.0] = 1.0
        return self

    def transform(self, x):
        x_std = (x - self.data_min) / self.data_range
        return x_std * (self.hi - self.lo) + self.lo

    def inverse_target(self, y):
        """Invert the scaling of the last (target) column."""
        y_std = (y - self.lo) / (self.hi - self.lo)
        return y_std * self.data_range[-1] + self.data_min[-1]


def prepare(sales, lag, test_size, batch):
    """Return (train_scaled_trimmed, test_scaled, scaler)."""
    rows = frame(sales, lag)
    if test_size <= 0 or test_size >= len(rows):
        sys.exit(f"--test-size must be in 1..{len(rows) - 1}")
    train, test = rows[:-test_size], rows[-test_size:]
    scaler = MinMaxScaler().fit(train)
    train_s, test_s = scaler.transform(train), scaler.transform(test)
    train_s = train_s[len(train_s) % batch:]
    if len(train_s) == 0:
        sys.exit("no training rows left after trimming to a multiple of --batch")
    if len(test_s) % batch:
        sys.exit("--test-size must be a multiple of --batch (stateful predict)")
    return train_s, test_s, scaler


# --------------------------------------------------------------------------
# Keras model
# --------------------------------------------------------------------------

def build_model(args, keras, ops):
    """Build and compile the stateful LSTM -> Dense model."""
    from keras import regularizers

    class ExactL1L2(regularizers.L1L2):
        """L1L2 whose coefficients are converted to the weight dtype exactly.

        Stock ``L1L2`` does ``ops.cast(self.l1, x.dtype)``, which rounds the
        Python float to float32 first. Penalty: l1*sum|x| + l2*sum(x^2).
        """

        def __call__(self, x):
            reg = ops.convert_to_tensor(0.0, dtype=x.dtype)
            if self.l1 != 0.0:
                reg += ops.convert_to_tensor(self.l1, dtype=x.dtype) * ops.sum(
                    ops.absolute(x))
            if self.l2 != 0.0:
                reg += ops.convert_to_tensor(self.l2, dtype=x.dtype) * ops.sum(
                    ops.square(x))
            return reg

    reg_cls = regularizers.L1L2 if args.stock_regularizers else ExactL1L2

    def reg(pair):
        return None if pair is None else reg_cls(l1=pair[0], l2=pair[1])

    if args.recurrent_activation == "sigmoid":
        rec_act = "sigmoid"
    else:
        def hard_sigmoid_02(x):
            """Keras 2.0-2.2 hard sigmoid: clip(0.2 x + 0.5, 0, 1)."""
            return ops.clip(0.2 * x + 0.5, 0.0, 1.0)
        rec_act = hard_sigmoid_02

    inputs = keras.Input(batch_shape=(args.batch, 1, args.lag))
    hidden = keras.layers.LSTM(
        args.units,
        stateful=True,
        recurrent_activation=rec_act,
        kernel_regularizer=reg(args.kernel_l1l2),
        recurrent_regularizer=reg(args.recurrent_l1l2),
        bias_regularizer=reg(args.bias_l1l2),
        activity_regularizer=reg(args.activity_l1l2),
        name="lstm",
    )(inputs)
    outputs = keras.layers.Dense(1, name="dense")(hidden)
    model = keras.Model(inputs, outputs)

    if args.stock_betas:
        beta_1, beta_2 = 0.9, 0.999
    else:
        beta_1 = ops.convert_to_tensor(0.9, dtype="float64")
        beta_2 = ops.convert_to_tensor(0.999, dtype="float64")
    optimizer = keras.optimizers.Adam(
        learning_rate=args.learning_rate, beta_1=beta_1, beta_2=beta_2,
        epsilon=args.epsilon)
    model.compile(loss="mean_squared_error", optimizer=optimizer,
                  jit_compile=args.jit_compile)
    return model


def initial_weights(args, model):
    """Return the initial weights as a list of float64 arrays."""
    if args.initial_weights:
        with open(args.initial_weights) as f:
            weights = [np.array(w, np.float64)
                       for w in json.load(f)["initial_weights"]]
        expected = [w.shape for w in model.get_weights()]
        got = [w.shape for w in weights]
        if got != expected:
            sys.exit(f"--initial-weights shapes {got} != model's {expected}")
        return weights
    # Keras's own initializers, seeded by keras.utils.set_random_seed(seed):
    # Glorot-uniform kernels, orthogonal recurrent kernel, unit forget bias.
    weights = [np.array(w, np.float64) for w in model.get_weights()]
    if args.random_bias:
        rng = np.random.default_rng(args.seed)
        weights[2] = rng.uniform(-RANDOM_BIAS_LIMIT, RANDOM_BIAS_LIMIT,
                                 size=weights[2].shape)
    return weights


def reset_states(model):
    for layer in model.layers:
        if hasattr(layer, "reset_state") and getattr(layer, "stateful", False):
            layer.reset_state()


def as_list(a):
    return np.asarray(a, np.float64).tolist()


def run(args):
    import keras
    from keras import ops

    keras.config.set_floatx("float64")
    keras.utils.set_random_seed(args.seed)

    sales = load_sales(args.data)
    train, test, scaler = prepare(sales, args.lag, args.test_size, args.batch)
    x_train = train[:, :-1].reshape(len(train), 1, args.lag)
    y_train = train[:, -1:]
    x_test = test[:, :-1].reshape(len(test), 1, args.lag)

    model = build_model(args, keras, ops)
    weights0 = initial_weights(args, model)
    model.set_weights(weights0)
    reset_states(model)

    epochs = []
    for epoch in range(1, args.epochs + 1):
        history = model.fit(x_train, y_train, epochs=1, batch_size=args.batch,
                            shuffle=False, verbose=0)
        reset_states(model)
        epochs.append({
            "epoch": epoch,
            "loss": float(history.history["loss"][-1]),
            "weights": [as_list(w) for w in model.get_weights()],
        })

    reset_states(model)
    yhat = model.predict(x_test, batch_size=args.batch, verbose=0)[:, 0]
    reset_states(model)
    n = len(test)
    forecasts = scaler.inverse_target(yhat) + sales[-n - 1:-1]
    rmse = float(np.sqrt(np.mean((sales[-n:] - forecasts) ** 2)))

    def pair(p):
        return None if p is None else [float(p[0]), float(p[1])]

    dump = {
        "keras_version": keras.__version__,
        "dtype": keras.config.floatx(),
        "units": args.units,
        "batch_size": args.batch,
        "learning_rate": args.learning_rate,
        "adam": {"beta_1": 0.9, "beta_2": 0.999, "epsilon": args.epsilon},
        "recurrent_activation": args.recurrent_activation,
        "kernel_l1l2": pair(args.kernel_l1l2) or [0.0, 0.0],
        "recurrent_l1l2": pair(args.recurrent_l1l2) or [0.0, 0.0],
        "bias_l1l2": pair(args.bias_l1l2) or [0.0, 0.0],
        "activity_l1l2": pair(args.activity_l1l2),
        "activity_note": ACTIVITY_NOTE,
        "weight_order": [
            f"lstm.kernel ({args.lag},4u) gates i,f,c,o",
            "lstm.recurrent_kernel (u,4u)",
            "lstm.bias (4u)",
            "dense.kernel (u,1)",
            "dense.bias (1)",
        ],
        "train_scaled": as_list(train),
        "test_scaled": as_list(test),
        "initial_weights": [as_list(w) for w in weights0],
        "epochs": epochs,
        "test_predictions_scaled": as_list(yhat),
        "test_forecasts": as_list(forecasts),
        "test_rmse": rmse,
    }
    text = json.dumps(dump, indent=1)
    if args.output == "-":
        print(text)
    else:
        with open(args.output, "w") as f:
            f.write(text)
        print(f"wrote {args.output}: losses "
              f"{[e['loss'] for e in epochs]}, test RMSE {rmse:.6f}",
              file=sys.stderr)


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def l1l2_pair(parser, name):
    parser.add_argument(
        f"--{name}-l1l2", nargs=2, type=float, metavar=("L1", "L2"),
        default=None,
        help=f"L1L2(L1, L2) penalty on the LSTM {name.replace('-', ' ')} "
             "weights: adds L1*sum|W| + L2*sum(W^2) to every batch loss "
             "(not divided by the batch size). Default: none (recorded as "
             "[0.0, 0.0]).")


def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Run the shampoo-sales LSTM harness in Keras 3 (float64) "
                    "and write a reference dump in the format of "
                    "keras-golden-3epochs.json.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--data", default=DEFAULT_DATA,
                   help="shampoo sales CSV (header \"Month\",\"Sales\"); "
                        "default is the copy shipped in the repository")
    p.add_argument("--lag", type=int, default=1,
                   help="number of lagged differences used as inputs")
    p.add_argument("--units", type=int, default=3, help="LSTM units")
    p.add_argument("--batch", type=int, default=4,
                   help="batch size (also the stateful batch dimension)")
    p.add_argument("--epochs", type=int, default=3,
                   help="training epochs (one model.fit call each)")
    p.add_argument("--test-size", type=int, default=12,
                   help="number of final supervised rows held out for test")
    p.add_argument("--recurrent-activation", default="sigmoid",
                   choices=["sigmoid", "hard_sigmoid_0.2"],
                   help="LSTM gate activation: logistic sigmoid, or "
                        "clip(0.2x+0.5, 0, 1) (Keras 2.0-2.2's hard sigmoid, "
                        "NOT Keras 3's built-in x/6+0.5)")
    p.add_argument("--epsilon", type=float, default=1e-7, help="Adam epsilon")
    p.add_argument("--learning-rate", type=float, default=0.001,
                   help="Adam learning rate")
    l1l2_pair(p, "kernel")
    l1l2_pair(p, "recurrent")
    l1l2_pair(p, "bias")
    p.add_argument("--activity-l1l2", nargs=2, type=float, metavar=("L1", "L2"),
                   default=None,
                   help="L1L2 activity regularizer on the LSTM output h "
                        "(Keras 3 divides this penalty by the batch size). "
                        "Default: none (recorded as null)")
    p.add_argument("--seed", type=int, default=1,
                   help="seed for keras.utils.set_random_seed (initial "
                        "weights) and for --random-bias")
    p.add_argument("--random-bias", action="store_true",
                   help="replace the whole initial LSTM bias (forget slice "
                        f"included) with uniform(-{RANDOM_BIAS_LIMIT}, "
                        f"{RANDOM_BIAS_LIMIT}) values so that bias gradients "
                        "and bias penalties are exercised")
    p.add_argument("--initial-weights", metavar="DUMP.json", default=None,
                   help="take the initial weights from the initial_weights "
                        "field of an existing dump instead of --seed / "
                        "--random-bias (for cross-checking dumps)")
    p.add_argument("--stock-betas", action="store_true",
                   help="pass beta_1/beta_2 as Python floats, so Keras rounds "
                        "them to float32 in the bias correction (diagnostic "
                        "only; the dump does not record it)")
    p.add_argument("--stock-regularizers", action="store_true",
                   help="use keras.regularizers.L1L2, which rounds the "
                        "coefficients to float32 (diagnostic only; this is "
                        "how the shared keras-golden-3epochs.json was made)")
    p.add_argument("--jit-compile", action="store_true",
                   help="let Keras/TensorFlow compile the train step with XLA "
                        "(default: off, op-by-op float64)")
    p.add_argument("--output", "-o", required=True,
                   help="output JSON file ('-' for standard output)")
    args = p.parse_args(argv)
    for name in ("lag", "units", "batch", "epochs"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be at least 1")
    return args


if __name__ == "__main__":
    run(parse_args())
