// Written by tests/js_spec.py from src/gradbook/spec.py: do not edit. Python is the source of
// truth for every name, limit, default and threshold here; the engine, the lab's link and form
// and the scene read them from this one object, frozen so that no reader can change it for
// the others. Pure module.

const freeze = (o) => {
  for (const v of Object.values(o)) if (v !== null && typeof v === 'object') freeze(v);
  return Object.freeze(o);
};

export const SPEC = freeze({
  "names": {
    "activation": [
      "sigmoid",
      "tanh",
      "relu",
      "leaky_relu",
      "linear"
    ],
    "init": [
      "normal:STD",
      "standard",
      "xavier",
      "xavier-uniform",
      "he"
    ],
    "rnnActivation": [
      "tanh",
      "linear"
    ],
    "loss": [
      "cross_entropy",
      "mse"
    ],
    "model": [
      "mlp",
      "rnn"
    ]
  },
  "spelling": {
    "ignoreCase": true,
    "separators": [
      "_",
      "-"
    ]
  },
  "normalPrefix": "normal:",
  "limits": {
    "maxDepth": 200,
    "maxWidth": 2048,
    "maxTimeSteps": 500,
    "maxBatchSize": 100000,
    "maxTrainSteps": 100000,
    "maxSeed": 4294967295,
    "minBatchnormBatch": 4
  },
  "random": {
    "maxSeed": 9007199254740991,
    "wordsPerStream": 4294967296
  },
  "heldOut": {
    "size": 512,
    "seed": 2147483647
  },
  "saturatedOutside": {
    "sigmoid": [
      0.03,
      0.97
    ],
    "tanh": [
      -0.97,
      0.97
    ]
  },
  "defaults": {
    "mlp": {
      "depth": 10,
      "width": 32,
      "activation": "tanh",
      "init": "xavier",
      "batchnorm": false,
      "residual": false,
      "input_dim": 2,
      "output_dim": 2,
      "loss": "cross_entropy",
      "leaky_slope": 0.01,
      "bn_eps": 1e-05
    },
    "rnn": {
      "steps": 50,
      "hidden": 32,
      "activation": "tanh",
      "rho": 1.0,
      "input_dim": 1,
      "output_dim": 2,
      "loss": "cross_entropy"
    },
    "train": {
      "steps": 200,
      "lr": 0.1,
      "momentum": 0.0,
      "batch_size": 64,
      "clip_norm": null,
      "clip_value": null,
      "record_every": 10
    }
  },
  "payload": {
    "schema": "gradbook-payload",
    "version": 1,
    "maxShownUnits": {
      "mlp": 16,
      "rnn": 8
    },
    "nonFinite": {
      "inf": "inf",
      "minusInf": "-inf",
      "nan": "nan"
    }
  },
  "text": {
    "plainFrom": 0.01,
    "plainTo": 10000.0
  },
  "updateRatio": {
    "healthyLog10": -3,
    "bandLog10": [
      -4,
      -2
    ]
  },
  "lab": {
    "keys": {
      "model": {
        "default": "mlp",
        "choices": [
          "mlp",
          "rnn"
        ]
      },
      "depth": {
        "default": 12,
        "int": [
          1,
          50
        ]
      },
      "width": {
        "default": 16,
        "int": [
          2,
          64
        ]
      },
      "activation": {
        "default": "tanh",
        "choices": [
          "sigmoid",
          "tanh",
          "relu",
          "leaky_relu",
          "linear"
        ]
      },
      "init": {
        "default": "xavier",
        "init": true
      },
      "batchnorm": {
        "default": false,
        "bool": true
      },
      "residual": {
        "default": false,
        "bool": true
      },
      "loss": {
        "default": "cross_entropy",
        "choices": [
          "cross_entropy",
          "mse"
        ]
      },
      "lr": {
        "default": 0.05,
        "number": [
          0,
          10
        ],
        "open": "low"
      },
      "momentum": {
        "default": 0.9,
        "number": [
          0,
          1
        ],
        "open": "high"
      },
      "batch-size": {
        "default": 64,
        "int": [
          1,
          256
        ]
      },
      "seed": {
        "default": 0,
        "int": [
          0,
          4294967295
        ]
      },
      "steps": {
        "default": 40,
        "int": [
          1,
          200
        ]
      },
      "rho": {
        "default": 1.1,
        "number": [
          0.5,
          3
        ]
      },
      "rnn-activation": {
        "default": "tanh",
        "choices": [
          "tanh",
          "linear"
        ]
      },
      "clip-norm": {
        "default": null,
        "clip": true
      }
    },
    "order": {
      "mlp": [
        "depth",
        "width",
        "activation",
        "init",
        "batchnorm",
        "residual"
      ],
      "rnn": [
        "model",
        "steps",
        "width",
        "rho",
        "rnn-activation",
        "clip-norm"
      ],
      "shared": [
        "loss",
        "lr",
        "momentum",
        "batch-size",
        "seed"
      ]
    },
    "normalStd": {
      "min": 0.01,
      "max": 10
    }
  }
});
