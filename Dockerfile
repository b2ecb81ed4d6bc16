# syntax=docker/dockerfile:1
# Build: docker build -t cc-stress .
# Run the demo:       docker run --rm -v "$PWD/reports:/app/reports" cc-stress
# Run a suite:        docker run --rm -v "$PWD/suites:/app/suites" -v "$PWD/reports:/app/reports" cc-stress run suites/unified.yaml
# Executor server:    docker run --rm -p 8003:8003 cc-stress serve --host 0.0.0.0 --token secret

FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles its native addon when no prebuilt binary matches.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
# Dependencies first, in their own layer: a change to src/ must not reinstall and recompile them.
# bin/ too: the package links its own bins (a dev dependency on itself) during install.
COPY package.json package-lock.json ./
COPY bin ./bin
# --ignore-scripts skips `prepare` (it needs src/); the native addon is then built on its own.
RUN npm ci --no-audit --no-fund --ignore-scripts \
 && npm rebuild better-sqlite3
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
ARG VERSION=0.1.0
LABEL org.opencontainers.image.title="cc-stress" \
      org.opencontainers.image.description="Stress-test runner for long-running commands and AI coding-agent CLIs, with timeouts learned from history" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}"
ENV NODE_ENV=production \
    CC_STRESS_HISTORY=/data/history.db
WORKDIR /app
# tini reaps zombies and forwards signals, so Ctrl-C / docker stop reach cc-stress, which kills its task groups.
# unshare (util-linux) and perl, which put each task in a PID namespace where allowed, are in the base image.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini procps \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /data /app/reports \
 && chown node:node /data /app/reports
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY src/history/lua ./src/history/lua
COPY suites ./suites
COPY schema ./schema
ENV PATH=/app/bin:$PATH
USER node
VOLUME ["/data"]
EXPOSE 8003
# Healthy when `serve` answers /healthz on its port; a container running a suite has nothing to probe.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["node", "-e", "\
const a = require('fs').readFileSync('/proc/1/cmdline', 'utf8').split('\\0');\
if (!a.includes('serve')) process.exit(0);\
const i = a.indexOf('--port'); const port = i >= 0 ? a[i + 1] : '8003';\
fetch('http://127.0.0.1:' + port + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1));"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/cc-stress"]
CMD ["run", "suites/demo.yaml"]
