# The benefit engine: one image for `benefit worker`, `benefit serve` and the batch commands.
# Build stage: `npm ci` compiles the sources into dist/ (the `prepare` script), then the dev
# tools (TypeScript) are dropped.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workers ./workers
COPY migrations ./migrations
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY rules ./rules
# The notices volume takes this folder's owner, so the node user may write to it.
RUN mkdir /notices /reports && chown node /notices /reports
USER node
# Through its #! line, which gives Node the options the commands are measured with.
ENTRYPOINT ["bin/benefit.js"]
