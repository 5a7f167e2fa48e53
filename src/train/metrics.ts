/**
 * Evaluation of a classifier from its predicted class probabilities: accuracy, ROC AUC
 * (binary; macro one-vs-rest for more classes), sensitivity and specificity (binary: of the
 * positive class, index 1; more classes: macro averages over one-vs-rest). What a clinician
 * reading the log wants besides accuracy: how many positives are missed, how many negatives
 * are flagged.
 */
export interface Metrics {
  readonly accuracy: number
  readonly auc: number | null
  readonly sensitivity: number | null
  readonly specificity: number | null
  readonly samples: number
}

/** Mann–Whitney AUC with average ranks for ties; null without both positives and negatives. */
export function rocAuc (scores: ArrayLike<number>, positive: ArrayLike<boolean>): number | null {
  const idx = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!)
  let pos = 0
  let rankSum = 0
  for (let i = 0; i < idx.length;) {
    let j = i
    while (j + 1 < idx.length && scores[idx[j + 1]!] === scores[idx[i]!]) j++
    const avgRank = (i + j) / 2 + 1
    for (let k = i; k <= j; k++) if (positive[idx[k]!]) { pos++; rankSum += avgRank }
    i = j + 1
  }
  const neg = scores.length - pos
  if (pos === 0 || neg === 0) return null
  return (rankSum - pos * (pos + 1) / 2) / (pos * neg)
}

/** `probabilities`: N × K row-major; `labels`: N class indices. */
export function evaluate (probabilities: Float32Array, labels: Int32Array, classes: number): Metrics {
  const n = labels.length
  if (n === 0) return { accuracy: 0, auc: null, sensitivity: null, specificity: null, samples: 0 }
  const predicted = new Int32Array(n)
  let correct = 0
  for (let i = 0; i < n; i++) {
    let best = 0
    for (let k = 1; k < classes; k++) if (probabilities[i * classes + k]! > probabilities[i * classes + best]!) best = k
    predicted[i] = best
    if (best === labels[i]) correct++
  }
  const oneVsRest = (c: number): { auc: number | null, sens: number | null, spec: number | null } => {
    const scores = Float32Array.from({ length: n }, (_, i) => probabilities[i * classes + c]!)
    const positive = Array.from(labels, (l) => l === c)
    let tp = 0; let fn = 0; let tn = 0; let fp = 0
    for (let i = 0; i < n; i++) {
      const p = predicted[i] === c
      if (positive[i]) { if (p) tp++; else fn++ } else if (p) fp++; else tn++
    }
    return { auc: rocAuc(scores, positive), sens: tp + fn > 0 ? tp / (tp + fn) : null, spec: tn + fp > 0 ? tn / (tn + fp) : null }
  }
  if (classes === 2) {
    const r = oneVsRest(1)
    return { accuracy: correct / n, auc: r.auc, sensitivity: r.sens, specificity: r.spec, samples: n }
  }
  const per = Array.from({ length: classes }, (_, c) => oneVsRest(c))
  const mean = (xs: Array<number | null>): number | null => {
    const v = xs.filter((x): x is number => x !== null)
    return v.length === 0 ? null : v.reduce((a, b) => a + b, 0) / v.length
  }
  return { accuracy: correct / n, auc: mean(per.map((p) => p.auc)), sensitivity: mean(per.map((p) => p.sens)), specificity: mean(per.map((p) => p.spec)), samples: n }
}
