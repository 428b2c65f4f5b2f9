/**
 * Where a block sits on its page, as Textract reports it: an axis-aligned bounding box and a
 * polygon, both as ratios of the page's width and height (0–1, origin top-left), and, where
 * Textract sends it, the rotation of the block's text (shared/vendors/textract.md §3).
 */

/** An axis-aligned box as ratios of the page size. @public */
export interface BoundingBox {
  left: number;
  top: number;
  width: number;
  height: number;
}

/** One polygon vertex as ratios of the page size. @public */
export interface Point {
  x: number;
  y: number;
}

/** A block's position on its page: bounding box and polygon (clockwise from top-left, usually four points). @public */
export interface Geometry {
  boundingBox: BoundingBox;
  polygon: Point[];
  /** Rotation of the block's text in degrees, present only when Textract reports `RotationAngle`. */
  rotationAngle?: number | undefined;
}

/** A block's `Geometry` as on the wire. @public */
export interface WireGeometry {
  BoundingBox?: { Left?: number | undefined; Top?: number | undefined; Width?: number | undefined; Height?: number | undefined } | undefined;
  Polygon?: { X?: number | undefined; Y?: number | undefined }[] | undefined;
  RotationAngle?: number | undefined;
}

// The parser runs on whatever the result pages hold: a field that is not a finite number reads
// as 0 and a Polygon that is not a list as no points, rather than throwing mid-stream.
const ratio = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);

/** The wire geometry of a block as a {@link Geometry}, or `undefined` when the block carries none. @public */
export function toGeometry(wire: WireGeometry | undefined): Geometry | undefined {
  const box = wire?.BoundingBox;
  if (!box || typeof box !== "object") return undefined;
  const polygon = Array.isArray(wire.Polygon) ? wire.Polygon : [];
  const geometry: Geometry = {
    boundingBox: { left: ratio(box.Left), top: ratio(box.Top), width: ratio(box.Width), height: ratio(box.Height) },
    polygon: polygon.map((p) => ({ x: ratio(p?.X), y: ratio(p?.Y) })),
  };
  const angle = wire.RotationAngle;
  if (typeof angle === "number" && Number.isFinite(angle)) geometry.rotationAngle = angle;
  return geometry;
}
