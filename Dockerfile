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
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
# bin/ before `npm ci`: the package links its own bins (a dev dependency on itself) during install.
COPY bin ./bin
COPY src ./src
# `npm ci` runs the `prepare` script, which compiles src/ to dist/.
RUN npm ci --no-audit --no-fund \
 && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim AS runtime
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
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/cc-stress"]
CMD ["run", "suites/demo.yaml"]
