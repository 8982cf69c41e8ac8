import { X509Certificate } from "node:crypto";
import { open } from "node:fs/promises";
import { InputError } from "../store/errors.js";

/**
 * The CAs the sync tools trust: `--ca-file PEM`, else `$DEBCI_CA_FILE`,
 * else Node's default list. A CA file REPLACES the default list (a host's
 * policy may name exactly its CAs); it is read once, at most 1 MiB, and
 * must hold at least one certificate, every one of which must parse.
 */
export interface TrustStore {
  /** PEM certificates, or undefined for Node's default CA list. */
  ca?: string[];
  /** Where they came from, for messages: `--ca-file F`, `$DEBCI_CA_FILE (F)`, or "Node's default CA list". */
  source: string;
}

export const DEFAULT_CA_SOURCE = "Node's default CA list";
export const MAX_CA_FILE_BYTES = 1024 * 1024;

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

export async function loadTrustStore(flag: string | undefined, env: NodeJS.ProcessEnv): Promise<TrustStore> {
  let file: string;
  let source: string;
  if (flag !== undefined) {
    file = flag;
    source = `--ca-file ${flag}`;
  } else if (env.DEBCI_CA_FILE !== undefined && env.DEBCI_CA_FILE !== "") {
    file = env.DEBCI_CA_FILE;
    source = `$DEBCI_CA_FILE (${file})`;
  } else {
    return { source: DEFAULT_CA_SOURCE };
  }
  if (file === "") throw new InputError(`${source}: empty file name`);
  let text: string;
  try {
    const handle = await open(file, "r");
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw new InputError(`${source}: not a regular file`);
      // Read at most one byte past the limit, whatever stat said (a file may grow).
      const buffer = Buffer.alloc(MAX_CA_FILE_BYTES + 1);
      let length = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
        if (bytesRead === 0) break;
        length += bytesRead;
        if (length > MAX_CA_FILE_BYTES) throw new InputError(`${source}: over ${MAX_CA_FILE_BYTES} bytes, too large for a CA bundle`);
      }
      text = buffer.subarray(0, length).toString("utf8");
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`${source}: ${code === "ENOENT" ? "no such file" : `cannot read (${code ?? (error as Error).message})`}`);
  }
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new InputError(`${source}: no PEM certificate in it (expected -----BEGIN CERTIFICATE----- blocks)`);
  blocks.forEach((block, i) => {
    try {
      new X509Certificate(block);
    } catch (error) {
      throw new InputError(`${source}: certificate ${i + 1} of ${blocks.length} does not parse (${(error as Error).message})`);
    }
  });
  return { ca: blocks, source };
}

/**
 * The service's certificate was not accepted (unknown CA, wrong host name,
 * expired...). Not retried: the next attempt would meet the same certificate.
 */
export class TlsFailure extends Error {
  constructor(
    readonly host: string,
    readonly code: string,
    detail: string,
    caSource: string,
  ) {
    super(`TLS: the certificate of ${host} was not accepted (${detail}; ${code}), checked against ${caSource}`);
  }
}

/** OpenSSL's verification results as Node reports them, and Node's own host name check. */
const CERTIFICATE_CODES = new Set([
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_CRL",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECRYPT_CRL_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "CERT_SIGNATURE_FAILURE",
  "CRL_SIGNATURE_FAILURE",
  "CERT_NOT_YET_VALID",
  "CERT_HAS_EXPIRED",
  "CRL_NOT_YET_VALID",
  "CRL_HAS_EXPIRED",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
  "ERROR_IN_CRL_LAST_UPDATE_FIELD",
  "ERROR_IN_CRL_NEXT_UPDATE_FIELD",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "CERT_CHAIN_TOO_LONG",
  "CERT_REVOKED",
  "INVALID_CA",
  "PATH_LENGTH_EXCEEDED",
  "INVALID_PURPOSE",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "HOSTNAME_MISMATCH",
  "ERR_TLS_CERT_ALTNAME_INVALID",
]);

/** The certificate error inside an error (Node's fetch wraps it as `cause`), or null. */
export function certificateError(error: unknown): { code: string; message: string } | null {
  for (let e = error as (Error & { code?: unknown; cause?: unknown }) | undefined, depth = 0; e !== undefined && e !== null && depth < 5; e = e.cause as typeof e, depth++) {
    if (typeof e.code === "string" && CERTIFICATE_CODES.has(e.code)) return { code: e.code, message: e.message };
  }
  return null;
}
