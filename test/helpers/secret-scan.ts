/**
 * Looks for secrets in files, as bytes: any file (journals, PNG charts, HTML with data: URIs) is searched for the
 * secret as written, in base64 (a PNG or data: URI would carry it so) and in hex.
 */
import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface SecretForm {
  form: "plain" | "base64" | "base64url" | "hex";
  bytes: Buffer;
}
export interface SecretHit {
  file: string;
  secret: string;
  form: SecretForm["form"];
}

/**
 * The byte strings a secret shows up as. Base64 depends on where the secret starts within a 3-byte group: for each
 * of the three alignments, the characters that only the secret's own bytes decide (the groups it fills alone).
 */
export function secretForms(secret: string): SecretForm[] {
  const raw = Buffer.from(secret, "utf8");
  const forms: SecretForm[] = [
    { form: "plain", bytes: raw },
    { form: "hex", bytes: Buffer.from(raw.toString("hex")) },
  ];
  for (let offset = 0; offset < 3; offset++) {
    const encoded = Buffer.concat([Buffer.alloc(offset), raw]).toString("base64");
    const core = encoded.slice(offset === 0 ? 0 : 4, Math.floor((offset + raw.length) / 3) * 4);
    forms.push({ form: "base64", bytes: Buffer.from(core) });
    const url = core.replaceAll("+", "-").replaceAll("/", "_");
    if (url !== core) forms.push({ form: "base64url", bytes: Buffer.from(url) });
  }
  return forms;
}

/** Every regular file under `root`, at any depth (symbolic links are not followed). */
export function filesUnder(root: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    const path = join(root, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else if (lstatSync(path).isFile()) out.push(path);
  }
  return out;
}

/** Each file under the roots, and each named text, that holds a form of a secret. */
export function findSecrets(
  roots: readonly string[],
  secrets: readonly string[],
  texts: Readonly<Record<string, string>> = {},
): SecretHit[] {
  const sources: [string, Buffer][] = [
    ...roots.flatMap((root) => filesUnder(root).map((file): [string, Buffer] => [file, readFileSync(file)])),
    ...Object.entries(texts).map(([name, text]): [string, Buffer] => [name, Buffer.from(text, "utf8")]),
  ];
  const hits: SecretHit[] = [];
  for (const secret of secrets) {
    const forms = secretForms(secret);
    for (const [file, bytes] of sources) {
      for (const { form, bytes: needle } of forms) if (bytes.includes(needle)) hits.push({ file, secret, form });
    }
  }
  return hits;
}
