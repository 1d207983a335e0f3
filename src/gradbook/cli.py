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


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line with one prefix, no usage block, no traceback
        self.exit(2, f"{PROG}: error: {message}\n")

    def print_help(self, file=None):
        # argparse's own printing ignores a failed write, so `--help > /dev/full` would end
        # silently with status 0: write it as every other output is written.
        if file is not None:
            return super().print_help(file)
        status = _write(self.format_help())
        if status:
            self.exit(status)


class _Version(argparse.Action):
    """--version, printed like every other output (argparse's own ignores a failed write)."""

    def __init__(self, option_strings, dest, **kwargs):
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser, namespace, values, option_string=None):
        parser.exit(_write(f"{PROG} {__version__}\n"))


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
    parser.add_argument("--version", action=_Version)
    commands = parser.add_subparsers(dest="command", metavar="command", parser_class=_Parser)
    trace = commands.add_parser(
        "trace",
        help="one forward and backward pass of an MLP on the two-circles task",
        description="Print each hidden layer's gradient norm, factor and running product.",
        epilog=_combined_limit(),
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
        help=f"examples in the batch (1 to {config.MAX_BATCH_SIZE}; default 256)",
    )
    trace.add_argument(
        "--seed",
        metavar="N",
        type=_whole_number,
        default=0,
        help=f"seed for weights and data (0 to {config.MAX_SEED}; default 0)",
    )
    trace.add_argument("--json", action="store_true", help="print one strict JSON object")
    return parser


def _combined_limit() -> str:
    """The trace's limit on depth, width and batch size together, for the help."""
    limit = config.MAX_TRACE_NUMBERS
    text = (
        "Not every combination within these limits is traced: a trace keeps depth × width × "
        f"(batch size + width) numbers, and this command traces at most {limit:,} of them "
        "(about 1.5 GB of memory)"
    )
    # How deep the widest network may be, with the smallest batch.
    deepest = min(config.MAX_DEPTH, limit // (config.MAX_WIDTH * (1 + config.MAX_WIDTH)))
    if deepest < config.MAX_DEPTH:
        text += (
            f": at --width {config.MAX_WIDTH}, --depth {deepest} at most (with --batch-size 1), "
            f"so --depth {config.MAX_DEPTH} --width {config.MAX_WIDTH} is refused at any batch "
            "size"
        )
    return text + "."


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
        if numbers > config.MAX_TRACE_NUMBERS:
            parser.error(
                f"--depth × --width × (--batch-size + --width) is {numbers:,}, more than this "
                f"command traces ({config.MAX_TRACE_NUMBERS:,}, about 1.5 GB of memory); use "
                "a smaller depth, width or batch size"
            )
        trace = MLP(cfg, seed=args.seed).trace(batch_size=args.batch_size, seed=args.seed)
    except (ValueError, TypeError) as err:  # a value or combination the library refuses
        parser.error(str(err))
    if args.json:
        return json.dumps(trace_dict(trace), allow_nan=False)
    return trace.table()


def _write(text: str) -> int:
    """Print text (ending in its own newline) and return the exit status: a closed pipe ends
    quietly, any other failed write in one line and status 1."""
    try:
        sys.stdout.write(text)
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
        return _write(parser.format_help())
    return _write(_trace(parser, args) + "\n")


if __name__ == "__main__":
    sys.exit(main())
