/**
 * Observable Plot in Deno, without a browser: charts are rendered against `linkedom`'s DOM and returned as one
 * standalone SVG document. When Plot would return an HTML `<figure>` (a title, subtitle, caption or legend), the
 * figure is re-laid out as pure SVG (title text, swatch row, the plot) so that the `.svg` file opens on its own and
 * converts to PNG without a browser.
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";

/** A rendered chart: a standalone SVG document, and the same chart as an HTML fragment for notebooks and pages. */
export interface RenderedPlot {
  /** A complete `<svg xmlns="http://www.w3.org/2000/svg" …>` document. */
  svg: string;
  /** An HTML fragment holding the inline SVG (what notebooks display as `text/html`). */
  html: string;
  /** Pixel size of the SVG. */
  width: number;
  height: number;
}

const SVG_NS = "http://www.w3.org/2000/svg";
/** Font stack written on every chart; PNG rendering maps `sans-serif` to DejaVu Sans. */
export const CHART_FONT = "DejaVu Sans, system-ui, sans-serif";

const NEEDS_CANVAS = "Cannot render plot: it needs a canvas (a continuous colour legend or Plot.raster); " +
  "use a quantize/threshold colour scale or cell marks";

type LinkedomDocument = ReturnType<typeof parseHTML>["document"];

let cachedDocument: LinkedomDocument | null = null;
function chartDocument(): LinkedomDocument {
  cachedDocument ??= parseHTML("<!DOCTYPE html><html><head></head><body></body></html>").document;
  return cachedDocument;
}

/**
 * Renders Plot options to a standalone SVG (and an HTML fragment).
 * `options.document` is supplied here; do not pass one. Continuous colour legends and `Plot.raster` need a canvas and
 * are rejected: use quantize/threshold colour scales or cell marks.
 * @example
 * ```ts
 * const { svg } = renderPlot({ marks: [Plot.dot([{ x: 1, y: 2 }], { x: "x", y: "y" })] });
 * // svg starts with `<svg xmlns="http://www.w3.org/2000/svg"`
 * ```
 */
export function renderPlot(options: Plot.PlotOptions): RenderedPlot {
  const document = chartDocument();
  if (typeof options.style === "string") {
    throw new TypeError("Cannot render plot: options.style must be an object (linkedom cannot parse a style string)");
  }
  const style = { fontFamily: CHART_FONT, ...(options.style ?? {}) };
  let node: Element;
  try {
    node = Plot.plot({ ...options, style, document: document as unknown as Document }) as unknown as Element;
  } catch (err) {
    if (/getContext|canvas|fillStyle|toDataURL|ImageData/i.test(String((err as Error)?.message))) {
      throw new TypeError(NEEDS_CANVAS);
    }
    throw err;
  }
  if (node.querySelector("canvas")) throw new TypeError(NEEDS_CANVAS);
  const { svg, width, height } = node.tagName.toLowerCase() === "svg" ? standalone(node) : figureToSvg(node);
  return { svg, width, height, html: `<div class="ppad-chart" style="max-width:100%;overflow-x:auto">${svg}</div>` };
}

function numAttr(el: Element, name: string, fallback: number): number {
  const v = Number(el.getAttribute(name));
  return Number.isFinite(v) && v > 0 ? v : fallback;
}

function standalone(svg: Element): { svg: string; width: number; height: number } {
  svg.setAttribute("xmlns", SVG_NS);
  return { svg: svg.outerHTML, width: numAttr(svg, "width", 640), height: numAttr(svg, "height", 400) };
}

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** Approximate rendered width of `text` in pixels at `fontSize` (DejaVu Sans averages ≈0.62 em per character). */
export function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * 0.62;
}

/** How the figure's text elements are set: font size, weight, colour, line height and the space after the block. */
const HEADINGS: Record<string, { size: number; weight: string; fill: string; lineHeight: number; after: number }> = {
  h2: { size: 16, weight: "bold", fill: "#111", lineHeight: 18, after: 8 },
  h3: { size: 12, weight: "normal", fill: "#555", lineHeight: 14, after: 6 },
  figcaption: { size: 11, weight: "normal", fill: "#555", lineHeight: 14, after: 6 },
};

/** `content` broken at spaces into lines no wider than `maxWidth` px at `fontSize` (see {@link textWidth}). */
export function wrapText(content: string, fontSize: number, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of content.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (line && textWidth(candidate, fontSize) > maxWidth) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  return line ? [...lines, line] : lines.length > 0 ? lines : [""];
}

/** Lays out Plot's HTML `<figure>` (h2 title, h3 subtitle, swatches or ramp legends, the plot, figcaption) as one SVG. */
function figureToSvg(figure: Element): { svg: string; width: number; height: number } {
  const children = Array.from(figure.children) as Element[];
  const svgs = children.filter((c) => c.tagName.toLowerCase() === "svg");
  const width = Math.max(320, ...svgs.map((s) => numAttr(s, "width", 640)));
  const parts: string[] = [];
  let y = 6;
  for (const child of children) {
    const tag = child.tagName.toLowerCase();
    const heading = HEADINGS[tag];
    if (heading) {
      for (const line of wrapText(child.textContent ?? "", heading.size, width - 16)) {
        y += heading.lineHeight;
        parts.push(text(8, y, line, heading.size, heading.weight, heading.fill));
      }
      y += heading.after;
    } else if (tag === "svg") {
      const h = numAttr(child, "height", 50);
      child.setAttribute("x", "0");
      child.setAttribute("y", String(y));
      child.removeAttribute("xmlns");
      parts.push(child.outerHTML);
      y += h;
    } else if (tag === "div" && child.querySelector("span")) {
      const laid = swatches(child, y, width);
      parts.push(laid.svg);
      y = laid.bottom;
    } else {
      throw new TypeError(`Cannot lay out plot figure: unexpected <${tag}> element`);
    }
  }
  const height = Math.ceil(y + 4);
  const svg = `<svg xmlns="${SVG_NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
    `font-family="${CHART_FONT}" font-size="10" fill="currentColor">` +
    `<rect width="100%" height="100%" fill="white"/>${parts.join("")}</svg>`;
  return { svg, width, height };
}

function text(x: number, y: number, content: string, size: number, weight: string, fill: string): string {
  return `<text x="${x}" y="${y}" font-size="${size}" font-weight="${weight}" fill="${fill}">${
    escapeXml(content)
  }</text>`;
}

/** Lays Plot's swatch legend (`<span><svg/>label</span>` items) out as rows of SVG swatches starting at `top`. */
function swatches(div: Element, top: number, width: number): { svg: string; bottom: number } {
  const items = Array.from(div.querySelectorAll("span")) as Element[];
  const rowHeight = 20;
  let x = 8;
  let row = 0;
  const out: string[] = [];
  for (const item of items) {
    const sw = item.querySelector("svg");
    if (!sw) continue;
    const label = (item.textContent ?? "").trim();
    const sw_w = numAttr(sw, "width", 15);
    const sw_h = numAttr(sw, "height", 15);
    const itemWidth = sw_w + 6 + textWidth(label, 11) + 16;
    if (x > 8 && x + itemWidth > width) {
      x = 8;
      row++;
    }
    const cy = top + 6 + row * rowHeight + rowHeight / 2;
    sw.setAttribute("x", String(x));
    sw.setAttribute("y", String(cy - sw_h / 2));
    out.push(sw.outerHTML);
    out.push(
      `<text x="${x + sw_w + 6}" y="${cy}" dy="0.35em" font-size="11" fill="#222">${escapeXml(label)}</text>`,
    );
    x += itemWidth;
  }
  return { svg: `<g aria-label="legend">${out.join("")}</g>`, bottom: top + 6 + (row + 1) * rowHeight + 4 };
}
