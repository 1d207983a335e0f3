"""`gradbook trace`: one network's backward pass as a table or as JSON.

This module only parses arguments and calls the library: the library checks every value, so
names and limits are the configuration's (`gradbook.config`), written once. Every problem ends
the program with one line, "gradbook: error: ...", and exit status 2 for bad options, 1 for an
output that could not be written. It imports numpy and the simulator only, not matplotlib.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from . import __version__, activations, config, init
from .export import encode
from .mlp import MLP
from .trace import Trace

PROG = "gradbook"

# A trace keeps about ten float64 arrays of depth × width × batch-size numbers, and the network
# a few of depth × width × width: this many numbers need about 1.5 GB. The options' own ranges
# allow a million times more.
MAX_NUMBERS = 20_000_000


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line with one prefix, no usage block, no traceback
        self.exit(2, f"{PROG}: error: {message}\n")


def _whole_number(text: str) -> int:
    """Text to an int; whether it is in range is the library's to say."""
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


def _one_of(names) -> str:
    return ", ".join(names)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog=PROG,
        description="Trace gradients through deep networks.",
        epilog=f"Run '{PROG} trace --help' for the options of a trace.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="command", parser_class=_Parser)
    trace = commands.add_parser(
        "trace",
        help="one forward and backward pass of an MLP on the two-circles task",
        description="Print each hidden layer's gradient norm, factor and running product.",
    )
    defaults = config.MLPConfig()
    trace.add_argument(
        "--depth",
        metavar="N",
        type=_whole_number,
        default=defaults.depth,
        help=f"hidden layers (1 to {config.MAX_DEPTH}; default {defaults.depth})",
    )
    trace.add_argument(
        "--width",
        metavar="N",
        type=_whole_number,
        default=defaults.width,
        help=f"units per hidden layer (1 to {config.MAX_WIDTH}; default {defaults.width})",
    )
    trace.add_argument(
        "--activation",
        metavar="NAME",
        default=defaults.activation,
        help=f"one of {_one_of(activations.NAMES)} (default {defaults.activation})",
    )
    trace.add_argument(
        "--init",
        metavar="NAME",
        default=defaults.init,
        help=f"one of {_one_of(init.NAMES)} (default {defaults.init})",
    )
    trace.add_argument("--batchnorm", action="store_true", help="batch-normalize every layer")
    trace.add_argument("--residual", action="store_true", help="add skip connections")
    trace.add_argument(
        "--batch-size",
        metavar="N",
        type=_whole_number,
        default=256,
        help="examples in the batch (1 or more; default 256)",
    )
    trace.add_argument(
        "--seed",
        metavar="N",
        type=_whole_number,
        default=0,
        help="seed for weights and data (0 or more; default 0)",
    )
    trace.add_argument("--json", action="store_true", help="print one strict JSON object")
    return parser


def trace_dict(trace: Trace) -> dict:
    """A Trace as plain JSON-ready data (the --json output); non-finite numbers as strings."""
    return {
        "kind": trace.kind,
        "loss": encode(trace.loss, 8),
        "output_grad_norm": encode(trace.output_grad_norm, 8),
        "layers": [
            {
                "layer": layer.index,
                "grad_norm": encode(layer.grad_norm, 8),
                "weight_grad_norm": encode(layer.weight_grad_norm, 8),
                "factor": encode(layer.factor, 8),
                "product": encode(layer.product, 8),
                "mean_slope": encode(layer.mean_slope, 8),
                "saturated": encode(layer.saturated, 8),
            }
            for layer in trace.layers
        ],
    }


def _trace(parser: argparse.ArgumentParser, args: argparse.Namespace) -> str:
    try:
        # The configuration checks names and ranges before anything large is allocated.
        cfg = config.MLPConfig(
            depth=args.depth,
            width=args.width,
            activation=args.activation,
            init=args.init,
            batchnorm=args.batchnorm,
            residual=args.residual,
        )
        numbers = cfg.depth * cfg.width * (args.batch_size + cfg.width)
        if numbers > MAX_NUMBERS:
            parser.error(
                f"--depth × --width × (--batch-size + --width) is {numbers:,}, more than this "
                f"command traces ({MAX_NUMBERS:,}, about 1.5 GB of memory); use a smaller "
                "depth, width or batch size"
            )
        trace = MLP(cfg, seed=args.seed).trace(batch_size=args.batch_size, seed=args.seed)
    except (ValueError, TypeError) as err:  # a value or combination the library refuses
        parser.error(str(err))
    if args.json:
        return json.dumps(trace_dict(trace), allow_nan=False)
    return trace.table()


def _write(text: str) -> int:
    """Print text; a closed pipe ends quietly, any other failed write in one line."""
    try:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()
    except OSError as err:
        # Python flushes stdout again at exit, which would fail again with a traceback: point
        # the descriptor at /dev/null so that last flush has somewhere to go.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        if not isinstance(err, BrokenPipeError):  # `gradbook trace | head` is not an error
            reason = err.strerror or str(err)
            sys.stderr.write(f"{PROG}: error: could not write the output: {reason}\n")
        return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:  # a bare `gradbook`: say what it can do
        return _write(parser.format_help().rstrip("\n"))
    return _write(_trace(parser, args))


if __name__ == "__main__":
    sys.exit(main())
