/**
 * What the notifications say, in English and Hindi (the user's language, PUT /api/v1/me/notify). The
 * alert's own sentence is written here from its structured fields (rule, subject, details), the way the
 * board writes it (web/src/lib/alert-text.ts): the detector's `message` is English. A rule this file does
 * not know, or an alert missing a field, keeps the detector's message.
 */
import type { Alert, ComplianceDigest } from '../../common/contracts/alerts.ts';
import { HOUR_MS, wallClockAt } from '../../common/time.ts';
import type { NotifyLanguage } from './prefs.ts';

export const BOT_TEXTS = {
  en: {
    fired: 'GroupPulse alert',
    escalated: 'GroupPulse alert, escalated to you',
    unit: 'Unit',
    since: 'Since',
    acknowledge: 'Acknowledge',
    linked: 'This chat is now linked to GroupPulse user {user}. Alerts for you will come here.',
    badCode: 'This link code is unknown, used or expired. Ask for a new one on the board.',
    acknowledged: 'Acknowledged. Thank you.',
    alreadyAcknowledged: 'This alert was already acknowledged.',
    resolved: 'This alert has already ended: nothing to acknowledge.',
    notYours: 'This chat cannot acknowledge this alert.',
    digest: 'GroupPulse daily digest: {count} alerts',
    compliance: 'GroupPulse compliance of {unit}: {short} of {booths} booths fall short',
    complianceAll: 'GroupPulse compliance of {unit}: all {booths} booths have their groups and a pramukh in them',
    complianceCounts: '{missing} miss a required group · {noPramukh} have no pramukh · {absent} have a pramukh in none of their groups',
    complianceAdmins: '{short} of {groups} category groups miss their required admin',
    complianceNoGroup: 'no {categories} group',
    complianceNoPramukh: 'no pramukh',
    compliancePramukhAbsent: 'pramukh {name} in none of its groups',
    more: 'and {count} more',
    ackLink: 'Acknowledge: {link}',
    ackLinkNote: 'The link acknowledges the alert as {user}; it works until {until}.',
    linkExpired: 'This acknowledge link has expired. Open the board to acknowledge the alert.',
    linkInvalid: 'This acknowledge link is not valid. Open the board to acknowledge the alert.',
    linkNotYours: 'This link cannot acknowledge this alert.',
    linkConfirm: 'Acknowledge this alert as {user}?',
  },
  hi: {
    fired: 'GroupPulse चेतावनी',
    escalated: 'GroupPulse चेतावनी, आपको आगे भेजी गई',
    unit: 'इकाई',
    since: 'कब से',
    acknowledge: 'स्वीकार करें',
    linked: 'यह चैट अब GroupPulse उपयोगकर्ता {user} से जुड़ गई है। आपकी चेतावनियाँ यहाँ आएँगी।',
    badCode: 'यह लिंक कोड अज्ञात है, इस्तेमाल हो चुका है या उसकी अवधि समाप्त हो गई है। बोर्ड पर नया कोड माँगें।',
    acknowledged: 'स्वीकार किया गया। धन्यवाद।',
    alreadyAcknowledged: 'यह चेतावनी पहले ही स्वीकार की जा चुकी है।',
    resolved: 'यह चेतावनी पहले ही समाप्त हो चुकी है: स्वीकार करने को कुछ नहीं है।',
    notYours: 'यह चैट इस चेतावनी को स्वीकार नहीं कर सकती।',
    digest: 'GroupPulse दैनिक सारांश: {count} चेतावनियाँ',
    compliance: 'GroupPulse अनुपालन, {unit}: {booths} में से {short} बूथ पीछे हैं',
    complianceAll: 'GroupPulse अनुपालन, {unit}: सभी {booths} बूथों के समूह हैं और उनमें प्रमुख है',
    complianceCounts: '{missing} में ज़रूरी समूह नहीं · {noPramukh} में प्रमुख नहीं · {absent} का प्रमुख किसी समूह में नहीं',
    complianceAdmins: '{groups} श्रेणी समूहों में से {short} में ज़रूरी एडमिन नहीं',
    complianceNoGroup: '{categories} समूह नहीं',
    complianceNoPramukh: 'प्रमुख नहीं',
    compliancePramukhAbsent: 'प्रमुख {name} किसी समूह में नहीं',
    more: 'और {count} अन्य',
    ackLink: 'स्वीकार करें: {link}',
    ackLinkNote: 'यह लिंक चेतावनी को {user} के रूप में स्वीकार करता है; यह {until} तक काम करता है।',
    linkExpired: 'इस स्वीकृति लिंक की अवधि समाप्त हो गई है। चेतावनी स्वीकार करने के लिए बोर्ड खोलें।',
    linkInvalid: 'यह स्वीकृति लिंक मान्य नहीं है। चेतावनी स्वीकार करने के लिए बोर्ड खोलें।',
    linkNotYours: 'यह लिंक इस चेतावनी को स्वीकार नहीं कर सकता।',
    linkConfirm: 'क्या {user} के रूप में यह चेतावनी स्वीकार करें?',
  },
} as const satisfies Record<NotifyLanguage, Record<string, string>>;

export type BotTextKey = keyof (typeof BOT_TEXTS)['en'];

function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''));
}

export function botText(language: NotifyLanguage, key: BotTextKey, values: Record<string, string> = {}): string {
  return fill(BOT_TEXTS[language][key], values);
}

/** The alerts' sentences, one per rule; {placeholders} are filled from the alert. */
const SENTENCES = {
  en: {
    groupSilent: 'Group {group} has been silent for {silent} (threshold {threshold}).',
    groupNeverSpoke: 'Group {group} has sent no message since it joined the directory {silent} ago.',
    unitDark: '{level} {name} is dark: none of its {groups} groups is active.',
    sharpDrop: '{subject}: {recent} messages in the last {hours} h against a usual {usual} ({percent} %).',
    sourceDown: 'Source {source} has sent nothing for {silent}; the {groups} groups it feeds show no data.',
    pipelineStalled: 'Accepted events have not reached the store for {minutes} min; {waiting} are waiting.',
    reachMissed: 'Message {id} reached {percent} % of {name} within {within} (target {target} %).',
    representativeSilent: '{person} ({role}, {unit}) has not posted on {platform} for {days} days (limit {limit}).',
    representativeBelowTarget: '{person} ({role}, {unit}) has {followers} followers on {platform}, {percent} % of the voters (target {target} %), and did not grow in 7 days.',
    group: 'Group {id}',
    minutes: '{n} min',
    hours: '{n} h',
    days: '{n} days',
  },
  hi: {
    groupSilent: 'समूह {group} {silent} से चुप है (सीमा {threshold})।',
    groupNeverSpoke: 'समूह {group} ने निर्देशिका में जुड़ने के {silent} बाद से कोई संदेश नहीं भेजा है।',
    unitDark: '{level} {name} अँधेरे में है: उसके {groups} समूहों में से कोई भी सक्रिय नहीं है।',
    sharpDrop: '{subject}: पिछले {hours} घंटे में {recent} संदेश, सामान्यतः {usual} ({percent} %)।',
    sourceDown: 'स्रोत {source} ने {silent} से कुछ नहीं भेजा है; उससे जुड़े {groups} समूहों का डेटा नहीं है।',
    pipelineStalled: 'स्वीकार की गई घटनाएँ {minutes} मिनट से स्टोर तक नहीं पहुँची हैं; {waiting} प्रतीक्षा में हैं।',
    reachMissed: 'संदेश {id} {within} में {name} के {percent} % तक पहुँचा (लक्ष्य {target} %)।',
    representativeSilent: '{person} ({role}, {unit}) ने {days} दिन से {platform} पर पोस्ट नहीं किया (सीमा {limit} दिन)।',
    representativeBelowTarget: '{person} ({role}, {unit}) के {platform} पर {followers} फ़ॉलोअर हैं, मतदाताओं का {percent} % (लक्ष्य {target} %), और 7 दिन में बढ़े नहीं।',
    group: 'समूह {id}',
    minutes: '{n} मिनट',
    hours: '{n} घंटे',
    days: '{n} दिन',
  },
} as const satisfies Record<NotifyLanguage, Record<string, string>>;

function num(details: Alert['details'], key: string): number | undefined {
  const value = details?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A time passed: minutes under an hour, hours up to two days, then days. */
function duration(language: NotifyLanguage, hours: number): string {
  const words = SENTENCES[language];
  if (hours < 1) return fill(words.minutes, { n: Math.max(1, Math.round(hours * 60)) });
  if (hours < 48) return fill(words.hours, { n: Math.floor(hours) });
  return fill(words.days, { n: Math.floor(hours / 24) });
}

/** The alert's sentence in the user's language; the detector's message when the rule or a field is unknown. */
export function alertSentence(language: NotifyLanguage, alert: Alert): string {
  const words = SENTENCES[language];
  const d = alert.details ?? {};
  const groupName = typeof d.title === 'string' && d.title !== '' ? d.title : alert.subject;
  switch (alert.rule) {
    case 'group-inactive': {
      const hours = num(d, 'silentHours');
      const minutes = num(d, 'silentMinutes');
      const threshold = num(d, 'thresholdHours');
      if (hours === undefined || threshold === undefined) break;
      const silent = duration(language, minutes !== undefined && minutes < 60 ? minutes / 60 : hours);
      return d.neverSpoke === 1 ? fill(words.groupNeverSpoke, { group: groupName, silent }) : fill(words.groupSilent, { group: groupName, silent, threshold: duration(language, threshold) });
    }
    case 'unit-dark': {
      const groups = num(d, 'groups');
      if (groups === undefined || typeof d.name !== 'string') break;
      const level = typeof d.level === 'string' && d.level !== '' ? d.level : 'unit';
      return fill(words.unitDark, { level: level[0]!.toUpperCase() + level.slice(1), name: d.name, groups });
    }
    case 'sharp-drop': {
      const recent = num(d, 'recent');
      const usual = num(d, 'baselinePerWindow');
      const hours = num(d, 'windowHours');
      if (recent === undefined || usual === undefined || hours === undefined || usual <= 0) break;
      const subject = alert.subjectKind === 'group' ? fill(words.group, { id: groupName }) : alert.subject;
      return fill(words.sharpDrop, { subject, recent, hours, usual: Math.round(usual), percent: Math.round((recent / usual) * 100) });
    }
    case 'source-down': {
      const groups = num(d, 'groups');
      if (groups === undefined) break;
      return fill(words.sourceDown, { source: alert.subject, silent: duration(language, (alert.firedAt - alert.since) / HOUR_MS), groups });
    }
    case 'pipeline-stalled': {
      const waiting = num(d, 'waiting');
      const minutes = num(d, 'stalledMinutes');
      if (waiting === undefined || minutes === undefined) break;
      return fill(words.pipelineStalled, { minutes, waiting });
    }
    case 'reach-missed': {
      const share = num(d, 'share');
      const target = num(d, 'target');
      const minutes = num(d, 'withinMinutes');
      if (share === undefined || target === undefined || minutes === undefined || typeof d.message !== 'string' || typeof d.name !== 'string') break;
      return fill(words.reachMissed, { id: d.message, name: d.name, within: duration(language, minutes / 60), percent: Math.round(share * 100), target: Math.round(target * 100) });
    }
    case 'representative-lagging': {
      if (typeof d.person !== 'string' || typeof d.role !== 'string' || typeof d.unitName !== 'string' || typeof d.platform !== 'string') break;
      const who = { person: d.person, role: d.role, unit: d.unitName, platform: d.platform };
      const days = num(d, 'silentDays');
      const limit = num(d, 'limitDays');
      if (d.reason === 'silent' && days !== undefined && limit !== undefined) return fill(words.representativeSilent, { ...who, days, limit });
      const followers = num(d, 'followers');
      const share = num(d, 'share');
      const target = num(d, 'target');
      if (d.reason === 'below-target' && followers !== undefined && share !== undefined && target !== undefined) {
        return fill(words.representativeBelowTarget, { ...who, followers, percent: Math.round(share * 100), target: Math.round(target * 100) });
      }
      break;
    }
  }
  return alert.message;
}

export type AlertChange = 'fired' | 'escalated';

/** Unit names by id, as the directory has them: a lead knows "Jaipur Ward 12", not "B201". */
export type UnitNames = Readonly<Record<string, string>>;

/** The units a message names: each alert's own (unit, else division) and the one it escalated to. */
export function unitsNamed(alerts: readonly Alert[]): string[] {
  return [...new Set(alerts.flatMap((a) => [a.unit || a.division, a.escalatedUnit]).filter((u): u is string => Boolean(u)))];
}

/** The unit to name: the one escalated to, else the alert's unit or division; by name when known. */
function unitOf(alert: Alert, change: AlertChange, units: UnitNames = {}): string {
  const id = change === 'escalated' && alert.escalatedUnit ? alert.escalatedUnit : alert.unit || alert.division;
  return units[id] || id;
}

/** "2026-12-04 15:30 IST": the reader's wall clock and its zone's short name (UTC by default). */
export function timeText(at: number, timeZone = 'UTC'): string {
  const w = wallClockAt(at, timeZone);
  const two = (n: number) => String(n).padStart(2, '0');
  const zone = new Intl.DateTimeFormat('en-IN', { timeZone, timeZoneName: 'short' }).formatToParts(new Date(at)).find((p) => p.type === 'timeZoneName')?.value ?? timeZone;
  return `${w.year}-${two(w.month)}-${two(w.day)} ${two(w.hour)}:${two(w.minute)} ${zone}`;
}

function factLines(language: NotifyLanguage, alert: Alert, change: AlertChange, timeZone?: string, units?: UnitNames): string[] {
  const unit = unitOf(alert, change, units);
  return [...(unit ? [`${botText(language, 'unit')}: ${unit}`] : []), `${botText(language, 'since')}: ${timeText(alert.since, timeZone)}`];
}

/** The whole message: heading with the sentence, the unit, since when (in the reader's time zone). */
export function alertText(language: NotifyLanguage, alert: Alert, change: AlertChange, timeZone?: string, units?: UnitNames): string {
  return [`${botText(language, change)}: ${alertSentence(language, alert)}`, ...factLines(language, alert, change, timeZone, units)].join('\n');
}

/** The sentence and the facts on one line (WhatsApp template parameters may not hold line breaks). */
export function alertLine(language: NotifyLanguage, alert: Alert, change: AlertChange, timeZone?: string, units?: UnitNames): string {
  return [alertSentence(language, alert), ...factLines(language, alert, change, timeZone, units)].join(' · ');
}

/** The digest: a heading, at most `cap` lines, then "and N more". */
export function digestLines(language: NotifyLanguage, alerts: readonly Alert[], cap: number, units?: UnitNames): string[] {
  const shown = alerts.slice(0, cap).map((a) => {
    const unit = unitOf(a, 'fired', units);
    return `• ${alertSentence(language, a)}${unit ? ` (${unit})` : ''}`;
  });
  const rest = alerts.length - shown.length;
  return [botText(language, 'digest', { count: String(alerts.length) }), ...shown, ...(rest > 0 ? [botText(language, 'more', { count: String(rest) })] : [])];
}

/** A unit's daily compliance digest: the heading, the counts, the booths that fall short, "and N more". */
export function complianceLines(language: NotifyLanguage, c: ComplianceDigest): string[] {
  const t = (key: BotTextKey, values: Record<string, string | number>) => botText(language, key, Object.fromEntries(Object.entries(values).map(([k, v]) => [k, String(v)])));
  if (c.boothsTotal === 0) return [t('complianceAll', { unit: c.unitName, booths: c.total.booths })];
  const booths = c.booths.map((b) => {
    const shortfalls = [
      ...(b.missing.length > 0 ? [t('complianceNoGroup', { categories: b.missing.join(', ') })] : []),
      ...(b.pramukh === 'none' ? [t('complianceNoPramukh', {})] : b.pramukh === 'absent' ? [t('compliancePramukhAbsent', { name: b.pramukhName ?? '' })] : []),
    ];
    return `• ${b.name}: ${shortfalls.join('; ')}`;
  });
  return [
    t('compliance', { unit: c.unitName, short: c.boothsTotal, booths: c.total.booths }),
    [t('complianceCounts', { missing: c.total.missingGroups, noPramukh: c.total.noPramukh, absent: c.total.pramukhAbsent }), ...(c.total.ruledGroups > 0 ? [t('complianceAdmins', { short: c.total.adminMissing, groups: c.total.ruledGroups })] : [])].join(' · '),
    ...booths,
    ...(c.more > 0 ? [t('more', { count: c.more })] : []),
  ];
}

/** callback_data of the button (at most 64 bytes: alert ids are 32). */
export function ackData(alertId: string): string {
  return `ack:${alertId}`;
}

/** The alert id in an `ack:<id>` button payload, or undefined. */
export function ackIdOf(data: string): string | undefined {
  return /^ack:([A-Za-z0-9]{1,60})$/.exec(data)?.[1];
}
