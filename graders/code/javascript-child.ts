/**
 * Child process that runs JavaScript programs in isolated-vm for javascript-slot.ts, one test at a time. It
 * exists because isolated-vm's memory limit is not hard: some allocation patterns (a Map grown past the limit)
 * end in V8's fatal out-of-memory error, which aborts the whole process it happens in. Here, that is this child.
 */
import { JavaScriptProgram } from "./javascript.ts";
import type { JavaScriptChildReply, JavaScriptChildRequest } from "./javascript-protocol.ts";

/** The program of the run in progress, kept across its tests (one isolate per program run). */
let current: { key: string; program: JavaScriptProgram } | undefined;

function programFor(request: Extract<JavaScriptChildRequest, { type: "test" }>): JavaScriptProgram {
  const key = JSON.stringify([request.code, request.limits]);
  if (current?.key !== key) {
    current?.program.dispose();
    current = { key, program: new JavaScriptProgram(request.code, request.limits) };
  }
  return current.program;
}

function send(reply: JavaScriptChildReply): void {
  process.send?.(reply);
}

process.on("message", (request: JavaScriptChildRequest) => {
  if (request.type === "release") {
    current?.program.dispose();
    current = undefined;
    return;
  }
  programFor(request)
    .runTest(request.test, request.funcName)
    .then(
      (outcome) => send({ type: "result", id: request.id, outcome }),
      (error: unknown) =>
        send({ type: "error", id: request.id, message: error instanceof Error ? error.message : String(error) }),
    );
});

send({ type: "ready" });
