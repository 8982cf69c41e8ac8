import type { Need } from "./types.js";

/** The suites and arches the CI service runs (debci-bridge.json, or ADT_ARCHES of britney.conf), when known, and where the arches came from. */
export interface ServiceLists {
  serviceSuites: readonly string[] | null;
  serviceArches: readonly string[] | null;
  sources?: { readonly serviceArches?: string };
}

/** Why a need's suite or arch is not one the CI service runs, or null: a need, a serve param and an imported request are held to the same lists. */
export function serviceProblem(need: Pick<Need, "suite" | "arch">, defaultSuite: string, service: ServiceLists): string | null {
  // britney2 runs for one target suite: without serviceSuites, that (the configured suite) is the only one a need may name.
  const suites = service.serviceSuites ?? [defaultSuite];
  if (!suites.includes(need.suite)) {
    const setting = service.serviceSuites === null ? `the configured suite is ${defaultSuite}; serviceSuites in debci-bridge.json lists others the CI service runs` : `serviceSuites in debci-bridge.json: ${suites.join(", ")}`;
    return `suite: ${JSON.stringify(need.suite)} is not one the CI service runs (${setting})`;
  }
  if (service.serviceArches !== null && !service.serviceArches.includes(need.arch)) {
    const from = service.sources?.serviceArches ?? "debci-bridge.json";
    return `arch: ${JSON.stringify(need.arch)} is not one the CI service runs (serviceArches: ${service.serviceArches.join(", ") || "none"}, from ${from})`;
  }
  return null;
}
