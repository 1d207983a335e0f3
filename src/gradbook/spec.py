"""The one specification Python and JavaScript share: names and how they may be spelled,
limits, defaults, thresholds, the payload's fixed words, and the lab's settings.

Python is the source of truth: `build()` gathers every fact from the module that owns it
(activations.NAMES, config.MIN_BATCHNORM_BATCH, scenarios' training, ...), or states here one
that no simulator module owns (the lab's ranges, the healthy update ratio), and
tests/js_spec.py writes it as the ES module _static/threejs/spec.js, which the engine, the
lab's link, its form and the scene import. tests/test_spec.py fails when that file is stale,
so a fact is written once and the JavaScript cannot drift from it. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import fields

from . import activations, config, data, export, init, losses, names, random, scenarios, text

# The update-to-data ratio std(W after - W before) / std(W before) that practitioners call
# healthy, a rule of thumb (docs/references.md), and the band of healthy rates around it, one
# decade each side: the book's figures draw the ratio (plots.update_ratios), its chapters glue
# it and hold a "healthy rate" to the band, and the lab shades the band on its plot. Powers of
# ten, kept as exponents, so that every label writes them exactly ("10⁻³") and a log axis puts
# them on its ticks.
HEALTHY_UPDATE_RATIO_LOG10 = -3
HEALTHY_UPDATE_BAND_LOG10 = (HEALTHY_UPDATE_RATIO_LOG10 - 1, HEALTHY_UPDATE_RATIO_LOG10 + 1)
HEALTHY_UPDATE_RATIO = 10.0**HEALTHY_UPDATE_RATIO_LOG10
HEALTHY_UPDATE_BAND = (10.0 ** HEALTHY_UPDATE_BAND_LOG10[0], 10.0 ** HEALTHY_UPDATE_BAND_LOG10[1])


def _defaults(cls) -> dict:
    """A config class's fields and their defaults, in declaration order."""
    return {f.name: f.default for f in fields(cls)}


def _lab() -> dict:
    """The lab's settings: each key (named like the command line's option), its default and
    what it accepts, and the order its link writes them in.

    The defaults are the book's: its networks' shape and training (scenarios), so a fresh lab
    is one of the book's networks. The ranges are the lab's own, inside the simulator's limits
    (tests/test_spec.py checks that): small enough to trace at once in a browser.
    """
    mlp, rnn = _defaults(config.MLPConfig), _defaults(config.RNNConfig)
    book = scenarios._MLP_TRAINING  # the training every MLP of the book gets
    keys = {
        "model": {"default": "mlp", "choices": list(config.MODEL_KINDS)},
        "depth": {"default": scenarios.DEPTH, "int": [1, 50]},
        "width": {"default": scenarios.WIDTH, "int": [2, 64]},
        "activation": {"default": mlp["activation"], "choices": list(activations.NAMES)},
        "init": {"default": mlp["init"], "init": True},
        "batchnorm": {"default": mlp["batchnorm"], "bool": True},
        "residual": {"default": mlp["residual"], "bool": True},
        "loss": {"default": mlp["loss"], "choices": list(losses.NAMES)},
        "lr": {"default": book.lr, "number": [0, 10], "open": "low"},  # 0 < lr <= 10
        "momentum": {"default": book.momentum, "number": [0, 1], "open": "high"},  # 0 <= m < 1
        "batch-size": {"default": book.batch_size, "int": [1, 256]},
        "seed": {"default": 0, "int": [0, config.MAX_SEED]},
        "steps": {"default": scenarios._RNN.steps, "int": [1, 200]},
        # Up to 3, so that a tanh RNN can be seen exploding (at rho 2 and more).
        "rho": {"default": scenarios._RNN.rho, "number": [0.5, 3]},
        "rnn-activation": {"default": rnn["activation"], "choices": list(config.RNN_ACTIVATIONS)},
        "clip-norm": {"default": None, "clip": True},  # None: no clipping ("off" in the link)
    }
    return {
        "keys": keys,
        # The link writes the model's own keys, then the shared ones, in these orders.
        "order": {
            "mlp": ["depth", "width", "activation", "init", "batchnorm", "residual"],
            "rnn": ["model", "steps", "width", "rho", "rnn-activation", "clip-norm"],
            "shared": ["loss", "lr", "momentum", "batch-size", "seed"],
        },
        "normalStd": {"min": 0.01, "max": 10},  # the weight-scale knob's range (log axis)
    }


def build() -> dict:
    """The specification, as JSON-ready data."""
    return {
        "names": {
            "activation": list(activations.NAMES),
            "init": list(init.NAMES),
            "rnnActivation": list(config.RNN_ACTIVATIONS),
            "loss": list(losses.NAMES),
            "model": list(config.MODEL_KINDS),
        },
        # How a reader may type a name: any case, with any of these characters between words.
        "spelling": {"ignoreCase": True, "separators": list(names.SEPARATORS)},
        "normalPrefix": init.NORMAL_PREFIX,  # "normal:STD", an init with its own spread
        "limits": {
            "maxDepth": config.MAX_DEPTH,
            "maxWidth": config.MAX_WIDTH,
            "maxTimeSteps": config.MAX_TIME_STEPS,
            "maxBatchSize": config.MAX_BATCH_SIZE,
            "maxTrainSteps": config.MAX_TRAIN_STEPS,
            "maxSeed": config.MAX_SEED,
            "minBatchnormBatch": config.MIN_BATCHNORM_BATCH,
        },
        "random": {"maxSeed": random.MAX_SEED, "wordsPerStream": random.WORDS_PER_STREAM},
        "heldOut": {"size": data.HELD_OUT_SIZE, "seed": data.HELD_OUT_SEED},
        # A unit counts as saturated when its output is outside (low, high).
        "saturatedOutside": {k: list(v) for k, v in activations.SATURATED_OUTSIDE.items()},
        "defaults": {
            "mlp": _defaults(config.MLPConfig),
            "rnn": _defaults(config.RNNConfig),
            "train": _defaults(config.TrainConfig),
        },
        "payload": {
            "schema": export.SCHEMA_NAME,
            "version": export.SCHEMA_VERSION,
            "maxShownUnits": dict(export.MAX_SHOWN_UNITS),
            # JSON has no inf or NaN: every file Python writes for JavaScript spells them so.
            "nonFinite": {"inf": export.INF, "minusInf": export.MINUS_INF, "nan": export.NAN},
        },
        "text": {"plainFrom": float(text.PLAIN_FROM), "plainTo": float(text.PLAIN_TO)},
        # Exponents of ten: the healthy update-to-data ratio and its band (low, high).
        "updateRatio": {
            "healthyLog10": HEALTHY_UPDATE_RATIO_LOG10,
            "bandLog10": list(HEALTHY_UPDATE_BAND_LOG10),
        },
        "lab": _lab(),
    }
