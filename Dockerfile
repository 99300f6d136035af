# syntax=docker/dockerfile:1
# One image, two roles: the API (default command) and the workers (`node dist/workers/main.js`).
# Migrations run as a one-off (`node dist/scripts/migrate.js`) before new pods start; see
# docker-compose.yml. The image holds only what runs: the compiled API, workers and scripts, the
# dashboard, migrations and docs, and production dependencies — no simulator, benchmarks, tests
# or Prisma CLI (the client is generated in the build stage and compiled into dist/).

# Current LTS; the code also runs on Node 20.19+.
ARG NODE_IMAGE=node:24-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
COPY prisma ./prisma
COPY prisma.config.ts ./
COPY scripts/prisma-generate.mjs ./scripts/prisma-generate.mjs
# postinstall generates the Prisma client with the CLI, a dev dependency (no native engine is needed at run time).
RUN npm ci --no-audit --no-fund

FROM deps AS build
COPY . .
# Dev dependencies go, the Prisma CLI with them: npm keeps it as @prisma/client's optional peer
# unless it is uninstalled by name. The generated client is compiled into dist/.
RUN npm run build \
  && npm uninstall --no-save --omit=dev --ignore-scripts --no-audit --no-fund prisma \
  && test ! -e node_modules/prisma && test ! -e node_modules/vitest

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist/src ./dist/src
COPY --from=build --chown=node:node /app/dist/workers ./dist/workers
COPY --from=build --chown=node:node /app/dist/scripts ./dist/scripts
COPY --from=build --chown=node:node /app/dist/ui ./dist/ui
COPY --from=build --chown=node:node /app/prisma/migrations ./prisma/migrations
COPY --from=build --chown=node:node /app/docs ./docs
USER node
EXPOSE 3000
# Liveness of the API (the default command). A worker container runs
# `node dist/scripts/healthcheck.js worker` instead (docker-compose.yml); `… readyz` checks that
# PostgreSQL and Redis answer as well, for orchestrators that route traffic by readiness.
HEALTHCHECK --interval=15s --timeout=5s --start-period=15s --retries=3 \
  CMD ["node", "dist/scripts/healthcheck.js", "api", "healthz"]
# Node itself, not npm, is PID 1's child of choice: npm swallows SIGTERM and breaks graceful drain.
CMD ["node", "dist/src/main.js"]
