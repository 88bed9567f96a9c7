/**
 * Minimal assertions for tests (jsr:@std/assert is unreachable on our machines; node:assert is the built-in substitute).
 * @module
 */
import nodeAssert from "node:assert/strict";

/** Asserts that `cond` is truthy. */
export function assert(cond: unknown, message?: string): asserts cond {
  nodeAssert.ok(cond, message);
}
/** Deep strict equality. */
export function assertEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, message);
}
/** Deep strict inequality. */
export function assertNotEquals<T>(actual: T, expected: T, message?: string): void {
  nodeAssert.notDeepStrictEqual(actual, expected, message);
}
/** |actual − expected| ≤ tol. */
export function assertAlmostEquals(actual: number, expected: number, tol = 1e-7, message?: string): void {
  nodeAssert.ok(
    Math.abs(actual - expected) <= tol,
    message ?? `expected ${actual} to be within ${tol} of ${expected}`,
  );
}
/** Asserts that `fn` throws an error of class `cls` whose message includes `includes`. */
export function assertThrows(fn: () => unknown, cls?: new (...args: never[]) => Error, includes?: string): Error {
  try {
    fn();
  } catch (e) {
    if (cls) {
      nodeAssert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    }
    if (includes) {
      nodeAssert.ok((e as Error).message.includes(includes), `message ${(e as Error).message} lacks ${includes}`);
    }
    return e as Error;
  }
  throw new nodeAssert.AssertionError({ message: "expected function to throw" });
}
/** Async variant of {@link assertThrows}. */
export async function assertRejects(
  fn: () => Promise<unknown>,
  cls?: new (...args: never[]) => Error,
  includes?: string,
): Promise<Error> {
  try {
    await fn();
  } catch (e) {
    if (cls) {
      nodeAssert.ok(e instanceof cls, `expected ${cls.name}, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    }
    if (includes) {
      nodeAssert.ok((e as Error).message.includes(includes), `message ${(e as Error).message} lacks ${includes}`);
    }
    return e as Error;
  }
  throw new nodeAssert.AssertionError({ message: "expected promise to reject" });
}
