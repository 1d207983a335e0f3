"""`python -m gradbook trace`: the table, the JSON, the help and the one-line errors."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from gradbook import MLP, activations, cli, config, init


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "gradbook", *args], capture_output=True, text=True, timeout=120
    )


def test_table_lists_every_layer_first_to_last():
    result = run("trace", "--depth", "6", "--width", "8", "--activation", "sigmoid")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[:3] == ["layer", "grad", "norm"]
    assert [line.split()[0] for line in lines[1:7]] == ["1", "2", "3", "4", "5", "6"]
    assert all("e" in line.split()[1] for line in lines[1:7])  # scientific notation


def test_json_shape():
    result = run(
        "trace",
        "--depth",
        "5",
        "--width",
        "16",
        "--init",
        "he",
        "--activation",
        "relu",
        "--batchnorm",
        "--residual",
        "--batch-size",
        "32",
        "--seed",
        "3",
        "--json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [layer["layer"] for layer in data["layers"]] == [1, 2, 3, 4, 5]
    for layer in data["layers"]:
        assert {"grad_norm", "weight_grad_norm", "factor"} <= set(layer)
        assert layer["grad_norm"] > 0


def test_table_explains_the_nan_and_inf_it_prints():
    # Weights this large saturate tanh: the first layers' gradients are exactly 0, so a factor
    # is 0/0. The table says what that nan means instead of printing it bare.
    result = run("trace", "--depth", "3", "--init", "normal:1e300")
    assert result.returncode == 0, result.stderr
    rows = result.stdout.splitlines()
    assert "nan" in rows[1]
    assert rows[-1].startswith("note: ") and "nan is no number" in rows[-1]
    healthy = run("trace", "--depth", "3")
    assert "nan" not in healthy.stdout and "note:" not in healthy.stdout


def test_json_encodes_nonfinite_values_as_strings():
    result = run(
        "trace",
        "--depth",
        "200",
        "--width",
        "64",
        "--activation",
        "linear",
        "--init",
        "normal:10",
        "--json",
    )
    assert result.returncode == 0, result.stderr

    def refuse(name):
        raise ValueError(name)

    data = json.loads(result.stdout, parse_constant=refuse)
    values = [layer["grad_norm"] for layer in data["layers"]]
    assert {"inf", "nan"} & set(values)


def _refusal(**fields) -> str:
    """The library's own message for these settings: the CLI must report exactly that."""
    batch_size = fields.pop("batch_size", 256)
    seed = fields.pop("seed", 0)
    with pytest.raises((ValueError, TypeError)) as refused:
        MLP(config.MLPConfig(**fields), seed=seed).trace(batch_size=batch_size)
    return str(refused.value)


def _one_error_line(result) -> str:
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("gradbook: error: ")  # one prefix, whichever parser refused
    return lines[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--width", "wide"], "'wide' is not a whole number"),
        (["--seed", "1.5"], "'1.5' is not a whole number"),
        (["--depth", "nan"], "'nan' is not a whole number"),
        (["--width", "1e3"], "'1e3' is not a whole number"),
        (["--softplus"], "unrecognized arguments: --softplus"),
        (["--depth", "200", "--width", "2048", "--batch-size", "1"], "smaller depth, width"),
        (["--width", "2048", "--depth", "1", "--batch-size", "100000"], "smaller depth, width"),
    ],
)
def test_bad_options_give_one_line(args, message):
    result = run("trace", *args)
    assert result.returncode == 2
    assert message in _one_error_line(result)


# What the library refuses, the CLI reports in the library's words (which name the allowed
# values): the checks are written once, in gradbook.config and gradbook.model.
@pytest.mark.parametrize(
    ("args", "fields"),
    [
        (["--activation", "softplus"], {"activation": "softplus"}),
        (["--init", "kaiming"], {"init": "kaiming"}),
        (["--init", "normal:nan"], {"init": "normal:nan"}),
        (["--init", "normal:inf"], {"init": "normal:inf"}),
        (["--init", "normal:"], {"init": "normal:"}),
        (["--depth", "0"], {"depth": 0}),
        (["--depth", str(config.MAX_DEPTH + 1)], {"depth": config.MAX_DEPTH + 1}),
        (["--width", "-3"], {"width": -3}),
        (["--batch-size", "0"], {"batch_size": 0}),
        (["--seed", "-1"], {"seed": -1}),
        (["--batchnorm", "--batch-size", "1"], {"batchnorm": True, "batch_size": 1}),
    ],
)
def test_refused_values_give_the_librarys_message_in_one_line(args, fields):
    result = run("trace", *args)
    assert result.returncode == 2
    assert _one_error_line(result) == f"gradbook: error: {_refusal(**fields)}"


@pytest.mark.parametrize("spelling", ["leaky-relu", "Leaky_ReLU", "TANH"])
def test_activation_names_are_the_configurations_to_judge(spelling):
    # The CLI does not check names itself: it accepts a spelling exactly when the
    # configuration does (which accepts either separator and any case).
    result = run("trace", "--depth", "2", "--width", "4", "--activation", spelling)
    try:
        config.MLPConfig(activation=spelling)
    except ValueError as err:
        assert result.returncode == 2
        assert _one_error_line(result) == f"gradbook: error: {err}"
    else:
        assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("spelling", ["xavier_uniform", "HE", "Xavier-Uniform"])
def test_init_names_are_the_configurations_to_judge(spelling):
    result = run("trace", "--depth", "2", "--width", "4", "--init", spelling)
    try:
        config.MLPConfig(init=spelling)
    except ValueError as err:
        assert result.returncode == 2
        assert _one_error_line(result) == f"gradbook: error: {err}"
    else:
        assert result.returncode == 0, result.stderr


def test_a_bare_gradbook_prints_the_help():
    result = run()
    assert result.returncode == 0
    assert result.stderr == ""
    assert result.stdout.startswith("usage: gradbook")
    assert "trace" in result.stdout and "--version" in result.stdout


def test_version_is_the_installed_packages():
    result = run("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == f"gradbook {metadata.version('gradbook')}"


def test_help_lists_the_canonical_names_and_the_configurations_limits():
    result = run("trace", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())  # argparse wraps lines
    for name in (*activations.NAMES, *init.NAMES):
        assert name in text
    assert f"hidden layers (1 to {config.MAX_DEPTH};" in text
    assert f"units per hidden layer (1 to {config.MAX_WIDTH};" in text
    assert f"examples in the batch (1 to {config.MAX_BATCH_SIZE};" in text
    assert f"seed for weights and data (0 to {config.MAX_SEED};" in text
    limit = f"traces at most {config.MAX_TRACE_NUMBERS:,} of them"
    assert limit in text, "the help must state the limit on depth, width and batch together"
    assert f"--depth {config.MAX_DEPTH} --width {config.MAX_WIDTH} is refused" in text


def test_help_reads_the_limits_from_the_configuration(monkeypatch, capsys):
    monkeypatch.setattr(config, "MAX_DEPTH", 70)
    monkeypatch.setattr(config, "MAX_WIDTH", 90)
    monkeypatch.setattr(config, "MAX_BATCH_SIZE", 110)
    monkeypatch.setattr(config, "MAX_SEED", 130)
    monkeypatch.setattr(config, "MAX_TRACE_NUMBERS", 1_000_000)
    with pytest.raises(SystemExit):
        cli.main(["trace", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "hidden layers (1 to 70;" in text and "units per hidden layer (1 to 90;" in text
    assert "in the batch (1 to 110;" in text and "weights and data (0 to 130;" in text
    # 70 x 90 x (1 + 90) is 573,300: within this limit, so no such combination is refused.
    assert "traces at most 1,000,000 of them" in text and "is refused" not in text


def test_the_combined_limit_the_help_states_is_the_one_applied():
    # The help says how deep the widest network may be: that depth is traced, one more is
    # refused with the number the help states, and so is the deepest at its widest.
    text = " ".join(run("trace", "--help").stdout.split())
    width = str(config.MAX_WIDTH)
    deepest = int(re.search(rf"at --width {width}, --depth (\d+) at most", text)[1])
    widest = ("--width", width, "--batch-size", "1")
    assert run("trace", "--depth", str(deepest), *widest).returncode == 0
    assert run("trace", "--depth", str(config.MAX_DEPTH), "--width", "1").returncode == 0
    for depth in (deepest + 1, config.MAX_DEPTH):
        result = run("trace", "--depth", str(depth), *widest)
        assert result.returncode == 2
        assert f"({config.MAX_TRACE_NUMBERS:,}, about 1.5 GB" in _one_error_line(result)


def test_the_readme_states_the_command_lines_limits():
    readme = " ".join((Path(__file__).resolve().parents[1] / "README.md").read_text().split())
    for stated in (
        f"`--depth` (1 to {config.MAX_DEPTH})",
        f"`--width` (1 to {config.MAX_WIDTH})",
        f"`--batch-size` (1 to {config.MAX_BATCH_SIZE}",
        f"`--seed` (0 to {config.MAX_SEED}",
        f"at most {config.MAX_TRACE_NUMBERS:,} of them",
        f"`--depth {config.MAX_DEPTH} --width {config.MAX_WIDTH}` is refused",
        f"at `--width {config.MAX_WIDTH}`, `--depth "
        f"{config.MAX_TRACE_NUMBERS // (config.MAX_WIDTH * (1 + config.MAX_WIDTH))}` at most",
    ):
        assert stated in readme, f"README.md does not say: {stated}"


def _to_dev_full(*args):
    with open("/dev/full", "w") as full:
        return subprocess.run(
            [sys.executable, "-m", "gradbook", *args],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )


# Every output, the help and the version included: argparse's own printing ignores a failed
# write and ends with status 0, as if the text had been written.
@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize(
    "args",
    [("trace", "--depth", "3"), ("trace", "--depth", "3", "--json"), (), ("--version",),
     ("--help",), ("trace", "--help")],
    ids=lambda args: " ".join(args) or "no arguments",
)  # fmt: skip
def test_a_full_disk_is_one_line_not_a_traceback(args):
    result = _to_dev_full(*args)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "gradbook: error: could not write the output: No space left on device"
    ]


def test_the_command_line_needs_numpy_but_not_matplotlib():
    # The command line must run where only numpy is installed: importing it, and tracing with
    # it, must not load matplotlib (nor anything that loads it, such as the colour table).
    code = (
        "import sys, io, contextlib\n"
        "import gradbook, gradbook.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    gradbook.cli.main(['trace', '--depth', '2', '--width', '4', '--json'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"
