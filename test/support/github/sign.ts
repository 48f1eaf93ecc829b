// Signs a delivery the way GitHub does: HMAC-SHA256 of the raw body with the webhook secret, hex,
// prefixed with "sha256=" (https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries).
// Tests sign with node:crypto, independently of the @octokit/webhooks code that verifies.
import { createHmac } from "node:crypto";

export function signDelivery(secret: string, body: string | Buffer): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** The legacy SHA-1 signature GitHub still sends in `X-Hub-Signature`. */
export function signDeliverySha1(secret: string, body: string | Buffer): string {
  return `sha1=${createHmac("sha1", secret).update(body).digest("hex")}`;
}
