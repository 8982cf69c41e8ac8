/**
 * Every command's usage line, apart from the commands themselves: `--help`
 * and a mistyped command load this file alone, not the module graph. The
 * lines are made from the help table (help-text.ts), which lists every flag.
 */
import { usageLine } from "./help-text.js";

export const PLAN_USAGE = usageLine("plan");
export const STATUS_USAGE = usageLine("status");
export const REPORT_USAGE = usageLine("report");
export const SERVE_USAGE = usageLine("serve");
export const EXPORT_BRITNEY_USAGE = usageLine("export-britney");
export const IMPORT_AMQP_USAGE = usageLine("import-amqp");
export const COMPACT_USAGE = usageLine("compact");
export const PRUNE_USAGE = usageLine("prune");
export const WATERMARK_USAGE = usageLine("watermark");
export const DUMP_BASE_USAGE = usageLine("dump-base");
export const FETCH_USAGE = usageLine("fetch");
export const SUBMIT_USAGE = usageLine("submit");
