#!/bin/sh
# One britney2 run on debci-bridge's state, britney2 itself unmodified.
# The order and the britney.conf lines are in the README ("Running an
# unmodified britney2"):
#   fetch -> export-britney -> britney2 -> import-amqp -> submit
#
# Settings, from the environment:
#   BRIDGE_STATE    debci-bridge's state directory                    (required)
#   BRITNEY_STATE   britney2's STATE_DIR, where it reads its autopkgtest
#                   files and writes debci.input (ADT_AMQP)          (required)
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
: "${BRITNEY_STATE:?set BRITNEY_STATE to britney2's STATE_DIR}"
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

# What britney2 reads: its results cache and pending file, and debci.json (ADT_SWIFT_URL) with the keys in flight.
$DEBCI_BRIDGE export-britney --state "$BRIDGE_STATE" --out "$BRITNEY_STATE" >/dev/null

# A debci.input left by an earlier run must not be imported twice; britney2 writes a new one.
rm -f "$BRITNEY_STATE/debci.input"
status=0
$PYTHON "$BRITNEY" -c "$BRITNEY_CONF" || status=$?
[ "$status" -eq 0 ] || say "britney2 failed (exit $status); importing the requests it wrote before it stopped"

# britney2's requests into the outbox and the ledger: what is already in flight is held, nothing is sent twice.
if [ -s "$BRITNEY_STATE/debci.input" ]; then
  $DEBCI_BRIDGE import-amqp --state "$BRIDGE_STATE" "$BRITNEY_STATE/debci.input" >/dev/null
fi

if [ -n "$DEBCI_URL" ]; then
  $DEBCI_BRIDGE submit --state "$BRIDGE_STATE" --url "$DEBCI_URL" --key-file "$DEBCI_KEY_FILE" >/dev/null ||
    say "submit failed (exit $?): the outbox keeps the requests for the next run"
fi
exit "$status"
