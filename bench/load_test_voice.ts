/**
 * A load-test voice: an ONNX network with a real Piper voice's interface and the compute of its
 * synthesis network, but random weights (it makes noise, not speech). The benchmark uses it to
 * set the worker against a realistic floor, because no real Piper weights can be obtained on the
 * project's machines and the tiny test voices cost next to nothing to run.
 *
 * What it computes, per Piper's default (low and medium quality) VITS hyper-parameters:
 *
 * - front end: phoneme embedding (256 x 192); every id lasts `max(1, round(2 * length_scale))`
 *   frames of 256 samples (with Piper's pad id between phonemes that is about 150 words a
 *   minute); the text encoder's transformer and the duration predictor are left out;
 * - flow: 4 inverse mean-only coupling layers on 192 channels, each a WaveNet of 4 gated layers
 *   (kernel 5, 192 hidden channels), with the channel flip between them;
 * - decoder: the HiFi-GAN generator Piper trains by default: `conv_pre` 192 -> 256 (kernel 7),
 *   transposed-convolution upsampling by 8, 8, 4 (kernels 16, 16, 8) to 128, 64, 32 channels, after
 *   each a mean of three type-2 residual blocks (kernels 3, 5, 7; dilations (1, 2), (2, 6),
 *   (3, 12)), then `conv_post` 32 -> 1 (kernel 7) and tanh.
 *
 * So the decoder and the flow, which make most of a VITS voice's cost, are there at full size
 * ({@linkcode loadTestMacsPerSecond} counts them); what is left out makes a real voice slower,
 * not faster, so the worker's overhead measured against this floor is if anything overstated.
 * The weights come from a seeded generator, so the file is the same on every run; it is written
 * on demand (`ensureLoadTestVoice`) and never committed. Variants with other seeds (other ids)
 * let the benchmark measure memory as the number of resident voices grows.
 *
 * @module
 */
import onnxProto from "onnx-proto";
import { seededRandom } from "../tests/support/seeded_random.ts";

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;

/** Model id of the load-test voice. */
export const LOAD_TEST_VOICE_ID = "en_US-loadtest-low";
/** Its sample rate (Piper `low` quality). */
export const LOAD_TEST_SAMPLE_RATE = 16000;
/** Samples per frame (product of the upsampling rates). */
export const LOAD_TEST_HOP = 256;
/** Frames per phoneme id at `length_scale` 1. */
export const LOAD_TEST_FRAMES_PER_ID = 2;

const EMBEDDING = 192;
const FLOWS = 4;
const WAVENET_LAYERS = 4;
const WAVENET_KERNEL = 5;
const INITIAL_CHANNELS = 256;
const UPSAMPLE_RATES = [8, 8, 4] as const;
const UPSAMPLE_KERNELS = [16, 16, 8] as const;
const RESBLOCK_KERNELS = [3, 5, 7] as const;
const RESBLOCK_DILATIONS = [[1, 2], [2, 6], [3, 12]] as const;
const SEED = 0x7a11c0de;

/**
 * Multiply-accumulates per second of audio of the load-test network (convolutions only; the
 * element-wise operations are not counted).
 */
export function loadTestMacsPerSecond(): number {
  const frames = LOAD_TEST_SAMPLE_RATE / LOAD_TEST_HOP;
  const half = EMBEDDING / 2;
  let macs = 0;
  // Flow: pre 1x1, gated WaveNet layers (in-layer kernel 5 to 2x hidden, res/skip 1x1), post 1x1.
  for (let f = 0; f < FLOWS; f++) {
    macs += frames * half * EMBEDDING;
    for (let l = 0; l < WAVENET_LAYERS; l++) {
      macs += frames * EMBEDDING * 2 * EMBEDDING * WAVENET_KERNEL;
      const out = l < WAVENET_LAYERS - 1 ? 2 * EMBEDDING : EMBEDDING;
      macs += frames * EMBEDDING * out;
    }
    macs += frames * EMBEDDING * half;
  }
  // Decoder.
  macs += frames * EMBEDDING * INITIAL_CHANNELS * 7;
  let rate = frames;
  let channels = INITIAL_CHANNELS;
  UPSAMPLE_RATES.forEach((up, i) => {
    const next = channels / 2;
    rate *= up;
    macs += rate * next * channels * (UPSAMPLE_KERNELS[i] / up);
    for (const kernel of RESBLOCK_KERNELS) macs += 2 * rate * next * next * kernel;
    channels = next;
  });
  macs += rate * channels * 7;
  return macs;
}

type Tensor = onnxProto.onnx.ITensorProto;
type Node = onnxProto.onnx.INodeProto;
type Attribute = onnxProto.onnx.IAttributeProto;

function ints(name: string, values: number[]): Tensor {
  return { name, dims: [values.length], dataType: DataType.INT64, int64Data: values };
}

function scalar(name: string, value: number, type: "float" | "int64"): Tensor {
  return type === "float"
    ? { name, dims: [], dataType: DataType.FLOAT, floatData: [value] }
    : { name, dims: [], dataType: DataType.INT64, int64Data: [value] };
}

function intAttr(name: string, value: number): Attribute {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

function intsAttr(name: string, values: number[]): Attribute {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: values };
}

function floatAttr(name: string, value: number): Attribute {
  return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value };
}

/**
 * Precision of the load-test network's weights and activations. `fp16` keeps Piper's interface
 * (int64 ids, float32 `scales` and `output`): the embedded sequence and every weight are float16,
 * and the audio is cast to float32 at the end.
 */
export type LoadTestPrecision = "fp32" | "fp16";

/** Builds the graph node by node, naming intermediate values uniquely. */
class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers: Tensor[] = [];
  readonly precision: LoadTestPrecision;
  readonly #random: () => number;
  #count = 0;

  constructor(seed: number, precision: LoadTestPrecision) {
    this.#random = seededRandom(seed);
    this.precision = precision;
  }

  /** Raw bytes and data type of float values in the network's precision. */
  #floats(values: Float32Array): Pick<Tensor, "dataType" | "rawData"> {
    if (this.precision === "fp32") {
      return { dataType: DataType.FLOAT, rawData: new Uint8Array(values.buffer) };
    }
    const half = Float16Array.from(values);
    return { dataType: DataType.FLOAT16, rawData: new Uint8Array(half.buffer) };
  }

  /** A scalar float constant in the network's precision. */
  floatScalar(prefix: string, value: number): string {
    return this.constant({
      name: this.name(prefix),
      dims: [],
      ...this.#floats(Float32Array.of(value)),
    });
  }

  name(prefix: string): string {
    return `${prefix}_${this.#count++}`;
  }

  op(opType: string, inputs: string[], attributes: Attribute[] = [], output?: string): string {
    const out = output ?? this.name(opType.toLowerCase());
    this.nodes.push({ opType, input: inputs, output: [out], name: out, attribute: attributes });
    return out;
  }

  constant(tensor: Tensor): string {
    this.initializers.push(tensor);
    return tensor.name!;
  }

  /** A float weight of `dims`, uniform in +-`scale` * sqrt(3 / fanIn). */
  weight(prefix: string, dims: number[], fanIn: number, scale = 1): string {
    const count = dims.reduce((a, b) => a * b, 1);
    const values = new Float32Array(count);
    const bound = scale * Math.sqrt(3 / fanIn);
    for (let i = 0; i < count; i++) values[i] = (this.#random() * 2 - 1) * bound;
    const name = this.name(prefix);
    this.initializers.push({ name, dims, ...this.#floats(values) });
    return name;
  }

  /** 1-D convolution `[1, cin, L] -> [1, cout, L]` ("same" padding), with bias. */
  conv(x: string, cin: number, cout: number, kernel: number, dilation = 1, bias = true): string {
    const w = this.weight("conv_w", [cout, cin, kernel], cin * kernel);
    const pad = (dilation * (kernel - 1)) / 2;
    const inputs = bias ? [x, w, this.weight("conv_b", [cout], cin * kernel, 0.1)] : [x, w];
    return this.op("Conv", inputs, [
      intsAttr("kernel_shape", [kernel]),
      intsAttr("dilations", [dilation]),
      intsAttr("pads", [pad, pad]),
    ]);
  }

  /** Transposed 1-D convolution upsampling by `rate` (HiFi-GAN padding). */
  upsample(x: string, cin: number, cout: number, kernel: number, rate: number): string {
    const w = this.weight("up_w", [cin, cout, kernel], cin * (kernel / rate));
    const b = this.weight("up_b", [cout], cin, 0.1);
    const pad = (kernel - rate) / 2;
    return this.op("ConvTranspose", [x, w, b], [
      intsAttr("kernel_shape", [kernel]),
      intsAttr("strides", [rate]),
      intsAttr("pads", [pad, pad]),
    ]);
  }

  leakyRelu(x: string, alpha: number): string {
    return this.op("LeakyRelu", [x], [floatAttr("alpha", alpha)]);
  }

  /** Slice of channels `[start, end)` of a `[1, C, L]` value. */
  channels(x: string, start: number, end: number): string {
    const s = this.constant(ints(this.name("start"), [start]));
    const e = this.constant(ints(this.name("end"), [end]));
    const axis = this.constant(ints(this.name("axis"), [1]));
    return this.op("Slice", [x, s, e, axis]);
  }
}

/** One inverse mean-only coupling layer: `x1 -= WaveNet(x0)`, then the channels flip. */
function couplingLayer(g: GraphBuilder, x: string): string {
  const half = EMBEDDING / 2;
  const x0 = g.channels(x, 0, half);
  const x1 = g.channels(x, half, EMBEDDING);
  let h = g.conv(x0, half, EMBEDDING, 1);
  let skip: string | undefined;
  for (let l = 0; l < WAVENET_LAYERS; l++) {
    const inner = g.conv(h, EMBEDDING, 2 * EMBEDDING, WAVENET_KERNEL);
    const gate = g.op("Mul", [
      g.op("Tanh", [g.channels(inner, 0, EMBEDDING)]),
      g.op("Sigmoid", [g.channels(inner, EMBEDDING, 2 * EMBEDDING)]),
    ]);
    const last = l === WAVENET_LAYERS - 1;
    const resSkip = g.conv(gate, EMBEDDING, last ? EMBEDDING : 2 * EMBEDDING, 1);
    const skipPart = last ? resSkip : g.channels(resSkip, EMBEDDING, 2 * EMBEDDING);
    if (!last) h = g.op("Add", [h, g.channels(resSkip, 0, EMBEDDING)]);
    skip = skip === undefined ? skipPart : g.op("Add", [skip, skipPart]);
  }
  const mean = g.conv(skip!, EMBEDDING, half, 1);
  const shifted = g.op("Sub", [x1, mean]);
  const joined = g.op("Concat", [x0, shifted], [intAttr("axis", 1)]);
  const reversed = g.constant(
    ints(g.name("flip"), Array.from({ length: EMBEDDING }, (_, i) => EMBEDDING - 1 - i)),
  );
  return g.op("Gather", [joined, reversed], [intAttr("axis", 1)]);
}

/** A type-2 residual block: per dilation, `x += conv(leaky_relu(x))`. */
function residualBlock(
  g: GraphBuilder,
  x: string,
  channels: number,
  kernel: number,
  dilations: readonly number[],
): string {
  for (const dilation of dilations) {
    x = g.op("Add", [g.conv(g.leakyRelu(x, 0.1), channels, channels, kernel, dilation), x]);
  }
  return x;
}

/**
 * Id of load-test voice number `variant`: 0 is {@linkcode LOAD_TEST_VOICE_ID}, then
 * `en_US-loadtest2-low`, `en_US-loadtest3-low`, ... (same network, other weights), for measuring
 * memory as resident voices grow.
 */
export function loadTestVoiceId(variant: number): string {
  return variant === 0 ? LOAD_TEST_VOICE_ID : `en_US-loadtest${variant + 1}-low`;
}

/** Id of the float16 load-test voice: variant 0's weights, rounded to float16. */
export const LOAD_TEST_FP16_VOICE_ID = "en_US-loadtestfp16-low";

/**
 * Builds the ONNX model bytes of load-test voice number `variant` (see `loadTestVoiceId`), in
 * float32 or float16 (same seed, so the float16 weights are the float32 ones rounded).
 */
export function buildLoadTestModel(variant = 0, precision: LoadTestPrecision = "fp32"): Uint8Array {
  const g = new GraphBuilder(SEED + variant, precision);
  // Front end: the first input_lengths[0] ids, embedded, each held for F frames.
  const zero = g.constant(ints("zero_1d", [0]));
  const axis1 = g.constant(ints("axis1_1d", [1]));
  const ids2d = g.op("Slice", ["input", zero, "input_lengths", axis1]);
  const ids = g.op("Reshape", [ids2d, g.constant(ints("flat", [-1]))]);
  const table = g.weight("embedding", [256, EMBEDDING], 1);
  const embedded = g.op("Gather", [table, ids]); // [T, 192]
  const lengthScale = g.op("Gather", ["scales", g.constant(scalar("one_i", 1, "int64"))]);
  const framesRaw = g.op("Mul", [
    lengthScale,
    g.constant(scalar("frames_per_id", LOAD_TEST_FRAMES_PER_ID, "float")),
  ]);
  const framesF = g.op("Max", [
    g.op("Round", [framesRaw]),
    g.constant(scalar("one_f", 1, "float")),
  ]);
  const frames1d = g.op("Reshape", [
    g.op("Cast", [framesF], [intAttr("to", DataType.INT64)]),
    g.constant(ints("one_shape", [1])),
  ]);
  const count = g.op("Shape", [ids]);
  const held = g.op("Expand", [
    g.op("Unsqueeze", [embedded, g.constant(ints("unsq_axes", [1]))]), // [T, 1, 192]
    g.op("Concat", [count, frames1d, g.constant(ints("emb_dim", [EMBEDDING]))], [
      intAttr("axis", 0),
    ]),
  ]); // [T, F, 192]
  const sequence = g.op("Reshape", [held, g.constant(ints("seq_shape", [1, -1, EMBEDDING]))]);
  let x = g.op("Transpose", [sequence], [intsAttr("perm", [0, 2, 1])]); // [1, 192, T*F]

  for (let f = 0; f < FLOWS; f++) x = couplingLayer(g, x);

  x = g.conv(x, EMBEDDING, INITIAL_CHANNELS, 7);
  let channels = INITIAL_CHANNELS;
  UPSAMPLE_RATES.forEach((rate, i) => {
    const next = channels / 2;
    x = g.upsample(g.leakyRelu(x, 0.1), channels, next, UPSAMPLE_KERNELS[i], rate);
    const blocks = RESBLOCK_KERNELS.map((kernel, j) =>
      residualBlock(g, x, next, kernel, RESBLOCK_DILATIONS[j])
    );
    // Pairwise Adds, as a Piper export has them (`xs += resblock(x)`): onnxruntime's WebGPU EP
    // has no Sum kernel and would run a Sum on the CPU, copying three large tensors each way.
    const sum = blocks.slice(1).reduce((total, block) => g.op("Add", [total, block]), blocks[0]);
    x = g.op("Mul", [sum, g.floatScalar("third", 1 / 3)]);
    channels = next;
  });
  x = g.conv(g.leakyRelu(x, 0.01), channels, 1, 7, 1, false);
  let wave = g.op("Mul", [g.op("Tanh", [x]), g.floatScalar("gain", 0.5)]);
  if (precision === "fp16") wave = g.op("Cast", [wave], [intAttr("to", DataType.FLOAT)]);
  g.op("Reshape", [wave, g.constant(ints("out_shape", [1, 1, 1, -1]))], [], "output");

  const dims = (values: (number | string)[]) => ({
    dim: values.map((d) => typeof d === "number" ? { dimValue: d } : { dimParam: d }),
  });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    opsetImport: [{ domain: "", version: 13 }],
    producerName: "tts-worker load_test_voice",
    producerVersion: "1",
    docString: "Load-test voice: Piper's interface and synthesis-network compute, random weights.",
    graph: {
      name: precision === "fp16" ? LOAD_TEST_FP16_VOICE_ID : loadTestVoiceId(variant),
      node: g.nodes,
      initializer: g.initializers,
      input: [
        {
          name: "input",
          type: { tensorType: { elemType: DataType.INT64, shape: dims([1, "n"]) } },
        },
        {
          name: "input_lengths",
          type: { tensorType: { elemType: DataType.INT64, shape: dims([1]) } },
        },
        { name: "scales", type: { tensorType: { elemType: DataType.FLOAT, shape: dims([3]) } } },
      ],
      output: [{
        name: "output",
        type: { tensorType: { elemType: DataType.FLOAT, shape: dims([1, 1, 1, "samples"]) } },
      }],
    },
  });
  return onnx.ModelProto.encode(model).finish();
}

/** The voice's `.onnx.json`: the real lessac-low config with this voice's name. */
export function buildLoadTestConfig(baseConfig: Record<string, unknown>): Record<string, unknown> {
  return {
    ...baseConfig,
    audio: { sample_rate: LOAD_TEST_SAMPLE_RATE, quality: "low" },
    num_speakers: 1,
    speaker_id_map: {},
    dataset: "loadtest",
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes `<id>.onnx` (from `build`) and `<id>.onnx.json` into `dir` unless both are there. */
async function ensureVoiceFiles(
  dir: string,
  id: string,
  baseConfigPath: string,
  build: () => Uint8Array,
): Promise<void> {
  const modelPath = `${dir}/${id}.onnx`;
  const configPath = `${modelPath}.json`;
  if (await exists(modelPath) && await exists(configPath)) return;
  await Deno.mkdir(dir, { recursive: true });
  const baseConfig = JSON.parse(await Deno.readTextFile(baseConfigPath));
  await Deno.writeFile(`${modelPath}.partial`, build());
  await Deno.rename(`${modelPath}.partial`, modelPath);
  const config = JSON.stringify(buildLoadTestConfig(baseConfig), null, 2) + "\n";
  await Deno.writeTextFile(configPath, config);
}

/**
 * Writes load-test voices `0 .. variants - 1` into `dir` (`<id>.onnx` and `<id>.onnx.json`), each
 * unless it is there already; returns their ids.
 */
export async function ensureLoadTestVoice(
  dir: string,
  baseConfigPath: string,
  variants = 1,
): Promise<string[]> {
  const ids: string[] = [];
  for (let variant = 0; variant < variants; variant++) {
    const id = loadTestVoiceId(variant);
    ids.push(id);
    await ensureVoiceFiles(dir, id, baseConfigPath, () => buildLoadTestModel(variant));
  }
  return ids;
}

/**
 * Writes the float16 load-test voice ({@linkcode LOAD_TEST_FP16_VOICE_ID}) into `dir` unless it is
 * there already; returns its id.
 */
export async function ensureLoadTestFp16Voice(
  dir: string,
  baseConfigPath: string,
): Promise<string> {
  await ensureVoiceFiles(
    dir,
    LOAD_TEST_FP16_VOICE_ID,
    baseConfigPath,
    () => buildLoadTestModel(0, "fp16"),
  );
  return LOAD_TEST_FP16_VOICE_ID;
}
