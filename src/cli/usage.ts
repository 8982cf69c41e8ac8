/**
 * Every command's usage line, apart from the commands themselves: `--help`
 * and a mistyped command load this file alone, not the module graph.
 */
export const PLAN_USAGE = "debci-bridge plan --state DIR --needs FILE|- [--scratch DIR] [--now ISO] [--suite S] [--strict] [--wait SECONDS] [--grace MIN] [--pending-max-age DAYS] [--retry-older-than DAYS|off] [--baseline reference|any]";
export const STATUS_USAGE = "debci-bridge status --state DIR --package P --trigger T --arch A [--tested-version V] [--suite S] [--now ISO] [--strict]";
export const REPORT_USAGE = "debci-bridge report --state DIR [--now ISO] [--strict]";
export const SERVE_USAGE = "debci-bridge serve --state DIR [--scratch DIR] [--now ISO] [--strict] [--wait SECONDS] [rule options as for plan]";
export const EXPORT_BRITNEY_USAGE = "debci-bridge export-britney --state DIR --out DIR [--needs FILE] [--suite S] [--now ISO] [--strict]";
export const IMPORT_AMQP_USAGE = "debci-bridge import-amqp --state DIR FILE [--scratch DIR] [--now ISO] [--strict] [--wait SECONDS]";
export const COMPACT_USAGE = "debci-bridge compact --state DIR [--base FILE] [--now ISO] [--strict] [--wait SECONDS]";
export const PRUNE_USAGE = "debci-bridge prune --state DIR --older-than DAYS [--base FILE] [--now ISO] [--wait SECONDS]";
export const WATERMARK_USAGE = "debci-bridge watermark --state DIR [--overlap MINUTES] [--base FILE] [--now ISO]";
export const DUMP_BASE_USAGE = "debci-bridge dump-base --state DIR [--base FILE]";
export const FETCH_USAGE = "debci-bridge fetch --state DIR --url BASE [--key-file F] [--now ISO] [--since ISO | --backfill DAYS] [--pending-window DAYS] [--pending-window-max DAYS] [--overlap MINUTES] [--max-bytes N] [--slice-bytes N] [--timeout SECONDS] [--deadline SECONDS] [--retries N] [--backoff MS]";
export const SUBMIT_USAGE = "debci-bridge submit --state DIR --url BASE [--key-file F] [--now ISO] [--endpoint suite|batch] [--priority 1-10] [--huge-priority 1-10] [--max-bytes N] [--timeout SECONDS] [--deadline SECONDS] [--retries N] [--backoff MS]";
