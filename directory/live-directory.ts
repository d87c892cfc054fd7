/**
 * The directory every processor and api process keeps in memory, kept current by polling
 * `directory_version` (every 2 s, `pollMs`): when it moved, settings and the tree
 * are re-read if they changed, and only the groups written since the last load are applied.
 * Works the same with the embedded engine and a ClickHouse server, with any number of processes.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import type { Logger } from '../common/logger.ts';
import type { Directory, Placement } from '../common/placement.ts';
import { createDirectoryIndex, type DirectoryIndex } from './directory-index.ts';
import { createDirectoryRepository, type DirectoryRepository, type VersionMark } from './repository.ts';

/**
 * Versions are writer clocks (epoch µs): an import from another process whose clock lags may land
 * below the highest version seen. Group rows are re-read from this far back, which is idempotent.
 */
const CLOCK_SLACK_US = 120 * 1_000_000;

export interface LiveDirectory extends Directory {
  readonly index: DirectoryIndex;
  /** Version of the last applied change (0 = none yet). */
  readonly version: number;
  /** Load everything, then poll. */
  start(): Promise<void>;
  /** Check for changes now (an import in this process calls it so its own reads see the change at once). */
  refresh(): Promise<boolean>;
  stop(): Promise<void>;
}

export interface LiveDirectoryOptions {
  client: ClickHouseClient;
  logger: Logger;
  pollMs?: number;
  repository?: DirectoryRepository;
  /** After a load of the tree or of many groups: hand the memory the engine used for it back (Store.releaseMemory). */
  releaseMemory?: () => Promise<void>;
  /** After each load that applied a change: the version now loaded (the directory_version metric). */
  onLoaded?: (version: number) => void;
}

/** Loads at least this large release the engine's memory afterwards. */
const RELEASE_AFTER_GROUPS = 50_000;

export function createLiveDirectory(options: LiveDirectoryOptions): LiveDirectory {
  const log = options.logger.child({ component: 'directory' });
  const repository = options.repository ?? createDirectoryRepository(options.client);
  const index = createDirectoryIndex();
  const pollMs = options.pollMs ?? 2000;
  let seen: VersionMark = { version: 0, count: 0 };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<boolean> | undefined;
  let stopped = false;

  async function load(): Promise<boolean> {
    const mark = await repository.mark();
    if (mark.version === seen.version && mark.count === seen.count) return false;
    const started = performance.now();
    const kinds = seen.version === 0 ? new Set(['settings', 'units', 'groups']) : await repository.kindsSince(Math.max(0, seen.version - CLOCK_SLACK_US));
    if (kinds.has('settings') || kinds.has('units')) {
      const [settings, units] = await Promise.all([repository.loadSettings(), repository.loadUnits()]);
      index.setTree(settings, units);
    }
    let changedGroups = 0;
    if (kinds.has('groups') || seen.version === 0) {
      await repository.streamGroups(seen.version === 0 ? 0 : Math.max(0, seen.version - CLOCK_SLACK_US), (rows) => {
        changedGroups += rows.length;
        index.applyGroups(rows);
      });
    }
    seen = mark;
    options.onLoaded?.(mark.version);
    if (options.releaseMemory && (kinds.has('units') || changedGroups >= RELEASE_AFTER_GROUPS)) {
      await options.releaseMemory().catch((error: unknown) => log.debug({ err: error }, 'could not release the engine\'s memory'));
    }
    log.info({ version: mark.version, units: index.units.size, groups: index.groups.size, changedGroups, ms: Math.round(performance.now() - started) }, 'directory loaded');
    return true;
  }

  /** One load at a time; a caller arriving during a load waits for it, then checks again. */
  function refresh(): Promise<boolean> {
    const next = (running ?? Promise.resolve(false)).catch(() => false).then(load);
    running = next;
    return next;
  }

  function schedule(): void {
    if (stopped) return;
    timer = setTimeout(function pollDirectory() {
      refresh()
        .catch((error: unknown) => log.warn({ err: error }, 'directory poll failed; keeping the last loaded directory'))
        .finally(schedule);
    }, pollMs);
    timer.unref();
  }

  return {
    index,
    get version() {
      return seen.version;
    },
    place(groupId: string): Placement {
      return index.place(groupId);
    },
    async start() {
      stopped = false;
      await refresh();
      schedule();
    },
    refresh,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}
