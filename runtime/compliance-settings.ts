/**
 * Group compliance's settings from config, for the api (the compliance page) and the processor (the daily
 * compliance digest): the pramukh's role, the required admins, and the door's pseudonym of a contact's number
 * (compliance finds contacts among the people of events by it) — the same key as ingest, PSEUDONYM_KEY or the
 * one kept in DATA_DIR.
 */
import type { Config } from '../common/config.ts';
import type { Logger } from '../common/logger.ts';
import { createPseudonymiser, loadOrCreatePseudonymKey } from '../ingest/pseudonymise.ts';

export function complianceSettings(config: Config, logger: Logger) {
  const { key, created, file } = loadOrCreatePseudonymKey(config.PSEUDONYM_KEY, config.DATA_DIR);
  if (created) logger.warn({ file }, 'generated a pseudonymisation key for group compliance; unless ingest runs here on the same DATA_DIR, set PSEUDONYM_KEY as for ingest, or no pramukh will be found in any group');
  return { pramukhRole: config.COMPLIANCE_PRAMUKH_ROLE, admins: config.COMPLIANCE_REQUIRED_ADMINS, personKey: createPseudonymiser(key) };
}
