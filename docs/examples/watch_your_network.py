"""Watch your own PyTorch network with gradbook: a small CNN learns to tell images of horizontal
stripes from vertical ones, and gradbook.torch records its gradients, layer by layer.

    python docs/examples/watch_your_network.py              # 8 sigmoid convolutions, stacked
    python docs/examples/watch_your_network.py --residual   # the same, each adding its input back

Needs PyTorch (`pip install "gradbook[torch]"`). Writes run.json (open it in the book's lab with
"Open a run") and prints the last recorded step layer by layer, then how much of the output's
gradient reached the first layer over training.
"""

from __future__ import annotations

import argparse

import torch
from torch import nn

import gradbook.torch

SIZE = 12  # images are SIZE x SIZE pixels


class StripesNet(nn.Module):
    def __init__(self, depth: int = 8, channels: int = 8, residual: bool = False):
        super().__init__()
        self.stem = nn.Conv2d(1, channels, 3, padding=1)
        self.convs = nn.ModuleList(
            nn.Conv2d(channels, channels, 3, padding=1) for _ in range(depth)
        )
        self.head = nn.Linear(channels, 2)
        self.residual = residual

    def forward(self, x):
        h = torch.sigmoid(self.stem(x))
        for conv in self.convs:
            out = torch.sigmoid(conv(h))
            h = h + out if self.residual else out
        return self.head(h.mean(dim=(2, 3)))  # average over the image, then two classes


def stripes(n: int, generator: torch.Generator):
    """n noisy images of stripes two pixels wide: label 0 horizontal, 1 vertical."""
    labels = torch.randint(0, 2, (n,), generator=generator)
    phase = torch.randint(0, 4, (n, 1, 1), generator=generator)
    line = ((torch.arange(SIZE) + phase) // 2 % 2).float()  # (n, 1, SIZE)
    rows = line.unsqueeze(-1).expand(n, 1, SIZE, SIZE)
    images = torch.where(labels.view(n, 1, 1, 1) == 0, rows, rows.transpose(-1, -2))
    return images + 0.5 * torch.randn(n, 1, SIZE, SIZE, generator=generator), labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--residual", action="store_true", help="add each layer's input back")
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--out", default="run.json", help="where to save the run")
    args = parser.parse_args()

    torch.manual_seed(0)
    data = torch.Generator().manual_seed(1)
    model = StripesNet(residual=args.residual)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    # The three lines: watch, step, save.
    with gradbook.torch.watch(model, optimizer, every=10) as rec:
        for _ in range(args.steps):
            x, y = stripes(64, data)
            loss = loss_fn(model(x), y)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            rec.step(loss)
    rec.save(args.out)

    print(rec.table())
    run = rec.run
    x, y = stripes(1000, data)
    with torch.no_grad():
        accuracy = (model(x).argmax(dim=1) == y).float().mean().item()
    share = run.products[:, 0]  # layer 1's gradient over the output's, at each recorded step
    print(
        f"\n{'residual' if args.residual else 'plain'}: layer 1 ({run.layer_names[0]}) got "
        f"{share.min():.1e} to {share.max():.1e} of the output's gradient over "
        f"{len(run)} recorded steps; held-out accuracy {accuracy:.0%}; saved {args.out}"
    )


if __name__ == "__main__":
    main()
