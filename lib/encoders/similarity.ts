/**
 * Cosine similarity between embeddings (e.g. text features of report sentences and class prompts).
 * @module
 */

/** One cell of a cosine-similarity matrix. */
export interface SimilarityRow {
  a: string;
  b: string;
  cosine: number;
}

/**
 * Cosine similarity of every pair of embeddings: `features` `[n][dim]` labelled by `labels` `[n]` → `[n·n]` rows
 * (row-major: `a` = labels[i], `b` = labels[j]).
 */
export function cosineRows(labels: readonly string[], features: readonly ArrayLike<number>[]): SimilarityRow[] {
  if (labels.length !== features.length) {
    throw new RangeError(`Cannot compare embeddings: ${labels.length} labels for ${features.length} feature rows`);
  }
  if (new Set(labels).size !== labels.length) throw new RangeError("Cannot compare embeddings: labels must be unique");
  const norms = features.map((f) => {
    let s = 0;
    for (let k = 0; k < f.length; k++) s += f[k] * f[k];
    return Math.sqrt(s);
  });
  const rows: SimilarityRow[] = [];
  for (let i = 0; i < features.length; i++) {
    for (let j = 0; j < features.length; j++) {
      const fi = features[i], fj = features[j];
      if (fi.length !== fj.length) {
        throw new RangeError(`Cannot compare embeddings: rows ${i} and ${j} have ${fi.length} and ${fj.length} values`);
      }
      let dot = 0;
      for (let k = 0; k < fi.length; k++) dot += fi[k] * fj[k];
      const denom = norms[i] * norms[j];
      rows.push({ a: labels[i], b: labels[j], cosine: denom > 0 ? dot / denom : NaN });
    }
  }
  return rows;
}

/** One sentence against two reference labels (e.g. the class prompts): both cosines and the nearer one. */
export type NearerRow = {
  sentence: string;
  [cosine: `cos(${string})`]: number;
  nearer: string;
};

/**
 * For each label of `rows` other than the two `references`, its cosine with each reference and which one is nearer
 * (ties go to the second). `rows` from {@link cosineRows}; labels in their order there.
 */
export function nearerOf(rows: readonly SimilarityRow[], references: readonly [string, string]): NearerRow[] {
  const [first, second] = references;
  const cosine = (a: string, b: string) => {
    const row = rows.find((r) => r.a === a && r.b === b);
    if (!row) throw new RangeError(`Cannot compare ${JSON.stringify(a)} with ${JSON.stringify(b)}: no such pair`);
    return row.cosine;
  };
  const labels = [...new Set(rows.map((r) => r.a))].filter((l) => l !== first && l !== second);
  return labels.map((sentence) => {
    const [c1, c2] = [cosine(sentence, first), cosine(sentence, second)];
    return { sentence, [`cos(${first})`]: c1, [`cos(${second})`]: c2, nearer: c1 > c2 ? first : second } as NearerRow;
  });
}
