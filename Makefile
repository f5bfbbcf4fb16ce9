# The README's two commands: `go run ./cmd/atvmbot demo` and `make test`.
.PHONY: test unit build fmt bench

# Every test: gofmt, vet, unit tests with -race, and the integration tests
# against a real loopback sshd and a real Mattermost server when this
# machine can run them (root, Debian). CI requires them (ATVMBOT_REQUIRE_*).
test:
	./scripts/test.sh

# Unit tests only: no servers started.
unit:
	go test -race ./...

build:
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$$(git describe --tags --always --dirty 2>/dev/null || echo devel)" -o bin/atvmbot ./cmd/atvmbot

fmt:
	gofmt -w $$(git ls-files '*.go')
