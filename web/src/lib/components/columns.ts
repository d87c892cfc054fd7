import type { MessageKey } from '../i18n/messages.ts';
import type { Metric } from '../state/live-counts.svelte.ts';

/** The grid's number columns, in order. */
export const COLUMNS: readonly { metric: Metric; label: MessageKey; hint?: MessageKey }[] = [
  { metric: 'messages', label: 'metric.messages' },
  { metric: 'media', label: 'metric.media' },
  { metric: 'forwarded', label: 'metric.forwarded' },
  { metric: 'joins', label: 'metric.joins' },
  { metric: 'leaves', label: 'metric.leaves' },
  { metric: 'activeGroups', label: 'metric.activeGroups', hint: 'grid.activeGroupsHint' },
];
