/**
 * Reporting: charts (Observable Plot → standalone SVG/PNG), the standard ablation charts, region heat maps, charts of
 * the data (finding sizes, synthesised lesions) and of embedding similarity, tidy tables (arquero, CSV, Markdown, a
 * metrics row), score overlays and galleries as PNG, and Jupyter display for the Deno kernel (single outputs, grids,
 * bulleted sentences).
 * @module
 */
export { CHART_FONT, escapeXml, type RenderedPlot, renderPlot, textWidth, wrapText } from "./plot.ts";
export { encodePng, type PngPixels, type RasterImage } from "../data/mod.ts";
export { FONT_DIR, svgToPng, type SvgToPngOptions, toBase64 } from "./png.ts";
export { curveGrid, type CurveGridOptions } from "./curve_grid.ts";
export { listChartFiles, saveChart, type SavedChart, saveSvg } from "./save.ts";
export {
  type ZeroShotBand,
  zeroShotChart,
  type ZeroShotChartOptions,
  type ZeroShotPoint,
  type ZeroShotReference,
} from "./zero_shot_chart.ts";
export {
  ablationBars,
  type AblationBarsOptions,
  type AblationRow,
  bandRange,
  BASE_STYLE,
  CLASS_COLORS,
  className,
  type CurveOptions,
  lossCurve,
  type LossCurveOptions,
  type LossRow,
  type PrCurve,
  prCurves,
  regionAurocDots,
  type RegionAurocRow,
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
export { showBullets, showGrid, type ShowGridOptions, showPng } from "./layout.ts";
export { similarityChart, type SimilarityChartOptions } from "./similarity_chart.ts";
export { metricsRow, type MetricsRowOptions } from "./metric_rows.ts";
export { findingAreaChart, synthesisDrawChart } from "./data_charts.ts";
export { writeSyntheticGallery } from "./gallery.ts";
export { overlayNames, overlayPng } from "./overlay.ts";
