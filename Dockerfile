# The hollow-node image of the external provider: `kubemark hollow-node` and what it needs, nothing else.
#   docker build -t kubemark-hollow-node:0.1.0 .
# Stage 1 compiles the TypeScript and keeps only the runtime dependencies.
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# --ignore-scripts: 'prepare' would compile before the sources are here.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY bin ./bin
COPY src ./src
RUN npx tsc -p tsconfig.json && npm prune --omit=dev --no-audit --no-fund

# Stage 2: distroless Node.js (no shell, no package manager) as its non-root user.
FROM gcr.io/distroless/nodejs20-debian12:nonroot
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/bin ./bin
COPY --from=build /src/dist/src ./dist/src
# 65532 is distroless's "nonroot"; the Deployment's securityContext runs the pod as it.
USER 65532:65532
ENTRYPOINT ["/nodejs/bin/node", "--v8-pool-size=1", "/app/bin/kubemark.js"]
CMD ["hollow-node", "--help"]
