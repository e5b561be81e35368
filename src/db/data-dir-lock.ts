import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UnusableInputError } from '../errors.ts';
import { processExists } from '../os/process-exists.ts';

/** The lock file in BENEFIT_DATA_DIR, held while a process has the embedded database open. */
export const LOCK_FILE = 'benefit.lock';

/** Who holds a data directory: written into the lock file as JSON. */
export interface LockHolder {
  pid: number;
  /** The command as typed, e.g. `benefit demo --serve`. */
  command: string;
  host: string;
  started_at: string;
  /** The process's start time in clock ticks after boot (Linux), so a reused pid is not taken for the holder. */
  start_ticks: number | null;
}

export interface DataDirLock {
  file: string;
  release(): void;
}

/**
 * Takes the data directory for this process: the embedded database (PGlite) is one process's
 * alone, and a second process opening it would work on its own copy and lose its writes. The
 * lock file is created exclusively (O_EXCL); a lock whose process is gone (no such pid on this
 * machine, or a pid since reused by another process) is taken over. Otherwise it is refused
 * at once, naming the holder: exit 2, nothing changed. Released by `release` and when the
 * process exits.
 */
export function takeDataDirLock(dataDir: string): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, LOCK_FILE);
  const me: LockHolder = {
    pid: process.pid,
    command: ['benefit', ...process.argv.slice(2)].join(' '),
    host: os.hostname(),
    started_at: new Date().toISOString(),
    start_ticks: startTicks(process.pid),
  };
  const content = `${JSON.stringify(me)}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      fs.writeFileSync(file, content, { flag: 'wx' });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 5) throw error;
    }
    const held = readHolder(file);
    if (held === 'gone') continue;
    if (held !== 'unreadable' && isRunning(held)) {
      throw new UnusableInputError(
        'data_dir_in_use',
        `the data directory ${path.resolve(dataDir)} is in use by process ${held.pid} (${held.command})` +
          `${held.host !== me.host ? ` on ${held.host}` : ''}, since ${held.started_at}: the embedded database serves one process at a time. ` +
          `Stop that process first, or run both on a PostgreSQL server (DATABASE_URL). Nothing was changed.`,
        { pid: held.pid, command: held.command },
      );
    }
    // Its holder is gone (killed, or the machine restarted): take it over.
    takeOverStale(file, held);
  }
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    process.off('exit', release);
    try {
      if (fs.readFileSync(file, 'utf8') === content) fs.unlinkSync(file);
    } catch {
      // Already gone.
    }
  };
  process.on('exit', release);
  return { file, release };
}

function readHolder(file: string): LockHolder | 'gone' | 'unreadable' {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  try {
    const holder = JSON.parse(text) as LockHolder;
    return Number.isSafeInteger(holder.pid) && holder.pid > 0 ? holder : 'unreadable';
  } catch {
    // Being written this instant, or cut short by a crash between create and write.
    return 'unreadable';
  }
}

/**
 * Whether the holder still runs. On another machine (a shared folder) we cannot tell, so it
 * does. Here: its pid exists and, where the system says when a process started, started when
 * the holder did.
 */
function isRunning(holder: LockHolder): boolean {
  if (holder.host !== os.hostname()) return true;
  if (!processExists(holder.pid)) return false;
  const ticks = startTicks(holder.pid);
  return ticks === null || holder.start_ticks === null || ticks === holder.start_ticks;
}

/**
 * Removes a stale lock, unless another process took it over first: the file is moved aside,
 * and put back if it turns out to be a fresh lock rather than the stale one we judged.
 */
function takeOverStale(file: string, judged: LockHolder | 'unreadable'): void {
  if (judged === 'unreadable') {
    // A lock being written right now is readable a moment later; one cut short by a crash is not.
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    if (!stat) return;
    if (Date.now() - stat.mtimeMs < 2000) {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
      return;
    }
  }
  const aside = `${file}.${process.pid}.stale`;
  try {
    fs.renameSync(file, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = readHolder(aside);
  const same = judged === 'unreadable' ? moved === 'unreadable' : moved !== 'gone' && moved !== 'unreadable' && moved.pid === judged.pid && moved.started_at === judged.started_at;
  if (!same) {
    try {
      fs.linkSync(aside, file);
    } catch {
      // Someone else holds it now; the next attempt names them.
    }
  }
  fs.rmSync(aside, { force: true });
}

/** When a process started, in clock ticks after boot (field 22 of /proc/PID/stat); null where unknown. */
function startTicks(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) is in parentheses and may hold spaces: count from after it.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[19]);
    return Number.isFinite(ticks) ? ticks : null;
  } catch {
    return null;
  }
}
