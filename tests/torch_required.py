"""PyTorch for the gradbook.torch tests: `torch = torch_required.torch()` at a test module's top.

Without PyTorch those modules are skipped, all with one reason, so pytest's summary folds them
into one line that says how to get it; in CI (CI=true) they fail instead, since CI must run them
(`nox -s tests` installs PyTorch, the version the `bench` group pins).
"""

from __future__ import annotations

import os

import pytest

NO_TORCH = (
    "gradbook.torch tests skipped: PyTorch is not installed "
    '(`nox -s tests` installs it; or `pip install "gradbook[torch]"`)'
)


def torch():
    try:
        import torch
    except ImportError:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("PyTorch is not installed, and CI must run the gradbook.torch tests.",
                        pytrace=False)  # fmt: skip
        pytest.skip(NO_TORCH, allow_module_level=True)
    return torch
