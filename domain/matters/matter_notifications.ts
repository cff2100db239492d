/** The e-mails of matters. They never carry a reply's content: only that one waits, and where. */
import type { CooperativeProfile } from "../backoffice/cooperative.ts";
import type { NewMessage } from "../messaging/messages.ts";
import { letter } from "../messaging/notifications.ts";

export type MatterCtx = { coop: CooperativeProfile; baseUrl: string };

/** To the author of a matter, when the office replied. */
export function matterReplyEmail(
  ctx: MatterCtx,
  r: { email: string; firstName: string; accountId: string; matterId: string; number: string },
): NewMessage {
  return {
    channel: "email",
    to: r.email,
    subject: `eBOK — odpowiedź w sprawie ${r.number}`,
    purpose: "matter_reply",
    subjectRef: `account:${r.accountId}`,
    text: letter(ctx, [
      `W eBOK czeka odpowiedź w sprawie ${r.number}.`,
      "Przeczytasz ją po zalogowaniu:",
      `${ctx.baseUrl}/ebok/zgloszenia/${r.matterId}`,
    ]),
  };
}
