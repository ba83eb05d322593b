/** Messages between the JavaScript pool (javascript-slot.ts) and its child processes (javascript-child.ts). */
import type { CodeTest, RunLimits, TestOutcome } from "./types.ts";

export type JavaScriptChildRequest =
  | { type: "test"; id: number; code: string; limits: RunLimits; test: CodeTest; funcName: string | undefined }
  /** The run is over: its isolate can go. */
  | { type: "release" };

export type JavaScriptChildReply =
  | { type: "ready" }
  | { type: "result"; id: number; outcome: TestOutcome }
  /** The test could not be run at all (a grading setup error, such as a function name that is not an identifier). */
  | { type: "error"; id: number; message: string };
