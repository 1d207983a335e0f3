"""`python -m gradbook trace`: one network's backward pass as a table or as JSON.

This module only parses arguments and calls the library. A bad option ends the program with
one line that says what was wrong and what is allowed, and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys

from . import activations, config, export, init
from .mlp import MLP


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage block, no traceback
        self.exit(2, f"{self.prog}: error: {message}\n")


def _int_in(low: int, high: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a whole number (allowed: {low} to {high})"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range (allowed: {low} to {high})")
        return value

    return parse


def _init_name(text: str) -> str:
    try:
        init.parse(text)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return text


def _activation(text: str) -> str:
    if text not in activations.NAMES:
        raise argparse.ArgumentTypeError(
            f"unknown activation {text!r} (allowed: {', '.join(activations.NAMES)})"
        )
    return text


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gradbook", description="Trace gradients through deep networks.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    trace = commands.add_parser(
        "trace",
        help="one forward and backward pass of an MLP on the two-spirals task",
        description="Print each hidden layer's gradient norm, factor and running product.",
    )
    trace.add_argument(
        "--depth",
        type=_int_in(1, config.MAX_DEPTH),
        default=10,
        help="hidden layers (1 to 200; default 10)",
    )
    trace.add_argument(
        "--width",
        type=_int_in(1, config.MAX_WIDTH),
        default=32,
        help="units per hidden layer (1 to 2048; default 32)",
    )
    trace.add_argument(
        "--activation",
        type=_activation,
        default="tanh",
        help=f"one of {', '.join(activations.NAMES)} (default tanh)",
    )
    trace.add_argument(
        "--init",
        type=_init_name,
        default="xavier",
        help=f"one of {', '.join(init.NAMES)} (default xavier)",
    )
    trace.add_argument("--batchnorm", action="store_true", help="batch-normalize every layer")
    trace.add_argument("--residual", action="store_true", help="add skip connections")
    trace.add_argument(
        "--batch-size",
        type=_int_in(1, 100_000),
        default=256,
        help="examples in the batch (default 256)",
    )
    trace.add_argument(
        "--seed",
        type=_int_in(0, 2**32 - 1),
        default=0,
        help="seed for weights and data (default 0)",
    )
    trace.add_argument("--json", action="store_true", help="print one strict JSON object")
    return parser


# A trace holds about ten float64 arrays of depth × width × batch-size numbers: this many numbers
# need about 1.5 GB. The options' own ranges allow a million times more.
MAX_NUMBERS = 20_000_000


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    numbers = args.depth * args.width * args.batch_size
    if numbers > MAX_NUMBERS:
        parser.error(
            f"--depth × --width × --batch-size is {numbers:,}, more than this command traces "
            f"({MAX_NUMBERS:,}, about 1.5 GB of memory); use a smaller batch size or width"
        )
    try:
        net = MLP(
            depth=args.depth,
            width=args.width,
            activation=args.activation,
            init=args.init,
            batchnorm=args.batchnorm,
            residual=args.residual,
            seed=args.seed,
        )
        trace = net.trace(batch_size=args.batch_size, seed=args.seed)
    except ValueError as err:  # a combination of options the library refuses
        parser.error(str(err))
    if args.json:
        print(json.dumps(export.trace_dict(trace), allow_nan=False))
    else:
        print(trace.table())
    return 0


if __name__ == "__main__":
    sys.exit(main())
