/**
 * Prometheus metrics, declared up front with units in their names. One registry per process
 * (services in the all-in-one process share it); exposed at GET /metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export function createMetrics() {
  const registry = new Registry();
  let stalledPartitions: () => number = () => 0;
  collectDefaultMetrics({ register: registry });
  const registers = [registry];
  return {
    registry,
    ingestEvents: new Counter({
      name: 'ingest_events_total',
      help: 'Events posted to ingest, by source and result (accepted | rejected)',
      labelNames: ['source', 'result'] as const,
      registers,
    }),
    ingestRequests: new Counter({
      name: 'ingest_requests_total',
      help: 'Ingest HTTP requests by endpoint and status code',
      labelNames: ['endpoint', 'status'] as const,
      registers,
    }),
    produceSeconds: new Histogram({
      name: 'ingest_produce_seconds',
      help: 'Time for the bus to acknowledge one ingest batch',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    processorRecords: new Counter({
      name: 'processor_records_total',
      help: 'Records handled by the processor, by outcome (written | duplicate | dead_letter)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    processorBatchRows: new Histogram({
      name: 'processor_batch_rows',
      help: 'Rows per ClickHouse insert',
      buckets: [1, 10, 100, 500, 1000, 2500, 5000, 10000, 25000],
      registers,
    }),
    processorBatchWriteSeconds: new Histogram({
      name: 'processor_batch_write_seconds',
      help: 'Time of one ClickHouse insert',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    processorWriteFailures: new Counter({
      name: 'processor_write_failures_total',
      help: 'Failed attempts to write a batch (it is retried with backoff until it is written)',
      registers,
    }),
    endToEndSeconds: new Histogram({
      name: 'pipeline_end_to_end_seconds',
      help: 'From ingest acceptance to the delta reaching the api',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 1.5, 2, 5, 10],
      registers,
    }),
    liveDeltas: new Counter({
      name: 'api_live_deltas_total',
      help: "Deltas the api's live counts took, by outcome (counted | held: a replay or in the snapshot | other-day: none of it on the board's day)",
      labelNames: ['outcome'] as const,
      registers,
    }),
    sqlQueries: new Gauge({
      name: 'sql_queries',
      help: 'Analyst SQL queries by state (running | waiting for their turn)',
      labelNames: ['state'] as const,
      registers,
    }),
    consumerLag: new Gauge({
      name: 'consumer_lag',
      help: 'Records on the events topic not yet processed, per partition',
      labelNames: ['topic', 'partition'] as const,
      registers,
    }),
    pipelineStalledPartitions: new Gauge({
      name: 'pipeline_stalled_partitions',
      help: 'Partitions of the events topic whose records have waited without progress for PIPELINE_STALL_SECONDS',
      registers,
      // Counted at each scrape, from the same watch the pipeline-stalled alert reads at its tick: a value
      // set at lag readings would trail an alert that already fired.
      collect() {
        this.set(stalledPartitions());
      },
    }),
    /** The processor says how to count its stalled partitions (0 in a process without one). */
    countStalledPartitionsWith(count: () => number): void {
      stalledPartitions = count;
    },
    liveClients: new Gauge({ name: 'api_live_clients', help: 'Connected Socket.io clients', registers }),
    directoryVersion: new Gauge({
      name: 'directory_version',
      help: 'Version of the group directory this process has loaded: the writer clock of the last change applied (epoch microseconds; 0 = none)',
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
