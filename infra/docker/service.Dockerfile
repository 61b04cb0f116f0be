# The image of every Node service in services.json, built from the repository root with
# the service's name (skaffold passes it):
#   docker build -f infra/docker/service.Dockerfile --build-arg SERVICE=tickets .
# Stages: `dev` for the skaffold dev loop, `runtime` (the last, so the default) for
# everything else. NODE_IMAGE names the base (a local stand-in where no registry is reachable).
ARG NODE_IMAGE=node:24-alpine

# npm ci checks the whole lockfile, so it needs every workspace's package.json; this stage
# picks them out of the context, so that only a change to one of them re-runs the installs.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /context
COPY . .
RUN mkdir /manifests \
  && cp package.json package-lock.json .npmrc /manifests/ \
  && for file in */package.json; do mkdir -p "/manifests/${file%/package.json}" && cp "$file" "/manifests/$file"; done

FROM ${NODE_IMAGE} AS base
# The lockfile and the install-script decisions recorded in package.json (allowScripts,
# enforced by .npmrc) are npm 11.19's; the image's bundled npm may predate them.
RUN npm install --global npm@11.19.1
WORKDIR /app
COPY --from=manifests /manifests/ ./

FROM base AS build
ARG SERVICE
RUN npm ci --workspace @ticketing/${SERVICE} --workspace @ticketing/common --include-workspace-root
COPY tsconfig.base.json ./
COPY common/ common/
COPY ${SERVICE}/ ${SERVICE}/
RUN npx tsc -b ${SERVICE}

# Runs the sources under a watcher; skaffold copies edited files into the service's src/
# as the node user, so that user owns them.
FROM build AS dev
ARG SERVICE
RUN chown -R node:node ${SERVICE}/src
USER node
WORKDIR /app/${SERVICE}
CMD ["../node_modules/.bin/tsx", "watch", "src/index.ts"]

# What production loads of the builds: no test harness (common's `testing/`, which starts
# nats-server and PostgreSQL for tests, and `system.cjs`, which only it and the scripts
# use), no type declarations, no source maps (node reads none without --enable-source-maps).
FROM build AS runtime-files
ARG SERVICE
RUN rm -rf common/dist/testing common/lib/system.cjs common/lib/system.d.cts \
  && find common/dist common/lib ${SERVICE}/dist -type f \
    \( -name '*.map' -o -name '*.d.ts' -o -name '*.d.cts' -o -name '*.tsbuildinfo' \) -delete

# Production dependencies only, of the service and common. A stage of its own so that the
# runtime stage can start from the plain base image: the npm installed above is only for
# building. Type declarations, TypeScript sources, source maps and READMEs are never read
# at run time, nor OpenTelemetry's ES-module builds (two of its three copies, ~12 MB): the
# services are CommonJS and `require` its CommonJS build.
FROM base AS deps
ARG SERVICE
RUN npm ci --omit=dev --workspace @ticketing/${SERVICE} --workspace @ticketing/common \
  && find . -path '*/node_modules/*' -type f \
    \( -name '*.map' -o -name '*.ts' -o -name '*.cts' -o -name '*.mts' -o -name '*.md' \) -delete \
  && rm -rf node_modules/@opentelemetry/*/build/esm node_modules/@opentelemetry/*/build/esnext

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app ./
COPY --from=runtime-files /app/common/dist common/dist
# Plain CommonJS helpers common/dist requires (the directory lock, HTTP limits).
COPY --from=runtime-files /app/common/lib common/lib
COPY --from=runtime-files /app/${SERVICE}/dist ${SERVICE}/dist
# Migrations are read at start from ../drizzle, relative to dist.
COPY --from=build /app/${SERVICE}/drizzle ${SERVICE}/drizzle
WORKDIR /app/${SERVICE}
USER node
EXPOSE 3000
# node itself is PID 1, so SIGTERM reaches the service's shutdown handler (npm would not
# pass it on).
CMD ["node", "dist/index.js"]
