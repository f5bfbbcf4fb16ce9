# atvmbot: a static binary on a slim, non-root runtime image.
# Build: docker build --build-arg VERSION=$(git describe --tags --always) -t atvmbot .

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=devel
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION}" \
      -o /out/atvmbot ./cmd/atvmbot \
 && mkdir -p /out/data

# distroless/static has CA certificates and a nonroot user (65532), no shell.
# Time zones are embedded in the binary (time/tzdata).
FROM gcr.io/distroless/static-debian12:nonroot
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
