// A sanity check of the benchmark failed: the timings would not measure what they claim to
// (an apply that failed half-way is fast). bench/apply.ts exits 1 on it, 2 on anything else.
export class CheckFailed extends Error {
  override readonly name = "CheckFailed";
}
