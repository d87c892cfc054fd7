import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('loadConfig', () => {
  it('refuses a configured token or secret shorter than 16 characters, naming it', () => {
    for (const name of ['INGEST_TOKEN', 'DIRECTORY_IMPORT_TOKEN', 'METRICS_TOKEN', 'WHATSAPP_APP_SECRET', 'WHATSAPP_VERIFY_TOKEN', 'TELEGRAM_SECRET_TOKEN', 'ALERT_WEBHOOK_SECRET']) {
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
});
