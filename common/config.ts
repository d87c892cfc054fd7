/**
 * Run-time configuration: one typed object, parsed once at start from the environment
 * (and `.env`), with errors that name the bad variable. Only entry points call `loadConfig`;
 * everything else receives the object (or the part it needs) as an argument.
 */
import { adminRulesSchema } from './contracts/compliance.ts';
import { z } from 'zod';

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Shortest secret accepted for a token or key this process checks (guessing one must stay hopeless). */
export const MIN_SECRET_LENGTH = 16;

/** A configured secret: unset, or at least MIN_SECRET_LENGTH characters. */
const secret = optionalString.refine((v) => v === undefined || v.length >= MIN_SECRET_LENGTH, {
  message: `must be at least ${MIN_SECRET_LENGTH} characters (a long random string, e.g. from openssl rand -hex 24)`,
});

/**
 * Express's "trust proxy": unset or false = the client address is the connection's; a number = that
 * many proxies in front; true = trust every X-Forwarded-For hop (only behind a proxy that overwrites
 * it); else addresses / subnets / loopback, linklocal, uniquelocal, comma-separated.
 */
const trustProxy = optionalString.transform((v): boolean | number | string => {
  if (v === undefined || v === 'false') return false;
  if (v === 'true') return true;
  return /^\d+$/.test(v) ? Number(v) : v;
});

/** true/false, 1/0, yes/no, on/off, in any case; unset or empty = `fallback`. */
const booleanFlag = (fallback: boolean) =>
  z.preprocess(
    (v) => (typeof v === 'string' ? v.trim().toLowerCase() || undefined : v),
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no', 'on', 'off'], { errorMap: () => ({ message: 'must be true or false' }) })
      .optional()
      .transform((v) => (v === undefined ? fallback : ['true', '1', 'yes', 'on'].includes(v))),
  );

const positiveNumber = (fallback: number) => z.coerce.number().positive().default(fallback);

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  DATA_DIR: z.string().default('./data'),
  KAFKA_BROKERS: optionalString,
  KAFKA_CLIENT_ID: z.string().default('grouppulse'),
  /** 2 on one box: see README (more partitions add live latency on the embedded engine; scale-out sets more). */
  KAFKA_PARTITIONS: positiveInt(2),
  KAFKA_REPLICATION_FACTOR: positiveInt(1),
  /** Most bytes one fetch takes from a partition: bounds a consumer's batch (the processor's insert) on Kafka. */
  KAFKA_FETCH_BYTES_PER_PARTITION: positiveInt(2 * 1024 * 1024),
  /**
   * How long a consumer may go silent before Kafka hands its partitions to another (Kafka's session
   * timeout; the broker allows 6 s and up by default). After a crash, nothing is processed for up to
   * this long: the new member waits for the dead one's session to end. Kafka's and kafkajs' default is 30 s.
   */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6000).default(30_000),
  /** Prefix for topic and consumer-group names, so several deployments (or test runs) can share a broker. */
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  CLICKHOUSE_URL: optionalString,
  CLICKHOUSE_USER: optionalString,
  CLICKHOUSE_PASSWORD: optionalString,
  CLICKHOUSE_DATABASE: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'letters, digits and _ only').default('grouppulse'),
  /**
   * How long a starting service waits for another one that is migrating the schema (one migrator at a time,
   * common/store/migrate.ts) before it gives up and exits.
   */
  MIGRATIONS_WAIT_SECONDS: positiveInt(600),
  INGEST_TOKEN: secret,
  /**
   * Bearer token that may import into the group directory besides admins (scripts, the simulator).
   * Kept apart from source tokens: a collector's token must not be able to rewrite the organisation.
   */
  DIRECTORY_IMPORT_TOKEN: secret,
  /** Key for pseudonymising member ids. Unset: generated once and kept in DATA_DIR/pseudonym.key. */
  PSEUDONYM_KEY: optionalString,
  /** Country of phone numbers written without a country code (ISO 3166 code): they are normalised to E.164 before pseudonymising. */
  PHONE_DEFAULT_COUNTRY: z.string().regex(/^[A-Z]{2}$/, 'a two-letter ISO 3166 country code such as IN').default('IN'),
  INGEST_MAX_BODY_BYTES: positiveInt(5 * 1024 * 1024),
  INGEST_MAX_EVENTS: positiveInt(10_000),
  /** Requests with a wrong or missing source token allowed per client address per minute (then 429). */
  INGEST_AUTH_FAILURES_PER_MINUTE: positiveInt(60),
  /** How long an event id is remembered: a copy arriving within this window counts once. */
  DEDUP_WINDOW_DAYS: positiveInt(8),
  /** Days raw events (`events`, `account_events`) are kept, as a TTL (common/store/retention.ts); 0 = for ever. The rollups keep their counts. */
  EVENTS_RETENTION_DAYS: z.coerce.number().int().min(0).default(0),
  /** Days the analysts' SQL audit (`sql_audit`, also their query history) is kept; 0 = for ever. */
  SQL_AUDIT_RETENTION_DAYS: z.coerce.number().int().min(0).default(0),
  /** Most records in one processor batch (one insert), on either bus: a larger delivery is handled in parts. */
  PROCESSOR_BATCH_ROWS: positiveInt(20_000),
  /**
   * How long a processor batch smaller than PROCESSOR_BATCH_ROWS may wait for more records after its first
   * one arrived. 0 = hand over what has arrived (batches still grow with the load: what arrives during a
   * write is the next batch); more trades latency for fewer, larger inserts.
   */
  PROCESSOR_BATCH_WAIT_MS: z.coerce.number().int().min(0).max(60_000).default(0),
  /**
   * Records waiting this long without a processor making progress — or a batch failing to be written
   * this long — is a stall: the processor's /readyz fails, pipeline_stalled_partitions counts it and the
   * pipeline-stalled alert fires (to the central team).
   */
  PIPELINE_STALL_SECONDS: positiveInt(60),
  /**
   * Processor under a supervisor (docker compose's restart policy): exit (code 75) once /readyz's processor
   * check has failed this long without a break, so the supervisor starts a fresh process. 0 = never.
   */
  STALL_EXIT_SECONDS: z.coerce.number().int().min(0).default(0),
  /** Embedded engine: how often the processor hands freed engine memory back to the system (0 = never). */
  STORE_RELEASE_MEMORY_MS: z.coerce.number().int().min(0).default(5000),
  /** Bound of the local log (embedded mode), in records per topic waiting for the processor; beyond it ingest answers 503. */
  LOCAL_BUS_MAX_PENDING: positiveInt(1_000_000),
  /** Local log: flush accepted events to the disk before answering 202 (survives a power cut, not only a crash). */
  LOCAL_BUS_SYNC: booleanFlag(true),
  LIVE_INTERVAL_MS: positiveInt(250),
  /** How often the api re-reads the live snapshot (distinct counts) from ClickHouse. */
  LIVE_RESYNC_MS: positiveInt(10_000),
  /** IANA time zone that defines "today" on the live board. */
  BOARD_TIME_ZONE: z.string().default('Asia/Kolkata'),
  /** The share of their unit's voters a representative should have as followers (0.25: a quarter). */
  REPRESENTATIVE_FOLLOWER_TARGET: z.coerce.number().gt(0, 'a share above 0, e.g. 0.25').max(10).default(0.25),
  /** Group compliance: the role of a booth's pramukh among the directory's contacts. */
  COMPLIANCE_PRAMUKH_ROLE: z.string().min(1).default('booth pramukh'),
  /**
   * Group compliance: required admins as JSON, e.g. [{"categories":["youth"],"role":"youth in-charge","level":"district"}]:
   * every youth group must have as an admin the youth in-charge of the district above it. Default: none.
   */
  COMPLIANCE_REQUIRED_ADMINS: z
    .string()
    .default('[]')
    .transform((text, ctx) => {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `not JSON: ${(error as Error).message}` });
        return z.NEVER;
      }
      const parsed = adminRulesSchema.safeParse(value);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', message: 'a JSON array of {"categories": [...], "role": "...", "level": "..."}' });
        return z.NEVER;
      }
      return parsed.data;
    }),
  WHATSAPP_APP_SECRET: secret,
  WHATSAPP_VERIFY_TOKEN: secret,
  TELEGRAM_SECRET_TOKEN: secret,
  /** The bot that sends personal alert notifications (alerts/notify/): its token from @BotFather; unset = no Telegram notifications. */
  TELEGRAM_BOT_TOKEN: secret,
  /** The bot's username (without @): the deep link a lead opens to link their chat, https://t.me/<username>?start=<code>. */
  TELEGRAM_BOT_USERNAME: optionalString,
  /** The Bot API's base URL (tests point it at a local server). */
  TELEGRAM_API_BASE: z.string().url().default('https://api.telegram.org'),
  /**
   * Personal alert notifications on WhatsApp (alerts/notify/whatsapp.ts): the Cloud API's access token (a
   * system user's permanent token) and the business phone number's id; unset = no WhatsApp notifications.
   * The approved template (WHATSAPP_TEMPLATE_NAME) has a body with {{1}} (heading) and {{2}} (the alert),
   * and one quick-reply button; its languages per user language in WHATSAPP_TEMPLATE_LANGUAGES (`en:en,hi:hi`).
   */
  WHATSAPP_ACCESS_TOKEN: secret,
  WHATSAPP_PHONE_NUMBER_ID: optionalString,
  /** The Graph API's base URL (tests point it at a local server) and version. */
  WHATSAPP_API_BASE: z.string().url().default('https://graph.facebook.com'),
  WHATSAPP_API_VERSION: z.string().regex(/^v\d+\.\d+$/, 'a Graph API version such as v21.0').default('v21.0'),
  WHATSAPP_TEMPLATE_NAME: z.string().regex(/^[a-z0-9_]{1,512}$/, 'a template name: lower-case letters, digits, _').default('grouppulse_alert'),
  WHATSAPP_TEMPLATE_LANGUAGES: z
    .string()
    .default('en:en,hi:hi')
    .transform((text, ctx) => {
      const pairs = Object.fromEntries(text.split(',').map((p) => p.trim().split(':').map((v) => v.trim())).filter((p) => p.length === 2 && p[1]));
      if (!pairs.en || !pairs.hi) {
        ctx.addIssue({ code: 'custom', message: 'the template language for en and hi, e.g. en:en_US,hi:hi' });
        return z.NEVER;
      }
      return { en: pairs.en as string, hi: pairs.hi as string };
    }),
  /** Personal alert notifications by email (alerts/notify/email.ts): smtp(s)://user:pass@host:port; unset = no email. */
  SMTP_URL: secret,
  /** The sender of notification emails, e.g. "GroupPulse <alerts@example.org>". */
  NOTIFY_EMAIL_FROM: optionalString,
  /** Where people open the board (the base of the emails' acknowledge links), e.g. https://pulse.example.org. */
  BOARD_PUBLIC_URL: z.string().url().optional(),
  /** HMAC key of the emails' acknowledge links (alerts/notify/ack-link.ts); the email channel does not start without it. */
  NOTIFY_LINK_SECRET: secret,
  /** How long an acknowledge link works. */
  NOTIFY_LINK_TTL_HOURS: positiveInt(48),
  /** Key (any long random text) the users' WhatsApp numbers and emails are encrypted with (AES-256-GCM, key by HKDF); needed to keep them. */
  NOTIFY_CONTACTS_KEY: secret,
  /** Local hour (in each user's time zone) of the daily digest, and the most alerts it lists before "and N more". */
  NOTIFY_DIGEST_HOUR: z.coerce.number().int().min(0).max(23).default(8),
  NOTIFY_DIGEST_CAP: positiveInt(20),
  /** How often held messages (quiet hours over) and due digests are looked for. */
  NOTIFY_TICK_MS: positiveInt(60_000),
  /** WhatsApp's messaging limit of the business number: different people written to in a rolling 24 h (Meta's tier: 1000, 10000, 100000). */
  WHATSAPP_DAILY_RECIPIENTS: positiveInt(1000),
  /** How many processors send notifications: each keeps to its share of a provider's limit (Telegram 30/s, WhatsApp 80/s, email 10/s). */
  NOTIFY_PROCESSORS: positiveInt(1),
  /** Accepted event times: at most this many days in the past (older = rejected per event, e.g. exports of old chats). */
  INGEST_MAX_PAST_DAYS: positiveInt(730),
  /** Accepted event times: at most this many minutes ahead of the ingest clock (clock skew allowance). */
  INGEST_MAX_FUTURE_MINUTES: positiveInt(15),
  /** Requests per source per INGEST_RATE_WINDOW_SECONDS (per ingest instance); beyond it, 429 with Retry-After. */
  INGEST_RATE_LIMIT: positiveInt(600),
  INGEST_RATE_WINDOW_SECONDS: positiveInt(60),
  /** Largest chat export accepted by the upload endpoint, in bytes. */
  INGEST_MAX_EXPORT_BYTES: positiveInt(20 * 1024 * 1024),
  /** How long an ingest instance trusts a stored source token before re-reading it; 0 = read on every request (revocation is immediate everywhere). */
  INGEST_SOURCES_CACHE_MS: z.coerce.number().int().nonnegative().default(0),
  /** Time zone of the clock in uploaded chat exports (exports carry local times without a zone). */
  CHAT_EXPORT_TIME_ZONE: z.string().default('Asia/Kolkata'),
  /** Slow clients: the server drops a request whose headers / whole body have not arrived within these. */
  HTTP_HEADERS_TIMEOUT_MS: positiveInt(15_000),
  HTTP_REQUEST_TIMEOUT_MS: positiveInt(60_000),
  /** HS256 key for user sign-in tokens. Unset: generated once and kept in DATA_DIR/auth-jwt.key. */
  AUTH_JWT_SECRET: optionalString,
  /** Lifetime of a sign-in token, in minutes (short: a stolen token is useful only briefly; the board renews it). */
  AUTH_TOKEN_TTL_MINUTES: positiveInt(60),
  /** A board session not renewed for this many hours ends (the board renews while open; a closed tab stops). */
  AUTH_SESSION_IDLE_HOURS: positiveInt(7 * 24),
  /** A board session ends this many days after its password sign-in, however often it was renewed. */
  AUTH_SESSION_MAX_DAYS: positiveInt(30),
  /** Lifetime of a wall display's token (made by an admin, revocable at any time). */
  AUTH_DISPLAY_TOKEN_DAYS: positiveInt(365),
  /** Failed sign-ins allowed per account per AUTH_SIGNIN_WINDOW_MINUTES (successful ones do not count); then 429. */
  AUTH_SIGNIN_MAX_FAILURES: positiveInt(10),
  /** Failed sign-ins allowed per client address (see TRUST_PROXY) per AUTH_SIGNIN_WINDOW_MINUTES, whatever the accounts. */
  AUTH_SIGNIN_MAX_FAILURES_PER_ADDRESS: positiveInt(50),
  AUTH_SIGNIN_WINDOW_MINUTES: positiveInt(15),
  /** Wrong DIRECTORY_IMPORT_TOKEN / METRICS_TOKEN attempts allowed per client address per AUTH_SIGNIN_WINDOW_MINUTES; then 429. */
  TOKEN_MAX_FAILURES_PER_ADDRESS: positiveInt(10),
  /** Who the client is behind a reverse proxy (Express's trust proxy); every per-address limit keys on it. */
  TRUST_PROXY: trustProxy,
  /** Bearer token GET /metrics asks for; unset = open (keep the port private then). */
  METRICS_TOKEN: secret,
  /** Password of the first admin (user `admin`), created on first start; unset = generated and printed once. */
  ADMIN_PASSWORD: optionalString,
  /** Origin of the board when it is served from elsewhere (e.g. http://localhost:5173); unset = same origin only. */
  BOARD_ORIGIN: optionalString,
  /** Analysts' SQL limits, enforced by ClickHouse (max_execution_time, max_result_rows, max_result_bytes; the answer's JSON is held to the byte limit too). */
  SQL_MAX_EXECUTION_SECONDS: positiveInt(30),
  SQL_MAX_RESULT_ROWS: positiveInt(100_000),
  SQL_MAX_RESULT_BYTES: positiveInt(50 * 1024 * 1024),
  /** Memory one analyst query may use (max_memory_usage); group-by and sort spill to disk past a quarter of it. */
  SQL_MAX_MEMORY_BYTES: positiveInt(512 * 1024 * 1024),
  /** Analyst queries running at once in all (embedded engine: one engine session each). */
  SQL_MAX_CONCURRENT_QUERIES: positiveInt(2),
  /** Of those, at most this many per analyst; their other queries wait their turn (fair queueing). */
  SQL_MAX_QUERIES_PER_ANALYST: positiveInt(1),
  /** Queries one analyst may have waiting; beyond it, 429. */
  SQL_MAX_QUEUED_PER_ANALYST: positiveInt(5),
  /** Server mode: a read-only ClickHouse user for the analysts' SQL (deploy/clickhouse/users.d/grouppulse-readonly.xml). */
  CLICKHOUSE_READONLY_USER: optionalString,
  CLICKHOUSE_READONLY_PASSWORD: optionalString,
  /** Alert rules and thresholds as JSON (alerts/rules.ts); unset = the defaults. */
  ALERT_RULES_FILE: optionalString,
  /** How often the alert detector runs (in the one processor instance that runs it). */
  ALERT_TICK_MS: positiveInt(60_000),
  /** Comma-separated webhook URLs that receive alerts and digests, signed with ALERT_WEBHOOK_SECRET. */
  ALERT_WEBHOOK_URLS: optionalString,
  ALERT_WEBHOOK_SECRET: secret,
  ALERT_WEBHOOK_MAX_ATTEMPTS: positiveInt(5),
  /** First retry wait; doubles per failure (capped at 30 s). */
  ALERT_WEBHOOK_BACKOFF_MS: positiveInt(1000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `npm start` plays a small simulated organisation into itself (simulator/demo.ts). */
  GROUPPULSE_SIMULATE: booleanFlag(false),
  /** Its share of the field's scale (1 = 100,000 groups, 5 M members). */
  GROUPPULSE_SIMULATE_SCALE: positiveNumber(0.01),
  /** Simulated seconds per real second (60 = a day in 24 minutes). */
  GROUPPULSE_SIMULATE_SPEED: positiveNumber(60),
}).superRefine((config, context) => {
  // A session that idles out before its token expires could never be renewed.
  if (config.AUTH_SESSION_IDLE_HOURS * 60 <= config.AUTH_TOKEN_TTL_MINUTES) {
    context.addIssue({ code: 'custom', path: ['AUTH_SESSION_IDLE_HOURS'], message: 'must be longer than AUTH_TOKEN_TTL_MINUTES' });
  }
  if (config.AUTH_SESSION_IDLE_HOURS > config.AUTH_SESSION_MAX_DAYS * 24) {
    context.addIssue({ code: 'custom', path: ['AUTH_SESSION_IDLE_HOURS'], message: 'must be at most AUTH_SESSION_MAX_DAYS in hours' });
  }
  if (config.SMTP_URL && (!config.NOTIFY_LINK_SECRET || !config.NOTIFY_EMAIL_FROM || !config.BOARD_PUBLIC_URL)) {
    context.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'email notifications need NOTIFY_LINK_SECRET, NOTIFY_EMAIL_FROM and BOARD_PUBLIC_URL too' });
  }
  if (config.WHATSAPP_ACCESS_TOKEN && !config.WHATSAPP_PHONE_NUMBER_ID) {
    context.addIssue({ code: 'custom', path: ['WHATSAPP_ACCESS_TOKEN'], message: 'WhatsApp notifications need WHATSAPP_PHONE_NUMBER_ID too' });
  }
  if ((config.SMTP_URL || config.WHATSAPP_ACCESS_TOKEN) && !config.NOTIFY_CONTACTS_KEY) {
    context.addIssue({ code: 'custom', path: ['NOTIFY_CONTACTS_KEY'], message: 'WhatsApp and email notifications keep numbers and addresses encrypted: set NOTIFY_CONTACTS_KEY' });
  }
  // Raw events gone before their ids' window ends: a late copy of one could not be told from a new event's.
  if (config.EVENTS_RETENTION_DAYS > 0 && config.EVENTS_RETENTION_DAYS <= config.DEDUP_WINDOW_DAYS) {
    context.addIssue({ code: 'custom', path: ['EVENTS_RETENTION_DAYS'], message: 'must be 0 (keep for ever) or longer than DEDUP_WINDOW_DAYS' });
  }
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Parse the environment into a Config; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: Partial<Record<keyof Config, unknown>> = {}): Config {
  const result = configSchema.safeParse({ ...env, ...overrides });
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`invalid configuration — ${problems}`);
  }
  return result.data;
}

export function kafkaBrokers(config: Pick<Config, 'KAFKA_BROKERS'>): string[] {
  return (config.KAFKA_BROKERS ?? '').split(',').map((b) => b.trim()).filter(Boolean);
}
