import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { describe, expect, test } from "vitest";
import { detectEngine, engineFromCommand, engineLabel } from "../../src/client/engine.ts";
import { SIM_DIALECT_NAMES, SimServer } from "../../src/sim/index.ts";

const PROFILE = {
  model: "m",
  accuracy: 1,
  unansweredRate: 0,
  reasoning: "none" as const,
  reasoningTokens: 0,
  speed: "instant" as const,
};

/** What each simulated engine says of itself (src/sim/dialects.ts): the version ends "quanteval-simulator". */
const EXPECTED = {
  vllm: { name: "vllm", version: "quanteval-simulator", evidence: "GET /version" },
  sglang: { name: "sglang", version: "0.5.0+quanteval-simulator", evidence: 'owned_by "sglang", GET /get_server_info' },
  lmdeploy: { name: "lmdeploy", evidence: 'owned_by "lmdeploy"' },
  trtllm: { name: "trtllm", version: "1.0.0+quanteval-simulator", evidence: 'owned_by "tensorrt_llm", GET /version' },
  llamacpp: { name: "llamacpp", version: "b6000-quanteval-simulator", evidence: 'owned_by "llamacpp", GET /props' },
} as const;

describe("detectEngine against the simulator's dialects", () => {
  test.each(SIM_DIALECT_NAMES)("%s", async (dialect) => {
    const sim = await SimServer.start({ seed: 0, dialect, variants: [PROFILE], items: [] });
    try {
      const engine = await detectEngine({ baseUrl: sim.baseUrl, model: "m" });
      expect(engine).toEqual({ ...EXPECTED[dialect], source: "server" });
    } finally {
      await sim.close();
    }
  });
});

describe("detectEngine with a serve command's image tag", () => {
  const dockerRun = (image: string) => ["docker", "run", "--rm", "-p", "8000:8000", image, "--port", "8000"];

  test("fills in the version a server keeps back (LMDeploy), and says so", async () => {
    const sim = await SimServer.start({ seed: 0, dialect: "lmdeploy", variants: [PROFILE], items: [] });
    try {
      const serveCommand = dockerRun("openmmlab/lmdeploy:v0.10.1-cu12");
      expect(await detectEngine({ baseUrl: sim.baseUrl, model: "m", serveCommand })).toEqual({
        name: "lmdeploy",
        version: "0.10.1",
        source: "server",
        versionFrom: "image-tag",
        evidence: 'owned_by "lmdeploy"; serve.command image "openmmlab/lmdeploy:v0.10.1-cu12"',
      });
    } finally {
      await sim.close();
    }
  });

  test("never overrides the server's own version, nor another engine's", async () => {
    const sim = await SimServer.start({ seed: 0, dialect: "sglang", variants: [PROFILE], items: [] });
    try {
      for (const image of ["lmsysorg/sglang:v0.4.0-cu124", "openmmlab/lmdeploy:v0.10.1"]) {
        const engine = await detectEngine({ baseUrl: sim.baseUrl, model: "m", serveCommand: dockerRun(image) });
        expect(engine).toEqual({ ...EXPECTED.sglang, source: "server" });
      }
    } finally {
      await sim.close();
    }
  });
});

describe("detectEngine on a server that says nothing", () => {
  test("unknown without a serve command; the command's engine with one", async () => {
    const server = createServer((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    try {
      expect(await detectEngine({ baseUrl, model: "m" })).toBeUndefined();
      const serveCommand = ["lmdeploy", "serve", "api_server", "/models/q", "--server-port", "8000"];
      expect(await detectEngine({ baseUrl, model: "m", serveCommand })).toEqual({
        name: "lmdeploy",
        source: "serve-command",
        evidence: "serve.command",
      });
    } finally {
      server.close();
    }
  });
});

describe("engineFromCommand", () => {
  test.each([
    [["vllm", "serve", "Qwen/Qwen3-32B-FP8", "--port", "8000"], "vllm"],
    [["python", "-m", "vllm.entrypoints.openai.api_server", "--model", "q"], "vllm"],
    [["python", "-m", "sglang.launch_server", "--model-path", "q", "--port", "30000"], "sglang"],
    [["lmdeploy", "serve", "api_server", "q", "--backend", "turbomind"], "lmdeploy"],
    [["trtllm-serve", "nvidia/Qwen3-32B-NVFP4", "--backend", "pytorch"], "trtllm"],
    [["/opt/llama.cpp/build/bin/llama-server", "-m", "q.gguf", "--port", "8080"], "llamacpp"],
    [["node", "bin/quanteval.js", "sim", "--port", "9000", "--dialect", "trtllm"], "trtllm"],
  ])("%j → %s", (command, name) => {
    expect(engineFromCommand(command)?.name).toBe(name);
  });

  test.each([
    [
      ["docker", "run", "--gpus", "all", "-p", "8000:8000", "vllm/vllm-openai:v0.11.0", "--model", "q"],
      "vllm",
      "0.11.0",
    ],
    [["docker", "run", "lmsysorg/sglang:v0.5.3-cu126", "python3", "-m", "sglang.launch_server"], "sglang", "0.5.3"],
    [["podman", "run", "docker.io/lmsysorg/sglang:v0.4.9.post2-cu126"], "sglang", "0.4.9.post2"],
    [
      ["docker", "run", "openmmlab/lmdeploy:v0.10.1-cu12", "lmdeploy", "serve", "api_server", "q"],
      "lmdeploy",
      "0.10.1",
    ],
    [["docker", "run", "nvcr.io/nvidia/tensorrt-llm/release:1.1.0rc2", "trtllm-serve", "q"], "trtllm", "1.1.0rc2"],
    [["docker", "run", "ghcr.io/ggml-org/llama.cpp:server-cuda-b6497", "-m", "q.gguf"], "llamacpp", "b6497"],
    [["docker", "run", "ghcr.io/ggml-org/llama.cpp:server-b5139@sha256:0123abcd", "-m", "q"], "llamacpp", "b5139"],
    [["docker", "run", "localhost:5000/vllm/vllm-openai:v0.10.1.1"], "vllm", "0.10.1.1"],
    [["docker", "run", "harbor.example.com/mirror/vllm/vllm-openai:v0.11.0"], "vllm", "0.11.0"],
  ])("the image in %j → %s %s", (command, name, version) => {
    expect(engineFromCommand(command)).toEqual({
      name,
      version,
      source: "serve-command",
      versionFrom: "image-tag",
      evidence: `serve.command image "${command.find((w) => w.includes(":") && !w.startsWith("8000"))}"`,
    });
  });

  test("floating tags name the engine, not a version", () => {
    for (const image of [
      "vllm/vllm-openai:latest",
      "lmsysorg/sglang:latest",
      "ghcr.io/ggml-org/llama.cpp:server-cuda",
    ]) {
      const engine = engineFromCommand(["docker", "run", image]);
      expect(engine?.version).toBeUndefined();
      expect(engine?.evidence).toBe(`serve.command image "${image}" (no release in the tag)`);
    }
    expect(engineFromCommand(["docker", "run", "openmmlab/lmdeploy"])?.name).toBe("lmdeploy");
  });

  test("an image of another engine than the program it runs: the program's word", () => {
    expect(engineFromCommand(["docker", "run", "vllm/vllm-openai:v0.11.0", "trtllm-serve", "q"])).toEqual({
      name: "trtllm",
      source: "serve-command",
      evidence: "serve.command",
    });
  });

  test("a command naming no engine: undefined", () => {
    expect(engineFromCommand(["python", "serve.py", "--port", "8000"])).toBeUndefined();
    expect(engineFromCommand(["echo", "vllm"])).toBeUndefined();
  });

  test("labels as reports print them", () => {
    expect(engineLabel({ name: "trtllm", version: "1.0.0" })).toBe("TensorRT-LLM 1.0.0");
    expect(engineLabel({ name: "lmdeploy" })).toBe("LMDeploy (version not stated)");
  });
});
