import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DatasetFormatError } from "../../src/core/errors.ts";
import { decodeLcbTests } from "../../src/datasets/livecodebench-tests.ts";
import { describeOpcode, unpickleString } from "../../src/datasets/pickle.ts";
import { type PickleLayout, pickleString, type StringOpcode } from "../fixtures/pickle-writer.ts";

const PICKLES = join(import.meta.dirname, "..", "fixtures", "pickle");
const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, "hex"));

function rejectionOf(bytes: Uint8Array): DatasetFormatError {
  try {
    unpickleString(bytes, "blob");
  } catch (error) {
    expect(error).toBeInstanceOf(DatasetFormatError);
    return error as DatasetFormatError;
  }
  throw new Error("the pickle was accepted");
}

/** Bytes CPython 3.11 wrote for `pickle.dumps("héllo ☃", protocol=N)` (and a few other strings). */
const CPYTHON = {
  protocol4: "8004950e000000000000008c0a68c3a96c6c6f20e29883942e",
  protocol5: "8005950e000000000000008c0a68c3a96c6c6f20e29883942e",
  protocol3: "8003580a00000068c3a96c6c6f20e2988371002e",
  protocol2: "8002580a00000068c3a96c6c6f20e2988371002e",
  empty4: "80049504000000000000008c00942e",
  /** "é" * 150 (300 bytes): FRAME + BINUNICODE. */
  accents4: `8004953301000000000000582c010000${"c3a9".repeat(150)}942e`,
};

describe("unpickleString: what CPython writes", () => {
  it("reads protocols 2 to 5, whose memo opcode is BINPUT (2, 3) or MEMOIZE (4, 5)", () => {
    for (const bytes of [CPYTHON.protocol2, CPYTHON.protocol3, CPYTHON.protocol4, CPYTHON.protocol5]) {
      expect(unpickleString(hex(bytes))).toBe("héllo ☃");
    }
    expect(unpickleString(hex(CPYTHON.empty4))).toBe("");
    expect(unpickleString(hex(CPYTHON.accents4))).toBe("é".repeat(150));
  });

  it("reads a string of 64 KiB or more, which CPython writes as BINUNICODE without a FRAME", () => {
    const text = "y".repeat(70_000);
    const bytes = pickleString(text);
    // CPython: 80 04 58 <70000 LE> ... 94 2e, 70009 bytes in all.
    expect(Buffer.from(bytes.subarray(0, 8)).toString("hex")).toBe("8004587011010079");
    expect(Buffer.from(bytes.subarray(-4)).toString("hex")).toBe("7979942e");
    expect(bytes.length).toBe(70_009);
    expect(unpickleString(bytes)).toBe(text);
  });

  it("the fixture writer reproduces CPython byte for byte", () => {
    expect(Buffer.from(pickleString("héllo ☃")).toString("hex")).toBe(CPYTHON.protocol4);
    expect(
      Buffer.from(
        pickleString("héllo ☃", { protocol: 2, frame: false, opcode: "BINUNICODE", memo: "BINPUT" }),
      ).toString("hex"),
    ).toBe(CPYTHON.protocol2);
    expect(Buffer.from(pickleString("")).toString("hex")).toBe(CPYTHON.empty4);
    expect(Buffer.from(pickleString("é".repeat(150))).toString("hex")).toBe(CPYTHON.accents4);
  });
});

describe("unpickleString: every accepted layout", () => {
  const opcodes: StringOpcode[] = ["SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8"];
  const layouts: PickleLayout[] = opcodes.flatMap((opcode) =>
    [true, false].flatMap((frame) =>
      (["MEMOIZE", "none"] as const).map((memo): PickleLayout => ({ protocol: 4, opcode, frame, memo })),
    ),
  );

  it.each(
    layouts.map((layout) => [`${layout.frame ? "FRAME + " : ""}${layout.opcode} + ${layout.memo}`, layout] as const),
  )("%s", (_name, layout) => {
    const text = '[{"input": "1 2\\n", "output": "3\\n", "testtype": "stdin"}]';
    expect(unpickleString(pickleString(text, layout))).toBe(text);
  });

  it("keeps a BOM and NUL characters: the string is returned exactly", () => {
    expect(unpickleString(pickleString("\ufeffa\u0000b"))).toBe("\ufeffa\u0000b");
  });

  it("reads from a Uint8Array view that does not start at offset 0 of its buffer", () => {
    const inner = pickleString("offset view", { frame: false, opcode: "BINUNICODE8" });
    const outer = new Uint8Array(inner.length + 7);
    outer.set(inner, 5);
    expect(unpickleString(outer.subarray(5, 5 + inner.length))).toBe("offset view");
  });
});

describe("unpickleString: hostile and broken pickles from test/fixtures/pickle", () => {
  const cases: [file: string, message: RegExp][] = [
    [
      "global-os-system-reduce.bin",
      /blob: pickle opcode 0x63 \(GLOBAL\) at byte 2 is not allowed: only a single string is accepted/,
    ],
    ["stack-global-first.bin", /pickle opcode 0x93 \(STACK_GLOBAL\) at byte 2 is not allowed/],
    // CPython's protocol-4 os.system pickle: the first string is fine, the second (before STACK_GLOBAL) is not.
    [
      "stack-global-os-system.bin",
      /pickle opcode 0x8c \(SHORT_BINUNICODE\) at byte 16 is not allowed: only a single string is accepted/,
    ],
    ["truncated.bin", /pickle BINUNICODE at byte 2 claims 300 bytes, but only 53 remain/],
    [
      "lying-length-binunicode8.bin",
      /pickle BINUNICODE8 at byte 2 claims 9223372036854775807 bytes, but only 5 remain/,
    ],
    ["lying-length-binunicode.bin", /pickle BINUNICODE at byte 2 claims 4294967295 bytes, but only 5 remain/],
    ["lying-frame.bin", /pickle FRAME at byte 2 says 18446744073709551615 bytes follow, but 5 do/],
    ["trailing-after-stop.bin", /pickle has 11 byte\(s\) after STOP at byte 7; nothing may follow STOP/],
    ["invalid-utf8.bin", /pickle string at byte 2 is not valid UTF-8/],
  ];

  it.each(cases)("%s", (file, message) => {
    const error = rejectionOf(new Uint8Array(readFileSync(join(PICKLES, file))));
    expect(error.message).toMatch(message);
    expect(error.code).toBe("E_DATASET_FORMAT");
  });
});

describe("unpickleString: opcodes that build or call things are refused by name", () => {
  const refused: [opcode: number, name: string][] = [
    [0x63, "GLOBAL"],
    [0x93, "STACK_GLOBAL"],
    [0x52, "REDUCE"],
    [0x62, "BUILD"],
    [0x69, "INST"],
    [0x6f, "OBJ"],
    [0x81, "NEWOBJ"],
    [0x92, "NEWOBJ_EX"],
    [0x51, "BINPERSID"],
    [0x82, "EXT1"],
    [0x28, "MARK"],
    [0x5d, "EMPTY_LIST"],
    [0x4e, "NONE"],
    [0x55, "SHORT_BINSTRING"],
    [0x56, "UNICODE"],
    [0xff, "unknown opcode"],
  ];

  it.each(refused)("0x%s (%s) where the string should be", (opcode, name) => {
    const error = rejectionOf(new Uint8Array([0x80, 0x04, opcode, 0x2e]));
    expect(error.message).toContain(`pickle opcode ${describeOpcode(opcode)} at byte 2 is not allowed`);
    expect(describeOpcode(opcode)).toContain(`(${name})`);
  });

  it("refuses REDUCE after the string, where only MEMOIZE or STOP may come", () => {
    const body = pickleString("x", { frame: false, memo: "none" });
    const withReduce = new Uint8Array([...body.subarray(0, -1), 0x52, 0x2e]);
    expect(rejectionOf(withReduce).message).toContain("pickle opcode 0x52 (REDUCE) at byte 5 is not allowed");
  });

  it("needs PROTO 2..5 first", () => {
    expect(rejectionOf(new Uint8Array(Buffer.from("cos\nsystem\n.", "latin1"))).message).toContain(
      "pickle opcode 0x63 (GLOBAL) at byte 0 is not allowed: a pickle must start with PROTO",
    );
    expect(rejectionOf(hex("8001580100000061942e")).message).toContain("pickle protocol 1 at byte 1 is not supported");
    expect(rejectionOf(hex("8006580100000061942e")).message).toContain("pickle protocol 6 at byte 1 is not supported");
  });

  it("names truncation at every point", () => {
    expect(rejectionOf(new Uint8Array()).message).toContain("pickle is truncated: expected PROTO at byte 0");
    expect(rejectionOf(hex("80")).message).toContain("the PROTO protocol number at byte 1 needs 1 bytes, but 0 remain");
    expect(rejectionOf(hex("8004")).message).toContain("expected a string opcode at byte 2");
    expect(rejectionOf(hex("8004950100")).message).toContain("the FRAME length at byte 3 needs 8 bytes, but 2 remain");
    expect(rejectionOf(hex("800458010000")).message).toContain("the BINUNICODE length at byte 3 needs 4 bytes");
    expect(rejectionOf(hex("80048c0161")).message).toContain("expected STOP at byte 5");
    expect(rejectionOf(hex("80048c016171")).message).toContain(
      "pickle BINPUT at byte 5 claims 1 bytes, but only 0 remain",
    );
  });
});

describe("unpickleString: properties", () => {
  const isFormatError = (error: unknown): boolean => error instanceof DatasetFormatError;

  it("any bytes either decode to a string or throw DatasetFormatError, never anything else", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          expect(typeof unpickleString(bytes)).toBe("string");
        } catch (error) {
          if (!isFormatError(error)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("the same holds for random bytes after a valid PROTO, FRAME and opcode prefix", () => {
    const prefixes = [
      [0x80, 0x04],
      [0x80, 0x04, 0x95],
      [0x80, 0x04, 0x8c],
      [0x80, 0x04, 0x58],
      [0x80, 0x04, 0x8d],
      [0x80, 0x02, 0x58, 0x01, 0, 0, 0, 0x61],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...prefixes), fc.uint8Array({ maxLength: 40 }), (prefix, rest) => {
        try {
          unpickleString(new Uint8Array([...prefix, ...rest]));
        } catch (error) {
          if (!isFormatError(error)) throw error;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("every well-formed string round-trips through every layout", () => {
    const layout = fc.record({
      protocol: fc.integer({ min: 2, max: 5 }),
      frame: fc.boolean(),
      opcode: fc.constantFrom<StringOpcode>("BINUNICODE", "BINUNICODE8", "SHORT_BINUNICODE"),
      memo: fc.constantFrom("MEMOIZE" as const, "BINPUT" as const, "none" as const),
    });
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 80 }), layout, (text, chosen) => {
        fc.pre(text.isWellFormed());
        fc.pre(chosen.opcode !== "SHORT_BINUNICODE" || Buffer.byteLength(text) <= 255);
        expect(unpickleString(pickleString(text, chosen))).toBe(text);
      }),
    );
  });

  it("decodeLcbTests turns any string into tests or a DatasetFormatError", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.base64String(), fc.json()), (field) => {
        try {
          expect(Array.isArray(decodeLcbTests(field, "row"))).toBe(true);
        } catch (error) {
          if (!isFormatError(error)) throw error;
        }
      }),
      { numRuns: 1000 },
    );
  });
});
