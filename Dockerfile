# Slipway's server, for deploy/ (README: "Running Slipway in a cluster"). The machines this project
# is built on have no container engine, so this file is never built here: it is kept short enough
# to check by reading, and test/deploy/dockerfile.test.ts checks that what it copies exists and
# that its versions match the repository's.
#
#   docker build -t slipway:0.1.0 .

# kustomize and helm, from the Go modules pinned in tools/ (the same build as the tests use).
FROM golang:1.26-bookworm AS render-tools
WORKDIR /src/tools
COPY tools/ ./
RUN SLIPWAY_CACHE_DIR=/cache bash build-render-tools.sh \
 && mkdir /out && cp /cache/kustomize-*/kustomize /cache/helm-*/helm /out/

# The server and the command line (lib/), then only the runtime dependencies.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/ scripts/
COPY src/ src/
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=render-tools /out/ /usr/local/bin/
COPY --from=build /app/node_modules/ node_modules/
COPY --from=build /app/lib/ lib/
COPY package.json app.yml ./
# The node image's unprivileged user (uid 1000, as deploy/base/deployment.yaml runs it).
USER node
EXPOSE 3000
CMD ["node", "lib/server.js"]
