# One image for the distributed services; the command picks the role: ingest | processor | api | migrate.
#
# Installs come from package-lock.json alone (`npm ci`). The embedded ClickHouse engine (npm chdb, ~540 MB)
# is left out: these services run on a ClickHouse server (CLICKHOUSE_URL), and the store loads chdb only for
# the all-in-one mode (common/store/store.ts), which this image does not run. chdb is also why `.ci/run`
# uses `npm install`: it names platform packages the registry does not have, so the lock cannot hold them
# and `npm ci` refuses the full package.json. Without chdb in package.json the lock holds everything else
# and `npm ci` installs exactly the locked versions (the lock's chdb entries go unused).
ARG NODE_IMAGE=node:22.23.2-bookworm-slim

FROM ${NODE_IMAGE} AS manifest
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm pkg delete dependencies.chdb

# The board, built with the dev dependencies (Vite, Svelte).
FROM manifest AS build
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build:web

# What the services run with: production dependencies only (tsx runs the TypeScript).
FROM manifest AS runtime-deps
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE}
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 DATA_DIR=/data
WORKDIR /app
COPY --from=runtime-deps /app/node_modules ./node_modules
COPY --from=manifest /app/package.json /app/package-lock.json ./
COPY tsconfig.json ./
COPY bin ./bin
COPY common ./common
COPY ingest ./ingest
COPY processor ./processor
COPY api ./api
COPY directory ./directory
COPY alerts ./alerts
COPY access ./access
COPY runtime ./runtime
COPY simulator ./simulator
COPY --from=build /app/web/dist ./web/dist
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 8080
# Ready for its role (GET /readyz): ingest that Kafka takes records; processor that its consumer runs, no
# batch has failed and no partition has stood still with records waiting for PIPELINE_STALL_SECONDS, and
# that ClickHouse answers; api that ClickHouse answers. Unhealthy only marks the container: a processor
# that stays stalled exits (STALL_EXIT_SECONDS) and the restart policy starts it again.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+process.env.PORT+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["node", "--import", "tsx", "bin/grouppulse.ts"]
CMD ["api"]
