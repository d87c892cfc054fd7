import type { Metric } from '../state/live-counts.svelte.ts';

/** The grid's number columns, in order. */
export const COLUMNS: readonly { metric: Metric; label: string; hint?: string }[] = [
  { metric: 'messages', label: 'Messages' },
  { metric: 'media', label: 'Media' },
  { metric: 'forwarded', label: 'Forwarded' },
  { metric: 'joins', label: 'Joins' },
  { metric: 'leaves', label: 'Leaves' },
  { metric: 'activeGroups', label: 'Active groups', hint: 'Groups with at least one message today; refreshes about every 10 seconds' },
];
