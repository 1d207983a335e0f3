"""`python -m gradbook trace`: the table, the JSON and the one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


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


def test_missing_command_is_one_line():
    result = run()
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "gradbook: error: the following arguments are required: command"
    ]


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


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["--activation", "softplus"], "sigmoid, tanh, relu, leaky_relu, linear"),
        (["--depth", "0"], "1 to 200"),
        (["--width", "-3"], "1 to 2048"),
        (["--width", "wide"], "1 to 2048"),
        (["--init", "kaiming"], "normal:STD, standard, xavier, xavier-uniform, he"),
        (["--batch-size", "0"], "1 to 100000"),
        (["--seed", "-1"], "0 to 4294967295"),
        (["--seed", "1.5"], "0 to 4294967295"),
        (["--depth", "nan"], "1 to 200"),
        (["--width", "1e3"], "1 to 2048"),
        (["--init", "normal:nan"], "as in 'normal:0.01'"),
        (["--init", "normal:inf"], "as in 'normal:0.01'"),
        (["--init", "normal:"], "as in 'normal:0.01'"),
        (["--batchnorm", "--batch-size", "1"], "at least 4 examples"),
        (["--depth", "200", "--width", "2048", "--batch-size", "100000"], "smaller batch size"),
        (["--softplus"], "unrecognized arguments: --softplus"),
    ],
)
def test_bad_options_give_one_line_naming_the_allowed_values(args, allowed):
    result = run("trace", *args)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert allowed in result.stderr
    assert "Traceback" not in result.stderr
