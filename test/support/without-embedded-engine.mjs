/**
 * `node --import` this file: the embedded ClickHouse engine (npm chdb) resolves as if it were not installed,
 * as in the service image (Dockerfile). The distributed tier runs its services this way.
 */
import { register } from 'node:module';

register('./without-embedded-engine-hooks.mjs', import.meta.url);
