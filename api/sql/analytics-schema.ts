/**
 * What an analyst may query, described: every analytics table (the allow-list, allow-list.ts, is these
 * names) and every column of each, in a line of English and of Hindi. Types are not written here: GET
 * /api/v1/sql/schema reads them from the engine (system.columns), and api/sql/workbench.integration.test.ts
 * fails when a column of the real schema is missing here or a column here is not in it, so the two cannot
 * drift. Where a stored value means something other than it says (a time of 1970-01-01 for "none"), the
 * line says so.
 */

export interface Meaning {
  en: string;
  hi: string;
}

export interface TableDescription {
  meaning: Meaning;
  columns: Record<string, Meaning>;
}

const m = (en: string, hi: string): Meaning => ({ en, hi });

/** Counts every rollup carries. */
const COUNTS = {
  messages: m('messages sent', 'भेजे गए संदेश'),
  media: m('messages with media (image, video, audio, document, sticker)', 'मीडिया वाले संदेश (फ़ोटो, वीडियो, ऑडियो, दस्तावेज़, स्टिकर)'),
  forwarded: m('forwarded messages', 'फ़ॉरवर्ड किए गए संदेश'),
  joins: m('members who joined', 'जुड़ने वाले सदस्य'),
  leaves: m('members who left', 'छोड़ने वाले सदस्य'),
};

/** Columns of the per-division rollups, besides their time. */
const DIVISION_ROLLUP = {
  division: m('division id (the top unit of the directory)', 'डिवीज़न आईडी (डायरेक्टरी की सबसे ऊपर की इकाई)'),
  category: m('group category', 'ग्रुप की श्रेणी'),
  ...COUNTS,
  active_groups: m('groups that sent a message: a uniq state, read with uniqMerge(active_groups)', 'संदेश भेजने वाले ग्रुप: uniq स्थिति, uniqMerge(active_groups) से पढ़ें'),
  active_senders: m('distinct people who sent a message: a uniq state, read with uniqMerge(active_senders)', 'संदेश भेजने वाले अलग-अलग लोग: uniq स्थिति, uniqMerge(active_senders) से पढ़ें'),
};

/** Columns of the per-group rollups, besides their time. */
const GROUP_ROLLUP = {
  group_id: m('group id', 'ग्रुप आईडी'),
  ...COUNTS,
  last_at: m(
    "time of the last message (UTC); 1970-01-01 00:00:00 when there were joins or leaves but no message: use nullIf(max(last_at), toDateTime64(0, 3, 'UTC')) for NULL instead",
    "आख़िरी संदेश का समय (UTC); संदेश न होकर केवल जुड़ना/छोड़ना हो तो 1970-01-01 00:00:00: NULL के लिए nullIf(max(last_at), toDateTime64(0, 3, 'UTC')) लिखें",
  ),
};

const VERSION = m('version of the row: the highest per key is current (or read with FINAL)', 'पंक्ति का संस्करण: हर कुंजी का सबसे ऊँचा मौजूदा है (या FINAL से पढ़ें)');
const DELETED = m('1 = removed from the directory (read with FINAL and WHERE deleted = 0)', '1 = डायरेक्टरी से हटाया गया (FINAL और WHERE deleted = 0 से पढ़ें)');
const UNIT_PATH = m("unit ids from the division down to the group's unit, when the event was written", 'डिवीज़न से ग्रुप की इकाई तक की इकाई आईडी, घटना लिखे जाने के समय');
const GROUP_ID = GROUP_ROLLUP.group_id;

export const ANALYTICS_SCHEMA: Record<string, TableDescription> = {
  events: {
    meaning: m('every accepted event, one row each (no message content; people pseudonymised)', 'हर स्वीकृत घटना, एक पंक्ति में (संदेश की सामग्री नहीं; लोग छद्मनाम से)'),
    columns: {
      event_id: m("the source's id of the event", 'स्रोत की दी हुई घटना आईडी'),
      type: m('message, member_joined, member_left or group_snapshot', 'message, member_joined, member_left या group_snapshot'),
      group_id: GROUP_ID,
      at: m('when it happened (UTC)', 'कब हुआ (UTC)'),
      received_at: m('when GroupPulse received it (UTC)', 'GroupPulse को कब मिला (UTC)'),
      written_at: m('when it was stored (UTC)', 'कब सहेजा गया (UTC)'),
      source: m('the collector that sent it', 'भेजने वाला संग्राहक'),
      person: m('pseudonymised sender or member; empty for snapshots', 'छद्मनाम भेजने वाला या सदस्य; स्नैपशॉट में ख़ाली'),
      kind: m('message kind: text, image, video, audio, document, sticker, …', 'संदेश का प्रकार: text, image, video, audio, document, sticker, …'),
      forwarded: m('the message was forwarded', 'संदेश फ़ॉरवर्ड किया गया था'),
      members: m('members in a snapshot; NULL for other events', 'स्नैपशॉट में सदस्य; बाक़ी घटनाओं में NULL'),
      admins: m('admins in a snapshot; NULL for other events', 'स्नैपशॉट में एडमिन; बाक़ी घटनाओं में NULL'),
      title: m('group title as the source sent it', 'स्रोत के भेजे अनुसार ग्रुप का नाम'),
      division: m("division of the group's unit when written; empty if the group was not in the directory", 'लिखते समय ग्रुप की इकाई का डिवीज़न; डायरेक्टरी में न हो तो ख़ाली'),
      category: m('category of the group when written', 'लिखते समय ग्रुप की श्रेणी'),
      unit_path: UNIT_PATH,
      batch_partition: m('internal: the bus partition of the batch that wrote it (0 = not by the processor)', 'आंतरिक: लिखने वाले बैच का बस पार्टीशन (0 = प्रोसेसर से नहीं)'),
      batch_next_offset: m('internal: the bus offset after that batch', 'आंतरिक: उस बैच के बाद का बस ऑफ़सेट'),
      fingerprint: m("keyed hash of the message's content fingerprint; empty when none was sent", 'संदेश की सामग्री के फ़िंगरप्रिंट का कुंजीबद्ध हैश; न भेजा हो तो ख़ाली'),
      admin_ids: m('pseudonymised admins in a snapshot', 'स्नैपशॉट में छद्मनाम एडमिन'),
    },
  },
  rollup_minute: {
    meaning: m('activity per minute per division and category (sum the counts: a minute may have several rows)', 'हर मिनट, डिवीज़न और श्रेणी की गतिविधि (गिनतियाँ जोड़ें: एक मिनट की कई पंक्तियाँ हो सकती हैं)'),
    columns: {
      minute: m('start of the minute (UTC)', 'मिनट की शुरुआत (UTC)'),
      ...DIVISION_ROLLUP,
      batch_marks: m('internal: the bus offsets the live board hands over at', 'आंतरिक: लाइव बोर्ड के हस्तांतरण के बस ऑफ़सेट'),
    },
  },
  rollup_day: {
    meaning: m('activity per UTC day per division and category (sum the counts)', 'हर UTC दिन, डिवीज़न और श्रेणी की गतिविधि (गिनतियाँ जोड़ें)'),
    columns: { day: m('the day (UTC)', 'दिन (UTC)'), ...DIVISION_ROLLUP },
  },
  rollup_group_hour: {
    meaning: m('activity per hour per group (sum the counts)', 'हर घंटे, हर ग्रुप की गतिविधि (गिनतियाँ जोड़ें)'),
    columns: { hour: m('start of the hour (UTC)', 'घंटे की शुरुआत (UTC)'), ...GROUP_ROLLUP },
  },
  rollup_group_day: {
    meaning: m('activity per UTC day per group (sum the counts)', 'हर UTC दिन, हर ग्रुप की गतिविधि (गिनतियाँ जोड़ें)'),
    columns: { day: m('the day (UTC)', 'दिन (UTC)'), ...GROUP_ROLLUP },
  },
  group_first_message: {
    meaning: m('the first message of each group that ever spoke; a group that never did has no row', 'हर बोले हुए ग्रुप का पहला संदेश; कभी न बोले ग्रुप की पंक्ति नहीं'),
    columns: { group_id: GROUP_ID, first_at: m('time of the first message (UTC): read min(first_at)', 'पहले संदेश का समय (UTC): min(first_at) पढ़ें') },
  },
  group_last_message: {
    meaning: m('the last message of each group that ever spoke; a group that never did has no row', 'हर बोले हुए ग्रुप का आख़िरी संदेश; कभी न बोले ग्रुप की पंक्ति नहीं'),
    columns: { group_id: GROUP_ID, last_at: m('time of the last message (UTC): read max(last_at)', 'आख़िरी संदेश का समय (UTC): max(last_at) पढ़ें') },
  },
  group_members: {
    meaning: m('latest member count per group, from its snapshots (read with FINAL)', 'हर ग्रुप की नवीनतम सदस्य संख्या, स्नैपशॉट से (FINAL से पढ़ें)'),
    columns: {
      group_id: GROUP_ID,
      at: m('time of the snapshot (UTC)', 'स्नैपशॉट का समय (UTC)'),
      members: m('members then', 'तब के सदस्य'),
      admins: m('admins then', 'तब के एडमिन'),
    },
  },
  group_people: {
    meaning: m('who is in which group as far as events tell: the latest event per group and person wins (read with FINAL)', 'घटनाओं के अनुसार कौन किस ग्रुप में है: हर ग्रुप-व्यक्ति की नवीनतम घटना (FINAL से पढ़ें)'),
    columns: {
      group_id: GROUP_ID,
      person: m('pseudonymised person', 'छद्मनाम व्यक्ति'),
      at: m('time of the latest event (UTC)', 'नवीनतम घटना का समय (UTC)'),
      present: m('1 = in the group (joined or wrote), 0 = left', '1 = ग्रुप में (जुड़ा या लिखा), 0 = छोड़ दिया'),
      unit_path: UNIT_PATH,
    },
  },
  group_source: {
    meaning: m("the source that feeds each group: that of the group's latest event (read with FINAL)", 'हर ग्रुप का स्रोत: ग्रुप की नवीनतम घटना वाला (FINAL से पढ़ें)'),
    columns: { group_id: GROUP_ID, source: m('the source', 'स्रोत'), at: m('when its latest event was received (UTC)', 'उसकी नवीनतम घटना कब मिली (UTC)') },
  },
  directory_settings: {
    meaning: m("the directory's levels and categories (read with FINAL)", 'डायरेक्टरी के स्तर और श्रेणियाँ (FINAL से पढ़ें)'),
    columns: {
      id: m('always 1', 'हमेशा 1'),
      levels: m('the names of the levels, top first', 'स्तरों के नाम, ऊपर वाला पहले'),
      division_level: m('the level whose units are divisions', 'वह स्तर जिसकी इकाइयाँ डिवीज़न हैं'),
      categories: m('the group categories', 'ग्रुप की श्रेणियाँ'),
      version: VERSION,
    },
  },
  directory_units: {
    meaning: m('the units of the organisation, a tree (read with FINAL WHERE deleted = 0)', 'संगठन की इकाइयाँ, एक पेड़ (FINAL WHERE deleted = 0 से पढ़ें)'),
    columns: {
      unit_id: m('unit id', 'इकाई आईडी'),
      name: m('unit name', 'इकाई का नाम'),
      level: m('its level', 'उसका स्तर'),
      parent: m("parent unit's id; empty at the top", 'ऊपर की इकाई की आईडी; सबसे ऊपर ख़ाली'),
      voters: m("the unit's voters when the directory was told (NULL: see its children's)", 'इकाई के मतदाता, जब निर्देशिका में दिए गए हों (NULL: उसकी नीचे की इकाइयों के देखें)'),
      version: VERSION,
      deleted: DELETED,
    },
  },
  directory_groups: {
    meaning: m('the groups of the directory and their units (read with FINAL WHERE deleted = 0)', 'डायरेक्टरी के ग्रुप और उनकी इकाइयाँ (FINAL WHERE deleted = 0 से पढ़ें)'),
    columns: {
      group_id: GROUP_ID,
      unit_id: m("the group's unit", 'ग्रुप की इकाई'),
      category: m('group category', 'ग्रुप की श्रेणी'),
      title: m('group title in the directory', 'डायरेक्टरी में ग्रुप का नाम'),
      platform: m('whatsapp, telegram, …', 'whatsapp, telegram, …'),
      target_size: m('members the group should reach; NULL when not set', 'ग्रुप में होने चाहिए इतने सदस्य; तय न हो तो NULL'),
      version: VERSION,
      deleted: DELETED,
    },
  },
  directory_group_paths: {
    meaning: m("each group's unit path per directory version (read the highest version, with FINAL)", 'हर डायरेक्टरी संस्करण में ग्रुप का इकाई-पथ (सबसे ऊँचा संस्करण, FINAL से पढ़ें)'),
    columns: {
      version: m('directory version', 'डायरेक्टरी संस्करण'),
      group_id: GROUP_ID,
      unit_path: m("unit ids from the division down to the group's unit", 'डिवीज़न से ग्रुप की इकाई तक की इकाई आईडी'),
    },
  },
  account_events: {
    meaning: m("events of representatives' public accounts (read with FINAL to count each once)", 'प्रतिनिधियों के सार्वजनिक खातों की घटनाएँ (हर एक को एक बार गिनने के लिए FINAL से पढ़ें)'),
    columns: {
      event_id: m("the source's id of the event", 'स्रोत की दी हुई घटना आईडी'),
      type: m('event type', 'घटना का प्रकार'),
      account: m('the account', 'खाता'),
      platform: m('the platform', 'प्लेटफ़ॉर्म'),
      at: m('when it happened (UTC)', 'कब हुआ (UTC)'),
      received_at: m('when GroupPulse received it (UTC)', 'GroupPulse को कब मिला (UTC)'),
      written_at: m('when it was stored (UTC)', 'कब सहेजा गया (UTC)'),
      source: m('the collector that sent it', 'भेजने वाला संग्राहक'),
      kind: m('post kind', 'पोस्ट का प्रकार'),
      followers: m('followers at that time; NULL when not sent', 'उस समय फ़ॉलोअर; न भेजे हों तो NULL'),
    },
  },
};
