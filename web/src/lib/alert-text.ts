/**
 * An alert's sentence in the viewer's language, made from its kind and fields (the server's
 * `message` is English, written when the alert fired). Kinds the board does not know, and alerts
 * missing a field the sentence needs (written by an older server), keep the server's text.
 * Plain TypeScript: test/web/alert-text.test.ts checks both languages.
 */
import { formatCount } from './format.ts';
import { elapsedText, thresholdText } from './quiet-text.ts';
import type { Translate } from './i18n/messages.ts';
import { HOUR_MS } from '../../../common/time.ts';

/** The fields of an alert (common/contracts/alerts.ts) its sentence is made from; `rule` may be one this board does not know. */
export interface AlertTextFields {
  rule: string;
  subjectKind: string;
  subject: string;
  message: string;
  details?: Record<string, string | number>;
  /** When the condition began (last message, last traffic) and when the alert fired, epoch ms. */
  since: number;
  firedAt: number;
}

export interface AlertWords {
  t: Translate;
  /** A category or level id as the viewer reads it. */
  label: (id: string) => string;
  /** A unit's name by id (the id when it is not known). */
  nameOf: (id: string) => string;
}

/** A time passed as the quiet-groups list writes it: minutes under an hour, hours up to two days, then days. */
function duration(hours: number, t: Translate): string {
  return elapsedText(hours, t);
}

function numberOf(details: Record<string, string | number> | undefined, key: string): number | null {
  const value = details?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A group as a person knows it: its directory title when the alert carries one (alerts/name-groups.ts), else its id. */
function groupName(alert: AlertTextFields): string {
  const title = alert.details?.title;
  return typeof title === 'string' && title !== '' ? title : alert.subject;
}

export function alertText(alert: AlertTextFields, { t, label, nameOf }: AlertWords): string {
  const d = alert.details;
  switch (alert.rule) {
    case 'group-inactive': {
      const hours = numberOf(d, 'silentHours');
      const minutes = numberOf(d, 'silentMinutes');
      const threshold = numberOf(d, 'thresholdHours');
      if (hours === null || threshold === null) break;
      // Under an hour the minutes say it (older alerts carry hours only).
      const silent = minutes !== null && minutes < 60 ? minutes / 60 : hours;
      const group = groupName(alert);
      return d?.neverSpoke === 1
        ? t('alertText.groupNeverSpoke', { group, ago: duration(silent, t) })
        : t('alertText.groupSilent', { group, silent: duration(silent, t), threshold: thresholdText(threshold, t) });
    }
    case 'unit-dark': {
      const groups = numberOf(d, 'groups');
      if (groups === null || typeof d?.level !== 'string' || typeof d.name !== 'string') break;
      return t('alertText.unitDark', { level: label(d.level || 'unit'), name: d.name, groups: formatCount(groups) });
    }
    case 'sharp-drop': {
      const recent = numberOf(d, 'recent');
      const usual = numberOf(d, 'baselinePerWindow');
      const hours = numberOf(d, 'windowHours');
      if (recent === null || usual === null || hours === null || usual <= 0) break;
      const subject = alert.subjectKind === 'group' ? t('alertText.group', { id: groupName(alert) }) : nameOf(alert.subject);
      return t('alertText.sharpDrop', { subject, recent: formatCount(recent), hours, usual: formatCount(Math.round(usual)), percent: Math.round((recent / usual) * 100) });
    }
    case 'pipeline-stalled': {
      const waiting = numberOf(d, 'waiting');
      const minutes = numberOf(d, 'stalledMinutes');
      if (waiting === null || minutes === null) break;
      return t('alertText.pipelineStalled', { minutes: formatCount(minutes), waiting: formatCount(waiting) });
    }
    case 'reach-missed': {
      const had = numberOf(d, 'share');
      const target = numberOf(d, 'target');
      const minutes = numberOf(d, 'withinMinutes');
      if (had === null || target === null || minutes === null || typeof d?.message !== 'string' || typeof d.name !== 'string') break;
      const within = minutes % 60 === 0 ? t('quiet.hours', { n: minutes / 60 }) : t('reach.minutes', { n: minutes });
      return t('alertText.reachMissed', { id: d.message, name: d.name, within, percent: Math.round(had * 100), target: Math.round(target * 100) });
    }
    case 'representative-lagging': {
      if (typeof d?.person !== 'string' || typeof d.role !== 'string' || typeof d.unitName !== 'string' || typeof d.platform !== 'string') break;
      const who = { person: d.person, role: label(d.role), unit: d.unitName, platform: d.platform };
      const days = numberOf(d, 'silentDays');
      const limit = numberOf(d, 'limitDays');
      if (d.reason === 'silent' && days !== null && limit !== null) return t('alertText.representativeSilent', { ...who, days, limit });
      const followers = numberOf(d, 'followers');
      const share = numberOf(d, 'share');
      const target = numberOf(d, 'target');
      if (d.reason === 'below-target' && followers !== null && share !== null && target !== null) {
        return t('alertText.representativeBelowTarget', { ...who, followers: formatCount(followers), percent: Math.round(share * 100), target: Math.round(target * 100) });
      }
      break;
    }
    case 'source-down': {
      const groups = numberOf(d, 'groups');
      if (groups === null) break;
      return t('alertText.sourceDown', { source: alert.subject, silent: duration((alert.firedAt - alert.since) / HOUR_MS, t), groups: formatCount(groups) });
    }
  }
  return alert.message;
}
