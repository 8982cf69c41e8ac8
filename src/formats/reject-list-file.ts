import { z } from "zod";

/** `GET /api/v1/reject_list`: package → suite → arch → version → reason, `*` for any. */
export const rejectListSchema = z.record(z.string(), z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown()))));
