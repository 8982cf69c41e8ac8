#!/bin/sh
# One britney2 run on debci-bridge's state, britney2 itself unmodified.
# The order and the britney.conf lines are in docs/britney2.md ("Running an
# unmodified britney2"):
#   fetch -> export-britney -> britney2 -> import-amqp -> submit
# Both debci-bridge steps read britney2's own britney.conf: the rules, where
# britney2 reads its results (STATE_DIR, ADT_SHARED_RESULTS_CACHE,
# ADT_SWIFT_URL) and where it writes its requests (ADT_AMQP) are set once.
#
# Settings, from the environment:
#   BRIDGE_STATE    debci-bridge's state directory                    (required)
#   BRITNEY         britney2's britney.py                             (required)
#   BRITNEY_CONF    its britney.conf                                  (required)
#   DEBCI_URL       the CI service; empty: no fetch and no submit (an
#                   ad-hoc run on what the state already holds)
#   DEBCI_KEY_FILE  the API key file (mode 600) for fetch and submit
#   DEBCI_BRIDGE    the command (default: debci-bridge)
#   PYTHON          the interpreter for britney2 (default: /usr/bin/python3)
#
# The CI service being down changes nothing in britney2's answers: a failed
# fetch leaves the state as it was, and a failed submit keeps the outbox for
# the next run. Exit status: britney2's, or the first failure of the export
# or the import.
set -eu
: "${BRIDGE_STATE:?set BRIDGE_STATE to debci-bridge's state directory}"
: "${BRITNEY:?set BRITNEY to britney2's britney.py}"
: "${BRITNEY_CONF:?set BRITNEY_CONF to its britney.conf}"
DEBCI_URL="${DEBCI_URL:-}"
DEBCI_BRIDGE="${DEBCI_BRIDGE:-debci-bridge}"
PYTHON="${PYTHON:-/usr/bin/python3}"
say() { printf 'run-britney2: %s\n' "$*" >&2; }

if [ -n "$DEBCI_URL" ]; then
  $DEBCI_BRIDGE fetch --state "$BRIDGE_STATE" --url "$DEBCI_URL" --key-file "${DEBCI_KEY_FILE:?set DEBCI_KEY_FILE}" >/dev/null ||
    say "fetch failed (exit $?): britney2 runs on what the state already holds"
fi

# What britney2 reads, where it reads it: its results cache and pending file, and ADT_SWIFT_URL's
# debci.json with the keys in flight. It prints where britney2 will write its requests (ADT_AMQP).
exported=$($DEBCI_BRIDGE export-britney --state "$BRIDGE_STATE" --britney-conf "$BRITNEY_CONF")
amqp=$(printf '%s\n' "$exported" | sed -n 's/.*"amqp":"\([^"\\]*\)".*/\1/p')
if [ -z "$amqp" ]; then
  say "ADT_AMQP in $BRITNEY_CONF names no file to import britney2's requests from (it must be file:///an/absolute/path)"
  exit 1
fi

# A request file left by an earlier run must not be imported twice; britney2 writes a new one.
rm -f "$amqp"
status=0
$PYTHON "$BRITNEY" -c "$BRITNEY_CONF" || status=$?
[ "$status" -eq 0 ] || say "britney2 failed (exit $status); importing the requests it wrote before it stopped"

# britney2's requests into the outbox and the ledger: what is already in flight is held, nothing is sent twice.
if [ -s "$amqp" ]; then
  $DEBCI_BRIDGE import-amqp --state "$BRIDGE_STATE" --britney-conf "$BRITNEY_CONF" >/dev/null
fi

if [ -n "$DEBCI_URL" ]; then
  $DEBCI_BRIDGE submit --state "$BRIDGE_STATE" --url "$DEBCI_URL" --key-file "$DEBCI_KEY_FILE" >/dev/null ||
    say "submit failed (exit $?): the outbox keeps the requests for the next run"
fi
exit "$status"
