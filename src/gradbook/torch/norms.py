"""Norms and spreads of a tensor's entries, as `gradbook.trace` takes them (a NaN gives NaN, an
inf inf), in the tensor's own precision: scaled by a power of two rather than copied to
float64, safe from underflow and overflow."""

from __future__ import annotations

import math

import torch

# A plain sum of squares in float32 (float64) loses nothing to underflow or overflow when the
# norm it gives is finite and at least sqrt(entries) times this: the squares of the entries it
# may have lost are below the smallest normal number, too few to matter (1e-8 of the result).
_PLAIN_FLOOR = {torch.float32: 1e-15, torch.float64: 1e-145}


# A sum of squares that comes to 0 has lost every entry below 2**-lost (the square root of the
# smallest number, 2**-149 and 2**-1074); scaled by 2**jump, those entries' squares fit.
_LOST = {torch.float32: (75, 100), torch.float64: (537, 600)}


# The scale 2**k stays a normal number of the dtype: |k| at most this.
_MAX_K = {torch.float32: 126, torch.float64: 1022}


class Scale:
    """The power of two, 2**k, that last brought the entries at one place where the recorder
    takes a norm (a layer's output gradient, a weight's gradient...) near 1: tried first at the
    next step, where the entries are most likely of the same size again."""

    __slots__ = ("k",)

    def __init__(self) -> None:
        self.k = 0


# Entries scaled at a time: the size of the recorder's scratch buffer for them (1 MB of float32).
CHUNK = 1 << 18


def _scaled_norm(t: torch.Tensor, k: int, scratch: dict | None) -> float:
    """The 2-norm of the entries of t (on the CPU) times 2**k (k != 0), in t's precision.

    Scaled into `scratch` (a dict the caller keeps, holding one buffer per dtype), a chunk at a
    time: a fresh tensor of the scaled entries would cost more than the norm itself (a large
    allocation is new memory, every page of it faulted in: measured, 36 us of a 45 us norm of
    a 256 x 256 gradient)."""
    factor = 2.0**k
    if scratch is None:
        return float(torch.linalg.vector_norm(t * factor))
    buffer = scratch.get(t.dtype)
    if buffer is None:
        buffer = scratch[t.dtype] = torch.empty(CHUNK, dtype=t.dtype)
    flat = t.reshape(-1)
    parts = []
    for start in range(0, flat.numel(), CHUNK):
        chunk = flat[start : start + CHUNK]
        scaled = torch.mul(chunk, factor, out=buffer[: chunk.numel()])
        parts.append(float(torch.linalg.vector_norm(scaled)))
    return parts[0] if len(parts) == 1 else math.hypot(*parts)


def norm(t: torch.Tensor, scale: Scale | None = None, scratch: dict | None = None):
    """The 2-norm of all entries, as `gradbook.trace.norm` takes it: a float on the CPU (where
    reading a number back costs nothing), else a float64 0-d tensor (without waiting for the
    device). A NaN anywhere gives NaN; an inf (and no NaN) inf.

    On the CPU the sum of squares is taken in t's own precision, of t scaled by 2**k (exact,
    a power of two), and kept when no square can have been lost (see _PLAIN_FLOOR) or have
    overflowed; k is the one `scale` remembers, else 0, then one aimed at the entries' size.
    In a deep network whose gradients vanish most layers' entries are far below 1, and a
    float64 copy of each would cost more than the rest of the record (measured: 3x the time
    of a scaled float32 norm). `scratch`: see _scaled_norm. Otherwise, and on other devices,
    `_safe_norm`."""
    t = t.detach()
    floor = _PLAIN_FLOOR.get(t.dtype)
    if not t.is_cpu or floor is None or t.numel() == 0:
        value = _safe_norm(t)
        return float(value) if t.is_cpu else value
    root_n = math.sqrt(t.numel())
    k = scale.k if scale is not None else 0
    for _ in range(3):
        tried = k
        # (k == 0, the usual case, as directly as can be: this runs hundreds of times a step)
        v = float(torch.linalg.vector_norm(t)) if k == 0 else _scaled_norm(t, k, scratch)
        if floor * root_n <= v < math.inf:
            if scale is not None:
                scale.k = k
            return math.ldexp(v, -k)
        if math.isnan(v):
            return v
        if v == math.inf:
            # The entries grew since the hint (try them as they are), or their squares
            # overflow (an exploding network's: scale them down), or one of them is inf.
            k = 0 if k > 0 else k - 100
        elif 0 < v < math.inf:
            k -= math.frexp(v / root_n)[1]  # their root mean square to about 1
        elif v == 0:
            # Every square was lost (each entry times 2**k is below 2**(-lost)), or every entry
            # is 0, as a weight's update is when the weight is too big for its gradient to move
            # it (w + update == w), step after step. Scaled up by 2**jump, the entries' squares
            # cannot all be lost again; once k is past `lost`, each entry is below the smallest
            # number there is: 0.
            lost, jump = _LOST[t.dtype]
            if k >= lost:
                if scale is not None:
                    scale.k = k
                return 0.0
            k += jump
        k = max(-_MAX_K[t.dtype], min(_MAX_K[t.dtype], k))
        if k == tried:
            break  # the scale can go no further: the safe way
    value = float(_safe_norm(t))
    if scale is not None and 0 < value < math.inf:
        scale.k = -math.frexp(value / root_n)[1]
    return value


def _safe_norm(t: torch.Tensor) -> torch.Tensor:
    """The 2-norm of all entries as a float64 0-d tensor on t's device, safe from underflow
    and overflow: float32 and smaller summed in float64 (where their squares can do neither),
    float64 scaled by its largest entry first."""
    if t.numel() == 0:
        return torch.zeros((), dtype=torch.float64, device=t.device)
    if t.dtype != torch.float64:
        return torch.linalg.vector_norm(t, dtype=torch.float64)
    biggest = t.abs().amax()
    usable = torch.isfinite(biggest) & (biggest > 0)
    scale = torch.where(usable, biggest, torch.ones_like(biggest))
    return torch.where(usable, scale * torch.linalg.vector_norm(t / scale), biggest)


def std(t: torch.Tensor, scale: Scale | None = None, scratch: dict | None = None):
    """The population standard deviation of all entries (numpy's np.std, as gradbook.train
    takes it): a float on the CPU, else a float64 0-d tensor.

    The norm of the deviations from the mean over sqrt(n). On the CPU the sum and the sum of
    squares are tried first (no copy of t); they are kept unless the mean is so large against
    the spread (a norm layer's scale, all near 1) that subtracting them would lose digits."""
    n = max(t.numel(), 1)
    if t.device.type == "cpu":
        mean, rms = float(t.sum()) / n, norm(t, scale, scratch) / math.sqrt(n)
        if rms == 0:
            return 0.0  # every entry is 0
        if abs(mean) < 1e150 and 1e-150 < rms < 1e150:  # squares in range (NaN fails too)
            var = rms * rms - mean * mean
            if var >= 1e-3 * mean * mean:
                return math.sqrt(var)
    return norm(t - t.mean()) / math.sqrt(n)
