"""Writes the example run files the lab's tests open: `python tests/run_fixtures.py`.

- tests/js/fixtures/run-small.json: a small CNN (convolutions, a batch norm, a residual block,
  a linear read-out) learning to tell generated images of horizontal stripes from vertical ones,
  recorded by gradbook.torch every 4 steps for 40 steps.
- tests/js/fixtures/run-nonfinite.json: the same network with a learning rate far too large:
  the loss turns inf and NaN, and the file carries firstNonFiniteStep.

It needs PyTorch (`nox -s tests` installs it). Both runs are float64 and seeded; tests/
test_torch_runfile.py checks the committed files against the schema, and that recording again
gives the same layers, steps and (within the file's rounding) the same numbers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

FIXTURES = Path(__file__).resolve().parent / "js" / "fixtures"
SMALL = FIXTURES / "run-small.json"
NONFINITE = FIXTURES / "run-nonfinite.json"
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


def text(run: dict) -> str:
    """A fixture's text: one line per top-level key, so a diff shows what changed."""
    keys = [f"  {json.dumps(k)}: {json.dumps(v, allow_nan=False)}" for k, v in run.items()]
    return "{\n" + ",\n".join(keys) + "\n}\n"


def main() -> int:
    for path, run in runs().items():
        path.write_text(text(run), encoding="utf-8")
        print(f"wrote {path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
