/** The soak's options: what `npm run soak -- ...` takes, and the profiles. */

export interface FaultRates {
  /** Per fetch or submit run: a front proxy's 500 on one request. */
  http500: number;
  /** Per fetch or submit run: one request never answered (the client's --timeout ends it). */
  hang: number;
  /** Per fetch run: one results answer cut off half way. */
  truncate: number;
  /** Per submit run: one POST handled (its jobs created) and then its answer lost (a reset, a proxy's 500, no answer). */
  lostAnswer: number;
  /** Outages a simulated day, on average: each of several hours (every request refused, or answered 503), workers still running. */
  outagePerDay: number;
  /** Per cycle: plan killed with SIGKILL a short while after it starts. */
  killPlan: number;
  /** Per cycle: submit killed with SIGKILL a short while after it starts. */
  killSubmit: number;
}

export interface SoakOptions {
  days: number;
  seed: number;
  /** Share of accepted jobs the CI side drops at creation (their AMQP message lost): queued for ever. */
  dropRate: number;
  faults: FaultRates;
  /** Workers per arch; `workersByArch` overrides it for one arch (0: that arch's workers all down). */
  workersPerArch: number;
  workersByArch: Record<string, number>;
  profile: "normal" | "slow";
  /** Uploads a simulated day (the 30-day run: 1,024 uploads, about 34 a day). */
  uploadsPerDay: number;
  /** The most reverse dependencies one upload has tested (a few uploads reach it, most test a handful). */
  maxRdeps: number;
  /** How long an upload waits in the needs without every key answered before it leaves them anyway. */
  maxWaitDays: number;
  /** prune --older-than, once a simulated day after compact. */
  retentionDays: number;
  /** The arches britney2 asks for (Debian's britney.conf: ADT_ARCHES = amd64 arm64). */
  arches: string[];
  /** The first simulated hour. */
  start: string;
  /** Keep the state directory here (created if missing; must be empty). */
  keep: string | null;
  json: boolean;
  /** Progress lines on stderr. */
  verbose: boolean;
}

export const ALL_FAULTS_OFF: FaultRates = { http500: 0, hang: 0, truncate: 0, lostAnswer: 0, outagePerDay: 0, killPlan: 0, killSubmit: 0 };

/** Every fault at one rate; outages, being hours long, come about half a day's worth of that rate a day. */
export function faultsAt(rate: number): FaultRates {
  return { http500: rate, hang: rate / 2, truncate: rate / 2, lostAnswer: rate, outagePerDay: Math.min(1, rate * 5), killPlan: rate / 2, killSubmit: rate / 2 };
}

export function defaultOptions(profile: SoakOptions["profile"] = "normal"): SoakOptions {
  const slow = profile === "slow";
  return {
    days: 3,
    seed: 1,
    dropRate: slow ? 0 : 0.02,
    faults: slow ? { ...ALL_FAULTS_OFF } : faultsAt(0.1),
    // Normal: enough workers that queues drain within hours; slow: so few that they are about a day long.
    workersPerArch: slow ? 3 : 16,
    workersByArch: {},
    profile,
    uploadsPerDay: 34,
    maxRdeps: 250,
    maxWaitDays: 10,
    retentionDays: 1,
    arches: ["amd64", "arm64"],
    start: "2027-01-04T00:00:00Z",
    keep: null,
    json: false,
    verbose: false,
  };
}

export const USAGE = `npm run soak -- [--days N] [--seed N] [--profile normal|slow] [--drop-rate R] [--fault-rate R]
                [--rate KIND=R]... [--workers-per-arch N] [--workers ARCH=N]... [--uploads-per-day N]
                [--max-rdeps N] [--max-wait-days N] [--retention-days N] [--start ISO] [--keep DIR] [--json] [--verbose]

Drives the loop a release host runs (fetch, a committing plan, submit every simulated hour; compact
then prune every simulated day), each command its own process with --now the simulated time, against
the test fake of debci with workers that run the jobs, and prints figures.

  --profile slow     so few workers that queues are about a day long; nothing dropped, no faults
                     (the other flags still apply, wherever they stand)
  --fault-rate R     every fault kind at rate R (default 0.1; outages per day: 5R, at most 1)
  --rate KIND=R      one kind: http500, hang, truncate, lostAnswer, killPlan, killSubmit (per run or
                     cycle), outagePerDay (outages a day on average, may exceed 1)
  --workers ARCH=N   workers of one arch (0: all of that arch down)
  --keep DIR         keep the state directory in DIR/state, with the last needs file, the figures
                     (figures.json) and every command's exit and stderr (commands.jsonl)`;

export class OptionError extends Error {}

/** Parses the command line; `--profile` is read first, so the flags around it refine it. */
export function parseOptions(argv: string[]): SoakOptions {
  const profileAt = argv.indexOf("--profile");
  const profile = profileAt === -1 ? "normal" : argv[profileAt + 1];
  if (profile !== "normal" && profile !== "slow") throw new OptionError(`--profile takes normal or slow, not ${JSON.stringify(profile)}`);
  const o = defaultOptions(profile);
  const number = (flag: string, value: string | undefined, min: number, integer = false): number => {
    const n = Number(value);
    if (value === undefined || value === "" || !Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) throw new OptionError(`${flag} takes a${integer ? "n integer" : " number"} >= ${min}, not ${JSON.stringify(value)}`);
    return n;
  };
  const rate = (flag: string, value: string | undefined) => {
    const r = number(flag, value, 0);
    if (r > 1) throw new OptionError(`${flag} takes a rate between 0 and 1, not ${value}`);
    return r;
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = argv[i + 1];
    const take = () => (i++, value);
    switch (flag) {
      case "--days":
        o.days = number(flag, take(), 1, true);
        break;
      case "--seed":
        o.seed = number(flag, take(), 0, true);
        break;
      case "--profile":
        take();
        break;
      case "--drop-rate":
        o.dropRate = rate(flag, take());
        break;
      case "--fault-rate":
        o.faults = faultsAt(rate(flag, take()));
        break;
      case "--rate": {
        const [kind, r] = (take() ?? "").split("=");
        if (kind === undefined || !(kind in o.faults)) throw new OptionError(`--rate takes KIND=R, KIND one of ${Object.keys(o.faults).join(", ")}`);
        // Outages are counted per day, and a day may have more than one.
        o.faults[kind as keyof FaultRates] = kind === "outagePerDay" ? number(`--rate ${kind}`, r, 0) : rate(`--rate ${kind}`, r);
        break;
      }
      case "--workers-per-arch":
        o.workersPerArch = number(flag, take(), 0, true);
        break;
      case "--workers": {
        const [arch, n] = (take() ?? "").split("=");
        if (arch === undefined || arch === "") throw new OptionError("--workers takes ARCH=N");
        o.workersByArch[arch] = number(`--workers ${arch}`, n, 0, true);
        break;
      }
      case "--uploads-per-day":
        o.uploadsPerDay = number(flag, take(), 0);
        break;
      case "--max-rdeps":
        o.maxRdeps = number(flag, take(), 1, true);
        break;
      case "--max-wait-days":
        o.maxWaitDays = number(flag, take(), 0);
        break;
      case "--retention-days":
        o.retentionDays = number(flag, take(), 0);
        break;
      case "--start":
        if (Number.isNaN(Date.parse(value ?? "")) || !/(Z|[+-]\d\d:\d\d)$/.test(value ?? "")) throw new OptionError(`--start takes ISO 8601 with a zone, not ${JSON.stringify(value)}`);
        o.start = take()!;
        break;
      case "--keep":
        if (value === undefined) throw new OptionError("--keep takes a directory");
        o.keep = take()!;
        break;
      case "--json":
        o.json = true;
        break;
      case "--verbose":
        o.verbose = true;
        break;
      default:
        throw new OptionError(`unknown option ${JSON.stringify(flag)}\n\n${USAGE}`);
    }
  }
  return o;
}
