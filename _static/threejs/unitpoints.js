// Every unit of a network as one point sprite, whatever it looks like: a filled disc, the outline
// of a unit not reached yet, a diamond (inf) or a square (NaN). In software WebGL each triangle
// costs its setup however small it is drawn, so 6,144 units as 20-triangle meshes took about
// 300 ms a frame; as points they cost one vertex each. The sprite's size is the unit's radius in
// world units, so it shrinks with distance like the meshes did. Unlit: the pixel is the colour.

import { BufferAttribute, BufferGeometry, Points, ShaderMaterial } from 'three';

/** What the fragment shader cuts out of the sprite (values of the `shape` attribute). */
export const SHAPE = Object.freeze({ DISC: 0, OUTLINE: 1, DIAMOND: 2, SQUARE: 3, NONE: 4 });
/** Inner edge of an outline, as a share of its radius. */
const OUTLINE_INNER = 0.62;

const vertexShader = /* glsl */ `
attribute float size;
attribute float shape;
attribute vec3 unitColor;
uniform float uScale;
varying vec3 vColor;
varying float vShape;
void main() {
  vec4 mv = modelViewMatrix * vec4(position, 1.0);
  gl_Position = projectionMatrix * mv;
  gl_PointSize = 2.0 * size * uScale / -mv.z;
  vColor = unitColor;
  vShape = shape;
}`;

const fragmentShader = /* glsl */ `
varying vec3 vColor;
varying float vShape;
void main() {
  vec2 p = gl_PointCoord * 2.0 - 1.0;
  float r = length(p);
  if (vShape < 0.5) { if (r > 1.0) discard; }
  else if (vShape < 1.5) { if (r > 1.0 || r < ${OUTLINE_INNER.toFixed(2)}) discard; }
  else if (vShape < 2.5) { if (abs(p.x) + abs(p.y) > 1.0) discard; }
  else if (vShape > 3.5) discard;
  gl_FragColor = vec4(vColor, 1.0);
  #include <colorspace_fragment>
}`;

export function unitMaterial() {
  return new ShaderMaterial({ uniforms: { uScale: { value: 500 } }, vertexShader, fragmentShader });
}

/** The points of a layout's units, with colour, size and shape per unit (all filled in later). */
export function unitPoints(positions, material) {
  const n = positions.length / 3;
  const geometry = new BufferGeometry();
  geometry.setAttribute('position', new BufferAttribute(positions, 3));
  const color = new BufferAttribute(new Float32Array(n * 3), 3);
  const size = new BufferAttribute(new Float32Array(n), 1);
  const shape = new BufferAttribute(new Float32Array(n).fill(SHAPE.NONE), 1);
  geometry.setAttribute('unitColor', color);
  geometry.setAttribute('size', size);
  geometry.setAttribute('shape', shape);
  const points = new Points(geometry, material);
  return { points, color, size, shape };
}

/** Pixels per world unit at distance 1, for a canvas `heightPx` device pixels tall. */
export function pointScale(heightPx, fovDegrees) {
  return heightPx / (2 * Math.tan((fovDegrees * Math.PI) / 360));
}
