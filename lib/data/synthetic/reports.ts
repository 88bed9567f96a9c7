/**
 * Radiology-style report sentences for synthetic cases: templates with synonyms, chosen by an `Rng`.
 *
 * Convention: the manifest records the IMAGE side; reports speak in PATIENT terms, as radiologists do on a PA film:
 * image left = the patient's "right", image right = the patient's "left".
 * @module
 */
import type { Rng } from "../../util/mod.ts";
import type { FindingDetails, FindingKind, Zone } from "./findings.ts";

/** Image side recorded in the manifest. `both` = bilateral/central (cardiomegaly), `none` = normal. */
export type ImageSide = "left" | "right" | "both" | "none";

/** What a report describes. */
export interface ReportInput {
  finding: FindingKind | "normal";
  /** Image side. */
  side: ImageSide;
  zone: Zone | "none";
  details: FindingDetails;
}

/** The patient's side for an image side (image left = patient right). */
export function patientSide(side: "left" | "right"): "right" | "left" {
  return side === "left" ? "right" : "left";
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** "the right lower zone", "the left lung base", … for a patient side and zone. */
function location(rng: Rng, side: "right" | "left", zone: Zone): string {
  const words: Record<Zone, string[]> = {
    upper: [`${side} upper zone`, `${side} upper lung zone`, `${side} upper lung`],
    middle: [`${side} mid zone`, `${side} middle zone`, `${side} mid lung zone`, `${side} mid lung`],
    lower: [`${side} lower zone`, `${side} lower lung zone`, `${side} lung base`, `${side} base`],
  };
  return `the ${rng.pick(words[zone])}`;
}

function sizeText(mm: number): string {
  return mm < 10 ? `${Math.round(mm)} mm` : `${(mm / 10).toFixed(1)} cm`;
}

function normalReport(rng: Rng): string {
  const impression = [
    "No acute cardiopulmonary process.",
    "No acute cardiopulmonary abnormality.",
    "Normal chest radiograph.",
    "No radiographic evidence of acute disease.",
  ];
  const clauses = [
    ["The lungs are clear.", "Lungs are clear bilaterally.", "Clear lungs.", "No focal consolidation."],
    ["No pleural effusion or pneumothorax.", "No effusion or pneumothorax.", "The costophrenic angles are sharp."],
    [
      "Heart size is normal.",
      "The cardiomediastinal silhouette is within normal limits.",
      "Normal heart size.",
      "Cardiomediastinal contours are normal.",
    ],
  ];
  if (rng.bernoulli(0.35)) return rng.pick(impression);
  const parts = rng.shuffle(clauses).slice(0, rng.int(2, 3)).map((c) => rng.pick(c));
  if (rng.bernoulli(0.4)) parts.push(rng.pick(impression));
  return parts.join(" ");
}

function findingSentence(rng: Rng, input: ReportInput): string {
  const d = input.details;
  if (input.finding === "cardiomegaly") {
    const ctr = (d.ctr ?? 0.6).toFixed(2);
    const grade = (d.ctr ?? 0.6) < 0.58 ? "Mild" : (d.ctr ?? 0.6) < 0.64 ? "Moderate" : "Marked";
    return rng.pick([
      `The heart is enlarged (cardiothoracic ratio approximately ${ctr}).`,
      `${grade} cardiomegaly.`,
      `Enlarged cardiac silhouette, cardiothoracic ratio ${ctr}.`,
      `${grade} enlargement of the cardiac silhouette; the lungs are clear.`,
    ]);
  }
  const side = patientSide(input.side as "left" | "right");
  const zone = input.zone as Zone;
  const loc = location(rng, side, zone);
  switch (input.finding) {
    case "consolidation": {
      const ab = d.bronchograms ? " with air bronchograms" : "";
      return rng.pick([
        `Patchy opacity in ${loc}${ab}, concerning for pneumonia.`,
        `Airspace consolidation in ${loc}${ab}, consistent with pneumonia.`,
        `Ill-defined airspace opacity in ${loc}${ab}, suspicious for infection.`,
        `Focal consolidation in ${loc}${ab}; pneumonia is likely.`,
      ]);
    }
    case "nodule": {
      const mm = d.diameterMm ?? 10;
      const size = sizeText(mm);
      const margin = d.margin === "smooth"
        ? rng.pick(["well-circumscribed", "smoothly marginated", "round"])
        : d.margin ?? "lobulated";
      if (mm >= 30) {
        return rng.pick([
          `A ${size} ${margin} mass in ${loc}, suspicious for malignancy.`,
          `${cap(margin)} mass (${size}) in ${loc}; further evaluation with CT is recommended.`,
          `There is a ${size} mass in ${loc}.`,
        ]);
      }
      return rng.pick([
        `A ${size} ${margin} nodule in ${loc}.`,
        `${cap(margin)} pulmonary nodule (${size}) projecting over ${loc}; CT is recommended for characterisation.`,
        `Solitary pulmonary nodule, ${size}, in ${loc}.`,
      ]);
    }
    case "effusion":
      if (d.severity === "small") {
        return rng.pick([
          `Small ${side} pleural effusion with blunting of the costophrenic angle.`,
          `Blunting of the ${side} costophrenic angle, consistent with a small pleural effusion.`,
          `Small ${side}-sided pleural effusion.`,
        ]);
      }
      return rng.pick([
        `Moderate ${side} pleural effusion with a meniscus, obscuring the ${side} hemidiaphragm.`,
        `${cap(side)} pleural effusion of moderate size.`,
        `Moderate ${side}-sided effusion with basal opacity and loss of the ${side} hemidiaphragm.`,
      ]);
    case "pneumothorax": {
      const sev = d.severity ?? "small";
      if (zone !== "upper") {
        return rng.pick([
          `${cap(sev)} ${side} pneumothorax along the lateral chest wall.`,
          `${cap(sev)} ${side} pneumothorax with a visible pleural line and absent lung markings peripherally.`,
        ]);
      }
      return rng.pick([
        `${cap(sev)} ${side} apical pneumothorax.`,
        `${cap(sev)} ${side} pneumothorax with a visible pleural line and absent lung markings peripherally.`,
        `A visceral pleural line at the ${side} apex with no lung markings beyond it, consistent with a ${sev} pneumothorax.`,
      ]);
    }
    case "atelectasis": {
      const raised = d.volumeLoss ? ` with mild elevation of the ${side} hemidiaphragm` : "";
      return rng.pick([
        `Linear opacity in ${loc}${raised}, likely subsegmental atelectasis.`,
        `Plate-like atelectasis in ${loc}${raised}.`,
        `Band-like opacity in ${loc}${raised}, compatible with discoid atelectasis.`,
      ]);
    }
  }
  throw new RangeError(`Cannot write a report: unknown finding ${input.finding}`);
}

/** A short report for a case: normal phrasing, or the finding with its location words, sometimes plus a normal clause. */
export function writeReport(rng: Rng, input: ReportInput): string {
  if (input.finding === "normal") return normalReport(rng);
  const main = findingSentence(rng, input);
  if (!rng.bernoulli(0.5)) return main;
  const extras: string[] = [];
  if (input.finding !== "pneumothorax") extras.push("No pneumothorax.");
  if (input.finding !== "effusion") extras.push(rng.pick(["No pleural effusion.", "No effusion."]));
  if (input.finding !== "cardiomegaly") extras.push(rng.pick(["Heart size is normal.", "Normal heart size."]));
  return `${main} ${rng.pick(extras)}`;
}
