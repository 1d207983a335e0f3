// A pinhole camera in plain arithmetic, for tests that ask where a world point lands on the
// canvas: camerafit.test.js (the network fits) and meter.test.js (a bar reads at a glance).

/** Where a world point lands on a canvas heightPx tall, in CSS px from the top and from the
 * centre line, for a camera at `position` looking at `target` (a pinhole, no roll). */
export function project(fit, [x, y, z], { fovDegrees, aspect, heightPx }) {
  const sub = (a, b) => a.map((v, i) => v - b[i]);
  const dot = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);
  const norm = (a) => a.map((v) => v / Math.hypot(...a));
  const cross = (a, b) => [
    a[1] * b[2] - a[2] * b[1],
    a[2] * b[0] - a[0] * b[2],
    a[0] * b[1] - a[1] * b[0],
  ];
  const forward = norm(sub(fit.target, fit.position));
  const right = norm(cross(forward, [0, 1, 0]));
  const up = cross(right, forward);
  const rel = sub([x, y, z], fit.position);
  const depth = dot(rel, forward);
  const tan = Math.tan((fovDegrees * Math.PI) / 360);
  const ndcY = dot(rel, up) / (depth * tan);
  const ndcX = dot(rel, right) / (depth * tan * aspect);
  return { fromTop: ((1 - ndcY) / 2) * heightPx, ndcX, depth };
}
