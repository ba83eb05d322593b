/** sha256 of files by streaming: dataset files can be gigabytes (LiveCodeBench), so they are never read whole. */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** An LFS/xet blob is named by its content's sha256; a plain git file by its 40-hex git blob id. */
export function isSha256Hex(name: string): boolean {
  return SHA256_HEX.test(name);
}

export async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}
