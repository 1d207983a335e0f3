"""Writes the example run files the lab's tests open: `python tests/run_fixtures.py`.

- tests/js/fixtures/run-small.json: a small CNN (convolutions, a batch norm, a residual block,
  a linear read-out) learning to tell generated images of horizontal stripes from vertical ones,
  recorded by gradbook.torch every 4 steps for 40 steps.
- tests/js/fixtures/run-nonfinite.json: the same network with a learning rate far too large:
  the loss turns inf and NaN, and the file carries firstNonFiniteStep.
- tests/js/fixtures/run-verdicts.json: changes to run-small.json, each with the verdict of the
  run schema (jsonschema) and of Python's loader (gradbook.runfile), so that the lab's reader
  can be held to both: it must accept a case exactly when the loader does.

The runs need PyTorch (`nox -s tests` installs it); the verdicts do not. Both runs are float64
and seeded; tests/test_torch_runfile.py checks the committed files against the schema, that
recording again gives the same layers, steps and (within the file's rounding) the same
numbers, and that the verdicts are what this writes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "js" / "fixtures"
SMALL = FIXTURES / "run-small.json"
NONFINITE = FIXTURES / "run-nonfinite.json"
VERDICTS = FIXTURES / "run-verdicts.json"
SIZE = 8  # images are SIZE x SIZE


def _small_cnn():
    """The example's network; PyTorch is imported here, so that the tests that only read the
    committed files can import this module without it."""
    import torch
    from torch import nn

    class Block(nn.Module):
        """A residual block: its own forward adds the input back around two convolutions."""

        def __init__(self, channels: int):
            super().__init__()
            self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
            self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

        def forward(self, x):
            return x + self.conv2(torch.relu(self.conv1(x)))

    class SmallCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.stem = nn.Conv2d(1, 4, 3, padding=1)
            self.norm = nn.BatchNorm2d(4)
            self.block = Block(4)
            self.head = nn.Linear(4 * SIZE * SIZE, 2)

        def forward(self, x):
            h = torch.relu(self.norm(self.stem(x)))
            return self.head(self.block(h).flatten(1))

    return SmallCNN()


def stripes(n: int, generator):
    """n noisy images of stripes, labelled 0 (horizontal) or 1 (vertical)."""
    import torch

    labels = torch.randint(0, 2, (n,), generator=generator)
    phase = torch.randint(0, 2, (n, 1, 1), generator=generator)
    line = (torch.arange(SIZE) + phase) % 2  # (n, 1, SIZE): alternate rows or columns
    rows = line.unsqueeze(-1).expand(n, 1, SIZE, SIZE)
    images = torch.where(labels.view(n, 1, 1, 1) == 0, rows, rows.transpose(-1, -2))
    noise = 1.0 * torch.randn(n, 1, SIZE, SIZE, generator=generator, dtype=torch.float64)
    return images.to(torch.float64) + noise, labels


def record(lr: float, steps: int = 40, every: int = 4):
    """A recorded run of the small CNN, float64, seeded."""
    import torch
    from torch import nn

    import gradbook.torch

    torch.manual_seed(0)
    model = _small_cnn().to(torch.float64)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=0.9)
    data = torch.Generator().manual_seed(1)
    with gradbook.torch.watch(model, optimizer, every=every) as rec:
        for _ in range(steps):
            x, y = stripes(32, data)
            loss = nn.functional.cross_entropy(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            rec.step(loss)
    return rec.run


def runs() -> dict[Path, dict]:
    return {SMALL: record(lr=0.05).to_dict(), NONFINITE: record(lr=1e6).to_dict()}


def _set(path, value):
    return {"op": "set", "path": path, "value": value}


def _delete(path):
    return {"op": "delete", "path": path}


# (name, operations) on run-small.json, in js_fixtures.apply's form. Some break a rule of the
# schema; some break a rule only the loader can check (rows that match the steps and layers);
# some change what both allow.
CHANGES = [
    ("unchanged", []),
    ("a newer version", [_set(["version"], 2)]),
    ("a scene payload", [_set(["schema"], "gradbook-payload")]),
    ("no gradient rows", [_delete(["gradNormLog10"])]),
    ("a word for a size", [_set(["gradNormLog10", 0, 0], "big")]),
    ("a layer not measured", [_set(["gradNormLog10", 0, 0], None)]),
    ("a size of 0", [_set(["gradNormLog10", 0, 0], "-inf")]),
    ("an overflowed loss", [_set(["loss", 0], "inf")]),
    ("a NaN output gradient", [_set(["outputGradNormLog10", 1], "nan")]),
    ("no optimizer", [_set(["updateRatioLog10"], None), _set(["optimizer"], None)]),
    ("a layer without units", [_delete(["layers", 1, "units"])]),
    ("another histogram grid", [_set(["histograms", "bins"], 10)]),
    ("every 0", [_set(["every"], 0)]),
    ("a stray key", [_set(["colorScale"], {})]),
    ("a short row", [_delete(["gradNormLog10", 3, 4])]),
    ("a row too few", [_delete(["weightGradNormLog10", 9])]),
    ("steps out of order", [_set(["steps", 0], 99)]),
    ("a first non-finite step not recorded", [_set(["firstNonFiniteStep"], 3)]),
    ("a histogram of a step not recorded", [_set(["histograms", "steps", 0, "step"], 3)]),
]


def verdicts() -> dict:
    """The verdicts fixture: each change with the schema's and the loader's verdicts."""
    import jsonschema

    from gradbook import runfile
    from js_fixtures import apply

    validator = jsonschema.Draft202012Validator(runfile.schema())
    base = json.loads(SMALL.read_text(encoding="utf-8"))
    cases = []
    for name, ops in CHANGES:
        changed = apply(base, ops)
        try:
            runfile.from_dict(changed, "the file")
            error = None
        except runfile.RunFileError as e:
            error = str(e)
        cases.append(
            {
                "name": name,
                "operations": ops,
                "schemaValid": validator.is_valid(changed),
                "loaderError": error,
            }
        )
    return {
        "about": "Written by tests/run_fixtures.py from gradbook.runfile and jsonschema; do not "
        "edit. Each case changes run-small.json; a reader of runs must accept it exactly when "
        "loaderError is null (schemaValid is false for every case the schema alone rejects).",
        "base": SMALL.name,
        "cases": cases,
    }


def text(run: dict) -> str:
    """A fixture's text: one line per top-level key, so a diff shows what changed."""
    keys = [f"  {json.dumps(k)}: {json.dumps(v, allow_nan=False)}" for k, v in run.items()]
    return "{\n" + ",\n".join(keys) + "\n}\n"


def main() -> int:
    written = runs()  # the verdicts are of the runs just written
    for path, run in written.items():
        path.write_text(text(run), encoding="utf-8")
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    VERDICTS.write_text(text(verdicts()), encoding="utf-8")
    print(f"wrote {VERDICTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
