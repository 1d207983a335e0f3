// Which layers of a residual network carry a skip path, for the engine and the scene alike
// (src/gradbook/mlp.py has_skip): a layer adds its input back (h + F(h)) only where its input
// is as wide as its output. Pure module.

/** Whether a layer with `widthIn` inputs and `widthOut` units adds its input back. */
export function hasSkip(residual, widthIn, widthOut) {
  return Boolean(residual) && widthIn === widthOut;
}
