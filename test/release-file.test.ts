import { describe, expect, it } from "vitest";
import { readRelease } from "../src/formats/release-file.js";

/**
 * What britney2 takes from TESTING's Release file: britney2/utils.py
 * read_release_file (apt_pkg.TagFile, first paragraph only) and
 * britney2/inputs/suiteloader.py _get_suite_name (Suite, else Codename) and
 * _check_release_file (Architectures without all, sorted), threatcode/britney2
 * at 53b88ee.
 */
describe("a Release file as britney2's suiteloader.py reads it", () => {
  it("the suite: Suite before Codename; Codename when there is no Suite; fields found whatever their case, values stripped", () => {
    expect(readRelease("Origin: Debian\nSuite: testing\nCodename: forky\nComponents: main\n", "R")).toMatchObject({ suite: { name: "testing", field: "Suite" } });
    expect(readRelease("Codename: forky\nOrigin: Debian\nComponents: main\n", "R")).toMatchObject({ suite: { name: "forky", field: "Codename" } });
    expect(readRelease("suite:   unstable  \ncomponents: main\n", "R")).toMatchObject({ suite: { name: "unstable", field: "Suite" } });
    expect(readRelease("Origin: Debian\nComponents: main\n", "/a/Release")).toMatchObject({ suite: { problem: "/a/Release: neither a Suite nor a Codename field; britney2 stops with KeyError on it" } });
  });

  it("the architectures: Architectures split on white space, all left out, sorted; without the field, what britney2 stops on", () => {
    expect(readRelease("Suite: testing\nComponents: main\nArchitectures: all s390x amd64 arm64\n", "R")).toMatchObject({ architectures: ["amd64", "arm64", "s390x"] });
    expect(readRelease("Suite: testing\nComponents: main\n", "/a/Release")).toMatchObject({ architectures: { problem: "/a/Release: no Architectures field, and britney.conf sets no ARCHITECTURES; britney2 stops with KeyError on it" } });
  });

  it("continuation lines (the checksums) belong to the field before them, and a blank line ends the paragraph", () => {
    const release = "Origin: Debian\nComponents: main contrib\nMD5Sum:\n 5f2b 1234 main/binary-amd64/Packages\n 9a0c 99 main/source/Sources\nSuite: testing\n\n";
    expect(readRelease(release, "R")).toMatchObject({ path: "R", suite: { name: "testing", field: "Suite" } });
  });

  it("a file britney2 cannot read at all is a problem naming it: two paragraphs, no fields, no Components (which britney2 always reads)", () => {
    expect(readRelease("Suite: testing\nArchitectures: amd64\n", "/a/Release")).toEqual({ problem: "/a/Release: no Components field; britney2 stops with KeyError on it" });
    expect(readRelease("Suite: testing\n\nSuite: unstable\n", "/a/Release")).toEqual({ problem: "/a/Release: more than one paragraph; britney2 stops with TypeError on it" });
    expect(readRelease("\n\n", "/a/Release")).toEqual({ problem: '/a/Release: not a Release file (no "Field: value" paragraph); britney2 stops on it' });
    expect(readRelease("just words\n", "/a/Release")).toEqual({ problem: '/a/Release: not a Release file (no "Field: value" paragraph); britney2 stops on it' });
  });
});
