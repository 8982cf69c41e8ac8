import { z } from "zod";
import { pinPackagesSchema } from "./pin-packages.js";

/** An outbox batch: the `tests` parameter of `POST /api/v1/test/batch`. */
export const batchBodySchema = z.array(
  z.object({
    suite: z.string().min(1),
    arch: z.array(z.string().min(1)).min(1),
    tests: z.array(
      z.object({
        package: z.string().min(1),
        trigger: z.string().min(1),
        "pin-packages": pinPackagesSchema.default([]),
      }),
    ),
  }),
);
