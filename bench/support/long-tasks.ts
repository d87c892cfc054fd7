/**
 * What the page's long tasks are made of, from a Chromium performance trace (the format DevTools
 * records: `browser.startTracing` in playwright-core). For each main-thread task of at least
 * `thresholdMs`, the time spent in each kind of work inside it (self time of the trace events:
 * Layout, Paint, FunctionCall, UpdateLayoutTree, …) and what started it (TimerFire, a socket
 * message event, an animation frame, …). Plain functions over the trace's JSON.
 */

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  /** Thread (CPU) time, µs: unlike `dur`, not stretched when the box is loaded and the thread waits for a core. */
  tdur?: number;
  args?: { name?: string; data?: { type?: string; functionName?: string; url?: string; lineNumber?: number } };
}

export interface LongTaskSummary {
  /** What counts as long, ms. */
  thresholdMs: number;
  /** Main-thread tasks at or over the threshold. */
  count: number;
  /** Their durations, ms, longest first. */
  durations: number[];
  /**
   * How many of them used at least `thresholdMs` of thread time: the rest were stretched past it by waiting
   * for a core (on a loaded box) rather than by the page's own work. CPU throttling counts as thread time.
   */
  longInThreadTime: number;
  /** Self time by trace event name over all of them, ms, largest first. */
  selfMs: [string, number][];
  /** What started them (the task's first event: its name and, where there is one, the event type or function), counted. */
  startedBy: [string, number][];
  /** Main-thread CPU time per second of trace, ms, over all tasks (not only long ones), and the part of it in each kind of work. */
  cpuMsPerSecond: number;
  cpuByKind: [string, number][];
}

/** The renderer main thread that did the most work (a page may have more than one renderer). */
function mainThread(events: TraceEvent[]): { pid: number; tid: number } | null {
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  let best: { pid: number; tid: number } | null = null;
  let bestTime = -1;
  for (const main of mains) {
    let time = 0;
    for (const e of events) if (e.pid === main.pid && e.tid === main.tid && e.ph === 'X') time += e.dur ?? 0;
    if (time > bestTime) {
      best = { pid: main.pid, tid: main.tid };
      bestTime = time;
    }
  }
  return best;
}

/** Events that only wrap a task (their self time is the task's time outside any traced work, CPU-throttling pauses included). */
const WRAPPERS = new Set(['RunTask', 'ThreadControllerImpl::RunTask']);
const UNTRACED = '(untraced)';
/** The kinds of work whose CPU time the summary gives (script, style, layout, paint and the compositor hand-over). */
const CPU_KINDS = new Set(['FunctionCall', 'TimerFire', 'RunMicrotasks', 'UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit']);

function labelOf(event: TraceEvent): string {
  const data = event.args?.data;
  if (data?.type) return `${event.name}(${data.type})`;
  if (data?.functionName) return `${event.name}(${data.functionName})`;
  return event.name;
}

function add(into: Map<string, number>, key: string, value: number): void {
  into.set(key, (into.get(key) ?? 0) + value);
}

export function summarizeLongTasks(trace: { traceEvents: TraceEvent[] } | TraceEvent[], thresholdMs = 50): LongTaskSummary {
  const events = Array.isArray(trace) ? trace : trace.traceEvents;
  const thread = mainThread(events);
  const empty: LongTaskSummary = { thresholdMs, count: 0, durations: [], longInThreadTime: 0, selfMs: [], startedBy: [], cpuMsPerSecond: 0, cpuByKind: [] };
  if (!thread) return empty;
  const onThread = events
    .filter((e) => e.pid === thread.pid && e.tid === thread.tid && e.ph === 'X' && e.dur !== undefined)
    .sort((a, b) => a.ts - b.ts || b.dur! - a.dur!);
  const selfMs = new Map<string, number>();
  const startedBy = new Map<string, number>();
  const durations: number[] = [];
  let longInThreadTime = 0;
  for (let i = 0; i < onThread.length; i++) {
    const task = onThread[i]!;
    if (task.name !== 'RunTask' || task.dur! < thresholdMs * 1000) continue;
    durations.push(task.dur! / 1000);
    if ((task.tdur ?? task.dur!) >= thresholdMs * 1000) longInThreadTime += 1;
    const end = task.ts + task.dur!;
    // Walk the events nested in the task: each one's self time is its duration minus its direct children's.
    const stack: { event: TraceEvent; childUs: number }[] = [{ event: task, childUs: 0 }];
    const close = (until: number) => {
      while (stack.length > 1 && stack.at(-1)!.event.ts + stack.at(-1)!.event.dur! <= until) {
        const done = stack.pop()!;
        add(selfMs, WRAPPERS.has(done.event.name) ? UNTRACED : done.event.name, (done.event.dur! - done.childUs) / 1000);
      }
    };
    let first: TraceEvent | null = null;
    let j = i + 1;
    for (; j < onThread.length && onThread[j]!.ts < end; j++) {
      const event = onThread[j]!;
      close(event.ts);
      if (!WRAPPERS.has(event.name)) first ??= event;
      stack.at(-1)!.childUs += event.dur!;
      stack.push({ event, childUs: 0 });
    }
    close(Infinity);
    add(selfMs, UNTRACED, (task.dur! - stack[0]!.childUs) / 1000);
    add(startedBy, first ? labelOf(first) : '(nothing traced)', 1);
    i = j - 1;
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  // CPU over the whole trace: top-level tasks' thread time, and the thread time of the main kinds of work inside them.
  const seconds = onThread.length > 1 ? (onThread.at(-1)!.ts + onThread.at(-1)!.dur! - onThread[0]!.ts) / 1e6 : 1;
  let cpuUs = 0;
  let end = -Infinity;
  const cpuByKind = new Map<string, number>();
  for (const event of onThread) {
    if (event.name === 'RunTask' && event.ts >= end) {
      end = event.ts + event.dur!;
      cpuUs += event.tdur ?? 0;
    }
    if (CPU_KINDS.has(event.name)) add(cpuByKind, event.name, (event.tdur ?? 0) / 1000 / seconds);
  }
  return {
    thresholdMs,
    count: durations.length,
    durations: durations.sort((a, b) => b - a),
    longInThreadTime,
    selfMs: sorted(selfMs),
    startedBy: sorted(startedBy),
    cpuMsPerSecond: cpuUs / 1000 / seconds,
    cpuByKind: sorted(cpuByKind),
  };
}

/** One line for the report: "3 long tasks (96, 71, 55 ms): Layout 120 ms, FunctionCall 40 ms, …; started by TimerFire ×2, …". */
export function longTasksLine(summary: LongTaskSummary, top = 6): string {
  const cpu = `main-thread CPU ${summary.cpuMsPerSecond.toFixed(0)} ms/s (${summary.cpuByKind.slice(0, top).map(([name, t]) => `${name} ${t.toFixed(1)}`).join(', ')}); `;
  if (summary.count === 0) return `${cpu}no long tasks in the traced window`;
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  return (
    cpu +
    `${summary.count} long task(s) (${summary.durations.slice(0, 5).map(ms).join(', ')}${summary.count > 5 ? ', …' : ''}; ${summary.longInThreadTime} of them ≥ ${summary.thresholdMs} ms of thread time): ` +
    summary.selfMs.slice(0, top).map(([name, t]) => `${name} ${ms(t)}`).join(', ') +
    `; started by ${summary.startedBy.slice(0, 4).map(([name, n]) => `${name} ×${n}`).join(', ')}`
  );
}
