/**
 * SVG → PNG without a browser, on `@resvg/resvg-wasm` with the DejaVu fonts from Debian's `fonts-dejavu-core`, and
 * bytes → base64 for `data:` URLs. Raw pixels → PNG is `encodePng` in `lib/data/png.ts`.
 * @module
 */
import { initWasm, Resvg } from "@resvg/resvg-wasm";
import { existsSync } from "node:fs";
import { join, PROJECT_ROOT } from "../util/mod.ts";

/** Where the DejaVu fonts live on Debian (`fonts-dejavu-core`). */
export const FONT_DIR = "/usr/share/fonts/truetype/dejavu";
const FONT_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSansMono.ttf"];

let ready: Promise<Uint8Array[]> | null = null;
let warned = false;

function wasmPath(): string {
  const candidates = [
    join(PROJECT_ROOT, "node_modules", "@resvg", "resvg-wasm", "index_bg.wasm"),
    join(
      PROJECT_ROOT,
      "node_modules",
      ".deno",
      "@resvg+resvg-wasm@2.6.2",
      "node_modules",
      "@resvg",
      "resvg-wasm",
      "index_bg.wasm",
    ),
  ];
  const found = candidates.find((p) => existsSync(p));
  if (!found) {
    throw new Error(`Cannot load resvg: ${candidates[0]} is missing; run \`deno install\` in ${PROJECT_ROOT}`);
  }
  return found;
}

/** Initialises resvg-wasm once and loads the fonts; warns once on stderr when the DejaVu fonts are missing. */
function init(): Promise<Uint8Array[]> {
  ready ??= (async () => {
    await initWasm(await Deno.readFile(wasmPath()));
    const fonts: Uint8Array[] = [];
    for (const f of FONT_FILES) {
      const path = join(FONT_DIR, f);
      if (existsSync(path)) fonts.push(await Deno.readFile(path));
    }
    if (fonts.length === 0 && !warned) {
      warned = true;
      console.warn(
        `warning: no fonts in ${FONT_DIR} (install Debian's fonts-dejavu-core): PNG charts will have no text`,
      );
    }
    return fonts;
  })();
  return ready;
}

/** Options for {@link svgToPng}. */
export interface SvgToPngOptions {
  /** Pixel scale relative to the SVG's size (2 = double resolution). @default 2 */
  scale?: number;
  /** Background colour (any CSS colour). @default "white" */
  background?: string;
}

/** Renders an SVG document to PNG bytes at `scale` × its own size. */
export async function svgToPng(svg: string, options: SvgToPngOptions = {}): Promise<Uint8Array> {
  const scale = options.scale ?? 2;
  if (!(scale > 0 && scale <= 16)) throw new RangeError(`Cannot render SVG at scale ${scale}: expected 0 < scale ≤ 16`);
  const fontBuffers = await init();
  const resvg = new Resvg(svg, {
    background: options.background ?? "white",
    fitTo: { mode: "zoom", value: scale },
    font: {
      fontBuffers,
      defaultFontFamily: "DejaVu Sans",
      sansSerifFamily: "DejaVu Sans",
      monospaceFamily: "DejaVu Sans Mono",
      defaultFontSize: 10,
    },
  });
  try {
    const image = resvg.render();
    try {
      return image.asPng();
    } finally {
      image.free();
    }
  } finally {
    resvg.free();
  }
}

/** Base64 of bytes (for `data:` URLs). */
export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}
