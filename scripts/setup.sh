#!/usr/bin/env bash
# Set up a fresh machine for Flotilla: dependencies (and the build, via `prepare`), a Docker
# engine, and the local base image that fixtures and tests use. Safe to run repeatedly.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund
bash scripts/engine.sh
bash scripts/base-image.sh
