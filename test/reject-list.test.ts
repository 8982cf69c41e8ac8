import { describe, expect, it } from "vitest";
import { globToRegExp, hasGlob } from "../src/core/fnmatch.js";
import { isRejected, type RejectList } from "../src/core/reject-list.js";

/**
 * The list of debci's own reject-list spec (spec/debci/reject_list_spec.rb in
 * terceiro/debci), as GET /api/v1/reject_list renders it: `foo`; `bar
 * unstable`; `baz unstable` and `baz testing amd64`; `fox * * 1.0.1`;
 * `xyz-*`; `pinpoint * * *`.
 */
const DEBCI_SPEC_LIST: RejectList = {
  foo: { "*": { "*": { "*": "bug #999\n" } } },
  bar: { unstable: { "*": { "*": "" } } },
  baz: { unstable: { "*": { "*": "" } }, testing: { amd64: { "*": "" } } },
  fox: { "*": { "*": { "1.0.1": "" } } },
  "xyz-*": { "*": { "*": { "*": "" } } },
  pinpoint: { "*": { "*": { "*": "" } } },
};

const key = (pkg: string, suite = "testing", arch = "amd64", trigger = "glibc/2.41-7") => ({ suite, arch, package: pkg, trigger });

describe("the reject list, as debci's reject_list.rb reads it", () => {
  it("agrees with debci's own spec cases that have a concrete suite and arch", () => {
    expect(isRejected(DEBCI_SPEC_LIST, key("foo"))).toBe(true);
    expect(isRejected(DEBCI_SPEC_LIST, key("uno"))).toBe(false);
    expect(isRejected(DEBCI_SPEC_LIST, key("pinpoint", "testing", "arm64"))).toBe(true);
    expect(isRejected(DEBCI_SPEC_LIST, key("bar", "testing"))).toBe(false);
    expect(isRejected(DEBCI_SPEC_LIST, key("bar", "unstable"))).toBe(true);
    expect(isRejected(DEBCI_SPEC_LIST, key("baz", "testing", "arm64"))).toBe(false);
    expect(isRejected(DEBCI_SPEC_LIST, key("baz", "testing", "amd64"))).toBe(true);
    // "applies wildcards to package name": xyz-* covers xyz-abc.
    expect(isRejected(DEBCI_SPEC_LIST, key("xyz-abc"))).toBe(true);
    expect(isRejected(DEBCI_SPEC_LIST, key("xyz"))).toBe(false);
  });

  it("matches version-specific entries as before: any version, unless the trigger uploads the package itself", () => {
    expect(isRejected(DEBCI_SPEC_LIST, key("fox"))).toBe(true);
    expect(isRejected(DEBCI_SPEC_LIST, key("fox", "testing", "amd64", "fox/1.0.1"))).toBe(true);
    expect(isRejected(DEBCI_SPEC_LIST, key("fox", "testing", "amd64", "fox/1.0-1"))).toBe(false);
  });

  it("consults globs only for a package with no entry of its own, as include? does", () => {
    const list: RejectList = { "linux*": { "*": { "*": { "*": "" } } }, "linux-signed-amd64": { unstable: { "*": { "*": "" } } } };
    expect(isRejected(list, key("linux-latest"))).toBe(true);
    expect(isRejected(list, key("linux-signed-amd64", "testing"))).toBe(false);
    expect(isRejected(list, key("linux-signed-amd64", "unstable"))).toBe(true);
  });

  it("reads glob classes, single characters and escapes as fnmatch does", () => {
    const list: RejectList = { "r-cran-[a-c]*": { "*": { "*": { "*": "" } } }, "python3.1?": { "*": { "*": { "*": "" } } }, "lib\\*lit": { "*": { "*": { "*": "" } } }, "gcc-[!0-9]*": { "*": { "*": { "*": "" } } } };
    expect(isRejected(list, key("r-cran-boot"))).toBe(true);
    expect(isRejected(list, key("r-cran-zoo"))).toBe(false);
    expect(isRejected(list, key("python3.12"))).toBe(true);
    expect(isRejected(list, key("python3.1"))).toBe(false);
    expect(isRejected(list, key("lib*lit"))).toBe(true);
    expect(isRejected(list, key("libalit"))).toBe(false);
    expect(isRejected(list, key("gcc-defaults"))).toBe(true);
    expect(isRejected(list, key("gcc-14"))).toBe(false);
  });

  it("takes regular-expression characters in a name literally", () => {
    expect(hasGlob("libc++")).toBe(false);
    expect(globToRegExp("g++-*").test("g++-14")).toBe(true);
    expect(globToRegExp("a.b*").test("axb")).toBe(false);
    expect(globToRegExp("[unclosed*").test("[unclosed-x")).toBe(true);
  });
});
