/**
 * The port every online-payment gateway adapter implements. Przelewy24 is the first
 * (adapters/przelewy24.ts); a PayU, Tpay or Autopay adapter is one more file with these four
 * functions. The domain (domain/payments/) never sees a gateway's wire format: only these types.
 *
 * The flow every such gateway shares: register a transaction (→ a URL to send the payer to), the
 * gateway later notifies us of a successful payment (signed), we confirm it with a verify call,
 * and we can ask for a transaction's state by our own id when in doubt (after a crash).
 */

/** What we ask the gateway to collect. Amounts are integer grosze. */
export type RegisterTransactionRequest = {
  /** Our payment id; the gateway's "session id" (Przelewy24: `sessionId`). */
  sessionId: string;
  amount: number;
  currency: "PLN";
  /** Shown to the payer and in the gateway's reports. */
  description: string;
  email: string;
  /** Where the payer's browser comes back to, paid or not. */
  returnUrl: string;
  /** Where the gateway sends its (server-to-server) notification of a successful payment. */
  notifyUrl: string;
};

export type RegisterTransactionResult =
  | { ok: true; token: string; redirectUrl: string }
  /** The gateway answered and said no (bad credentials, invalid data): retrying will not help. */
  | { ok: false; reason: "refused"; detail: string }
  /** No usable answer (network, timeout, 5xx): the transaction may or may not exist. */
  | { ok: false; reason: "unavailable"; detail: string };

/**
 * A notification whose signature checked out. Its claims still need the verify call before
 * the money counts.
 */
export type GatewayNotification = {
  sessionId: string;
  /** The gateway's transaction id (Przelewy24: `orderId`). */
  orderId: number;
  amount: number;
  currency: string;
  /** The payment method the payer used, when the gateway says. */
  methodId?: number;
  /** The title of the payment at the gateway (Przelewy24: `statement`). */
  statement?: string;
};

export type ParseNotificationResult =
  | { ok: true; notification: GatewayNotification }
  /** Not the gateway's format at all. */
  | { ok: false; reason: "malformed"; detail: string }
  /** A signature that does not match, or one for another merchant: never trust it. */
  | { ok: false; reason: "bad_signature"; detail: string };

export type VerifyTransactionResult =
  | { ok: true }
  | { ok: false; reason: "refused"; detail: string }
  | { ok: false; reason: "unavailable"; detail: string };

/** A transaction as the gateway knows it, found by our session id. */
export type GatewayTransaction = {
  sessionId: string;
  orderId: number;
  amount: number;
  currency: string;
  /**
   * `unpaid`: nothing paid yet; `awaiting_verify`: paid, but not verified by us (Przelewy24
   * keeps the money as the payer's advance payment until then); `paid`: paid and verified;
   * `refunded`: paid and returned.
   */
  status: "unpaid" | "awaiting_verify" | "paid" | "refunded";
};

export type GetTransactionResult =
  | { ok: true; transaction: GatewayTransaction }
  | { ok: false; reason: "not_found" }
  | { ok: false; reason: "unavailable"; detail: string };

export interface PaymentGateway {
  /** A short stable name stored with each payment, e.g. "przelewy24". */
  readonly name: string;
  /**
   * The origin of the gateway's payment pages (`https://secure.przelewy24.pl`): the pay form's
   * answer redirects there, so the app's CSP `form-action` must name it.
   */
  readonly payerOrigin: string;
  registerTransaction(request: RegisterTransactionRequest): Promise<RegisterTransactionResult>;
  /** Checks the signature of a notification's raw body (as received, before any parsing). */
  parseNotification(body: string): Promise<ParseNotificationResult>;
  /** Confirms with the gateway that the notified payment is real; idempotent on our side. */
  verifyTransaction(notification: GatewayNotification): Promise<VerifyTransactionResult>;
  getTransaction(sessionId: string): Promise<GetTransactionResult>;
}
