"""Client for debci-bridge's stdio server, for britney2's autopkgtest policy.

Python 3 standard library only. One DebciBridge is one britney2 run: it
starts `debci-bridge serve`, which loads the state directory once and (unless
a scratch outbox is given) holds its lock; ask questions, register needs,
then commit() to write the outbox, or close() to write nothing.
"""

import collections
import json
import os
import shlex
import subprocess
import threading

__all__ = ["DebciBridge", "DebciBridgeError", "DebciBridgeWarning", "default_command"]


class DebciBridgeError(Exception):
    """The server answered with an error, or is gone (exit_code says how it ended: 2 = lock held)."""

    def __init__(self, message, exit_code=None):
        super().__init__(message)
        self.exit_code = exit_code


class DebciBridgeWarning(DebciBridgeError):
    """Raised at start when raise_on_warnings is set and loading found problems (warnings lists them)."""

    def __init__(self, warnings):
        super().__init__("debci-bridge warned: " + "; ".join(warnings))
        self.warnings = list(warnings)


def default_command():
    """$DEBCI_BRIDGE if set, else this checkout's bin/debci-bridge.js, else debci-bridge on PATH."""
    if os.environ.get("DEBCI_BRIDGE"):
        return shlex.split(os.environ["DEBCI_BRIDGE"])
    here = os.path.dirname(os.path.abspath(__file__))
    script = os.path.join(here, "..", "..", "bin", "debci-bridge.js")
    if os.path.exists(script):
        return ["node", os.path.normpath(script)]
    return ["debci-bridge"]


class DebciBridge:
    def __init__(self, state_dir, scratch=None, now=None, suite=None, baseline=None,
                 retry_older_than=None, pending_max_age=None, grace=None, strict=False, command=None,
                 wait=None, reference_max_age=None, hints=(), allow_incomplete=False, ci_url=None,
                 raise_on_warnings=False, britney_conf=None):
        """Starts the server. britney_conf: britney2's configuration, whose ADT_* rules the server then
        follows (pass no baseline, retry_older_than, reference_max_age or ci_url beside it: a value that
        differs from britney.conf's is refused). What loading found (files skipped and why, an ignored
        snapshot, stale data) is in self.warnings, for the policy to log as britney2 logs its own; with
        raise_on_warnings, any warning raises DebciBridgeWarning instead (the server is closed, nothing written)."""
        args = list(command or default_command()) + ["serve", "--state", state_dir]
        options = {"--scratch": scratch, "--now": now, "--suite": suite, "--baseline": baseline,
                   "--retry-older-than": retry_older_than, "--pending-max-age": pending_max_age, "--grace": grace,
                   # Seconds a committing run waits out a cron job holding the lock (compact) rather than failing.
                   "--wait": None if scratch is not None else wait,
                   "--reference-max-age": reference_max_age, "--ci-url": ci_url, "--britney-conf": britney_conf}
        for flag, value in options.items():
            if value is not None:
                args += [flag, str(value)]
        for hints_file in hints:
            # britney2's hints files: force-badtest and force-skiptest are applied by the server.
            args += ["--hints", hints_file]
        if strict:
            args.append("--strict")
        if allow_incomplete:
            args.append("--allow-incomplete")
        self._proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                      text=True, encoding="utf-8", bufsize=1)
        # Drain stderr (warnings, the summary) so the server never blocks on it; keep the tail for errors.
        self.stderr = collections.deque(maxlen=100)
        self._stderr_reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._stderr_reader.start()
        self._next_id = 0
        # Asked once at start: the server's stderr is drained above, so this is how warnings reach the policy.
        self.load_info = self._call("warnings")
        self.warnings = list(self.load_info["warnings"])
        if raise_on_warnings and self.warnings:
            self.close()
            raise DebciBridgeWarning(self.warnings)

    def _read_stderr(self):
        for line in self._proc.stderr:
            self.stderr.append(line.rstrip("\n"))

    def _gone(self):
        code = self._proc.wait()
        self._stderr_reader.join(timeout=5)
        detail = "; ".join(self.stderr) or "no message"
        return DebciBridgeError("debci-bridge serve exited with code %s: %s" % (code, detail), exit_code=code)

    def _call(self, method, params=None):
        self._next_id += 1
        request = {"id": self._next_id, "method": method}
        if params:
            request["params"] = {k: v for k, v in params.items() if v is not None}
        try:
            self._proc.stdin.write(json.dumps(request) + "\n")
            self._proc.stdin.flush()
        except (BrokenPipeError, ValueError):
            raise self._gone() from None
        line = self._proc.stdout.readline()
        if not line:
            raise self._gone()
        response = json.loads(line)
        if "error" in response:
            raise DebciBridgeError(response["error"]["message"])
        return response["result"]

    def _many(self, method, params_list):
        """Pipelines requests: a thread writes them all while this one reads the answers, in order.
        One round trip per question costs ~100 us in Python; pipelined, a few us."""
        params_list = list(params_list)
        first = self._next_id + 1
        self._next_id += len(params_list)
        lines = [json.dumps({"id": first + i, "method": method, "params": {k: v for k, v in p.items() if v is not None}})
                 for i, p in enumerate(params_list)]
        failure = []

        def write():
            try:
                for start in range(0, len(lines), 1000):
                    self._proc.stdin.write("\n".join(lines[start:start + 1000]) + "\n")
                self._proc.stdin.flush()
            except (BrokenPipeError, ValueError) as error:
                failure.append(error)

        writer = threading.Thread(target=write, daemon=True)
        writer.start()
        results = []
        for _ in lines:
            line = self._proc.stdout.readline()
            if not line:
                writer.join(timeout=5)
                raise self._gone()
            response = json.loads(line)
            results.append(DebciBridgeError(response["error"]["message"]) if "error" in response else response["result"])
        writer.join()
        return results

    def need_many(self, needs):
        """need() for many at once (dicts with need()'s arguments); answers in order, a DebciBridgeError in place of a refused one."""
        return self._many("need", [self._need_params(**n) for n in needs])

    def status_many(self, keys):
        """status() for many at once (dicts with status()'s arguments)."""
        return self._many("status", [dict(k) for k in keys])

    @staticmethod
    def _need_params(package, trigger, arch, suite=None, version=None, pin_packages=None, huge=False,
                     versions=None, test_in_target=None, again=False):
        return {"package": package, "trigger": trigger, "arch": arch, "suite": suite, "version": version,
                "versions": versions, "testInTarget": test_in_target, "pin-packages": pin_packages,
                "huge": huge or None, "again": again or None}

    @staticmethod
    def _key_params(package, trigger, arch, suite=None, version=None, versions=None, test_in_target=None):
        return {"package": package, "trigger": trigger, "arch": arch, "suite": suite, "version": version,
                "versions": versions, "testInTarget": test_in_target}

    def status(self, package, trigger, arch, suite=None, version=None, versions=None, test_in_target=None):
        """The answer for a test key (trigger: the full, space-separated string): state, result, baseline and label."""
        return self._call("status", self._key_params(package, trigger, arch, suite, version, versions, test_in_target))

    def need(self, package, trigger, arch, suite=None, version=None, pin_packages=None, huge=False,
             versions=None, test_in_target=None, again=False):
        """Registers a test this run needs and answers it. versions: the tested package's versions in
        testing and unstable (results for others are OLD_*); again: ask for it again though it has a result."""
        return self._call("need", self._need_params(package, trigger, arch, suite, version, pin_packages, huge,
                                                    versions, test_in_target, again))

    def preview(self, package, trigger, arch, **need):
        """What need() would answer and request, registering nothing."""
        return self._call("preview", self._need_params(package, trigger, arch, **need))

    def verdict(self, trigger, labels):
        """The autopkgtest verdict of an upload (source/version) from its tests' labels, force-skiptest applied."""
        return self._call("verdict", {"trigger": trigger, "labels": list(labels)})

    def baseline(self, package, arch, suite=None, versions=None):
        return self._call("baseline", {"package": package, "arch": arch, "suite": suite, "versions": versions})

    def label(self, package, trigger, arch, suite=None, version=None, versions=None, test_in_target=None):
        """britney2's label (PASS, OLD_PASS, REGRESSION, IGNORE-FAIL, RUNNING, ...), or None for a test that will not run."""
        return self._call("label", self._key_params(package, trigger, arch, suite, version, versions, test_in_target))["label"]

    def report(self):
        return self._call("report")

    def rules(self):
        """The rules in force and where each came from: baseline, retryOlderThanDays, referenceMaxAgeDays,
        arches (ADT_ARCHES), hugeAbove (ADT_HUGE), ciUrl, and britneyConf, the configuration read."""
        return self._call("rules")

    def commit(self):
        """Writes the outbox batch(es) and the ledger; returns counts and the batch paths. Then closes."""
        result = self._call("commit")
        self.close()
        return result

    def close(self):
        """Ends the server; without a commit, nothing is written."""
        if self._proc.poll() is None:
            try:
                self._proc.stdin.close()
            except BrokenPipeError:
                pass
        code = self._proc.wait()
        self._stderr_reader.join(timeout=5)
        return code

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
