import { describe, expect, it } from 'vitest';
import { ConfigError, kafkaBrokers, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('refuses a configured token or secret shorter than 16 characters, naming it', () => {
    for (const name of ['INGEST_TOKEN', 'DIRECTORY_IMPORT_TOKEN', 'METRICS_TOKEN', 'WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN', 'TELEGRAM_SECRET_TOKEN', 'TELEGRAM_BOT_TOKEN', 'ALERT_WEBHOOK_SECRET']) {
      expect(() => loadConfig({ [name]: 'short-token' }), name).toThrow(ConfigError);
      expect(() => loadConfig({ [name]: 'short-token' }), name).toThrow(new RegExp(`${name}: must be at least 16 characters`));
      expect(loadConfig({ [name]: 'a-long-enough-token-0123' })[name as 'INGEST_TOKEN']).toBe('a-long-enough-token-0123');
      expect(loadConfig({ [name]: '' })[name as 'INGEST_TOKEN']).toBeUndefined();
    }
  });

  it('reads TRUST_PROXY as Express takes it', () => {
    expect(loadConfig({}).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'loopback, 10.0.0.0/8' }).TRUST_PROXY).toBe('loopback, 10.0.0.0/8');
  });

  it('gives the documented defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 8080,
      DATA_DIR: './data',
      DEDUP_WINDOW_DAYS: 8,
      PROCESSOR_BATCH_ROWS: 20_000,
      PROCESSOR_BATCH_WAIT_MS: 0,
      LOCAL_BUS_SYNC: true,
      BOARD_TIME_ZONE: 'Asia/Kolkata',
      GROUPPULSE_SIMULATE: false,
      GROUPPULSE_SIMULATE_SCALE: 0.01,
      GROUPPULSE_SIMULATE_SPEED: 60,
    });
    expect(config.KAFKA_BROKERS).toBeUndefined();
    expect(config.CLICKHOUSE_URL).toBeUndefined();
  });

  it('names every bad variable in one error', () => {
    const error = (() => {
      try {
        loadConfig({ PORT: 'eighty', PROCESSOR_BATCH_ROWS: '0', GROUPPULSE_SIMULATE_SCALE: '-1' });
      } catch (caught) {
        return caught as Error;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/PORT: /);
    expect(error.message).toMatch(/PROCESSOR_BATCH_ROWS: /);
    expect(error.message).toMatch(/GROUPPULSE_SIMULATE_SCALE: /);
  });

  it('reads a flag as true or false in any case, empty as unset, and refuses anything else', () => {
    for (const yes of ['1', 'true', 'TRUE', 'Yes', 'on']) expect(loadConfig({ GROUPPULSE_SIMULATE: yes }).GROUPPULSE_SIMULATE, yes).toBe(true);
    for (const no of ['0', 'false', 'No', 'off', '']) expect(loadConfig({ GROUPPULSE_SIMULATE: no }).GROUPPULSE_SIMULATE, no).toBe(false);
    expect(loadConfig({ LOCAL_BUS_SYNC: '' }).LOCAL_BUS_SYNC).toBe(true);
    expect(() => loadConfig({ LOCAL_BUS_SYNC: 'maybe' })).toThrow(/LOCAL_BUS_SYNC: must be true or false/);
  });

  it('reads the lifetimes of tokens, board sessions and display tokens, and refuses a session that could not be renewed', () => {
    expect(loadConfig({})).toMatchObject({ AUTH_TOKEN_TTL_MINUTES: 60, AUTH_SESSION_IDLE_HOURS: 168, AUTH_SESSION_MAX_DAYS: 30, AUTH_DISPLAY_TOKEN_DAYS: 365 });
    expect(loadConfig({ AUTH_TOKEN_TTL_MINUTES: '15', AUTH_SESSION_IDLE_HOURS: '12', AUTH_SESSION_MAX_DAYS: '1' })).toMatchObject({ AUTH_TOKEN_TTL_MINUTES: 15, AUTH_SESSION_IDLE_HOURS: 12, AUTH_SESSION_MAX_DAYS: 1 });
    expect(() => loadConfig({ AUTH_TOKEN_TTL_MINUTES: '120', AUTH_SESSION_IDLE_HOURS: '2' })).toThrow(/AUTH_SESSION_IDLE_HOURS: must be longer than AUTH_TOKEN_TTL_MINUTES/);
    expect(() => loadConfig({ AUTH_SESSION_IDLE_HOURS: '48', AUTH_SESSION_MAX_DAYS: '1' })).toThrow(/AUTH_SESSION_IDLE_HOURS: must be at most AUTH_SESSION_MAX_DAYS/);
    expect(() => loadConfig({ AUTH_DISPLAY_TOKEN_DAYS: '0' })).toThrow(/AUTH_DISPLAY_TOKEN_DAYS/);
    expect(() => loadConfig({ AUTH_TOKEN_TTL_MINUTES: 'soon' })).toThrow(/AUTH_TOKEN_TTL_MINUTES/);
  });

  it('keeps data for ever by default, and refuses raw events kept no longer than their ids are remembered', () => {
    expect(loadConfig({})).toMatchObject({ EVENTS_RETENTION_DAYS: 0, SQL_AUDIT_RETENTION_DAYS: 0 });
    expect(loadConfig({ EVENTS_RETENTION_DAYS: '400', SQL_AUDIT_RETENTION_DAYS: '730' })).toMatchObject({ EVENTS_RETENTION_DAYS: 400, SQL_AUDIT_RETENTION_DAYS: 730 });
    expect(() => loadConfig({ EVENTS_RETENTION_DAYS: '8' })).toThrow(/EVENTS_RETENTION_DAYS: must be 0 \(keep for ever\) or longer than DEDUP_WINDOW_DAYS/);
    expect(() => loadConfig({ SQL_AUDIT_RETENTION_DAYS: '-1' })).toThrow(/SQL_AUDIT_RETENTION_DAYS/);
  });

  it('bounds the processor batch by rows and by age', () => {
    expect(loadConfig({ PROCESSOR_BATCH_ROWS: '500', PROCESSOR_BATCH_WAIT_MS: '250' })).toMatchObject({ PROCESSOR_BATCH_ROWS: 500, PROCESSOR_BATCH_WAIT_MS: 250 });
    expect(() => loadConfig({ PROCESSOR_BATCH_WAIT_MS: '-1' })).toThrow(/PROCESSOR_BATCH_WAIT_MS/);
    expect(() => loadConfig({ PROCESSOR_BATCH_ROWS: '1.5' })).toThrow(/PROCESSOR_BATCH_ROWS/);
  });

  it('splits KAFKA_BROKERS, and unset means the local log', () => {
    expect(kafkaBrokers(loadConfig({ KAFKA_BROKERS: ' a:9092, b:9092 ,' }))).toEqual(['a:9092', 'b:9092']);
    expect(kafkaBrokers(loadConfig({ KAFKA_BROKERS: '' }))).toEqual([]);
  });
});
