// Starts the parse worker from its TypeScript source, for code run by tsx or vitest (the tests,
// `npm run demo`, the benchmarks): a worker thread does not inherit tsx's module hooks, so it
// registers them itself. The compiled lib/ starts lib/planning/parse-worker.js without this file.
import { register } from "tsx/esm/api";

register();
await import("./parse-worker.ts");
