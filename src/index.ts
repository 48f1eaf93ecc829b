// The Probot app: builds Slipway's dependencies from the server's environment and registers its
// handlers. No logic here.
import type { Probot } from "probot";
import { readServerSettings } from "./config/server.js";
import { createSlipwayApp } from "./github/app.js";
import { WorkQueue } from "./jobs/queue.js";
import { ClusterPool } from "./kube/cluster-pool.js";

export default function slipway(app: Probot): void {
  const settings = readServerSettings();
  createSlipwayApp({ clusters: new ClusterPool(), queue: new WorkQueue(), fieldManager: settings.fieldManager })(app);
}
