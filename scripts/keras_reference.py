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

and, when any study-family option is given, even at its default value
(``--dropout``, ``--recurrent-dropout``, ``--implementation``,
``--stateless``, ``--shuffle``, ``--forecast``, ``--seed-state``,
``--lag-as``), also ``lag_as, lag, dropout, recurrent_dropout, stateful,
shuffle, forecast, seed_state`` and, when used, ``permutations[epoch]`` (row
order fed) and ``mask_draw, masks[epoch][batch]{input, recurrent}`` (the
dropout masks Keras drew, 4 per kind in gate order i, f, c, o; a single
drawn mask is written 4 times).

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
   Dense(1)``, MSE loss, Adam (``--lag-as timesteps``: ``(batch, lag, 1)``,
   timestep k = input column k; ``--stateless``: ``stateful=False`` and any
   batch size);
7. per epoch: ``model.fit(..., epochs=1, batch_size=batch, shuffle=False)``
   then the LSTM state is reset; the epoch loss is the ``loss`` value of that
   fit's History (Keras's mean over the epoch's batches of MSE + penalties,
   each with the weights before the batch's update). ``--shuffle`` permutes
   the rows with numpy before each such fit. With dropout the model runs
   eagerly and the masks drawn in each training batch are recorded;
8. after the last epoch: predict the test rows from a reset state in batches
   of ``batch`` (stateful across batches), invert the target scaling and add
   back the previous observed sale; RMSE against the observed sales.
   ``--forecast walk-forward`` predicts one row per call instead (in a
   batch-1 twin of the model when ``batch`` > 1); ``--seed-state`` first
   predicts the training rows the same way, without a reset.

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

Examples::

    # hard sigmoid, input-weight L1L2 and a random initial bias
    scripts/keras_reference.py --recurrent-activation hard_sigmoid_0.2 \\
        --kernel-l1l2 0.01 0.01 --random-bias --seed 1 -o /tmp/dump.json
    # input and recurrent dropout, masks recorded per training batch
    scripts/keras_reference.py --dropout 0.4 --recurrent-dropout 0.2 \\
        -o /tmp/dropout.json
    # Keras 2 profile: 4 input masks, hard sigmoid, Adam epsilon 1e-8
    scripts/keras_reference.py --dropout 0.4 --implementation 1 \\
        --recurrent-activation hard_sigmoid_0.2 --epsilon 1e-8 -o /tmp/k2.json
    # stateless, rows shuffled each epoch
    scripts/keras_reference.py --stateless --shuffle --batch 1 --units 1 \\
        -o /tmp/stateless.json
    # batch 4 trained, state seeded with the training rows, then walk-forward
    scripts/keras_reference.py --forecast walk-forward --seed-state \\
        --units 1 -o /tmp/walk.json
    # three lagged differences as three timesteps of one feature
    scripts/keras_reference.py --lag 3 --lag-as timesteps --batch 1 \\
        --units 1 -o /tmp/timesteps.json

(run with ``/work/venv-keras/bin/python`` or any Python with Keras 3.)

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
EXAMPLES = "examples:" + __doc__[__doc__.index("Examples::") + 10:
                                  __doc__.index("Requirements:")].rstrip()
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


def prepare(sales, lag, test_size, batch, whole_test_batches=True):
    """Return (train_scaled_trimmed, test_scaled, scaler).

    ``whole_test_batches``: the test rows must fill whole batches (a stateful
    model predicting them in batches of ``batch``).
    """
    rows = frame(sales, lag)
    if test_size <= 0 or test_size >= len(rows):
        sys.exit(f"--test-size must be in 1..{len(rows) - 1}")
    train, test = rows[:-test_size], rows[-test_size:]
    scaler = MinMaxScaler().fit(train)
    train_s, test_s = scaler.transform(train), scaler.transform(test)
    train_s = train_s[len(train_s) % batch:]
    if len(train_s) == 0:
        sys.exit("no training rows left after trimming to a multiple of --batch")
    if whole_test_batches and len(test_s) % batch:
        sys.exit("--test-size must be a multiple of --batch (stateful "
                 "one-shot predict); allowed: --stateless or --forecast "
                 "walk-forward")
    return train_s, test_s, scaler


# --------------------------------------------------------------------------
# Keras model
# --------------------------------------------------------------------------

def input_shape(args):
    """(timesteps, features) of one input row: (1, lag) or (lag, 1)."""
    return (args.lag, 1) if args.lag_as == "timesteps" else (1, args.lag)


def build_model(args, keras, ops, batch):
    """Build and compile the LSTM -> Dense model for batches of ``batch`` rows.

    Stateful models have the fixed batch dimension ``batch``; stateless ones
    take any batch size.
    """
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

    stateful = not args.stateless
    inputs = keras.Input(
        batch_shape=(batch if stateful else None,) + input_shape(args))
    hidden = keras.layers.LSTM(
        args.units,
        stateful=stateful,
        dropout=args.dropout,
        recurrent_dropout=args.recurrent_dropout,
        implementation=args.implementation,
        # Keras 3.15's cuDNN-or-fallback path of implementation 1 fails on
        # its list of four input masks; the plain loop is the same math.
        use_cudnn="auto" if args.implementation == 2 else False,
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
    # Dropout masks are recorded from the eager tensors Keras draws.
    model.compile(loss="mean_squared_error", optimizer=optimizer,
                  jit_compile=args.jit_compile,
                  run_eagerly=uses_dropout(args))
    return model


def uses_dropout(args):
    """Whether the LSTM draws dropout masks in training."""
    return args.dropout > 0.0 or args.recurrent_dropout > 0.0


class MaskRecorder:
    """Records the dropout masks the LSTM cell draws, one set per layer call.

    Keras caches a cell's masks from their first request in a layer call
    (``get_dropout_mask``/``get_recurrent_dropout_mask``) until the layer
    resets them at the end of that call, so all timesteps of one training
    batch share them. The recorder keeps the masks drawn while ``active`` as
    numpy arrays: ``sets`` is one ``{"input", "recurrent"}`` dict per layer
    call, each entry None (not drawn), one array (implementation 2's single
    input mask) or a list of 4 arrays (gates i, f, c, o).
    """

    def __init__(self, cell):
        self.cell, self.active, self.sets, self.current = cell, False, [], {}
        self._wrap("get_dropout_mask", "_dropout_mask", "input")
        self._wrap("get_recurrent_dropout_mask", "_recurrent_dropout_mask",
                   "recurrent")
        reset = cell.reset_dropout_mask

        def reset_and_close():
            if self.current:
                self.sets.append(self.current)
                self.current = {}
            reset()
        cell.reset_dropout_mask = reset_and_close

    def _wrap(self, method, cache, kind):
        import tensorflow as tf
        cell, original = self.cell, getattr(self.cell, method)

        def wrapper(step_input):
            fresh = getattr(cell, cache, None) is None
            mask = original(step_input)
            # Symbolic calls (Keras building shapes) draw no values.
            if (self.active and fresh and mask is not None
                    and tf.executing_eagerly()):
                if kind in self.current:
                    sys.exit(f"internal: second {kind} mask in one call")
                self.current[kind] = (
                    [np.array(m, np.float64) for m in mask]
                    if isinstance(mask, (list, tuple))
                    else np.array(mask, np.float64))
            return mask
        setattr(cell, method, wrapper)


def mask_sets_json(args, sets, n_batches, batch):
    """Check the recorded mask sets and shape them as the dump's ``masks``.

    One set per training batch (``args.epochs * n_batches``), each mask of
    shape (batch, features) or (batch, units) with values 0 or 1/(1-rate).
    """
    expected = args.epochs * n_batches
    if len(sets) != expected:
        sys.exit(f"internal: {len(sets)} mask sets recorded, expected "
                 f"{expected} (epochs x batches)")
    features = input_shape(args)[1]
    plan = (("input", args.dropout, features),
            ("recurrent", args.recurrent_dropout, args.units))
    out = []
    for s in sets:
        entry = {}
        for kind, rate, width in plan:
            mask = s.get(kind)
            if (mask is None) != (rate == 0.0):
                sys.exit(f"internal: {kind} mask drawn: {mask is not None}, "
                         f"rate {rate}")
            if rate == 0.0:
                entry[kind] = None
                continue
            gates = mask if isinstance(mask, list) else [mask] * 4
            keep = 1.0 / (1.0 - rate)
            for g in gates:
                if g.shape != (batch, width):
                    sys.exit(f"internal: {kind} mask shape {g.shape}")
                if not np.all((g == 0.0) | (g == keep)):
                    sys.exit(f"internal: {kind} mask values not 0 or {keep}")
            entry[kind] = [as_list(g) for g in gates]
        out.append(entry)
    return [out[e * n_batches:(e + 1) * n_batches] for e in range(args.epochs)]


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


def forecast(args, keras, ops, model, x_seed, x_test):
    """Predict the test rows (scaled) in the ``--forecast`` mode.

    one-shot: from a reset state, (``--seed-state``: ``x_seed`` in batches of
    ``--batch``, then) ``x_test`` in batches of ``--batch``, the state
    carried across batches when stateful. walk-forward: the same rows one per
    predict call of batch size 1, state carried from call to call when
    stateful; a model trained with ``--batch`` > 1 is first copied into a
    batch-1 twin (same layers, same weights).
    """
    if args.forecast == "one-shot":
        reset_states(model)
        if args.seed_state:
            model.predict(x_seed, batch_size=args.batch, verbose=0)
        yhat = model.predict(x_test, batch_size=args.batch, verbose=0)[:, 0]
        reset_states(model)
        return yhat
    predictor = model
    if args.batch > 1:
        predictor = build_model(args, keras, ops, 1)
        predictor.set_weights(model.get_weights())
    reset_states(predictor)

    def one_by_one(x):
        return np.array([predictor.predict(x[i:i + 1], batch_size=1,
                                           verbose=0)[0, 0]
                         for i in range(len(x))], np.float64)
    if args.seed_state:
        one_by_one(x_seed)
    yhat = one_by_one(x_test)
    reset_states(predictor)
    return yhat


def run(args):
    import keras
    from keras import ops

    keras.config.set_floatx("float64")
    keras.utils.set_random_seed(args.seed)

    sales = load_sales(args.data)
    whole_test_batches = not args.stateless and args.forecast == "one-shot"
    train, test, scaler = prepare(sales, args.lag, args.test_size, args.batch,
                                  whole_test_batches)
    x_train = train[:, :-1].reshape((len(train),) + input_shape(args))
    y_train = train[:, -1:]
    x_test = test[:, :-1].reshape((len(test),) + input_shape(args))

    model = build_model(args, keras, ops, args.batch)
    weights0 = initial_weights(args, model)
    model.set_weights(weights0)
    reset_states(model)
    recorder = MaskRecorder(model.get_layer("lstm").cell)
    order_rng = np.random.default_rng(args.seed)

    epochs, permutations = [], []
    for epoch in range(1, args.epochs + 1):
        x_epoch, y_epoch = x_train, y_train
        if args.shuffle:
            order = order_rng.permutation(len(train))
            permutations.append([int(i) for i in order])
            x_epoch, y_epoch = x_train[order], y_train[order]
        recorder.active = True
        history = model.fit(x_epoch, y_epoch, epochs=1, batch_size=args.batch,
                            shuffle=False, verbose=0)
        recorder.active = False
        reset_states(model)
        epochs.append({
            "epoch": epoch,
            "loss": float(history.history["loss"][-1]),
            "weights": [as_list(w) for w in model.get_weights()],
        })

    yhat = forecast(args, keras, ops, model, x_train, x_test)
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
            f"lstm.kernel ({input_shape(args)[1]},4u) gates i,f,c,o",
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
    if args.study_options_given:
        dump.update(study_fields(args, model, recorder, permutations,
                                 len(train) // args.batch))
    text = json.dumps(dump, indent=1)
    if args.output == "-":
        print(text)
    else:
        with open(args.output, "w") as f:
            f.write(text)
        print(f"wrote {args.output}: losses "
              f"{[e['loss'] for e in epochs]}, test RMSE {rmse:.6f}",
              file=sys.stderr)


def study_fields(args, model, recorder, permutations, n_batches):
    """The dump fields of the study family's options (dump-format.md)."""
    fields = {
        "lag_as": args.lag_as,
        "lag": args.lag,
        "dropout": args.dropout,
        "recurrent_dropout": args.recurrent_dropout,
        "stateful": not args.stateless,
        "shuffle": args.shuffle,
        "forecast": args.forecast,
        "seed_state": args.seed_state,
    }
    if args.shuffle:
        fields["permutations"] = permutations
    if uses_dropout(args):
        per_gate = model.get_layer("lstm").cell.implementation == 1
        fields["mask_draw"] = "per-gate" if per_gate else "one"
        drawn = [m for s in recorder.sets for m in s.values()]
        if any(isinstance(m, list) != per_gate for m in drawn):
            sys.exit("internal: masks drawn do not match the implementation")
        fields["masks"] = mask_sets_json(args, recorder.sets, n_batches,
                                         args.batch)
    elif recorder.sets:
        sys.exit("internal: dropout masks drawn without dropout")
    return fields


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
    class Formatter(argparse.ArgumentDefaultsHelpFormatter,
                    argparse.RawDescriptionHelpFormatter):
        """Defaults in the option help, the epilog's examples as written."""

    p = argparse.ArgumentParser(
        description="Run the shampoo-sales LSTM harness in Keras 3 (float64) "
                    "and write a reference dump in the format of "
                    "keras-golden-3epochs.json.",
        epilog=EXAMPLES, formatter_class=Formatter)
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
    study = p.add_argument_group(
        "study family options",
        "Any of these given adds the fields lag_as, lag, dropout,\n"
        "recurrent_dropout, stateful, shuffle, forecast, seed_state and, when\n"
        "used, permutations, mask_draw and masks to the dump.")
    study.add_argument("--dropout", type=float, default=0.0, metavar="RATE",
                       help="LSTM input dropout rate in [0, 1): training "
                            "multiplies the inputs by masks of 0 or "
                            "1/(1-RATE), drawn once per batch; the masks are "
                            "recorded")
    study.add_argument("--recurrent-dropout", type=float, default=0.0,
                       metavar="RATE",
                       help="LSTM recurrent dropout rate in [0, 1): masks on "
                            "the previous output h, one per gate, drawn once "
                            "per batch and recorded (Keras then uses "
                            "implementation 1)")
    study.add_argument("--implementation", type=int, choices=[1, 2],
                       default=2,
                       help="Keras LSTM implementation: 2 = fused kernel and "
                            "one input dropout mask for all gates (Keras 3's "
                            "default); 1 = per-gate kernels and four input "
                            "masks (i, f, c, o), as Keras 2 drew them")
    study.add_argument("--stateless", action="store_true",
                       help="stateful=False: every batch starts from a zero "
                            "state, in training and predicting")
    study.add_argument("--shuffle", action="store_true",
                       help="feed the training rows in a new numpy "
                            "permutation (seeded by --seed) each epoch; the "
                            "permutations are recorded")
    study.add_argument("--forecast", choices=["one-shot", "walk-forward"],
                       default="one-shot",
                       help="one-shot: predict the test rows in batches of "
                            "--batch; walk-forward: one predict call of batch "
                            "size 1 per test row, state carried (a batch-1 "
                            "twin of the model when --batch > 1)")
    study.add_argument("--seed-state", action="store_true",
                       help="before the test forecast, predict the training "
                            "rows (in the --forecast mode) without a reset, "
                            "to seed the state")
    study.add_argument("--lag-as", choices=["features", "timesteps"],
                       default="features",
                       help="features: each row is 1 timestep of LAG "
                            "features; timesteps: LAG timesteps of 1 feature, "
                            "the most recent difference first")
    p.add_argument("--output", "-o", required=True,
                   help="output JSON file ('-' for standard output)")
    args = p.parse_args(argv)
    # argparse leaves attributes already in the namespace as they are unless
    # the option is given, so a second parse tells which study options were.
    study_dests = [a.dest for a in study._group_actions]
    given = p.parse_args(argv, argparse.Namespace(
        **{dest: None for dest in study_dests}))
    args.study_options_given = any(
        getattr(given, dest) is not None for dest in study_dests)
    for name in ("lag", "units", "batch", "epochs"):
        if getattr(args, name) < 1:
            p.error(f"--{name} must be at least 1")
    for name in ("dropout", "recurrent_dropout"):
        rate = getattr(args, name)
        if not 0.0 <= rate < 1.0:
            p.error(f"--{name.replace('_', '-')} {rate} is not a rate; "
                    "allowed: 0 <= RATE < 1")
    return args


if __name__ == "__main__":
    run(parse_args())
