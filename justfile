# evwatch tasks. `./dev <recipe>` installs uv and just first; `just --list` shows everything.

set dotenv-load := false
export TZ := "UTC"

default:
    @just --list

# Install pinned Python dependencies (uv.lock) and resolve the Kafka broker jars and the JDBC check's driver
# (tests/jdbc) from Maven Central
[group('setup')]
setup:
    uv sync --frozen --python 3.11 --quiet
    @test -d infra/kafka/target/kafka-libs || mvn -q -B -f infra/kafka/pom.xml package
    @test -d tests/jdbc/target/jdbc-libs || mvn -q -B -f tests/jdbc/pom.xml package
    @just chromium

# Debian's Chromium, which the dashboard's browser tests (tests/browser) drive, when it is missing
[group('setup')]
chromium:
    #!/usr/bin/env bash
    set -euo pipefail
    command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || [ -n "${EVWATCH_CHROMIUM:-}" ] && exit 0
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "Chromium is missing and there is no apt-get: install it (or set EVWATCH_CHROMIUM); the browser tests skip without it" >&2
        exit 0
    fi
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || { echo "Chromium is missing: run 'apt-get install chromium' as root" >&2; exit 0; }
        sudo="sudo"
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
    echo "installed $(chromium --version)"

# Run the whole stack on the embedded default: Kafka, tritonserver, API + dataflow, chDB under ./var
[group('run')]
run: setup
    uv run --frozen evwatch run

# Run the API + dataflow only, against Kafka/Triton/ClickHouse configured by EVWATCH_* variables
[group('run')]
serve: setup
    uv run --frozen evwatch serve

# Apply pending ClickHouse migrations (add --dry-run to print the SQL)
[group('run')]
migrate *args: setup
    uv run --frozen evwatch db migrate {{args}}

# The full test suite: lint, type check, unit, integration and end-to-end tests on real services
[group('test')]
test: setup lint
    uv run --frozen pytest -q

# Fast tests only: pure logic, no services
[group('test')]
test-unit: setup
    uv run --frozen pytest -q tests/unit

# The long fuzz: Hypothesis on the decoder and the dataflow, Schemathesis on every operation (CI runs a short budget)
[group('test')]
fuzz examples="5000": setup
    EVWATCH_FUZZ_EXAMPLES={{examples}} EVWATCH_SCHEMATHESIS_EXAMPLES={{examples}} uv run --frozen pytest -q \
        tests/unit/evwatch/contracts/test_decoding_fuzz.py tests/unit/pipeline/test_flow_fuzz.py \
        tests/integration/serving/test_schemathesis.py

# Format the tree (ruff format) and apply ruff's safe fixes
[group('test')]
fmt: setup
    uv run --frozen ruff format .
    uv run --frozen ruff check --fix .

# ruff (lint and format), strict mypy; the import layers are checked by tests/unit/test_layers.py
[group('test')]
lint: setup
    uv run --frozen ruff check .
    uv run --frozen ruff format --check .
    uv run --frozen mypy

# Benchmarks; results are written as JSON under bench/results/
[group('bench')]
bench: setup
    uv run --frozen python -m bench

# Chaos rounds: SIGKILL of evwatch, broker restart, Triton outage mid-stream, then exact counts (bench/results/chaos.json)
[group('bench')]
chaos rounds="10": setup
    uv run --frozen python -m bench.chaos --rounds {{rounds}}

# Model commands: `just models train`, `just models evaluate`, `just models export`, `just models simulate`
[group('models')]
models *args: setup
    uv run --frozen evwatch models {{args}}
