/**
 * The frozen last block on selected rows (lib/encoders/clip/row_block.ts) against the whole block on the same wasm
 * kernels: the rows read and the input gradient, bitwise, for the CLS rows the image tower reads and for any rows; and
 * the image tower with and without it: features and image-prompt gradients, bitwise.
 */
import * as tf from "@tensorflow/tfjs";
import { assert, assertEquals, assertThrows } from "./assert.ts";
import { initBackend } from "../lib/backend.ts";
import { residualBlock } from "../lib/encoders/clip/block.ts";
import { PPAD_MINI } from "../lib/encoders/clip/config.ts";
import { gatherRows } from "../lib/encoders/clip/layers.ts";
import { ClipModel } from "../lib/encoders/clip/model.ts";
import { blockRows, blockRowsWeights, setBlockRowsEnabled } from "../lib/encoders/clip/row_block.ts";
import { type VisionWeights, visionWeights } from "../lib/encoders/clip/vision.ts";
import { fusedAvailable, setFusedEnabled } from "../lib/encoders/clip/wasm/runtime.ts";
import { Rng } from "../lib/util/rng.ts";
import { randn } from "./tensor_asserts.ts";

const SLOW = { sanitizeResources: false, sanitizeOps: false };

function assertBitwise(a: tf.Tensor, b: tf.Tensor, what: string): void {
  assertEquals(a.shape, b.shape, `${what}: shape`);
  const ua = new Uint32Array(Float32Array.from(a.dataSync()).buffer);
  const ub = new Uint32Array(Float32Array.from(b.dataSync()).buffer);
  const i = ua.findIndex((v, k) => v !== ub[k]);
  assert(i < 0, `${what} differs at ${i}: ${a.dataSync()[i]} vs ${b.dataSync()[i]}`);
}

/** A frozen model's prepared vision weights (owned tensors returned for disposal). */
function frozenVision(model: ClipModel): { w: VisionWeights; owned: tf.Tensor[] } {
  const owned: tf.Tensor[] = [];
  let w: VisionWeights | null = null;
  tf.tidy(() => {
    w = visionWeights({
      get: (k) => model.variable(k),
      frozen: true,
      own: <T extends tf.Tensor>(t: T): T => {
        owned.push(tf.keep(t));
        return t;
      },
    }, model.config);
  });
  return { w: w!, owned };
}

Deno.test({
  name: "row block: the rows read and the input gradient equal the whole block's, bitwise",
  ...SLOW,
  fn: async () => {
    await initBackend("wasm", { quiet: true });
    setFusedEnabled(true);
    assert(fusedAvailable(), "fused kernels load on wasm");
    const rng = new Rng(11);
    const model = ClipModel.random(PPAD_MINI, rng.fork());
    const { w, owned } = frozenVision(model);
    const last = w.blocks.at(-1)!;
    const width = PPAD_MINI.visionWidth, heads = PPAD_MINI.visionHeads;
    const packed = blockRowsWeights(last, width, heads);
    assert(packed !== null, "the frozen last block runs on the wasm kernels");
    const before = tf.memory().numTensors;
    for (const [batch, rows] of [[3, [0, 50, 100]], [2, [7, 0, 93]]] as const) {
      tf.tidy(() => {
        const tokens = 50, shape = { batch, tokens, heads, mask: null };
        const x = randn(rng, [batch * tokens, width]) as tf.Tensor2D;
        const r = randn(rng, [rows.length, width]);
        const whole = (xi: tf.Tensor2D) => gatherRows(residualBlock(xi, last, shape), rows as readonly number[]);
        const part = (xi: tf.Tensor2D) => blockRows(xi, last.params, packed!, shape, rows as readonly number[]);
        assertBitwise(part(x), whole(x), `rows [${rows}]`);
        const grad = (f: (xi: tf.Tensor2D) => tf.Tensor2D) =>
          tf.grad((xi) => tf.sum(tf.mul(f(xi as tf.Tensor2D), r)))(x);
        assertBitwise(grad(part), grad(whole), `input gradient, rows [${rows}]`);
      });
    }
    assertEquals(tf.memory().numTensors, before, "no tensor left");
    assertThrows(() =>
      blockRows(tf.zeros([100, width]), last.params, packed!, { batch: 2, tokens: 50, heads, mask: null }, [0, 0])
    );
    tf.dispose(owned);
    model.dispose();
  },
});

Deno.test({
  name: "row block: the image tower with and without it gives bitwise the same features and prompt gradients",
  ...SLOW,
  fn: async () => {
    await initBackend("wasm", { quiet: true });
    setFusedEnabled(true);
    const rng = new Rng(12);
    const model = ClipModel.random(PPAD_MINI, rng.fork());
    const { grid, imageResolution: res, visionWidth, embedDim } = PPAD_MINI;
    const pixels = randn(rng, [3, res, res, 3]) as tf.Tensor4D;
    const keep = tf.tensor2d(Array.from({ length: 3 * grid * grid }, (_, i) => (i % 4 === 0 ? 0 : 1)), [
      3,
      grid * grid,
    ]);
    const prompts = tf.variable(randn(rng, [grid * grid, visionWidth]) as tf.Tensor2D);
    const r = randn(rng, [3, embedDim]);
    const run = () => {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.mul(model.encodeImageWithPrompts(pixels, keep, prompts), r)) as tf.Scalar,
        [prompts],
      );
      return { features: model.encodeImage(pixels), value, grad: grads[prompts.name] };
    };
    // The first call prepares (and keeps) the frozen model's weight copies: count tensors after it.
    const warm = run();
    tf.dispose([warm.features, warm.value, warm.grad]);
    const before = tf.memory().numTensors;
    const rows = run();
    const leaked = tf.memory().numTensors - before - 3;
    setBlockRowsEnabled(false);
    try {
      const whole = run();
      assertBitwise(rows.features, whole.features, "image features");
      assertBitwise(rows.value, whole.value, "loss");
      assertBitwise(rows.grad, whole.grad, "image-prompt gradient");
      tf.dispose([whole.features, whole.value, whole.grad]);
    } finally {
      setBlockRowsEnabled(true);
    }
    assertEquals(leaked, 0, "no tensor left but the results");
    tf.dispose([rows.features, rows.value, rows.grad, pixels, keep, prompts, r]);
    model.dispose();
  },
});
