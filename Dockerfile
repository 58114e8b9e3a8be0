# Vigil: build with the full Node image, run on node:24-slim as a non-root user with its
# data in a volume.
FROM node:24 AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts=false
COPY src ./src
COPY adapters ./adapters
COPY config ./config
COPY runbooks ./runbooks

FROM node:24-slim
ENV NODE_ENV=production VIGIL_DATA_DIR=/data VIGIL_HOST=0.0.0.0 VIGIL_PORT=3000
WORKDIR /app
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:3000/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# The command runs by its shebang (node with Vigil's V8 settings).
ENTRYPOINT ["/app/src/vigil.mjs"]
CMD ["start"]
