import { describe, expect, it } from 'vitest';
import { ingestEndpoint } from './request-metrics.ts';

describe('ingestEndpoint', () => {
  it('names the ingest endpoints and lumps any other path together', () => {
    expect(ingestEndpoint('/v1/events')).toBe('/v1/events');
    expect(ingestEndpoint('/v1/events/')).toBe('/v1/events');
    expect(ingestEndpoint('/v1/webhooks/whatsapp')).toBe('/v1/webhooks/whatsapp');
    expect(ingestEndpoint('/v1/imports/whatsapp-export')).toBe('/v1/imports/whatsapp-export');
    expect(ingestEndpoint('/v1/anything-a-scanner-tries')).toBe('other');
  });
});
