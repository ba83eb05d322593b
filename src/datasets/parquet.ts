/**
 * Parquet rows as plain objects, via hyparquet. The file is read through positional reads on one file handle,
 * so only the footer and the column chunks asked for are loaded. INT64 values come back as numbers (throwing
 * when a value would lose precision), LIST columns as arrays, structs as objects and unannotated BYTE_ARRAY
 * (binary, e.g. an HF Image struct's `bytes`) as Uint8Array.
 */
import { type FileHandle, open } from "node:fs/promises";
import {
  type AsyncBuffer,
  type FileMetaData,
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
} from "hyparquet";
import { compressors } from "hyparquet-compressors";
import { DatasetFormatError } from "../core/errors.ts";

export interface ParquetReadOptions {
  /** Top-level columns to read; all when omitted. A name the file lacks is an error. */
  columns?: string[];
}

const PARQUET_MAGIC = "PAR1";
const LFS_POINTER_PREFIX = "version https://git-lfs";
/** Smallest possible parquet file: magic, footer length, magic. */
const MIN_PARQUET_BYTES = 12;

/** Every row of `file` (or of the listed columns), INT64 converted to number. */
export async function readParquetRows(
  file: string,
  options: ParquetReadOptions = {},
): Promise<Record<string, unknown>[]> {
  return withParquetFile(file, async (buffer, metadata) => {
    const columns = options.columns;
    if (columns !== undefined) assertColumnsExist(file, metadata, columns);
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({
        file: buffer,
        metadata,
        compressors,
        // Unannotated BYTE_ARRAY is binary (image bytes); string columns carry the UTF8/STRING annotation.
        utf8: false,
        ...(columns !== undefined ? { columns } : {}),
      });
    } catch (error) {
      throw new DatasetFormatError(file, `parquet data does not decode: ${messageOf(error)}`, { cause: error });
    }
    return rows.map((row, index) => convertRow(row, `${file} row ${index}`));
  });
}

/** Row count from the footer alone, without reading any column data. */
export async function parquetRowCount(file: string): Promise<number> {
  return withParquetFile(file, async (_buffer, metadata) => safeNumber(metadata.num_rows, `${file} footer num_rows`));
}

/** Opens `file`, checks it is parquet at all, parses the footer, and always closes the handle. */
async function withParquetFile<T>(
  file: string,
  use: (buffer: AsyncBuffer, metadata: FileMetaData) => Promise<T>,
): Promise<T> {
  const handle = await open(file, "r");
  try {
    const { size } = await handle.stat();
    const buffer = fileAsyncBuffer(handle, size);
    await assertParquetMagic(file, buffer);
    let metadata: FileMetaData;
    try {
      metadata = await parquetMetadataAsync(buffer);
    } catch (error) {
      throw new DatasetFormatError(file, `parquet footer does not parse: ${messageOf(error)}`, { cause: error });
    }
    return await use(buffer, metadata);
  } finally {
    await handle.close();
  }
}

/** An AsyncBuffer over an open file: each slice is one positional read into a fresh ArrayBuffer. */
function fileAsyncBuffer(handle: FileHandle, size: number): AsyncBuffer {
  return {
    byteLength: size,
    slice: (start: number, end: number = size) => readRange(handle, clamp(start, 0, size), clamp(end, 0, size)),
  };
}

async function readRange(handle: FileHandle, start: number, end: number): Promise<ArrayBuffer> {
  const bytes = new Uint8Array(Math.max(0, end - start));
  let filled = 0;
  while (filled < bytes.length) {
    const { bytesRead } = await handle.read(bytes, filled, bytes.length - filled, start + filled);
    if (bytesRead === 0) break; // the file shrank; hyparquet then reports the short read
    filled += bytesRead;
  }
  return filled === bytes.length ? bytes.buffer : bytes.buffer.slice(0, filled);
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}

/** Rejects non-parquet files up front, so a Git LFS pointer gets a message that says what it is. */
async function assertParquetMagic(file: string, buffer: AsyncBuffer): Promise<void> {
  const size = buffer.byteLength;
  const head = new Uint8Array(await buffer.slice(0, Math.min(size, 64)));
  const headText = new TextDecoder("latin1").decode(head);
  if (headText.startsWith(LFS_POINTER_PREFIX)) {
    throw new DatasetFormatError(
      file,
      "not a parquet file: it looks like a Git LFS pointer (a small text stub), not the data; fetch the real file (`git lfs pull`, or download it from the hub)",
    );
  }
  const tail = size >= 4 ? new TextDecoder("latin1").decode(new Uint8Array(await buffer.slice(size - 4, size))) : "";
  if (size < MIN_PARQUET_BYTES || !headText.startsWith(PARQUET_MAGIC) || tail !== PARQUET_MAGIC) {
    throw new DatasetFormatError(
      file,
      `not a parquet file: no PAR1 magic at both ends (${size} bytes, starts with ${JSON.stringify(headText.slice(0, 16))})`,
    );
  }
}

function assertColumnsExist(file: string, metadata: FileMetaData, columns: readonly string[]): void {
  const present = parquetSchema(metadata).children.map((child) => child.element.name);
  const missing = columns.filter((name) => !present.includes(name));
  if (missing.length > 0) {
    throw new DatasetFormatError(
      file,
      `no column ${missing.map((name) => JSON.stringify(name)).join(", ")} (columns: ${present.join(", ")})`,
    );
  }
}

function convertRow(row: Record<string, unknown>, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [column, value] of Object.entries(row)) out[column] = convertValue(value, `${where} column ${column}`);
  return out;
}

/**
 * bigint → number (exact or an error), recursing into lists and structs; binary and dates stay as they are.
 * hyparquet gives a null struct as undefined; every missing value becomes null so rows are alike.
 */
function convertValue(value: unknown, where: string): unknown {
  if (value === undefined) return null;
  if (typeof value === "bigint") return safeNumber(value, where);
  if (value instanceof BigInt64Array || value instanceof BigUint64Array)
    return Array.from(value, (item) => safeNumber(item, where));
  if (Array.isArray(value)) return value.map((item) => convertValue(item, where));
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = convertValue(item, `${where}.${key}`);
    return out;
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== "object") return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function safeNumber(value: bigint | number, where: string): number {
  if (typeof value === "number") return value;
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new DatasetFormatError(
      where,
      `INT64 value ${value} is beyond Number.MAX_SAFE_INTEGER and cannot be read exactly as a number`,
    );
  }
  return Number(value);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
