#!/usr/bin/env python3
"""Where britney2's AutopkgtestPolicy would call debci-bridge.

For each excuse (a source upload and the tests it triggers), for each
architecture in ADT_ARCHES: register every test as a need (which also
answers it, with britney2's label), then decide the verdict as the policy
does. At the end of the run, commit: the requests go to the outbox. The
ADT_* options come from a britney2 configuration file, which the server
reads as britney2 does: the policy configures nothing a second time.

    example_policy.py --config britney.conf --excuses excuses.json --state DIR [--scratch DIR] [--now ISO]
"""

import argparse
import json
import os
import sys

from debci_bridge import DebciBridge, DebciBridgeError


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

    with open(args.excuses) as f:
        excuses = json.load(f)

    try:
        bridge = DebciBridge(args.state, scratch=args.scratch, now=args.now, wait=args.wait, hints=args.hints,
                             britney_conf=args.config)
    except OSError as error:
        sys.exit("cannot start debci-bridge: %s" % error)
    except DebciBridgeError as error:
        sys.exit("debci-bridge: %s" % error)
    # ADT_ARCHES and ADT_HUGE as the server read them from the same britney.conf.
    rules = bridge.rules()
    arches = rules["arches"]
    huge_limit = rules["hugeAbove"]
    # What loading found (a results file skipped, the snapshot ignored, stale data), where britney2 logs its warnings.
    for warning in bridge.warnings:
        print("W: debci-bridge: %s" % warning)
    try:
        for excuse in excuses:
            trigger = " ".join(["%s/%s" % (excuse["source"], excuse["version"])] + excuse.get("also", []))
            tests = excuse["tests"]
            is_huge = huge_limit is not None and len(tests) > huge_limit
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
