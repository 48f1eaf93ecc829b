// The Probot app: registers handlers and builds their dependencies. No logic here.
import type { Probot } from "probot";

export default function slipway(app: Probot): void {
  app.log.info("Slipway loaded");
}
