# journey-pipeline — every target runs on Node >= 22 (Node 24 is installed into .tools/ when
# the system node is older; see scripts/ensure-node.sh).
SHELL := /bin/bash
NODE_BIN := $(shell bash scripts/ensure-node.sh)
export PATH := $(NODE_BIN):$(PATH)
STACK := bash deploy/local/stack.sh

.PHONY: help install generate check-generated lint typecheck format format-check check \
        test test-unit test-integration stack-up stack-down stack-status demo bench bench-latency bench-kafka-clients bench-transactions bench-collect chaos churn-baselines clean

help:
	@echo "make demo          start the local stack and run the main job (synthetic workload -> journey metrics)"
	@echo "make test          install, start the local stack, run lint/type checks, unit and integration tests"
	@echo "make stack-up | stack-down | stack-status   the local Kafka + Schema Registry + ClickHouse stack"
	@echo "make generate      regenerate TypeScript types from schemas/*.avsc"
	@echo "make chaos         fault-injection suite on the local stack (CHAOS_ARGS=\"--profile reduced\"); docs/reliability.md"
	@echo "make churn-baselines  the churn model vs single-signal baselines on four churn mechanisms (docs/churn.md)"
	@echo "make bench         benchmark on the local stack vs baselines (BENCH_ARGS=\"--quick\"); report in .local/bench/"
	@echo "make bench-latency  latency at a fixed rate, variants side by side (BENCH_LATENCY_ARGS=\"--rate 3000 --series\")"
	@echo "make bench-collect  the HTTP collector vs a bare HTTP-to-Kafka passthrough (BENCH_COLLECT_ARGS=\"--runs 3\")"
	@echo "make bench-kafka-clients  kafkajs vs @platformatic/kafka on the stages' transactional loop (BENCH_CLIENTS_ARGS=\"--runs 3\")"
	@echo "make bench-transactions  back-to-back Kafka transactions: the client's send retry vs the stages' (BENCH_TXN_ARGS=\"--runs 3\")"

node_modules/.installed: package.json package-lock.json
	@# npm ci refuses this lock: chdb lists optional per-platform packages that the registry does not
	@# serve for every platform, so the lock cannot hold them. npm install honours the lock otherwise.
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

install: node_modules/.installed

generate: install
	node scripts/gen-avro-types.ts

check-generated: install
	node scripts/gen-avro-types.ts --check

lint: install
	npx eslint .

typecheck: install
	npx tsc --noEmit -p tsconfig.json

format: install
	npx prettier --write .

format-check: install
	npx prettier --check .

check: check-generated typecheck lint format-check

test-unit: install
	node --test --test-reporter=spec $$(find services scripts -name '*.test.ts' -not -path '*/node_modules/*' | sort)

test-integration: install stack-up
	set -a; source .local/stack.env; set +a; \
	node --test --test-force-exit --test-concurrency=1 --test-timeout=600000 --test-reporter=spec $$(find test -name '*.test.ts' | sort)

# The README's test command: static checks, then the tests under services/ and scripts/ and those
# of test/clickhouse/ and test/deploy/ (ClickHouse alone or no service at all: no Kafka, no timing)
# two at a time (2 cores; they share no topics or databases), then the rest of test/ (integration, chaos, browser: the stack's stages and
# timings are theirs alone) one at a time. --test-force-exit can drop the last verdicts of a file
# from the report (written by the child, unread by the parent when it exits: nodejs/node#64833; a
# failure still fails the run through the child's exit code, but its name is lost): the pure phase
# runs without it; the serial phase keeps it, so a Kafka handle a client leaked cannot hang the
# suite (kafkajs#1017: services/shared/kafka/kafka-client.ts closes those it knows of).
test: check stack-up
	set -a; source .local/stack.env; set +a; \
	node --test --test-concurrency=2 --test-timeout=600000 --test-reporter=spec \
	  $$(find services scripts test/clickhouse test/deploy -name '*.test.ts' -not -path '*/node_modules/*' | sort) && \
	node --test --test-force-exit --test-concurrency=1 --test-timeout=600000 --test-reporter=spec \
	  $$(find test -name '*.test.ts' -not -path '*/node_modules/*' -not -path 'test/clickhouse/*' -not -path 'test/deploy/*' | sort)

# The partitioned journey through the broker and ClickHouse alone (issue #18, docs/architecture.md;
# also in `make test`). CHECK_LOG=<file> writes its stages' debug log there.
test-partitioned: install stack-up
	set -a; source .local/stack.env; set +a; \
	node --test --test-force-exit --test-timeout=600000 --test-reporter=spec test/scale-out/partitioned-journey.test.ts

stack-up: install
	$(STACK) up

stack-down:
	$(STACK) down

stack-status:
	$(STACK) status

# The demo's PII key is a fixed, local-only value unless PII_HMAC_KEY is set.
DEMO_ARGS ?=
# The demo, then the journey explorer over its database: screenshots of every page with their
# query times (scripts/explore-pages.ts, when Chromium is installed), and the explorer served until
# Ctrl-C (DEMO_EXPLORE=0: not served).
DEMO_EXPLORE ?= 1
demo: install stack-up
	set -a; source .local/stack.env; set +a; \
	export CLICKHOUSE_DATABASE=$${CLICKHOUSE_DATABASE:-journey_demo}; \
	PII_HMAC_KEY=$${PII_HMAC_KEY:-local-demo-only-pii-key-not-a-secret} LOG_LEVEL=$${LOG_LEVEL:-warn} \
	node services/cli/main.ts demo $(DEMO_ARGS) && \
	if [ -x "$${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then node scripts/explore-pages.ts; \
	else echo "No Chromium (apt install chromium, or set CHROMIUM_PATH): no screenshots of the explorer"; fi && \
	if [ "$(DEMO_EXPLORE)" = 1 ]; then echo "Ctrl-C stops the explorer; the stack keeps running (make stack-down)."; \
	LOG_LEVEL=warn node services/cli/main.ts explore; fi

# Never part of `make test`: figures on a shared 2-core machine are noisy. docs/performance.md.
BENCH_ARGS ?=
bench: install stack-up
	set -a; source .local/stack.env; set +a; \
	node services/bench/bench-main.ts $(BENCH_ARGS)

# The event -> ClickHouse latency at a fixed offered rate, with its hops, for configuration variants
# side by side (BENCH_LATENCY_ARGS="--rate 3000 --variant a --variant b=KEY=V"): docs/performance.md.
BENCH_LATENCY_ARGS ?= --rate 3000
bench-latency: install stack-up
	set -a; source .local/stack.env; set +a; \
	node services/bench/latency-main.ts $(BENCH_LATENCY_ARGS)

# The Kafka client's own cost: kafkajs beside @platformatic/kafka on the stages' loop (read_committed
# fetches, a transaction per batch with its offsets), each in its own process (issue #18).
bench-kafka-clients: install stack-up
	set -a; source .local/stack.env; set +a; \
	node services/bench/kafka-clients/kafka-clients-main.ts $(BENCH_CLIENTS_ARGS)

# Back-to-back transactions on one id, as the stages commit a partition's batches: the send retry
# kafkajs takes from the client (200 ms) beside the stages' TRANSACTIONAL_SEND_RETRY (20 ms).
bench-transactions: install stack-up
	set -a; source .local/stack.env; set +a; \
	node services/bench/transaction-latency.ts $(BENCH_TXN_ARGS)

# The collector (`journey collect`) against a bare HTTP-to-Kafka passthrough, side by side:
# Segment batches of 100 calls from autocannon (docs/performance.md, "Collector").
bench-collect: install stack-up
	set -a; source .local/stack.env; set +a; \
	node services/bench/collector/bench-collector-main.ts $(BENCH_COLLECT_ARGS)

# The full fault-injection suite (kill -9 loops, ClickHouse, broker and registry outages, negative
# controls; docs/reliability.md). A reduced run is part of `make test` (test/chaos/chaos.test.ts).
CHAOS_ARGS ?= --profile full
chaos: install stack-up
	set -a; source .local/stack.env; set +a; \
	node services/chaos/chaos-main.ts $(CHAOS_ARGS)

churn-baselines: install stack-up
	set -a; source .local/stack.env; set +a; \
	node services/tools/churn-baselines-main.ts $(WORKLOADS)

clean: stack-down
	rm -rf .local node_modules
