/**
 * Where a block sits on its page, as Textract reports it: an axis-aligned bounding box and a
 * polygon, both as ratios of the page's width and height (0–1, origin top-left).
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
}

/** A block's `Geometry` as on the wire. @public */
export interface WireGeometry {
  BoundingBox?: { Left?: number | undefined; Top?: number | undefined; Width?: number | undefined; Height?: number | undefined } | undefined;
  Polygon?: { X?: number | undefined; Y?: number | undefined }[] | undefined;
}

/** The wire geometry of a block as a {@link Geometry}, or `undefined` when the block carries none. @public */
export function toGeometry(wire: WireGeometry | undefined): Geometry | undefined {
  const box = wire?.BoundingBox;
  if (!box) return undefined;
  return {
    boundingBox: { left: box.Left ?? 0, top: box.Top ?? 0, width: box.Width ?? 0, height: box.Height ?? 0 },
    polygon: (wire.Polygon ?? []).map((p) => ({ x: p.X ?? 0, y: p.Y ?? 0 })),
  };
}
