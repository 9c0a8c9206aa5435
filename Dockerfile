# Berth worker / CLI image. The worker drives runc on the host it runs on, so it needs a
# privileged container with the host's cgroups (see docker-compose.yml). containers-common gives
# the default seccomp profile every container runs under (/usr/share/containers/seccomp.json).
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends runc conmon busybox-static golang-github-containers-common \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/berth
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && ln -s /opt/berth/bin/berth.js /usr/local/bin/berth
ENTRYPOINT ["berth"]
CMD ["--help"]
