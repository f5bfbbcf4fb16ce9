# atvmbot: a static binary on a distroless, non-root runtime image.
#
#   docker build --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg REVISION=$(git rev-parse HEAD) -t atvmbot .
#
# Podman or Buildah: add `--format docker`. The OCI image format has no
# HEALTHCHECK, so without it the health check below is silently dropped.
#
# Base images are fully qualified (short names do not resolve everywhere)
# and pinned by the digest of their multi-arch index, so a build is
# repeatable. To move to a newer base, read the current digest with
# `docker buildx imagetools inspect <image:tag>` (or `skopeo inspect`) and
# change it here in a reviewed commit.

FROM docker.io/library/golang:1.26-bookworm@sha256:a688600ca24f8a4d3ca77f95b0dd40704a9fc787c826660eb7ba0b641b8b175d AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY . .
ARG VERSION=devel
# The module and build caches survive between builds: a change recompiles
# only what it touches.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=linux go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/atvmbot ./cmd/atvmbot \
 && mkdir -p /out/data

# distroless/static has CA certificates and a nonroot user (65532), no shell.
# Time zones are embedded in the binary (time/tzdata).
FROM gcr.io/distroless/static-debian12:nonroot@sha256:d093aa3e30dbadd3efe1310db061a14da60299baff8450a17fe0ccc514a16639
ARG VERSION=devel
ARG REVISION=unknown
LABEL org.opencontainers.image.title="atvmbot" \
      org.opencontainers.image.description="Runs the ATVM Cypress automation from Mattermost: plan, approve, launch over SSH, watch, post results once" \
      org.opencontainers.image.source="https://github.com/atvm/atvmbot" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.base.name="gcr.io/distroless/static-debian12:nonroot"
COPY --from=build /out/atvmbot /usr/local/bin/atvmbot
COPY --from=build --chown=65532:65532 /out/data /var/lib/atvmbot
USER 65532:65532
ENV ATVMBOT_STORAGE_PATH=/var/lib/atvmbot/atvmbot.db \
    ATVMBOT_MATTERMOST_LISTEN=0.0.0.0:8080 \
    ATVMBOT_CONFIG=/etc/atvmbot/config.yaml
VOLUME ["/var/lib/atvmbot"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=6s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/atvmbot", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/atvmbot"]
CMD ["serve", "--config", "/etc/atvmbot/config.yaml"]
