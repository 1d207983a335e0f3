// Where the camera stands to show a whole network: pure arithmetic, no three, so that it is
// tested in node. The scene copies the answer into its camera and orbit controls.

/** World units added on each side of the network, for the outermost labels and perspective. */
const SIDE_ROOM = 3;
/** The share of the canvas's height always left to the drawing, however tall the label strips. */
const MIN_FREE = 0.4;
/** The direction the camera looks from, before normalizing: a little from the right and above,
 * so that layers read as slabs. */
const FROM = [0.08, 0.2, 1];

/**
 * Fit the drawing's box in view between label strips of `margins` CSS px at the top and bottom
 * of a canvas `heightPx` tall, for a perspective camera of vertical field `fovDegrees` and
 * `aspect` (width / height).
 * @param {{min: number[], max: number[], center: number[]}} bounds the units' box, world units
 * @param {number} top the highest point drawn (units or the labels' anchors)
 * @param {number} bottom the lowest point drawn (the meter's base)
 * @returns {{target: number[], position: number[], near: number, far: number, distance: number}}
 */
export function fitCamera(bounds, { top, bottom, heightPx, margins, fovDegrees, aspect }) {
  const halfX = (bounds.max[0] - bounds.min[0]) / 2 + SIDE_ROOM;
  const free = Math.max(MIN_FREE, 1 - (margins.top + margins.bottom) / heightPx);
  const tan = Math.tan((fovDegrees * Math.PI) / 360);
  const d = Math.max(halfX / (tan * aspect), (top - bottom) / 2 / (tan * free)) + bounds.max[2];
  // Centred between the strips: shifted by half their difference, in world units at distance d.
  const centerY = (top + bottom) / 2 + ((margins.top - margins.bottom) * d * tan) / heightPx;
  const n = Math.hypot(...FROM);
  const x = bounds.center[0] + 1;
  return {
    target: [x, centerY, 0],
    position: [x + (FROM[0] / n) * d, centerY + (FROM[1] / n) * d, (FROM[2] / n) * d],
    near: Math.max(0.1, d / 100),
    far: d * 10,
    distance: d,
  };
}
