/**
 * Composite notebook outputs: a grid of displays, encoded PNG bytes as an inline image, and sentences as a bulleted
 * list. Each returns one displayable (`text/html` plus `text/plain`).
 * @module
 */
import { DISPLAY, type Displayable, displayable, escapeHtml } from "./display.ts";
import { toBase64 } from "./png.ts";

/** Options for {@link showGrid}. */
export interface ShowGridOptions {
  /** Items per row. @default 4 */
  columns?: number;
  /** A caption above the grid. */
  caption?: string;
}

/**
 * Lays displayable items (images, charts, tables) out in a grid of `columns` per row, as one `text/html` output;
 * items scale down when a row is wider than the page. Items `[n]` in reading order.
 */
export function showGrid(items: readonly Displayable[], options: ShowGridOptions = {}): Displayable {
  const columns = options.columns ?? 4;
  if (!(Number.isInteger(columns) && columns >= 1)) {
    throw new RangeError(`Cannot lay out a grid with ${columns} columns: expected a positive integer`);
  }
  const cells = items.map((item) => `<div style="min-width:0">${item[DISPLAY]()["text/html"]}</div>`).join("");
  const caption = options.caption
    ? `<div style="font-weight:bold;margin:4px 0">${escapeHtml(options.caption)}</div>`
    : "";
  // Columns take their content's width and shrink (charts and images scale down) when the row is too wide.
  const style = "<style>.ppad-grid svg,.ppad-grid img{max-width:100%;height:auto}</style>";
  const html = `<div class="ppad-grid">${style}${caption}<div style="display:grid;` +
    `grid-template-columns:repeat(${columns},minmax(0,max-content));gap:6px 12px;align-items:start">${cells}</div></div>`;
  const plain = items.map((item) => item[DISPLAY]()["text/plain"] ?? "[item]").join("\n");
  return displayable({ "text/html": html, "text/plain": `[grid of ${items.length}]\n${plain}` });
}

/** Encoded PNG bytes (e.g. `sasGallery`, `syntheticGallery`) as an inline `<img>` in `text/html`, plus `image/png`. */
export function showPng(png: Uint8Array, options: { caption?: string; width?: number } = {}): Displayable {
  const b64 = toBase64(png);
  const width = options.width ? ` width="${options.width}"` : "";
  const caption = options.caption
    ? `<figcaption style="font-size:12px;color:#444">${escapeHtml(options.caption)}</figcaption>`
    : "";
  return displayable({
    "text/html": `<figure style="margin:4px 0"><img${width} style="max-width:100%" src="data:image/png;base64,${b64}"` +
      ` alt="${escapeHtml(options.caption ?? "image")}"/>${caption}</figure>`,
    "image/png": b64,
    "text/plain": `[png${options.caption ? `: ${options.caption}` : ""}]`,
  });
}

/** Sentences as a bulleted HTML list (`text/html`), optionally under a bold caption. */
export function showBullets(sentences: readonly string[], options: { caption?: string } = {}): Displayable {
  const caption = options.caption
    ? `<div style="font-weight:bold;margin:4px 0">${escapeHtml(options.caption)}</div>`
    : "";
  const items = sentences.map((s) => `<li style="margin:3px 0">${escapeHtml(s)}</li>`).join("");
  return displayable({
    "text/html": `<div class="ppad-bullets">${caption}<ul style="max-width:900px">${items}</ul></div>`,
    "text/plain": sentences.map((s) => `- ${s}`).join("\n"),
  });
}
