/** Access requests: the office verifies each against the register, then approves or rejects. */
import { type Context, Hono } from "hono";
import {
  type AccessRequest,
  approveAccessRequest,
  type ApproveResult,
  getAccessRequest,
  listAccessRequests,
  rejectAccessRequest,
} from "../../domain/access/access_requests.ts";
import {
  checkUnitsForRequest,
  requestFindings,
  searchUnitsForRequest,
} from "../../domain/access/verification.ts";
import {
  RequestPage,
  RequestSearchResults,
  RequestsPage,
  type RequestView,
} from "../../views/admin/requests.tsx";
import { staffMenu } from "../../views/menu.ts";
import type { AppDeps, AppEnv } from "../context.ts";
import { renderPage } from "../render.tsx";
import { staffActor, type StaffEnv, staffViewer } from "./guard.ts";
import { CONTROL_CHARS, multiple, readForm, single } from "../validation.ts";

const notices: Record<string, string> = {
  zatwierdzono: "Wniosek zatwierdzony. Identyfikator i hasło startowe zostały wysłane.",
  odrzucono: "Wniosek odrzucony. Wnioskodawca otrzyma e-mail z powodem.",
};

const MAX_QUERY = 100;

/** A request's card: the register's findings, the search (if any), what was typed before. */
async function requestView(
  kv: Deno.Kv,
  request: AccessRequest,
  extra: Partial<RequestView> & { chosen?: string[] } = {},
): Promise<RequestView> {
  const { chosen, ...rest } = extra;
  const findings = rest.findings ?? await requestFindings(kv, request);
  const shown = new Set(
    [...findings.atAddress, ...findings.sameName, ...(rest.search?.hits ?? [])].map((u) =>
      u.unit.id
    ),
  );
  // Units ticked before a refusal stay on the card, ticked, even if found by a search.
  const carried = chosen
    ? await checkUnitsForRequest(kv, request, chosen.filter((id) => !shown.has(id)))
    : [];
  return { request, findings, carried, chosen, ...rest };
}

/** The list of pending requests; `override` replaces one card (a refused form, as typed). */
async function requestsPage(
  kv: Deno.Kv,
  c: Context<StaffEnv>,
  status: 200 | 404 | 409 | 422 = 200,
  override?: RequestView,
) {
  const pending = await Promise.all(
    (await listAccessRequests(kv, "pending")).map((r) =>
      r.id === override?.request.id ? override : requestView(kv, r)
    ),
  );
  return renderPage(
    c,
    { title: "Wnioski o dostęp", menu: staffMenu, viewer: staffViewer(c.get("staff")), status },
    <RequestsPage pending={pending} notice={notices[c.req.query("wynik") ?? ""]} />,
  );
}

/** The register search for one card; it leaves out the units the card lists already. */
async function cardSearch(kv: Deno.Kv, request: AccessRequest, q: string) {
  const found = q && !CONTROL_CHARS.test(q)
    ? await searchUnitsForRequest(kv, request, q)
    : { hits: [], truncated: false };
  const findings = await requestFindings(kv, request);
  const listed = new Set([...findings.atAddress, ...findings.sameName].map((u) => u.unit.id));
  const hits = found.hits.filter((h) => !listed.has(h.unit.id));
  return {
    findings,
    search: { q, ...found, hits, alreadyListed: found.hits.length - hits.length },
  };
}

/** The card's error for a refused approval, or null when only a 409 fits. */
function approvalRefusal(
  result: Exclude<ApproveResult, { ok: true }>,
): Partial<RequestView> | null {
  switch (result.reason) {
    case "no_units":
      return {
        error:
          "Wybierz co najmniej jeden lokal. Jeśli adresu nie ma w rejestrze, znajdź lokal wyszukiwarką, najpierw dodaj lokal albo odrzuć wniosek z wyjaśnieniem.",
      };
    case "unknown_units":
      return { error: "Wybrany lokal nie istnieje w rejestrze." };
    case "name_unconfirmed":
      return {
        confirmError: `Imię i nazwisko wnioskodawcy nie jest zgodne z rejestrem dla ${
          result.checks.filter((x) => x.check.verdict !== "match").length === 1
            ? "wybranego lokalu"
            : "wybranych lokali"
        } (oznaczenia przy lokalach). Aby mimo to przyznać dostęp, zaznacz potwierdzenie i podaj uzasadnienie.`,
      };
    case "confirmation_reason_invalid":
      return {
        confirmError: "Podaj uzasadnienie potwierdzenia (od 5 do 500 znaków, sam tekst).",
      };
    default:
      return null;
  }
}

/** The approval form: the ticked units and the name-mismatch confirmation. */
async function readApprovalForm(
  kv: Deno.Kv,
  request: AccessRequest,
  form: Awaited<ReturnType<typeof readForm>>,
) {
  let unitIds = [...new Set(multiple(form.unit_id).map((s) => s.slice(0, 40)))];
  // The page's form says it offered a choice; a plain POST without one (an integration, a
  // script) links the units the register has at the typed address, or none for now.
  const choiceOffered = single(form.units_chosen) === "1";
  if (!choiceOffered && unitIds.length === 0) {
    unitIds = (await requestFindings(kv, request)).atAddress.map((u) => u.unit.id);
  }
  const confirmed = single(form.confirm_mismatch) === "on";
  const confirmReason = single(form.confirm_reason).slice(0, 600);
  return { unitIds, confirmed, confirmReason };
}

/** The rejection reason's error, if any. */
function rejectReasonError(reason: string): string | undefined {
  if (reason.length < 5) return "Podaj powód odrzucenia (co najmniej 5 znaków).";
  if (reason.length > 1000) return "Powód może mieć najwyżej 1000 znaków.";
  if (CONTROL_CHARS.test(reason)) return "Powód zawiera niedozwolone znaki.";
  return undefined;
}

export function requestRoutes(deps: AppDeps) {
  const { kv, clock, config, hasher } = deps;
  const app = new Hono<StaffEnv>();
  const msgCtx = (coop: AppEnv["Variables"]["cooperative"]) => ({ coop, baseUrl: config.baseUrl });

  app.get("/", (c) => requestsPage(kv, c));

  // One request's card with the register search: the search's own page without JavaScript,
  // only the results for htmx.
  app.get("/:id", async (c) => {
    const request = await getAccessRequest(kv, c.req.param("id"));
    if (!request) return c.notFound();
    const q = (c.req.query("q") ?? "").trim().slice(0, MAX_QUERY);
    const { search, findings } = await cardSearch(kv, request, q);
    const view = request.status === "pending"
      ? await requestView(kv, request, { search, findings })
      : null;
    return renderPage(
      c,
      {
        title: `Wniosek o dostęp`,
        menu: staffMenu,
        viewer: staffViewer(c.get("staff")),
        fragment: () => <RequestSearchResults request={request} search={search} />,
      },
      <RequestPage request={request} view={view} />,
    );
  });

  app.post("/:id/zatwierdz", async (c) => {
    const request = await getAccessRequest(kv, c.req.param("id"));
    if (!request) return requestsPage(kv, c, 404);
    const form = await readForm(c.req);
    const { unitIds, confirmed, confirmReason } = await readApprovalForm(kv, request, form);
    const result = await approveAccessRequest(kv, clock, hasher, {
      ...msgCtx(c.get("cooperative")),
      startPasswordTtlMs: config.startPasswordTtlMs,
    }, {
      requestId: request.id,
      unitIds,
      staff: staffActor(c.get("staff")),
      confirmMismatch: confirmed ? { reason: confirmReason } : undefined,
    });
    if (result.ok) return c.redirect("/admin/wnioski?wynik=zatwierdzono", 303);
    const refusal = approvalRefusal(result);
    if (!refusal) return requestsPage(kv, c, 409);
    const again = { chosen: unitIds, confirmed, confirmReason, ...refusal };
    return requestsPage(kv, c, 422, await requestView(kv, request, again));
  });

  app.post("/:id/odrzuc", async (c) => {
    const request = await getAccessRequest(kv, c.req.param("id"));
    if (!request) return requestsPage(kv, c, 404);
    const form = await readForm(c.req);
    const reason = single(form.reason).trim().replace(/\r\n/g, "\n");
    const reasonError = rejectReasonError(reason);
    if (reasonError) {
      return requestsPage(
        kv,
        c,
        422,
        await requestView(kv, request, { reasonError, reason: reason.slice(0, 1000) }),
      );
    }
    const result = await rejectAccessRequest(kv, clock, msgCtx(c.get("cooperative")), {
      requestId: request.id,
      reason,
      staff: staffActor(c.get("staff")),
    });
    if (!result.ok) return requestsPage(kv, c, 409);
    return c.redirect("/admin/wnioski?wynik=odrzucono", 303);
  });
  return app;
}
