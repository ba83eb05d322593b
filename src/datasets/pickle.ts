/**
 * A restricted reader for Python pickles that hold exactly one `str`, as LiveCodeBench stores its private
 * tests. It is a grammar check, not a pickle VM: it never imports, calls or builds anything. Accepted:
 *
 *   PROTO(2..5) [FRAME len] (SHORT_BINUNICODE | BINUNICODE | BINUNICODE8) [MEMOIZE | BINPUT | LONG_BINPUT] STOP
 *
 * and nothing after STOP. (BINPUT / LONG_BINPUT are what protocols 2 and 3 write where 4+ write MEMOIZE; like
 * MEMOIZE they only store the string in the memo.) Every other opcode, a truncated pickle, a length running
 * past the end and invalid UTF-8 throw DatasetFormatError naming the opcode and byte offset. Lengths are
 * checked against the bytes actually present before anything is read, so a lying length allocates nothing.
 */
import { DatasetFormatError } from "../core/errors.ts";

const OP = {
  PROTO: 0x80,
  FRAME: 0x95,
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE: 0x58,
  BINUNICODE8: 0x8d,
  MEMOIZE: 0x94,
  BINPUT: 0x71,
  LONG_BINPUT: 0x72,
  STOP: 0x2e,
} as const;

const MIN_PROTOCOL = 2;
const MAX_PROTOCOL = 5;

/** Names of all pickle opcodes (protocols 0–5), so an error says what a rejected byte means. */
const OPCODE_NAMES: ReadonlyMap<number, string> = new Map([
  [0x28, "MARK"],
  [0x2e, "STOP"],
  [0x30, "POP"],
  [0x31, "POP_MARK"],
  [0x32, "DUP"],
  [0x46, "FLOAT"],
  [0x49, "INT"],
  [0x4a, "BININT"],
  [0x4b, "BININT1"],
  [0x4c, "LONG"],
  [0x4d, "BININT2"],
  [0x4e, "NONE"],
  [0x50, "PERSID"],
  [0x51, "BINPERSID"],
  [0x52, "REDUCE"],
  [0x53, "STRING"],
  [0x54, "BINSTRING"],
  [0x55, "SHORT_BINSTRING"],
  [0x56, "UNICODE"],
  [0x58, "BINUNICODE"],
  [0x61, "APPEND"],
  [0x62, "BUILD"],
  [0x63, "GLOBAL"],
  [0x64, "DICT"],
  [0x7d, "EMPTY_DICT"],
  [0x65, "APPENDS"],
  [0x67, "GET"],
  [0x68, "BINGET"],
  [0x69, "INST"],
  [0x6a, "LONG_BINGET"],
  [0x6c, "LIST"],
  [0x5d, "EMPTY_LIST"],
  [0x6f, "OBJ"],
  [0x70, "PUT"],
  [0x71, "BINPUT"],
  [0x72, "LONG_BINPUT"],
  [0x73, "SETITEM"],
  [0x74, "TUPLE"],
  [0x29, "EMPTY_TUPLE"],
  [0x75, "SETITEMS"],
  [0x47, "BINFLOAT"],
  [0x80, "PROTO"],
  [0x81, "NEWOBJ"],
  [0x82, "EXT1"],
  [0x83, "EXT2"],
  [0x84, "EXT4"],
  [0x85, "TUPLE1"],
  [0x86, "TUPLE2"],
  [0x87, "TUPLE3"],
  [0x88, "NEWTRUE"],
  [0x89, "NEWFALSE"],
  [0x8a, "LONG1"],
  [0x8b, "LONG4"],
  [0x42, "BINBYTES"],
  [0x43, "SHORT_BINBYTES"],
  [0x8c, "SHORT_BINUNICODE"],
  [0x8d, "BINUNICODE8"],
  [0x8e, "BINBYTES8"],
  [0x8f, "EMPTY_SET"],
  [0x90, "ADDITEMS"],
  [0x91, "FROZENSET"],
  [0x92, "NEWOBJ_EX"],
  [0x93, "STACK_GLOBAL"],
  [0x94, "MEMOIZE"],
  [0x95, "FRAME"],
  [0x96, "BYTEARRAY8"],
  [0x97, "NEXT_BUFFER"],
  [0x98, "READONLY_BUFFER"],
]);

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The one string a LiveCodeBench-style pickle holds. `where` prefixes error messages (e.g. a file and row). */
export function unpickleString(bytes: Uint8Array, where = "pickle"): string {
  const reader = new PickleReader(bytes, where);
  reader.expectProto();
  reader.skipFrame();
  const text = reader.readString();
  reader.skipMemoize();
  reader.expectStopAtEnd();
  return text;
}

/** Human name of an opcode byte, e.g. `0x63 (GLOBAL)`. */
export function describeOpcode(opcode: number): string {
  return `0x${opcode.toString(16).padStart(2, "0")} (${OPCODE_NAMES.get(opcode) ?? "unknown opcode"})`;
}

class PickleReader {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #where: string;
  #at = 0;

  constructor(bytes: Uint8Array, where: string) {
    this.#bytes = bytes;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.#where = where;
  }

  expectProto(): void {
    const at = this.#at;
    const opcode = this.#opcode("PROTO");
    if (opcode !== OP.PROTO) this.#reject(opcode, at, "a pickle must start with PROTO");
    const protocol = this.#uint8("the PROTO protocol number");
    if (protocol < MIN_PROTOCOL || protocol > MAX_PROTOCOL) {
      this.#fail(
        `pickle protocol ${protocol} at byte ${at + 1} is not supported (only ${MIN_PROTOCOL}–${MAX_PROTOCOL})`,
      );
    }
  }

  /** An optional FRAME, whose length must be exactly the rest of the pickle (one string is one frame). */
  skipFrame(): void {
    if (this.#peek() !== OP.FRAME) return;
    const at = this.#at;
    this.#at += 1;
    const length = this.#uint64("the FRAME length");
    const rest = BigInt(this.#bytes.length - this.#at);
    if (length !== rest) this.#fail(`pickle FRAME at byte ${at} says ${length} bytes follow, but ${rest} do`);
  }

  readString(): string {
    const at = this.#at;
    const opcode = this.#opcode("a string opcode");
    let length: number;
    if (opcode === OP.SHORT_BINUNICODE) length = this.#uint8("the SHORT_BINUNICODE length");
    else if (opcode === OP.BINUNICODE) length = this.#uint32("the BINUNICODE length");
    else if (opcode === OP.BINUNICODE8) length = this.#boundedLength(this.#uint64("the BINUNICODE8 length"), at);
    else return this.#reject(opcode, at, "only a single string is accepted");
    const payload = this.#take(length, at, OPCODE_NAMES.get(opcode) ?? "string");
    try {
      return utf8.decode(payload);
    } catch (error) {
      this.#fail(`pickle string at byte ${at} is not valid UTF-8`, error);
    }
  }

  /** The memo store that follows a string: MEMOIZE (protocol 4+) or BINPUT / LONG_BINPUT (protocols 2–3). */
  skipMemoize(): void {
    const opcode = this.#peek();
    if (opcode === OP.MEMOIZE) this.#at += 1;
    else if (opcode === OP.BINPUT) this.#skipArgument(1, "BINPUT");
    else if (opcode === OP.LONG_BINPUT) this.#skipArgument(4, "LONG_BINPUT");
  }

  expectStopAtEnd(): void {
    const at = this.#at;
    const opcode = this.#opcode("STOP");
    if (opcode !== OP.STOP) this.#reject(opcode, at, "only a single string is accepted");
    if (this.#at !== this.#bytes.length) {
      this.#fail(
        `pickle has ${this.#bytes.length - this.#at} byte(s) after STOP at byte ${at}; nothing may follow STOP`,
      );
    }
  }

  #peek(): number | undefined {
    return this.#bytes[this.#at];
  }

  #opcode(expected: string): number {
    const opcode = this.#bytes[this.#at];
    if (opcode === undefined)
      this.#fail(`pickle is truncated: expected ${expected} at byte ${this.#at}, but the data ends`);
    this.#at += 1;
    return opcode;
  }

  #skipArgument(size: number, name: string): void {
    const at = this.#at;
    this.#at += 1;
    this.#take(size, at, name);
  }

  #uint8(what: string): number {
    this.#need(1, what);
    const value = this.#view.getUint8(this.#at);
    this.#at += 1;
    return value;
  }

  #uint32(what: string): number {
    this.#need(4, what);
    const value = this.#view.getUint32(this.#at, true);
    this.#at += 4;
    return value;
  }

  #uint64(what: string): bigint {
    this.#need(8, what);
    const value = this.#view.getBigUint64(this.#at, true);
    this.#at += 8;
    return value;
  }

  /** A 64-bit length as a number, refused before any read when it exceeds what is present. */
  #boundedLength(length: bigint, opcodeAt: number): number {
    const rest = this.#bytes.length - this.#at;
    if (length > BigInt(rest))
      this.#fail(`pickle BINUNICODE8 at byte ${opcodeAt} claims ${length} bytes, but only ${rest} remain`);
    return Number(length);
  }

  #take(length: number, opcodeAt: number, name: string): Uint8Array {
    const rest = this.#bytes.length - this.#at;
    if (length > rest) this.#fail(`pickle ${name} at byte ${opcodeAt} claims ${length} bytes, but only ${rest} remain`);
    const slice = this.#bytes.subarray(this.#at, this.#at + length);
    this.#at += length;
    return slice;
  }

  #need(size: number, what: string): void {
    if (this.#bytes.length - this.#at < size) {
      this.#fail(
        `pickle is truncated: ${what} at byte ${this.#at} needs ${size} bytes, but ${this.#bytes.length - this.#at} remain`,
      );
    }
  }

  #reject(opcode: number, at: number, why: string): never {
    this.#fail(`pickle opcode ${describeOpcode(opcode)} at byte ${at} is not allowed: ${why}`);
  }

  #fail(detail: string, cause?: unknown): never {
    throw new DatasetFormatError(this.#where, detail, cause === undefined ? undefined : { cause });
  }
}
