/**
 * How long, and what "quiet" means, in the viewer's language: a silence or a threshold of a fraction of
 * an hour in minutes (never "0 h"), up to two days in hours, then days. Plain TypeScript (test/web/quiet-text.test.ts).
 */
import { formatNumber } from './format.ts';
import type { Translate } from './i18n/messages.ts';

/** A time that has passed (a silence), hours: whole minutes, hours or days, rounded down. */
export function elapsedText(hours: number, t: Translate): string {
  const h = Math.max(0, hours);
  if (h < 1) return t('quiet.minutes', { n: Math.floor(h * 60) });
  return h >= 48 ? t('quiet.days', { n: Math.floor(h / 24) }) : t('quiet.hours', { n: Math.floor(h) });
}

/** A threshold, hours, as set (not rounded away): 0.001 → 4 s, 0.25 → 15 min, 6 → 6 h, 1.5 → 1.5 h, 72 → 3 days. */
export function thresholdText(hours: number, t: Translate): string {
  if (hours * 60 < 1) return t('quiet.seconds', { n: formatNumber(Math.round(hours * 3600)) });
  if (hours < 1) return t('quiet.minutes', { n: formatNumber(Math.round(hours * 600) / 10) });
  if (hours >= 48 && hours % 24 === 0) return t('quiet.days', { n: hours / 24 });
  return t('quiet.hours', { n: formatNumber(Math.round(hours * 10) / 10) });
}

/** "quiet: no message in 6 h". */
export function quietMeaning(thresholdHours: number, t: Translate): string {
  return t('quiet.meaning', { threshold: thresholdText(thresholdHours, t) });
}

export interface QuietRulesWords {
  defaultHours: number;
  byCategory: Record<string, number>;
  byLevel: Record<string, number>;
}

/** The range of thresholds the rules give (the tile's hint): "no message in 24 h – 2 days", or one value. */
export function quietRange(rules: QuietRulesWords, t: Translate): string {
  const all = [rules.defaultHours, ...Object.values(rules.byCategory), ...Object.values(rules.byLevel)];
  const low = Math.min(...all);
  const high = Math.max(...all);
  return t('quiet.meaning', { threshold: low === high ? thresholdText(low, t) : `${thresholdText(low, t)} – ${thresholdText(high, t)}` });
}
