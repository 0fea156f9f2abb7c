#!/usr/bin/env bash
# The local stack without Docker: a real Apache Kafka broker (KRaft, single node), a real
# Schema Registry (Apicurio Registry, Confluent-compatible API at /apis/ccompat/v7) and the real
# ClickHouse engine (npm chdb) behind a local HTTP front.
#
#   deploy/local/stack.sh up | down | status | env
#
# Idempotent: `up` on a healthy stack does nothing. Downloads (Maven) are cached in ~/.m2 and
# .local/cache; data, logs and pids live in the git-ignored .local/ folder; every service is
# health-checked before `up` returns; `down` stops each service by its recorded pid.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
LOCAL="$ROOT/.local"
CACHE="$LOCAL/cache"
RUN="$LOCAL/stack"
LOGS="$LOCAL/logs"
PIDS="$LOCAL/pids"

KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
APICURIO_VERSION="${APICURIO_VERSION:-3.0.9}"
KAFKA_PORT="${KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-19093}"
REGISTRY_PORT="${REGISTRY_PORT:-18081}"
CLICKHOUSE_PORT="${CLICKHOUSE_PORT:-18123}"
KAFKA_HEAP="${KAFKA_HEAP:-512m}"
REGISTRY_HEAP="${REGISTRY_HEAP:-384m}"
NODE_BIN="$(bash "$ROOT/scripts/ensure-node.sh")"

mkdir -p "$CACHE" "$RUN" "$LOGS" "$PIDS"

log() { printf '[stack] %s\n' "$*" >&2; }

alive() { # alive NAME -> 0 when the recorded pid is running
  local f="$PIDS/$1.pid"
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_until() { # wait_until SECONDS NAME CMD...
  local deadline=$((SECONDS + $1)) name=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    if ! alive "$name"; then log "$name exited; last log lines:"; tail -n 30 "$LOGS/$name.log" >&2; return 1; fi
    if [ $SECONDS -ge $deadline ]; then log "$name not healthy after waiting; see $LOGS/$name.log"; return 1; fi
    sleep 0.5
  done
}

java_major() { "$1" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}' | cut -d. -f1; }

pick_java() { # pick_java MIN -> path of a java binary of at least that major version
  local min=$1 candidate
  for candidate in "${JAVA_HOME:-}/bin/java" "$(command -v java || true)" /usr/lib/jvm/*/bin/java; do
    [ -x "$candidate" ] || continue
    if [ "$(java_major "$candidate")" -ge "$min" ]; then echo "$candidate"; return 0; fi
  done
  log "no Java >= $min found (install openjdk-17-jdk-headless)"; return 1
}

fetch_kafka() {
  local dir="$CACHE/kafka-$KAFKA_VERSION"
  if [ ! -f "$dir/.complete" ]; then
    log "fetching Apache Kafka $KAFKA_VERSION jars from Maven Central"
    rm -rf "$dir"
    mvn -q -B -f "$ROOT/deploy/local/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dir" >&2
    touch "$dir/.complete"
  fi
  echo "$dir"
}

fetch_apicurio() {
  local dir="$CACHE/apicurio-$APICURIO_VERSION"
  if [ ! -f "$dir/.complete" ]; then
    log "fetching Apicurio Registry $APICURIO_VERSION from Maven Central"
    rm -rf "$dir" && mkdir -p "$dir"
    mvn -q -B dependency:copy -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
      -DoutputDirectory="$dir" >&2
    tar -xzf "$dir"/apicurio-registry-app-*.tar.gz -C "$dir" && rm -f "$dir"/apicurio-registry-app-*.tar.gz
    touch "$dir/.complete"
  fi
  echo "$dir"
}

start_kafka() {
  if alive kafka; then return 0; fi
  if port_busy "$KAFKA_PORT"; then log "port $KAFKA_PORT is in use by another process; set KAFKA_PORT"; return 1; fi
  local jars java data="$RUN/kafka"
  jars="$(fetch_kafka)"; java="$(pick_java 17)"
  mkdir -p "$data"
  cat > "$RUN/kafka.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$data/logs
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=168
# Retention is checked every 5 s (default 5 min), so a test can see the broker delete what its
# time retention allows without waiting minutes (test/integration/no-silent-skips.test.ts).
log.retention.check.interval.ms=5000
num.network.threads=2
num.io.threads=2
background.threads=2
PROPS
  if [ ! -f "$data/logs/meta.properties" ]; then
    "$java" -cp "$jars/*" -Dlog4j.configuration="file:$ROOT/deploy/local/kafka/log4j.properties" \
      kafka.tools.StorageTool format -t "$("$java" -cp "$jars/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" \
      -c "$RUN/kafka.properties" >>"$LOGS/kafka.log" 2>&1
  fi
  log "starting Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT"
  KAFKA_LOGS="$LOGS" nohup "$java" -Xms"$KAFKA_HEAP" -Xmx"$KAFKA_HEAP" -XX:+UseG1GC -XX:ActiveProcessorCount=2 \
    -Dlog4j.configuration="file:$ROOT/deploy/local/kafka/log4j.properties" \
    -cp "$jars/*" kafka.Kafka "$RUN/kafka.properties" </dev/null >>"$LOGS/kafka.log" 2>&1 &
  echo $! > "$PIDS/kafka.pid"
}

start_registry() {
  if alive registry; then return 0; fi
  if port_busy "$REGISTRY_PORT"; then log "port $REGISTRY_PORT is in use by another process; set REGISTRY_PORT"; return 1; fi
  local dir java
  dir="$(fetch_apicurio)"; java="$(pick_java 17)"
  log "starting Apicurio Registry $APICURIO_VERSION on 127.0.0.1:$REGISTRY_PORT"
  pushd "$dir" >/dev/null
  nohup "$java" -Xms128m -Xmx"$REGISTRY_HEAP" -XX:ActiveProcessorCount=2 -XX:TieredStopAtLevel=1 \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.management.enabled=false -Dquarkus.management.port=$((REGISTRY_PORT + 1000)) \
    -Dquarkus.log.level=WARN \
    -jar "$(ls "$dir"/apicurio-registry-app-*-runner.jar)" </dev/null >>"$LOGS/registry.log" 2>&1 &
  echo $! > "$PIDS/registry.pid"
  popd >/dev/null
}

start_clickhouse() {
  if alive clickhouse; then return 0; fi
  if port_busy "$CLICKHOUSE_PORT"; then log "port $CLICKHOUSE_PORT is in use by another process; set CLICKHOUSE_PORT"; return 1; fi
  mkdir -p "$RUN/clickhouse"
  log "starting ClickHouse (chdb engine, HTTP front) on 127.0.0.1:$CLICKHOUSE_PORT"
  CHDB_DATA_DIR="$RUN/clickhouse" CHDB_HTTP_PORT="$CLICKHOUSE_PORT" nohup "$NODE_BIN/node" \
    "$ROOT/deploy/local/clickhouse-http/server.ts" </dev/null >>"$LOGS/clickhouse.log" 2>&1 &
  echo $! > "$PIDS/clickhouse.pid"
}

kafka_healthy() { "$NODE_BIN/node" "$ROOT/deploy/local/check-kafka.ts" "127.0.0.1:$KAFKA_PORT"; }
registry_healthy() { curl -fsS "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/subjects" >/dev/null; }
clickhouse_healthy() { [ "$(curl -fsS "http://127.0.0.1:$CLICKHOUSE_PORT/ping")" = "Ok." ]; }

write_env() {
  cat > "$LOCAL/stack.env" <<ENV
KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT
SCHEMA_REGISTRY_URL=http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7
CLICKHOUSE_URL=http://127.0.0.1:$CLICKHOUSE_PORT
ENV
}

stop_one() {
  local name=$1 f="$PIDS/$1.pid" pid
  [ -f "$f" ] || return 0
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then log "$name did not stop in 30 s; killing"; kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$f"
}

status_one() {
  local name=$1 check=$2 where=$3
  if alive "$name" && $check >/dev/null 2>&1; then
    printf '%-11s up       pid %-7s %s\n' "$name" "$(cat "$PIDS/$name.pid")" "$where"
  elif alive "$name"; then
    printf '%-11s starting pid %-7s %s\n' "$name" "$(cat "$PIDS/$name.pid")" "$where"
  else
    printf '%-11s down\n' "$name"; return 1
  fi
}

case "${1:-status}" in
  up)
    start_kafka; start_registry; start_clickhouse
    wait_until 120 clickhouse clickhouse_healthy
    wait_until 180 kafka kafka_healthy
    wait_until 240 registry registry_healthy
    write_env
    log "stack is up (env in .local/stack.env)"
    ;;
  down)
    stop_one registry; stop_one clickhouse; stop_one kafka
    ;;
  status)
    rc=0
    status_one kafka kafka_healthy "127.0.0.1:$KAFKA_PORT" || rc=1
    status_one registry registry_healthy "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7" || rc=1
    status_one clickhouse clickhouse_healthy "http://127.0.0.1:$CLICKHOUSE_PORT" || rc=1
    exit $rc
    ;;
  env) write_env; cat "$LOCAL/stack.env" ;;
  *) echo "usage: $0 up|down|status|env" >&2; exit 2 ;;
esac
