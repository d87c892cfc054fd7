/**
 * What an analyst's query may name (docs/access.md): the analytics tables of the service's own
 * database, the one-row `system.one` (what a SELECT without FROM reads), a few table functions
 * that only generate rows, and every function except those that reach data by name at run time
 * (dictionaries, joinGet, files, settings of the server). The service's own tables — accounts,
 * tokens, the audit trail, sources, batch records, the dedup keys, alert deliveries, the directory's contacts
 * (people's names and phone numbers) — are never here.
 */
import { ANALYTICS_SCHEMA } from './analytics-schema.ts';

/** Tables and views of the service's database an analyst may read: those described in analytics-schema.ts. */
export const ANALYTICS_TABLES: readonly string[] = Object.keys(ANALYTICS_SCHEMA);

/** Tables outside the service's database that a query may name: the one-row table of a SELECT without FROM. */
export const HARMLESS_SYSTEM_TABLES: readonly string[] = ['system.one'];

/** Table functions that only generate rows from their arguments. */
export const GENERATOR_TABLE_FUNCTIONS: readonly string[] = ['numbers', 'numbers_mt', 'zeros', 'zeros_mt', 'generate_series', 'generateSeries', 'primes', 'values'];

/**
 * Table functions that read something by name (tables, files, URLs, other servers, dictionaries…):
 * refused wherever they appear, also where a plain function is expected (`x IN merge(…)`). The
 * sandbox also refuses every table function not on GENERATOR_TABLE_FUNCTIONS in a FROM, so this
 * list only has to cover names that could be called outside FROM.
 */
export const READING_TABLE_FUNCTIONS: readonly string[] = [
  'merge', 'mergeTreeIndex', 'mergeTreeProjection', 'mergeTreeAnalyzeIndexes', 'mergeTreeAnalyzeIndexesUUID', 'mergeTreeTextIndex',
  'remote', 'remoteSecure', 'cluster', 'clusterAllReplicas', 'view', 'viewIfPermitted', 'viewExplain', 'loop', 'input', 'dictionary',
  'file', 'fileCluster', 'filesystem', 'url', 'urlCluster', 's3', 's3Cluster', 'gcs', 'cosn', 'oss', 'hdfs', 'hdfsCluster',
  'azureBlobStorage', 'azureBlobStorageCluster', 'executable', 'eval', 'jdbc', 'odbc', 'mysql', 'postgresql', 'sqlite', 'mongodb', 'redis',
  'ytsaurus', 'prometheusQuery', 'prometheusQueryRange', 'timeSeriesData', 'timeSeriesMetrics', 'timeSeriesSamples', 'timeSeriesSelector',
  'timeSeriesTags', 'arrowstream',
];

/** Plain functions that reach data or configuration by name at run time. */
const REFUSED_FUNCTIONS = [
  'joinGet', 'joinGetOrNull', 'file', 'hasColumnInTable', 'catboostEvaluate', 'getMacro', 'getServerSetting', 'getMergeTreeSetting',
  'globalVariable', 'getClientHTTPHeader', 'filesystemAvailable', 'filesystemCapacity', 'filesystemUnreserved', 'evalMLMethod', 'naiveBayesClassifier',
  '__getScalar', 'getScalar',
];

const lower = (names: readonly string[]) => new Set(names.map((n) => n.toLowerCase()));
const ANALYTICS = new Set(ANALYTICS_TABLES);
const SYSTEM = new Set(HARMLESS_SYSTEM_TABLES);
const GENERATORS = lower(GENERATOR_TABLE_FUNCTIONS);
const READING = lower(READING_TABLE_FUNCTIONS);
const REFUSED = lower(REFUSED_FUNCTIONS);

/** The database the service's tables live in, and the other names that exist there and in the engine. */
export interface Catalogue {
  database: string;
  /** Every database of the engine (to tell `db.table` from `alias.column`). */
  databases: ReadonlySet<string>;
  /** Every table, view and dictionary of `database`, lower-cased. */
  tables: ReadonlySet<string>;
}

export function isGenerator(name: string): boolean {
  return GENERATORS.has(name.toLowerCase());
}

/** Why a function call is refused, or undefined when it is fine. */
export function refusedFunction(name: string): string | undefined {
  const key = name.toLowerCase();
  if (key.startsWith('dict')) return `the dictionary function ${name}() is not available here: join the directory tables instead`;
  if (READING.has(key) && !GENERATORS.has(key)) return `the table function ${name}() is not available here: query the analytics tables by name (${ANALYTICS_TABLES.join(', ')})`;
  if (REFUSED.has(key)) return `the function ${name}() reads outside the analytics tables and is not available here`;
  return undefined;
}

/** Why a table function in FROM is refused, or undefined for a generator. */
export function refusedTableFunction(name: string): string | undefined {
  if (isGenerator(name)) return undefined;
  return `the table function ${name}() is not available here: query the analytics tables by name (${ANALYTICS_TABLES.join(', ')}) or generate rows with ${GENERATOR_TABLE_FUNCTIONS.join('(), ')}()`;
}

const notAllowed = (name: string) => `${name} is not an analytics table; the tables you may query are ${ANALYTICS_TABLES.join(', ')}`;

/**
 * Why a table named in the query is refused, or undefined. `resolved` = the engine's resolved
 * `db.table` (EXPLAIN QUERY TREE): it must be allowed. Otherwise the name as written (EXPLAIN AST):
 * qualified names must be allowed; an unqualified one that is no table of the database may be the
 * query's own WITH name, which the engine resolves later (and the query tree check sees).
 */
export function refusedTable(name: string, catalogue: Catalogue, resolved = false): string | undefined {
  const dot = name.indexOf('.');
  if (dot < 0) {
    if (ANALYTICS.has(name)) return undefined;
    if (resolved || catalogue.tables.has(name.toLowerCase())) return `${notAllowed(name)}${resolved ? '' : ' (a WITH name must not be the name of another table)'}`;
    return undefined;
  }
  if (SYSTEM.has(name)) return undefined;
  const database = name.slice(0, dot);
  const table = name.slice(dot + 1);
  if (database === catalogue.database && ANALYTICS.has(table)) return undefined;
  return notAllowed(name);
}

/**
 * An identifier that names a table when its first part is a database (`system.processes`,
 * `default.users.password_hash`): the `db.table` part, else undefined (a column, `alias.column`).
 */
export function tableOfIdentifier(name: string, catalogue: Catalogue): string | undefined {
  const parts = name.split('.');
  if (parts.length < 2) return undefined;
  const [database, table] = parts as [string, string];
  return catalogue.databases.has(database) || catalogue.databases.has(database.toLowerCase()) ? `${database}.${table}` : undefined;
}
