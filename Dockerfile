# kubelite in a container: production dependencies only, non-root, store on /data.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY src ./src
COPY schemas ./schemas
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 6443
HEALTHCHECK --interval=10s --timeout=3s CMD node -e "fetch('http://127.0.0.1:6443/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "bin/kubelite.js"]
CMD ["--data-dir", "/data", "--host", "0.0.0.0", "--port", "6443"]
