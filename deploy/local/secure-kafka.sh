#!/usr/bin/env bash
# A second, separate Kafka broker for security tests: one KRaft node with a SASL_SSL listener
# (SCRAM-SHA-512 and SCRAM-SHA-256), TLS from a throw-away CA, SCRAM users created at format time
# (kafka-storage format --add-scram). Same jars as the local stack (deploy/local/stack.sh fetches
# them into .local/cache). Everything lives in DIR; the broker's pid is DIR/kafka.pid.
#
#   deploy/local/secure-kafka.sh up DIR PORT CONTROLLER_PORT USER PASSWORD
#       certs in DIR/certs (ca.pem: the broker's CA; rogue-ca.pem: a CA the broker does not use),
#       starts the broker in the background, prints its pid; the caller waits for readiness
#   deploy/local/secure-kafka.sh down DIR
#       stops the broker by its recorded pid (TERM, then KILL after 15 s)
#   deploy/local/secure-kafka.sh certs DIR
#       only the certificates (also used for the ClickHouse HTTPS test): DIR/certs/{ca,rogue-ca,
#       broker}.pem and broker.key, for 127.0.0.1 and localhost
#
# Inter-broker traffic also uses SASL_SSL (user `broker`, its password in DIR only): the node has
# no plaintext client listener. Heap 256 MiB.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
JARS="$ROOT/.local/cache/kafka-$KAFKA_VERSION"

log() { printf '[secure-kafka] %s\n' "$*" >&2; }

certs() { # certs DIR -> CA, rogue CA, broker key and certificate (SAN 127.0.0.1, localhost) as PKCS12
  local d=$1/certs store_pass=$2
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=journey-test-ca' \
    -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj '/CN=journey-rogue-ca' \
    -keyout "$d/rogue-ca.key" -out "$d/rogue-ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj '/CN=localhost' \
    -keyout "$d/broker.key" -out "$d/broker.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$d/san.ext"
  openssl x509 -req -in "$d/broker.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
    -days 2 -extfile "$d/san.ext" -out "$d/broker.pem" 2>/dev/null
  openssl pkcs12 -export -in "$d/broker.pem" -inkey "$d/broker.key" -certfile "$d/ca.pem" \
    -name broker -passout "pass:$store_pass" -out "$d/broker.p12"
}

up() {
  local dir=$1 port=$2 cport=$3 user=$4 password=$5
  [ -f "$JARS/.complete" ] || { log "no Kafka jars in $JARS (run make stack-up once)"; exit 1; }
  local store_pass broker_pass
  store_pass="$(openssl rand -hex 12)"; broker_pass="$(openssl rand -hex 12)"
  mkdir -p "$dir/data"
  certs "$dir" "$store_pass"
  cat > "$dir/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=SASL_SSL://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=SASL_SSL://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
inter.broker.listener.name=SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512,SCRAM-SHA-256
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="$broker_pass";
listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$dir/certs/broker.p12
ssl.keystore.password=$store_pass
ssl.key.password=$store_pass
ssl.truststore.type=PEM
ssl.truststore.location=$dir/certs/ca.pem
ssl.client.auth=none
log.dirs=$dir/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=2
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=2
group.initial.rebalance.delay.ms=0
num.network.threads=1
num.io.threads=2
background.threads=2
PROPS
  chmod 600 "$dir/server.properties"
  local java=java
  [ -n "${JAVA_HOME:-}" ] && java="$JAVA_HOME/bin/java"
  local log4j="-Dlog4j.configuration=file:$ROOT/deploy/local/kafka/log4j.properties"
  "$java" -cp "$JARS/*" "$log4j" kafka.tools.StorageTool format -t "$(uuidgen 2>/dev/null || "$java" -cp "$JARS/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" \
    -c "$dir/server.properties" \
    --add-scram "SCRAM-SHA-512=[name=broker,password=$broker_pass]" \
    --add-scram "SCRAM-SHA-512=[name=$user,password=$password]" \
    --add-scram "SCRAM-SHA-256=[name=$user,password=$password]" >>"$dir/kafka.log" 2>&1
  nohup "$java" -Xms256m -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -XX:ActiveProcessorCount=2 "$log4j" \
    -cp "$JARS/*" kafka.Kafka "$dir/server.properties" </dev/null >>"$dir/kafka.log" 2>&1 &
  echo $! > "$dir/kafka.pid"
  echo $!
}

down() {
  local f=$1/kafka.pid pid
  [ -f "$f" ] || return 0
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

case "${1:-}" in
  up) shift; [ $# -eq 5 ] || { echo "usage: $0 up DIR PORT CONTROLLER_PORT USER PASSWORD" >&2; exit 2; }; up "$@" ;;
  certs) shift; [ $# -eq 1 ] || { echo "usage: $0 certs DIR" >&2; exit 2; }; certs "$1" "$(openssl rand -hex 12)" ;;
  down) shift; [ $# -eq 1 ] || { echo "usage: $0 down DIR" >&2; exit 2; }; down "$1" ;;
  *) echo "usage: $0 up DIR PORT CONTROLLER_PORT USER PASSWORD | down DIR | certs DIR" >&2; exit 2 ;;
esac
