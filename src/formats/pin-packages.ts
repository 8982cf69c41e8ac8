import { z } from "zod";

/** debci's pin-packages: `[["src:foo,bar", "unstable"], ...]`. */
export const pinPackagesSchema = z.array(z.tuple([z.string().min(1), z.string().min(1)]));
