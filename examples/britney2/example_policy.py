#!/usr/bin/env python3
"""Where britney2's AutopkgtestPolicy would call debci-bridge.

For each excuse (a source upload and the tests it triggers), for each
architecture in ADT_ARCHES: register every test as a need (which also
answers it, with britney2's label), then decide the verdict as the policy
does. At the end of the run, commit: the requests go to the outbox. The
ADT_* options come from a britney2 configuration file.

    example_policy.py --config britney.conf --excuses excuses.json --state DIR [--scratch DIR] [--now ISO]
"""

import argparse
import json
import os
import sys

from debci_bridge import DebciBridge, DebciBridgeError


def read_britney_conf(path):
    """britney.conf lines are KEY = value; # starts a comment."""
    options = {}
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if "=" in line:
                key, value = line.split("=", 1)
                options[key.strip()] = value.strip()
    return options


def bridge_options(conf):
    """Maps britney2's ADT_* options onto debci-bridge's."""
    return {
        # ADT_BASELINE = reference compares against migration-reference/0; unset means "ever passed".
        "baseline": "reference" if conf.get("ADT_BASELINE") == "reference" else "any",
        "retry_older_than": conf.get("ADT_RETRY_OLDER_THAN") or "off",
        # ADT_REFERENCE_MAX_AGE: a reference result older than this many days is old, and asked for again.
        "reference_max_age": conf.get("ADT_REFERENCE_MAX_AGE") or "off",
        # ADT_CI_URL: answers then carry the log, history and retry links britney2 puts on its excuses.
        "ci_url": conf.get("ADT_CI_URL") or None,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--excuses", required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--scratch")
    parser.add_argument("--now")
    parser.add_argument("--hints", action="append", default=[],
                        help="a britney2 hints file (force-badtest, force-skiptest); may be repeated")
    parser.add_argument("--wait", type=float, default=600,
                        help="seconds to wait for the state's lock (a cron job compacting) before failing")
    args = parser.parse_args()

    conf = read_britney_conf(args.config)
    arches = conf.get("ADT_ARCHES", "amd64").split()
    huge_limit = int(conf.get("ADT_HUGE", "0") or 0)
    with open(args.excuses) as f:
        excuses = json.load(f)

    try:
        bridge = DebciBridge(args.state, scratch=args.scratch, now=args.now, wait=args.wait, hints=args.hints,
                             **bridge_options(conf))
    except OSError as error:
        sys.exit("cannot start debci-bridge: %s" % error)
    # What loading found (a results file skipped, the snapshot ignored, stale data), where britney2 logs its warnings.
    for warning in bridge.warnings:
        print("W: debci-bridge: %s" % warning)
    try:
        for excuse in excuses:
            trigger = " ".join(["%s/%s" % (excuse["source"], excuse["version"])] + excuse.get("also", []))
            tests = excuse["tests"]
            is_huge = huge_limit > 0 and len(tests) > huge_limit
            labels = []
            retries = []
            print("%s/%s:" % (excuse["source"], excuse["version"]))
            for test in tests:
                # [source, version] or [source, version, [versions in testing and unstable]]
                testsrc, testver = test[0], test[1]
                versions = test[2] if len(test) > 2 else None
                shown = []
                for arch in arches:
                    answer = bridge.need(testsrc, trigger, arch, version=testver, versions=versions, huge=is_huge,
                                         pin_packages=[["src:" + excuse["source"], "unstable"]])
                    labels.append(answer["label"])
                    if answer.get("held") == "incomplete":
                        # Part of the knowledge could not be read: not asked for until it can, rather than asked blindly.
                        label = "UNKNOWN (held: part of the results could not be read)"
                    elif answer["label"]:
                        label = answer["label"]
                    elif answer.get("refused"):
                        # The CI service refused the request: say why, as debci said it.
                        label = "NOT-RUN (refused by the CI service: %s)" % answer["refused"]
                    else:
                        label = "NOT-RUN (%s)" % answer.get("noLabel", "reject-listed")
                    shown.append("%s: %s%s" % (arch, label, " (requested)" if answer["request"] else ""))
                    if answer.get("links", {}).get("retry"):
                        # What britney2 offers beside a regression: the log and a retry (its ♻ link).
                        retries.append("    %s on %s: log %s retry %s" % (testsrc, arch, answer["links"]["log"], answer["links"]["retry"]))
                print("  autopkgtest for %s/%s: %s" % (testsrc, testver, ", ".join(shown)))
                for line in retries:
                    print(line)
                retries.clear()
            # The verdict is the server's: the policy's rules and the force-skiptest hints live there.
            verdict = bridge.verdict("%s/%s" % (excuse["source"], excuse["version"]), labels)
            print("  verdict: %s%s" % (verdict["verdict"], " (force-skiptest by %s)" % verdict["hintedBy"] if "hintedBy" in verdict else ""))
        result = bridge.commit()
    except DebciBridgeError as error:
        bridge.close()
        sys.exit("debci-bridge: %s" % error)
    print("requests: %d in %s" % (result["requests"], ", ".join(os.path.basename(b) for b in result["batches"]) or "no batch"))


if __name__ == "__main__":
    main()
