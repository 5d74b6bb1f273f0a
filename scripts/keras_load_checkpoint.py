#!/usr/bin/env python3
"""Load an LSTMLab checkpoint with stock Keras 3 and forecast the test months.

An LSTMLab checkpoint (``<archive>.checkpoints/<experiment>/<run-id>.h5``) is an HDF5
file in the legacy Keras weights layout (SPEC §6): root attributes
``layer_names``, ``backend`` and ``keras_version``, one group per layer with a
``weight_names`` attribute and a dataset at each of those names. Beside it,
ignored by Keras, the group ``lstmlab`` holds the run's ``metadata`` (JSON
attribute with the ``configuration``: ``training.lag``, ``units``, ``batchSize``,
``testSize``, ``profile`` ...) and the fitted scaler (``lstmlab/scaler``, rows
minimums, maximums, scales, offsets); checkpoints of lstmlab 0.1 (separate
attributes, ``lstmlab/scaler/{minimums, ...}``) are read too.

This script checks that the file really is readable by Keras:

1. it reads the configuration and the scaler from the ``lstmlab`` group;
2. it builds, in float64::

       keras.Sequential([
           keras.Input(batch_shape=(batch, 1, lag)),
           keras.layers.LSTM(units, stateful=True,
                             recurrent_activation=σ),
           keras.layers.Dense(1)])

   with σ the logistic sigmoid for the ``keras3`` profile and the Keras
   2.0-2.2 hard sigmoid ``clip(0.2 x + 0.5, 0, 1)`` for the ``keras2``
   profile (not Keras 3's built-in ``hard_sigmoid``, which is ``x/6 + 0.5``);
3. it calls ``model.load_weights(checkpoint)`` -- Keras's own legacy ``.h5``
   loader (``keras/src/legacy/saving/legacy_h5_format.py``), no weights are
   set by hand;
4. it frames the data as SPEC §2 (difference; rows ``(diff[t-1], ...,
   diff[t-lag], diff[t])``; the last ``testSize`` rows are the test set),
   scales it with the checkpoint's stored scaler (``x * scales + offsets``),
   predicts the test rows from a reset state in batches of ``batch``
   (stateful across batches), inverts the target scaling
   (``(y - offsets[-1]) / scales[-1]``) and adds back the previous observed
   value;
5. it prints the forecasts as JSON and, with ``--compare``, compares them with
   the output of ``lstmlab forecast RUN --format json`` (field
   ``testMonths[].forecast``), printing the largest absolute difference and
   exiting with status 1 when it exceeds ``--tolerance``.

Example::

    lstmlab forecast 1 --format json --archive runs/archive.sqlite > /tmp/f1.json
    /work/venv-keras/bin/python scripts/keras_load_checkpoint.py \\
        runs/checkpoints/input-keras2/1.h5 --compare /tmp/f1.json

Exit status: 0 on success (and agreement within the tolerance), 1 when the
comparison exceeds the tolerance, 2 on usage or input errors.

Requirements: Keras 3.x with the TensorFlow (or another) backend, h5py, numpy.
"""

import argparse
import csv
import json
import math
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_DATA = os.path.join(
    REPO_ROOT, "Sources", "TimeSeries", "Resources", "shampoo-sales.csv"
)
PROFILES = ("keras2", "keras3")


def fail(message):
    """Print an error and exit with status 2."""
    print(f"keras_load_checkpoint: error: {message}", file=sys.stderr)
    sys.exit(2)


# --------------------------------------------------------------------------
# Checkpoint metadata (h5py only)
# --------------------------------------------------------------------------

def _text(value):
    """Decode an HDF5 string attribute (bytes or str) to str."""
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode("utf8")
    return str(value)


def read_metadata(path):
    """Return (configuration dict, scaler dict, run info) from ``lstmlab``."""
    import h5py

    try:
        f = h5py.File(path, "r")
    except OSError as error:
        fail(f"cannot open {path} as HDF5: {error}")
    with f:
        if "lstmlab" not in f:
            fail(f"{path} has no 'lstmlab' group (not an LSTMLab checkpoint)")
        group = f["lstmlab"]
        names = ("minimums", "maximums", "scales", "offsets")
        info = {}
        if "metadata" in group.attrs:
            # lstmlab 0.2: one JSON attribute, and the scaler as a (4, lag + 1) dataset.
            metadata = json.loads(_text(group.attrs["metadata"]))
            configuration = metadata["configuration"]
            if "scaler" not in group:
                fail(f"{path}: missing dataset lstmlab/scaler")
            rows = np.asarray(group["scaler"], np.float64)
            scaler = {name: rows[index] for index, name in enumerate(names)}
            for name in ("run_id", "experiment", "configuration_label", "epochs", "product_version",
                         "numerics_version"):
                if name in metadata:
                    info[name] = metadata[name]
        else:
            # lstmlab 0.1: separate attributes, and lstmlab/scaler/{minimums, maximums, scales, offsets}.
            if "configuration" not in group.attrs:
                fail(f"{path}: lstmlab group has neither a 'metadata' nor a 'configuration' attribute")
            configuration = json.loads(_text(group.attrs["configuration"]))
            scaler = {}
            for name in names:
                key = f"scaler/{name}"
                if key not in group:
                    fail(f"{path}: missing dataset lstmlab/{key}")
                scaler[name] = np.asarray(group[key], np.float64)
            for name in ("run_id", "experiment", "configuration_label", "epochs",
                         "product_version"):
                if name in group.attrs:
                    value = group.attrs[name]
                    info[name] = (int(value) if np.issubdtype(
                        np.asarray(value).dtype, np.integer) else _text(value))
        info["keras_version_attr"] = _text(f.attrs.get("keras_version", ""))
        info["backend_attr"] = _text(f.attrs.get("backend", ""))
    return configuration, scaler, info


def training_settings(configuration):
    """Extract lag, units, batch size, test size and profile, and the study
    family's settings (``training.family``: absent for the seed study's runs):
    stateful, forecast mode, state seeding, lag as features or timesteps and
    the training rows kept."""
    try:
        training = configuration["training"]
        family = training.get("family", {})
        settings = {
            "lag": int(training["lag"]),
            "units": int(training["units"]),
            "batch": int(training["batchSize"]),
            "test_size": int(training.get("testSize", 12)),
            "profile": str(training.get("profile", "keras2")),
            "stateful": bool(family.get("stateful", True)),
            "walk_forward": family.get("forecast", "one-shot") == "walk-forward",
            "seed_state": bool(family.get("seed-state", False)),
            "timesteps": family.get("lag-as", "features") == "timesteps",
            "train_rows": int(family.get("train-rows", 0)),
            "skip_rows": int(family.get("skip-rows", 0)),
            "zero_pad": bool(family.get("zero-pad", False)),
        }
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        fail(f"configuration JSON lacks training.{error}")
    if settings["profile"] not in PROFILES:
        fail(f"unknown profile {settings['profile']!r} (expected one of "
             f"{', '.join(PROFILES)})")
    return settings


# --------------------------------------------------------------------------
# Data harness (SPEC §2, pure numpy)
# --------------------------------------------------------------------------

def _is_number(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def load_series(path, column):
    """Read one numeric column of a CSV; return (labels, values).

    The first row is a header when its selected cell is not a number.
    ``column`` is a header name, a 0-based index, or None for the last
    column. Labels are the first column's cells (or the row numbers when the
    series itself is the first column).
    """
    try:
        with open(path, newline="") as f:
            rows = [row for row in csv.reader(f) if row]
    except OSError as error:
        fail(f"cannot read {path}: {error}")
    if not rows:
        fail(f"{path} is empty")
    header = None
    width = len(rows[0])
    if column is None:
        index = width - 1
    elif column.lstrip("-").isdigit():
        index = int(column)
    else:
        index = None
    if index is None or not _is_number(rows[0][index]):
        header, rows = rows[0], rows[1:]
    if index is None:
        if column not in header:
            fail(f"{path}: no column named {column!r} (header {header})")
        index = header.index(column)
    try:
        values = np.array([float(row[index]) for row in rows], np.float64)
    except (IndexError, ValueError) as error:
        fail(f"{path}: column {index} is not numeric throughout: {error}")
    labels = ([row[0] for row in rows] if index != 0
              else [str(i + 1) for i in range(len(rows))])
    return labels, values


def frame(series, lag, zero_pad=False):
    """Difference and frame: row t = (diff[t-1], ..., diff[t-lag], diff[t]);
    with ``zero_pad`` the first ``lag`` months too, missing differences 0."""
    diff = series[1:] - series[:-1]
    rows = [[diff[t - k] if t >= k else 0.0 for k in range(1, lag + 1)] + [diff[t]]
            for t in range(0 if zero_pad else lag, len(diff))]
    return np.array(rows, np.float64).reshape(-1, lag + 1)


def check_scaler(rows, test_size, scaler, train_rows=0):
    """Warn when the stored scaler is not the one fitted on these data."""
    train = rows[:-test_size]
    if train_rows:
        train = train[-train_rows:]
    minimums, maximums = train.min(axis=0), train.max(axis=0)
    if (len(scaler["minimums"]) != rows.shape[1]
            or not np.array_equal(minimums, scaler["minimums"])
            or not np.array_equal(maximums, scaler["maximums"])):
        print("keras_load_checkpoint: warning: the checkpoint's scaler "
              f"(min {scaler['minimums'].tolist()}, max "
              f"{scaler['maximums'].tolist()}) was not fitted on these "
              f"training rows (min {minimums.tolist()}, max "
              f"{maximums.tolist()}); using the stored scaler anyway",
              file=sys.stderr)


# --------------------------------------------------------------------------
# Keras
# --------------------------------------------------------------------------

def build_model(settings, batch):
    """Build the float64 LSTM -> Dense model of the run, for ``batch`` rows
    per call (dropout is a training setting: it is not applied when
    predicting, so the model has none)."""
    import keras
    from keras import ops

    keras.config.set_floatx("float64")
    if settings["profile"] == "keras3":
        recurrent_activation = "sigmoid"
    else:
        def hard_sigmoid_02(x):
            """Keras 2.0-2.2 hard sigmoid: clip(0.2 x + 0.5, 0, 1)."""
            return ops.clip(0.2 * x + 0.5, 0.0, 1.0)
        recurrent_activation = hard_sigmoid_02
    model = keras.Sequential([
        keras.Input(batch_shape=(batch,) + sample_shape(settings)),
        keras.layers.LSTM(settings["units"], stateful=settings["stateful"],
                          recurrent_activation=recurrent_activation),
        keras.layers.Dense(1),
    ])
    return keras, model


def sample_shape(settings):
    """(1, lag) for lag as features, (lag, 1) for lag as timesteps."""
    lag = settings["lag"]
    return (lag, 1) if settings["timesteps"] else (1, lag)


def reset_states(model):
    for layer in model.layers:
        if getattr(layer, "stateful", False) and hasattr(layer, "reset_state"):
            layer.reset_state()


def predict_stateful(model, x, batch, seed=None):
    """Predict ``x`` from a reset state (or from the state the rows ``seed``
    leave), ``batch`` rows at a time, in order."""
    reset_states(model)
    if seed is not None:
        for i in range(0, len(seed), batch):
            model.predict_on_batch(seed[i:i + batch])
    out = [np.asarray(model.predict_on_batch(x[i:i + batch]), np.float64)
           for i in range(0, len(x), batch)]
    reset_states(model)
    return np.concatenate(out)[:, 0]


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------

def load_reference(path):
    """Return the test forecasts (and months) of an ``lstmlab forecast`` JSON."""
    try:
        if path == "-":
            data = json.load(sys.stdin)
        else:
            with open(path) as f:
                data = json.load(f)
    except (OSError, ValueError) as error:
        fail(f"cannot read --compare file {path}: {error}")
    try:
        months = data["testMonths"]
        return ([float(m["forecast"]) for m in months],
                [m.get("month") for m in months], data)
    except (KeyError, TypeError) as error:
        fail(f"{path} is not `lstmlab forecast --format json` output "
             f"(missing {error})")


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def parse_args(argv=None):
    p = argparse.ArgumentParser(
        description="Load an LSTMLab HDF5 checkpoint with stock Keras 3 "
                    "(model.load_weights on the legacy .h5 layout), forecast "
                    "the test months exactly as SPEC §2 and print them as "
                    "JSON; optionally compare with `lstmlab forecast RUN "
                    "--format json`.",
        epilog="Exit status: 0 on success, 1 when --compare exceeds "
               "--tolerance, 2 on usage or input errors.")
    p.add_argument("checkpoint",
                   help="the run's checkpoint, "
                        "checkpoints/<experiment>/<run-id>.h5 beside the "
                        "archive (must end in .h5 or .hdf5 for Keras to use "
                        "its legacy HDF5 loader)")
    p.add_argument("--data", default=DEFAULT_DATA,
                   help="CSV file holding the series the run was trained on "
                        "(default: the shampoo sales shipped in the "
                        "repository, found relative to this script)")
    p.add_argument("--column", default=None,
                   help="column of the series, by header name or 0-based "
                        "index (default: the last column)")
    p.add_argument("--compare", metavar="FORECAST.json", default=None,
                   help="output of `lstmlab forecast RUN --format json` "
                        "('-' for standard input): print the largest absolute "
                        "difference of the test forecasts and exit 1 when it "
                        "exceeds --tolerance")
    p.add_argument("--tolerance", type=float, default=1e-9,
                   help="largest accepted absolute difference (sales units) "
                        "for --compare (default: 1e-9)")
    p.add_argument("--output", "-o", default="-",
                   help="where to write the JSON forecasts ('-' for standard "
                        "output, the default)")
    args = p.parse_args(argv)
    if not args.checkpoint.endswith((".h5", ".hdf5")):
        p.error("the checkpoint path must end in .h5 or .hdf5 (Keras picks "
                "its loader by extension)")
    if not os.path.isfile(args.checkpoint):
        p.error(f"no such file: {args.checkpoint}")
    if args.tolerance < 0 or math.isnan(args.tolerance):
        p.error("--tolerance must be a non-negative number")
    return args


def main(argv=None):
    args = parse_args(argv)
    configuration, scaler, info = read_metadata(args.checkpoint)
    settings = training_settings(configuration)
    lag, batch, test_size = settings["lag"], settings["batch"], settings["test_size"]

    labels, series = load_series(args.data, args.column)
    rows = frame(series, lag, settings["zero_pad"])
    if not 0 < test_size < len(rows):
        fail(f"testSize {test_size} does not fit {len(rows)} framed rows")
    # Walk-forward forecasts predict one row per call, with a batch-1 twin.
    calls = 1 if settings["walk_forward"] else batch
    if test_size % calls:
        fail(f"testSize {test_size} is not a multiple of the batch size "
             f"{batch}: a stateful Keras model cannot predict a partial batch")
    if len(scaler["scales"]) != lag + 1:
        fail(f"stored scaler has {len(scaler['scales'])} columns, expected "
             f"{lag + 1} (lag {lag} + target)")
    check_scaler(rows, test_size, scaler, settings["train_rows"])

    test = rows[-test_size:]
    scaled = test * scaler["scales"] + scaler["offsets"]
    x_test = scaled[:, :-1].reshape((test_size,) + sample_shape(settings))
    seed = None
    if settings["seed_state"]:
        # The training rows the run kept: the last train-rows (0: all), less
        # the first skip-rows, trimmed to a multiple of the batch.
        train = rows[:-test_size]
        if settings["train_rows"]:
            train = train[-settings["train_rows"]:]
        train = train[settings["skip_rows"]:]
        train = train[len(train) % batch:]
        seed = (train * scaler["scales"] + scaler["offsets"])[:, :-1]
        seed = seed.reshape((len(seed),) + sample_shape(settings))

    keras, model = build_model(settings, calls)
    model.load_weights(args.checkpoint)

    yhat = predict_stateful(model, x_test, calls, seed)
    unscaled = (yhat - scaler["offsets"][-1]) / scaler["scales"][-1]
    previous = series[-test_size - 1:-1]
    forecasts = unscaled + previous
    observed = series[-test_size:]
    rmse = float(np.sqrt(np.mean((observed - forecasts) ** 2)))

    result = {
        "checkpoint": os.path.abspath(args.checkpoint),
        "kerasVersion": keras.__version__,
        "backend": keras.backend.backend(),
        "dtype": keras.config.floatx(),
        "run": info,
        "profile": settings["profile"],
        "recurrentActivation": ("sigmoid" if settings["profile"] == "keras3"
                                else "hard_sigmoid_0.2"),
        "lag": lag,
        "units": settings["units"],
        "batchSize": batch,
        "testMonths": [
            {"month": month, "forecast": float(fc), "observed": float(ob),
             "predictionScaled": float(y)}
            for month, fc, ob, y in zip(labels[-test_size:], forecasts,
                                        observed, yhat)
        ],
        "testRMSE": rmse,
    }

    status = 0
    if args.compare is not None:
        reference, months, data = load_reference(args.compare)
        if len(reference) != test_size:
            fail(f"--compare file has {len(reference)} test months, "
                 f"expected {test_size}")
        differences = np.abs(np.asarray(reference) - forecasts)
        worst = int(np.argmax(differences))
        max_diff = float(differences[worst])
        comparison = {
            "file": args.compare,
            "maxAbsDifference": max_diff,
            "worstMonth": months[worst],
            "tolerance": args.tolerance,
            "withinTolerance": max_diff <= args.tolerance,
        }
        if "testRMSE" in data:
            comparison["testRMSEDifference"] = abs(float(data["testRMSE"]) - rmse)
        result["comparison"] = comparison
        print(f"max abs difference {max_diff:.3e} (month {months[worst]}), "
              f"tolerance {args.tolerance:.1e}: "
              f"{'OK' if comparison['withinTolerance'] else 'EXCEEDED'}",
              file=sys.stderr)
        if not comparison["withinTolerance"]:
            status = 1

    text = json.dumps(result, indent=2)
    if args.output == "-":
        print(text)
    else:
        with open(args.output, "w") as f:
            f.write(text + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main())
