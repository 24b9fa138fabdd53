# kubelite in a container: TLS on 6443, the store, PKI and kubeconfigs on the /data volume,
# production dependencies only, non-root.
#   docker build -t kubelite .
#   docker run -d --name kubelite -p 6443:6443 -v kubelite:/data kubelite
#   docker exec kubelite kubelite kubeconfig --server https://localhost:6443 > kubeconfig
#
# scripts/image-check.sh builds the same layout without Docker (it reads this file's COPY and
# npm RUN lines), starts it as an unprivileged user and drives it with kubectl: keep COPY lines
# one source per line or space-separated, without globs or --chown, so that it can follow them.

# Build: all dependencies (esbuild is in them), then dist/ from src/.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before src/ is here; nothing else needs to run to
# bundle (esbuild's own binary comes as an optional dependency, not from its postinstall).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY scripts/build.mjs scripts/build-ui.mjs ./scripts/
COPY src ./src
RUN npm run build

# Runtime: production dependencies, the bundle, and what it reads from disk beside itself
# (schemas/ for validation and OpenAPI, stages/ for the simulated kubelets). No src/: bin/kubelite.js
# then runs dist/ without looking for a newer source.
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# --ignore-scripts skips `prepare` (the build is done above); classic-level's install script
# then runs on its own (it picks the prebuilt LevelDB addon for this platform).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm rebuild classic-level && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schemas ./schemas
COPY stages ./stages
COPY scripts/container-healthcheck.mjs ./scripts/
# `kubelite` on the PATH, for `docker exec kubelite kubelite kubeconfig ...`; /data owned by the
# user the server runs as, so that a new named volume is writable.
RUN ln -s /app/bin/kubelite.js /usr/local/bin/kubelite && mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 6443
# /readyz over HTTPS, checked against the CA in /data/pki (see the script for other ports/dirs).
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["node", "/app/scripts/container-healthcheck.mjs"]
ENTRYPOINT ["kubelite"]
# TLS on all interfaces; the serving certificate names localhost, 127.0.0.1 and the container's
# host name: add `--advertise-address HOST` for clients reaching it by another name or address.
CMD ["--data-dir", "/data", "--host", "0.0.0.0", "--port", "6443"]
