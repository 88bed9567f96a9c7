/**
 * Reporting: charts (Observable Plot → standalone SVG/PNG), the standard ablation charts, region heat maps,
 * tidy tables (arquero, CSV, Markdown) and Jupyter display for the Deno kernel.
 * @module
 */
export { CHART_FONT, escapeXml, type RenderedPlot, renderPlot, textWidth } from "./plot.ts";
export { encodePng, type PngPixels, type RasterImage } from "../data/png.ts";
export { FONT_DIR, svgToPng, type SvgToPngOptions, toBase64 } from "./png.ts";
export { saveChart, type SavedChart, saveSvg } from "./save.ts";
export {
  ablationBars,
  type AblationBarsOptions,
  type AblationRow,
  CLASS_COLORS,
  className,
  type CurveOptions,
  lossCurve,
  type LossCurveOptions,
  type LossRow,
  type PrCurve,
  prCurves,
  type RocCurve,
  rocCurves,
  scoreDistributions,
  type ScoreDistributionsOptions,
  type ScoreRow,
} from "./charts.ts";
export {
  type HeatmapRegion,
  regionHeatmap,
  type RegionHeatmapOptions,
  regionHeatmapSvg,
  type RegionHeatmapSvgOptions,
} from "./heatmap.ts";
export {
  autoRange,
  drawOverlays,
  type GrayOptions,
  grayToRgb,
  type Overlay,
  PROBABILITY_RAMP,
  rampColor,
  type Rgb,
  rgbHex,
  upscale,
} from "./image.ts";
export {
  type Cell,
  type ColumnTable,
  formatCell,
  formatMeanStd,
  type FormatOptions,
  isNumericColumn,
  markdownTable,
  meanStd,
  readCsvTable,
  summarise,
  type SummariseOptions,
  type SummaryRow,
  type TidyRecord,
  toTidy,
  type ToTidyOptions,
  writeCsvAtomic,
} from "./tables.ts";
export {
  DISPLAY,
  display,
  type Displayable,
  displayable,
  escapeHtml,
  type MimeBundle,
  showImage,
  type ShowImageOptions,
  showPlot,
  showRaster,
  showSvg,
  showTable,
  type ShowTableOptions,
  showTensor,
  showText,
} from "./display.ts";
