# The benefit engine: one image for `benefit worker`, `benefit serve` and the batch commands.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY bin ./bin
COPY src ./src
COPY workers ./workers
COPY migrations ./migrations
COPY rules ./rules
# The notices volume takes this folder's owner, so the node user may write to it.
RUN mkdir /notices /reports && chown node /notices /reports
USER node
ENTRYPOINT ["node", "bin/benefit.js"]
