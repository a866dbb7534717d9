# syntax=docker/dockerfile:1
# The production image: the commands of the README's "Run it in production" (npm ci, npm run build,
# then start:prod's `NODE_ENV=production node dist/apps/api/main.js`), with only the API's runtime
# dependencies installed, run as the unprivileged `node` user. Not built in CI here (no Docker on
# the CI machine); the same commands are tested there without a container.

FROM node:20.20-bookworm-slim AS build
WORKDIR /src
# better-sqlite3 compiles when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
ENV NX_NO_CLOUD=true NX_DAEMON=false
# The API bundle and the dashboard build, then the API's own package.json and lockfile: only
# what main.js imports at run time (no Angular, no build or test tooling).
RUN npm run build && npx nx run api:prune-lockfile
WORKDIR /src/dist/apps/api
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20.20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=3000
WORKDIR /app
COPY --from=build /src/dist/apps/api ./dist/apps/api
COPY --from=build /src/dist/apps/dashboard/browser ./dist/apps/dashboard/browser
# The SQLite default writes under data/; with PostgreSQL (docker-compose.yml) it stays empty.
RUN mkdir data && chown node:node data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD node -e "fetch('http://127.0.0.1:'+process.env.PORT+'/api/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# start:prod without npm in between, so SIGTERM reaches the API (graceful close, exit 0).
CMD ["node", "dist/apps/api/main.js"]
