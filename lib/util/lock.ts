/**
 * Output folders: checked before any work starts (a file where a folder is wanted is an `InputError`), and locked
 * while a command writes to them. The lock file `<dir>/.ppad.lock` holds the holder's pid, host, command and start
 * time; a second process with the same folder exits 2 naming the holder. A lock left by a dead process on this host
 * is taken over, with a note on stderr.
 * @module
 */
import { InputError } from "./errors.ts";
import { join } from "./path.ts";

/** The lock file's name inside an output folder. */
export const LOCK_FILE = ".ppad.lock";

/** What a lock file holds. */
export interface LockInfo {
  pid: number;
  host: string;
  command: string;
  /** ISO time the holder took the lock. */
  started: string;
}

/** A held lock: `release()` removes the file (idempotent). */
export interface Lock {
  path: string;
  info: LockInfo;
  /** Set when a stale lock of a dead process was taken over. */
  tookOver: LockInfo | null;
  release(): void;
}

/**
 * Makes sure `dir` is (or can become) a folder; a file there, or a file on the way, is an `InputError` naming the flag.
 * Creates the folder.
 */
export async function ensureOutDir(dir: string, flag = "--out"): Promise<void> {
  const stat = await Deno.stat(dir).catch(() => null);
  if (stat && !stat.isDirectory) throw new InputError(`Cannot write to ${flag} ${dir}: it is a file, not a folder`);
  try {
    await Deno.mkdir(dir, { recursive: true });
  } catch (err) {
    throw new InputError(`Cannot create ${flag} ${dir}: ${(err as Error).message.split("\n")[0]}`);
  }
}

/** An input file of a command, for {@link ensureOutFile} to keep its output off it. */
export interface NamedInput {
  path: string;
  /** What the file is, for the message, e.g. `the --prompts file`. */
  what: string;
}

/**
 * Refuses an output file path that is a folder, whose parent is a file, or that is one of the command's `inputs` (the
 * same file under any name: symbolic links and relative paths resolved), before the work starts.
 */
export async function ensureOutFile(path: string, flag: string, inputs: readonly NamedInput[] = []): Promise<void> {
  const stat = await Deno.stat(path).catch(() => null);
  if (stat?.isDirectory) throw new InputError(`Cannot write to ${flag} ${path}: it is a folder, not a file`);
  if (stat) {
    const real = await Deno.realPath(path);
    for (const input of inputs) {
      if (await Deno.realPath(input.path).catch(() => null) === real) {
        throw new InputError(`Cannot write to ${flag} ${path}: it is ${input.what} (left as it is)`);
      }
    }
  }
  const parent = join(path, "..");
  const pstat = await Deno.stat(parent).catch(() => null);
  if (pstat && !pstat.isDirectory) throw new InputError(`Cannot write to ${flag} ${path}: ${parent} is a file`);
}

function hostname(): string {
  try {
    return Deno.hostname();
  } catch {
    return "unknown";
  }
}

/** Whether process `pid` is alive on this host (Linux `/proc`; elsewhere assumed alive). */
function alive(pid: number): boolean {
  if (pid === Deno.pid) return true;
  if (Deno.build.os !== "linux") return true;
  try {
    Deno.statSync(`/proc/${pid}`);
    return true;
  } catch {
    return false;
  }
}

function readLock(path: string): LockInfo | null {
  try {
    const info = JSON.parse(Deno.readTextFileSync(path)) as LockInfo;
    return typeof info?.pid === "number" ? info : null;
  } catch {
    return null;
  }
}

/**
 * Takes the lock of output folder `dir` for `command`. A live holder is an `InputError` (exit 2) naming its pid,
 * command and start time; a stale one (dead pid on this host, or an unreadable lock file) is taken over.
 */
export function acquireLock(dir: string, command: string): Lock {
  const path = join(dir, LOCK_FILE);
  const info: LockInfo = { pid: Deno.pid, host: hostname(), command, started: new Date().toISOString() };
  let tookOver: LockInfo | null = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const f = Deno.openSync(path, { write: true, createNew: true });
      f.writeSync(new TextEncoder().encode(JSON.stringify(info) + "\n"));
      f.close();
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        try {
          if (readLock(path)?.pid === Deno.pid) Deno.removeSync(path);
        } catch { /* already gone */ }
      };
      globalThis.addEventListener("unload", release);
      return { path, info, tookOver, release };
    } catch (err) {
      if (!(err instanceof Deno.errors.AlreadyExists)) {
        throw new InputError(`Cannot lock ${dir}: ${(err as Error).message.split("\n")[0]}`);
      }
    }
    const holder = readLock(path);
    if (holder && (holder.host !== info.host || alive(holder.pid))) {
      throw new InputError(
        `Cannot use ${dir}: it is in use by pid ${holder.pid} (${holder.command}, started ${holder.started}` +
          `${holder.host !== info.host ? ` on ${holder.host}` : ""}); wait for it to finish, or use another --out ` +
          `(remove ${path} only if that process is gone)`,
      );
    }
    tookOver = holder ?? { pid: -1, host: "?", command: "?", started: "?" };
    try {
      Deno.removeSync(path);
    } catch { /* another process took it over first */ }
  }
  throw new InputError(`Cannot lock ${dir}: ${path} keeps changing (another process is taking it)`);
}

/** A one-line note about a taken-over stale lock, or null. */
export function staleLockNote(lock: Lock): string | null {
  const t = lock.tookOver;
  if (!t) return null;
  return t.pid < 0
    ? `note: took over an unreadable lock file ${lock.path}`
    : `note: took over the stale lock ${lock.path} of pid ${t.pid} (${t.command}, started ${t.started}), ` +
      `which is no longer running`;
}
