/**
 * A terminal progress bar with an ETA, written to stderr (stdout stays clean for results).
 * @module
 */

/** Formats seconds as `1h02m`, `3m05s` or `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return "?";
  const s = Math.max(0, Math.round(seconds));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${s}s`;
}

/** Options for {@link Progress}. */
export interface ProgressOptions {
  /** Label printed before the bar. */
  label?: string;
  /** Minimum milliseconds between redraws. @default 200 */
  intervalMs?: number;
  /** Write somewhere else than stderr (tests). */
  write?: (text: string) => void;
  /** Silence the bar entirely. @default false, or true when PPAD_QUIET=1 */
  quiet?: boolean;
  /** Units already done in an earlier sitting (a resumed run): shown as done, left out of the rate and ETA. @default 0 */
  resumedAt?: number;
}

/** A progress bar over `total` units of work, with rate and ETA. */
export class Progress {
  readonly total: number;
  done = 0;
  #start = performance.now();
  #last = 0;
  #label: string;
  #interval: number;
  #write: (text: string) => void;
  #quiet: boolean;
  #tty: boolean;
  #note = "";
  #printed = -1;
  #resumedAt: number;

  constructor(total: number, options: ProgressOptions = {}) {
    this.total = Math.max(0, total);
    this.#label = options.label ?? "";
    this.#interval = options.intervalMs ?? 200;
    const encoder = new TextEncoder();
    this.#write = options.write ?? ((t) => Deno.stderr.writeSync(encoder.encode(t)));
    this.#quiet = options.quiet ?? (Deno.env.get("PPAD_QUIET") === "1");
    this.#tty = options.write ? false : Deno.stderr.isTerminal();
    this.#resumedAt = Math.min(this.total, Math.max(0, options.resumedAt ?? 0));
    this.done = this.#resumedAt;
  }

  /** Seconds since the bar started. */
  get elapsed(): number {
    return (performance.now() - this.#start) / 1000;
  }

  /** Estimated seconds remaining. */
  get eta(): number {
    const doneHere = this.done - this.#resumedAt;
    return doneHere > 0 ? (this.elapsed / doneHere) * (this.total - this.done) : Infinity;
  }

  /** Advances by `n` units, with an optional note (e.g. the current loss). */
  tick(n = 1, note?: string): void {
    this.done = Math.min(this.total, this.done + n);
    if (note !== undefined) this.#note = note;
    const now = performance.now();
    if (this.done === this.total || now - this.#last >= this.#interval) {
      this.#last = now;
      this.#draw();
    }
  }

  /** Renders the current line. */
  render(): string {
    const width = 24;
    const frac = this.total > 0 ? this.done / this.total : 1;
    const filled = Math.round(frac * width);
    const bar = "█".repeat(filled) + "░".repeat(width - filled);
    const rate = (this.done - this.#resumedAt) / Math.max(this.elapsed, 1e-9);
    const label = this.#label ? `${this.#label} ` : "";
    const note = this.#note ? ` ${this.#note}` : "";
    return `${label}${bar} ${this.done}/${this.total} ${(frac * 100).toFixed(0)}% ` +
      `${rate >= 1 ? rate.toFixed(1) + "/s" : (1 / Math.max(rate, 1e-9)).toFixed(1) + "s/it"} ` +
      `elapsed ${formatDuration(this.elapsed)} eta ${formatDuration(this.eta)}${note}`;
  }

  #draw(): void {
    if (this.#quiet) return;
    if (this.#tty) this.#write(`\r\x1b[2K${this.render()}`);
    else if (this.done === this.total || this.done % Math.max(1, Math.floor(this.total / 10)) === 0) {
      this.#printed = this.done;
      this.#write(`${this.render()}\n`);
    }
  }

  /** Finishes the bar (newline on a terminal). */
  finish(): void {
    this.done = this.total;
    if (this.#quiet) return;
    if (this.#tty) this.#write(`\r\x1b[2K${this.render()}\n`);
    else if (this.#printed !== this.done) this.#write(`${this.render()}\n`);
  }
}
